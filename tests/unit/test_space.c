/* space_check(): min_free and the expected bytes against the real free space
 * of a scratch directory's file system; the store writer's check as it
 * streams, and the partial file it leaves behind (none). */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "check.h"
#include "space.h"
#include "store.h"

static uint64_t avail_of(const char *dir)
{
	struct statvfs v;

	if (statvfs(dir, &v) != 0)
		return 0;
	return (uint64_t)v.f_bavail * (uint64_t)v.f_frsize;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void checks(const char *dir)
{
	struct ferr e = { 0 };
	uint64_t avail = avail_of(dir);

	CHECK(avail > (8u << 20));	/* the tests need a little room */
	/* 0 is off, whatever is asked */
	CHECK(space_check(dir, 0, UINT64_MAX, "x", &e) == 0);
	CHECK(e.cls == FERR_NONE);
	/* room to spare */
	CHECK(space_check(dir, 1, 1 << 20, "x", &e) == 0);
	/* more than there is: min_free alone, the expected bytes alone, and an
	 * expected size past the free space (no wrap-around) */
	CHECK(space_check(dir, avail + (1ULL << 40), 0, "storing it", &e) == -1);
	CHECK(e.cls == FERR_SYSTEM);
	CHECK(strstr(e.msg, "not enough free space") != NULL);
	CHECK(strstr(e.msg, "storing it") != NULL);
	ferr_clear(&e);
	CHECK(space_check(dir, 1, avail + (1ULL << 40), "x", &e) == -1);
	CHECK(e.cls == FERR_SYSTEM);
	ferr_clear(&e);
	CHECK(space_check(dir, UINT64_MAX, UINT64_MAX, "x", &e) == -1);
	ferr_clear(&e);
	/* a path statvfs cannot read is not refused here */
	CHECK(space_check("/nonexistent/folio", UINT64_MAX, 0, "x", &e) == 0);
	/* by descriptor */
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(space_check_fd(fd, 1, 1 << 20, "x", &e) == 0);
	CHECK(space_check_fd(fd, avail + (1ULL << 40), 0, "x", &e) == -1);
	CHECK(e.cls == FERR_SYSTEM);
	close(fd);
}

static void writer(const char *dir)
{
	static char buf[64 << 10];
	struct store st;
	struct store_writer w;
	struct ferr e = { 0 };
	char tmp[4096];
	int rc = 0;
	size_t written = 0;

	CHECK(store_open(&st, dir, &e) == 0);
	CHECK(st.min_free == 0);	/* store_open() leaves the check off */
	snprintf(tmp, sizeof tmp, "%s/tmp", st.root);
	st.min_free = avail_of(dir) + (1ULL << 40);
	CHECK(store_begin(&st, &w, &e) == 0);
	/* refused within the first SPACE_CHECK_EVERY bytes, never later */
	while (rc == 0 && written < 4 * SPACE_CHECK_EVERY) {
		rc = store_write(&w, buf, sizeof buf, &e);
		if (rc == 0)
			written += sizeof buf;
	}
	CHECK(rc == -1);
	CHECK(written < SPACE_CHECK_EVERY);
	CHECK(e.cls == FERR_SYSTEM);
	CHECK(strstr(e.msg, "not enough free space") != NULL);
	CHECK(entries(tmp) == 1);	/* the partial object, until aborted */
	store_abort(&w);
	CHECK(entries(tmp) == 0);
	/* with the check off the same bytes go in */
	st.min_free = 0;
	ferr_clear(&e);
	CHECK(store_begin(&st, &w, &e) == 0);
	for (int i = 0; i < 32; i++)
		CHECK(store_write(&w, buf, sizeof buf, &e) == 0);
	char sha[65], rel[128];
	CHECK(store_commit(&st, &w, sha, rel, sizeof rel, &e) == 0);
	store_abort(&w);
	CHECK(entries(tmp) == 0);
	store_close(&st);
}

int main(void)
{
	char dir[] = "/tmp/folio-test-space.XXXXXX";

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	checks(dir);
	writer(dir);
	fs_remove_tree(dir, true);
	return CHECK_DONE();
}
