#include "db.h"

#define DB_STR_(x) #x
#define DB_STR(x) DB_STR_(x)

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char SCHEMA_SQL[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS runs("
	" id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER,"
	" inbox TEXT, config_version TEXT, status TEXT, summary TEXT);"
	"CREATE TABLE IF NOT EXISTS uploads("
	" id INTEGER PRIMARY KEY,"
	" candidate_id TEXT NOT NULL, entry_id TEXT NOT NULL,"
	" rel_path TEXT NOT NULL,"		/* relative to the entry folder, NFC */
	" raw_path BLOB,"			/* the bytes as the file system had them */
	" size_bytes INTEGER, mtime INTEGER, sha256 TEXT,"
	" first_run INTEGER, changed_run INTEGER, seen_run INTEGER,"
	" UNIQUE(candidate_id, entry_id, rel_path));"
	"CREATE TABLE IF NOT EXISTS files("
	" id INTEGER PRIMARY KEY,"
	" upload_id INTEGER NOT NULL REFERENCES uploads(id),"
	" parent_id INTEGER REFERENCES files(id),"
	" candidate_id TEXT NOT NULL, entry_id TEXT NOT NULL,"
	" source_path TEXT NOT NULL,"		/* ARCHIVE/MEMBER chained, NFC */
	" raw_name BLOB,"			/* member name bytes as stored */
	" depth INTEGER NOT NULL DEFAULT 0,"	/* archive layers above this file */
	" slot_folder TEXT,"			/* the slot folder it was uploaded into */
	" upload_time INTEGER NOT NULL,"
	" sha256 TEXT, size_bytes INTEGER, store_path TEXT,"
	" state TEXT NOT NULL DEFAULT 'new',"
	" unpack_reasons TEXT NOT NULL DEFAULT '',"
	" active INTEGER NOT NULL DEFAULT 1,"
	" attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, held_state TEXT,"
	" slot_id TEXT, verdict TEXT NOT NULL DEFAULT 'pending', reasons TEXT NOT NULL DEFAULT '',"
	" judged_version TEXT,"
	" post_reasons TEXT NOT NULL DEFAULT '',"	/* normalize's warnings */
	" normalized_path TEXT, normalized_sha256 TEXT, normalized_profile TEXT,"
	" poster_path TEXT, normalize_error TEXT,"
	" created_run INTEGER, judged_run INTEGER);"
	"CREATE INDEX IF NOT EXISTS files_state ON files(state) WHERE active = 1;"
	"CREATE INDEX IF NOT EXISTS files_entry ON files(candidate_id, entry_id, active);"
	"CREATE INDEX IF NOT EXISTS files_upload ON files(upload_id);"
	"CREATE TABLE IF NOT EXISTS facts("
	" sha256 TEXT PRIMARY KEY,"
	" mime_type TEXT, kind TEXT, description TEXT, encrypted INTEGER NOT NULL DEFAULT 0,"
	" probed INTEGER NOT NULL DEFAULT 0,"
	" content_codes TEXT NOT NULL DEFAULT '',"	/* media-corrupt, duration-header-mismatch */
	" probe_error TEXT,"
	" duration_s REAL, duration_method TEXT, header_duration_s REAL,"
	" width INTEGER, height INTEGER, rotation INTEGER,"
	" video_codec TEXT, audio_codec TEXT, video_streams INTEGER, audio_streams INTEGER,"
	" facts_version INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS verdict_history("
	" id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id),"
	" run_id INTEGER, at INTEGER NOT NULL, slot_id TEXT, verdict TEXT NOT NULL,"
	" reasons TEXT NOT NULL,"
	" config_version TEXT,"			/* the config that gave it (schema 2) */
	" stage TEXT);"				/* the stage that gave it (schema 2) */
	"CREATE INDEX IF NOT EXISTS history_file ON verdict_history(file_id);"
	"CREATE TABLE IF NOT EXISTS entries("
	" candidate_id TEXT NOT NULL, entry_id TEXT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'incomplete', missing_slots TEXT NOT NULL DEFAULT '',"
	" dirty INTEGER NOT NULL DEFAULT 1, judged_version TEXT,"
	" completed_run INTEGER, changed_run INTEGER,"
	" PRIMARY KEY(candidate_id, entry_id));"
	"CREATE TABLE IF NOT EXISTS run_stages("
	" run_id INTEGER NOT NULL REFERENCES runs(id), stage TEXT NOT NULL,"
	" started_at REAL NOT NULL, finished_at REAL, exit_code INTEGER,"
	" items INTEGER, failures INTEGER, bytes_read INTEGER, bytes_written INTEGER,"
	" PRIMARY KEY(run_id, stage));"
	"CREATE TABLE IF NOT EXISTS system_failures("
	" id INTEGER PRIMARY KEY, run_id INTEGER, at INTEGER NOT NULL, stage TEXT NOT NULL,"
	" file_id INTEGER, candidate_id TEXT, error TEXT NOT NULL, action TEXT);"
	"CREATE TABLE IF NOT EXISTS candidates("
	" candidate_id TEXT PRIMARY KEY, manifest_dirty INTEGER NOT NULL DEFAULT 1,"
	" changed_run INTEGER);"
	/* A file that gets past the stage it failed in (its state moves on, or
	 * normalizing succeeds) is no longer failing: its attempts count again
	 * from 0.  One place for every stage; a failure that holds the file
	 * (state 'held') keeps them. */
	"CREATE TRIGGER IF NOT EXISTS files_got_past AFTER UPDATE OF state, normalized_path"
	" ON files WHEN NEW.attempts > 0 AND NEW.attempts = OLD.attempts AND NEW.state <> 'held' AND"
	" (NEW.state IS NOT OLD.state OR"
	"  (NEW.normalized_path IS NOT NULL AND OLD.normalized_path IS NULL))"
	" BEGIN UPDATE files SET attempts = 0, last_error = NULL WHERE id = NEW.id; END;";

const char DB_VIEWS_SQL[] =
	"CREATE VIEW IF NOT EXISTS manifest_files AS SELECT"
	" f.candidate_id, f.entry_id, f.slot_id, f.source_path, f.sha256, f.size_bytes,"
	" x.mime_type, x.kind, x.duration_s, x.width, x.height, x.video_codec, x.audio_codec,"
	" f.verdict,"
	" CASE WHEN f.post_reasons = '' THEN f.reasons WHEN f.reasons = '' THEN f.post_reasons"
	"  ELSE f.reasons || ',' || f.post_reasons END AS reasons,"
	" CASE WHEN f.verdict = 'accepted' THEN f.normalized_path END AS normalized_path,"
	" CASE WHEN f.verdict = 'accepted' THEN f.normalized_sha256 END AS normalized_sha256"
	" FROM files f LEFT JOIN facts x ON x.sha256 = f.sha256 WHERE f.active = 1;"
	"CREATE VIEW IF NOT EXISTS manifest_entries AS SELECT"
	" candidate_id, entry_id, status, missing_slots FROM entries;";

int db_exec(sqlite3 *db, const char *sql, struct ferr *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ferr_set(e, FERR_SYSTEM, "sqlite: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql, struct ferr *e)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int db_step_done(sqlite3 *db, sqlite3_stmt *st, struct ferr *e)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

int db_begin(sqlite3 *db, struct ferr *e) { return db_exec(db, "BEGIN IMMEDIATE", e); }
int db_commit(sqlite3 *db, struct ferr *e) { return db_exec(db, "COMMIT", e); }

void db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

const char *db_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? (const char *)s : "";
}

int64_t db_run_id(void)
{
	const char *s = getenv("FOLIO_RUN_ID");
	return s ? strtoll(s, NULL, 10) : 0;
}

int db_candidate_touch(sqlite3 *db, const char *candidate, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"INSERT INTO candidates(candidate_id, manifest_dirty, changed_run) VALUES(?1, 1, ?2)"
		" ON CONFLICT(candidate_id) DO UPDATE SET manifest_dirty = 1, changed_run = ?2", e);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, db_run_id());
	rc = db_step_done(db, st, e);
	sqlite3_finalize(st);
	return rc;
}

/* A fingerprint of the schema's SQL (FNV-1a), kept in meta: a database made
 * by this very schema is opened without running it again, so a reader (show,
 * status) needs no write lock and never waits behind a long transaction of a
 * run.  Any edit of the SQL changes it, and the schema runs once more. */
static void schema_hash(char *out, size_t outsz)
{
	uint64_t h = 14695981039346656037ULL;
	const char *parts[] = { SCHEMA_SQL, DB_VIEWS_SQL, DB_STR(DB_SCHEMA_VERSION) };

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
	snprintf(out, outsz, "%016llx", (unsigned long long)h);
}

static bool schema_current(sqlite3 *db, const char *hash)
{
	sqlite3_stmt *st = NULL;
	bool ok = false;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_hash'", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return false;	/* no meta table: a new database */
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp(db_col_text(st, 0), hash) == 0;
	sqlite3_finalize(st);
	return ok;
}

static bool has_column(sqlite3 *db, const char *table, const char *column)
{
	char sql[128];
	sqlite3_stmt *st = NULL;
	bool found = false;

	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
		while (!found && sqlite3_step(st) == SQLITE_ROW)
			found = strcmp(db_col_text(st, 1), column) == 0;
	sqlite3_finalize(st);
	return found;
}

/* Schema 1 → 2: verdict_history gains config_version and stage.  Rows written
 * before are validate's (the only stage that wrote history), with the config
 * of their run. */
static int migrate(sqlite3 *db, struct ferr *e)
{
	if (!has_column(db, "verdict_history", "config_version") &&
	    db_exec(db, "ALTER TABLE verdict_history ADD COLUMN config_version TEXT;"
			" UPDATE verdict_history SET config_version ="
			" (SELECT r.config_version FROM runs r WHERE r.id = verdict_history.run_id)", e) != 0)
		return -1;
	if (!has_column(db, "verdict_history", "stage") &&
	    db_exec(db, "ALTER TABLE verdict_history ADD COLUMN stage TEXT;"
			" UPDATE verdict_history SET stage = 'validate'", e) != 0)
		return -1;
	return 0;
}

sqlite3 *db_open(const char *data_dir, struct ferr *e)
{
	char path[4096], hash[32], sql[128];
	sqlite3 *db = NULL;

	if (snprintf(path, sizeof path, "%s/folio.db", data_dir) >= (int)sizeof path) {
		ferr_set(e, FERR_SYSTEM, "%s: path too long", data_dir);
		return NULL;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		ferr_set(e, FERR_SYSTEM, "cannot open %s: %s", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 30000);
	schema_hash(hash, sizeof hash);
	if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			" PRAGMA foreign_keys=ON;", e) != 0)
		goto fail;
	if (schema_current(db, hash))
		return db;
	snprintf(sql, sizeof sql, "INSERT INTO meta VALUES('schema_hash', '%s')"
		 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", hash);
	if (db_begin(db, e) != 0 || db_exec(db, SCHEMA_SQL, e) != 0 ||
	    db_exec(db, DB_VIEWS_SQL, e) != 0 || migrate(db, e) != 0 ||
	    db_exec(db, "INSERT INTO meta VALUES('schema_version', '" DB_STR(DB_SCHEMA_VERSION) "')"
			" ON CONFLICT(key) DO UPDATE SET value = excluded.value", e) != 0 ||
	    db_exec(db, sql, e) != 0 || db_commit(db, e) != 0)
		goto fail;
	return db;
fail:
	db_rollback(db);
	sqlite3_close(db);
	return NULL;
}

/* "file:" URI of a path: '%', '?' and '#' escaped. */
static int file_uri(const char *path, const char *query, char *out, size_t outsz)
{
	size_t n = 0;

	n += (size_t)snprintf(out, outsz, "file:");
	for (const char *p = path; *p && n + 4 < outsz; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(out + n, outsz - n, "%%%02X", (unsigned char)*p);
		else
			out[n++] = *p;
	}
	if (n + strlen(query) + 1 >= outsz)
		return -1;
	memcpy(out + n, query, strlen(query) + 1);
	return 0;
}

static sqlite3 *open_ro(const char *uri, struct ferr *e)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 30000);
		rc = sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_master", -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : sqlite3_errcode(db);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK) {
		ferr_set(e, FERR_SYSTEM, "cannot read %s: %s", uri + 5,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *db_open_read(const char *data_dir, bool *immutable, struct ferr *e)
{
	char path[4096], uri[4096 * 3 + 32];
	struct ferr first = { 0 };
	sqlite3 *db;

	*immutable = false;
	if (snprintf(path, sizeof path, "%s/folio.db", data_dir) >= (int)sizeof path ||
	    file_uri(path, "?mode=ro", uri, sizeof uri) != 0) {
		ferr_set(e, FERR_SYSTEM, "%s: path too long", data_dir);
		return NULL;
	}
	db = open_ro(uri, &first);
	if (db)
		return db;
	/* WAL needs folio.db-shm: without write access to it (or to the
	 * directory, to make it), the file alone, as it is on disk */
	if (access(path, R_OK) != 0) {
		*e = first;
		return NULL;
	}
	file_uri(path, "?immutable=1", uri, sizeof uri);
	db = open_ro(uri, e);
	if (db == NULL)
		*e = first;
	else
		*immutable = true;
	return db;
}

bool db_schema_is_current(sqlite3 *db)
{
	char hash[32];

	schema_hash(hash, sizeof hash);
	return schema_current(db, hash);
}

void db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

int db_files_in_state(sqlite3 *db, const char *state, long long **ids, char ***cands,
			size_t *n, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, candidate_id FROM files"
					  " WHERE active = 1 AND state = ?1 ORDER BY id", e);
	size_t cap = 0, cnt = 0;
	long long *v = NULL;
	char **c = NULL;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			long long *nv = realloc(v, ncap * sizeof *nv);
			char **nc = nv ? realloc(c, ncap * sizeof *nc) : NULL;
			if (nv)
				v = nv;
			if (nc)
				c = nc;
			if (!nv || !nc) {
				ferr_set(e, FERR_SYSTEM, "out of memory");
				break;
			}
			cap = ncap;
		}
		v[cnt] = sqlite3_column_int64(st, 0);
		c[cnt] = strdup(db_col_text(st, 1));
		cnt++;
	}
	sqlite3_finalize(st);
	*ids = v;
	*cands = c;
	*n = cnt;
	return 0;
}

void db_free_ids(long long *ids, char **cands, size_t n)
{
	for (size_t i = 0; cands && i < n; i++)
		free(cands[i]);
	free(cands);
	free(ids);
}

int db_strings(sqlite3 *db, sqlite3_stmt *st, char ***out, size_t *nout, struct ferr *e)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nv = realloc(v, ncap * sizeof *nv);
			if (nv == NULL)
				break;
			v = nv;
			cap = ncap;
		}
		if ((v[n] = strdup(db_col_text(st, 0))) == NULL)
			break;
		n++;
	}
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_ROW)
			ferr_set(e, FERR_SYSTEM, "out of memory");
		else
			ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		db_free_ids(NULL, v, n);
		return -1;
	}
	sqlite3_finalize(st);
	*out = v;
	*nout = n;
	return 0;
}
