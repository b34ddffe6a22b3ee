/* log.h — one line per event on stderr, git's grammar: "prog: what: why".
 *
 * The only module besides the stages' main() that writes to a terminal.
 * log_progress() and log_item() draw a rewriting status line only when
 * stderr is a terminal; otherwise they are silent (log_item: one line per
 * item with -v), so logs stay one line per event. */
#ifndef FOLIO_LOG_H
#define FOLIO_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Sets the program name prefixed to every line (not copied: pass a literal). */
void log_init(const char *prog);
/* Verbosity: 0 quiet (errors only), 1 normal (and warnings), 2 verbose. */
void log_set_level(int level);
int log_level(void);
bool log_is_tty(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A transient line ("\r...") on a terminal, as the caller words it (no rate
 * is added: calls are not items; normalize shows each video's speed, "2.1x"
 * media seconds per second); a no-op elsewhere.  Every log line clears a
 * transient line on a terminal first, another program's too. */
void log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress of one item: on a terminal the transient line "prog: STAGE
 * DONE/TOTAL  CURRENT  RATE/s" (items per second); elsewhere one line per item with -v only (a
 * log file gets one line per event, not per file).  current may be NULL. */
void log_item(const char *stage, size_t done, size_t total, const char *current);
/* A terminal-safe copy of a candidate's text (control characters, which could
 * move the cursor or fake extra lines, as '?') in out.  Returns out. */
const char *log_tame(const char *s, char *out, size_t outsz);
/* Clears a transient progress line, if one is showing. */
void log_progress_done(void);

#endif
