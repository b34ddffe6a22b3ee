#include "reprocess.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "log.h"
#include "reasons.h"

/* Positions in the pipeline; a file's state says which it waits for. */
enum { P_IDENTIFY, P_UNPACK, P_PROBE, P_VALIDATE, P_NORMALIZE, P_NONE };

const char *const REPROCESS_STAGES[] = { "identify", "unpack", "probe", "validate", "normalize",
					 NULL };

struct rfile {
	long long id, parent;	/* parent: the archive it came out of, or 0 */
	int members;		/* an archive unpacked again: its members replaced */
	char *cand, *entry, *path, *state, *held_state, *reasons, *post_reasons, *sha, *kind;
	int attempts;
	bool accepted, stored, probed, unnormalized;
	int target;		/* P_NONE: not selected */
	bool same_content;	/* selected only because it shares bytes with one that was */
};

static int state_pos(const char *state)
{
	if (strcmp(state, "new") == 0)
		return P_IDENTIFY;
	if (strcmp(state, "unpack") == 0)
		return P_UNPACK;
	if (strcmp(state, "probe") == 0)
		return P_PROBE;
	if (strcmp(state, "validate") == 0)
		return P_VALIDATE;
	return P_NORMALIZE;	/* done */
}

static int stage_pos(const char *name)
{
	for (int i = 0; REPROCESS_STAGES[i]; i++)
		if (strcmp(REPROCESS_STAGES[i], name) == 0)
			return i;
	return P_NONE;
}

/* The stage that finds a reason code: the earliest a file with it must go
 * back to so that the code is found (or not) again. */
static int reason_pos(const struct rfile *f, const char *code)
{
	if (!strcmp(code, "media-corrupt") || !strcmp(code, "no-video-stream") ||
	    !strcmp(code, "no-audio-stream") || !strcmp(code, "duration-header-mismatch"))
		return f->probed ? P_PROBE : P_VALIDATE;
	if (!strcmp(code, "extension-mismatch") || !strcmp(code, "document-encrypted"))
		return f->stored ? P_IDENTIFY : P_VALIDATE;
	if (!strncmp(code, "archive-", 8) && strcmp(f->kind, "archive") == 0)
		return P_UNPACK;
	if (!strcmp(code, "normalize-failed") || !strcmp(code, "audio-silent"))
		return P_NORMALIZE;
	return P_VALIDATE;
}

static bool has_code(const struct rfile *f, const char *code)
{
	return reasons_list_has(f->reasons, code) || reasons_list_has(f->post_reasons, code);
}

/* A system failure not yet got past: held, failing in a stage, or an
 * accepted video whose normalizing failed and is retried. */
static bool failing(const struct rfile *f)
{
	return strcmp(f->state, "held") == 0 ||
	       (f->attempts > 0 && (strcmp(f->state, "done") != 0 || f->unnormalized));
}

/* Does the stage at pos apply to this file at all?  A file not identified
 * yet (no kind) may still turn out to be an archive or media. */
static bool applies(const struct rfile *f, int pos)
{
	switch (pos) {
	/* no kind and not stored: never identified and never will be (junk, a
	 * member refused), so no archive or media either */
	case P_IDENTIFY: return f->stored;
	case P_UNPACK: return (!f->kind[0] && f->stored) || strcmp(f->kind, "archive") == 0;
	case P_PROBE:
		return f->probed || (!f->kind[0] && f->stored) || !strcmp(f->kind, "video") ||
		       !strcmp(f->kind, "audio");
	case P_NORMALIZE: return f->accepted && strcmp(f->kind, "video") == 0;
	default: return true;
	}
}

static int in_list(const char *const *v, int n, const char *s, bool nocase)
{
	for (int i = 0; i < n; i++)
		if (nocase ? strcasecmp(v[i], s) == 0 : strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* The target for a file, or P_NONE when the selectors leave it out. */
static int choose(const struct reprocess_sel *sel, const struct rfile *f)
{
	int want = sel->stage ? stage_pos(sel->stage) : P_NONE;
	int by_reason = P_NONE;

	if (sel->ncandidates && !in_list(sel->candidates, sel->ncandidates, f->cand, false))
		return P_NONE;
	if (sel->nentries && !in_list(sel->entries, sel->nentries, f->entry, true))
		return P_NONE;
	if (sel->failed && !failing(f))
		return P_NONE;
	if (sel->nreasons) {
		for (int i = 0; i < sel->nreasons; i++)
			if (has_code(f, sel->reasons[i]) && reason_pos(f, sel->reasons[i]) < by_reason)
				by_reason = reason_pos(f, sel->reasons[i]);
		if (by_reason == P_NONE)
			return P_NONE;
	}
	if (want != P_NONE)
		return applies(f, want) ? want : P_NONE;
	if (strcmp(f->state, "held") == 0)
		return state_pos(f->held_state);
	if (f->attempts > 0 && strcmp(f->state, "done") != 0)
		return state_pos(f->state);
	if (f->attempts > 0 && f->unnormalized && applies(f, P_NORMALIZE))
		return P_NORMALIZE;
	return by_reason != P_NONE ? by_reason : P_VALIDATE;
}

/* Where the file stands: the state it waits in (held: the one it was held in). */
static int position(const struct rfile *f)
{
	return state_pos(strcmp(f->state, "held") == 0 ? f->held_state : f->state);
}

/* The state a file is sent back to for its target. */
static const char *new_state(const struct rfile *f)
{
	static const char *const states[] = { "new", "new", "probe", "validate", "done" };

	if (position(f) < f->target)
		return strcmp(f->state, "held") == 0 ? f->held_state : f->state;
	/* an archive is unpacked again from identify: that resets the codes
	 * unpack adds to identify's (cheap: libmagic reads a bounded prefix) */
	return states[f->target];
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	return strdup(db_col_text(st, i));
}

static void free_files(struct rfile *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].cand);
		free(v[i].entry);
		free(v[i].path);
		free(v[i].state);
		free(v[i].held_state);
		free(v[i].reasons);
		free(v[i].post_reasons);
		free(v[i].sha);
		free(v[i].kind);
	}
	free(v);
}

static int load(sqlite3 *db, struct rfile **out, size_t *nout, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT f.id, f.candidate_id, f.entry_id, f.source_path, f.state,"
		" COALESCE(f.held_state, ''), f.reasons, f.post_reasons, COALESCE(f.sha256, ''),"
		" COALESCE(x.kind, ''), f.attempts, f.verdict = 'accepted',"
		" f.store_path IS NOT NULL AND f.sha256 IS NOT NULL, COALESCE(x.probed, 0),"
		" f.normalized_path IS NULL AND f.normalize_error IS NULL, COALESCE(f.parent_id, 0)"
		" FROM files f LEFT JOIN facts x ON x.sha256 = f.sha256 WHERE f.active = 1"
		" ORDER BY f.candidate_id, f.entry_id, f.source_path, f.id", e);
	struct rfile *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct rfile *nv = realloc(v, ncap * sizeof *nv);
			if (nv == NULL)
				break;
			v = nv;
			cap = ncap;
		}
		struct rfile *f = &v[n++];
		memset(f, 0, sizeof *f);
		f->id = sqlite3_column_int64(st, 0);
		f->cand = dup_col(st, 1);
		f->entry = dup_col(st, 2);
		f->path = dup_col(st, 3);
		f->state = dup_col(st, 4);
		f->held_state = dup_col(st, 5);
		f->reasons = dup_col(st, 6);
		f->post_reasons = dup_col(st, 7);
		f->sha = dup_col(st, 8);
		f->kind = dup_col(st, 9);
		f->attempts = sqlite3_column_int(st, 10);
		f->accepted = sqlite3_column_int(st, 11) != 0;
		f->stored = sqlite3_column_int(st, 12) != 0;
		f->probed = sqlite3_column_int(st, 13) != 0;
		f->unnormalized = sqlite3_column_int(st, 14) != 0;
		f->parent = sqlite3_column_int64(st, 15);
		f->target = P_NONE;
		if (!f->cand || !f->entry || !f->path || !f->state || !f->held_state ||
		    !f->reasons || !f->post_reasons || !f->sha || !f->kind)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free_files(v, n);
		return ferr_set(e, FERR_SYSTEM, rc == SQLITE_ROW ? "out of memory" : "sqlite: %s",
				sqlite3_errmsg(db));
	}
	*out = v;
	*nout = n;
	return 0;
}

static int known(sqlite3 *db, const char *sql, const char *value, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db, sql, e);
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return r;
}

int reprocess_usage_check(const struct reprocess_sel *sel, struct ferr *e)
{
	if (sel->stage && stage_pos(sel->stage) == P_NONE)
		return ferr_set(e, FERR_CONFIG, "--stage %s: not a stage folio can redo (identify,"
				" unpack, probe, validate, normalize)", sel->stage);
	if (!sel->failed && !sel->ncandidates && !sel->nentries && !sel->nreasons && !sel->stage)
		return ferr_set(e, FERR_CONFIG, "say what to reprocess: --failed, --candidate ID,"
				" --entry ID, --reason CODE or --stage NAME (see 'folio reprocess"
				" --help')");
	for (int i = 0; i < sel->nreasons; i++)
		if (reason_find(sel->reasons[i]) == NULL)
			return ferr_set(e, FERR_CONFIG, "--reason %s: not a reason code (see"
					" docs/reasons.md)", sel->reasons[i]);
	return 0;
}

int reprocess_check(sqlite3 *db, const struct reprocess_sel *sel, struct ferr *e)
{
	for (int i = 0; i < sel->ncandidates; i++) {
		int r = known(db, "SELECT 1 FROM files WHERE candidate_id = ?1 LIMIT 1",
			      sel->candidates[i], e);
		if (r < 0)
			return -1;
		if (r == 0)
			return ferr_set(e, FERR_CONFIG, "no candidate '%s' in this data directory",
					sel->candidates[i]);
	}
	for (int i = 0; i < sel->nentries; i++) {
		int r = known(db, "SELECT 1 FROM files WHERE entry_id = ?1 COLLATE NOCASE LIMIT 1",
			      sel->entries[i], e);
		if (r < 0)
			return -1;
		if (r == 0)
			return ferr_set(e, FERR_CONFIG, "no entry '%s' in this data directory",
					sel->entries[i]);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Facts are per content: when one file's identify or probe is redone, every
 * active file with the same bytes is sent back with it (their verdicts rest
 * on the same facts). */
static int spread_to_same_content(struct rfile *v, size_t n, struct ferr *e)
{
	const char **shas = malloc((n ? n : 1) * sizeof *shas);
	int *tgt = NULL;
	size_t ns = 0, u = 0;

	if (shas == NULL)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if ((v[i].target == P_IDENTIFY || v[i].target == P_PROBE) && v[i].sha[0] &&
		    position(&v[i]) >= v[i].target)
			shas[ns++] = v[i].sha;
	qsort(shas, ns, sizeof *shas, cmp_str);
	for (size_t k = 0; k < ns; k++)	/* unique */
		if (u == 0 || strcmp(shas[u - 1], shas[k]) != 0)
			shas[u++] = shas[k];
	tgt = malloc((u ? u : 1) * sizeof *tgt);
	if (tgt == NULL) {
		free(shas);
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	}
	for (size_t k = 0; k < u; k++)
		tgt[k] = P_NONE;
	/* the earliest target per content ... */
	for (size_t i = 0; i < n; i++) {
		const char *key = v[i].sha;
		const char **hit;
		if ((v[i].target != P_IDENTIFY && v[i].target != P_PROBE) || !key[0] ||
		    position(&v[i]) < v[i].target)
			continue;
		hit = bsearch(&key, shas, u, sizeof *shas, cmp_str);
		if (hit && v[i].target < tgt[hit - shas])
			tgt[hit - shas] = v[i].target;
	}
	/* ... given to every file with that content which is past it */
	for (size_t i = 0; i < n; i++) {
		const char *key = v[i].sha;
		const char **hit;
		int t;
		if (!key[0] || (hit = bsearch(&key, shas, u, sizeof *shas, cmp_str)) == NULL)
			continue;
		t = tgt[hit - shas];
		if (t < v[i].target && position(&v[i]) >= t) {
			v[i].same_content = v[i].target == P_NONE;
			v[i].target = t;
		}
	}
	free(tgt);
	free(shas);
	return 0;
}

/* Whether a selected file is unpacked again: an archive sent back to 'new'
 * (identify or unpack redone), whose members are then replaced. */
static bool unpacked_again(const struct rfile *f)
{
	return f->target != P_NONE && f->target <= P_UNPACK && strcmp(f->kind, "archive") == 0 &&
	       position(f) >= f->target;
}

static int cmp_by_id(const void *a, const void *b)
{
	long long x = (*(const struct rfile *const *)a)->id, y = (*(const struct rfile *const *)b)->id;
	return x < y ? -1 : x > y;
}

/* The members of an archive that is unpacked again are replaced by its new
 * unpack (the old rows become history), not redone one by one: they leave
 * the selection, and the archive counts them. */
static int fold_members(struct rfile *v, size_t n, struct ferr *e)
{
	struct rfile **byid = malloc((n ? n : 1) * sizeof *byid);

	if (byid == NULL)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		byid[i] = &v[i];
	qsort(byid, n, sizeof *byid, cmp_by_id);
	for (size_t i = 0; i < n; i++) {
		struct rfile key = { .id = v[i].parent }, *kp = &key, **hit;
		struct rfile *top = NULL;
		/* the outermost ancestor unpacked again */
		for (int depth = 0; key.id && depth < 64; depth++) {
			hit = bsearch(&kp, byid, n, sizeof *byid, cmp_by_id);
			if (hit == NULL)
				break;
			if (unpacked_again(*hit))
				top = *hit;
			key.id = (*hit)->parent;
		}
		if (top) {
			v[i].target = P_NONE;
			top->members++;
		}
	}
	free(byid);
	return 0;
}

static int send_back(sqlite3 *db, const struct rfile *f, struct ferr *e)
{
	const char *to = new_state(f);
	bool redo = position(f) >= f->target;
	sqlite3_stmt *st = db_prepare(db,
		"UPDATE files SET state = ?2, held_state = NULL, attempts = 0, judged_version = NULL,"
		" normalized_path = CASE WHEN ?3 THEN NULL ELSE normalized_path END,"
		" normalized_sha256 = CASE WHEN ?3 THEN NULL ELSE normalized_sha256 END,"
		" normalized_profile = CASE WHEN ?3 THEN NULL ELSE normalized_profile END,"
		" poster_path = CASE WHEN ?3 THEN NULL ELSE poster_path END,"
		" normalize_error = CASE WHEN ?3 THEN NULL ELSE normalize_error END,"
		" post_reasons = CASE WHEN ?3 THEN '' ELSE post_reasons END"
		" WHERE id = ?1", e);
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, redo && f->target == P_NORMALIZE);
	if (db_step_done(db, st, e) != 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (redo && f->target == P_IDENTIFY) {
		st = db_prepare(db, "DELETE FROM facts WHERE sha256 = ?1", e);
	} else if (redo && f->target == P_PROBE) {
		st = db_prepare(db, "UPDATE facts SET probed = 0 WHERE sha256 = ?1", e);
	}
	if (st) {
		sqlite3_bind_text(st, 1, f->sha, -1, SQLITE_STATIC);
		if (db_step_done(db, st, e) != 0)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
	} else if (redo && (f->target == P_IDENTIFY || f->target == P_PROBE)) {
		goto out;
	}
	/* an archive unpacked again: the members it had become history */
	if (redo && strcmp(to, "new") == 0 && strcmp(f->kind, "archive") == 0) {
		st = db_prepare(db,
			"WITH RECURSIVE d(id) AS (SELECT id FROM files WHERE parent_id = ?1"
			" UNION ALL SELECT f.id FROM files f JOIN d ON f.parent_id = d.id)"
			" UPDATE files SET active = 0 WHERE active = 1 AND id IN (SELECT id FROM d)",
			e);
		if (st == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, f->id);
		if (db_step_done(db, st, e) != 0)
			goto out;
	}
	rc = db_candidate_touch(db, f->cand, e);
out:
	sqlite3_finalize(st);
	return rc;
}

int reprocess_apply(sqlite3 *db, const struct reprocess_sel *sel, FILE *list, long *nselected,
		    struct ferr *e)
{
	struct rfile *v = NULL;
	size_t n = 0;
	long count = 0;
	int rc = -1;

	*nselected = 0;
	if (!sel->dry_run && db_begin(db, e) != 0)
		return -1;
	if (load(db, &v, &n, e) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		v[i].target = choose(sel, &v[i]);
	if (spread_to_same_content(v, n, e) != 0 || fold_members(v, n, e) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct rfile *f = &v[i];
		char name[4096], cand[256], entry[128], was[64];
		if (f->target == P_NONE)
			continue;
		count++;
		if (strcmp(f->state, "held") == 0)
			snprintf(was, sizeof was, "held at %s, %d attempts", f->held_state,
				 f->attempts);
		else if (f->attempts)
			snprintf(was, sizeof was, "%s, %d attempts", f->state, f->attempts);
		else
			snprintf(was, sizeof was, "%s", f->state);
		if (list && position(f) < f->target)
			fprintf(list, "%s/%s/%s: %s -> %s (has not reached %s yet)\n",
				log_tame(f->cand, cand, sizeof cand), log_tame(f->entry, entry, sizeof entry),
				log_tame(f->path, name, sizeof name), was, new_state(f),
				REPROCESS_STAGES[f->target]);
		else if (list && unpacked_again(f))
			fprintf(list, "%s/%s/%s: %s -> %s (an archive: unpacked again; its %d"
				" member%s replaced, the old ones kept as history)%s\n",
				log_tame(f->cand, cand, sizeof cand), log_tame(f->entry, entry, sizeof entry),
				log_tame(f->path, name, sizeof name), was, REPROCESS_STAGES[f->target],
				f->members, f->members == 1 ? "" : "s",
				f->same_content ? " (same content as a selected file)" : "");
		else if (list)
			fprintf(list, "%s/%s/%s: %s -> %s%s\n", log_tame(f->cand, cand, sizeof cand),
				log_tame(f->entry, entry, sizeof entry), log_tame(f->path, name, sizeof name),
				was, REPROCESS_STAGES[f->target],
				f->same_content ? " (same content as a selected file)" : "");
		if (!sel->dry_run && send_back(db, f, e) != 0)
			goto out;
	}
	if (!sel->dry_run && db_commit(db, e) != 0)
		goto out;
	*nselected = count;
	rc = 0;
out:
	free_files(v, n);
	if (rc != 0)
		db_rollback(db);
	return rc;
}
