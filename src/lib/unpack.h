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
 *   archive-corrupt, archive-bomb, archive-too-many-members,
 *   archive-encrypted (headers), archive-multi-volume, archive-empty. */
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

/* Unpacks the archive at path.  Content faults are results (res->codes);
 * returns -1 with e filled only for system failures (disk full...). */
int unpack_archive(struct store *st, const struct config *cfg, const char *path,
		   struct unpack_budget *budget, unpack_member_fn fn, void *ctx,
		   struct unpack_result *res, struct ferr *e);

/* True when the path (a member name, or a file's path in an upload) is junk
 * per cfg: a component in junk dirs, or a basename in junk names or with a
 * junk prefix.  Cannot fail. */
bool unpack_is_junk(const struct config *cfg, const char *path);

/* The member-level path faults of a decoded name: archive-absolute-path or
 * archive-path-traversal into r.  Cannot fail. */
void unpack_check_path(const char *name, struct reasons *r);

#endif
