/* report.h — what each candidate reads the morning after a run, and the
 * operator's nightly summary (docs/reports.md).
 *
 * Everything here is read from DATA/folio.db alone (the manifest views'
 * tables, the run's history) and the config's rules; nothing looks at the
 * inbox or the media.  Written under DATA/reports/:
 *   <candidate>/report.html, report.txt   every candidate, every run
 *   notify-<date>-run<N>.txt              run N's list: candidates whose verdicts
 *                                         changed since the last reported run
 *   notify-<date>.txt                     the day's union of those lists
 *   nightly/<date>-run<N>.html, .txt      the operator's summary of run N
 *   nightly/<date>.html, <date>.txt       the latest summary of that day
 * Each file is written under a temporary name in DATA/tmp, fsync'd and
 * renamed, mode 0640. */
#ifndef FOLIO_REPORT_H
#define FOLIO_REPORT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "sbuf.h"
#include "store.h"

/* The day a report speaks of, and the submission window it is about. */
struct report_day {
	char date[11];			/* YYYY-MM-DD in cfg->timezone */
	char date_text[32];		/* "June 1, 2026" */
	char tz[64];
	const struct window *win;	/* NULL when the config has none */
	bool before_open, closed;	/* relative to the window, on that date */
	long days_left;			/* calendar days from date to the close date */
	char opens_text[48];		/* "May 1, 2026" */
	char closes_text[64];		/* "June 15, 2026 at 23:59" */
	int64_t run_id;			/* the run whose changes are marked; 0: none */
	/* the last run before run_id whose report stage completed (0: none):
	 * changes of the runs after it, up to run_id, are "new" and "tonight"
	 * (report_run fills it; a caller of report_candidate sets it) */
	int64_t since_run;
};

/* Fills d for date (YYYY-MM-DD; NULL: today in cfg->timezone).  The window
 * is the one containing that day, else the latest one already opened (so
 * the night after the close says "closed", not next year's dates), else the
 * next to open.  d->run_id is left 0 for the caller to set.  Returns 0, or -1
 * with e filled (FERR_CONFIG for a malformed date) and d untouched. */
int report_day_init(struct report_day *d, const struct config *cfg, const char *date,
		    struct ferr *e);

/* A candidate id is used as a directory name: only [A-Za-z0-9._-], 1 to 64
 * characters, not starting with a dot, and not "nightly" (the summaries'
 * directory).  Cannot fail. */
bool report_candidate_id_ok(const char *id);

/* Renders one candidate's report from the database into html and txt (both
 * appended to; the caller owns and frees them).  Files whose verdict was
 * recorded in a run after d->since_run, up to d->run_id, are marked new.
 * Returns 0, or -1 with e filled
 * (FERR_SYSTEM for the database, or a buffer that could not grow). */
int report_candidate(sqlite3 *db, const struct config *cfg, const struct report_day *d,
		     const char *candidate, struct sbuf *html, struct sbuf *txt,
		     struct ferr *e);

/* What the report stage did itself, for the summary's own row. */
struct report_self {
	long candidates, written, failures;
	long notified;			/* ids in this run's notify list */
	long notified_day;		/* ids in the day's union list */
	bool in_run;			/* a stage of the run (FOLIO_RUN_ID): its run_stages
					 * row is this stage's own, and not finished yet */
	unsigned long long bytes_read, bytes_written;
	double started;			/* seconds since the epoch, with fraction */
};

/* Renders the operator's summary of run_id (0: no run recorded; the summary
 * then covers the manifest as it stands) into html and txt.  Its "tonight"
 * counts cover the runs after d->since_run up to run_id.  self, when not
 * NULL, says what this stage did; with self->in_run it stands in for the
 * report stage's own row of run_stages, which is not finished while this
 * runs.  Returns 0 or -1 with e filled. */
int report_nightly(sqlite3 *db, const struct config *cfg, const struct report_day *d,
		   int64_t run_id, const struct report_self *self, struct sbuf *html,
		   struct sbuf *txt, struct ferr *e);

/* The whole stage: every candidate's report, the notify lists (with notify:
 * the candidates with a verdict recorded after the last run whose report
 * stage completed, up to run_id) and the summary of run_id (also as the
 * run's own file with notify), all committed at once.  A candidate whose report
 * cannot be written is recorded in system_failures (stage folio-report) and
 * counted in self->failures; the others go on.  On success the summary's
 * text is left in summary_txt (for the caller to print, if asked).  Returns
 * 0 when everything was written, 1 when some candidates failed, or -1 with e
 * filled when the stage could not run (the database, the notify list or
 * the summary). */
int report_run(sqlite3 *db, const struct config *cfg, const struct store *st,
	       const struct report_day *d, int64_t run_id, bool notify,
	       struct report_self *self, struct sbuf *summary_txt, struct ferr *e);

struct reason;
/* What a reason code does to a file's verdict, as docs/reasons.md and the
 * summary list it: "warning" (never changes it), "skips" (junk-file: the
 * file is skipped, not rejected) or "rejects".  Cannot fail. */
const char *report_reason_kind(const struct reason *r);

/* The latest run in the database, or 0 when there is none.  Cannot fail
 * (a database error reads as 0). */
int64_t report_latest_run(sqlite3 *db);

/* The latest run before run_id whose report stage completed: its run_stages
 * row for folio-report finished with exit 0 or 1 (the notify list and the
 * summary were written).  0 when there is none.  Cannot fail (a database
 * error reads as 0: every change is then new, which notifies too many
 * rather than too few). */
int64_t report_last_reported_run(sqlite3 *db, int64_t run_id);

/* Formats for people: seconds as m:ss (h:mm:ss from an hour; rounded to the
 * nearest second), bytes as "812 bytes", "1.5 MB", "250 MB" (powers of ten,
 * as the candidates' own tools show them; a no-break space before the unit).
 * report_fmt_size_binary is the same in powers of 1024 ("2 GiB", "1.5 MiB";
 * a whole number without ".0").  Write at most outsz bytes, always
 * NUL-terminated.  Cannot fail. */
void report_fmt_duration(double s, char *out, size_t outsz);
void report_fmt_size(uint64_t n, char *out, size_t outsz);
void report_fmt_size_binary(uint64_t n, char *out, size_t outsz);
/* True when a limit reads better in binary units: a whole number of KiB,
 * MiB, GiB or TiB that is not one of kB, MB, GB (a config's "2 GiB", not its
 * "100 MB").  Cannot fail. */
bool report_size_is_binary(uint64_t limit);
/* t in zone tz as "June 19, 2026 at 20:13" (with_time) or "June 19, 2026".
 * Cannot fail. */
void report_fmt_time(const char *tz, time_t t, bool with_time, char *out, size_t outsz);
/* t in zone tz with the zone's abbreviation: "June 19, 2026 at 20:13 CDT".
 * Cannot fail. */
void report_fmt_time_zone(const char *tz, time_t t, char *out, size_t outsz);

/* The window t belongs to: the one containing it, else the latest already
 * opened, else the next to open; NULL only when none is configured.
 * Cannot fail. */
const struct window *report_window_at(const struct config *cfg, time_t t);

/* Writes buf as DATA/rel (a relative path whose directories are created),
 * through a temporary file in DATA/tmp, fsync'd and renamed, mode 0640.
 * A file already holding exactly those bytes is left as it is (no write, no
 * fsync).  Returns 0 or -1 with e filled (FERR_SYSTEM). */
int report_write_file(const struct store *st, const char *rel, const struct sbuf *buf,
		      struct ferr *e);

#endif
