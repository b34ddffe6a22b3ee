/* runner.h — 'folio run': the nightly run, the stages of pipeline/nightly in
 * order, each its own process.
 *
 * One run at a time per data directory (an flock on DATA/folio.lock).  Each
 * run is a row of runs and each stage a row of run_stages (times, exit code,
 * what it did); stages learn the run's id from FOLIO_RUN_ID.  A stage that
 * exits 1 (some files failed; they are retried next run) does not stop the
 * run; exit 2 and above, or a signal, does. */
#ifndef FOLIO_RUNNER_H
#define FOLIO_RUNNER_H

#include "stage.h"

/* Runs the pipeline over s->inbox into s->data_dir.  verbosity is passed on
 * to the stages (0 quiet, 1 normal, 2 verbose).  Prints the run's summary on
 * stdout.  Returns the exit code for folio run. */
int runner_run(struct stage *s, int verbosity);

/* Checks what config_load() leaves to the stages ([profile] values), so that
 * a bad config stops a run before its first stage.  Logs the error; 0 or -1. */
int runner_check_config(const struct stage *s);

/* Prints the one-screen summary of run id (or of the latest run if 0) to f.
 * Returns 0 or -1. */
int runner_summary(sqlite3 *db, long long run_id, FILE *f, struct ferr *e);

#endif
