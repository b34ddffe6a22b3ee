#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "log.h"
#include "reasons.h"

struct jfile {
	long long id;
	char entry[64];
	char slot_folder[CONFIG_ID_MAX];
	char *source_path;
	char sha[65];
	long long size, upload_time;
	char state[16];
	char unpack_reasons[512];
	char kind[16], mime[128];
	bool has_facts, encrypted;
	char content_codes[128];
	double duration;
	bool has_duration;
	int vstreams, astreams;
	/* the judgement */
	char slot[CONFIG_ID_MAX];
	const char *verdict;
	struct reasons codes;
	/* what it was */
	char old_slot[CONFIG_ID_MAX], old_verdict[16], old_reasons[512];
};

void judge_slot_from_name(const struct entry_rule *er, const char *source_path, char *out,
			  size_t outsz)
{
	const char *base = strrchr(source_path, '/');

	base = base ? base + 1 : source_path;
	out[0] = '\0';
	for (int i = 0; er && i < er->nslots; i++) {
		size_t n = strlen(er->slots[i].id);
		/* base[n] is read only once the first n bytes matched: base is that long */
		if (strncasecmp(base, er->slots[i].id, n) == 0 &&
		    (base[n] == '\0' || base[n] == '_' || base[n] == '-' || base[n] == '.' ||
		     base[n] == ' ')) {
			snprintf(out, outsz, "%s", er->slots[i].id);
			return;
		}
	}
}

static void judge_rules(const struct config *cfg, struct jfile *f)
{
	const struct entry_rule *er = config_entry(cfg, f->entry);
	const struct slot_rule *sr;

	reasons_add_list(&f->codes, f->unpack_reasons);
	if (reasons_has(&f->codes, "junk-file")) {
		f->verdict = "skipped";
		return;
	}
	if (strcmp(f->kind, "archive") == 0 || reasons_rejects(&f->codes)) {
		/* an archive's row: it was unpacked, or it was not */
		f->verdict = reasons_rejects(&f->codes) ? "rejected" : "accepted";
		return;
	}
	if (f->slot_folder[0])
		snprintf(f->slot, sizeof f->slot, "%s", f->slot_folder);
	else
		judge_slot_from_name(er, f->source_path, f->slot, sizeof f->slot);
	sr = f->slot[0] ? config_slot(er, f->slot) : NULL;
	if (sr == NULL) {
		f->slot[0] = '\0';
		reasons_add(&f->codes, "slot-unknown");
	}
	bool media = strcmp(f->kind, "video") == 0 || strcmp(f->kind, "audio") == 0;
	/* identify stopped at a limit: the type is not known, so not judged */
	bool typed = !(strcmp(f->kind, "other") == 0 &&
		       reasons_list_has(f->content_codes, "media-corrupt"));
	if (f->size == 0) {
		reasons_add(&f->codes, "empty-file");
	} else {
		if (reasons_list_has(f->content_codes, "media-corrupt"))
			reasons_add(&f->codes, "media-corrupt");
		/* stream facts (probe.h): recorded only when the file opened, and
		 * kept when it is also corrupt */
		if (reasons_list_has(f->content_codes, "no-video-stream") &&
		    (sr == NULL || sr->need_video))
			reasons_add(&f->codes, "no-video-stream");
		if (reasons_list_has(f->content_codes, "no-audio-stream") &&
		    (sr == NULL || sr->need_audio))
			reasons_add(&f->codes, "no-audio-stream");
		if (f->encrypted)
			reasons_add(&f->codes, "document-encrypted");
		if (sr && sr->max_bytes && (unsigned long long)f->size > sr->max_bytes)
			reasons_add(&f->codes, "file-too-large");
		if (typed && sr && sr->accept == ACCEPT_PDF && strcmp(f->mime, "application/pdf") != 0)
			reasons_add(&f->codes, "type-not-allowed");
		if (typed && sr && sr->accept == ACCEPT_DOCUMENT && strcmp(f->kind, "document") != 0)
			reasons_add(&f->codes, "type-not-allowed");
		if (sr && (sr->accept == ACCEPT_VIDEO || sr->accept == ACCEPT_AUDIO)) {
			if (!media && typed)
				reasons_add(&f->codes, "type-not-allowed");
			else if (!reasons_has(&f->codes, "media-corrupt")) {
				if (sr->need_video && f->vstreams == 0)
					reasons_add(&f->codes, "no-video-stream");
				if (sr->need_audio && f->astreams == 0)
					reasons_add(&f->codes, "no-audio-stream");
				if (f->has_duration && sr->min_s > 0 && f->duration < sr->min_s)
					reasons_add(&f->codes, "duration-too-short");
				if (f->has_duration && sr->max_s > 0 && f->duration > sr->max_s)
					reasons_add(&f->codes, "duration-too-long");
			}
		}
		if (reasons_list_has(f->content_codes, "duration-header-mismatch"))
			reasons_add(&f->codes, "duration-header-mismatch");
	}
	if (!config_in_window(cfg, (time_t)f->upload_time))
		reasons_add(&f->codes, "late-upload");
	f->verdict = reasons_rejects(&f->codes) ? "rejected" : "accepted";
}

/* Rule 3 alone, for a file not judged yet; junk and archives have none. */
static void pending_slot(const struct config *cfg, struct jfile *f)
{
	const struct entry_rule *er = config_entry(cfg, f->entry);

	if (reasons_list_has(f->unpack_reasons, "junk-file") || strcmp(f->kind, "archive") == 0)
		return;
	if (f->slot_folder[0])
		snprintf(f->slot, sizeof f->slot, "%s", f->slot_folder);
	else
		judge_slot_from_name(er, f->source_path, f->slot, sizeof f->slot);
	if (f->slot[0] && config_slot(er, f->slot) == NULL)
		f->slot[0] = '\0';
}

static int slot_order(const struct config *cfg, const struct jfile *f)
{
	for (int i = 0; i < cfg->nentries; i++)
		if (strcasecmp(cfg->entries[i].id, f->entry) == 0)
			return i * CONFIG_MAX_SLOTS + config_slot_index(&cfg->entries[i], f->slot);
	return CONFIG_MAX_ENTRIES * CONFIG_MAX_SLOTS;
}

/* Rules 5 and 6, across the candidate's accepted files. */
static void judge_across(const struct config *cfg, struct jfile *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct jfile *f = &v[i];
		long long latest = -1;
		int at_latest = 0;
		if (strcmp(f->verdict, "accepted") != 0 || !f->slot[0])
			continue;
		for (size_t k = 0; k < n; k++) {
			struct jfile *g = &v[k];
			if (strcmp(g->verdict, "accepted") || strcmp(g->entry, f->entry) ||
			    strcmp(g->slot, f->slot))
				continue;
			if (g->upload_time > latest) {
				latest = g->upload_time;
				at_latest = 1;
			} else if (g->upload_time == latest) {
				at_latest++;
			}
		}
		if (f->upload_time < latest)
			f->verdict = "superseded";
		else if (at_latest > 1)
			reasons_add(&f->codes, "slot-ambiguous");
	}
	for (size_t i = 0; i < n; i++)
		if (reasons_has(&v[i].codes, "slot-ambiguous"))
			v[i].verdict = "rejected";
	/* a rejected file is flagged too when its bytes stand accepted elsewhere;
	 * an accepted one only when the other is in an earlier slot */
	for (size_t i = 0; i < n; i++) {
		struct jfile *f = &v[i];
		bool accepted = strcmp(f->verdict, "accepted") == 0;
		if (!f->slot[0] || (!accepted && strcmp(f->verdict, "rejected") != 0))
			continue;
		for (size_t k = 0; k < n; k++) {
			struct jfile *g = &v[k];
			if (k == i || strcmp(g->verdict, "accepted") || !g->slot[0] ||
			    strcmp(g->sha, f->sha) != 0 ||
			    (strcmp(g->entry, f->entry) == 0 && strcmp(g->slot, f->slot) == 0))
				continue;
			if (!accepted || slot_order(cfg, g) < slot_order(cfg, f)) {
				reasons_add(&f->codes, "duplicate-file");
				f->verdict = "rejected";
				break;
			}
		}
	}
}

static void free_files(struct jfile *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].source_path);
	free(v);
}

static int load_files(sqlite3 *db, const char *cand, struct jfile **out, size_t *nout,
		      struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT f.id, f.entry_id, f.slot_folder, f.source_path, f.sha256, f.size_bytes,"
		" f.upload_time, f.state, f.unpack_reasons, x.kind, x.mime_type, x.encrypted,"
		" x.content_codes, x.duration_s, x.video_streams, x.audio_streams, f.slot_id,"
		" f.verdict, f.reasons, x.sha256 IS NOT NULL"
		" FROM files f LEFT JOIN facts x ON x.sha256 = f.sha256"
		" WHERE f.candidate_id = ?1 AND f.active = 1 ORDER BY f.id", e);
	struct jfile *v = NULL;
	size_t n = 0, cap = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, cand, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct jfile *nv = realloc(v, ncap * sizeof *nv);
			if (nv == NULL) {
				sqlite3_finalize(st);
				free_files(v, n);
				return ferr_set(e, FERR_SYSTEM, "out of memory");
			}
			v = nv;
			cap = ncap;
		}
		struct jfile *f = &v[n];
		memset(f, 0, sizeof *f);
		f->id = sqlite3_column_int64(st, 0);
		snprintf(f->entry, sizeof f->entry, "%s", db_col_text(st, 1));
		snprintf(f->slot_folder, sizeof f->slot_folder, "%s", db_col_text(st, 2));
		f->source_path = strdup(db_col_text(st, 3));
		snprintf(f->sha, sizeof f->sha, "%s", db_col_text(st, 4));
		f->size = sqlite3_column_int64(st, 5);
		f->upload_time = sqlite3_column_int64(st, 6);
		snprintf(f->state, sizeof f->state, "%s", db_col_text(st, 7));
		snprintf(f->unpack_reasons, sizeof f->unpack_reasons, "%s", db_col_text(st, 8));
		snprintf(f->kind, sizeof f->kind, "%s", db_col_text(st, 9));
		snprintf(f->mime, sizeof f->mime, "%s", db_col_text(st, 10));
		f->encrypted = sqlite3_column_int(st, 11) != 0;
		snprintf(f->content_codes, sizeof f->content_codes, "%s", db_col_text(st, 12));
		f->has_duration = sqlite3_column_type(st, 13) != SQLITE_NULL;
		f->duration = sqlite3_column_double(st, 13);
		f->vstreams = sqlite3_column_int(st, 14);
		f->astreams = sqlite3_column_int(st, 15);
		snprintf(f->old_slot, sizeof f->old_slot, "%s", db_col_text(st, 16));
		snprintf(f->old_verdict, sizeof f->old_verdict, "%s", db_col_text(st, 17));
		snprintf(f->old_reasons, sizeof f->old_reasons, "%s", db_col_text(st, 18));
		f->has_facts = sqlite3_column_int(st, 19) != 0;
		reasons_init(&f->codes);
		f->verdict = "pending";
		n++;
		if (f->source_path == NULL) {
			sqlite3_finalize(st);
			free_files(v, n);
			return ferr_set(e, FERR_SYSTEM, "out of memory");
		}
	}
	sqlite3_finalize(st);
	*out = v;
	*nout = n;
	return 0;
}

static int write_entries(struct stage *s, const char *cand, const struct jfile *v, size_t n,
			 bool *changed, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(s->db,
		"INSERT INTO entries(candidate_id, entry_id, status, missing_slots, dirty,"
		" judged_version, completed_run, changed_run) VALUES(?1, ?2, ?3, ?4, 0, ?5,"
		" CASE WHEN ?3 = 'complete' THEN ?6 END, ?6)"
		" ON CONFLICT(candidate_id, entry_id) DO UPDATE SET"
		" completed_run = CASE WHEN ?3 = 'complete' AND status <> 'complete' THEN ?6"
		"  WHEN ?3 = 'complete' THEN completed_run END,"
		" changed_run = CASE WHEN status <> ?3 OR missing_slots <> ?4 THEN ?6"
		"  ELSE changed_run END,"
		" status = ?3, missing_slots = ?4, dirty = 0, judged_version = ?5"
		" RETURNING changed_run IS ?6", e);
	int rc = -1;

	if (st == NULL)
		return -1;
	for (int i = 0; i < s->cfg->nentries; i++) {
		const struct entry_rule *er = &s->cfg->entries[i];
		struct reasons missing;
		bool any = false;

		for (size_t k = 0; k < n && !any; k++)
			any = strcmp(v[k].entry, er->id) == 0;
		if (!any)
			continue;
		reasons_init(&missing);
		for (int sl = 0; sl < er->nslots; sl++) {
			bool have = false;
			for (size_t k = 0; k < n && !have; k++)
				have = strcmp(v[k].entry, er->id) == 0 &&
				       strcmp(v[k].slot, er->slots[sl].id) == 0 &&
				       strcmp(v[k].verdict, "accepted") == 0;
			if (!have) {
				/* reasons_add keeps codes unique; slot ids are unique too */
				reasons_add(&missing, er->slots[sl].id);
			}
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, cand, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, er->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, missing.buf[0] ? "incomplete" : "complete", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 4, missing.buf, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, s->cfg->version, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, db_run_id());
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW && sqlite3_column_int(st, 0))
			*changed = true;
		else if (r != SQLITE_ROW) {
			ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(s->db));
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int judge_candidate(struct stage *s, const char *cand, struct ferr *e)
{
	struct jfile *v = NULL;
	size_t n = 0;
	sqlite3_stmt *upd = NULL, *hist = NULL;
	bool changed = false;
	int rc = -1;

	if (db_begin(s->db, e) != 0)
		return -1;
	if (load_files(s->db, cand, &v, &n, e) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		/* files not through the earlier stages stay pending (held, or failed),
		 * but their slot is known already, so a report can say "still being
		 * processed" in the right place */
		if (strcmp(v[i].state, "validate") == 0 || strcmp(v[i].state, "done") == 0)
			judge_rules(s->cfg, &v[i]);
		else
			pending_slot(s->cfg, &v[i]);
	}
	judge_across(s->cfg, v, n);
	upd = db_prepare(s->db,
		"UPDATE files SET slot_id = ?2, verdict = ?3, reasons = ?4, judged_version = ?5,"
		" judged_run = ?6, state = CASE WHEN state = 'validate' THEN 'done' ELSE state END,"
		" normalized_path = CASE WHEN ?3 = 'accepted' THEN normalized_path END,"
		" normalized_sha256 = CASE WHEN ?3 = 'accepted' THEN normalized_sha256 END,"
		" normalized_profile = CASE WHEN ?3 = 'accepted' THEN normalized_profile END,"
		" poster_path = CASE WHEN ?3 = 'accepted' THEN poster_path END"
		" WHERE id = ?1", e);
	hist = db_prepare(s->db,
		"INSERT INTO verdict_history(file_id, run_id, at, slot_id, verdict, reasons,"
		" config_version, stage) VALUES(?1, ?2, strftime('%s','now'), ?3, ?4, ?5, ?6,"
		" 'validate')", e);
	if (upd == NULL || hist == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct jfile *f = &v[i];
		bool differs = strcmp(f->old_verdict, f->verdict) || strcmp(f->old_slot, f->slot) ||
			       strcmp(f->old_reasons, f->codes.buf);
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, f->id);
		db_bind_text(upd, 2, f->slot[0] ? f->slot : NULL);
		sqlite3_bind_text(upd, 3, f->verdict, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 4, f->codes.buf, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 5, s->cfg->version, -1, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 6, db_run_id());
		if (db_step_done(s->db, upd, e) != 0)
			goto out;
		if (!differs)
			continue;
		changed = true;
		sqlite3_reset(hist);
		sqlite3_bind_int64(hist, 1, f->id);
		sqlite3_bind_int64(hist, 2, db_run_id());
		db_bind_text(hist, 3, f->slot[0] ? f->slot : NULL);
		sqlite3_bind_text(hist, 4, f->verdict, -1, SQLITE_STATIC);
		sqlite3_bind_text(hist, 5, f->codes.buf, -1, SQLITE_STATIC);
		sqlite3_bind_text(hist, 6, s->cfg->version, -1, SQLITE_STATIC);
		if (db_step_done(s->db, hist, e) != 0)
			goto out;
		log_debug("%s/%s/%s: %s %s", cand, f->entry, f->source_path, f->verdict,
			  f->codes.buf);
	}
	if (write_entries(s, cand, v, n, &changed, e) != 0)
		goto out;
	if (changed && db_candidate_touch(s->db, cand, e) != 0)
		goto out;
	if (db_commit(s->db, e) != 0)
		goto out;
	s->stats.items += (long)n;
	rc = 0;
out:
	sqlite3_finalize(upd);
	sqlite3_finalize(hist);
	free_files(v, n);
	if (rc != 0)
		db_rollback(s->db);
	return rc;
}

int judge_run(struct stage *s, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(s->db,
		"SELECT DISTINCT candidate_id FROM files WHERE active = 1 AND (?2 OR state = 'validate'"
		" OR (state = 'done' AND judged_version IS NOT ?1))"
		" UNION SELECT candidate_id FROM entries WHERE judged_version IS NOT ?1 OR ?2"
		" ORDER BY 1", e);
	char **cands = NULL;
	size_t n = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, s->cfg->version, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, s->force);
	if (db_strings(s->db, st, &cands, &n, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct ferr fe = { 0 };
		log_item("validate", i + 1, n, cands[i]);
		if (judge_candidate(s, cands[i], &fe) != 0) {
			log_error("%s: %s (judged again next run)", cands[i], fe.msg);
			s->stats.failures++;
		}
		free(cands[i]);
	}
	log_progress_done();
	free(cands);
	return 0;
}
