#include "reprocess.h"

#include "db.h"
#include "log.h"

int reprocess_release(sqlite3 *db, int n, char **candidates, struct ferr *e)
{
	sqlite3_stmt *rel = NULL, *rejudge = NULL, *known = NULL;
	int rc = -1;

	if (db_begin(db, e) != 0)
		return -1;
	rel = db_prepare(db,
		"UPDATE files SET state = COALESCE(held_state, 'new'), held_state = NULL,"
		" attempts = 0 WHERE candidate_id = ?1 AND active = 1"
		" AND (state = 'held' OR attempts > 0)", e);
	rejudge = db_prepare(db,
		"UPDATE files SET judged_version = NULL WHERE candidate_id = ?1 AND active = 1", e);
	if (rel == NULL || rejudge == NULL)
		goto out;
	known = db_prepare(db, "SELECT 1 FROM files WHERE candidate_id = ?1 LIMIT 1", e);
	if (known == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		sqlite3_reset(known);
		sqlite3_bind_text(known, 1, candidates[i], -1, SQLITE_STATIC);
		if (sqlite3_step(known) != SQLITE_ROW) {
			ferr_set(e, FERR_CONFIG, "no candidate '%s' in this data directory",
				 candidates[i]);
			goto out;
		}
		sqlite3_reset(rel);
		sqlite3_bind_text(rel, 1, candidates[i], -1, SQLITE_STATIC);
		if (db_step_done(db, rel, e) != 0)
			goto out;
		log_info("%s: %d held or failed files released", candidates[i], sqlite3_changes(db));
		sqlite3_reset(rejudge);
		sqlite3_bind_text(rejudge, 1, candidates[i], -1, SQLITE_STATIC);
		if (db_step_done(db, rejudge, e) != 0 || db_candidate_touch(db, candidates[i], e) != 0)
			goto out;
	}
	if (db_commit(db, e) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(rel);
	sqlite3_finalize(rejudge);
	sqlite3_finalize(known);
	if (rc != 0)
		db_rollback(db);
	return rc;
}
