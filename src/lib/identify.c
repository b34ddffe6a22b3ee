#include "identify.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct identify {
	magic_t mime;
	magic_t desc;
};

static const char *const ARCHIVE_MIMES[] = {
	"application/zip", "application/x-tar", "application/gzip", "application/x-gzip",
	"application/x-bzip2", "application/x-xz", "application/x-7z-compressed",
	"application/x-rar", "application/vnd.rar", "application/x-lzma", "application/zstd",
	"application/x-lzip", "application/x-compress", "application/x-cpio",
	"application/x-iso9660-image", NULL,
};

/* Extensions that agree with a MIME type.  A type not listed never mismatches. */
static const struct { const char *mime; const char *exts; } EXTS[] = {
	{ "application/pdf", "pdf" },
	{ "video/mp4", "mp4 m4v mov 3gp" },
	{ "video/quicktime", "mov qt mp4" },
	{ "video/x-m4v", "m4v mp4" },
	{ "video/3gpp", "3gp 3gpp mp4" },
	{ "video/webm", "webm mkv" },
	{ "video/x-matroska", "mkv mka webm" },
	{ "video/x-ms-asf", "wmv asf wma" },
	{ "video/x-msvideo", "avi" },
	{ "audio/x-m4a", "m4a m4b mp4 aac" },
	{ "audio/mpeg", "mp3 mpga" },
	{ "audio/x-wav", "wav" },
	{ "audio/flac", "flac" },
	{ "image/jpeg", "jpg jpeg jpe" },
	{ "image/png", "png" },
	{ "application/zip", "zip" },
	{ "application/gzip", "gz tgz" },
	{ "application/x-tar", "tar" },
	{ "application/x-7z-compressed", "7z" },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx" },
	{ NULL, NULL },
};

struct identify *identify_open(struct ferr *e)
{
	struct identify *id = calloc(1, sizeof *id);

	if (id == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		return NULL;
	}
	/* no decompression: an archive is an archive, unpacked by libarchive */
	id->mime = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	id->desc = magic_open(MAGIC_NONE | MAGIC_ERROR);
	if (id->mime == NULL || id->desc == NULL) {
		ferr_set(e, FERR_SYSTEM, "libmagic: cannot initialize");
		goto fail;
	}
	if (magic_load(id->mime, NULL) != 0 || magic_load(id->desc, NULL) != 0) {
		ferr_set(e, FERR_SYSTEM, "libmagic: %s", magic_error(id->mime) ?
			 magic_error(id->mime) : magic_error(id->desc));
		goto fail;
	}
	return id;
fail:
	identify_close(id);
	return NULL;
}

void identify_close(struct identify *id)
{
	if (id == NULL)
		return;
	if (id->mime)
		magic_close(id->mime);
	if (id->desc)
		magic_close(id->desc);
	free(id);
}

const char *identify_kind_of(const char *mime)
{
	for (int i = 0; ARCHIVE_MIMES[i]; i++)
		if (strcmp(mime, ARCHIVE_MIMES[i]) == 0)
			return "archive";
	if (strncmp(mime, "video/", 6) == 0)
		return "video";
	if (strncmp(mime, "audio/", 6) == 0)
		return "audio";
	if (strncmp(mime, "image/", 6) == 0)
		return "image";
	if (strcmp(mime, "application/pdf") == 0 || strcmp(mime, "application/msword") == 0 ||
	    strncmp(mime, "application/vnd.openxmlformats-officedocument.", 46) == 0 ||
	    strncmp(mime, "application/vnd.oasis.opendocument.", 35) == 0 ||
	    strncmp(mime, "application/vnd.ms-", 19) == 0 ||
	    strcmp(mime, "application/rtf") == 0 || strcmp(mime, "text/rtf") == 0 ||
	    strcmp(mime, "application/encrypted") == 0 || strncmp(mime, "text/", 5) == 0)
		return "document";
	return "other";
}

/* Searches the file for any of the needles (each at most 63 bytes), reading
 * in blocks with an overlap so a needle across a block edge is still found.
 * Returns 1 found, 0 not, -1 read error. */
static int file_contains(const char *path, const char *const *needles, const size_t *lens)
{
	static char buf[65536 + 64];
	size_t keep = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), found = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + keep, sizeof buf - keep);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			found = -1;
			break;
		}
		if (n == 0)
			break;
		size_t have = keep + (size_t)n;
		for (int k = 0; needles[k] && !found; k++)
			if (memmem(buf, have, needles[k], lens[k]) != NULL)
				found = 1;
		if (found)
			break;
		keep = have < 63 ? have : 63;
		memmove(buf, buf + have - keep, keep);
	}
	close(fd);
	return found;
}

/* 1 when the file starts as a DOS/Windows executable ("MZ" whose e_lfanew
 * points at "PE\0\0" or "NE"), 2 for ELF or Mach-O, 0 otherwise, -1 read error. */
static int executable(const char *path)
{
	unsigned char h[64], pe[4];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), x = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, h, sizeof h, 0);
	if (n < 0) {
		close(fd);
		return -1;
	}
	if (n >= 4 && (memcmp(h, "\x7f" "ELF", 4) == 0 || memcmp(h, "\xcf\xfa\xed\xfe", 4) == 0 ||
		       memcmp(h, "\xce\xfa\xed\xfe", 4) == 0))
		x = 2;
	else if (n == (ssize_t)sizeof h && h[0] == 'M' && h[1] == 'Z') {
		uint32_t at = (uint32_t)h[60] | (uint32_t)h[61] << 8 | (uint32_t)h[62] << 16 |
			      (uint32_t)h[63] << 24;
		if (pread(fd, pe, sizeof pe, (off_t)at) == (ssize_t)sizeof pe &&
		    (memcmp(pe, "PE\0\0", 4) == 0 || memcmp(pe, "NE", 2) == 0))
			x = 1;
	}
	close(fd);
	return x;
}

static bool ext_in(const char *exts, const char *ext, size_t n)
{
	const char *p = exts;

	while (*p) {
		size_t len = strcspn(p, " ");
		if (len == n && strncasecmp(p, ext, n) == 0)
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* True when name's extension is one of exts (space-separated). */
static bool name_ext_in(const char *name, const char *exts)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	const char *slash = name ? strrchr(name, '/') : NULL;

	if (dot == NULL || (slash && slash > dot))
		return false;
	return ext_in(exts, dot + 1, strlen(dot + 1));
}

/* An extension agrees unless it is one the table knows for some type and the
 * content's type does not list it (a ".pdf" holding text disagrees; ".txt"
 * or no extension claims nothing the table can check). */
static bool ext_agrees(const char *mime, const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	const char *slash = name ? strrchr(name, '/') : NULL;
	bool known = false;
	size_t n;

	if (dot == NULL || (slash && slash > dot))
		return true;
	n = strlen(dot + 1);
	if (n == 0 || n >= 16)
		return true;
	for (int i = 0; EXTS[i].mime; i++) {
		bool listed = ext_in(EXTS[i].exts, dot + 1, n);
		if (strcmp(EXTS[i].mime, mime) == 0 && listed)
			return true;
		known = known || listed;
	}
	return !known;
}

int identify_file(struct identify *id, const char *path, const char *name, struct ident *out,
		  struct ferr *e)
{
	const char *m, *d;
	struct ident r;

	memset(&r, 0, sizeof r);
	m = magic_file(id->mime, path);
	if (m == NULL)
		return ferr_set(e, FERR_SYSTEM, "libmagic: %s: %s", path, magic_error(id->mime));
	d = magic_file(id->desc, path);
	snprintf(r.mime, sizeof r.mime, "%s", m);
	snprintf(r.description, sizeof r.description, "%s", d ? d : "");
	snprintf(r.kind, sizeof r.kind, "%s", identify_kind_of(r.mime));
	r.archive = strcmp(r.kind, "archive") == 0;
	/* libmagic's media types, and data it cannot name, go to libavformat;
	 * EBML (Matroska without a DocType) is reported as octet-stream too */
	r.media = strcmp(r.kind, "video") == 0 || strcmp(r.kind, "audio") == 0 ||
		  strcmp(r.mime, "application/octet-stream") == 0;
	if (strcmp(r.mime, "application/pdf") == 0) {
		static const char *const pdf[] = { "/Encrypt", NULL };
		static const size_t pdflen[] = { 8 };
		int f = file_contains(path, pdf, pdflen);
		if (f < 0)
			return ferr_errno(e, errno, "cannot read %s", path);
		r.encrypted = f == 1;
	} else if (strstr(r.description, "Composite Document File") != NULL ||
		   strncmp(r.description, "CDFV2", 5) == 0) {
		/* file 5.44 says "CDFV2 Encrypted" (application/encrypted) when it
		 * finds the encryption streams in a compound file's directory */
		/* an encrypted OOXML file is an OLE container holding "EncryptedPackage" */
		static const char *const ole[] = {
			"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", NULL,
		};
		static const size_t olelen[] = { 32 };
		int f = file_contains(path, ole, olelen);
		if (f < 0)
			return ferr_errno(e, errno, "cannot read %s", path);
		r.encrypted = f == 1;
		snprintf(r.kind, sizeof r.kind, "document");
	}
	if (strcmp(r.mime, "inode/x-empty") == 0)
		snprintf(r.kind, sizeof r.kind, "other");
	if (r.archive || r.media) {
		int x = executable(path);
		if (x < 0)
			return ferr_errno(e, errno, "cannot read %s", path);
		if (x > 0) {
			/* a self-extracting archive: libmagic 5.44 calls a PE or ELF
			 * image with a zip appended "Zip archive, with extra data
			 * prepended"; it is a program, never unpacked, probed or run */
			snprintf(r.mime, sizeof r.mime, "%s", x == 1 ? "application/x-dosexec"
							     : "application/x-executable");
			snprintf(r.kind, sizeof r.kind, "other");
			r.archive = r.media = false;
		}
	}
	/* An empty file has no content to disagree with, nor has data libmagic
	 * cannot name (octet-stream: a Matroska without its DocType, an EBML
	 * WebM); an encrypted OOXML file is always an OLE container, so its
	 * .docx/.xlsx/.pptx name is right. */
	if (strcmp(r.mime, "inode/x-empty") == 0 ||
	    strcmp(r.mime, "application/octet-stream") == 0)
		r.ext_mismatch = false;
	else if (r.encrypted && strcmp(r.kind, "document") == 0 &&
		 name_ext_in(name, "docx xlsx pptx docm xlsm pptm"))
		r.ext_mismatch = false;
	else
		r.ext_mismatch = !ext_agrees(r.mime, name);
	*out = r;
	return 0;
}
