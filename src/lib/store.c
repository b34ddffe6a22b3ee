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
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
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
	if (fs_mkdirs(dir, e) != 0) {
		store_abort(w);
		return -1;
	}
	w->fd = -1;
	if (lstat(dst, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == w->size) {
		close(fd);
		unlink(w->tmp);
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
