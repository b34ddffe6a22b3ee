/* store.h — the data directory and its content-addressed store of originals.
 *
 * Layout under DATA (all paths recorded in the database are relative to it,
 * so a shard's data directory can be merged as it is):
 *   store/ab/<sha256>   every original, named by content
 *   tmp/                files being written; anything here after a crash is
 *                       garbage and is removed by store_open()
 * Files are created 0640 and directories 0750: candidates' files are
 * personal data and stay private to the operator's group. */
#ifndef FOLIO_STORE_H
#define FOLIO_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "sha256.h"

struct store {
	char *root;	/* DATA, absolute */
	uint64_t min_free;	/* writers stop short of this much free (space.h); 0 off */
	/* store_defer_sync(): objects in place but not yet durable (0600) */
	bool defer_sync;
	char **pending;
	size_t npending, pending_cap;
};

/* Opens (creating if needed) the data directory DATA, sets umask 027 and
 * clears DATA/tmp.  Returns 0, or -1 with e filled (FERR_SYSTEM). */
int store_open(struct store *st, const char *data_dir, struct ferr *e);
void store_close(struct store *st);

/* An object being written: bytes go to a private temporary file under tmp/
 * (O_EXCL, never through a link) and are hashed as they pass. */
struct store_writer {
	int fd;
	char tmp[4096];
	struct sha256 hash;
	uint64_t size;
	uint64_t min_free;	/* the store's, when begun */
	uint64_t unchecked;	/* written since free space was last checked */
};

int store_begin(struct store *st, struct store_writer *w, struct ferr *e);
/* Writes n bytes.  Every SPACE_CHECK_EVERY bytes it checks the file system's
 * free space against st->min_free (space.h).  A refusal or a write error
 * (ENOSPC) is FERR_SYSTEM; the caller then store_abort()s, which removes the
 * partial temporary file. */
int store_write(struct store_writer *w, const void *buf, size_t n, struct ferr *e);
/* fsyncs and renames the object to store/ab/<sha256>, writing its relative
 * path (store/ab/<sha>) into relpath and its hex digest into sha.  An object
 * already present (and durable: mode 0640) is kept and the new copy dropped.
 * After store_defer_sync() the object is not synced but queued (see there).
 * Returns 0 or -1. */
int store_commit(struct store *st, struct store_writer *w, char sha[65],
		 char *relpath, size_t relsz, struct ferr *e);
/* Discards an unfinished object.  Accepts a writer never begun.  Cannot fail. */
void store_abort(struct store_writer *w);

/* Batches durability (folio-unpack: one archive's members).  From this call
 * on, store_commit() puts each new object in place at once (so it can be
 * read), unsynced and mode 0600, and queues it.  store_sync() then makes
 * every queued object durable with two syncs in all and marks it so (mode
 * 0640); call it before the database commit that records them, so that no
 * row ever names an object that is not durable.  An object a crash leaves
 * 0600 may hold anything: store_commit() never takes it for a copy of new
 * bytes but replaces it.  Cannot fail. */
void store_defer_sync(struct store *st);
/* syncfs() (the queued objects' bytes and names), chmod 0640, syncfs() (the
 * modes): two syncs however many objects.  A no-op with nothing queued.  On
 * failure the queued objects are removed and -1 returned with e filled.
 * syncfs() flushes the whole file system, other programs' writes too. */
int store_sync(struct store *st, struct ferr *e);
/* Queues the object at rel that another process (an isolated child of this
 * one, its store deferred too) put in place, so that store_sync() and
 * store_discard() here see to it.  Returns 0, or -1 with e filled. */
int store_adopt(struct store *st, const char *rel, struct ferr *e);
/* syncfs() on the data directory's file system (every file on it durable,
 * other programs' too).  Returns 0, or -1 with e filled. */
int store_sync_fs(const struct store *st, struct ferr *e);
/* Removes every queued object.  Cannot fail. */
void store_discard(struct store *st);

/* Streams the regular file at path (opened O_NOFOLLOW) into the store.
 * max_bytes (0: unlimited) bounds what is read. */
int store_put_file(struct store *st, const char *path, char sha[65], char *relpath,
		   size_t relsz, uint64_t *size, struct ferr *e);

/* Hashes a file without storing it.  Safe from several threads at once.
 * Returns 0 or -1. */
int sha256_file(const char *path, char sha[65], uint64_t *size, struct ferr *e);

/* Joins DATA and a relative path into out.  Returns 0, or -1 if it does not fit. */
int store_path(const struct store *st, const char *rel, char *out, size_t outsz);

/* Creates every missing directory of path (mode 0750).  Returns 0 or -1. */
int fs_mkdirs(const char *path, struct ferr *e);

/* Removes everything below dir, and dir itself with remove_dir; links are
 * removed, never followed.  Best effort: cannot fail. */
void fs_remove_tree(const char *dir, bool remove_dir);

/* fsyncs fd, closes it, renames tmp to dst and fsyncs dst's directory: after
 * it returns 0 the file is durably in place under its final name.  On failure
 * tmp is unlinked.  Always closes fd. */
int fs_commit_file(int fd, const char *tmp, const char *dst, struct ferr *e);

#endif
