/* stage.h — what every stage program shares: its command line, its data
 * directory, its config and its database.
 *
 * Common options: --data DIR (required), --config FILE (default
 * config/folio.conf beside the binary's tree, or $FOLIO_CONFIG), -j N,
 * -q, -v, --help.  A stage's own options are parsed by the caller from
 * the arguments stage_parse() leaves in ctx->argv. */
#ifndef FOLIO_STAGE_H
#define FOLIO_STAGE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "config.h"
#include "err.h"
#include "store.h"

/* Exit codes shared by every program (docs/INTERNALS.md, --help). */
enum {
	EXIT_OK = 0,		/* done; candidates' faults are verdicts, not errors */
	EXIT_ITEMS = 1,		/* some items hit a system failure (retried next run) */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_CONFIG = 3,	/* bad or missing config */
	EXIT_SYSTEM = 4,	/* cannot run at all: database, data directory */
};

/* What a stage did, for the run's summary (run_stages). */
struct stage_stats {
	long items, failures;
	unsigned long long bytes_read, bytes_written;
};

/* What a program needs of the data directory (stage_start's last argument;
 * false and true keep their old meaning of NONE and CREATE). */
enum stage_data {
	STAGE_NO_DATA = 0,	/* no --data at all (folio inspect) */
	STAGE_DATA = 1,		/* created if missing; exclusive lock; tmp/ cleared */
	STAGE_DATA_EXISTING = 2, /* as STAGE_DATA, but DATA/folio.db must exist */
	STAGE_DATA_READ = 3,	/* must exist; no lock, nothing cleared (show, status) */
};

struct stage {
	const char *prog;
	const char *data_dir;
	const char *config_path;
	const char *inbox;	/* --inbox, for the stages that take it */
	int jobs;
	bool force;		/* --force: redo work even when results are current */
	int argc;		/* remaining operands */
	char **argv;
	struct config *cfg;
	struct store store;
	sqlite3 *db;
	int lock_fd;		/* DATA/folio.lock, held for the program's life; -1 */
	const char *db_note;	/* STAGE_DATA_READ: a note for the reader, or NULL */
	struct stage_stats stats;
};

/* Parses the common options (printing usage to stdout and exiting 0 for
 * --help, or printing an error and exiting EXIT_USAGE).  usage is the
 * program's whole --help text.  Loads the config; then, as data says, opens
 * the data directory and database.  One program at a time writes a data
 * directory: the others get EXIT_SYSTEM with a message saying so, except the
 * stages 'folio run' starts, which share its lock (FOLIO_LOCKED).  On
 * failure prints the error and exits with the matching code: a stage cannot
 * go on without these. */
void stage_start(struct stage *s, const char *prog, const char *usage, int argc, char **argv,
		 enum stage_data data);

/* The environment variable 'folio run' sets, for its stages, to the number of
 * the lock file descriptor they inherit from it. */
#define STAGE_LOCK_ENV "FOLIO_LOCKED"
/* Who holds DATA/folio.lock, as the holder wrote it into the file. */
struct stage_holder {
	long pid;
	char host[256];
	long long started;	/* Unix time */
	char command[1024];
	bool alive;		/* the pid runs (always true for another host's) */
};
/* Reads DATA/folio.lock's holder.  Returns 0, or -1 when the file is missing,
 * empty or unreadable.  The lock itself is the flock: a holder that is not
 * alive, or any holder when no program has the flock, holds nothing. */
int stage_lock_holder(const char *data_dir, struct stage_holder *h);
/* Whether some process holds the flock on DATA/folio.lock, from /proc/locks
 * (taking the lock to find out would make a run starting that instant fail).
 * Returns 1 held, 0 free, -1 cannot tell. */
int stage_lock_held(const char *data_dir);
/* The processes (of this host, that this user may look at) having
 * DATA/folio.lock open, from /proc/PID/fd: the run and the stage it runs, or
 * a program left behind holding the lock.  Up to max pids; returns how many. */
int stage_lock_users(const char *data_dir, long *pids, int max);
/* The command line of a process ("?" when it cannot be read), tamed. */
void stage_proc_command(long pid, char *out, size_t outsz);
/* "pid 1234 on HOST since 2026-06-15 02:00:01 UTC (folio run ...)" into out. */
void stage_holder_text(const struct stage_holder *h, char *out, size_t outsz);

/* Records a system failure (not the candidate's content) on one file:
 * attempts + 1 and the error; at cfg->max_attempts the file is held (state
 * 'held', verdict 'pending') for an operator.  Logs it, counts it in
 * s->stats.failures and in system_failures.  Cannot fail (a database error
 * here is logged). */
void stage_item_failed(struct stage *s, long long file_id, const char *candidate,
		       const struct ferr *err);
/* Records a system failure that has no file row (an upload scan could not
 * take, a folder it cannot use): logged, counted, and kept in system_failures
 * so the nightly summary and 'folio status' show it.  Cannot fail. */
void stage_note_failure(struct stage *s, const char *candidate, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes s->stats into run_stages for the current run (no-op outside a run),
 * then returns the exit code: EXIT_ITEMS if any item failed, else EXIT_OK. */
int stage_finish(struct stage *s);

/* The options every stage takes, and the exit codes: the end of its --help. */
#define STAGE_OPTIONS_HELP                                                              \
	"\n"                                                                            \
	"Options:\n"                                                                    \
	"  --data DIR      the data directory (folio.db, store/, ...); required\n"      \
	"  --config FILE   the rules (default: config/folio.conf of this tree, or "     \
	"$FOLIO_CONFIG)\n"                                                              \
	"  --force         redo the work even where results are current\n"             \
	"  -q, --quiet     errors only;  -v, --verbose  one line per file\n"            \
	"  -h, --help      this text\n"                                                 \
	"\n"                                                                            \
	"Exit status: 0 done (a candidate's faults are verdicts, not errors); 1 some "  \
	"files hit\na system failure (recorded, retried next run); 2 usage; 3 config; " \
	"4 cannot run.\n"

/* A stage's work on the data directory: 0, or -1 with e filled when the stage
 * cannot work at all (per-file failures are recorded, not returned). */
typedef int (*stage_work_fn)(struct stage *s, struct ferr *e);

/* The whole main() of a plumbing stage: options, data directory, the work,
 * the statistics, the exit code.  need_inbox makes --inbox required. */
int stage_main(const char *prog, const char *usage, int argc, char **argv, bool need_inbox,
	       stage_work_fn work);

/* Closes the database, the store and frees the config. */
void stage_end(struct stage *s);

/* The default config path: $FOLIO_CONFIG, else ../config/folio.conf relative to
 * the running binary's directory, else config/folio.conf.  Writes into out. */
void stage_default_config(char *out, size_t outsz);
/* The directory holding the running binary (for finding sibling stages). */
int stage_bin_dir(char *out, size_t outsz);

/* Number of online CPUs, at least 1. */
int stage_ncpus(void);

#endif
