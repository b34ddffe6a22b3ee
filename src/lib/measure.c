#include "measure.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "isolate.h"
#include "log.h"
#include "probe.h"
#include "reasons.h"

/* The probe of one file, as the worker process runs it. */
struct probe_req {
	char path[4096];
	char name[4096];
};
struct probe_out {
	int rc;
	struct ferr err;
	struct probe_result r;
};

static void probe_child(void *ctx, const void *req, void *out)
{
	const struct probe_req *q = req;
	struct probe_out *po = out;
	const struct probe_limits lim = { .max_packets = 50000000 };

	isolate_test_hook("probe", q->name);
	po->rc = probe_file(q->path, &lim, &po->r, &po->err);
}

static struct isolate_limits probe_limits;
static struct isolate_worker *probe_worker;

/* Probes path in the worker under the config's limits.  A step stopped at a
 * limit is the file's doing: r says media-corrupt and names the limit. */
static int probe_isolated(const char *path, const char *name, struct probe_result *r,
			  struct ferr *e)
{
	struct probe_req q;
	struct isolate_result ir;
	struct probe_out po;

	memset(&q, 0, sizeof q);	/* sent whole: no byte left undefined */
	snprintf(q.path, sizeof q.path, "%s", path);
	snprintf(q.name, sizeof q.name, "%s", name);
	if (isolate_worker_call(probe_worker, &q, &po, &ir, e) != 0)
		return -1;
	if (ir.end == ISOLATE_DONE && po.rc != 0 && probe_limits.memory_bytes > 0 &&
	    strstr(po.err.msg, "memory") != NULL)
		ir.end = ISOLATE_MEMORY;	/* refused by the limit, not by the machine */
	if (ir.end == ISOLATE_DONE) {
		if (po.rc != 0) {
			*e = po.err;
			return -1;
		}
		*r = po.r;
		return 0;
	}
	memset(r, 0, sizeof *r);
	r->opened = true;
	r->corrupt = true;
	r->duration_s = -1;
	r->header_duration_s = -1;
	isolate_describe(&probe_limits, &ir, r->error, sizeof r->error);
	log_warn("%s: probe %s", name, r->error);
	return 0;
}

static int measure_one(struct stage *s, long long fid, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(s->db,
		"SELECT f.sha256, f.store_path, f.source_path, x.probed, x.facts_version, x.mime_type,"
		" x.kind FROM files f JOIN facts x ON x.sha256 = f.sha256 WHERE f.id = ?1", e);
	char sha[65] = "", rel[128] = "", name[4096] = "", mime[128] = "", kind[16] = "";
	char path[4096];
	bool done;
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, fid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return ferr_set(e, FERR_SYSTEM, "file %lld has no facts", fid);
	}
	snprintf(sha, sizeof sha, "%s", db_col_text(st, 0));
	snprintf(rel, sizeof rel, "%s", db_col_text(st, 1));
	snprintf(name, sizeof name, "%s", db_col_text(st, 2));
	done = sqlite3_column_int(st, 3) && sqlite3_column_int(st, 4) == MEASURE_FACTS_VERSION;
	snprintf(mime, sizeof mime, "%s", db_col_text(st, 5));
	snprintf(kind, sizeof kind, "%s", db_col_text(st, 6));
	sqlite3_finalize(st);
	st = NULL;

	if (db_begin(s->db, e) != 0)
		return -1;
	if (!done) {
		struct probe_result r;
		struct reasons codes;
		const char *k;

		if (store_path(&s->store, rel, path, sizeof path) != 0) {
			ferr_set(e, FERR_SYSTEM, "path too long");
			goto out;
		}
		if (probe_isolated(path, name, &r, e) != 0)
			goto out;
		s->stats.items++;
		reasons_init(&codes);
		k = probe_kind(&r);
		if (!r.opened && strcmp(mime, "application/octet-stream") == 0) {
			k = "other";	/* unknown data that is not media either */
		} else {
			probe_codes(&r, &codes);
			if (k == NULL)
				k = strcmp(kind, "audio") == 0 ? "audio" : "video";
		}
		log_debug("%s: %s %s/%s %.2fs (header %.2fs) %s", name, r.format, r.video_codec,
			  r.audio_codec, r.duration_s, r.header_duration_s, codes.buf);
		st = db_prepare(s->db,
			"UPDATE facts SET probed = 1, facts_version = ?2, kind = ?3, content_codes = ?4,"
			" probe_error = ?5, duration_s = ?6, duration_method = ?7,"
			" header_duration_s = ?8, width = ?9, height = ?10, rotation = ?11,"
			" video_codec = ?12, audio_codec = ?13, video_streams = ?14,"
			" audio_streams = ?15 WHERE sha256 = ?1", e);
		if (st == NULL)
			goto out;
		sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, MEASURE_FACTS_VERSION);
		sqlite3_bind_text(st, 3, k, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, codes.buf, -1, SQLITE_STATIC);
		db_bind_text(st, 5, r.error[0] ? r.error : NULL);
		if (r.duration_s >= 0)
			sqlite3_bind_double(st, 6, r.duration_s);
		db_bind_text(st, 7, r.opened ? r.method : NULL);
		if (r.header_duration_s >= 0)
			sqlite3_bind_double(st, 8, r.header_duration_s);
		if (r.video_streams) {
			sqlite3_bind_int(st, 9, r.width);
			sqlite3_bind_int(st, 10, r.height);
			sqlite3_bind_int(st, 11, r.rotation);
		}
		db_bind_text(st, 12, r.video_codec[0] ? r.video_codec : NULL);
		db_bind_text(st, 13, r.audio_codec[0] ? r.audio_codec : NULL);
		sqlite3_bind_int(st, 14, r.video_streams);
		sqlite3_bind_int(st, 15, r.audio_streams);
		if (db_step_done(s->db, st, e) != 0)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
	}
	st = db_prepare(s->db, "UPDATE files SET state = 'validate' WHERE id = ?1", e);
	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, fid);
	if (db_step_done(s->db, st, e) != 0 || db_commit(s->db, e) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc != 0)
		db_rollback(s->db);
	return rc;
}

int measure_run(struct stage *s, struct ferr *e)
{
	long long *ids = NULL;
	char **cands = NULL;
	size_t n = 0;

	if (db_files_in_state(s->db, "probe", &ids, &cands, &n, e) != 0)
		return -1;
	probe_limits.time_s = s->cfg->limits.time_s;
	probe_limits.memory_bytes = s->cfg->limits.memory_bytes;
	probe_worker = isolate_worker_new(&probe_limits, probe_child, NULL,
					  sizeof(struct probe_req), sizeof(struct probe_out));
	if (probe_worker == NULL) {
		db_free_ids(ids, cands, n);
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct ferr fe = { 0 };
		log_item("probe", i + 1, n, cands[i]);
		if (measure_one(s, ids[i], &fe) != 0)
			stage_item_failed(s, ids[i], cands[i], &fe);
	}
	log_progress_done();
	isolate_worker_free(probe_worker);
	probe_worker = NULL;
	db_free_ids(ids, cands, n);
	return 0;
}
