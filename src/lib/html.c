#include "html.h"

#include <stdint.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD"
#define ELLIPSIS "\xE2\x80\xA6"

/* Decodes one code point at s (NUL-terminated).  Returns it, or -1 for an
 * invalid, overlong, surrogate or truncated sequence; *len is the bytes
 * consumed (1 for an invalid lead byte, so decoding resynchronises). */
static int32_t decode(const unsigned char *s, size_t *len)
{
	unsigned char c = s[0];
	int32_t cp, min;
	size_t n;

	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2; cp = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3; cp = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return -1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;	/* also stops at the NUL */
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = n;
	return cp;
}

/* Code points that would mislead a reader or a terminal. */
static bool unsafe(int32_t cp)
{
	return cp < 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

static void put(struct sbuf *b, const unsigned char *s, size_t n, int32_t cp, bool markup)
{
	if (unsafe(cp)) {
		sbuf_adds(b, REPLACEMENT);
		return;
	}
	if (markup) {
		switch (cp) {
		case '&': sbuf_adds(b, "&amp;"); return;
		case '<': sbuf_adds(b, "&lt;"); return;
		case '>': sbuf_adds(b, "&gt;"); return;
		case '"': sbuf_adds(b, "&quot;"); return;
		case '\'': sbuf_adds(b, "&#39;"); return;
		default: break;
		}
	}
	sbuf_add(b, s, n);
}

static size_t count(const unsigned char *s)
{
	size_t k = 0, n;

	while (*s) {
		decode(s, &n);
		s += n;
		k++;
	}
	return k;
}

void html_clean(struct sbuf *b, const char *s, size_t max_chars, bool markup)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t total = count(p), head = total, tail_from = total, i = 0, n;

	if (max_chars > 0 && total > max_chars) {
		/* keep more of the start, and enough of the end for an extension */
		size_t keep = max_chars > 1 ? max_chars - 1 : 1;
		head = keep * 2 / 3;
		tail_from = total - (keep - head);
	}
	while (*p) {
		int32_t cp = decode(p, &n);
		if (i < head || i >= tail_from)
			put(b, p, n, cp, markup);
		else if (i == head)
			sbuf_adds(b, ELLIPSIS);
		p += n;
		i++;
	}
}

void html_escape(struct sbuf *b, const char *s) { html_clean(b, s, 0, true); }

bool html_is_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (unsafe(decode(p, &n)))
			return false;
		p += n;
	}
	return true;
}
