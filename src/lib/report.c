/* report.c — the report stage's frame: the day and its window, formats for
 * people, committing files, and the run over every candidate. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "reasons.h"

/* between a number and its unit, so that no line breaks inside "2.1 GB" */
#define NBSP "\xC2\xA0"

static const char *const MONTHS[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

/* localtime_r in another zone.  TZ is process-wide, so it is swapped and
 * restored around the call (the stage is single-threaded). */
static void local_tm_zone(const char *tz, time_t t, struct tm *out, char *zone, size_t zonesz)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	setenv("TZ", tz, 1);
	tzset();
	if (localtime_r(&t, out) == NULL)
		memset(out, 0, sizeof *out);
	/* the abbreviation is read while TZ is still this zone */
	if (zone != NULL && zonesz > 0 && strftime(zone, zonesz, "%Z", out) == 0)
		zone[0] = '\0';
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

static void local_tm(const char *tz, time_t t, struct tm *out)
{
	local_tm_zone(tz, t, out, NULL, 0);
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): a
 * difference of calendar days that no DST change can shift. */
static long civil_days(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void report_fmt_time(const char *tz, time_t t, bool with_time, char *out, size_t outsz)
{
	struct tm tm;

	local_tm(tz, t, &tm);
	if (with_time)
		snprintf(out, outsz, "%s %d, %d at %02d:%02d", MONTHS[tm.tm_mon % 12],
			 tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
	else
		snprintf(out, outsz, "%s %d, %d", MONTHS[tm.tm_mon % 12], tm.tm_mday,
			 tm.tm_year + 1900);
}

void report_fmt_time_zone(const char *tz, time_t t, char *out, size_t outsz)
{
	struct tm tm;
	char zone[16];

	local_tm_zone(tz, t, &tm, zone, sizeof zone);
	/* a zone without an abbreviation (numeric, "UTC" aside) is named */
	snprintf(out, outsz, "%s %d, %d at %02d:%02d %s", MONTHS[tm.tm_mon % 12], tm.tm_mday,
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 zone[0] && zone[0] != '+' && zone[0] != '-' ? zone : tz);
}

void report_fmt_duration(double s, char *out, size_t outsz)
{
	long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(out, outsz, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, outsz, "%ld:%02ld", t / 60, t % 60);
}

void report_fmt_size(uint64_t n, char *out, size_t outsz)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = -1;

	if (n < 1000) {
		snprintf(out, outsz, "%llu" NBSP "byte%s", (unsigned long long)n, n == 1 ? "" : "s");
		return;
	}
	while (v >= 999.95 && u < 3) {
		v /= 1000;
		u++;
	}
	/* one decimal below 100 ("1.5 MB"), none above ("250 MB") */
	if (v < 99.95)
		snprintf(out, outsz, "%.1f" NBSP "%s", v, units[u]);
	else
		snprintf(out, outsz, "%.0f" NBSP "%s", v, units[u]);
}

bool report_size_is_binary(uint64_t limit)
{
	if (limit == 0 || limit % 1024 != 0)
		return false;
	for (uint64_t u = 1000; u <= 1000000000000ULL; u *= 1000)
		if (limit % u == 0 && limit / u < 1000)
			return false;	/* "100 MB" reads as the config wrote it */
	return true;
}

void report_fmt_size_binary(uint64_t n, char *out, size_t outsz)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		report_fmt_size(n, out, outsz);
		return;
	}
	while (v >= 1023.95 && u < 3) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v || v >= 99.95)
		snprintf(out, outsz, "%.0f" NBSP "%s", v, units[u]);
	else
		snprintf(out, outsz, "%.1f" NBSP "%s", v, units[u]);
}

const struct window *report_window_at(const struct config *cfg, time_t t)
{
	const struct window *best = NULL;

	for (int i = 0; i < cfg->nwindows; i++) {
		const struct window *w = &cfg->windows[i];
		if (t >= w->opens && t <= w->closes)
			return w;
		if (w->opens <= t && (best == NULL || w->opens > best->opens))
			best = w;
	}
	return best ? best : config_window_for(cfg, t);
}

int report_day_init(struct report_day *out, const struct config *cfg, const char *date,
		    struct ferr *e)
{
	struct report_day day, *d = &day;
	char noon[32];
	struct tm tm, close;
	time_t t;
	int y, m, dd;
	char end;

	memset(d, 0, sizeof *d);
	snprintf(d->tz, sizeof d->tz, "%s", cfg->timezone);
	if (date == NULL) {
		local_tm(d->tz, time(NULL), &tm);
		if (strftime(d->date, sizeof d->date, "%Y-%m-%d", &tm) != 10)
			return ferr_set(e, FERR_SYSTEM, "cannot tell today's date in %s", d->tz);
	} else {
		if (strlen(date) != 10 || strspn(date, "0123456789-") != 10 || date[4] != '-' ||
		    date[7] != '-' || sscanf(date, "%4d-%2d-%2d%c", &y, &m, &dd, &end) != 3 ||
		    m < 1 || m > 12 || dd < 1 || dd > 31)
			return ferr_set(e, FERR_CONFIG, "--date wants YYYY-MM-DD, not '%s'", date);
		memcpy(d->date, date, 11);
	}
	snprintf(noon, sizeof noon, "%.10s 12:00", d->date);
	if (config_parse_local_time(noon, d->tz, &t) != 0)
		return ferr_set(e, FERR_CONFIG, "%s: not a date in %s", d->date, d->tz);
	local_tm(d->tz, t, &tm);
	report_fmt_time(d->tz, t, false, d->date_text, sizeof d->date_text);
	d->win = report_window_at(cfg, t);
	if (d->win == NULL) {
		*out = day;
		return 0;
	}
	local_tm(d->tz, d->win->closes, &close);
	d->days_left = civil_days(close.tm_year + 1900L, close.tm_mon + 1L, close.tm_mday) -
		       civil_days(tm.tm_year + 1900L, tm.tm_mon + 1L, tm.tm_mday);
	d->closed = d->days_left < 0;
	d->before_open = t < d->win->opens;
	report_fmt_time(d->tz, d->win->opens, false, d->opens_text, sizeof d->opens_text);
	report_fmt_time(d->tz, d->win->closes, true, d->closes_text, sizeof d->closes_text);
	*out = day;
	return 0;
}

bool report_candidate_id_ok(const char *id)
{
	size_t n = strlen(id);

	/* reports/nightly/ holds the operator's summaries */
	if (n == 0 || n > 64 || id[0] == '.' || strcmp(id, "nightly") == 0)
		return false;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* True when the regular file at path (not followed if a link) holds exactly
 * the n bytes at p.  Any doubt (missing, unreadable, another size) is false. */
static bool same_content(const char *path, const char *p, size_t n)
{
	char chunk[1 << 14];
	struct stat sb;
	size_t off = 0;
	bool same = false;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != (uint64_t)n)
		goto out;
	/* every pass reads at least one byte or ends; n bounds them */
	while (off < n) {
		size_t want = n - off < sizeof chunk ? n - off : sizeof chunk;
		ssize_t k = read(fd, chunk, want);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || memcmp(chunk, p + off, (size_t)k) != 0)
			goto out;
		off += (size_t)k;
	}
	same = true;
out:
	close(fd);
	return same;
}

/* Files written but not yet in place: their bytes in DATA/tmp, unsynced,
 * each with the name it gets once they are durable (batch_commit). */
struct batch {
	char **tmp, **dst;
	size_t n, cap;
};

/* Removes what is not yet in place and empties b. */
static void batch_drop(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->tmp[i] != NULL)
			unlink(b->tmp[i]);
		free(b->tmp[i]);
		free(b->dst[i]);
	}
	free(b->tmp);
	free(b->dst);
	memset(b, 0, sizeof *b);
}

/* Every batched file durable, then in place, then the names durable: a crash
 * leaves each file old or new, never half of one.  Two syncs in all.  On
 * failure what is not yet renamed is dropped. */
static int batch_commit(const struct store *st, struct batch *b, struct ferr *e)
{
	int rc = -1;

	if (b->n == 0)
		return 0;
	if (store_sync_fs(st, e) != 0)
		goto out;
	for (size_t i = 0; i < b->n; i++) {
		if (rename(b->tmp[i], b->dst[i]) != 0) {
			ferr_errno(e, errno, "cannot rename %s to %s", b->tmp[i], b->dst[i]);
			goto out;
		}
		free(b->tmp[i]);
		b->tmp[i] = NULL;	/* in place: nothing of it left to drop */
	}
	rc = store_sync_fs(st, e);
out:
	batch_drop(b);
	return rc;
}

/* Writes buf as DATA/rel: straight into place (fsync'd, renamed) without a
 * batch, into b's list with one. */
static int write_file(const struct store *st, const char *rel, const struct sbuf *buf,
		      struct batch *b, struct ferr *e)
{
	char dst[4096], dir[4096], tmp[4096];
	const char *p = sbuf_str(buf);
	size_t left = buf->len;
	char *slash;
	int fd = -1;

	if (sbuf_failed(buf))
		return ferr_set(e, FERR_SYSTEM, "%s: out of memory composing it", rel);
	if (store_path(st, rel, dst, sizeof dst) != 0 ||
	    snprintf(tmp, sizeof tmp, "%s/tmp/report.XXXXXX", st->root) >= (int)sizeof tmp)
		return ferr_set(e, FERR_SYSTEM, "%s: path too long", rel);
	memcpy(dir, dst, sizeof dir);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	/* a report that would not change is left alone: an unchanged run costs a
	 * read of it, not a write and its syncs (its bytes were made durable
	 * when they were written) */
	if (same_content(dst, p, left))
		return 0;
	if (fs_mkdirs(dir, e) != 0)
		return -1;
	if (b != NULL && b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char **t = realloc(b->tmp, cap * sizeof *t);
		if (t != NULL)
			b->tmp = t;
		char **d = t ? realloc(b->dst, cap * sizeof *d) : NULL;
		if (d == NULL)
			return ferr_set(e, FERR_SYSTEM, "out of memory");
		b->dst = d;
		b->cap = cap;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return ferr_errno(e, errno, "cannot create %s", tmp);
	if (fchmod(fd, 0640) != 0) {
		ferr_errno(e, errno, "cannot chmod %s", tmp);
		goto fail;
	}
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ferr_errno(e, errno, "cannot write %s", tmp);
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (b == NULL)
		return fs_commit_file(fd, tmp, dst, e);
	if (close(fd) != 0) {
		fd = -1;
		ferr_errno(e, errno, "cannot close %s", tmp);
		goto fail;
	}
	fd = -1;
	b->tmp[b->n] = strdup(tmp);
	b->dst[b->n] = strdup(dst);
	if (b->tmp[b->n] == NULL || b->dst[b->n] == NULL) {
		free(b->tmp[b->n]);
		free(b->dst[b->n]);
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto fail;
	}
	b->n++;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int report_write_file(const struct store *st, const char *rel, const struct sbuf *buf,
		      struct ferr *e)
{
	return write_file(st, rel, buf, NULL, e);
}

const char *report_reason_kind(const struct reason *r)
{
	if (r->warning)
		return "warning";
	/* judge.c: a junk file's verdict is skipped, whatever else it carries */
	return strcmp(r->code, "junk-file") == 0 ? "skips" : "rejects";
}

int64_t report_latest_run(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;

	if (sqlite3_prepare_v2(db, "SELECT MAX(id) FROM runs", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int64_t report_last_reported_run(sqlite3 *db, int64_t run_id)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;

	/* the runner sets finished_at and exit_code once the stage has ended;
	 * exit 0 or 1 means the notify list and the summary were written */
	if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(run_id), 0) FROM run_stages"
			       " WHERE stage = 'folio-report' AND finished_at IS NOT NULL"
			       " AND exit_code IN (0, 1) AND run_id < ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return id;
}

/* Records the report stage's own failure for one candidate; the summary
 * shows it with what to do.  Errors here are the summary's loss only. */
static void record_failure(sqlite3 *db, int64_t run_id, const char *candidate,
			   const char *error)
{
	sqlite3_stmt *st = db_prepare(db,
		"INSERT INTO system_failures(run_id, at, stage, candidate_id, error, action)"
		" VALUES(?1, strftime('%s','now'), 'folio-report', ?2, ?3,"
		" 'fix the cause (disk space, permissions), then run ''folio report''')", NULL);

	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, run_id);
	db_bind_text(st, 2, candidate);
	db_bind_text(st, 3, error);
	db_step_done(db, st, NULL);
	sqlite3_finalize(st);
}

/* One candidate: render both forms and commit them. */
static int write_candidate(sqlite3 *db, const struct config *cfg, const struct store *st,
			   const struct report_day *d, const char *cand, struct batch *b,
			   struct report_self *self, struct ferr *e)
{
	struct sbuf html, txt;
	char rel[256];
	int rc = -1;

	sbuf_init(&html);
	sbuf_init(&txt);
	if (report_candidate(db, cfg, d, cand, &html, &txt, e) != 0)
		goto out;
	snprintf(rel, sizeof rel, "reports/%s/report.html", cand);
	if (write_file(st, rel, &html, b, e) != 0)
		goto out;
	snprintf(rel, sizeof rel, "reports/%s/report.txt", cand);
	if (write_file(st, rel, &txt, b, e) != 0)
		goto out;
	self->bytes_written += html.len + txt.len;
	self->written++;
	rc = 0;
out:
	sbuf_free(&html);
	sbuf_free(&txt);
	return rc;
}

/* A list of candidate ids read from the database, owned. */
struct idlist {
	char **v;
	size_t n, cap;
};

static void idlist_free(struct idlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Fills l with every candidate id; with changed_upto > 0, only those with a
 * verdict recorded in a run after since, up to changed_upto. */
static int list_candidates(sqlite3 *db, int64_t changed_upto, int64_t since, struct idlist *l,
			   struct ferr *e)
{
	static const char ALL[] =
		"SELECT candidate_id FROM files UNION SELECT candidate_id FROM entries ORDER BY 1";
	static const char CHANGED[] =
		"SELECT DISTINCT f.candidate_id FROM verdict_history h JOIN files f ON f.id = h.file_id"
		" WHERE h.run_id > ?2 AND h.run_id <= ?1 ORDER BY 1";
	sqlite3_stmt *st = db_prepare(db, changed_upto > 0 ? CHANGED : ALL, e);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, changed_upto);
	sqlite3_bind_int64(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 64;
			char **v = realloc(l->v, cap * sizeof *v);
			if (v == NULL)
				break;
			l->v = v;
			l->cap = cap;
		}
		if ((l->v[l->n] = strdup(db_col_text(st, 0))) == NULL)
			break;
		l->n++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return ferr_set(e, FERR_SYSTEM, "out of memory listing candidates");
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

/* True when id is a whole line of list. */
static bool listed(const struct sbuf *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list->buf, *end = list->buf ? list->buf + list->len : NULL;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len == n && memcmp(p, id, n) == 0)
			return true;
		p = nl ? nl + 1 : end;
	}
	return false;
}

/* Copies the usable ids of an existing notify list (at most 1 MiB of it) into
 * list.  A missing or unreadable file adds nothing. */
static void keep_earlier(const struct store *st, const char *rel, struct sbuf *list)
{
	char path[4096], line[256];
	FILE *f;
	long total = 0;

	if (store_path(st, rel, path, sizeof path) != 0 || (f = fopen(path, "r")) == NULL)
		return;
	while (total < (1L << 20) && fgets(line, sizeof line, f)) {
		total += (long)strlen(line);
		line[strcspn(line, "\n")] = '\0';
		if (report_candidate_id_ok(line) && !listed(list, line)) {
			sbuf_adds(list, line);
			sbuf_addc(list, '\n');
		}
	}
	fclose(f);
}

/* Commits the summary as DATA/reports/nightly/<name>.html and .txt. */
static int write_summary(const struct store *st, const char *name, const struct sbuf *html,
			 const struct sbuf *txt, struct batch *b, struct ferr *e)
{
	char rel[96];

	snprintf(rel, sizeof rel, "reports/nightly/%.40s.html", name);
	if (write_file(st, rel, html, b, e) != 0)
		return -1;
	snprintf(rel, sizeof rel, "reports/nightly/%.40s.txt", name);
	return write_file(st, rel, txt, b, e);
}

int report_run(sqlite3 *db, const struct config *cfg, const struct store *st,
	       const struct report_day *day, int64_t run_id, bool notify,
	       struct report_self *self, struct sbuf *summary_txt, struct ferr *e)
{
	struct idlist all = { 0 }, changed = { 0 };
	struct batch batch = { 0 };
	struct report_day dd = *day, *d = &dd;
	struct sbuf list, daylist, html;
	struct ferr ce;
	char rel[96];
	int rc = -1;

	sbuf_init(&list);
	sbuf_init(&daylist);
	sbuf_init(&html);
	/* what is new: everything since the last run whose report was written,
	 * so that verdicts of a run stopped before its report are not lost */
	d->since_run = run_id > 0 ? report_last_reported_run(db, run_id) : 0;
	self->in_run = notify && run_id > 0;
	if (list_candidates(db, 0, 0, &all, e) != 0)
		goto out;
	for (size_t i = 0; i < all.n; i++) {
		self->candidates++;
		ferr_clear(&ce);
		if (!report_candidate_id_ok(all.v[i]))
			ferr_set(&ce, FERR_SYSTEM, "candidate id is not usable as a directory name");
		if (ce.cls != FERR_NONE ||
		    write_candidate(db, cfg, st, d, all.v[i], &batch, self, &ce) != 0) {
			self->failures++;
			record_failure(db, run_id, all.v[i], ce.msg);
		}
	}
	if (self->in_run) {
		if (list_candidates(db, run_id, d->since_run, &changed, e) != 0)
			goto out;
		/* the mailer reads one id a line: an id we could not use stays out */
		for (size_t i = 0; i < changed.n; i++) {
			if (!report_candidate_id_ok(changed.v[i]))
				continue;
			sbuf_adds(&list, changed.v[i]);
			sbuf_addc(&list, '\n');
			self->notified++;
		}
		/* the run's own list: what a mailer that read the earlier ones of
		 * the day has not seen */
		snprintf(rel, sizeof rel, "reports/notify-%.10s-run%lld.txt", d->date,
			 (long long)run_id);
		if (write_file(st, rel, &list, &batch, e) != 0)
			goto out;
		self->bytes_written += list.len;
		/* the day's list adds to itself, never replaces: the union of the
		 * day's run lists */
		snprintf(rel, sizeof rel, "reports/notify-%.10s.txt", d->date);
		keep_earlier(st, rel, &daylist);
		for (size_t i = 0; i < changed.n; i++) {
			if (!report_candidate_id_ok(changed.v[i]) || listed(&daylist, changed.v[i]))
				continue;
			sbuf_adds(&daylist, changed.v[i]);
			sbuf_addc(&daylist, '\n');
		}
		for (size_t i = 0; i < daylist.len; i++)
			self->notified_day += daylist.buf[i] == '\n';
		if (write_file(st, rel, &daylist, &batch, e) != 0)
			goto out;
		self->bytes_written += daylist.len;
	}
	if (report_nightly(db, cfg, d, run_id, self, &html, summary_txt, e) != 0)
		goto out;
	/* one summary per run, and the day's latest under the day's name */
	if (self->in_run) {
		snprintf(rel, sizeof rel, "%.10s-run%lld", d->date, (long long)run_id);
		if (write_summary(st, rel, &html, summary_txt, &batch, e) != 0)
			goto out;
	}
	if (write_summary(st, d->date, &html, summary_txt, &batch, e) != 0)
		goto out;
	/* every report of the run made durable and put in place at once */
	if (batch_commit(st, &batch, e) != 0)
		goto out;
	self->bytes_written += html.len + summary_txt->len;
	rc = self->failures ? 1 : 0;
out:
	batch_drop(&batch);
	idlist_free(&all);
	idlist_free(&changed);
	sbuf_free(&list);
	sbuf_free(&daylist);
	sbuf_free(&html);
	return rc;
}
