#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static const char *prog_name = "folio";
static int level = 1;
static int tty = -1;
static bool progress_shown;

void log_init(const char *prog) { prog_name = prog; }
void log_set_level(int l) { level = l; }
int log_level(void) { return level; }

bool log_is_tty(void)
{
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	return tty == 1;
}

static void emit(int min, const char *tag, const char *fmt, va_list ap)
{
	if (level < min)
		return;
	log_progress_done();
	fprintf(stderr, "%s: %s", prog_name, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOGFN(name, min, tag)                   \
	void name(const char *fmt, ...)         \
	{                                       \
		va_list ap;                     \
		va_start(ap, fmt);              \
		emit(min, tag, fmt, ap);        \
		va_end(ap);                     \
	}
LOGFN(log_error, 0, "error: ")
LOGFN(log_warn, 1, "warning: ")
LOGFN(log_info, 1, "")
LOGFN(log_debug, 2, "")

void log_progress(const char *fmt, ...)
{
	va_list ap;

	if (!log_is_tty() || level < 1)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "\r\033[K%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = true;
}

void log_progress_done(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	progress_shown = false;
}
