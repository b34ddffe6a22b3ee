/* reprocess.h — 'folio reprocess': an operator sends files back through the
 * pipeline, after fixing a system failure, upgrading a library or changing
 * a rule.
 *
 * Selectors pick active files and combine (AND); a selector given more than
 * once (two --candidate) matches any of its values.  Each selected file goes
 * back to the state where the target stage starts:
 *   --stage identify  facts of its content forgotten: identified, probed and
 *                     judged again (archives: their members are replaced)
 *   --stage unpack    archives only: unpacked again, the old member rows kept
 *                     as history (active = 0)
 *   --stage probe     probed files only: the content's facts re-measured
 *   --stage validate  judged again from the facts as they are
 *   --stage normalize accepted videos only: normalized again
 * Without --stage, the earliest stage needed: a held file the state it was
 * held in, a failing one the state it failed in, a file selected by --reason
 * the stage that found that reason, any other validate.  A file that has not
 * reached the target stage yet stays where it is (released if held).
 * Attempts are reset; verdict_history is never touched. */
#ifndef FOLIO_REPROCESS_H
#define FOLIO_REPROCESS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "err.h"

#define REPROCESS_MAX_VALUES 64

struct reprocess_sel {
	bool failed;			/* --failed: held, or a system failure pending */
	const char *candidates[REPROCESS_MAX_VALUES];
	int ncandidates;
	const char *entries[REPROCESS_MAX_VALUES];
	int nentries;
	const char *reasons[REPROCESS_MAX_VALUES];
	int nreasons;
	const char *stage;		/* --stage NAME, or NULL */
	bool dry_run;
};

/* The stage names --stage takes, in pipeline order, NULL-terminated. */
extern const char *const REPROCESS_STAGES[];

/* Checks sel on its own: some selector given, a known stage name, known
 * reason codes.  Returns 0, or -1 with e filled (a usage error). */
int reprocess_usage_check(const struct reprocess_sel *sel, struct ferr *e);
/* Checks sel against the database: candidates and entries folio has seen.
 * Returns 0, or -1 with e filled (FERR_CONFIG: the operator's mistake;
 * FERR_SYSTEM: the database). */
int reprocess_check(sqlite3 *db, const struct reprocess_sel *sel, struct ferr *e);

/* Selects the files, writes one line per file to list ("CAND/ENTRY/PATH:
 * STATE -> STAGE"), and, unless sel->dry_run, sends them back in one
 * transaction.  *nselected is the number of files.  Returns 0, or -1 with e
 * filled (nothing is changed then). */
int reprocess_apply(sqlite3 *db, const struct reprocess_sel *sel, FILE *list, long *nselected,
		    struct ferr *e);

#endif
