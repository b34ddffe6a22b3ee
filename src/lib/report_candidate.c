/* report_candidate.c — one candidate's report: the model read from the
 * database, then the same content laid out as HTML and as plain text.
 *
 * Threat: every name, path and libmagic description here came from a
 * candidate's upload.  Each is written through html_clean() (controls and
 * bidi overrides replaced, long names shortened, and in HTML escaped); the
 * sentences are ours, but they are escaped too, since some quote names. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "html.h"
#include "reasons.h"

#define MAX_FILES 20000		/* rows shown per candidate; the rest are counted */
#define MAX_ENTRIES 32
#define MAX_CHAIN 8		/* archive layers named in "in X, inside Y" */
#define WIDTH 76		/* the text report's line width */
#define MAX_TWINS 100		/* duplicates named per report: each is a scan of all files */

enum result { RES_OK, RES_CONVERTED, RES_ACTION, RES_SKIPPED, RES_REPLACED, RES_PROCESSING };
static const struct label { const char *text, *key, *mark; } RESULTS[] = {
	[RES_OK] = { "OK", "ok", "\xE2\x9C\x93" },
	[RES_CONVERTED] = { "Converted for scorers", "converted", "\xE2\x9C\x93" },
	[RES_ACTION] = { "Action needed", "action", "\xE2\x9C\x97" },
	[RES_SKIPPED] = { "Skipped", "skipped", "\xE2\x80\x93" },
	[RES_REPLACED] = { "Replaced by a newer upload", "replaced", "\xE2\x86\xBB" },
	[RES_PROCESSING] = { "Still being processed", "processing", "\xE2\x80\xA6" },
};

enum slot_state { SLOT_OK, SLOT_PENDING, SLOT_ACTION, SLOT_EMPTY };
static const struct label SLOTS[] = {
	[SLOT_OK] = { "Received", "ok", "\xE2\x9C\x93" },
	[SLOT_PENDING] = { "Being checked", "processing", "\xE2\x80\xA6" },
	[SLOT_ACTION] = { "Needs a new file", "action", "\xE2\x9C\x97" },
	[SLOT_EMPTY] = { "Missing", "missing", "\xE2\x97\x8B" },
};

enum status { ST_READY, ST_ATTENTION, ST_MISSING, ST_PROCESSING };
static const struct label STATUSES[] = {
	[ST_READY] = { "Ready for scoring", "ready", "\xE2\x9C\x93" },
	[ST_ATTENTION] = { "Needs attention", "needs-attention", "\xE2\x9A\xA0" },
	[ST_MISSING] = { "Missing items", "missing-items", "\xE2\x9C\x97" },
	[ST_PROCESSING] = { "Still being processed", "processing", "\xE2\x80\xA6" },
};

/* Strings of one report live in an arena freed at once: the model is built
 * once, read twice, and dropped. */
struct block {
	struct block *next;
	size_t used, cap;
	char data[];
};
struct arena {
	struct block *head;
	bool failed;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->head;

	n = (n + 7) & ~(size_t)7;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > 32768 ? n : 32768;
		b = malloc(sizeof *b + cap);
		if (b == NULL) {
			a->failed = true;
			return NULL;
		}
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* A copy of s in the arena; "" when out of memory (a->failed is set). */
static char *arena_str(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);

	if (p == NULL)
		return (char *)"";
	memcpy(p, s, n);
	return p;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct block *b = a->head;
		a->head = b->next;
		free(b);
	}
}

struct note {
	const char *what, *fix;
	bool problem;		/* false: a warning, or something done for them */
};

struct file {
	int64_t id, parent, size, upload_time;
	bool has_size, has_dur, changed, listed, has_members;
	double dur;
	int rotation, slot_index, entry_index;
	const char *entry, *slot, *path, *verdict, *reasons, *state, *mime, *kind, *desc;
	const char *vcodec, *acodec, *sha, *normalized;
	/* derived */
	const char *name;	/* the name inside its archive, else path */
	const char *found;	/* type · duration · size */
	const char *fixed;	/* automatic fixes, or NULL */
	enum result res;
	int nnotes;
	struct note *notes;
};

struct entry {
	const char *id, *status, *missing;
	const struct entry_rule *rule;
	enum status st;
	enum slot_state slot[CONFIG_MAX_SLOTS];
	int nfiles, nother;
};

struct cand {
	struct arena a;
	const char *id;
	const struct config *cfg;
	const struct report_day *day;
	struct file *files;	/* by id, for parent lookups */
	size_t nfiles, cap, dropped;
	struct file **order;	/* display order */
	struct entry entries[MAX_ENTRIES];
	int nentries, dropped_entries;
	int twins;		/* duplicate-file sentences that named the original */
};

static bool eq(const char *a, const char *b) { return strcmp(a, b) == 0; }

static struct entry *entry_get(struct cand *c, const char *id)
{
	for (int i = 0; i < c->nentries; i++)
		if (eq(c->entries[i].id, id))
			return &c->entries[i];
	if (c->nentries == MAX_ENTRIES) {
		c->dropped_entries++;
		return NULL;
	}
	struct entry *en = &c->entries[c->nentries++];
	memset(en, 0, sizeof *en);
	en->id = arena_str(&c->a, id);
	en->status = en->missing = "";
	en->rule = config_entry(c->cfg, id);
	return en;
}

static int load_entries(sqlite3 *db, struct cand *c, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT entry_id, status, missing_slots FROM manifest_entries"
		" WHERE candidate_id = ?1 ORDER BY entry_id", e);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct entry *en = entry_get(c, db_col_text(st, 0));
		if (en == NULL)
			continue;
		en->status = arena_str(&c->a, db_col_text(st, 1));
		en->missing = arena_str(&c->a, db_col_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

/* The files as the manifest_files view has them (active rows, facts joined,
 * the normalizer's warnings after the validator's reasons), with the
 * columns the view leaves out: the id and parent that name the archive a
 * member came in, the state and upload time.  The view has no file id to
 * join on, and source paths need not be unique, so the tables are read. */
static const char FILES_SQL[] =
	"SELECT f.id, f.parent_id, f.entry_id, COALESCE(f.slot_id, ''), f.source_path,"
	" f.size_bytes, f.upload_time, f.state, f.verdict,"
	" CASE WHEN f.post_reasons = '' THEN f.reasons WHEN f.reasons = '' THEN f.post_reasons"
	"  ELSE f.reasons || ',' || f.post_reasons END,"
	" x.mime_type, x.kind, x.description, x.duration_s, x.rotation, x.video_codec,"
	" x.audio_codec, f.sha256, f.normalized_path"
	" FROM files f LEFT JOIN facts x ON x.sha256 = f.sha256"
	" WHERE f.candidate_id = ?1 AND f.active = 1 ORDER BY f.id";

static void read_file_row(struct cand *c, sqlite3_stmt *st, struct file *f)
{
	struct arena *a = &c->a;

	memset(f, 0, sizeof *f);
	f->id = sqlite3_column_int64(st, 0);
	f->parent = sqlite3_column_int64(st, 1);
	f->entry = arena_str(a, db_col_text(st, 2));
	f->slot = arena_str(a, db_col_text(st, 3));
	f->path = arena_str(a, db_col_text(st, 4));
	f->has_size = sqlite3_column_type(st, 5) != SQLITE_NULL;
	f->size = sqlite3_column_int64(st, 5);
	f->upload_time = sqlite3_column_int64(st, 6);
	f->state = arena_str(a, db_col_text(st, 7));
	f->verdict = arena_str(a, db_col_text(st, 8));
	f->reasons = arena_str(a, db_col_text(st, 9));
	f->mime = arena_str(a, db_col_text(st, 10));
	f->kind = arena_str(a, db_col_text(st, 11));
	f->desc = arena_str(a, db_col_text(st, 12));
	f->has_dur = sqlite3_column_type(st, 13) != SQLITE_NULL;
	f->dur = sqlite3_column_double(st, 13);
	f->rotation = sqlite3_column_int(st, 14);
	f->vcodec = arena_str(a, db_col_text(st, 15));
	f->acodec = arena_str(a, db_col_text(st, 16));
	f->sha = arena_str(a, db_col_text(st, 17));
	f->normalized = arena_str(a, db_col_text(st, 18));
}

static int load_files(sqlite3 *db, struct cand *c, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db, FILES_SQL, e);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->nfiles == MAX_FILES) {
			c->dropped++;
			continue;
		}
		if (c->nfiles == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 64;
			struct file *v = realloc(c->files, cap * sizeof *v);
			if (v == NULL) {
				c->a.failed = true;
				break;
			}
			c->files = v;
			c->cap = cap;
		}
		read_file_row(c, st, &c->files[c->nfiles++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

static struct file *file_by_id(struct cand *c, int64_t id)
{
	size_t lo = 0, hi = c->nfiles;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->files[mid].id == id)
			return &c->files[mid];
		if (c->files[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int load_changes(sqlite3 *db, struct cand *c, struct ferr *e)
{
	sqlite3_stmt *st;
	int rc;

	if (c->day->run_id <= 0)
		return 0;
	st = db_prepare(db,
		"SELECT DISTINCT h.file_id FROM verdict_history h JOIN files f ON f.id = h.file_id"
		" WHERE f.candidate_id = ?1 AND h.run_id > ?3 AND h.run_id <= ?2", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, c->day->run_id);
	sqlite3_bind_int64(st, 3, c->day->since_run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct file *f = file_by_id(c, sqlite3_column_int64(st, 0));
		if (f)
			f->changed = true;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(db));
	return 0;
}

/* --- what we found ------------------------------------------------------ */

static const char *lookup(const char *const (*map)[2], const char *key)
{
	for (; (*map)[0]; map++)
		if (strcasecmp((*map)[0], key) == 0)
			return (*map)[1];
	return NULL;
}

static const char *const CONTAINERS[][2] = {
	{ "video/mp4", "MP4" }, { "audio/mp4", "MP4" }, { "video/quicktime", "QuickTime (MOV)" },
	{ "video/webm", "WebM" }, { "audio/webm", "WebM" }, { "video/x-matroska", "Matroska (MKV)" },
	{ "audio/x-matroska", "Matroska (MKA)" }, { "video/x-msvideo", "AVI" },
	{ "video/x-ms-asf", "Windows Media" }, { "video/x-ms-wmv", "Windows Media" },
	{ "audio/x-ms-wma", "Windows Media" }, { "video/3gpp", "3GP" }, { "video/mpeg", "MPEG" },
	{ "video/mp2t", "MPEG-TS" }, { "video/ogg", "Ogg" }, { "audio/ogg", "Ogg" },
	{ "audio/mpeg", "MP3" }, { "audio/x-m4a", "M4A" }, { "audio/x-wav", "WAV" },
	{ "audio/wav", "WAV" }, { "audio/flac", "FLAC" }, { "audio/x-flac", "FLAC" },
	{ NULL, NULL },
};

static const char *const TYPES[][2] = {
	{ "application/pdf", "PDF document" },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	  "Word document (DOCX)" },
	{ "application/msword", "Word document (DOC)" },
	{ "application/vnd.oasis.opendocument.text", "OpenDocument text (ODT)" },
	{ "application/rtf", "RTF document" }, { "text/rtf", "RTF document" },
	{ "text/plain", "text file" }, { "text/html", "web page (HTML)" },
	{ "image/jpeg", "JPEG image" }, { "image/png", "PNG image" },
	{ "image/heic", "HEIC image" }, { "image/heif", "HEIF image" },
	{ "image/gif", "GIF image" }, { "image/tiff", "TIFF image" }, { "image/webp", "WebP image" },
	{ "application/zip", "ZIP archive" }, { "application/x-tar", "tar archive" },
	{ "application/gzip", "gzip archive" }, { "application/x-gzip", "gzip archive" },
	{ "application/x-7z-compressed", "7-Zip archive" }, { "application/x-rar", "RAR archive" },
	{ "application/vnd.rar", "RAR archive" }, { "application/x-bzip2", "bzip2 archive" },
	{ "application/x-xz", "xz archive" },
	{ NULL, NULL },
};

static const char *const CODECS[][2] = {
	{ "h264", "H.264" }, { "hevc", "HEVC" }, { "h265", "HEVC" }, { "vp8", "VP8" },
	{ "vp9", "VP9" }, { "av1", "AV1" }, { "mpeg4", "MPEG-4" }, { "mpeg2video", "MPEG-2" },
	{ "mpeg1video", "MPEG-1" }, { "wmv1", "WMV" }, { "wmv2", "WMV" }, { "wmv3", "WMV" },
	{ "vc1", "VC-1" }, { "prores", "ProRes" }, { "mjpeg", "Motion JPEG" },
	{ "aac", "AAC" }, { "mp3", "MP3" }, { "opus", "Opus" }, { "vorbis", "Vorbis" },
	{ "pcm_s16le", "PCM" }, { "flac", "FLAC" }, { "wmav2", "WMA" }, { "ac3", "AC-3" },
	{ NULL, NULL },
};

/* A codec as people know it; an unknown one as the probe named it. */
static void put_codec(struct sbuf *b, const char *codec)
{
	const char *s = lookup(CODECS, codec);

	if (s)
		sbuf_adds(b, s);
	else
		html_clean(b, codec, 24, false);
}

/* The file's type in words, e.g. "QuickTime (MOV) video (HEVC)". */
static void put_type(struct sbuf *b, const struct file *f)
{
	const char *cont = lookup(CONTAINERS, f->mime), *type = lookup(TYPES, f->mime);

	if (eq(f->kind, "video") || (eq(f->kind, "audio") && cont)) {
		sbuf_adds(b, cont ? cont : "");
		sbuf_adds(b, eq(f->kind, "video") ? (cont ? " video" : "Video")
						  : " with sound only, no picture");
		if (*f->vcodec || *f->acodec) {
			sbuf_adds(b, " (");
			put_codec(b, eq(f->kind, "video") && *f->vcodec ? f->vcodec : f->acodec);
			sbuf_addc(b, ')');
		}
	} else if (eq(f->kind, "audio")) {
		sbuf_adds(b, "sound only, no picture");
	} else if (type) {
		sbuf_adds(b, type);
	} else if (*f->desc) {
		html_clean(b, f->desc, 60, false);
	} else if (*f->kind) {
		html_clean(b, f->kind, 24, false);
	} else {
		sbuf_adds(b, "not identified");
	}
}

static const struct slot_rule *rule_of(const struct cand *c, const struct file *f)
{
	const struct entry_rule *er = config_entry(c->cfg, f->entry);
	return er && *f->slot ? config_slot(er, f->slot) : NULL;
}

/* A size in the units of the slot's limit, as the config wrote it: "2 GiB"
 * beside a limit of 2 GiB, "1.5 MB" beside one of 100 MB. */
static void fmt_size_for(const struct slot_rule *r, uint64_t n, char *out, size_t outsz)
{
	if (r && report_size_is_binary(r->max_bytes))
		report_fmt_size_binary(n, out, outsz);
	else
		report_fmt_size(n, out, outsz);
}

/* "May 1 – June 15, 2026 at 23:59" (the year once when both share it) */
static void window_range(const struct report_day *d, const struct window *w, char *out,
			 size_t outsz)
{
	char from[48], to[64];
	size_t n;

	report_fmt_time(d->tz, w->opens, false, from, sizeof from);
	report_fmt_time(d->tz, w->closes, true, to, sizeof to);
	n = strlen(from);
	/* "May 1, 2026" and "June 15, 2026 at ..." of one year: drop the first year */
	if (n > 6 && strncmp(from + n - 6, to + strcspn(to, ","), 6) == 0)
		from[n - 6] = '\0';
	snprintf(out, outsz, "%s \xE2\x80\x93 %s", from, to);
}

static const char *compose_found(struct cand *c, struct sbuf *b, const struct file *f)
{
	char tmp[48];

	sbuf_reset(b);
	if (f->has_size && f->size == 0) {
		sbuf_adds(b, "Empty file (0 bytes)");
		return arena_str(&c->a, sbuf_str(b));
	}
	if (*f->sha == '\0' && f->parent)
		sbuf_adds(b, f->res == RES_SKIPPED ? "Not opened" : "Not unpacked");
	else if (*f->mime == '\0' && *f->kind == '\0')
		sbuf_adds(b, eq(f->verdict, "pending") ? "Not yet identified" : "Type not identified");
	else
		put_type(b, f);
	if (b->len > 0 && b->buf[0] >= 'a' && b->buf[0] <= 'z')
		b->buf[0] = (char)(b->buf[0] - 'a' + 'A');
	if (f->has_dur && f->dur > 0 && (eq(f->kind, "video") || eq(f->kind, "audio"))) {
		report_fmt_duration(f->dur, tmp, sizeof tmp);
		sbuf_addf(b, " \xC2\xB7 %s", tmp);
	}
	if (f->has_size) {
		fmt_size_for(rule_of(c, f), (uint64_t)f->size, tmp, sizeof tmp);
		sbuf_addf(b, " \xC2\xB7 %s", tmp);
	}
	return arena_str(&c->a, sbuf_str(b));
}

/* --- what is wrong and how to fix it ----------------------------------- */

static const char *accept_words(enum slot_accept a)
{
	switch (a) {
	case ACCEPT_PDF: return "a PDF document";
	case ACCEPT_VIDEO: return "a video with picture and sound";
	case ACCEPT_AUDIO: return "a sound recording";
	case ACCEPT_DOCUMENT: return "a document";
	}
	return "a file";
}

/* Another active file with the same content, preferring an accepted one.
 * Bounded: a candidate uploading thousands of copies gets the table's
 * sentence past MAX_TWINS, not a quadratic report. */
static const struct file *twin_of(struct cand *c, const struct file *f)
{
	const struct file *best = NULL;

	if (*f->sha == '\0' || c->twins >= MAX_TWINS)
		return NULL;
	c->twins++;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *g = &c->files[i];
		if (g == f || !eq(g->sha, f->sha) || !eq(g->entry, f->entry))
			continue;
		if (best == NULL || (eq(g->verdict, "accepted") && !eq(best->verdict, "accepted")))
			best = g;
	}
	return best;
}

/* The sentence for codes whose plain table text would leave out what the
 * candidate needs: the length and the limit, the size, the type, when. */
static bool compose_what(struct cand *c, struct sbuf *b, const struct file *f, const char *code)
{
	const struct slot_rule *r = rule_of(c, f);
	const struct file *g;
	char got[48], lim[48];

	sbuf_reset(b);
	if (eq(code, "duration-too-long") && r && r->max_s > 0 && f->has_dur) {
		report_fmt_duration(f->dur, got, sizeof got);
		report_fmt_duration(r->max_s, lim, sizeof lim);
		sbuf_addf(b, "The video runs %s; this slot allows at most %s.", got, lim);
	} else if (eq(code, "duration-too-short") && r && r->min_s > 0 && f->has_dur) {
		report_fmt_duration(f->dur, got, sizeof got);
		report_fmt_duration(r->min_s, lim, sizeof lim);
		sbuf_addf(b, "The video runs %s; this slot needs at least %s.", got, lim);
	} else if (eq(code, "file-too-large") && r && r->max_bytes && f->has_size) {
		fmt_size_for(r, (uint64_t)f->size, got, sizeof got);
		fmt_size_for(r, r->max_bytes, lim, sizeof lim);
		sbuf_addf(b, "The file is %s; this slot allows at most %s.", got, lim);
	} else if (eq(code, "type-not-allowed") && r && (*f->mime || *f->kind)) {
		struct sbuf t;
		sbuf_init(&t);
		put_type(&t, f);
		sbuf_addf(b, "This slot takes %s, and this file is %s %s.", accept_words(r->accept),
			  strchr("aeiouAEIOU", sbuf_str(&t)[0]) && t.len ? "an" : "a", sbuf_str(&t));
		b->failed |= t.failed;
		sbuf_free(&t);
	} else if (eq(code, "late-upload") && f->upload_time > 0) {
		/* late-upload is any upload outside the window, early ones too */
		const struct window *w = report_window_at(c->cfg, (time_t)f->upload_time);
		char range[128];
		if (w == NULL || (f->upload_time >= w->opens && f->upload_time <= w->closes))
			return false;
		report_fmt_time_zone(c->day->tz, (time_t)f->upload_time, got, sizeof got);
		window_range(c->day, w, range, sizeof range);
		sbuf_addf(b, "The file arrived on %s, outside the submission window (%s, %s time):"
			  " %s.", got, range, c->day->tz, f->upload_time < w->opens
			  ? "before the window opened" : "after the window closed");
	} else if (eq(code, "duplicate-file") && (g = twin_of(c, f)) != NULL) {
		sbuf_adds(b, "This file is identical to \"");
		html_clean(b, g->name, HTML_NAME_MAX, false);
		sbuf_adds(b, "\"");
		if (*g->slot) {
			sbuf_adds(b, ", uploaded for ");
			html_clean(b, g->slot, CONFIG_ID_MAX, false);
		}
		sbuf_adds(b, "; each slot needs its own recording.");
	} else {
		return false;
	}
	return true;
}

/* The fix sentence for code, true of the day of the report: an upload made
 * outside the window is told when to upload again; once the window has
 * closed, no fix asks for a new upload, which could no longer be scored. */
static const char *compose_fix(struct cand *c, struct sbuf *b, const struct file *f,
			       const char *code, const char *fix, bool problem)
{
	const struct report_day *d = c->day;
	const struct window *w;

	if (d->closed && d->win) {
		sbuf_reset(b);
		if (problem)
			sbuf_addf(b, "This file cannot be scored; the submission window closed on %s"
				  " (%s time).", d->closes_text, d->tz);
		else if (strstr(fix, "upload") != NULL)
			sbuf_adds(b, "Nothing to do: the submission window has closed.");
		else
			return fix;
		return arena_str(&c->a, sbuf_str(b));
	}
	if (eq(code, "late-upload") && f->upload_time > 0 &&
	    (w = report_window_at(c->cfg, (time_t)f->upload_time)) != NULL &&
	    f->upload_time < w->opens) {
		char closes[64];
		report_fmt_time(d->tz, w->closes, true, closes, sizeof closes);
		sbuf_reset(b);
		sbuf_addf(b, "A file uploaded before the window opened cannot be scored: upload it"
			  " again within the window, by %s (%s time).", closes, d->tz);
		return arena_str(&c->a, sbuf_str(b));
	}
	return fix;
}

static void add_note(struct file *f, int max, const char *what, const char *fix,
		     bool problem)
{
	if (f->notes == NULL || f->nnotes >= max)
		return;
	f->notes[f->nnotes].what = what;
	f->notes[f->nnotes].fix = fix;
	f->notes[f->nnotes].problem = problem;
	f->nnotes++;
}

/* Every reason of f, in order, as sentences; then what its verdict alone says. */
static void compose_notes(struct cand *c, struct sbuf *b, struct file *f)
{
	int max = 4;
	char code[64];

	for (const char *p = f->reasons; *p; p++)
		max += *p == ',';
	f->notes = arena_alloc(&c->a, (size_t)max * sizeof *f->notes);
	for (const char *p = f->reasons; *p; ) {
		size_t n = strcspn(p, ",");
		const struct reason *r;

		if (n > 0 && n < sizeof code) {
			memcpy(code, p, n);
			code[n] = '\0';
			r = reason_find(code);
			if (r == NULL) {
				sbuf_reset(b);
				sbuf_adds(b, "This file did not pass one of our checks (reference: ");
				html_clean(b, code, 0, false);
				sbuf_adds(b, ").");
				add_note(f, max, arena_str(&c->a, sbuf_str(b)), "Contact the program"
					 " office and quote the reference above.", true);
			} else {
				bool problem = !r->warning && f->res != RES_SKIPPED;
				const char *what = compose_what(c, b, f, code)
						   ? arena_str(&c->a, sbuf_str(b)) : r->what;
				add_note(f, max, what, compose_fix(c, b, f, code, r->fix, problem),
					 problem);
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (f->res == RES_PROCESSING && eq(f->state, "held"))
		add_note(f, max, "We could not finish checking this file because of a problem on"
			 " our side, not with your file.", "Nothing to do: our staff will deal with it,"
			 " and you do not need to upload it again.", false);
	else if (f->res == RES_PROCESSING)
		add_note(f, max, "We have not finished checking this file yet.",
			 "Nothing to do; your next report will show the result.", false);
	else if (f->res == RES_REPLACED && f->nnotes == 0)
		add_note(f, max, "You uploaded a newer file for this slot, so this one is no longer"
			 " used.", c->day->closed ? "Nothing to do: the submission window has closed."
			 : "Nothing to do, unless you meant this one: then upload it again.", false);
	else if (f->res == RES_ACTION && f->nnotes == 0)
		add_note(f, max, "This file did not pass our checks.",
			 "Contact the program office for help with this file.", true);
}

/* What folio changed on an accepted video for scorers, said plainly. */
static const char *compose_fixed(struct cand *c, struct sbuf *b, const struct file *f)
{
	bool h264 = strcasecmp(f->vcodec, "h264") == 0, mp4 = strcasecmp(f->mime, "video/mp4") == 0;
	bool rotated = f->rotation % 360 != 0;

	if (!eq(f->verdict, "accepted") || !eq(f->kind, "video") || *f->normalized == '\0' ||
	    (h264 && mp4 && !rotated))
		return NULL;
	/* "any": the probe does not say whether the phone wrote a location */
	sbuf_reset(b);
	sbuf_adds(b, "Automatic fixes for scorers: ");
	if (!h264 && *f->vcodec) {
		sbuf_adds(b, "converted from ");
		put_codec(b, f->vcodec);
		sbuf_adds(b, "; ");
	} else if (!mp4 && lookup(CONTAINERS, f->mime)) {
		sbuf_addf(b, "converted from %s to MP4; ", lookup(CONTAINERS, f->mime));
	}
	if (rotated)
		sbuf_adds(b, "turned upright; ");
	sbuf_adds(b, "any location data removed. Nothing to do.");
	return arena_str(&c->a, sbuf_str(b));
}

static enum result result_of(const struct file *f)
{
	if (eq(f->verdict, "accepted"))
		return RES_OK;
	if (eq(f->verdict, "rejected"))
		return RES_ACTION;
	if (eq(f->verdict, "skipped"))
		return RES_SKIPPED;
	if (eq(f->verdict, "superseded"))
		return RES_REPLACED;
	return RES_PROCESSING;
}

static int cmp_order(const void *pa, const void *pb)
{
	const struct file *a = *(const struct file *const *)pa, *b = *(const struct file *const *)pb;
	int sa = a->slot_index < 0 ? CONFIG_MAX_SLOTS : a->slot_index;
	int sb = b->slot_index < 0 ? CONFIG_MAX_SLOTS : b->slot_index;

	if (a->entry_index != b->entry_index)
		return a->entry_index - b->entry_index;
	if (sa != sb)
		return sa - sb;
	if (a->upload_time != b->upload_time)
		return a->upload_time < b->upload_time ? -1 : 1;
	return strcmp(a->path, b->path);
}

/* Derives names, sentences, slot states and entry statuses. */
static void derive(struct cand *c)
{
	struct sbuf b;

	sbuf_init(&b);
	for (size_t i = 0; i < c->nfiles; i++) {
		struct file *f = &c->files[i];
		struct file *p = f->parent ? file_by_id(c, f->parent) : NULL;
		size_t pl = p ? strlen(p->path) : 0;
		struct entry *en = entry_get(c, f->entry);

		f->name = p && strncmp(f->path, p->path, pl) == 0 && f->path[pl] == '/'
			  ? f->path + pl + 1 : f->path;
		f->entry_index = en ? (int)(en - c->entries) : MAX_ENTRIES;
		f->slot_index = en && en->rule && *f->slot ? config_slot_index(en->rule, f->slot) : -1;
		f->res = result_of(f);
		if (p)
			p->has_members = true;
		if (en)
			en->nfiles++;
	}
	/* twins are named by f->name, so sentences come after every name */
	for (size_t i = 0; i < c->nfiles; i++) {
		struct file *f = &c->files[i];
		f->found = compose_found(c, &b, f);
		f->fixed = compose_fixed(c, &b, f);
		if (f->fixed)
			f->res = RES_CONVERTED;
		compose_notes(c, &b, f);
		/* an archive is shown through its members, unless it has something to say */
		f->listed = f->entry_index < MAX_ENTRIES &&
			    !((f->has_members || eq(f->kind, "archive")) && f->nnotes == 0 && f->res != RES_ACTION);
		if (f->listed && f->slot_index < 0)
			c->entries[f->entry_index].nother++;
	}
	if (sbuf_failed(&b))
		c->a.failed = true;
	sbuf_free(&b);
	c->order = malloc((c->nfiles ? c->nfiles : 1) * sizeof *c->order);
	if (c->order == NULL) {
		c->a.failed = true;
		return;
	}
	for (size_t i = 0; i < c->nfiles; i++)
		c->order[i] = &c->files[i];
	qsort(c->order, c->nfiles, sizeof *c->order, cmp_order);

	for (int i = 0; i < c->nentries; i++) {
		struct entry *en = &c->entries[i];
		bool empty = false, action = false, pending = false;
		int ns = en->rule ? en->rule->nslots : 0;

		for (int s = 0; s < ns; s++) {
			bool ok = false, pend = false, any = false;
			for (size_t k = 0; k < c->nfiles; k++) {
				const struct file *f = &c->files[k];
				if (f->entry_index != i || f->slot_index != s)
					continue;
				any = true;
				ok |= f->res == RES_OK || f->res == RES_CONVERTED;
				pend |= f->res == RES_PROCESSING;
			}
			en->slot[s] = ok ? SLOT_OK : pend ? SLOT_PENDING : any ? SLOT_ACTION : SLOT_EMPTY;
			empty |= en->slot[s] == SLOT_EMPTY;
			action |= en->slot[s] == SLOT_ACTION;
			pending |= en->slot[s] == SLOT_PENDING;
		}
		if (en->rule == NULL)
			en->st = ST_ATTENTION;	/* a folder that names no entry of the program */
		else if (eq(en->status, "complete"))
			en->st = ST_READY;
		else if (empty)
			en->st = ST_MISSING;
		else if (action || (*en->status && !pending))
			en->st = ST_ATTENTION;
		else
			en->st = ST_PROCESSING;
	}
}

/* --- shared wording ----------------------------------------------------- */

/* "closes on June 15, 2026 at 23:59 (America/Chicago time)" */
static void window_phrase(struct sbuf *b, const struct report_day *d)
{
	if (d->win == NULL)
		sbuf_adds(b, "not set");
	else if (d->closed)
		sbuf_addf(b, "closed on %s (%s time); files uploaded since then cannot be scored",
			  d->closes_text, d->tz);
	else if (d->before_open)
		sbuf_addf(b, "opens on %s and closes on %s (%s time)", d->opens_text,
			  d->closes_text, d->tz);
	else if (d->days_left == 0)
		sbuf_addf(b, "closes today, %s (%s time)", d->closes_text, d->tz);
	else
		sbuf_addf(b, "closes on %s (%s time)", d->closes_text, d->tz);
}

static void days_left(struct sbuf *b, const struct report_day *d)
{
	if (d->win == NULL)
		sbuf_adds(b, "\xE2\x80\x94");
	else if (d->closed)
		sbuf_adds(b, "none: the window is closed");
	else if (d->days_left == 0)
		sbuf_adds(b, "0: the window closes tonight");
	else if (d->before_open)
		sbuf_addf(b, "%ld, once the window opens", d->days_left);
	else
		sbuf_addf(b, "%ld", d->days_left);
}

static const char *slot_title(const struct slot_rule *r)
{
	switch (r->accept) {
	case ACCEPT_PDF: return "Written commentary";
	case ACCEPT_VIDEO: return "Video";
	case ACCEPT_AUDIO: return "Sound recording";
	case ACCEPT_DOCUMENT: return "Document";
	}
	return "Item";
}

/* "one video with picture and sound, 0:30 to 10:00 long, at most 2 GiB" */
static void slot_needs(struct sbuf *b, const struct slot_rule *r)
{
	char lo[32], hi[32], sz[32];
	bool media = r->accept == ACCEPT_VIDEO || r->accept == ACCEPT_AUDIO;

	report_fmt_duration(r->min_s, lo, sizeof lo);
	report_fmt_duration(r->max_s, hi, sizeof hi);
	sbuf_addf(b, "Needed: one %s", accept_words(r->accept) + 2);
	if (media && r->min_s > 0 && r->max_s > 0)
		sbuf_addf(b, ", %s to %s long", lo, hi);
	else if (media && r->max_s > 0)
		sbuf_addf(b, ", up to %s long", hi);
	else if (media && r->min_s > 0)
		sbuf_addf(b, ", at least %s long", lo);
	if (r->max_bytes) {
		fmt_size_for(r, r->max_bytes, sz, sizeof sz);
		sbuf_addf(b, ", at most %s", sz);
	}
	if (r->accept == ACCEPT_PDF && !r->allow_encrypted)
		sbuf_adds(b, ", not password-protected");
	sbuf_addc(b, '.');
}

/* Slot ids of entry en in the given state, as "W1, V1" (config order). */
static int slots_in(struct sbuf *b, const struct entry *en, enum slot_state want)
{
	int n = 0;

	for (int s = 0; en->rule && s < en->rule->nslots; s++) {
		if (en->slot[s] != want)
			continue;
		sbuf_addf(b, "%s%s", n ? ", " : "", en->rule->slots[s].id);
		n++;
	}
	return n;
}

static void entry_summary(struct sbuf *b, const struct entry *en, bool closed)
{
	struct sbuf ids;
	int total = en->rule ? en->rule->nslots : 0, n;

	sbuf_init(&ids);
	if (en->rule == NULL) {
		sbuf_adds(b, "This folder is not one of the program's entries, so none of its files"
			  " can be used. Upload them into the folder of the entry they belong to.");
		sbuf_free(&ids);
		return;
	}
	if (en->st == ST_READY)
		sbuf_adds(b, "Everything this entry needs has been received and checked. Nothing more"
			  " to do.");
	if ((n = slots_in(&ids, en, SLOT_EMPTY)) > 0)
		sbuf_addf(b, "%d of %d item%s %s nothing yet: %s. ", n, total, total == 1 ? "" : "s",
			  n == 1 ? "has" : "have", sbuf_str(&ids));
	sbuf_reset(&ids);
	if ((n = slots_in(&ids, en, SLOT_ACTION)) > 0)
		sbuf_addf(b, "%d of %d item%s need%s a new file: %s. ", n, total,
			  total == 1 ? "" : "s", n == 1 ? "s" : "", sbuf_str(&ids));
	sbuf_reset(&ids);
	if ((n = slots_in(&ids, en, SLOT_PENDING)) > 0)
		sbuf_addf(b, "Still being checked: %s; your next report will show the result. ",
			  sbuf_str(&ids));
	if (en->st == ST_ATTENTION && b->len == 0)
		sbuf_adds(b, "This entry is not complete yet; see the files below. ");
	if (en->st != ST_READY && en->st != ST_PROCESSING && !closed)
		sbuf_adds(b, "Everything listed below can be fixed by uploading again before the"
			  " window closes.");
	else if (en->st != ST_READY && en->st != ST_PROCESSING)
		sbuf_adds(b, "The submission window has closed: new uploads can no longer be"
			  " scored.");
	b->failed |= ids.failed;
	sbuf_free(&ids);
	while (b->len && b->buf[b->len - 1] == ' ')
		b->buf[--b->len] = '\0';
}

static const char INTRO[] =
	"This report lists every file we have received for your portfolio, what we found in"
	" it, and what to fix, if anything, before the window closes. It is brought up to date"
	" after each nightly check.";
static const char INTRO_CLOSED[] =
	"This report lists every file we received for your portfolio and what we found in it."
	" The submission window has closed.";

/* --- HTML ---------------------------------------------------------------- */

static const char CSS[] =
	"*{box-sizing:border-box}"
	"body{margin:0;background:#fff;color:#1b1b1b;font:16px/1.5 system-ui,-apple-system,"
	"'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;-webkit-text-size-adjust:100%}"
	"main{max-width:56rem;margin:0 auto;padding:1rem 1rem 2rem}"
	"h1{font-size:1.45rem;line-height:1.25;margin:.25rem 0 .75rem}"
	"h2{font-size:1.25rem;margin:0;display:inline}"
	"h3{font-size:1.05rem;margin:1.5rem 0 .25rem}"
	".meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 1rem}"
	".meta dt{font-weight:600}.meta dd{margin:0}"
	".entry{border-top:3px solid #1b1b1b;margin-top:1.5rem;padding-top:.75rem}"
	".badge{display:inline-block;border:2px solid;border-radius:.35rem;padding:0 .45rem;"
	"font-weight:700;white-space:nowrap;margin-left:.4rem;font-size:1rem}"
	".ok,.ready,.converted{color:#0b5a2a;background:#e7f5ec}"
	".action,.needs-attention{color:#8a3d00;background:#fff1df}"
	".missing,.missing-items{color:#9b1c1c;background:#fdeaea}"
	".skipped,.replaced,.processing{color:#33415c;background:#eef1f7}"
	".res{font-weight:700;white-space:nowrap}"
	".sstate{font-weight:700}"
	"table{border-collapse:collapse;width:100%;margin:.25rem 0 .5rem}"
	"th,td{border:1px solid #b8b8b8;padding:.4rem .5rem;text-align:left;vertical-align:top}"
	"thead th{background:#f1f1f1;font-size:.9rem}"
	"tbody th{font-weight:400}"
	".name{font-weight:600;overflow-wrap:anywhere;word-break:break-word}"
	".sub{display:block;color:#4a4a4a;font-size:.875rem;overflow-wrap:anywhere}"
	".new{display:inline-block;border:1px solid #33415c;border-radius:.25rem;padding:0 .3rem;"
	"font-size:.75rem;font-weight:700;margin-left:.3rem}"
	"tr.notes td{background:#fafafa;border-top:0}"
	"ul.notes{margin:0;padding-left:1.1rem}ul.notes li{margin:.1rem 0 .35rem}"
	"ul.notes p{margin:0}"
	".needs{margin:.1rem 0 .4rem;color:#333}"
	".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
	"white-space:nowrap}"
	"footer{margin-top:2rem;font-size:.875rem;color:#4a4a4a}"
	"table.files{table-layout:fixed}col.c-name{width:42%}col.c-found{width:36%}"
	/* phones: each file row becomes a card; the ARIA roles keep it a table */
	"@media (max-width:40rem){body{font-size:15px}main{padding:.75rem .6rem 1.5rem}"
	"h1{font-size:1.25rem}.meta{grid-template-columns:1fr}.meta dd{margin-bottom:.3rem}"
	"table.files,table.files tbody,table.files tr,table.files th,table.files td"
	"{display:block;width:100%}"
	"table.files thead{position:absolute;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0)}"
	"table.files tr.file{border:1px solid #b8b8b8;margin-top:.6rem}"
	"table.files tr.file th,table.files tr.file td{border:0;padding:.15rem .5rem}"
	"table.files tr.file th{padding-top:.4rem}table.files tr.file td:last-child"
	"{padding-bottom:.4rem}"
	"table.files td[data-label]::before{content:attr(data-label) \": \";font-weight:600}"
	"table.files tr.notes td{border:1px solid #b8b8b8;border-top:1px dashed #ccc}}"
	"@media print{body{font-size:10.5pt}main{max-width:none;padding:0}"
	".badge,.res,.new{background:none!important;color:#000!important}"
	"thead th,tr.notes td{background:none}tr,li{break-inside:avoid}"
	"h3{break-after:avoid}.entry{break-before:auto}}";

static void h(struct sbuf *b, const char *s) { html_escape(b, s); }
static void hname(struct sbuf *b, const char *s) { html_clean(b, s, HTML_NAME_MAX, true); }

static void html_label(struct sbuf *b, const struct label *l, const char *cls)
{
	sbuf_addf(b, "<span class=\"%s %s\" data-state=\"%s\"><span aria-hidden=\"true\">%s</span> %s"
		  "</span>", cls, l->key, l->key, l->mark, l->text);
}

/* "in inner.zip, inside more_clips.zip" for an archive member. */
static void put_container(struct cand *c, struct sbuf *b, const struct file *f, bool html)
{
	const struct file *p = f->parent ? file_by_id(c, f->parent) : NULL;

	for (int depth = 0; p && depth < MAX_CHAIN; depth++) {
		sbuf_adds(b, depth == 0 ? "in " : ", inside ");
		html_clean(b, p->name, HTML_NAME_MAX, html);
		p = p->parent ? file_by_id(c, p->parent) : NULL;
	}
}

static void html_file(struct cand *c, struct sbuf *b, const struct file *f)
{
	char when[64];

	sbuf_addf(b, "<tr class=\"file\" data-verdict=\"");
	h(b, f->verdict);
	sbuf_addf(b, "\" data-result=\"%s\" data-slot=\"", RESULTS[f->res].key);
	h(b, f->slot);
	sbuf_adds(b, "\" role=\"row\"><th scope=\"row\" role=\"rowheader\"><span class=\"name\">");
	hname(b, f->name);
	sbuf_adds(b, "</span>");
	if (f->changed)
		sbuf_adds(b, "<span class=\"new\">new</span>");
	if (f->parent) {
		sbuf_adds(b, "<span class=\"sub from\">");
		put_container(c, b, f, true);
		sbuf_adds(b, "</span>");
	}
	if (f->upload_time > 0) {
		report_fmt_time_zone(c->day->tz, (time_t)f->upload_time, when, sizeof when);
		sbuf_addf(b, "<span class=\"sub\">uploaded %s</span>", when);
	}
	sbuf_adds(b, "</th><td class=\"found\" role=\"cell\" data-label=\"What folio found\">");
	h(b, f->found);
	sbuf_adds(b, "</td><td class=\"result\" role=\"cell\" data-label=\"Result\">");
	html_label(b, &RESULTS[f->res], "res");
	sbuf_adds(b, "</td></tr>\n");
	if (f->nnotes == 0 && f->fixed == NULL)
		return;
	sbuf_adds(b, "<tr class=\"notes\" role=\"row\"><td colspan=\"3\" role=\"cell\">"
		  "<ul class=\"notes\">");
	if (f->fixed) {
		sbuf_adds(b, "<li class=\"fixed\"><p>");
		h(b, f->fixed);
		sbuf_adds(b, "</p></li>");
	}
	for (int i = 0; i < f->nnotes; i++) {
		sbuf_addf(b, "<li class=\"%s\"><p class=\"what\"><strong>%s</strong> ",
			  f->notes[i].problem ? "problem" : "info",
			  f->notes[i].problem ? "What is wrong:" : "Note:");
		h(b, f->notes[i].what);
		sbuf_adds(b, "</p><p class=\"fix\"><strong>How to fix it:</strong> ");
		h(b, f->notes[i].fix);
		sbuf_adds(b, "</p></li>");
	}
	sbuf_adds(b, "</ul></td></tr>\n");
}

static void html_table_head(struct sbuf *b, const char *caption)
{
	sbuf_adds(b, "<table class=\"files\" role=\"table\"><caption class=\"vh\">");
	h(b, caption);
	sbuf_adds(b, "</caption><colgroup><col class=\"c-name\"><col class=\"c-found\">"
		  "<col class=\"c-result\"></colgroup><thead role=\"rowgroup\"><tr role=\"row\">"
		  "<th scope=\"col\" role=\"columnheader\">File received</th>"
		  "<th scope=\"col\" role=\"columnheader\">What folio found</th>"
		  "<th scope=\"col\" role=\"columnheader\">Result</th></tr></thead>"
		  "<tbody role=\"rowgroup\">\n");
}

static void html_slot(struct cand *c, struct sbuf *b, const struct entry *en, int s)
{
	const struct slot_rule *r = &en->rule->slots[s];
	int i = (int)(en - c->entries);
	char cap[64];
	bool any = false;

	sbuf_adds(b, "<section class=\"slot\" data-slot=\"");
	h(b, r->id);
	sbuf_addf(b, "\" data-state=\"%s\"><h3>", SLOTS[en->slot[s]].key);
	h(b, r->id);
	sbuf_addf(b, " \xC2\xB7 %s: ", slot_title(r));
	html_label(b, &SLOTS[en->slot[s]], "sstate");
	sbuf_adds(b, "</h3><p class=\"needs\">");
	if (en->slot[s] == SLOT_EMPTY)
		sbuf_adds(b, "Nothing received yet. ");
	slot_needs(b, r);
	sbuf_adds(b, "</p>\n");
	snprintf(cap, sizeof cap, "Files received for %s", r->id);
	for (size_t k = 0; k < c->nfiles; k++) {
		const struct file *f = c->order[k];
		if (f->entry_index != i || f->slot_index != s || !f->listed)
			continue;
		if (!any)
			html_table_head(b, cap);
		any = true;
		html_file(c, b, f);
	}
	if (any)
		sbuf_adds(b, "</tbody></table>\n");
	sbuf_adds(b, "</section>\n");
}

static void html_entry(struct cand *c, struct sbuf *b, const struct entry *en)
{
	int i = (int)(en - c->entries);
	bool any = false;

	sbuf_adds(b, "<section class=\"entry\" id=\"entry-");
	h(b, en->id);
	sbuf_addf(b, "\" data-status=\"%s\"><h2>Entry ", STATUSES[en->st].key);
	h(b, en->id);
	sbuf_adds(b, "</h2>");
	html_label(b, &STATUSES[en->st], "badge status");
	sbuf_adds(b, "\n<p class=\"summary\">");
	{
		struct sbuf s;
		sbuf_init(&s);
		entry_summary(&s, en, c->day->closed);
		h(b, sbuf_str(&s));
		b->failed |= s.failed;
		sbuf_free(&s);
	}
	sbuf_adds(b, "</p>\n");
	for (int s = 0; en->rule && s < en->rule->nslots; s++)
		html_slot(c, b, en, s);
	for (size_t k = 0; k < c->nfiles; k++) {
		const struct file *f = c->order[k];
		if (f->entry_index != i || f->slot_index >= 0 || !f->listed)
			continue;
		if (!any) {
			sbuf_adds(b, "<section class=\"slot other\" data-slot=\"\"><h3>Other files"
				  " received</h3><p class=\"needs\">Files that are not used for any"
				  " item of this entry.</p>\n");
			html_table_head(b, "Other files received");
		}
		any = true;
		html_file(c, b, f);
	}
	if (any)
		sbuf_adds(b, "</tbody></table></section>\n");
	sbuf_adds(b, "</section>\n");
}

static void render_html(struct cand *c, struct sbuf *b)
{
	const struct report_day *d = c->day;
	struct sbuf s;

	sbuf_init(&s);
	sbuf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
		  " style-src 'unsafe-inline'\"><meta name=\"referrer\" content=\"no-referrer\">"
		  "<title>Validation report \xE2\x80\x94 ");
	h(b, c->id);
	sbuf_addf(b, " \xE2\x80\x94 %s</title><style>%s</style></head>\n<body><main>\n", d->date, CSS);
	sbuf_adds(b, "<header><h1>Validation report for candidate ");
	h(b, c->id);
	sbuf_adds(b, "</h1><dl class=\"meta\"><dt>Candidate</dt><dd class=\"candidate\">");
	h(b, c->id);
	sbuf_addf(b, "</dd><dt>Report of</dt><dd class=\"date\"><time datetime=\"%s\">%s</time>"
		  "</dd>", d->date, d->date_text);
	sbuf_adds(b, "<dt>Submission window</dt><dd class=\"window\">");
	window_phrase(&s, d);
	h(b, sbuf_str(&s));
	sbuf_reset(&s);
	sbuf_adds(b, "</dd><dt>Days left</dt><dd class=\"days-left\">");
	days_left(&s, d);
	h(b, sbuf_str(&s));
	sbuf_adds(b, "</dd></dl>\n<p>");
	h(b, d->closed ? INTRO_CLOSED : INTRO);
	sbuf_adds(b, "</p></header>\n");
	for (int i = 0; i < c->nentries; i++)
		html_entry(c, b, &c->entries[i]);
	if (c->nentries == 0)
		sbuf_adds(b, "<p>We have not received any files from you yet.</p>\n");
	if (c->dropped || c->dropped_entries)
		sbuf_addf(b, "<p>%zu more files are not listed here; the program office can show"
			  " them to you.</p>\n", c->dropped + (size_t)c->dropped_entries);
	sbuf_addf(b, "<footer><p>Made by folio from our records of your uploads on %s. If"
		  " something here looks wrong, contact the program office.</p></footer>\n"
		  "</main></body></html>\n", d->date_text);
	b->failed |= s.failed;
	sbuf_free(&s);
}

/* --- plain text ---------------------------------------------------------- */

/* Wraps a cleaned copy of text at WIDTH. */
static void twrap(struct sbuf *b, const char *text, size_t first, size_t indent)
{
	struct sbuf t;

	sbuf_init(&t);
	html_clean(&t, text, 0, false);
	sbuf_wrap(b, sbuf_str(&t), first, indent, WIDTH);
	b->failed |= t.failed;
	sbuf_free(&t);
}

static void text_file(struct cand *c, struct sbuf *b, const struct file *f)
{
	struct sbuf t;
	char when[64];

	sbuf_init(&t);
	sbuf_adds(&t, "* ");
	html_clean(&t, f->name, HTML_NAME_MAX, false);
	if (f->changed)
		sbuf_adds(&t, " [new]");
	sbuf_wrap(b, sbuf_str(&t), 2, 6, WIDTH);
	if (f->parent) {
		sbuf_reset(&t);
		sbuf_adds(&t, "Received: ");
		put_container(c, &t, f, false);
		sbuf_wrap(b, sbuf_str(&t), 4, 6, WIDTH);
	}
	if (f->upload_time > 0) {
		report_fmt_time_zone(c->day->tz, (time_t)f->upload_time, when, sizeof when);
		sbuf_addf(b, "    Uploaded: %s\n", when);
	}
	sbuf_reset(&t);
	sbuf_adds(&t, "Found: ");
	sbuf_adds(&t, f->found);
	twrap(b, sbuf_str(&t), 4, 6);
	sbuf_addf(b, "    Result: %s\n", RESULTS[f->res].text);
	if (f->fixed)
		twrap(b, f->fixed, 4, 4);
	for (int i = 0; i < f->nnotes; i++) {
		sbuf_reset(&t);
		sbuf_adds(&t, f->notes[i].problem ? "- What is wrong: " : "- Note: ");
		sbuf_adds(&t, f->notes[i].what);
		twrap(b, sbuf_str(&t), 4, 6);
		sbuf_reset(&t);
		sbuf_adds(&t, "How to fix it: ");
		sbuf_adds(&t, f->notes[i].fix);
		twrap(b, sbuf_str(&t), 6, 6);
	}
	b->failed |= t.failed;
	sbuf_free(&t);
}

static void text_entry(struct cand *c, struct sbuf *b, const struct entry *en)
{
	int i = (int)(en - c->entries);
	struct sbuf t;
	bool any = false;

	sbuf_init(&t);
	sbuf_pad(b, '=', WIDTH);
	sbuf_adds(b, "\nENTRY ");
	html_clean(b, en->id, CONFIG_ID_MAX * 2, false);
	sbuf_addf(b, ": %s\n", STATUSES[en->st].text);
	entry_summary(&t, en, c->day->closed);
	twrap(b, sbuf_str(&t), 2, 2);
	for (int s = 0; en->rule && s < en->rule->nslots; s++) {
		const struct slot_rule *r = &en->rule->slots[s];
		sbuf_addc(b, '\n');
		sbuf_pad(b, '-', WIDTH);
		sbuf_addf(b, "\n%s - %s: %s\n", r->id, slot_title(r), SLOTS[en->slot[s]].text);
		sbuf_reset(&t);
		if (en->slot[s] == SLOT_EMPTY)
			sbuf_adds(&t, "Nothing received yet. ");
		slot_needs(&t, r);
		twrap(b, sbuf_str(&t), 2, 2);
		for (size_t k = 0; k < c->nfiles; k++) {
			const struct file *f = c->order[k];
			if (f->entry_index == i && f->slot_index == s && f->listed) {
				sbuf_addc(b, '\n');
				text_file(c, b, f);
			}
		}
	}
	for (size_t k = 0; k < c->nfiles; k++) {
		const struct file *f = c->order[k];
		if (f->entry_index != i || f->slot_index >= 0 || !f->listed)
			continue;
		if (!any) {
			sbuf_addc(b, '\n');
			sbuf_pad(b, '-', WIDTH);
			sbuf_adds(b, "\nOther files received\n  Files that are not used for any item of"
				  " this entry.\n");
		}
		any = true;
		sbuf_addc(b, '\n');
		text_file(c, b, f);
	}
	sbuf_addc(b, '\n');
	b->failed |= t.failed;
	sbuf_free(&t);
}

static void render_text(struct cand *c, struct sbuf *b)
{
	const struct report_day *d = c->day;
	struct sbuf t;

	sbuf_init(&t);
	sbuf_adds(b, "VALIDATION REPORT\n\nCandidate: ");
	html_clean(b, c->id, 64, false);
	sbuf_addf(b, "\nReport of: %s\n", d->date_text);
	sbuf_adds(&t, "Submission window: ");
	window_phrase(&t, d);
	sbuf_wrap(b, sbuf_str(&t), 0, 2, WIDTH);
	sbuf_reset(&t);
	days_left(&t, d);
	sbuf_addf(b, "Days left: %s\n\n", sbuf_str(&t));
	twrap(b, d->closed ? INTRO_CLOSED : INTRO, 0, 0);
	sbuf_addc(b, '\n');
	for (int i = 0; i < c->nentries; i++)
		text_entry(c, b, &c->entries[i]);
	if (c->nentries == 0)
		sbuf_adds(b, "We have not received any files from you yet.\n\n");
	if (c->dropped || c->dropped_entries)
		sbuf_addf(b, "%zu more files are not listed here; the program office can show them"
			  " to you.\n\n", c->dropped + (size_t)c->dropped_entries);
	sbuf_pad(b, '=', WIDTH);
	sbuf_addc(b, '\n');
	sbuf_reset(&t);
	sbuf_addf(&t, "Made by folio from our records of your uploads on %s. If something here"
		  " looks wrong, contact the program office.", d->date_text);
	sbuf_wrap(b, sbuf_str(&t), 0, 0, WIDTH);
	b->failed |= t.failed;
	sbuf_free(&t);
}

int report_candidate(sqlite3 *db, const struct config *cfg, const struct report_day *d,
		     const char *candidate, struct sbuf *html, struct sbuf *txt,
		     struct ferr *e)
{
	struct cand c;
	int rc = -1;

	memset(&c, 0, sizeof c);
	c.id = candidate;
	c.cfg = cfg;
	c.day = d;
	if (load_entries(db, &c, e) != 0 || load_files(db, &c, e) != 0 ||
	    load_changes(db, &c, e) != 0)
		goto out;
	derive(&c);
	if (c.a.failed) {
		ferr_set(e, FERR_SYSTEM, "%s: out of memory building the report", candidate);
		goto out;
	}
	render_html(&c, html);
	render_text(&c, txt);
	if (sbuf_failed(html) || sbuf_failed(txt)) {
		ferr_set(e, FERR_SYSTEM, "%s: out of memory rendering the report", candidate);
		goto out;
	}
	rc = 0;
out:
	free(c.order);
	free(c.files);
	arena_free(&c.a);
	return rc;
}
