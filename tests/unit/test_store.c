/* The store: objects named by content, written atomically, private, deduplicated. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "store.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(void)
{
	char root[] = "/tmp/folio-test-store-XXXXXX", path[4096], sha[65], rel[128], tmp[4096];
	struct store st;
	struct store_writer w;
	struct ferr e = { 0 };
	struct stat sb;
	uint64_t size = 0;

	CHECK(mkdtemp(root) != NULL);
	/* leftovers of a crash in tmp/ are cleared when the store opens */
	snprintf(tmp, sizeof tmp, "%s/tmp", root);
	mkdir(tmp, 0750);
	snprintf(path, sizeof path, "%s/tmp/obj-crashed", root);
	close(open(path, O_CREAT | O_WRONLY, 0640));
	CHECK(store_open(&st, root, &e) == 0);
	CHECK(count_files(tmp) == 0);

	CHECK(store_begin(&st, &w, &e) == 0);
	CHECK(store_write(&w, "abc", 3, &e) == 0);
	CHECK(store_commit(&st, &w, sha, rel, sizeof rel, &e) == 0);
	CHECK_STR(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(rel, "store/ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(store_path(&st, rel, path, sizeof path) == 0);
	CHECK(stat(path, &sb) == 0 && sb.st_size == 3);
	CHECK((sb.st_mode & 0777) == 0640);
	snprintf(tmp, sizeof tmp, "%s/store/ba", root);
	CHECK(stat(tmp, &sb) == 0 && (sb.st_mode & 0777) == 0750);
	snprintf(tmp, sizeof tmp, "%s/tmp", root);
	CHECK(count_files(tmp) == 0);

	/* the same bytes again: one object, no temporary left */
	CHECK(store_begin(&st, &w, &e) == 0);
	CHECK(store_write(&w, "ab", 2, &e) == 0 && store_write(&w, "c", 1, &e) == 0);
	CHECK(store_commit(&st, &w, sha, rel, sizeof rel, &e) == 0);
	snprintf(tmp, sizeof tmp, "%s/store/ba", root);
	CHECK(count_files(tmp) == 1);

	/* an aborted object leaves nothing */
	CHECK(store_begin(&st, &w, &e) == 0);
	CHECK(store_write(&w, "partial", 7, &e) == 0);
	store_abort(&w);
	snprintf(tmp, sizeof tmp, "%s/tmp", root);
	CHECK(count_files(tmp) == 0);
	store_abort(&w);	/* twice is harmless */

	/* files stream in; a link is refused, never followed */
	CHECK(store_put_file(&st, path, sha, rel, sizeof rel, &size, &e) == 0 && size == 3);
	snprintf(tmp, sizeof tmp, "%s/link", root);
	CHECK(symlink(path, tmp) == 0);
	CHECK(store_put_file(&st, tmp, sha, rel, sizeof rel, &size, &e) != 0);
	CHECK(e.cls == FERR_SYSTEM);
	CHECK(sha256_file(path, sha, &size, &e) == 0 && size == 3);
	CHECK_STR(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	unlink(tmp);

	/* fs_commit_file: the file appears whole under its final name */
	snprintf(tmp, sizeof tmp, "%s/tmp/x", root);
	snprintf(path, sizeof path, "%s/final.txt", root);
	int fd = open(tmp, O_CREAT | O_WRONLY | O_EXCL, 0640);
	CHECK(fd >= 0 && write(fd, "hello", 5) == 5);
	CHECK(fs_commit_file(fd, tmp, path, &e) == 0);
	CHECK(stat(path, &sb) == 0 && sb.st_size == 5 && access(tmp, F_OK) != 0);
	/* a failed rename removes the temporary and says why */
	fd = open(tmp, O_CREAT | O_WRONLY | O_EXCL, 0640);
	CHECK(fs_commit_file(fd, tmp, "/nonexistent/dir/final", &e) != 0);
	CHECK(strstr(e.msg, "cannot rename") != NULL && access(tmp, F_OK) != 0);

	/* deferred durability: an object is readable in place at once, 0600
	 * (not yet durable) until store_sync(), then 0640 */
	store_defer_sync(&st);
	CHECK(store_begin(&st, &w, &e) == 0);
	CHECK(store_write(&w, "def", 3, &e) == 0);
	CHECK(store_commit(&st, &w, sha, rel, sizeof rel, &e) == 0);
	CHECK(store_path(&st, rel, path, sizeof path) == 0);
	CHECK(stat(path, &sb) == 0 && sb.st_size == 3 && (sb.st_mode & 0777) == 0600);
	CHECK(st.npending == 1);
	CHECK(store_sync(&st, &e) == 0);
	CHECK(st.npending == 0);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
	CHECK(store_sync(&st, &e) == 0);	/* nothing queued: nothing to do */
	/* a durable object is a copy: the new bytes are dropped, nothing queued */
	CHECK(store_begin(&st, &w, &e) == 0);
	CHECK(store_write(&w, "def", 3, &e) == 0);
	CHECK(store_commit(&st, &w, sha, rel, sizeof rel, &e) == 0);
	CHECK(st.npending == 0);
	/* one a crash left 0600 may hold anything (here: the wrong bytes of the
	 * right size): it is replaced, never taken for a copy */
	int bad = open(path, O_WRONLY | O_TRUNC);
	CHECK(bad >= 0 && write(bad, "XXX", 3) == 3 && close(bad) == 0);
	CHECK(chmod(path, 0600) == 0);
	CHECK(store_begin(&st, &w, &e) == 0);
	CHECK(store_write(&w, "def", 3, &e) == 0);
	CHECK(store_commit(&st, &w, sha, rel, sizeof rel, &e) == 0);
	char back[4] = "";
	bad = open(path, O_RDONLY);
	CHECK(bad >= 0 && read(bad, back, 3) == 3 && close(bad) == 0);
	CHECK_STR(back, "def");
	/* a batch given up (its database transaction rolled back) is removed */
	store_discard(&st);
	CHECK(access(path, F_OK) != 0 && st.npending == 0);
	store_close(&st);

	CHECK(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
	return CHECK_DONE();
}
