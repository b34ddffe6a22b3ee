/* log.h — one line per event on stderr, git's grammar: "prog: what: why".
 *
 * The only module besides the stages' main() that writes to a terminal.
 * log_progress() draws a rewriting status line only when stderr is a
 * terminal; otherwise it is silent, so logs stay one line per event. */
#ifndef FOLIO_LOG_H
#define FOLIO_LOG_H

#include <stdbool.h>

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
/* A transient line ("\r...") on a terminal; a no-op elsewhere. */
void log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Clears a transient progress line, if one is showing. */
void log_progress_done(void);

#endif
