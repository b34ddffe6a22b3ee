#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "isolate.h"
#include "log.h"
#include "reasons.h"

/* libmagic on one file, as the worker process runs it. */
struct ident_req {
	char path[4096];
	char name[4096];
};
struct ident_out {
	int rc;
	struct ferr err;
	struct ident r;
};

static void ident_child(void *ctx, const void *req, void *out)
{
	const struct ident_req *q = req;
	struct ident_out *io = out;

	isolate_test_hook("identify", q->name);
	io->rc = identify_file(ctx, q->path, q->name, &io->r, &io->err);
}

/* One worker per libmagic handle: the worker has the handle as it was
 * loaded in the stage before the worker started. */
static struct isolate_worker *ident_worker;
static struct identify *ident_worker_id;
static struct isolate_limits ident_limits;

void classify_done(void)
{
	isolate_worker_free(ident_worker);
	ident_worker = NULL;
	ident_worker_id = NULL;
}

/* identify_file() in the worker under the config's limits.  *stopped is set,
 * and r describes the limit, when the step was stopped. */
static int identify_isolated(struct stage *s, struct identify *id, const char *path,
			     const char *name, struct ident *r, bool *stopped, struct ferr *e)
{
	struct ident_req q;
	struct isolate_result ir;
	struct ident_out io;

	memset(&q, 0, sizeof q);	/* sent whole: no byte left undefined */
	*stopped = false;
	if (ident_worker == NULL || ident_worker_id != id) {
		classify_done();
		ident_limits.time_s = s->cfg->limits.time_s;
		ident_limits.memory_bytes = s->cfg->limits.memory_bytes;
		ident_worker = isolate_worker_new(&ident_limits, ident_child, id,
						  sizeof(struct ident_req), sizeof(struct ident_out));
		if (ident_worker == NULL)
			return ferr_set(e, FERR_SYSTEM, "out of memory");
		ident_worker_id = id;
	}
	snprintf(q.path, sizeof q.path, "%s", path);
	snprintf(q.name, sizeof q.name, "%s", name);
	if (isolate_worker_call(ident_worker, &q, &io, &ir, e) != 0)
		return -1;
	if (ir.end == ISOLATE_DONE) {
		if (io.rc != 0) {
			*e = io.err;
			return -1;
		}
		*r = io.r;
		return 0;
	}
	*stopped = true;
	memset(r, 0, sizeof *r);
	snprintf(r->mime, sizeof r->mime, "application/octet-stream");
	snprintf(r->kind, sizeof r->kind, "other");
	isolate_describe(&ident_limits, &ir, r->description, sizeof r->description);
	log_warn("%s: identify %s", name, r->description);
	return 0;
}

int classify_row(struct stage *s, struct identify *id, long long file_id, struct ferr *e)
{
	sqlite3_stmt *st = NULL;
	char sha[65] = "", rel[128] = "", name[4096] = "", kind[16] = "", mime[128] = "";
	struct reasons codes;
	long long size = 0;
	bool known = false, stopped = false;
	const char *next;
	int rc = -1;

	st = db_prepare(s->db,
		"SELECT f.sha256, f.store_path, f.source_path, f.unpack_reasons, f.size_bytes,"
		" x.kind, x.mime_type FROM files f LEFT JOIN facts x ON x.sha256 = f.sha256"
		" WHERE f.id = ?1", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, file_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		ferr_set(e, FERR_SYSTEM, "file %lld vanished from the database", file_id);
		goto out;
	}
	snprintf(sha, sizeof sha, "%s", db_col_text(st, 0));
	snprintf(rel, sizeof rel, "%s", db_col_text(st, 1));
	snprintf(name, sizeof name, "%s", db_col_text(st, 2));
	reasons_init(&codes);
	reasons_add_list(&codes, db_col_text(st, 3));
	size = sqlite3_column_int64(st, 4);
	if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
		known = true;
		snprintf(kind, sizeof kind, "%s", db_col_text(st, 5));
		snprintf(mime, sizeof mime, "%s", db_col_text(st, 6));
	}
	sqlite3_finalize(st);
	st = NULL;

	struct ident r;
	memset(&r, 0, sizeof r);
	if (!known || rel[0]) {
		char path[4096];
		if (store_path(&s->store, rel, path, sizeof path) != 0) {
			ferr_set(e, FERR_SYSTEM, "path too long");
			goto out;
		}
		/* the extension check needs the name, so libmagic runs for a new name
		 * of known bytes too; it reads a bounded prefix, not the file */
		if (identify_isolated(s, id, path, name, &r, &stopped, e) != 0)
			goto out;
		s->stats.items++;
	}
	if (!known) {
		st = db_prepare(s->db,
			"INSERT INTO facts(sha256, mime_type, kind, description, encrypted,"
			" content_codes, probe_error, probed)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(sha256) DO NOTHING", e);
		if (st == NULL)
			goto out;
		sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r.mime, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r.kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r.description, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, r.encrypted);
		/* stopped at a limit: the file's fault, final (no probe follows) */
		sqlite3_bind_text(st, 6, stopped ? "media-corrupt" : "", -1, SQLITE_STATIC);
		db_bind_text(st, 7, stopped ? r.description : NULL);
		sqlite3_bind_int(st, 8, stopped);
		if (db_step_done(s->db, st, e) != 0)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
		snprintf(kind, sizeof kind, "%s", r.kind);
		snprintf(mime, sizeof mime, "%s", r.mime);
	}
	if (r.ext_mismatch)
		reasons_add(&codes, "extension-mismatch");
	if (size == 0 || stopped)
		next = "validate";
	else if (strcmp(kind, "archive") == 0)
		next = "unpack";
	else if (strcmp(kind, "video") == 0 || strcmp(kind, "audio") == 0 ||
		 strcmp(mime, "application/octet-stream") == 0)
		next = "probe";
	else
		next = "validate";
	st = db_prepare(s->db, "UPDATE files SET state = ?2, unpack_reasons = ?3 WHERE id = ?1", e);
	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_text(st, 2, next, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, codes.buf, -1, SQLITE_STATIC);
	if (db_step_done(s->db, st, e) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int classify_run(struct stage *s, struct ferr *e)
{
	struct identify *id = identify_open(e);
	long long *ids = NULL;
	char **cands = NULL;
	size_t n = 0;
	int rc = -1;

	if (id == NULL)
		return -1;
	if (db_files_in_state(s->db, "new", &ids, &cands, &n, e) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct ferr fe = { 0 };
		log_item("identify", i + 1, n, cands[i]);
		if (db_begin(s->db, &fe) != 0 || classify_row(s, id, ids[i], &fe) != 0 ||
		    db_commit(s->db, &fe) != 0)
			stage_item_failed(s, ids[i], cands[i], &fe);
	}
	log_progress_done();
	rc = 0;
out:
	db_free_ids(ids, cands, n);
	classify_done();
	identify_close(id);
	return rc;
}
