/* unpack.h — opening one archive layer with libarchive, safely.
 *
 * Member names and sizes are attacker-controlled.  Nothing is ever written
 * under a member's name: an accepted member's bytes stream (hashed as they
 * pass) into a private temporary file of the store and are renamed to their
 * SHA-256 (store.h).  So no member can write outside the data directory or
 * through a link, whatever its name says; the checks below exist to report
 * such members, not to contain them.
 *
 * Member-level faults reject one member and unpacking goes on:
 *   archive-path-traversal ("..", "\" counted as a separator), archive-absolute-path
 *   ("/x", "\x", "C:"), archive-link (symbolic or hard), archive-special-file,
 *   archive-duplicate-member (names equal after NFC; the first is kept),
 *   archive-encrypted (one member's data), junk-file (skipped, not judged).
 * Archive-level faults stop unpacking and reject the archive (the caller
 * discards any member already reported):
 *   archive-corrupt (unreadable, truncated, CRC damage, a member delivering
 *   more or fewer bytes than its header declares), archive-bomb,
 *   archive-too-many-members, archive-encrypted (headers), archive-empty,
 *   archive-multi-volume (found before opening: the volume flag of a RAR main
 *   header, a spanned or split zip's markers, or a piece's name such as
 *   x.z01, x.7z.001, x.part2.rar).
 *
 * At most one compression layer (gzip, bzip2, xz, zstd, lzip, compress, lz4,
 * lzma, by magic number) is opened around a format; below one, a file that is
 * no archive format is a single member named after the archive without its
 * last extension ("clip.mp4.gz" holds "clip.mp4").  A compressed file inside
 * that layer is a member like any other, for the caller to open as the next
 * layer. */
#ifndef FOLIO_UNPACK_H
#define FOLIO_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "reasons.h"
#include "store.h"

struct unpack_member {
	const char *raw;	/* the name's bytes as stored */
	size_t rawlen;
	const char *name;	/* UTF-8 NFC, as folio records it */
	struct reasons codes;	/* member-level faults and warnings */
	bool junk;
	bool extracted;		/* bytes are in the store */
	char sha256[65];
	char store_rel[128];
	uint64_t size;
};

/* What one upload may expand to, over all its layers. */
struct unpack_budget {
	uint64_t expanded;
};

struct unpack_result {
	struct reasons codes;	/* archive-level faults; empty when it unpacked */
	char error[256];	/* libarchive's own words for the fault */
	uint64_t members;	/* non-directory members seen */
	uint64_t bytes_in, bytes_out;
};

/* Called once per non-directory member, in archive order.  Returns 0, or -1
 * with e filled to stop unpacking with a system failure. */
typedef int (*unpack_member_fn)(void *ctx, const struct unpack_member *m, struct ferr *e);

/* Unpacks the archive at path (opened O_NOFOLLOW); archive_name is the name
 * the candidate gave it (may be NULL), for the multi-volume name check and a
 * single compressed file's member name.  Calls fn for each member; the
 * member's strings live until fn returns.  Content faults are results
 * (res->codes, res->error); returns 0 then, or -1 with e filled only for
 * system failures (disk full, out of memory, path unreadable). */
int unpack_archive(struct store *st, const struct config *cfg, const char *path,
		   const char *archive_name, struct unpack_budget *budget,
		   unpack_member_fn fn, void *ctx, struct unpack_result *res, struct ferr *e);

/* unpack_archive() on an archive already open as fd (read from offset 0 with
 * pread and lseek; a regular file or a memfd), which stays open. */
int unpack_archive_fd(struct store *st, const struct config *cfg, int fd,
		      const char *archive_name, struct unpack_budget *budget,
		      unpack_member_fn fn, void *ctx, struct unpack_result *res, struct ferr *e);

/* True when the path (a member name, or a file's path in an upload) is junk
 * per cfg: a component in junk dirs, or a basename in junk names or with a
 * junk prefix.  Cannot fail. */
bool unpack_is_junk(const struct config *cfg, const char *path);

/* The member-level path faults of a decoded name: archive-absolute-path or
 * archive-path-traversal into r.  Cannot fail. */
void unpack_check_path(const char *name, struct reasons *r);

#endif
