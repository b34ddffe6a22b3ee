#include "show.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "stage.h"

/* Files listed by name in a section of status before "... and more". */
#define SHOW_MAX_LISTED 50

void show_duration(double s, char *out, size_t outsz)
{
	long t = lround(s);

	if (t >= 3600)
		snprintf(out, outsz, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, outsz, "%ld:%02ld", t / 60, t % 60);
}

/* slot_order(entry, slot): the slot's place in the config (as the report
 * lists them), slots the config does not know after, no slot last. */
static void slot_order_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct config *cfg = sqlite3_user_data(ctx);
	const unsigned char *entry = sqlite3_value_text(argv[0]);
	const unsigned char *slot = sqlite3_value_text(argv[1]);
	const struct entry_rule *er;
	int k;

	(void)argc;
	if (slot == NULL) {
		sqlite3_result_int(ctx, 1 << 20);
		return;
	}
	er = cfg && entry ? config_entry(cfg, (const char *)entry) : NULL;
	k = er ? config_slot_index(er, (const char *)slot) : -1;
	sqlite3_result_int(ctx, k >= 0 ? k : 1 << 19);
}

/* The entry's missing slots in config order, split as the report does: a
 * slot with a rejected file is "rejected", one with no file "missing". */
static int entry_gaps(sqlite3 *db, const char *candidate, const char *entry,
		      const char *missing, char *miss, char *rej, size_t outsz, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"WITH RECURSIVE m(slot, rest) AS (SELECT '', ?3 || ','"
		" UNION ALL SELECT substr(rest, 1, instr(rest, ',') - 1),"
		"  substr(rest, instr(rest, ',') + 1) FROM m WHERE rest <> '')"
		" SELECT slot, EXISTS(SELECT 1 FROM files f WHERE f.active = 1"
		"  AND f.candidate_id = ?1 AND f.entry_id = ?2 AND f.slot_id = m.slot COLLATE NOCASE"
		"  AND f.verdict = 'rejected')"
		" FROM m WHERE slot <> '' ORDER BY slot_order(?2, slot), slot", e);
	size_t nm = 0, nr = 0;

	miss[0] = rej[0] = '\0';
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, entry, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, missing, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *out = sqlite3_column_int(st, 1) ? rej : miss;
		size_t *n = sqlite3_column_int(st, 1) ? &nr : &nm;
		int k = snprintf(out + *n, outsz - *n, "%s%s", *n ? "," : "", db_col_text(st, 0));
		if (k > 0 && *n + (size_t)k < outsz)
			*n += (size_t)k;
	}
	sqlite3_finalize(st);
	return 0;
}

int show_candidate(sqlite3 *db, const char *candidate, const struct config *cfg, FILE *f,
		   struct ferr *e)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_create_function(db, "slot_order", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    (void *)cfg, slot_order_fn, NULL, NULL) != SQLITE_OK)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	st = db_prepare(db,
		"SELECT entry_id, status, missing_slots FROM manifest_entries WHERE candidate_id = ?1"
		" ORDER BY entry_id", e);

	sqlite3_stmt *known = db_prepare(db, "SELECT 1 FROM files WHERE candidate_id = ?1 LIMIT 1", e);

	if (st == NULL || known == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(known);
		return -1;
	}
	sqlite3_bind_text(known, 1, candidate, -1, SQLITE_STATIC);
	found = sqlite3_step(known) == SQLITE_ROW;
	sqlite3_finalize(known);
	if (!found) {
		sqlite3_finalize(st);
		return 1;
	}
	sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
	fprintf(f, "candidate %s\n", candidate);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char miss[512], rej[512], entry[64];
		found = 1;
		if (entry_gaps(db, candidate, db_col_text(st, 0), db_col_text(st, 2), miss, rej,
			       sizeof miss, e) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
		fprintf(f, "  entry %s: %s%s%s%s%s\n", log_tame(db_col_text(st, 0), entry, sizeof entry),
			db_col_text(st, 1), *miss ? ", missing " : "", miss,
			*rej ? ", rejected " : "", rej);
	}
	sqlite3_finalize(st);
	st = db_prepare(db,
		"SELECT entry_id, COALESCE(slot_id, '-'), verdict, source_path, COALESCE(kind, '-'),"
		" duration_s, size_bytes, reasons, normalized_path FROM manifest_files"
		" WHERE candidate_id = ?1 ORDER BY entry_id, slot_order(entry_id, slot_id), slot_id,"
		" source_path", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
	fprintf(f, "\n  %-5s %-4s %-11s %-8s %8s %10s  %s\n", "ENTRY", "SLOT", "VERDICT", "KIND",
		"LENGTH", "BYTES", "FILE / REASONS");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char dur[32] = "";
		found = 1;
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			show_duration(sqlite3_column_double(st, 5), dur, sizeof dur);
		char name[4096], entry[64], bytes[32] = "-";
		/* no size: not kept (junk, a member not extracted), not 0 bytes */
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			snprintf(bytes, sizeof bytes, "%lld", sqlite3_column_int64(st, 6));
		fprintf(f, "  %-5s %-4s %-11s %-8s %8s %10s  %s\n",
			log_tame(db_col_text(st, 0), entry, sizeof entry), db_col_text(st, 1),
			db_col_text(st, 2), db_col_text(st, 4), dur, bytes,
			log_tame(db_col_text(st, 3), name, sizeof name));
		if (*db_col_text(st, 7))
			fprintf(f, "  %53s  reasons: %s\n", "", db_col_text(st, 7));
		if (*db_col_text(st, 8))
			fprintf(f, "  %53s  for scorers: %s\n", "", db_col_text(st, 8));
	}
	sqlite3_finalize(st);
	return 0;
}

int show_history(sqlite3 *db, const char *candidate, FILE *f, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT f.id, f.entry_id, f.source_path, f.active, f.verdict,"
		" datetime(h.at, 'unixepoch'), h.run_id, COALESCE(h.config_version, '-'),"
		" COALESCE(h.stage, '-'), h.verdict, COALESCE(h.slot_id, '-'), h.reasons,"
		" h.id IS NOT NULL"
		" FROM files f LEFT JOIN verdict_history h ON h.file_id = f.id"
		" WHERE f.candidate_id = ?1 ORDER BY f.entry_id, f.source_path, f.id, h.id", e);
	long long last = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
	fprintf(f, "\n  verdict history (every verdict each file has had, oldest first; UTC):\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char name[4096], entry[64], why[1024];
		long long id = sqlite3_column_int64(st, 0);
		if (id != last) {
			last = id;
			fprintf(f, "  %s/%s%s\n", log_tame(db_col_text(st, 1), entry, sizeof entry),
				log_tame(db_col_text(st, 2), name, sizeof name),
				sqlite3_column_int(st, 3) ? ""
				: "  [no longer current: replaced by a re-upload or a new unpack]");
			if (!sqlite3_column_int(st, 12))
				fprintf(f, "    (no verdict yet: %s)\n", db_col_text(st, 4));
		}
		if (!sqlite3_column_int(st, 12))
			continue;
		fprintf(f, "    %s  run %-4lld config %-16s  %-9s %-10s %-4s %s\n",
			db_col_text(st, 5), sqlite3_column_int64(st, 6), db_col_text(st, 7),
			db_col_text(st, 8), db_col_text(st, 9), db_col_text(st, 10),
			log_tame(db_col_text(st, 11), why, sizeof why));
	}
	sqlite3_finalize(st);
	return 0;
}

/* The lock and what a run is doing right now. */
static int show_lock(sqlite3 *db, const char *root, FILE *f, char *running, size_t runsz,
		     int *heldp, struct ferr *e)
{
	struct stage_holder h;
	int held = stage_lock_held(root);
	char who[1400];
	sqlite3_stmt *st;

	running[0] = '\0';
	if (held == 0 && stage_lock_holder(root, &h) == 0) {
		stage_holder_text(&h, who, sizeof who);
		fprintf(f, "lock: free (no folio program is writing this data directory; the last"
			   " holder was %s)\n", who);
	} else if (held == 0) {
		fprintf(f, "lock: free (no folio program is writing this data directory)\n");
	} else if (stage_lock_holder(root, &h) != 0) {
		fprintf(f, "lock: %s\n", held > 0 ? "held (the holder did not say who it is)"
						  : "cannot tell (no /proc/locks)");
	} else {
		stage_holder_text(&h, who, sizeof who);
		if (held < 0 && !h.alive)
			fprintf(f, "lock: free (its last holder, %s, has ended)\n", who);
		else
			fprintf(f, "lock: held by %s%s\n", who,
				h.alive ? "" : "; that process has ended, a program it started holds it");
	}
	*heldp = held;
	if (held != 0) {	/* whatever has the lock open: the run, its stage, or one left */
		long pids[8];
		int np = stage_lock_users(root, pids, 8);
		for (int i = 0; i < np; i++) {
			char cmd[512], tamed[512];
			stage_proc_command(pids[i], cmd, sizeof cmd);
			fprintf(f, "  lock file open in pid %ld: %s\n", pids[i],
				log_tame(cmd, tamed, sizeof tamed));
		}
	}
	st = db_prepare(db,
		"SELECT r.id, datetime(CAST(r.started_at AS INTEGER), 'unixepoch'),"
		" COALESCE((SELECT substr(s.stage, 7) FROM run_stages s WHERE s.run_id = r.id"
		"  AND s.finished_at IS NULL ORDER BY s.started_at DESC LIMIT 1), ''),"
		" COALESCE((SELECT datetime(CAST(s.started_at AS INTEGER), 'unixepoch')"
		"  FROM run_stages s WHERE s.run_id = r.id AND s.finished_at IS NULL"
		"  ORDER BY s.started_at DESC LIMIT 1), '')"
		" FROM runs r WHERE r.status = 'running' ORDER BY r.id DESC LIMIT 1", e);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (held != 0 && *db_col_text(st, 2)) {
			snprintf(running, runsz, "%s", db_col_text(st, 2));
			fprintf(f, "run %lld going since %s UTC: stage %s since %s UTC\n",
				sqlite3_column_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
				db_col_text(st, 3));
		} else if (held != 0) {
			fprintf(f, "run %lld going since %s UTC\n", sqlite3_column_int64(st, 0),
				db_col_text(st, 1));
		} else {
			fprintf(f, "run %lld (started %s UTC) was interrupted; the next run resumes"
				   " where it stopped\n", sqlite3_column_int64(st, 0),
				db_col_text(st, 1));
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* Files per stage: pending (waiting for it), failed (attempts > 0, retried
 * next run), held; the stage a run is in is 'running'. */
static int show_stages(sqlite3 *db, const struct config *cfg, const char *running, FILE *f,
		       struct ferr *e)
{
	static const char *const names[] = { "identify", "unpack", "probe", "validate",
					     "normalize" };
	long long cnt[5][3] = { { 0 } };	/* pending, failed, held */
	long long stale = 0;
	sqlite3_stmt *st = db_prepare(db,
		"SELECT CASE f.state WHEN 'new' THEN 0 WHEN 'unpack' THEN 1 WHEN 'probe' THEN 2"
		"  WHEN 'validate' THEN 3"
		"  WHEN 'held' THEN CASE f.held_state WHEN 'new' THEN 0 WHEN 'unpack' THEN 1"
		"   WHEN 'probe' THEN 2 WHEN 'validate' THEN 3 ELSE 4 END"
		"  WHEN 'done' THEN CASE WHEN f.judged_version IS NOT ?1 THEN 3"
		"   WHEN f.verdict = 'accepted' AND x.kind = 'video' AND f.normalized_path IS NULL"
		"    AND f.normalize_error IS NULL THEN 4 ELSE -1 END END,"
		" CASE WHEN f.state = 'held' THEN 2 WHEN f.attempts > 0 THEN 1 ELSE 0 END, COUNT(*)"
		" FROM files f LEFT JOIN facts x ON x.sha256 = f.sha256 WHERE f.active = 1"
		" GROUP BY 1, 2", e);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, cfg ? cfg->version : NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int k = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 0);
		int c = sqlite3_column_int(st, 1);
		if (k >= 0 && k < 5 && c >= 0 && c < 3)
			cnt[k][c] += sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT COUNT(*) FROM candidates WHERE manifest_dirty = 1", e);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		stale = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	fprintf(f, "work per stage (files):  %8s %8s %8s %8s\n", "pending", "running", "failed",
		"held");
	for (int k = 0; k < 5; k++)
		fprintf(f, "  %-22s %8lld %8s %8lld %8lld\n", names[k], cnt[k][0],
			strcmp(running, names[k]) == 0 ? "now" : "-", cnt[k][1], cnt[k][2]);
	fprintf(f, "  %-22s %8lld %8s %8s %8s\n", "manifest (candidates)", stale,
		strcmp(running, "manifest") == 0 ? "now" : "-", "-", "-");
	if (running[0] && strcmp(running, "scan") == 0)
		fprintf(f, "  (the run is scanning the inbox)\n");
	return 0;
}

int show_status(sqlite3 *db, const char *root, const struct config *cfg, FILE *f,
		struct ferr *e)
{
	char running[64];
	int lock_held = 0;
	bool newest = true;

	if (show_lock(db, root, f, running, sizeof running, &lock_held, e) != 0 ||
	    show_stages(db, cfg, running, f, e) != 0)
		return -1;
	sqlite3_stmt *st = db_prepare(db,
		"SELECT id, datetime(CAST(started_at AS INTEGER), 'unixepoch'),"
		" finished_at - started_at, strftime('%s', 'now') - started_at,"
		" COALESCE(status, '') FROM runs ORDER BY id DESC LIMIT 5", e);

	if (st == NULL)
		return -1;
	fprintf(f, "\nlatest runs:\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char took[32];
		const char *status = db_col_text(st, 4);
		bool open = sqlite3_column_type(st, 2) == SQLITE_NULL;
		/* no finished_at: going only if it is the newest run and the lock is
		 * held; otherwise it was killed (-9, power) before it could say */
		if (open && newest && lock_held != 0) {
			snprintf(took, sizeof took, "%7.1fs", sqlite3_column_double(st, 3));
			status = "running";
		} else if (open) {
			snprintf(took, sizeof took, "%8s", "-");
			status = "interrupted";
		} else {
			snprintf(took, sizeof took, "%7.1fs", sqlite3_column_double(st, 2));
		}
		newest = false;
		fprintf(f, "  run %-5lld %s UTC  %s  %s\n", sqlite3_column_int64(st, 0),
			db_col_text(st, 1), took, status);
	}
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT state, COUNT(*) FROM files WHERE active = 1 GROUP BY state"
			    " ORDER BY state", e);
	if (st == NULL)
		return -1;
	fprintf(f, "files by state:\n");
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "  %-10s %lld\n", db_col_text(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	/* failing, not held yet: the next run tries them again */
	st = db_prepare(db, "SELECT f.candidate_id, f.entry_id, f.source_path, f.state, f.attempts,"
			    " COALESCE(f.last_error, '') FROM files f LEFT JOIN facts x"
			    " ON x.sha256 = f.sha256 WHERE f.active = 1 AND f.attempts > 0"
			    " AND (f.state NOT IN ('held', 'done') OR (f.state = 'done'"
			    "  AND f.verdict = 'accepted' AND x.kind = 'video'"
			    "  AND f.normalized_path IS NULL AND f.normalize_error IS NULL))"
			    " ORDER BY f.candidate_id, f.id LIMIT ?1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, SHOW_MAX_LISTED + 1);
	int failing = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char name[4096], why[1024], cand[256], entry[64];
		if (failing++ == 0)
			fprintf(f, "failing, tried again on the next run (held after max_attempts):\n");
		if (failing > SHOW_MAX_LISTED) {
			fprintf(f, "  ... and more ('folio reprocess --failed --dry-run' lists them"
				   " all)\n");
			break;
		}
		fprintf(f, "  %s/%s/%s: at %s, attempt %d: %s\n",
			log_tame(db_col_text(st, 0), cand, sizeof cand),
			log_tame(db_col_text(st, 1), entry, sizeof entry),
			log_tame(db_col_text(st, 2), name, sizeof name), db_col_text(st, 3),
			sqlite3_column_int(st, 4), log_tame(db_col_text(st, 5), why, sizeof why));
	}
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT candidate_id, entry_id, source_path, held_state, attempts,"
			    " COALESCE(last_error, '') FROM files WHERE active = 1 AND state = 'held'"
			    " ORDER BY candidate_id, id", e);
	if (st == NULL)
		return -1;
	int held = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (held++ == 0)
			fprintf(f, "held for an operator (fix the cause, then 'folio reprocess"
				   " --failed'):\n");
		char name[4096], why[1024];
		fprintf(f, "  %s/%s/%s: at %s after %d attempts: %s\n", db_col_text(st, 0),
			db_col_text(st, 1), log_tame(db_col_text(st, 2), name, sizeof name),
			db_col_text(st, 3), sqlite3_column_int(st, 4),
			log_tame(db_col_text(st, 5), why, sizeof why));
	}
	sqlite3_finalize(st);
	if (!held)
		fprintf(f, "nothing held for an operator\n");
	return 0;
}
