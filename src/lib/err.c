#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vset(struct ferr *e, enum ferr_class cls, const char *fmt, va_list ap)
{
	e->cls = cls;
	if (vsnprintf(e->msg, sizeof e->msg, fmt, ap) < 0)
		snprintf(e->msg, sizeof e->msg, "(unprintable error)");
}

int ferr_set(struct ferr *e, enum ferr_class cls, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vset(e, cls, fmt, ap);
	va_end(ap);
	return -1;
}

int ferr_errno(struct ferr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vset(e, FERR_SYSTEM, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(errnum));
	return -1;
}

void ferr_clear(struct ferr *e)
{
	if (e == NULL)
		return;
	e->cls = FERR_NONE;
	e->msg[0] = '\0';
}
