/* normalize.h — folio-normalize's job loop: which accepted videos need the
 * current profile, running them in parallel, and recording each result.
 *
 * A file is pending when it is active, judged (state 'done'), accepted, of
 * kind 'video', and its normalized_profile is not the current profile
 * version (or it has neither an output nor an error under this version).
 * A content failure records normalize_error and the warning
 * normalize-failed under the current version, so it is not retried until
 * the profile changes or --force.  A system failure goes through
 * stage_item_failed(): attempts + 1 and a row in system_failures, retried
 * next run, held for an operator (state 'held') at max_attempts.
 *
 * Per file, in this order (docs/normalize.md tells what a crash leaves):
 * transcode into DATA/tmp/, fsync, rename to DATA/media/<c>/<e>/<slot>.mp4
 * and .jpg, then one short transaction records the paths, the output's
 * SHA-256, the profile version and the warnings, and marks the candidate's
 * manifest stale. */
#ifndef FOLIO_NORMALIZE_H
#define FOLIO_NORMALIZE_H

#include <stdbool.h>

#include "err.h"
#include "stage.h"
#include "transcode.h"

struct normalize_stats {
	int done;		/* outputs recorded (re-encoded, remuxed or reused) */
	int copied;		/* of those, video kept by stream copy */
	int reused;		/* of those, an earlier identical result taken over */
	int failed;		/* content failures recorded (normalize-failed) */
	int system;		/* system failures (retried next run, or held) */
	double media_s;		/* seconds of source normalized */
	double wall_s;		/* seconds of wall time spent */
};

/* Normalizes every pending file of s->db with up to s->jobs files at once,
 * each given max(1, cores / jobs) codec threads.  Shows progress with
 * log_progress() and logs one line per file.  Returns 0 with st filled when
 * the database could be worked (per-file failures are counted in st, not
 * returned), or -1 with e filled when it could not (FERR_SYSTEM). */
int normalize_run(struct stage *s, const struct tc_profile *p, struct normalize_stats *st,
		  struct ferr *e);

/* True when s is usable as one component of an output path: 1 to 64 of
 * [A-Za-z0-9._-], not starting with '.' or '-'.  Cannot fail. */
bool normalize_name_ok(const char *s);

/* The main() of folio-normalize --transcode-one CONFIG SRC DST POSTER TITLE
 * DURATION THREADS TIME MEMORY LEVEL (argv after the flag): one video, in the
 * program normalize_run() starts for it through isolate_exec().  Does not
 * return when started so; returns 2 otherwise. */
int normalize_transcode_one(int argc, char **argv);

#endif
