#include "extract.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "db.h"
#include "isolate.h"
#include "judge.h"
#include "log.h"
#include "space.h"
#include "unpack.h"

struct parent {
	long long id, upload_id;
	int depth;
	char candidate[256], entry[64], slot_folder[CONFIG_ID_MAX];
	char source_path[4096], store_path[128], description[256];
	long long upload_time;
};

struct member_ctx {
	struct stage *s;
	struct identify *id;
	const struct parent *p;
	sqlite3_stmt *ins;
};

/* A member's own folder may name its slot ("V2/clip.mp4" inside a zip) when
 * the archive was not uploaded into a slot folder: the nearest one counts. */
static void member_slot(const struct config *cfg, const struct parent *p, const char *name,
			char *out, size_t outsz)
{
	const struct entry_rule *er = config_entry(cfg, p->entry);
	const char *q = name;

	snprintf(out, outsz, "%s", p->slot_folder);
	if (out[0] || er == NULL)
		return;
	while (*q) {
		size_t len = strcspn(q, "/");
		char comp[CONFIG_ID_MAX];
		if (q[len] == '\0')
			break;	/* the file's own name, not a folder */
		if (len < sizeof comp) {
			memcpy(comp, q, len);
			comp[len] = '\0';
			const struct slot_rule *sr = config_slot(er, comp);
			if (sr)
				snprintf(out, outsz, "%s", sr->id);
		}
		q += len + 1;
	}
}

static int on_member(void *vctx, const struct unpack_member *m, struct ferr *e)
{
	struct member_ctx *c = vctx;
	const struct parent *p = c->p;
	char path[8192], slot[CONFIG_ID_MAX];
	bool go_on = m->extracted && !reasons_rejects(&m->codes);
	sqlite3_stmt *st = c->ins;

	if (snprintf(path, sizeof path, "%s/%s", p->source_path, m->name) >= (int)sizeof path)
		return ferr_set(e, FERR_SYSTEM, "member path too long");
	member_slot(c->s->cfg, p, m->name, slot, sizeof slot);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, p->upload_id);
	sqlite3_bind_int64(st, 2, p->id);
	sqlite3_bind_text(st, 3, p->candidate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->entry, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, path, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, m->raw, (int)m->rawlen, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, p->depth + 1);
	db_bind_text(st, 8, slot[0] ? slot : NULL);
	sqlite3_bind_int64(st, 9, p->upload_time);
	db_bind_text(st, 10, m->extracted ? m->sha256 : NULL);
	if (m->extracted || (m->junk && m->size > 0))	/* junk: the size the archive states */
		sqlite3_bind_int64(st, 11, (sqlite3_int64)m->size);
	else
		sqlite3_bind_null(st, 11);
	db_bind_text(st, 12, m->extracted ? m->store_rel : NULL);
	sqlite3_bind_text(st, 13, go_on ? "new" : "validate", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, m->codes.buf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, db_run_id());
	/* the slot it claims, shown while it waits to be judged (validate decides) */
	char claim[CONFIG_ID_MAX] = "";
	if (go_on && slot[0])
		snprintf(claim, sizeof claim, "%s", slot);
	else if (go_on)
		judge_slot_from_name(config_entry(c->s->cfg, p->entry), m->name, claim, sizeof claim);
	db_bind_text(st, 16, claim[0] ? claim : NULL);
	if (sqlite3_step(st) != SQLITE_ROW)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(c->s->db));
	long long mid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (m->extracted)
		c->s->stats.bytes_written += m->size;
	return go_on ? classify_row(c->s, c->id, mid, e) : 0;
}

static int load_parent(sqlite3 *db, long long id, struct parent *p, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT f.upload_id, f.depth, f.candidate_id, f.entry_id, f.slot_folder,"
		" f.source_path, f.store_path, f.upload_time, x.description"
		" FROM files f LEFT JOIN facts x ON x.sha256 = f.sha256 WHERE f.id = ?1", e);
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		p->id = id;
		p->upload_id = sqlite3_column_int64(st, 0);
		p->depth = sqlite3_column_int(st, 1);
		snprintf(p->candidate, sizeof p->candidate, "%s", db_col_text(st, 2));
		snprintf(p->entry, sizeof p->entry, "%s", db_col_text(st, 3));
		snprintf(p->slot_folder, sizeof p->slot_folder, "%s", db_col_text(st, 4));
		snprintf(p->source_path, sizeof p->source_path, "%s", db_col_text(st, 5));
		snprintf(p->store_path, sizeof p->store_path, "%s", db_col_text(st, 6));
		p->upload_time = sqlite3_column_int64(st, 7);
		snprintf(p->description, sizeof p->description, "%s", db_col_text(st, 8));
		rc = 0;
	} else {
		ferr_set(e, FERR_SYSTEM, "file %lld vanished from the database", id);
	}
	sqlite3_finalize(st);
	return rc;
}

static long long upload_expanded(sqlite3 *db, long long upload_id)
{
	struct ferr e = { 0 };
	sqlite3_stmt *st = db_prepare(db, "SELECT COALESCE(SUM(size_bytes), 0) FROM files"
					  " WHERE upload_id = ?1 AND depth > 0 AND active = 1"
					  " AND store_path IS NOT NULL", &e);	/* extracted only */
	long long n = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, upload_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- libarchive in a child ------------------------------------------------------
 * The child walks the archive and writes members into the store (content-
 * addressed: a member stored twice is the same object); each member's record
 * comes to the parent as a message, which records it as on_member() always
 * did.  What the child leaves in DATA/tmp when stopped is removed. */
struct member_msg {
	size_t rawlen, namelen;
	struct reasons codes;
	bool junk, extracted;
	bool queued;		/* placed by this child, not yet durable (store_adopt) */
	char sha256[65];
	char store_rel[128];
	uint64_t size;
	/* then rawlen bytes of the raw name, namelen bytes of the name and a NUL */
};

struct unpack_job {
	struct stage *s;
	const char *path, *name;
	struct unpack_budget budget;
};
struct unpack_out {
	int rc;
	struct ferr err;
	struct unpack_result res;
	struct unpack_budget budget;
};

static size_t child_seen;	/* in the child: queued objects already reported */

static int child_member(void *ctx, const struct unpack_member *m, struct ferr *e)
{
	struct store *st = ctx;
	size_t namelen = strlen(m->name), n = sizeof(struct member_msg) + m->rawlen + namelen + 1;
	char *buf = malloc(n);
	struct member_msg h;
	int rc;

	isolate_test_hook("unpack", m->name);
	if (buf == NULL)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	memset(&h, 0, sizeof h);
	h.rawlen = m->rawlen;
	h.namelen = namelen;
	h.codes = m->codes;
	h.junk = m->junk;
	h.extracted = m->extracted;
	h.queued = m->extracted && st->npending > child_seen;
	child_seen = st->npending;
	memcpy(h.sha256, m->sha256, sizeof h.sha256);
	memcpy(h.store_rel, m->store_rel, sizeof h.store_rel);
	h.size = m->size;
	memcpy(buf, &h, sizeof h);
	memcpy(buf + sizeof h, m->raw, m->rawlen);
	memcpy(buf + sizeof h + m->rawlen, m->name, namelen + 1);
	rc = isolate_send(buf, n);
	free(buf);
	if (rc != 0)
		return ferr_set(e, FERR_SYSTEM, "member name too long, or the stage is gone");
	return 0;
}

static void unpack_child(void *arg, void *out)
{
	struct unpack_job *job = arg;
	struct unpack_out *o = out;

	o->budget = job->budget;
	child_seen = job->s->store.npending;
	o->rc = unpack_archive(&job->s->store, job->s->cfg, job->path, job->name, &o->budget,
			       child_member, &job->s->store, &o->res, &o->err);
}

static int parent_member(void *arg, const void *buf, size_t len, struct ferr *e)
{
	struct member_msg h;
	struct unpack_member m;
	const char *p = buf;

	if (len < sizeof h)
		return ferr_set(e, FERR_SYSTEM, "unpack: a short member record");
	memcpy(&h, p, sizeof h);
	if (h.rawlen > len || h.namelen > len || sizeof h + h.rawlen + h.namelen + 1 != len ||
	    p[len - 1] != '\0')
		return ferr_set(e, FERR_SYSTEM, "unpack: a malformed member record");
	memset(&m, 0, sizeof m);
	m.raw = p + sizeof h;
	m.rawlen = h.rawlen;
	m.name = p + sizeof h + h.rawlen;
	m.codes = h.codes;
	m.junk = h.junk;
	m.extracted = h.extracted;
	memcpy(m.sha256, h.sha256, sizeof m.sha256);
	m.sha256[64] = '\0';
	memcpy(m.store_rel, h.store_rel, sizeof m.store_rel);
	m.store_rel[sizeof m.store_rel - 1] = '\0';
	m.size = h.size;
	if (h.queued) {
		struct member_ctx *mc = arg;
		if (store_adopt(&mc->s->store, m.store_rel, e) != 0)
			return -1;
	}
	return on_member(arg, &m, e);
}

/* Removes what a stopped child left in DATA/tmp (store_write's obj-PID-N). */
static void sweep_child_tmp(const struct store *st, long pid)
{
	char dir[4096], prefix[64], path[4096 + 300];
	DIR *d;
	struct dirent *de;

	if (snprintf(dir, sizeof dir, "%s/tmp", st->root) >= (int)sizeof dir ||
	    (d = opendir(dir)) == NULL)
		return;
	snprintf(prefix, sizeof prefix, "obj-%ld-", pid);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		    snprintf(path, sizeof path, "%s/%s", dir, de->d_name) < (int)sizeof path)
			unlink(path);
	closedir(d);
}

/* unpack_archive() in a child under the config's limits.  A stop is the
 * archive's fault: archive-corrupt, the limit named in res->error. */
static int unpack_isolated(struct stage *s, const char *path, const char *name,
			   struct unpack_budget *budget, struct member_ctx *mc,
			   struct unpack_result *res, struct ferr *e)
{
	struct unpack_job job = { .s = s, .path = path, .name = name, .budget = *budget };
	/* time, plus a second per MiB of the archive: a 300 MB gzip on a slow
	 * disk is not corrupt for taking longer than a small zip */
	struct stat sb;
	double mib = stat(path, &sb) == 0 ? (double)sb.st_size / (1 << 20) : 0;
	struct isolate_limits il = { .time_s = s->cfg->limits.time_s + mib,
				     .memory_bytes = s->cfg->limits.memory_bytes };
	struct isolate_io io = { .message = parent_member, .arg = mc };
	struct isolate_result ir;
	struct unpack_out o;

	if (isolate_run(&il, unpack_child, &job, &o, sizeof o, &io, &ir, e) != 0) {
		if (ir.pid > 0)
			sweep_child_tmp(&s->store, ir.pid);
		return -1;
	}
	if (ir.end == ISOLATE_DONE) {
		if (o.rc != 0) {
			*e = o.err;
			return -1;
		}
		*res = o.res;
		*budget = o.budget;
		return 0;
	}
	sweep_child_tmp(&s->store, ir.pid);
	memset(res, 0, sizeof *res);
	reasons_init(&res->codes);
	reasons_add(&res->codes, "archive-corrupt");
	char why[160];
	isolate_describe(&il, &ir, why, sizeof why);
	snprintf(res->error, sizeof res->error, "unpacking %s", why);
	log_warn("%s: %s", name, res->error);
	return 0;
}

static int extract_one(struct stage *s, struct identify *id, sqlite3_stmt *ins, long long fid,
		       struct ferr *e)
{
	struct parent p;
	struct unpack_result res;
	struct reasons codes;
	struct member_ctx mc = { .s = s, .id = id, .p = &p, .ins = ins };
	struct unpack_budget budget;
	sqlite3_stmt *st = NULL;
	char path[4096];
	const char *err_text = NULL;
	int rc = -1;

	memset(&res, 0, sizeof res);
	if (load_parent(s->db, fid, &p, e) != 0)
		return -1;
	reasons_init(&codes);
	if (db_begin(s->db, e) != 0)
		return -1;
	if (p.depth + 1 > s->cfg->archive.max_depth) {
		reasons_add(&codes, "archive-nested-too-deep");
		err_text = "archive inside an archive inside an archive";
	} else {
		if (store_path(&s->store, p.store_path, path, sizeof path) != 0) {
			ferr_set(e, FERR_SYSTEM, "path too long");
			goto out;
		}
		/* at least the archive's own size comes out of it; the rest is
		 * counted as it streams (store_write), never taken from headers */
		struct stat sb;
		if (stat(path, &sb) == 0 && space_check(s->store.root, s->store.min_free,
							(uint64_t)sb.st_size, "unpacking", e) != 0)
			goto out;
		budget.expanded = (uint64_t)upload_expanded(s->db, p.upload_id);
		if (db_exec(s->db, "SAVEPOINT archive", e) != 0 ||
		    unpack_isolated(s, path, p.source_path, &budget, &mc, &res, e) != 0)
			goto out;
		s->stats.items++;
		s->stats.bytes_read += res.bytes_in;
		if (res.codes.buf[0]) {
			/* an archive-level fault: none of its members is accepted */
			if (db_exec(s->db, "ROLLBACK TO archive", e) != 0)
				goto out;
			reasons_add_list(&codes, res.codes.buf);
			err_text = res.error;
			log_info("%s/%s/%s: %s (%s)", p.candidate, p.entry, p.source_path,
				 res.codes.buf, res.error);
		}
		if (db_exec(s->db, "RELEASE archive", e) != 0)
			goto out;
	}
	st = db_prepare(s->db, "UPDATE files SET state = 'validate',"
			       " unpack_reasons = CASE WHEN ?2 = '' THEN unpack_reasons"
			       "  WHEN unpack_reasons = '' THEN ?2 ELSE unpack_reasons || ',' || ?2 END,"
			       " last_error = ?3 WHERE id = ?1", e);
	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_text(st, 2, codes.buf, -1, SQLITE_STATIC);
	db_bind_text(st, 3, err_text);
	/* the members' bytes are durable before the commit that records them:
	 * one sync for the archive (store_defer_sync), not one per member */
	if (db_step_done(s->db, st, e) != 0 || db_candidate_touch(s->db, p.candidate, e) != 0 ||
	    store_sync(&s->store, e) != 0 || db_commit(s->db, e) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc != 0) {
		store_discard(&s->store);
		db_rollback(s->db);
	}
	return rc;
}

int extract_run(struct stage *s, struct ferr *e)
{
	struct identify *id = identify_open(e);
	sqlite3_stmt *ins = NULL;
	long long *failed = NULL;
	size_t nfailed = 0;
	int rc = -1;

	if (id == NULL)
		return -1;
	s->store.min_free = s->cfg->limits.min_free_bytes;
	store_defer_sync(&s->store);
	ins = db_prepare(s->db,
		"INSERT INTO files(upload_id, parent_id, candidate_id, entry_id, source_path,"
		" raw_name, depth, slot_folder, upload_time, sha256, size_bytes, store_path, state,"
		" unpack_reasons, created_run, slot_id)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16) RETURNING id", e);
	if (ins == NULL)
		goto out;
	/* each pass opens one more layer; depth is bounded by config, so are
	 * passes.  A file that failed is not tried again in the same run: its
	 * attempts count runs (max_attempts), not passes. */
	for (int pass = 0; pass <= s->cfg->archive.max_depth + 1; pass++) {
		long long *ids = NULL;
		char **cands = NULL;
		size_t n = 0, tried = 0;
		if (db_files_in_state(s->db, "unpack", &ids, &cands, &n, e) != 0)
			goto out;
		for (size_t i = 0; i < n; i++) {
			struct ferr fe = { 0 };
			bool failed_before = false;
			for (size_t k = 0; k < nfailed && !failed_before; k++)
				failed_before = failed[k] == ids[i];
			if (failed_before)
				continue;
			tried++;
			log_item("unpack", i + 1, n, cands[i]);
			if (extract_one(s, id, ins, ids[i], &fe) != 0) {
				stage_item_failed(s, ids[i], cands[i], &fe);
				long long *nf = realloc(failed, (nfailed + 1) * sizeof *nf);
				if (nf) {
					failed = nf;
					failed[nfailed++] = ids[i];
				}
			}
		}
		db_free_ids(ids, cands, n);
		if (tried == 0)
			break;
	}
	log_progress_done();
	rc = 0;
out:
	sqlite3_finalize(ins);
	classify_done();
	identify_close(id);
	free(failed);
	return rc;
}
