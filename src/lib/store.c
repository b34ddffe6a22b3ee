#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "space.h"

/* Objects are 0640 once durable.  An object put in place under
 * store_defer_sync() is 0600 until store_sync() has made it durable: one
 * left 0600 by a crash may hold anything, so it is never taken for a copy of
 * new bytes (store_commit() replaces it). */
#define MODE_DURABLE 0640
#define MODE_PENDING 0600

int fs_mkdirs(const char *path, struct ferr *e)
{
	char buf[4096];
	size_t n = strlen(path);
	char *p;

	if (n == 0 || n >= sizeof buf)
		return ferr_set(e, FERR_SYSTEM, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return ferr_errno(e, errno, "cannot create %s", buf);
		*p = c;
		if (c == '\0')
			break;
	}
	return 0;
}

static int fsync_dir_of(const char *path, struct ferr *e)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 1;
	int fd, rc = 0;

	if (n >= sizeof dir)
		return ferr_set(e, FERR_SYSTEM, "%s: path too long", path);
	memcpy(dir, slash ? path : ".", n);
	dir[n] = '\0';
	if (n == 0)
		strcpy(dir, "/");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ferr_errno(e, errno, "cannot open %s", dir);
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = ferr_errno(e, errno, "cannot fsync %s", dir);
	close(fd);
	return rc;
}

int fs_commit_file(int fd, const char *tmp, const char *dst, struct ferr *e)
{
	if (fsync(fd) != 0) {
		ferr_errno(e, errno, "cannot fsync %s", tmp);
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		ferr_errno(e, errno, "cannot close %s", tmp);
		goto fail;
	}
	if (rename(tmp, dst) != 0) {
		ferr_errno(e, errno, "cannot rename %s to %s", tmp, dst);
		goto fail;
	}
	return fsync_dir_of(dst, e);
fail:
	unlink(tmp);
	return -1;
}

void fs_remove_tree(const char *dir, bool remove_dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= (int)sizeof p)
			continue;
		/* lstat: a link is removed, never followed */
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			fs_remove_tree(p, true);
		else
			unlink(p);
	}
	closedir(d);
	if (remove_dir)
		rmdir(dir);
}

int store_open(struct store *st, const char *data_dir, struct ferr *e)
{
	char path[4096];

	st->root = NULL;
	st->min_free = 0;
	st->defer_sync = false;
	st->pending = NULL;
	st->npending = st->pending_cap = 0;
	umask(027);
	if (fs_mkdirs(data_dir, e) != 0)
		return -1;
	st->root = realpath(data_dir, NULL);
	if (st->root == NULL)
		return ferr_errno(e, errno, "cannot resolve %s", data_dir);
	if (snprintf(path, sizeof path, "%s/tmp", st->root) >= (int)sizeof path ||
	    fs_mkdirs(path, e) != 0) {
		store_close(st);
		return ferr_set(e, FERR_SYSTEM, "%s: cannot prepare tmp/", data_dir);
	}
	fs_remove_tree(path, false);
	if (snprintf(path, sizeof path, "%s/store", st->root) >= (int)sizeof path ||
	    fs_mkdirs(path, e) != 0) {
		store_close(st);
		return ferr_set(e, FERR_SYSTEM, "%s: cannot prepare store/", data_dir);
	}
	return 0;
}

void store_close(struct store *st)
{
	store_discard(st);
	free(st->pending);
	st->pending = NULL;
	st->pending_cap = 0;
	st->defer_sync = false;
	free(st->root);
	st->root = NULL;
}

int store_path(const struct store *st, const char *rel, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", st->root, rel);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int store_begin(struct store *st, struct store_writer *w, struct ferr *e)
{
	static unsigned seq;

	w->fd = -1;
	w->size = 0;
	w->min_free = st->min_free;
	w->unchecked = 0;
	sha256_init(&w->hash);
	for (int tries = 0; tries < 100; tries++) {
		if (snprintf(w->tmp, sizeof w->tmp, "%s/tmp/obj-%ld-%u", st->root,
			     (long)getpid(), seq++) >= (int)sizeof w->tmp)
			return ferr_set(e, FERR_SYSTEM, "data directory path too long");
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     st->defer_sync ? MODE_PENDING : MODE_DURABLE);
		if (w->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	return ferr_errno(e, errno, "cannot create %s", w->tmp);
}

int store_write(struct store_writer *w, const void *buf, size_t n, struct ferr *e)
{
	const char *p = buf;

	if (w->min_free && (w->unchecked += n) >= SPACE_CHECK_EVERY) {
		w->unchecked = 0;
		if (space_check_fd(w->fd, w->min_free, n, "a file being stored", e) != 0)
			return -1;
	}
	sha256_update(&w->hash, buf, n);
	w->size += n;
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return ferr_errno(e, errno, "cannot write %s", w->tmp);
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}


/* Closes an object's file, puts it in place and queues it for store_sync().
 * On failure the temporary file is removed. */
static int queue(struct store *st, struct store_writer *w, int fd, const char *dst,
		 struct ferr *e)
{
	char *copy;

	if (close(fd) != 0) {
		ferr_errno(e, errno, "cannot close %s", w->tmp);
		unlink(w->tmp);
		return -1;
	}
	if (st->npending == st->pending_cap) {
		size_t cap = st->pending_cap ? st->pending_cap * 2 : 64;
		char **p = realloc(st->pending, cap * sizeof *p);
		if (p == NULL)
			goto oom;
		st->pending = p;
		st->pending_cap = cap;
	}
	if ((copy = strdup(dst)) == NULL)
		goto oom;
	if (rename(w->tmp, dst) != 0) {
		ferr_errno(e, errno, "cannot rename %s to %s", w->tmp, dst);
		free(copy);
		unlink(w->tmp);
		return -1;
	}
	st->pending[st->npending++] = copy;
	return 0;
oom:
	unlink(w->tmp);
	return ferr_set(e, FERR_SYSTEM, "out of memory");
}

int store_adopt(struct store *st, const char *rel, struct ferr *e)
{
	char dst[4096];

	if (store_path(st, rel, dst, sizeof dst) != 0)
		return ferr_set(e, FERR_SYSTEM, "data directory path too long");
	if (st->npending == st->pending_cap) {
		size_t cap = st->pending_cap ? st->pending_cap * 2 : 64;
		char **p = realloc(st->pending, cap * sizeof *p);
		if (p == NULL)
			return ferr_set(e, FERR_SYSTEM, "out of memory");
		st->pending = p;
		st->pending_cap = cap;
	}
	if ((st->pending[st->npending] = strdup(dst)) == NULL)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	st->npending++;
	return 0;
}

void store_defer_sync(struct store *st)
{
	st->defer_sync = true;
}

static void pending_clear(struct store *st, bool remove)
{
	for (size_t i = 0; i < st->npending; i++) {
		if (remove)
			unlink(st->pending[i]);
		free(st->pending[i]);
	}
	st->npending = 0;
}

void store_discard(struct store *st)
{
	pending_clear(st, true);
}

int store_sync_fs(const struct store *st, struct ferr *e)
{
	int fd = open(st->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return ferr_errno(e, errno, "cannot open %s", st->root);
	if (syncfs(fd) != 0)
		rc = ferr_errno(e, errno, "cannot sync the file system of %s", st->root);
	close(fd);
	return rc;
}

int store_sync(struct store *st, struct ferr *e)
{
	if (st->npending == 0)
		return 0;
	/* the bytes and names first; then the mode that says they are durable */
	if (store_sync_fs(st, e) != 0)
		goto fail;
	for (size_t i = 0; i < st->npending; i++) {
		if (chmod(st->pending[i], MODE_DURABLE) != 0) {
			ferr_errno(e, errno, "cannot chmod %s", st->pending[i]);
			goto fail;
		}
	}
	if (store_sync_fs(st, e) != 0)
		goto fail;
	pending_clear(st, false);
	return 0;
fail:
	/* nothing recorded names them yet; one already 0640 is durable */
	pending_clear(st, true);
	return -1;
}

int store_commit(struct store *st, struct store_writer *w, char sha[65],
		 char *relpath, size_t relsz, struct ferr *e)
{
	char hex[65], rel[128], dir[4096], dst[4096];
	struct stat sb;
	int fd = w->fd;

	sha256_final_hex(&w->hash, hex);
	snprintf(rel, sizeof rel, "store/%.2s/%s", hex, hex);
	if (snprintf(dir, sizeof dir, "%s/store/%.2s", st->root, hex) >= (int)sizeof dir ||
	    store_path(st, rel, dst, sizeof dst) != 0 || strlen(rel) >= relsz) {
		store_abort(w);
		return ferr_set(e, FERR_SYSTEM, "data directory path too long");
	}
	/* store/ab exists but for the first object of its 256th: one mkdir */
	if (mkdir(dir, 0750) != 0 && errno != EEXIST && fs_mkdirs(dir, e) != 0) {
		store_abort(w);
		return -1;
	}
	w->fd = -1;
	if (lstat(dst, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == w->size &&
	    (sb.st_mode & 07777) == MODE_DURABLE) {
		close(fd);
		unlink(w->tmp);
	} else if (st->defer_sync) {
		if (queue(st, w, fd, dst, e) != 0)
			return -1;
	} else if (fs_commit_file(fd, w->tmp, dst, e) != 0) {
		return -1;
	}
	memcpy(sha, hex, 65);
	memcpy(relpath, rel, strlen(rel) + 1);
	return 0;
}

void store_abort(struct store_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	w->fd = -1;
}

static int stream_fd(const char *path, struct store *st, char sha[65], char *relpath,
		     size_t relsz, uint64_t *size, struct ferr *e)
{
	/* a buffer of its own per call: folio-normalize hashes from several threads */
	enum { BUFSZ = 1 << 16 };
	char *buf = malloc(BUFSZ);
	struct store_writer w = { .fd = -1 };
	struct sha256 h;
	uint64_t n = 0;
	int fd, rc = -1;

	if (buf == NULL)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return ferr_errno(e, errno, "cannot open %s", path);
	}
	if (st != NULL && store_begin(st, &w, e) != 0)
		goto out;
	sha256_init(&h);
	for (;;) {
		ssize_t k = read(fd, buf, BUFSZ);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			ferr_errno(e, errno, "cannot read %s", path);
			goto out;
		}
		if (k == 0)
			break;
		if (st != NULL && store_write(&w, buf, (size_t)k, e) != 0)
			goto out;
		if (st == NULL)
			sha256_update(&h, buf, (size_t)k);
		n += (uint64_t)k;
	}
	if (st != NULL) {
		if (store_commit(st, &w, sha, relpath, relsz, e) != 0)
			goto out;
	} else {
		sha256_final_hex(&h, sha);
	}
	*size = n;
	rc = 0;
out:
	store_abort(&w);
	close(fd);
	free(buf);
	return rc;
}

int store_put_file(struct store *st, const char *path, char sha[65], char *relpath,
		   size_t relsz, uint64_t *size, struct ferr *e)
{
	return stream_fd(path, st, sha, relpath, relsz, size, e);
}

int sha256_file(const char *path, char sha[65], uint64_t *size, struct ferr *e)
{
	return stream_fd(path, NULL, sha, NULL, 0, size, e);
}
