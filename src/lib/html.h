/* html.h — text from candidates made safe to show, in HTML or plain text.
 *
 * Everything a candidate supplies (file and member names, archive names,
 * libmagic's reading of their bytes) is hostile: it may carry markup, control
 * characters that rewrite a terminal or an e-mail, bidirectional overrides
 * that make "gpj.exe" read as "exe.jpg", invalid UTF-8, or a name long enough
 * to break a layout.  These functions show such text honestly rather than
 * obey it: each offending code point becomes U+FFFD (the replacement
 * character), so the reader sees that something was there. */
#ifndef FOLIO_HTML_H
#define FOLIO_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Names are shown up to this many code points, longer ones shortened in the
 * middle so that the start and the extension stay visible. */
#define HTML_NAME_MAX 120

/* Appends s to b, replacing with U+FFFD every invalid UTF-8 sequence, C0 and
 * C1 control (tab and newline included), DEL, and bidirectional or invisible
 * formatting control (U+061C, U+200B–U+200F, U+2028–U+202E, U+2060–U+2069,
 * U+FEFF).  With max_chars > 0 a result longer than that is cut to its first
 * and last parts around a "…" (max_chars code points in all).  With markup,
 * & < > " ' are written as entities, so the text is safe both as element
 * content and inside a quoted attribute.  Errors are b's (sticky). */
void html_clean(struct sbuf *b, const char *s, size_t max_chars, bool markup);

/* html_clean(b, s, 0, true): for text that goes into HTML as it is. */
void html_escape(struct sbuf *b, const char *s);

/* True when s is valid UTF-8 with none of the code points html_clean()
 * replaces.  Cannot fail. */
bool html_is_clean(const char *s);

#endif
