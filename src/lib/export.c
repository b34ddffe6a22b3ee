#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "names.h"

static const char EXPORT_SCHEMA[] =
	"CREATE TABLE out.files AS SELECT * FROM main.manifest_files WHERE 0;"
	"CREATE TABLE out.entries AS SELECT * FROM main.manifest_entries WHERE 0;";

static const char EXPORT_VIEWS[] =
	"CREATE VIEW manifest_files AS SELECT * FROM files;"
	"CREATE VIEW manifest_entries AS SELECT * FROM entries;";

int export_candidate(struct stage *s, const char *candidate, const char *path, struct ferr *e)
{
	char tmp[4096];
	sqlite3_stmt *st = NULL;
	sqlite3 *out = NULL;
	bool attached = false;
	int fd = -1, rc = -1;

	if (snprintf(tmp, sizeof tmp, "%s/tmp/manifest-%ld.sqlite", s->store.root,
		     (long)getpid()) >= (int)sizeof tmp)
		return ferr_set(e, FERR_SYSTEM, "path too long");
	unlink(tmp);
	st = db_prepare(s->db, "ATTACH ?1 AS out", e);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
	if (db_step_done(s->db, st, e) != 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	attached = true;
	if (db_exec(s->db, "BEGIN", e) != 0 || db_exec(s->db, EXPORT_SCHEMA, e) != 0)
		goto out;
	static const char *const copy[] = {
		"INSERT INTO out.files SELECT * FROM main.manifest_files WHERE candidate_id = ?1"
		" ORDER BY entry_id, slot_id, source_path",
		"INSERT INTO out.entries SELECT * FROM main.manifest_entries WHERE candidate_id = ?1"
		" ORDER BY entry_id",
	};
	for (int i = 0; i < 2; i++) {
		st = db_prepare(s->db, copy[i], e);
		if (st == NULL)
			goto out;
		sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
		if (db_step_done(s->db, st, e) != 0)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (db_exec(s->db, "COMMIT", e) != 0)
		goto out;
	if (db_exec(s->db, "DETACH out", e) != 0)
		goto out;
	attached = false;
	/* the views are made in the file itself, where they resolve to its tables */
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		ferr_set(e, FERR_SYSTEM, "cannot open %s: %s", tmp, sqlite3_errmsg(out));
		goto out;
	}
	if (db_exec(out, EXPORT_VIEWS, e) != 0)
		goto out;
	if (sqlite3_close(out) != SQLITE_OK) {
		ferr_set(e, FERR_SYSTEM, "cannot close %s", tmp);
		out = NULL;
		goto out;
	}
	out = NULL;
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ferr_errno(e, errno, "cannot open %s", tmp);
		goto out;
	}
	rc = fs_commit_file(fd, tmp, path, e);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	sqlite3_finalize(st);
	if (out)
		sqlite3_close(out);
	if (attached) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(s->db, "DETACH out", NULL, NULL, NULL);
	}
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* Candidate ids become file names: only ids that are safe as one. */
static bool safe_name(const char *id)
{
	if (id[0] == '\0' || id[0] == '.' || strlen(id) > 200)
		return false;
	for (const char *p = id; *p; p++)
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20)
			return false;
	return names_valid_utf8(id, strlen(id));
}

int export_run(struct stage *s, struct ferr *e)
{
	sqlite3_stmt *st, *done;
	char dir[4096];
	char **cands = NULL;
	size_t n = 0;

	if (snprintf(dir, sizeof dir, "%s/manifests", s->store.root) >= (int)sizeof dir ||
	    fs_mkdirs(dir, e) != 0)
		return -1;
	st = db_prepare(s->db, "SELECT candidate_id FROM candidates WHERE manifest_dirty = 1"
			       " OR ?1 ORDER BY 1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, s->force);
	if (db_strings(s->db, st, &cands, &n, e) != 0)
		return -1;
	done = db_prepare(s->db, "UPDATE candidates SET manifest_dirty = 0 WHERE candidate_id = ?1",
			  e);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct ferr fe = { 0 };
		if (!safe_name(cands[i])) {
			log_warn("candidate id '%s' cannot be a file name; no manifest written", cands[i]);
		} else if (snprintf(path, sizeof path, "%s/%s.sqlite", dir, cands[i]) >=
				   (int)sizeof path ||
			   export_candidate(s, cands[i], path, &fe) != 0) {
			log_error("%s: cannot write manifest: %s", cands[i], fe.msg);
			s->stats.failures++;
			free(cands[i]);
			continue;
		} else {
			s->stats.items++;
		}
		if (done) {
			sqlite3_reset(done);
			sqlite3_bind_text(done, 1, cands[i], -1, SQLITE_STATIC);
			if (db_step_done(s->db, done, &fe) != 0)
				log_error("%s: %s", cands[i], fe.msg);
		}
		free(cands[i]);
	}
	sqlite3_finalize(done);
	free(cands);
	return 0;
}
