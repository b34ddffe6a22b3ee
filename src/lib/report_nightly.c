/* report_nightly.c — the operator's summary of one run: what came in, what
 * was decided, what broke on our side and what to do about it, and what
 * each stage cost.
 *
 * Each section is one query, kept to a table of label and value rows that
 * both layouts (HTML, plain text) print: the summary is read by people
 * and a mailer, not parsed, so plain columns suffice. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "db.h"
#include "html.h"
#include "reasons.h"

#define MAX_ROWS 2000		/* rows per section; beyond, counted */
#define MAX_COLS 8
#define MAX_UNKNOWN 32		/* distinct codes not in the table */

struct table {
	const char *title, *note;
	int ncols;
	const char *head[MAX_COLS];
	bool num[MAX_COLS];	/* right-aligned */
	struct sbuf cells;	/* rows of ncols NUL-terminated cells */
	size_t nrows, dropped;
	const char *empty;	/* said when there are no rows */
};

static void table_init(struct table *t, const char *title, const char *empty, int ncols)
{
	memset(t, 0, sizeof *t);
	t->title = title;
	t->empty = empty;
	t->ncols = ncols;
	sbuf_init(&t->cells);
}

/* Appends one row; cells beyond the count are "". */
static void table_row(struct table *t, const char *const *cells)
{
	if (t->nrows >= MAX_ROWS) {
		t->dropped++;
		return;
	}
	for (int i = 0; i < t->ncols; i++)
		sbuf_add(&t->cells, cells[i] ? cells[i] : "", strlen(cells[i] ? cells[i] : "") + 1);
	t->nrows++;
}

static double now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void fmt_secs(double s, char *out, size_t n)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, n, "%.1f s", s);
	else
		snprintf(out, n, "%ld min %02ld s", (long)s / 60, (long)s % 60);
}

static void fmt_count(long long v, char *out, size_t n) { snprintf(out, n, "%lld", v); }

/* --- the sections -------------------------------------------------------- */

/* ?1 is the run, ?2 the last run reported before it (d->since_run): "tonight"
 * is every run after ?2 up to ?1.  A query without ?2 ignores it. */
static int one_int(sqlite3 *db, const char *sql, int64_t run, int64_t since, long long *out,
		   struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db, sql, e);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, since);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

static int overview(sqlite3 *db, int64_t run, int64_t since, const struct report_self *self,
		    struct table *t, struct ferr *e)
{
	static const struct { const char *label, *sql; } Q[] = {
		{ "Candidates seen tonight",
		  "SELECT COUNT(DISTINCT candidate_id) FROM uploads WHERE seen_run > ?2"
		  " AND seen_run <= ?1" },
		{ "Candidates in the manifest",
		  "SELECT COUNT(*) FROM (SELECT candidate_id FROM files UNION"
		  " SELECT candidate_id FROM entries)" },
		{ "New uploads",
		  "SELECT COUNT(*) FROM uploads WHERE first_run > ?2 AND first_run <= ?1" },
		{ "Changed uploads (same name, new content)",
		  "SELECT COUNT(*) FROM uploads WHERE changed_run > ?2 AND changed_run <= ?1"
		  " AND NOT (first_run > ?2 AND first_run <= ?1)" },
		{ "Bytes of new and changed uploads",
		  "SELECT COALESCE(SUM(size_bytes), 0) FROM uploads WHERE (changed_run > ?2 AND"
		  " changed_run <= ?1) OR (first_run > ?2 AND first_run <= ?1)" },
		{ "Files judged tonight",
		  "SELECT COUNT(DISTINCT file_id) FROM verdict_history WHERE run_id > ?2"
		  " AND run_id <= ?1" },
		{ "Entries that became complete tonight",
		  "SELECT COUNT(*) FROM entries WHERE completed_run > ?2 AND completed_run <= ?1" },
		{ "System failures tonight",
		  "SELECT COUNT(*) FROM system_failures WHERE run_id > ?2 AND run_id <= ?1" },
		{ "Files held for an operator (all runs)",
		  "SELECT COUNT(*) FROM files WHERE active = 1 AND state = 'held'" },
	};
	char v[32];
	long long n;

	table_init(t, "Overview", NULL, 2);
	t->head[0] = "What";
	t->head[1] = "Count";
	t->num[1] = true;
	for (size_t i = 0; i < sizeof Q / sizeof Q[0]; i++) {
		if (one_int(db, Q[i].sql, run, since, &n, e) != 0)
			return -1;
		fmt_count(n, v, sizeof v);
		if (strncmp(Q[i].label, "Bytes", 5) == 0)
			report_fmt_size((uint64_t)n, v, sizeof v);
		table_row(t, (const char *[]){ Q[i].label, v });
	}
	fmt_count(self ? self->candidates : 0, v, sizeof v);
	table_row(t, (const char *[]){ "Candidate reports written", v });
	if (self && self->in_run) {
		fmt_count(self->notified, v, sizeof v);
		table_row(t, (const char *[]){ "Candidates to notify (this run's list)", v });
		fmt_count(self->notified_day, v, sizeof v);
		table_row(t, (const char *[]){ "Candidates on the day's notify list", v });
	}
	return 0;
}

static int verdicts(sqlite3 *db, int64_t run, int64_t since, struct table *t, struct ferr *e)
{
	/* a file judged twice tonight counts once, by its last verdict */
	sqlite3_stmt *st = db_prepare(db,
		"WITH tonight AS (SELECT h.verdict FROM verdict_history h WHERE h.run_id > ?2 AND"
		"  h.run_id <= ?1 AND h.id = (SELECT MAX(id) FROM verdict_history WHERE"
		"  file_id = h.file_id AND run_id > ?2 AND run_id <= ?1)),"
		" v(verdict, ord) AS (VALUES('accepted',1),('rejected',2),('skipped',3),"
		"  ('superseded',4),('pending',5))"
		" SELECT v.verdict, (SELECT COUNT(*) FROM files WHERE active = 1 AND verdict = v.verdict),"
		"  (SELECT COUNT(*) FROM tonight WHERE verdict = v.verdict) FROM v ORDER BY ord", e);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, since);
	table_init(t, "Files by verdict", NULL, 3);
	t->head[0] = "Verdict";
	t->head[1] = "All files";
	t->head[2] = "Judged tonight";
	t->num[1] = t->num[2] = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char a[32], b[32];
		fmt_count(sqlite3_column_int64(st, 1), a, sizeof a);
		fmt_count(sqlite3_column_int64(st, 2), b, sizeof b);
		table_row(t, (const char *[]){ db_col_text(st, 0), a, b });
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

/* Counts each code of a comma-separated list into all[] (the table's
 * order) or, for codes not in the table, into the unknown list. */
struct counts {
	long long all[64], tonight[64];
	char unknown[MAX_UNKNOWN][64];
	long long unknown_all[MAX_UNKNOWN], unknown_tonight[MAX_UNKNOWN];
	int nunknown;
};

static void count_codes(struct counts *c, const char *list, bool tonight)
{
	const struct reason *table = reason_table();
	char code[64];

	for (const char *p = list; *p; ) {
		size_t n = strcspn(p, ",");
		if (n > 0 && n < sizeof code) {
			const struct reason *r;
			memcpy(code, p, n);
			code[n] = '\0';
			r = reason_find(code);
			if (r && r - table < 64) {
				c->all[r - table] += !tonight;
				c->tonight[r - table] += tonight;
			} else {
				int i = 0;
				while (i < c->nunknown && strcmp(c->unknown[i], code) != 0)
					i++;
				if (i == c->nunknown && i < MAX_UNKNOWN)
					memcpy(c->unknown[c->nunknown++], code, n + 1);
				if (i < c->nunknown) {
					c->unknown_all[i] += !tonight;
					c->unknown_tonight[i] += tonight;
				}
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

static int reason_counts(sqlite3 *db, int64_t run, int64_t since, struct table *t,
			 struct ferr *e)
{
	static const char SQL[] =
		"SELECT 0, CASE WHEN post_reasons = '' THEN reasons WHEN reasons = '' THEN"
		" post_reasons ELSE reasons || ',' || post_reasons END FROM files WHERE active = 1"
		" UNION ALL SELECT 1, h.reasons FROM verdict_history h WHERE h.run_id > ?2 AND"
		" h.run_id <= ?1 AND h.id = (SELECT MAX(id) FROM verdict_history WHERE"
		" file_id = h.file_id AND run_id > ?2 AND run_id <= ?1)";
	const struct reason *table = reason_table();
	sqlite3_stmt *st = db_prepare(db, SQL, e);
	struct counts *c = calloc(1, sizeof *c);
	char a[32], b[32];
	int rc = SQLITE_ERROR;

	table_init(t, "Reason codes", "No file has a reason code.", 4);
	t->head[0] = "Code";
	t->head[1] = "Kind";
	t->head[2] = "Files now";
	t->head[3] = "Tonight";
	t->num[2] = t->num[3] = true;
	t->note = "Files now: active files carrying the code; tonight: files judged tonight"
		  " (docs/reasons.md says what each code means).";
	if (st == NULL || c == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		count_codes(c, db_col_text(st, 1), sqlite3_column_int(st, 0) == 1);
	for (int i = 0; i < 64 && table[i].code; i++) {
		if (c->all[i] == 0 && c->tonight[i] == 0)
			continue;
		fmt_count(c->all[i], a, sizeof a);
		fmt_count(c->tonight[i], b, sizeof b);
		table_row(t, (const char *[]){ table[i].code, report_reason_kind(&table[i]), a, b });
	}
	for (int i = 0; i < c->nunknown; i++) {
		fmt_count(c->unknown_all[i], a, sizeof a);
		fmt_count(c->unknown_tonight[i], b, sizeof b);
		table_row(t, (const char *[]){ c->unknown[i], "not in docs/reasons.md", a, b });
	}
out:
	sqlite3_finalize(st);
	free(c);
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, st ? "sqlite: %s" : "%s",
				st ? sqlite3_errmsg(db) : "out of memory counting reasons");
	return 0;
}

/* Runs sql (?1 = run) and adds every row's first ncols columns as text. */
static int rows(sqlite3 *db, int64_t run, int64_t since, const char *sql, struct table *t,
		struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db, sql, e);
	const char *cells[MAX_COLS];
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < t->ncols; i++)
			cells[i] = db_col_text(st, i);
		table_row(t, cells);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

static int stages(sqlite3 *db, int64_t run, const struct report_self *self, struct table *t,
		  struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT stage, started_at, finished_at, exit_code, items, failures, bytes_read,"
		" bytes_written FROM run_stages WHERE run_id = ?1 ORDER BY started_at", e);
	double total = 0;
	unsigned long long rd = 0, wr = 0;
	bool self_seen = false, mine = false;
	char c[6][32];
	int rc;

	table_init(t, "Stages", "No stage recorded for this run.", 7);
	t->head[0] = "Stage";
	t->head[1] = "Time";
	t->head[2] = "Exit";
	t->head[3] = "Items";
	t->head[4] = "Failures";
	t->head[5] = "Read";
	t->head[6] = "Written";
	for (int i = 1; i < 7; i++)
		t->num[i] = true;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = db_col_text(st, 0);
		bool done = sqlite3_column_type(st, 2) != SQLITE_NULL;
		/* this stage's own row, written by the runner once it has ended */
		bool me = self && self->in_run && !done && strcmp(name, "folio-report") == 0;
		double took = (me ? now_s() : sqlite3_column_double(st, 2)) -
			      sqlite3_column_double(st, 1);
		unsigned long long r = me ? self->bytes_read
					  : (unsigned long long)sqlite3_column_int64(st, 6);
		unsigned long long w = me ? self->bytes_written
					  : (unsigned long long)sqlite3_column_int64(st, 7);

		/* a report stage already ended (this one run again by hand): its row */
		self_seen |= strcmp(name, "folio-report") == 0;
		mine |= me;
		fmt_secs(took, c[0], sizeof c[0]);
		if (!done && !me)
			snprintf(c[0], sizeof c[0], "not finished");
		/* its exit code is not known until after it wrote this */
		snprintf(c[1], sizeof c[1], "%s", me ? "(this summary)" : done ? db_col_text(st, 3)
										: "");
		fmt_count(me ? self->written : sqlite3_column_int64(st, 4), c[2], sizeof c[2]);
		fmt_count(me ? self->failures : sqlite3_column_int64(st, 5), c[3], sizeof c[3]);
		report_fmt_size(r, c[4], sizeof c[4]);
		report_fmt_size(w, c[5], sizeof c[5]);
		total += took > 0 ? took : 0;
		rd += r;
		wr += w;
		table_row(t, (const char *[]){ name, c[0], c[1], c[2], c[3], c[4], c[5] });
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	if (self && self->in_run && !self_seen) {
		double took = now_s() - self->started;
		fmt_secs(took, c[0], sizeof c[0]);
		fmt_count(self->written, c[2], sizeof c[2]);
		fmt_count(self->failures, c[3], sizeof c[3]);
		report_fmt_size(self->bytes_read, c[4], sizeof c[4]);
		report_fmt_size(self->bytes_written, c[5], sizeof c[5]);
		total += took;
		rd += self->bytes_read;
		wr += self->bytes_written;
		table_row(t, (const char *[]){ "folio-report", c[0], "(this summary)", c[2], c[3],
					       c[4], c[5] });
		mine = true;
	}
	if (mine)
		t->note = "folio-report is the stage that wrote this summary: its row shows its work"
			  " until then; its exit code is recorded once it ends.";
	fmt_secs(total, c[0], sizeof c[0]);
	report_fmt_size(rd, c[4], sizeof c[4]);
	report_fmt_size(wr, c[5], sizeof c[5]);
	table_row(t, (const char *[]){ "Total", c[0], "", "", "", c[4], c[5] });
	return 0;
}

/* --- layouts --------------------------------------------------------------- */

static const char CSS[] =
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
	"color:#1b1b1b}main{max-width:64rem;margin:0 auto;padding:1rem}"
	"h1{font-size:1.4rem}h2{font-size:1.1rem;margin:1.5rem 0 .4rem}"
	"table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .45rem;"
	"text-align:left;vertical-align:top;overflow-wrap:anywhere}thead th{background:#f1f1f1}"
	"td.num,th.num{text-align:right;white-space:nowrap}.scroll{overflow-x:auto}p.note{color:#444;font-size:.9rem}"
	"@media print{thead th{background:none}tr{break-inside:avoid}}";

static void html_table(struct sbuf *b, const struct table *t)
{
	const char *p = sbuf_str(&t->cells);

	sbuf_adds(b, "<section><h2>");
	html_escape(b, t->title);
	sbuf_adds(b, "</h2>\n");
	if (t->note) {
		sbuf_adds(b, "<p class=\"note\">");
		html_escape(b, t->note);
		sbuf_adds(b, "</p>\n");
	}
	if (t->nrows == 0 && t->empty) {
		sbuf_adds(b, "<p>");
		html_escape(b, t->empty);
		sbuf_adds(b, "</p></section>\n");
		return;
	}
	/* the stage table is wider than a phone: it scrolls, not the page */
	sbuf_adds(b, "<div class=\"scroll\"><table><thead><tr>");
	for (int i = 0; i < t->ncols; i++)
		sbuf_addf(b, "<th scope=\"col\"%s>%s</th>", t->num[i] ? " class=\"num\"" : "",
			  t->head[i]);
	sbuf_adds(b, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		sbuf_adds(b, "<tr>");
		for (int i = 0; i < t->ncols; i++) {
			sbuf_adds(b, i == 0 ? "<th scope=\"row\">" : t->num[i] ? "<td class=\"num\">"
								       : "<td>");
			html_clean(b, p, 400, true);
			sbuf_adds(b, i == 0 ? "</th>" : "</td>");
			p += strlen(p) + 1;
		}
		sbuf_adds(b, "</tr>\n");
	}
	sbuf_adds(b, "</tbody></table></div>\n");
	if (t->dropped)
		sbuf_addf(b, "<p>and %zu more rows</p>\n", t->dropped);
	sbuf_adds(b, "</section>\n");
}

/* Column widths in code points of the cleaned cells, capped so one long
 * error does not push every row off the page. */
static void text_table(struct sbuf *b, const struct table *t)
{
	size_t w[MAX_COLS] = { 0 };
	struct sbuf cell;
	const char *p;

	sbuf_init(&cell);
	sbuf_addf(b, "\n%s\n", t->title);
	sbuf_pad(b, '-', strlen(t->title));
	sbuf_addc(b, '\n');
	if (t->note)
		sbuf_wrap(b, t->note, 0, 0, 76);
	if (t->nrows == 0 && t->empty) {
		sbuf_addf(b, "%s\n", t->empty);
		return;
	}
	for (int i = 0; i < t->ncols; i++)
		w[i] = strlen(t->head[i]);
	p = sbuf_str(&t->cells);
	for (size_t r = 0; r < t->nrows; r++)
		for (int i = 0; i < t->ncols; i++) {
			size_t n = 0;
			for (const char *q = p; *q; q++)
				n += ((unsigned char)*q & 0xC0) != 0x80;
			if (n > w[i])
				w[i] = n > 48 ? 48 : n;
			p += strlen(p) + 1;
		}
	for (int i = 0; i < t->ncols; i++) {
		size_t n = strlen(t->head[i]);
		if (t->num[i])
			sbuf_pad(b, ' ', w[i] - n);
		sbuf_adds(b, t->head[i]);
		if (!t->num[i] && i + 1 < t->ncols)
			sbuf_pad(b, ' ', w[i] - n);
		sbuf_adds(b, i + 1 < t->ncols ? "  " : "\n");
	}
	p = sbuf_str(&t->cells);
	for (size_t r = 0; r < t->nrows; r++) {
		for (int i = 0; i < t->ncols; i++) {
			size_t n = 0;
			sbuf_reset(&cell);
			html_clean(&cell, p, i + 1 < t->ncols ? 48 : 400, false);
			for (const char *q = sbuf_str(&cell); *q; q++)
				n += ((unsigned char)*q & 0xC0) != 0x80;
			if (t->num[i] && n < w[i])
				sbuf_pad(b, ' ', w[i] - n);
			sbuf_adds(b, sbuf_str(&cell));
			if (!t->num[i] && i + 1 < t->ncols && n < w[i])
				sbuf_pad(b, ' ', w[i] - n);
			sbuf_adds(b, i + 1 < t->ncols ? "  " : "\n");
			p += strlen(p) + 1;
		}
	}
	if (t->dropped)
		sbuf_addf(b, "and %zu more rows\n", t->dropped);
	b->failed |= cell.failed;
	sbuf_free(&cell);
}

int report_nightly(sqlite3 *db, const struct config *cfg, const struct report_day *d,
		   int64_t run_id, const struct report_self *self, struct sbuf *html,
		   struct sbuf *txt, struct ferr *e)
{
	enum { OVERVIEW, VERDICTS, REASONS, COMPLETE, FAILURES, STAGES, NT };
	struct table t[NT];
	struct sbuf lead, wrote;
	char head[160], when[64] = "", end[96] = "", now[64];
	long long started = 0, finished = 0;
	int64_t since = d->since_run > 0 && d->since_run < run_id ? d->since_run : 0;
	int rc = -1;

	sbuf_init(&lead);
	sbuf_init(&wrote);
	for (int i = 0; i < NT; i++)
		table_init(&t[i], "", NULL, 1);
	if (one_int(db, "SELECT started_at FROM runs WHERE id = ?1", run_id, since, &started,
		    e) != 0 ||
	    one_int(db, "SELECT finished_at FROM runs WHERE id = ?1", run_id, since, &finished,
		    e) != 0)
		goto out;
	report_fmt_time(d->tz, time(NULL), true, now, sizeof now);
	if (started > 0)
		report_fmt_time(d->tz, (time_t)started, true, when, sizeof when);
	if (finished > 0) {
		char fin[64];
		report_fmt_time(d->tz, (time_t)finished, true, fin, sizeof fin);
		snprintf(end, sizeof end, ", finished %s", fin);
	}
	/* what is true of the moment this is written: by the run's own report
	 * stage (its last; the run ends just after it), or by hand later */
	if (self && self->in_run)
		sbuf_addf(&wrote, "This summary was written by the report stage of run %lld, on %s"
			  " (%s time).", (long long)run_id, now, d->tz);
	else
		sbuf_addf(&wrote, "This summary was written by 'folio report' on %s (%s time).",
			  now, d->tz);
	if (overview(db, run_id, since, self, &t[OVERVIEW], e) != 0 ||
	    verdicts(db, run_id, since, &t[VERDICTS], e) != 0 ||
	    reason_counts(db, run_id, since, &t[REASONS], e) != 0)
		goto out;
	table_init(&t[COMPLETE], "Entries complete tonight",
		   "No entry became complete tonight.", 2);
	t[COMPLETE].head[0] = "Candidate";
	t[COMPLETE].head[1] = "Entry";
	table_init(&t[FAILURES], "System failures",
		   "None: every failure tonight, if any, was in candidates' content.", 6);
	t[FAILURES].note = "Failures of the system, not of candidates' content: the file is retried"
			   " on the next run, and held for an operator after max_attempts.";
	t[FAILURES].head[0] = "Run";
	t[FAILURES].head[1] = "Stage";
	t[FAILURES].head[2] = "Candidate";
	t[FAILURES].head[3] = "File";
	t[FAILURES].head[4] = "Error";
	t[FAILURES].head[5] = "What to do";
	t[FAILURES].num[0] = true;
	if (rows(db, run_id, since, "SELECT candidate_id, entry_id FROM entries WHERE"
		 " completed_run > ?2 AND completed_run <= ?1 ORDER BY 1, 2", &t[COMPLETE], e) != 0 ||
	    rows(db, run_id, since, "SELECT s.run_id, s.stage, COALESCE(s.candidate_id, ''),"
		 " COALESCE(f.source_path, ''), s.error, COALESCE(s.action, 'look at the error,"
		 " fix the cause, then ''folio reprocess'' the candidate') FROM system_failures s"
		 " LEFT JOIN files f ON f.id = s.file_id WHERE s.run_id > ?2 AND s.run_id <= ?1"
		 " ORDER BY s.id", &t[FAILURES], e) != 0 ||
	    stages(db, run_id, self, &t[STAGES], e) != 0)
		goto out;

	if (run_id > 0)
		snprintf(head, sizeof head, "folio nightly summary: run %lld of %s",
			 (long long)run_id, d->date);
	else
		snprintf(head, sizeof head, "folio summary of %s (no run recorded)", d->date);
	/* the lead paragraph, the same words in both layouts */
	if (started > 0)
		sbuf_addf(&lead, "Started %s%s (%s time). ", when, end, d->tz);
	sbuf_addf(&lead, "%s ", sbuf_str(&wrote));
	if (run_id > 0 && since + 1 >= run_id)
		sbuf_addf(&lead, "\"Tonight\" is run %lld", (long long)run_id);
	else if (run_id > 0)
		sbuf_addf(&lead, "\"Tonight\" is runs %lld to %lld", (long long)since + 1,
			  (long long)run_id);
	if (run_id > 0 && since > 0)
		sbuf_addf(&lead, ": every run since run %lld, the last whose report was written. ",
			  (long long)since);
	else if (run_id > 0)
		sbuf_adds(&lead, ": every run so far (no earlier run's report was written). ");
	sbuf_addf(&lead, "Config %s. Reports: DATA/reports/<candidate>/report.html and .txt; ",
		  cfg->version);
	if (self && self->in_run)
		sbuf_addf(&lead, "to notify: DATA/reports/notify-%s-run%lld.txt (%ld, this run's"
			  " list; the day's list, DATA/reports/notify-%s.txt, holds %ld). This"
			  " summary: DATA/reports/nightly/%s-run%lld.txt, also the day's latest,"
			  " nightly/%s.txt.", d->date, (long long)run_id, self->notified, d->date,
			  self->notified_day, d->date, (long long)run_id, d->date);
	else
		sbuf_adds(&lead, "no notify list (written only by the report stage of 'folio run').");
	sbuf_addf(html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
		  " style-src 'unsafe-inline'\"><title>%s</title><style>%s</style></head>\n"
		  "<body><main><h1>%s</h1>\n<p>", head, CSS, head);
	html_escape(html, sbuf_str(&lead));
	sbuf_adds(html, "</p>\n");
	sbuf_addf(txt, "%s\n", head);
	sbuf_pad(txt, '=', strlen(head));
	sbuf_addc(txt, '\n');
	sbuf_wrap(txt, sbuf_str(&lead), 0, 0, 76);
	for (int i = 0; i < NT; i++) {
		html_table(html, &t[i]);
		text_table(txt, &t[i]);
	}
	sbuf_adds(html, "</main></body></html>\n");
	if (sbuf_failed(html) || sbuf_failed(txt) || sbuf_failed(&lead) || sbuf_failed(&wrote)) {
		ferr_set(e, FERR_SYSTEM, "out of memory composing the nightly summary");
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < NT; i++)
		sbuf_free(&t[i].cells);
	sbuf_free(&lead);
	sbuf_free(&wrote);
	return rc;
}
