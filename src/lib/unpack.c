#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define SEEN_MAX 4096	/* bounded by max_members anyway */

bool unpack_is_junk(const struct config *cfg, const char *path)
{
	const char *p = path, *base = path;

	while (*p) {
		size_t len = strcspn(p, "/\\");
		for (int i = 0; i < cfg->njunk_dirs; i++)
			if (p[len] != '\0' && strlen(cfg->junk_dirs[i]) == len &&
			    strncmp(p, cfg->junk_dirs[i], len) == 0)
				return true;
		base = p;
		p += len;
		while (*p == '/' || *p == '\\')
			p++;
	}
	for (int i = 0; i < cfg->njunk_names; i++)
		if (strcmp(base, cfg->junk_names[i]) == 0)
			return true;
	for (int i = 0; i < cfg->njunk_prefixes; i++)
		if (strncmp(base, cfg->junk_prefixes[i], strlen(cfg->junk_prefixes[i])) == 0)
			return true;
	return false;
}

void unpack_check_path(const char *name, struct reasons *r)
{
	const char *p = name;

	if (name[0] == '/' || name[0] == '\\' ||
	    (isalpha((unsigned char)name[0]) && name[1] == ':'))
		reasons_add(r, "archive-absolute-path");
	while (*p) {
		size_t len = strcspn(p, "/\\");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			reasons_add(r, "archive-path-traversal");
			break;
		}
		p += len;
		while (*p == '/' || *p == '\\')
			p++;
	}
}

static bool seen_before(char **seen, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(seen[i], name) == 0)
			return true;
	return false;
}

/* Classifies a libarchive failure by its own words. */
static void archive_fault(struct archive *a, struct unpack_result *res, const char *what)
{
	const char *msg = archive_error_string(a);

	if (msg == NULL)
		msg = "unknown error";
	snprintf(res->error, sizeof res->error, "%s: %s", what, msg);
	if (strcasestr(msg, "encrypt") || strcasestr(msg, "passphrase") ||
	    strcasestr(msg, "password"))
		reasons_add(&res->codes, "archive-encrypted");
	else if (strcasestr(msg, "multivolume") || strcasestr(msg, "multi-volume") ||
		 strcasestr(msg, "volume"))
		reasons_add(&res->codes, "archive-multi-volume");
	else
		reasons_add(&res->codes, "archive-corrupt");
}

/* Streams the current member's data into the store, enforcing the budget.
 * Returns 1 extracted, 0 a content fault (codes set, in m or res), -1 system. */
static int extract(struct archive *a, struct store *st, const struct config *cfg,
		   struct unpack_budget *budget, struct unpack_member *m,
		   struct unpack_result *res, struct ferr *e)
{
	static char buf[1 << 16];
	struct store_writer w = { .fd = -1 };
	const struct archive_limits *lim = &cfg->archive;
	int rc = -1;

	if (store_begin(st, &w, e) != 0)
		return -1;
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			const char *msg = archive_error_string(a);
			/* one member's data under a password: that member only, unless
			 * libarchive cannot go on past it */
			if (n != ARCHIVE_FATAL && msg &&
			    (strcasestr(msg, "encrypt") || strcasestr(msg, "passphrase")))
				reasons_add(&m->codes, "archive-encrypted");
			else
				archive_fault(a, res, "reading member");
			rc = 0;
			goto out;
		}
		budget->expanded += (uint64_t)n;
		res->bytes_out += (uint64_t)n;
		int64_t in = archive_filter_bytes(a, -1);
		if (budget->expanded > lim->max_expanded_bytes ||
		    (res->bytes_out > lim->ratio_grace_bytes &&
		     (double)res->bytes_out > lim->max_ratio * (double)(in > 0 ? in : 1))) {
			snprintf(res->error, sizeof res->error,
				 "expands past %llu bytes from %lld (limit %.0f:1, %llu bytes)",
				 (unsigned long long)res->bytes_out, (long long)in, lim->max_ratio,
				 (unsigned long long)lim->max_expanded_bytes);
			reasons_add(&res->codes, "archive-bomb");
			rc = 0;
			goto out;
		}
		if (store_write(&w, buf, (size_t)n, e) != 0)
			goto out;
	}
	m->size = w.size;
	if (store_commit(st, &w, m->sha256, m->store_rel, sizeof m->store_rel, e) != 0)
		goto out;
	m->extracted = true;
	rc = 1;
out:
	store_abort(&w);
	return rc;
}

int unpack_archive(struct store *st, const struct config *cfg, const char *path,
		   struct unpack_budget *budget, unpack_member_fn fn, void *ctx,
		   struct unpack_result *res, struct ferr *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	char **seen = NULL;
	size_t nseen = 0;
	char name[NAME_MAX_BYTES];
	int rc = -1;

	memset(res, 0, sizeof *res);
	reasons_init(&res->codes);
	seen = calloc(SEEN_MAX, sizeof *seen);
	if (a == NULL || seen == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		archive_fault(a, res, "opening");
		rc = 0;
		goto out;
	}
	for (;;) {
		int r = archive_read_next_header(a, &ent);
		struct unpack_member m;
		const char *raw;
		bool repaired = false;
		struct ferr ne = { 0 };

		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY || r == ARCHIVE_FAILED) {
			archive_fault(a, res, "reading header");
			break;
		}
		if (archive_entry_is_metadata_encrypted(ent)) {
			reasons_add(&res->codes, "archive-encrypted");
			snprintf(res->error, sizeof res->error, "member names are encrypted");
			break;
		}
		if (archive_entry_filetype(ent) == AE_IFDIR)
			continue;
		if (++res->members > cfg->archive.max_members || res->members > SEEN_MAX) {
			reasons_add(&res->codes, "archive-too-many-members");
			snprintf(res->error, sizeof res->error, "more than %llu members",
				 (unsigned long long)cfg->archive.max_members);
			break;
		}
		memset(&m, 0, sizeof m);
		reasons_init(&m.codes);
		raw = archive_entry_pathname(ent);
		if (raw == NULL)
			raw = archive_entry_pathname_utf8(ent);
		if (raw == NULL)
			raw = "";
		m.raw = raw;
		m.rawlen = strlen(raw);
		if (names_to_nfc(raw, m.rawlen, cfg->legacy_code_page, name, sizeof name,
				 &repaired, &ne) != 0) {
			if (ne.cls != FERR_CONTENT) {
				*e = ne;
				goto out;
			}
			snprintf(name, sizeof name, "(unreadable name %llu)",
				 (unsigned long long)res->members);
			reasons_add(&m.codes, "archive-corrupt");
		}
		m.name = name;
		if (repaired)
			reasons_add(&m.codes, "name-repaired");
		if (m.rawlen == 0)
			reasons_add(&m.codes, "archive-corrupt");
		m.junk = unpack_is_junk(cfg, name);
		unpack_check_path(name, &m.codes);
		if (archive_entry_hardlink(ent) != NULL ||
		    archive_entry_filetype(ent) == AE_IFLNK)
			reasons_add(&m.codes, "archive-link");
		else if (archive_entry_filetype(ent) != AE_IFREG)
			reasons_add(&m.codes, "archive-special-file");
		if (seen_before(seen, nseen, name))
			reasons_add(&m.codes, "archive-duplicate-member");
		else if ((seen[nseen] = strdup(name)) != NULL)
			nseen++;
		if (archive_entry_is_data_encrypted(ent))
			reasons_add(&m.codes, "archive-encrypted");
		if (m.junk) {
			reasons_add(&m.codes, "junk-file");
		} else if (!reasons_rejects(&m.codes)) {
			int x = extract(a, st, cfg, budget, &m, res, e);
			if (x < 0)
				goto out;
			if (res->codes.buf[0])
				break;	/* an archive-level fault while reading data */
		}
		if (fn(ctx, &m, e) != 0)
			goto out;
	}
	if (res->codes.buf[0] == '\0' && res->members == 0) {
		reasons_add(&res->codes, "archive-empty");
		snprintf(res->error, sizeof res->error, "no files in the archive");
	}
	res->bytes_in = (uint64_t)archive_filter_bytes(a, -1);
	rc = 0;
out:
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	if (a)
		archive_read_free(a);
	return rc;
}
