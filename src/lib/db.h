/* db.h — DATA/folio.db: state, history and the scorers' manifest.
 *
 * SQLite in WAL mode; every stage commits each item's result in its own short
 * transaction, so a crash loses at most the item in hand.  The schema (see
 * docs/INTERNALS.md for the state machine, docs/manifest.md for the views):
 *
 *   uploads           one row per path in the inbox (what scan saw last)
 *   files             one row per file received: uploads and archive members;
 *                     active = 0 rows are earlier versions replaced by a
 *                     re-upload under the same name, kept for history
 *   facts             what a content is, keyed by sha256 (type, streams,
 *                     duration): a re-upload of the same bytes costs a hash
 *   verdict_history   every verdict a file has had: when, by which run, which
 *                     config version and which stage
 *   entries           status per candidate and entry
 *   candidates        per candidate: whether its exported manifest is stale
 *   runs              one row per nightly run, with its summary
 *   manifest_files, manifest_entries   the views scorers' tools read
 *
 * files.state walks: new → identify → probe → validate → done, or held
 * (a system failure retried max_attempts times). */
#ifndef FOLIO_DB_H
#define FOLIO_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* 2: verdict_history.config_version and .stage (added to older databases by
 * db_open()). */
#define DB_SCHEMA_VERSION 2

/* Opens (creating and migrating if needed) DATA/folio.db.  Returns a handle the
 * caller closes with db_close(), or NULL with e filled. */
sqlite3 *db_open(const char *data_dir, struct ferr *e);
/* Opens DATA/folio.db only to read (show, status): never writes, so it works
 * for a reader without write access (group members, a read-only mount).  WAL
 * needs folio.db-shm; when that cannot be opened or made, the database file is
 * read alone (immutable: what the last checkpoint left, not a running
 * writer's latest) and *immutable is set.  NULL with e filled on failure. */
sqlite3 *db_open_read(const char *data_dir, bool *immutable, struct ferr *e);
/* Whether the database was made by this very schema (no migration due). */
bool db_schema_is_current(sqlite3 *db);
/* Finalizes nothing (callers finalize their own statements) and closes. */
void db_close(sqlite3 *db);

/* Runs SQL with no parameters and no rows.  Returns 0, or -1 with e filled. */
int db_exec(sqlite3 *db, const char *sql, struct ferr *e);
/* Prepares sql; NULL with e filled on failure. */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql, struct ferr *e);
/* sqlite3_step() until it is not SQLITE_ROW; returns 0 on SQLITE_DONE. */
int db_step_done(sqlite3 *db, sqlite3_stmt *st, struct ferr *e);
int db_begin(sqlite3 *db, struct ferr *e);	/* BEGIN IMMEDIATE */
int db_commit(sqlite3 *db, struct ferr *e);
void db_rollback(sqlite3 *db);			/* cannot fail */

/* Binds a string or NULL. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Text column as a C string, never NULL ("" for NULL). */
const char *db_col_text(sqlite3_stmt *st, int i);

/* The id of the current run: FOLIO_RUN_ID from the environment (set by
 * `folio run`), else 0.  Cannot fail. */
int64_t db_run_id(void);

/* Marks a candidate's exported manifest stale.  Returns 0 or -1. */
int db_candidate_touch(sqlite3 *db, const char *candidate, struct ferr *e);

/* The ids (and candidate ids) of active files in a state, oldest first, into
 * arrays the caller frees with db_free_ids().  Returns 0, or -1 with e filled. */
int db_files_in_state(sqlite3 *db, const char *state, long long **ids, char ***cands,
		      size_t *n, struct ferr *e);
void db_free_ids(long long *ids, char **cands, size_t n);

/* Steps st (already bound) and collects its first column as strings into an
 * array the caller frees with db_free_ids(NULL, *out, *n).  Finalizes st.
 * Returns 0, or -1 with e filled (out of memory, or SQLite's error). */
int db_strings(sqlite3 *db, sqlite3_stmt *st, char ***out, size_t *n, struct ferr *e);

/* Writes the manifest views' SQL (shared by folio.db and the per-candidate
 * exports) — exported so the exporter builds identical views. */
extern const char DB_VIEWS_SQL[];

#endif
