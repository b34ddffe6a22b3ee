#include "scan.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "judge.h"
#include "log.h"
#include "names.h"
#include "space.h"
#include "unpack.h"

#define SCAN_MAX_DEPTH 16	/* folders below an entry folder */
#define SCAN_MAX_PER_FOLDER 100000	/* entries read from one folder */

/* The NFC names seen in one entry folder this scan: two files whose names are
 * equal after normalization would take turns as "the" upload of that name. */
struct nameset {
	char **slot;
	size_t cap, n;	/* cap a power of two, kept at most half full */
};

struct scan_ctx {
	struct stage *s;
	const char *candidate;
	const char *entry;	/* the configured id when the folder names an entry */
	sqlite3_stmt *find, *seen, *same, *retire, *upd, *ins_upload, *ins_file;
	struct nameset names;
};

static uint64_t fnv1a(const char *p)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

/* Adds name; returns 1 when it was new, 0 when already there, -1 out of memory. */
static int nameset_add(struct nameset *ns, const char *name)
{
	if (2 * (ns->n + 1) > ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 256;
		char **slot = calloc(cap, sizeof *slot);
		if (slot == NULL)
			return -1;
		for (size_t i = 0; i < ns->cap; i++) {
			if (ns->slot[i] == NULL)
				continue;
			size_t k = fnv1a(ns->slot[i]) & (cap - 1);
			while (slot[k])
				k = (k + 1) & (cap - 1);
			slot[k] = ns->slot[i];
		}
		free(ns->slot);
		ns->slot = slot;
		ns->cap = cap;
	}
	size_t k = fnv1a(name) & (ns->cap - 1);
	for (; ns->slot[k]; k = (k + 1) & (ns->cap - 1))
		if (strcmp(ns->slot[k], name) == 0)
			return 0;
	if ((ns->slot[k] = strdup(name)) == NULL)
		return -1;
	ns->n++;
	return 1;
}

static void nameset_clear(struct nameset *ns)
{
	for (size_t i = 0; i < ns->cap; i++)
		free(ns->slot[i]);
	free(ns->slot);
	memset(ns, 0, sizeof *ns);
}

bool scan_candidate_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64 || !isalnum((unsigned char)id[0]) || strcmp(id, "nightly") == 0 ||
	    strncmp(id, "notify-", 7) == 0)
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

void scan_slot_folder(const struct config *cfg, const char *entry, const char *rel, char *out,
		      size_t outsz)
{
	const struct entry_rule *er = config_entry(cfg, entry);
	size_t len = strcspn(rel, "/");
	char first[CONFIG_ID_MAX];
	const struct slot_rule *sr;

	out[0] = '\0';
	if (er == NULL || rel[len] != '/' || len >= sizeof first)
		return;
	memcpy(first, rel, len);
	first[len] = '\0';
	sr = config_slot(er, first);
	if (sr)
		snprintf(out, outsz, "%s", sr->id);
}

/* True when the store should hold sha's object and does not (disk trouble,
 * an operator's mistake): the upload is then streamed in again. */
static bool store_missing(struct stage *s, const char *sha)
{
	char rel[128], path[4096];
	struct stat sb;

	if (sha == NULL || strlen(sha) != 64)
		return false;
	snprintf(rel, sizeof rel, "store/%.2s/%s", sha, sha);
	if (store_path(&s->store, rel, path, sizeof path) != 0)
		return false;
	return lstat(path, &sb) != 0 && errno == ENOENT;
}

static int one_file(struct scan_ctx *c, const char *path, const char *rawrel,
		    const struct stat *sb, struct ferr *e)
{
	struct stage *s = c->s;
	char rel[NAME_MAX_BYTES], sha[65] = "", store_rel[128] = "", slot[CONFIG_ID_MAX];
	bool repaired = false, junk;
	uint64_t size = 0;
	long long upload_id = 0;
	sqlite3_int64 old_size = -1, old_mtime = -1;
	const char *old_sha = NULL;
	char old_sha_buf[65] = "";
	int rc;

	if (names_to_nfc(rawrel, strlen(rawrel), s->cfg->legacy_code_page, rel, sizeof rel,
			 &repaired, e) != 0)
		return -1;
	switch (nameset_add(&c->names, rel)) {
	case 0:
		/* folders are walked in name order, so the same one is kept every run */
		return ferr_set(e, FERR_CONTENT, "another file in this entry has the same name"
				" after Unicode normalization (%s); only the first, in byte order,"
				" is taken", rel);
	case -1:
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	}
	sqlite3_reset(c->find);
	sqlite3_bind_text(c->find, 1, c->candidate, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->find, 2, c->entry, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->find, 3, rel, -1, SQLITE_STATIC);
	rc = sqlite3_step(c->find);
	if (rc == SQLITE_ROW) {
		upload_id = sqlite3_column_int64(c->find, 0);
		old_size = sqlite3_column_int64(c->find, 1);
		old_mtime = sqlite3_column_int64(c->find, 2);
		snprintf(old_sha_buf, sizeof old_sha_buf, "%s", db_col_text(c->find, 3));
		old_sha = old_sha_buf;
	} else if (rc != SQLITE_DONE) {
		return ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(s->db));
	}
	sqlite3_reset(c->find);
	if (upload_id && old_size == sb->st_size && old_mtime == sb->st_mtime &&
	    !store_missing(s, old_sha)) {
		sqlite3_reset(c->seen);
		sqlite3_bind_int64(c->seen, 1, db_run_id());
		sqlite3_bind_int64(c->seen, 2, upload_id);
		return db_step_done(s->db, c->seen, e);
	}

	junk = unpack_is_junk(s->cfg, rel);
	/* the upload's size is what storing it will take */
	if (!junk && space_check(s->store.root, s->store.min_free, (uint64_t)sb->st_size,
				 "an upload", e) != 0)
		return -1;
	/* junk is hashed (its row says what it was) but never stored */
	if (junk ? sha256_file(path, sha, &size, e) != 0
		 : store_put_file(&s->store, path, sha, store_rel, sizeof store_rel, &size, e) != 0)
		return -1;
	s->stats.items++;
	s->stats.bytes_read += size;
	if (!junk)
		s->stats.bytes_written += size;
	scan_slot_folder(s->cfg, c->entry, rel, slot, sizeof slot);

	if (db_begin(s->db, e) != 0)
		return -1;
	if (upload_id && old_sha && strcmp(old_sha, sha) == 0) {
		/* same bytes, new time: only the upload time changes, and with it lateness */
		sqlite3_reset(c->same);
		sqlite3_bind_int64(c->same, 1, (sqlite3_int64)sb->st_mtime);
		sqlite3_bind_int64(c->same, 2, upload_id);
		sqlite3_bind_int64(c->same, 3, db_run_id());
		sqlite3_reset(c->upd);
		sqlite3_bind_int64(c->upd, 1, (sqlite3_int64)sb->st_mtime);
		sqlite3_bind_int64(c->upd, 2, upload_id);
		if (db_step_done(s->db, c->same, e) != 0 || db_step_done(s->db, c->upd, e) != 0)
			goto fail;
	} else {
		if (upload_id) {
			sqlite3_reset(c->retire);
			sqlite3_bind_int64(c->retire, 1, upload_id);
			if (db_step_done(s->db, c->retire, e) != 0)
				goto fail;
			log_info("%s/%s/%s: replaced by a new upload", c->candidate, c->entry, rel);
		}
		sqlite3_stmt *st = c->ins_upload;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, c->candidate, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->entry, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, rel, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, rawrel, (int)strlen(rawrel), SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)size);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)sb->st_mtime);
		sqlite3_bind_text(st, 7, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, db_run_id());
		if (sqlite3_step(st) != SQLITE_ROW) {
			ferr_set(e, FERR_SYSTEM, "sqlite: %s", sqlite3_errmsg(s->db));
			goto fail;
		}
		upload_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);

		struct reasons codes;
		reasons_init(&codes);
		if (junk)
			reasons_add(&codes, "junk-file");
		if (repaired)
			reasons_add(&codes, "name-repaired");
		st = c->ins_file;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, upload_id);
		sqlite3_bind_text(st, 2, c->candidate, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c->entry, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rel, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, rawrel, (int)strlen(rawrel), SQLITE_STATIC);
		db_bind_text(st, 6, slot[0] ? slot : NULL);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)sb->st_mtime);
		sqlite3_bind_text(st, 8, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)size);
		db_bind_text(st, 10, junk ? NULL : store_rel);
		sqlite3_bind_text(st, 11, junk ? "validate" : "new", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, codes.buf, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 13, db_run_id());
		/* the slot it claims, shown while it waits to be judged (validate decides) */
		char claim[CONFIG_ID_MAX] = "";
		if (!junk && slot[0])
			snprintf(claim, sizeof claim, "%s", slot);
		else if (!junk)
			judge_slot_from_name(config_entry(s->cfg, c->entry), rel, claim, sizeof claim);
		db_bind_text(st, 14, claim[0] ? claim : NULL);
		if (db_step_done(s->db, st, e) != 0)
			goto fail;
	}
	if (db_candidate_touch(s->db, c->candidate, e) != 0 || db_commit(s->db, e) != 0)
		goto fail;
	log_debug("%s/%s/%s: %s", c->candidate, c->entry, rel, sha);
	return 0;
fail:
	db_rollback(s->db);
	return -1;
}

static int cmp_str(const void *a, const void *b);
static void free_list(char **v, size_t n);

/* Walks dir (path relative to the entry folder in rel) depth-first. */
static void walk(struct scan_ctx *c, const char *dir, const char *rel, int depth)
{
	DIR *d;
	struct dirent *de;
	struct ferr e = { 0 };

	if (depth > SCAN_MAX_DEPTH) {
		stage_note_failure(c->s, c->candidate, "%s: folders nested deeper than %d; not scanned",
				   dir, SCAN_MAX_DEPTH);
		return;
	}
	d = opendir(dir);
	if (d == NULL) {
		stage_note_failure(c->s, c->candidate, "cannot read %s: %s", dir, strerror(errno));
		return;
	}
	/* read whole, then walked in byte order: the same order every run */
	char **names = NULL;
	size_t n = 0, cap = 0;
	while ((de = readdir(d)) != NULL && n < SCAN_MAX_PER_FOLDER) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			char **nv = realloc(names, ncap * sizeof *nv);
			if (nv == NULL)
				break;
			names = nv;
			cap = ncap;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	if (de != NULL)
		stage_note_failure(c->s, c->candidate, "%s: more than %d entries; the rest not scanned",
				   dir, SCAN_MAX_PER_FOLDER);
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[4096], sub[4096];
		struct stat sb;
		const char *name = names[i];

		if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
		    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name) >=
			    (int)sizeof sub) {
			stage_note_failure(c->s, c->candidate, "%s/%s: path too long; not scanned", dir,
					   name);
			continue;
		}
		if (lstat(path, &sb) != 0) {
			stage_note_failure(c->s, c->candidate, "cannot stat %s: %s", path,
					   strerror(errno));
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			walk(c, path, sub, depth + 1);
		} else if (S_ISREG(sb.st_mode) && sb.st_nlink > 1) {
			/* the portal writes every upload as a file of its own; a hard
			 * link (to /etc/passwd, another candidate's file) would copy
			 * whatever it names into the store (docs/hostile-input.md) */
			stage_note_failure(c->s, c->candidate, "%s: has %lu hard links; not taken:"
					   " an upload must be a file of its own", path,
					   (unsigned long)sb.st_nlink);
		} else if (S_ISREG(sb.st_mode)) {
			ferr_clear(&e);
			if (one_file(c, path, sub, &sb, &e) != 0)
				stage_note_failure(c->s, c->candidate, "%s: %s (tried again next run)",
						   path, e.msg);
		} else {
			/* no upload is a symbolic link, FIFO, socket or device: the
			 * operator hears of it (a FIFO would block the reader) */
			stage_note_failure(c->s, c->candidate, "%s: not a regular file (%s); not taken",
					   path, S_ISLNK(sb.st_mode) ? "a symbolic link" :
					   S_ISFIFO(sb.st_mode) ? "a FIFO" : "a socket or device");
		}
	}
	free_list(names, n);
}

static int list_dirs(const char *dir, char ***out, size_t *n, struct ferr *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, cap = 0;

	if (d == NULL)
		return ferr_errno(e, errno, "cannot read %s", dir);
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path ||
		    lstat(path, &sb) != 0)
			continue;
		if (!S_ISDIR(sb.st_mode)) {
			log_warn("%s: not in an entry folder; ignored", path);
			continue;
		}
		if (cnt == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			char **nv = realloc(v, ncap * sizeof *nv);
			if (nv == NULL)
				break;
			v = nv;
			cap = ncap;
		}
		if ((v[cnt] = strdup(de->d_name)) != NULL)
			cnt++;
	}
	closedir(d);
	*out = v;
	*n = cnt;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int scan_run(struct stage *s, struct ferr *e)
{
	const char *inbox = s->inbox;
	struct scan_ctx c = { .s = s };
	char **cands = NULL;
	size_t ncands = 0;
	int rc = -1;

	s->store.min_free = s->cfg->limits.min_free_bytes;
	c.find = db_prepare(s->db, "SELECT id, size_bytes, mtime, sha256 FROM uploads"
				   " WHERE candidate_id = ?1 AND entry_id = ?2 AND rel_path = ?3", e);
	c.seen = db_prepare(s->db, "UPDATE uploads SET seen_run = ?1 WHERE id = ?2", e);
	c.same = db_prepare(s->db,
		"UPDATE uploads SET mtime = ?1, seen_run = ?3 WHERE id = ?2", e);
	c.retire = db_prepare(s->db, "UPDATE files SET active = 0 WHERE upload_id = ?1", e);
	c.ins_upload = db_prepare(s->db,
		"INSERT INTO uploads(candidate_id, entry_id, rel_path, raw_path, size_bytes, mtime,"
		" sha256, first_run, changed_run, seen_run) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?8,?8)"
		" ON CONFLICT(candidate_id, entry_id, rel_path) DO UPDATE SET raw_path = ?4,"
		" size_bytes = ?5, mtime = ?6, sha256 = ?7, changed_run = ?8, seen_run = ?8"
		" RETURNING id", e);
	c.ins_file = db_prepare(s->db,
		"INSERT INTO files(upload_id, candidate_id, entry_id, source_path, raw_name, depth,"
		" slot_folder, upload_time, sha256, size_bytes, store_path, state, unpack_reasons,"
		" created_run, slot_id) VALUES(?1,?2,?3,?4,?5,0,?6,?7,?8,?9,?10,?11,?12,?13,?14)", e);
	if (!c.find || !c.seen || !c.same || !c.retire || !c.ins_upload || !c.ins_file)
		goto out;
	c.upd = db_prepare(s->db,
		"UPDATE files SET upload_time = ?1,"
		" state = CASE WHEN state = 'done' THEN 'validate' ELSE state END"
		" WHERE upload_id = ?2 AND active = 1", e);
	if (c.upd == NULL)
		goto out;
	if (list_dirs(inbox, &cands, &ncands, e) != 0)
		goto out;
	if (ncands > 1)
		qsort(cands, ncands, sizeof *cands, cmp_str);
	for (size_t i = 0; i < ncands; i++) {
		char cdir[4096];
		char **entries = NULL;
		size_t nentries = 0;
		struct ferr le = { 0 };

		if (!scan_candidate_id_ok(cands[i])) {
			stage_note_failure(s, NULL, "%s/%s: not a usable candidate id (1 to 64 letters,"
					   " digits, '.', '_' or '-', starting with a letter or digit;"
					   " not 'nightly' or 'notify-*'); its uploads are not taken",
					   inbox, cands[i]);
			continue;
		}
		if (snprintf(cdir, sizeof cdir, "%s/%s", inbox, cands[i]) >= (int)sizeof cdir)
			continue;
		if (list_dirs(cdir, &entries, &nentries, &le) != 0) {
			log_error("%s", le.msg);
			s->stats.failures++;
			continue;
		}
		if (nentries > 1)
			qsort(entries, nentries, sizeof *entries, cmp_str);
		log_item("scan", i + 1, ncands, cands[i]);
		for (size_t k = 0; k < nentries; k++) {
			char edir[4096];
			const struct entry_rule *er = config_entry(s->cfg, entries[k]);
			if (!names_valid_utf8(entries[k], strlen(entries[k])) ||
			    strlen(entries[k]) >= 64) {
				stage_note_failure(s, cands[i], "%s/%s: entry folder name is not"
						   " UTF-8 or too long; its uploads are not taken",
						   cands[i], entries[k]);
				continue;
			}
			c.candidate = cands[i];
			c.entry = er ? er->id : entries[k];
			if (er == NULL)
				log_warn("%s/%s: not an entry of the config; its files are slot-unknown",
					 cands[i], entries[k]);
			if (snprintf(edir, sizeof edir, "%.2048s/%.1024s", cdir, entries[k]) >=
			    (int)sizeof edir)
				continue;
			walk(&c, edir, "", 0);
			nameset_clear(&c.names);
		}
		free_list(entries, nentries);
	}
	log_progress_done();
	rc = 0;
out:
	nameset_clear(&c.names);
	free_list(cands, ncands);
	sqlite3_finalize(c.find);
	sqlite3_finalize(c.seen);
	sqlite3_finalize(c.same);
	sqlite3_finalize(c.retire);
	sqlite3_finalize(c.upd);
	sqlite3_finalize(c.ins_upload);
	sqlite3_finalize(c.ins_file);
	return rc;
}
