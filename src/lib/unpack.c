#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"

#define SEEN_MAX 4096	/* bounded by max_members anyway */
#define RAW_NAME "data"	/* a compressed single file with no name of its own */

/* The compression layers folio lets libarchive open, found by their magic
 * numbers: exactly one layer, appended by hand.  libarchive's own bidding
 * stacks up to 25 layers and, on 3.6.2, reads a nested gzip header's name
 * field without bound (libarchive_gzip_recursive.gz, a gzip quine: minutes
 * and gigabytes before "Unable to allocate copy buffer").  A compressed file
 * inside the layer is then a member, opened again by the caller while depth
 * allows. */
static const struct {
	const char *magic;
	size_t len;
	int filter;
} FILTERS[] = {
	{ "\x1f\x8b", 2, ARCHIVE_FILTER_GZIP },
	{ "BZh", 3, ARCHIVE_FILTER_BZIP2 },
	{ "\xfd" "7zXZ", 6, ARCHIVE_FILTER_XZ },	/* with its NUL */
	{ "\x28\xb5\x2f\xfd", 4, ARCHIVE_FILTER_ZSTD },
	{ "LZIP", 4, ARCHIVE_FILTER_LZIP },
	/* no compress(1) (.Z): its init reads before the archive is open, and
	 * append runs init right away: a NULL read in libarchive 3.6.2 (found by
	 * tests/fuzz/fuzz_unpack).  A .Z upload is then an unreadable archive. */
	{ "\x04\x22\x4d\x18", 4, ARCHIVE_FILTER_LZ4 },
	{ "\x5d\x00\x00", 3, ARCHIVE_FILTER_LZMA },
};

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

static bool has_word(const char *msg, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (strcasestr(msg, words[i]) != NULL)
			return true;
	return false;
}

static const char *const ENCRYPTED_WORDS[] = { "encrypt", "passphrase", "password", NULL };

/* Classifies a libarchive failure by its own words.  Multi-volume sets are
 * found before opening (volume_fault), never from an error's text: a piece's
 * read fails in many ways ("Truncated RAR file data", "File CRC error"). */
static void archive_fault(struct archive *a, struct unpack_result *res, const char *what)
{
	const char *msg = archive_error_string(a);

	if (msg == NULL)
		msg = "unknown error";
	snprintf(res->error, sizeof res->error, "%s: %s", what, msg);
	if (has_word(msg, ENCRYPTED_WORDS))
		reasons_add(&res->codes, "archive-encrypted");
	else
		reasons_add(&res->codes, "archive-corrupt");
}

/* Reads up to n bytes at off.  Returns the count, or -1 with errno set. */
static ssize_t read_at(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* CRC-32 (IEEE 802.3, as gzip's trailer has it) of n bytes, continuing crc. */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t table[256];
	static bool ready;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = true;
	}
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* RAR5 headers count in variable-length integers: 7 bits a byte, low first.
 * Returns the bytes used, 0 when malformed or past end. */
static size_t rar5_vint(const unsigned char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && i < 10; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return i + 1;
		}
	}
	return 0;
}

/* True when the archive's own header says it is one piece of a set: the
 * volume flag of a RAR main header (RAR 4 and 5), a spanned zip's marker, or
 * a zip end record on another disk than the first. */
static bool volume_header(int fd, off_t size)
{
	unsigned char h[64], t[22];
	ssize_t n = read_at(fd, h, sizeof h, 0);

	if (n >= 12 && memcmp(h, "Rar!\x1a\x07\x00", 7) == 0)
		return h[9] == 0x73 && (h[10] & 0x01);
	if (n >= 12 && memcmp(h, "Rar!\x1a\x07\x01\x00", 8) == 0) {
		/* CRC32, header size, type (1: main), header flags, [extra size], archive flags */
		uint64_t v[5] = { 0 };
		size_t at = 12, k;
		for (int i = 0; i < 3; i++) {
			if ((k = rar5_vint(h + at, (size_t)n - at, &v[i])) == 0)
				return false;
			at += k;
		}
		if (v[1] != 1)
			return false;
		if ((v[2] & 0x01) && (k = rar5_vint(h + at, (size_t)n - at, &v[3])) == 0)
			return false;
		at += (v[2] & 0x01) ? k : 0;
		return rar5_vint(h + at, (size_t)n - at, &v[4]) != 0 && (v[4] & 0x01);
	}
	if (n >= 4 && memcmp(h, "PK\x07\x08", 4) == 0)
		return true;
	if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0 && size >= 22 &&
	    read_at(fd, t, sizeof t, size - 22) == 22 && memcmp(t, "PK\x05\x06", 4) == 0) {
		/* only an end record without a comment is looked at: enough for
		 * the tools that split, and no search through hostile bytes */
		unsigned disk = t[4] | t[5] << 8, cd_disk = t[6] | t[7] << 8;
		return (disk != 0 && disk != 0xffff) || (cd_disk != 0 && cd_disk != 0xffff);
	}
	return false;
}

/* One piece of a split archive by its name, for the splitters that write no
 * header saying so: x.z01 (zip), x.zip.001, x.7z.001 (cut by bytes).  RAR
 * volumes are known by their header flag alone (volume_header), so a single
 * archive named x.part1.rar is not taken for a piece. */
static bool volume_name(const char *name)
{
	const char *base = name ? strrchr(name, '/') : NULL;

	if (name == NULL)
		return false;
	base = base ? base + 1 : name;
	return fnmatch("*.[zZ][0-9][0-9]", base, 0) == 0 ||
	       fnmatch("*.[0-9][0-9][0-9]", base, 0) == 0;
}

/* The member name of a compressed single file (libarchive's raw format says
 * "data"): the archive's own name without its last extension. */
static void raw_member_name(const char *archive_name, char *out, size_t outsz)
{
	const char *base = archive_name ? strrchr(archive_name, '/') : NULL;
	const char *dot;
	size_t len;

	base = base ? base + 1 : archive_name;
	dot = base ? strrchr(base, '.') : NULL;
	len = base ? (dot ? (size_t)(dot - base) : strlen(base)) : 0;
	if (len == 0 || len >= outsz)
		snprintf(out, outsz, "%s", RAW_NAME);
	else
		snprintf(out, outsz, "%.*s", (int)len, base);
}

/* Streams the current member's data into the store, enforcing the budget and
 * the size the member's header declares: a member may deliver neither more
 * nor less than that (libarchive 3.6.2 hands back more of an overlong deflate
 * stream before it warns, and ends a short one quietly), and the declared
 * size itself is never used to reserve or allocate anything.
 * *crc is the CRC-32 of the bytes, continued; crc NULL: not computed (only a
 * single gzip-compressed file needs it: libarchive checks zip, 7z, rar, xz).
 * Returns 1 extracted, 0 a content fault (codes set, in m or res), -1 system. */
static int extract(struct archive *a, struct archive_entry *ent, struct store *st,
		   const struct config *cfg, struct unpack_budget *budget,
		   struct unpack_member *m, uint32_t *crc, struct unpack_result *res,
		   struct ferr *e)
{
	static char buf[1 << 16];
	struct store_writer w = { .fd = -1 };
	const struct archive_limits *lim = &cfg->archive;
	int64_t declared = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : -1;
	int rc = -1;

	if (store_begin(st, &w, e) != 0)
		return -1;
	/* every pass reads at least one byte or ends: bounded by the member's data,
	 * which the budget and the declared size bound in turn */
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			const char *msg = archive_error_string(a);
			/* one member's data under a password: that member only, unless
			 * libarchive cannot go on past it */
			if (n != ARCHIVE_FATAL && msg && has_word(msg, ENCRYPTED_WORDS))
				reasons_add(&m->codes, "archive-encrypted");
			else
				archive_fault(a, res, "reading member");
			rc = 0;
			goto out;
		}
		if (declared >= 0 && w.size + (uint64_t)n > (uint64_t)declared) {
			snprintf(res->error, sizeof res->error,
				 "member delivers more than its declared %lld bytes",
				 (long long)declared);
			reasons_add(&res->codes, "archive-corrupt");
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
		if (crc != NULL)
			*crc = crc32_update(*crc, (const unsigned char *)buf, (size_t)n);
		if (store_write(&w, buf, (size_t)n, e) != 0)
			goto out;
	}
	if (declared >= 0 && w.size != (uint64_t)declared) {
		snprintf(res->error, sizeof res->error,
			 "member delivers %llu of its declared %lld bytes",
			 (unsigned long long)w.size, (long long)declared);
		reasons_add(&res->codes, "archive-corrupt");
		rc = 0;
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

/* libarchive 3.6.2 never checks a gzip trailer; for a single compressed file
 * (nothing else checks its bytes) folio does: the file's last 8 bytes hold
 * the CRC-32 and the size mod 2^32 of what it decompresses to.  (Several gzip
 * members concatenated would fail this: rare in uploads, and rejected with a
 * reason rather than passed unchecked.)  Sets archive-corrupt in res. */
static void gzip_trailer(int fd, off_t size, uint32_t crc, uint64_t len,
			 struct unpack_result *res)
{
	unsigned char t[8];
	uint32_t want_crc, want_len;

	if (size < 18 || read_at(fd, t, sizeof t, size - 8) != 8) {
		reasons_add(&res->codes, "archive-corrupt");
		snprintf(res->error, sizeof res->error, "gzip trailer missing");
		return;
	}
	want_crc = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
		   (uint32_t)t[3] << 24;
	want_len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 |
		   (uint32_t)t[7] << 24;
	if (want_crc != crc || want_len != (uint32_t)len) {
		reasons_add(&res->codes, "archive-corrupt");
		snprintf(res->error, sizeof res->error,
			 "gzip CRC error (data CRC %08x, %llu bytes; trailer %08x, %u bytes)",
			 (unsigned)crc, (unsigned long long)len, (unsigned)want_crc,
			 (unsigned)want_len);
	}
}

/* Opens fd (the archive, read from its start) in a: one compression layer
 * when the magic says so, then every format libarchive knows, and its raw
 * format only below a compression layer (a single compressed file; on a bare
 * file raw would take any damaged archive as one member).  Sets *filter to
 * the layer's ARCHIVE_FILTER_ code (ARCHIVE_FILTER_NONE without one).
 * Returns libarchive's status. */
static int open_archive(struct archive *a, int fd, int *filter)
{
	unsigned char h[8];
	ssize_t n = read_at(fd, h, sizeof h, 0);

	*filter = ARCHIVE_FILTER_NONE;
	for (size_t i = 0; n > 0 && i < sizeof FILTERS / sizeof FILTERS[0]; i++) {
		if ((size_t)n >= FILTERS[i].len && memcmp(h, FILTERS[i].magic, FILTERS[i].len) == 0) {
			if (archive_read_append_filter(a, FILTERS[i].filter) != ARCHIVE_OK)
				return ARCHIVE_FATAL;
			*filter = FILTERS[i].filter;
			break;
		}
	}
	archive_read_support_format_all(a);
	if (*filter != ARCHIVE_FILTER_NONE)
		archive_read_support_format_raw(a);
	if (lseek(fd, 0, SEEK_SET) < 0) {
		archive_set_error(a, errno, "cannot seek");
		return ARCHIVE_FATAL;
	}
	return archive_read_open_fd(a, fd, 1 << 16);
}

int unpack_archive(struct store *st, const struct config *cfg, const char *path,
		   const char *archive_name, struct unpack_budget *budget, unpack_member_fn fn,
		   void *ctx, struct unpack_result *res, struct ferr *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0) {
		memset(res, 0, sizeof *res);
		reasons_init(&res->codes);
		return ferr_errno(e, errno, "cannot open %s", path);
	}
	rc = unpack_archive_fd(st, cfg, fd, archive_name, budget, fn, ctx, res, e);
	close(fd);
	return rc;
}

int unpack_archive_fd(struct store *st, const struct config *cfg, int fd,
		      const char *archive_name, struct unpack_budget *budget, unpack_member_fn fn,
		      void *ctx, struct unpack_result *res, struct ferr *e)
{
	struct archive *a = NULL;
	struct archive_entry *ent = NULL;
	char **seen = NULL;
	size_t nseen = 0;
	char name[NAME_MAX_BYTES], raw_name[256], open_msg[200] = "";
	struct stat sb;
	int filter = ARCHIVE_FILTER_NONE;
	int rc = -1;

	memset(res, 0, sizeof *res);
	reasons_init(&res->codes);
	if (fstat(fd, &sb) != 0) {
		ferr_errno(e, errno, "cannot read the archive");
		goto out;
	}
	if (volume_name(archive_name) || volume_header(fd, sb.st_size)) {
		reasons_add(&res->codes, "archive-multi-volume");
		snprintf(res->error, sizeof res->error, "one piece of a multi-volume archive");
		rc = 0;
		goto out;
	}
	a = archive_read_new();
	ent = archive_entry_new();
	seen = calloc(SEEN_MAX, sizeof *seen);
	if (a == NULL || ent == NULL || seen == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto out;
	}
	if (open_archive(a, fd, &filter) != ARCHIVE_OK) {
		archive_fault(a, res, "opening");
		rc = 0;
		goto out;
	}
	/* libarchive 3.6.2 opens a truncated gzip "successfully", leaving the
	 * error ("truncated gzip input") for no one, and the first header is
	 * then a quiet EOF: kept to tell that from an empty archive */
	if (archive_error_string(a) != NULL)
		snprintf(open_msg, sizeof open_msg, "%s", archive_error_string(a));
	raw_member_name(archive_name, raw_name, sizeof raw_name);
	/* one pass per header; max_members (and SEEN_MAX) end it */
	for (;;) {
		int r = archive_read_next_header2(a, ent);
		struct unpack_member m;
		const char *raw;
		bool repaired = false, is_raw;
		uint32_t crc = 0;
		struct ferr ne = { 0 };

		if (r == ARCHIVE_EOF)
			break;
		/* encrypted names: libarchive 3.6.2 fails zip's header with no
		 * message of its own and 7z's with one; the entry's flag says it */
		if (archive_entry_is_metadata_encrypted(ent)) {
			reasons_add(&res->codes, "archive-encrypted");
			snprintf(res->error, sizeof res->error, "member names are encrypted");
			break;
		}
		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY || r == ARCHIVE_FAILED) {
			archive_fault(a, res, "reading header");
			break;
		}
		if (archive_entry_filetype(ent) == AE_IFDIR) {
			/* a tar folder entry that declares data: libarchive 3.6.2 takes a
			 * regular file named "x/" for a folder and then, with no error,
			 * loses the members after it (bsdtar lists none of them) */
			if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR &&
			    archive_entry_size_is_set(ent) && archive_entry_size(ent) > 0) {
				reasons_add(&res->codes, "archive-corrupt");
				snprintf(res->error, sizeof res->error,
					 "a folder entry declares %lld bytes of data",
					 (long long)archive_entry_size(ent));
				break;
			}
			continue;
		}
		if (++res->members > cfg->archive.max_members || res->members > SEEN_MAX) {
			reasons_add(&res->codes, "archive-too-many-members");
			snprintf(res->error, sizeof res->error, "more than %llu members",
				 (unsigned long long)cfg->archive.max_members);
			break;
		}
		memset(&m, 0, sizeof m);
		reasons_init(&m.codes);
		is_raw = filter != ARCHIVE_FILTER_NONE && archive_format(a) == ARCHIVE_FORMAT_RAW;
		if (is_raw) {
			raw = raw_name;
		} else {
			raw = archive_entry_pathname(ent);
			if (raw == NULL)
				raw = archive_entry_pathname_utf8(ent);
			if (raw == NULL)
				raw = "";
		}
		m.raw = raw;
		m.rawlen = strlen(raw);
		/* no name at all: libarchive could not convert it (a UTF-8 flag
		 * on bytes that are not UTF-8) or the header holds none */
		if (m.rawlen == 0 || names_to_nfc(raw, m.rawlen, cfg->legacy_code_page, name,
						  sizeof name, &repaired, &ne) != 0) {
			if (m.rawlen > 0 && ne.cls != FERR_CONTENT) {
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
			/* not extracted: its size as the archive states it (folio show) */
			if (archive_entry_size_is_set(ent) && archive_entry_size(ent) >= 0)
				m.size = (uint64_t)archive_entry_size(ent);
		} else if (!reasons_rejects(&m.codes)) {
			bool gz = is_raw && filter == ARCHIVE_FILTER_GZIP;
			int x = extract(a, ent, st, cfg, budget, &m, gz ? &crc : NULL, res, e);
			if (x < 0)
				goto out;
			if (x > 0 && gz)
				gzip_trailer(fd, sb.st_size, crc, m.size, res);
			if (res->codes.buf[0])
				break;	/* an archive-level fault while reading data */
		}
		if (fn(ctx, &m, e) != 0)
			goto out;
	}
	if (res->codes.buf[0] == '\0' && res->members == 0 && open_msg[0]) {
		reasons_add(&res->codes, "archive-corrupt");
		snprintf(res->error, sizeof res->error, "opening: %s", open_msg);
	} else if (res->codes.buf[0] == '\0' && res->members == 0) {
		reasons_add(&res->codes, "archive-empty");
		snprintf(res->error, sizeof res->error, "no files in the archive");
	}
	res->bytes_in = (uint64_t)archive_filter_bytes(a, -1);
	rc = 0;
out:
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	archive_entry_free(ent);
	if (a)
		archive_read_free(a);
	return rc;
}
