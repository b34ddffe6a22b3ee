/* sbuf.h — a growable byte buffer for text being composed (reports).
 *
 * Errors are sticky, as with a FILE's error flag: an allocation that fails
 * (or a size past SBUF_MAX) marks the buffer failed, later appends do
 * nothing, and the caller checks sbuf_failed() once when the text is done.
 * The contents are always NUL-terminated when len > 0 or after any append. */
#ifndef FOLIO_SBUF_H
#define FOLIO_SBUF_H

#include <stdbool.h>
#include <stddef.h>

#define SBUF_MAX ((size_t)256 << 20)	/* one report is far smaller */

struct sbuf {
	char *buf;	/* NULL until the first append; owned, freed by sbuf_free */
	size_t len, cap;
	bool failed;
};

/* An empty buffer.  Cannot fail. */
void sbuf_init(struct sbuf *b);
/* Frees the contents and empties the buffer; accepts one never used. */
void sbuf_free(struct sbuf *b);
/* Empties the buffer keeping its memory and clearing the failed flag. */
void sbuf_reset(struct sbuf *b);
/* The text ("" when empty), valid until the next append or free. */
const char *sbuf_str(const struct sbuf *b);
bool sbuf_failed(const struct sbuf *b);

void sbuf_add(struct sbuf *b, const void *p, size_t n);
void sbuf_adds(struct sbuf *b, const char *s);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n copies of c. */
void sbuf_pad(struct sbuf *b, char c, size_t n);

/* Appends text (UTF-8) word-wrapped at width columns (code points, not
 * bytes): the first line is indented by first spaces, the rest by indent.
 * A word longer than a line stands on a line of its own.  Ends with "\n". */
void sbuf_wrap(struct sbuf *b, const char *text, size_t first, size_t indent, size_t width);

#endif
