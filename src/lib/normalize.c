#include "normalize.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "isolate.h"
#include "log.h"
#include "space.h"
#include "store.h"

#define BATCH 64		/* files selected per query: bounds memory, not work */
#define MAX_WORKERS 256		/* stage_start() caps -j at 256 */
#define LABEL_MAX 160
#define REL_MAX 256
#define PATH_BUF 4096

struct item {
	int64_t id;
	char cand[65], entry[CONFIG_ID_MAX], slot[CONFIG_ID_MAX];
	char src_rel[REL_MAX], sha[65];
	double duration;
	char label[LABEL_MAX];		/* candidate/entry/slot: log lines and title */
	char rel_mp4[REL_MAX], rel_jpg[REL_MAX];
	/* the outcome, written by the worker that ran it */
	int rc;
	bool reused;
	char reused_reasons[64];
	struct ferr err;
	struct tc_result res;
	char out_sha[65];
	uint64_t src_bytes, out_bytes;
	double wall;
};

struct progress_slot {
	bool busy;
	char label[LABEL_MAX];
	double done, total, t0;
};

struct pool;
struct worker {
	struct pool *pl;
	int slot;
	pthread_t tid;
};

struct pool {
	struct stage *s;
	const struct tc_profile *p;
	struct item *items;
	int n, next;			/* next item to hand out */
	int queue[BATCH];		/* finished, not yet recorded */
	int nqueue;
	int threads;			/* codec threads per job */
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct progress_slot slots[MAX_WORKERS];
	int nslots;
	int total_done, total_seen;	/* for the progress line */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool normalize_name_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL || s[0] == '\0' || s[0] == '.' || s[0] == '-')
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* ---- the workers ------------------------------------------------------------- */

static void on_progress(void *arg, double done, double total)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->pl->mu);
	w->pl->slots[w->slot].done = done;
	if (total > 0)
		w->pl->slots[w->slot].total = total;
	pthread_mutex_unlock(&w->pl->mu);
}

/* tc_normalize() runs in a program of its own, folio-normalize
 * --transcode-one (normalize_transcode_one): a child forked from this
 * process with its threads must not run library code (isolate_exec).  Its
 * progress comes back as frames, its result as a tc_out. */
struct tc_out {
	int rc;
	struct ferr err;
	struct tc_result res;
};

static void child_progress(void *arg, double done, double total)
{
	isolate_progress(done, total);
}

enum { ONE_ARGS = 10 };	/* config src dst poster title duration threads time memory level */

int normalize_transcode_one(int argc, char **argv)
{
	struct isolate_limits lim;
	struct tc_out o;
	struct tc_profile prof;
	struct tc_job job;
	struct config *cfg;

	if (argc != ONE_ARGS) {
		fprintf(stderr, "folio-normalize: --transcode-one is folio-normalize's own\n");
		return 2;
	}
	lim.time_s = strtod(argv[7], NULL);
	lim.memory_bytes = strtoull(argv[8], NULL, 10);
	if (isolate_exec_begin(&lim) != 0) {
		fprintf(stderr, "folio-normalize: --transcode-one is folio-normalize's own\n");
		return 2;
	}
	log_init("folio-normalize");
	log_set_level(atoi(argv[9]));
	tc_log_install(log_level() >= 2);
	memset(&o, 0, sizeof o);
	o.rc = -1;
	cfg = config_load(argv[0], &o.err);
	if (cfg == NULL || tc_profile_load(cfg, &prof, &o.err) != 0) {
		o.err.cls = FERR_SYSTEM;	/* the stage read the same file a moment ago */
		config_free(cfg);
		isolate_exec_result(&o, sizeof o);
	}
	isolate_test_hook("normalize", argv[4]);
	memset(&job, 0, sizeof job);
	job.src = argv[1];
	job.dst = argv[2];
	job.poster = argv[3];
	job.title = argv[4];
	job.src_duration = strtod(argv[5], NULL);
	job.threads = atoi(argv[6]);
	job.progress = child_progress;
	o.rc = tc_normalize(&prof, &job, &o.res, &o.err);
	if (o.rc != 0 && lim.memory_bytes > 0 && !isolate_memory_limit_unavailable() &&
	    (tc_alloc_failed() || isolate_near_memory_limit())) {
		/* refused by the rlimit: the limit is named, and it is this
		 * stage's content failure, not a system failure to retry */
		struct isolate_result ir = { .end = ISOLATE_MEMORY };
		char why[160];
		isolate_describe(&lim, &ir, why, sizeof why);
		ferr_set(&o.err, FERR_CONTENT, "normalizing %s", why);
	}
	config_free(cfg);
	isolate_exec_result(&o, sizeof o);
}

/* tc_normalize() under the limits: time_s plus normalize_factor per second
 * of video, the memory limit of every step.  A step stopped at a limit is a
 * content failure of this stage (normalize-failed, the limit named), since it
 * follows a probe that found the file sound; its partial output is removed. */
static int tc_isolated(struct worker *w, struct tc_job *job, struct tc_result *res,
		       struct ferr *e)
{
	const struct step_limits *sl = &w->pl->s->cfg->limits;
	struct isolate_limits il = {
		.time_s = sl->time_s + sl->normalize_factor * (job->src_duration > 0 ?
							       job->src_duration : 0),
		.memory_bytes = sl->memory_bytes,
	};
	char bin[4096], dur[32], thr[16], tim[32], mem[32], lvl[8];
	struct isolate_io io = { .progress = on_progress, .arg = w };
	struct isolate_result ir;
	struct tc_out o;

	if (stage_bin_dir(bin, sizeof bin) != 0 ||
	    strlen(bin) + sizeof "/folio-normalize" > sizeof bin)
		return ferr_set(e, FERR_SYSTEM, "cannot find folio-normalize's own path");
	strcat(bin, "/folio-normalize");
	snprintf(dur, sizeof dur, "%.17g", job->src_duration);
	snprintf(thr, sizeof thr, "%d", job->threads);
	snprintf(tim, sizeof tim, "%.17g", il.time_s);
	snprintf(mem, sizeof mem, "%llu", (unsigned long long)il.memory_bytes);
	snprintf(lvl, sizeof lvl, "%d", log_level());
	char *argv[] = { bin, "--transcode-one", (char *)w->pl->s->config_path, (char *)job->src,
			 (char *)job->dst, (char *)job->poster,
			 (char *)(job->title ? job->title : ""), dur, thr, tim, mem, lvl, NULL };

	if (isolate_exec(&il, argv, &o, sizeof o, &io, &ir, e) != 0)
		return -1;
	if (ir.end == ISOLATE_DONE) {
		if (o.rc != 0) {
			*e = o.err;
			return -1;
		}
		*res = o.res;
		return 0;
	}
	unlink(job->dst);
	unlink(job->poster);
	char why[160];
	isolate_describe(&il, &ir, why, sizeof why);
	return ferr_set(e, FERR_CONTENT, "normalizing %s", why);
}

/* fsync and rename a finished temporary file into place. */
static int commit_tmp(const char *tmp, const char *dst, struct ferr *e)
{
	int fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		ferr_errno(e, errno, "cannot open %s", tmp);
		unlink(tmp);
		return -1;
	}
	return fs_commit_file(fd, tmp, dst, e);
}

static int item_paths(const struct store *st, struct item *it, char *src, char *dir, char *mp4,
		      char *jpg, char *tmp_mp4, char *tmp_jpg, struct ferr *e)
{
	char rel_dir[REL_MAX];

	if (snprintf(rel_dir, sizeof rel_dir, "media/%s/%s", it->cand, it->entry) >= REL_MAX ||
	    snprintf(it->rel_mp4, REL_MAX, "%s/%s.mp4", rel_dir, it->slot) >= REL_MAX ||
	    snprintf(it->rel_jpg, REL_MAX, "%s/%s.jpg", rel_dir, it->slot) >= REL_MAX ||
	    store_path(st, it->src_rel, src, PATH_BUF) != 0 ||
	    store_path(st, rel_dir, dir, PATH_BUF) != 0 ||
	    store_path(st, it->rel_mp4, mp4, PATH_BUF) != 0 ||
	    store_path(st, it->rel_jpg, jpg, PATH_BUF) != 0 ||
	    snprintf(tmp_mp4, PATH_BUF, "%s/tmp/norm-%ld-%lld.mp4", st->root, (long)getpid(),
		     (long long)it->id) >= PATH_BUF ||
	    snprintf(tmp_jpg, PATH_BUF, "%s/tmp/norm-%ld-%lld.jpg", st->root, (long)getpid(),
		     (long long)it->id) >= PATH_BUF)
		return ferr_set(e, FERR_SYSTEM, "data directory path too long");
	return 0;
}

static void process(struct worker *w, struct item *it)
{
	struct pool *pl = w->pl;
	char src[PATH_BUF], dir[PATH_BUF], mp4[PATH_BUF], jpg[PATH_BUF];
	char tmp_mp4[PATH_BUF], tmp_jpg[PATH_BUF];
	struct tc_job job;
	struct stat sb;
	double t0 = now_s();

	it->rc = -1;
	ferr_clear(&it->err);
	if (!normalize_name_ok(it->cand) || !normalize_name_ok(it->entry) ||
	    !normalize_name_ok(it->slot)) {
		ferr_set(&it->err, FERR_CONTENT, "candidate, entry or slot name not usable in a path");
		goto out;
	}
	if (item_paths(&pl->s->store, it, src, dir, mp4, jpg, tmp_mp4, tmp_jpg, &it->err) != 0 ||
	    fs_mkdirs(dir, &it->err) != 0)
		goto out;
	/* the output is about the source's size: refused, a system failure */
	if (stat(src, &sb) == 0 && space_check(pl->s->store.root, pl->s->cfg->limits.min_free_bytes,
					       (uint64_t)sb.st_size, "normalizing", &it->err) != 0)
		goto out;
	memset(&job, 0, sizeof job);
	job.src = src;
	job.dst = tmp_mp4;
	job.poster = tmp_jpg;
	job.title = it->label;
	job.src_duration = it->duration;
	job.threads = pl->threads;
	job.progress = on_progress;
	job.progress_arg = w;
	if (tc_isolated(w, &job, &it->res, &it->err) != 0)
		goto out;
	if (stat(src, &sb) == 0)
		it->src_bytes = (uint64_t)sb.st_size;
	if (sha256_file(tmp_mp4, it->out_sha, &it->out_bytes, &it->err) != 0 ||
	    commit_tmp(tmp_jpg, jpg, &it->err) != 0 || commit_tmp(tmp_mp4, mp4, &it->err) != 0) {
		unlink(tmp_mp4);
		unlink(tmp_jpg);
		goto out;
	}
	it->rc = 0;
out:
	it->wall = now_s() - t0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *pl = w->pl;

	for (;;) {
		int i = -1;

		pthread_mutex_lock(&pl->mu);
		if (!pl->stop && pl->next < pl->n) {
			struct progress_slot *ps = &pl->slots[w->slot];
			i = pl->next++;
			ps->busy = true;
			memcpy(ps->label, pl->items[i].label, sizeof ps->label);
			ps->done = 0;
			ps->total = pl->items[i].duration;
			ps->t0 = now_s();
		}
		pthread_mutex_unlock(&pl->mu);
		if (i < 0)
			break;
		process(w, &pl->items[i]);
		pthread_mutex_lock(&pl->mu);
		pl->slots[w->slot].busy = false;
		pl->queue[pl->nqueue++] = i;
		pthread_cond_signal(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
	}
	return NULL;
}

/* ---- recording ----------------------------------------------------------------- */

static int record_ok(sqlite3 *db, const struct tc_profile *p, const struct item *it,
		     struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"UPDATE files SET normalized_path = ?1, normalized_sha256 = ?2,"
		" normalized_profile = ?3, poster_path = ?4, normalize_error = NULL,"
		" post_reasons = ?5 WHERE id = ?6", e);
	const char *reasons = it->reused ? it->reused_reasons :
			      it->res.audio_silent ? "audio-silent" : "";
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, it->rel_mp4);
	db_bind_text(st, 2, it->out_sha);
	db_bind_text(st, 3, p->version);
	db_bind_text(st, 4, it->rel_jpg);
	db_bind_text(st, 5, reasons);
	sqlite3_bind_int64(st, 6, it->id);
	rc = db_step_done(db, st, e);
	sqlite3_finalize(st);
	return rc;
}

static int record_content_failure(sqlite3 *db, const struct tc_profile *p, const struct item *it,
				  const char *error, const char *reasons, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"UPDATE files SET normalized_path = NULL, normalized_sha256 = NULL,"
		" poster_path = NULL, normalized_profile = ?1, normalize_error = ?2,"
		" post_reasons = ?3 WHERE id = ?4", e);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, p->version);
	db_bind_text(st, 2, error);
	db_bind_text(st, 3, reasons);
	sqlite3_bind_int64(st, 4, it->id);
	rc = db_step_done(db, st, e);
	sqlite3_finalize(st);
	return rc;
}

static void log_done(const struct item *it)
{
	const struct tc_result *r = &it->res;

	if (it->reused) {
		log_info("%s: normalized: same content as %s already has, kept", it->label,
			 it->rel_mp4);
		return;
	}
	log_info("%s: normalized: %dx%d, video %s, %s%s; %.1f s in %.1f s (%.1fx)", it->label,
		 r->width, r->height, r->video_copied ? "copied" : "re-encoded",
		 !r->has_audio ? "no audio" : r->audio_copied ? "audio copied" : "audio re-encoded",
		 r->audio_silent ? " (silent)" : "", r->src_duration, it->wall,
		 it->wall > 0 ? r->src_duration / it->wall : 0);
}

/* One short transaction per file; a system failure goes through
 * stage_item_failed() (attempts, then held, as in every stage). */
static int record(struct stage *s, const struct tc_profile *p, const struct item *it,
		  struct normalize_stats *ns, struct ferr *e)
{
	s->stats.items++;
	if (it->rc != 0 && it->err.cls != FERR_CONTENT) {
		struct ferr se;
		ferr_set(&se, it->err.cls, "%s/%s: %.400s", it->entry, it->slot, it->err.msg);
		ns->system++;
		stage_item_failed(s, it->id, it->cand, &se);
		return 0;
	}
	if (db_begin(s->db, e) != 0)
		return -1;
	if (it->rc == 0 ? record_ok(s->db, p, it, e) != 0 :
	    record_content_failure(s->db, p, it, it->err.msg, "normalize-failed", e) != 0)
		goto fail;
	if (db_candidate_touch(s->db, it->cand, e) != 0 || db_commit(s->db, e) != 0)
		goto fail;
	s->stats.bytes_read += it->src_bytes;
	s->stats.bytes_written += it->out_bytes;
	if (it->rc == 0) {
		ns->done++;
		ns->copied += it->res.video_copied;
		ns->reused += it->reused;
		ns->media_s += it->res.src_duration;
		log_done(it);
	} else {
		ns->failed++;
		log_warn("%s: normalize-failed: %s", it->label, it->err.msg);
	}
	return 0;
fail:
	db_rollback(s->db);
	return -1;
}

/* ---- taking over an identical earlier result ------------------------------------ */

/* A re-upload of the same bytes into the same slot: when an earlier row made
 * this very output under this profile and the file is still what it recorded,
 * take it over instead of normalizing again. */
static bool try_reuse(struct stage *s, const struct tc_profile *p, struct item *it)
{
	sqlite3_stmt *st;
	char path[PATH_BUF], sha[65];
	uint64_t size;
	bool ok = false;
	struct ferr e = { 0 };

	if (!normalize_name_ok(it->cand) || !normalize_name_ok(it->entry) ||
	    !normalize_name_ok(it->slot))
		return false;
	if (snprintf(it->rel_mp4, REL_MAX, "media/%s/%s/%s.mp4", it->cand, it->entry, it->slot)
	    >= REL_MAX ||
	    snprintf(it->rel_jpg, REL_MAX, "media/%s/%s/%s.jpg", it->cand, it->entry, it->slot)
	    >= REL_MAX)
		return false;
	st = db_prepare(s->db,
		"SELECT normalized_sha256, post_reasons FROM files WHERE sha256 = ?1"
		" AND candidate_id = ?2 AND entry_id = ?3 AND slot_id = ?4"
		" AND normalized_profile = ?5 AND normalized_path = ?6 AND poster_path = ?7"
		" AND id <> ?8 ORDER BY id DESC LIMIT 1", &e);
	if (st == NULL)
		return false;
	db_bind_text(st, 1, it->sha);
	db_bind_text(st, 2, it->cand);
	db_bind_text(st, 3, it->entry);
	db_bind_text(st, 4, it->slot);
	db_bind_text(st, 5, p->version);
	db_bind_text(st, 6, it->rel_mp4);
	db_bind_text(st, 7, it->rel_jpg);
	sqlite3_bind_int64(st, 8, it->id);
	if (sqlite3_step(st) == SQLITE_ROW && strlen(db_col_text(st, 0)) == 64 &&
	    strlen(db_col_text(st, 1)) < sizeof it->reused_reasons) {
		memcpy(it->out_sha, db_col_text(st, 0), 65);
		memcpy(it->reused_reasons, db_col_text(st, 1), strlen(db_col_text(st, 1)) + 1);
		ok = store_path(&s->store, it->rel_mp4, path, sizeof path) == 0 &&
		     sha256_file(path, sha, &size, &e) == 0 && strcmp(sha, it->out_sha) == 0 &&
		     store_path(&s->store, it->rel_jpg, path, sizeof path) == 0 &&
		     access(path, R_OK) == 0;
	}
	sqlite3_finalize(st);
	if (ok) {
		it->rc = 0;
		it->reused = true;
		it->res.src_duration = it->duration;
	}
	return ok;
}

/* ---- the loop ------------------------------------------------------------------- */

static int select_batch(struct stage *s, const struct tc_profile *p, int64_t after,
			struct item *items, int *n, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(s->db,
		"SELECT f.id, f.candidate_id, f.entry_id, f.slot_id, f.store_path, f.sha256,"
		" x.duration_s FROM files f JOIN facts x ON x.sha256 = f.sha256"
		" WHERE f.active = 1 AND f.state = 'done' AND f.verdict = 'accepted'"
		" AND x.kind = 'video' AND f.store_path IS NOT NULL AND f.id > ?1"
		" AND (?2 OR f.normalized_profile IS NOT ?3"
		"      OR (f.normalized_path IS NULL AND f.normalize_error IS NULL))"
		" ORDER BY f.id LIMIT ?4", e);
	int rc, k = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, s->force);
	db_bind_text(st, 3, p->version);
	sqlite3_bind_int(st, 4, BATCH);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < BATCH) {
		struct item *it = &items[k++];
		memset(it, 0, sizeof *it);
		it->id = sqlite3_column_int64(st, 0);
		snprintf(it->cand, sizeof it->cand, "%s", db_col_text(st, 1));
		snprintf(it->entry, sizeof it->entry, "%s", db_col_text(st, 2));
		snprintf(it->slot, sizeof it->slot, "%s", db_col_text(st, 3));
		snprintf(it->src_rel, sizeof it->src_rel, "%s", db_col_text(st, 4));
		snprintf(it->sha, sizeof it->sha, "%s", db_col_text(st, 5));
		it->duration = sqlite3_column_double(st, 6);
		snprintf(it->label, sizeof it->label, "%s/%s/%s", db_col_text(st, 1),
			 db_col_text(st, 2), db_col_text(st, 3));
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	*n = k;
	return 0;
}

static void render_progress(struct pool *pl)
{
	char line[512];
	size_t n = 0;
	double now = now_s();

	if (!log_is_tty())
		return;
	n = (size_t)snprintf(line, sizeof line, "[%d/%d]", pl->total_done, pl->total_seen);
	for (int i = 0; i < pl->nslots && n < sizeof line; i++) {
		const struct progress_slot *ps = &pl->slots[i];
		double el = now - ps->t0;
		int k;

		if (!ps->busy)
			continue;
		k = snprintf(line + n, sizeof line - n, "  %s %3.0f%% %.1fx", ps->label,
			     ps->total > 0 ? fmin(100, 100 * ps->done / ps->total) : 0,
			     el > 0 ? ps->done / el : 0);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	if (n >= sizeof line)
		line[sizeof line - 1] = '\0';
	log_progress("%s", line);
}

/* Runs the batch's items on nw threads; records results as they finish. */
static int run_batch(struct pool *pl, int nw, struct normalize_stats *ns, struct ferr *e)
{
	struct worker w[MAX_WORKERS];
	int started = 0, recorded = 0, rc = 0;

	for (int i = 0; i < nw; i++) {
		w[i].pl = pl;
		w[i].slot = i;
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0)
			break;
		started++;
	}
	if (started == 0)
		return ferr_set(e, FERR_SYSTEM, "cannot start a worker thread");
	pl->nslots = started;
	pthread_mutex_lock(&pl->mu);
	while (recorded < pl->n) {
		while (pl->nqueue == 0) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&pl->cv, &pl->mu, &ts);
			if (pl->nqueue == 0)
				render_progress(pl);
		}
		while (pl->nqueue > 0) {
			int i = pl->queue[--pl->nqueue];
			pthread_mutex_unlock(&pl->mu);
			if (rc == 0 && record(pl->s, pl->p, &pl->items[i], ns, e) != 0) {
				rc = -1;
				pthread_mutex_lock(&pl->mu);
				pl->stop = true;	/* finish what runs, start nothing */
				pthread_mutex_unlock(&pl->mu);
			}
			pthread_mutex_lock(&pl->mu);
			recorded++;
			pl->total_done++;
		}
		if (pl->stop && recorded >= pl->next)
			break;
	}
	pthread_mutex_unlock(&pl->mu);
	for (int i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	log_progress_done();
	return rc;
}

int normalize_run(struct stage *s, const struct tc_profile *p, struct normalize_stats *st,
		  struct ferr *e)
{
	struct normalize_stats ns;
	struct pool *pl = calloc(1, sizeof *pl);
	struct item *batch = calloc(BATCH, sizeof *batch);
	int64_t after = 0;
	int rc = -1, ncpu = stage_ncpus();
	double t0 = now_s();

	memset(&ns, 0, sizeof ns);
	if (pl == NULL || batch == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto out;
	}
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	pl->s = s;
	pl->p = p;
	for (;;) {
		int n = 0, todo = 0, nw;

		if (select_batch(s, p, after, batch, &n, e) != 0)
			goto done;
		if (n == 0)
			break;
		after = batch[n - 1].id;
		/* the ones an earlier identical result covers are recorded now;
		 * the rest move to the front of the batch for the workers */
		for (int i = 0; i < n; i++) {
			if (!s->force && try_reuse(s, p, &batch[i])) {
				if (record(s, p, &batch[i], &ns, e) != 0)
					goto done;
				continue;
			}
			if (todo != i)
				batch[todo] = batch[i];
			todo++;
		}
		if (todo == 0)
			continue;
		nw = s->jobs < todo ? s->jobs : todo;
		pl->items = batch;
		pl->n = todo;
		pl->next = 0;
		pl->nqueue = 0;
		pl->stop = false;
		pl->total_seen += todo;
		/* cores shared out between jobs, never more threads than cores; by
		 * -j, not by what is left: x264's output depends on its thread
		 * count, and a resumed run must make the bytes a clean run makes */
		pl->threads = ncpu / s->jobs > 1 ? ncpu / s->jobs : 1;
		if (run_batch(pl, nw, &ns, e) != 0)
			goto done;
	}
	ns.wall_s = now_s() - t0;
	*st = ns;
	rc = 0;
done:
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
out:
	free(batch);
	free(pl);
	return rc;
}
