#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sbuf_init(struct sbuf *b)
{
	b->buf = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

void sbuf_free(struct sbuf *b)
{
	free(b->buf);
	sbuf_init(b);
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->buf)
		b->buf[0] = '\0';
}

const char *sbuf_str(const struct sbuf *b) { return b->buf ? b->buf : ""; }
bool sbuf_failed(const struct sbuf *b) { return b->failed; }

/* Makes room for n more bytes and the NUL; false (and failed) when it cannot. */
static bool grow(struct sbuf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return false;
	if (n > SBUF_MAX - b->len - 1) {
		b->failed = true;
		return false;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->buf = p;
	b->cap = cap;
	return true;
}

void sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void sbuf_adds(struct sbuf *b, const char *s) { sbuf_add(b, s, strlen(s)); }
void sbuf_addc(struct sbuf *b, char c) { sbuf_add(b, &c, 1); }

void sbuf_pad(struct sbuf *b, char c, size_t n)
{
	if (!grow(b, n))
		return;
	memset(b->buf + b->len, c, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	if (vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap) != n)
		b->failed = true;
	else
		b->len += (size_t)n;
	va_end(ap);
}

/* Code points in s[0..n): continuation bytes do not count. */
static size_t columns(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

void sbuf_wrap(struct sbuf *b, const char *text, size_t first, size_t indent, size_t width)
{
	const char *p = text;
	size_t col = first;
	bool line_empty = true;

	sbuf_pad(b, ' ', first);
	while (*p) {
		size_t n, w;

		while (*p == ' ' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \n");
		w = columns(p, n);
		if (!line_empty && col + 1 + w > width) {
			sbuf_addc(b, '\n');
			sbuf_pad(b, ' ', indent);
			col = indent;
			line_empty = true;
		}
		if (!line_empty) {
			sbuf_addc(b, ' ');
			col++;
		}
		sbuf_add(b, p, n);
		col += w;
		line_empty = false;
		p += n;
	}
	sbuf_addc(b, '\n');
}
