#include "space.h"

#include <stdio.h>
#include <sys/statvfs.h>

/* Sizes in messages: MiB with one decimal, enough to compare with min_free. */
static void fmt_mib(uint64_t n, char *out, size_t outsz)
{
	snprintf(out, outsz, "%.1f MiB", (double)n / (1024.0 * 1024.0));
}

static int judge(const struct statvfs *v, uint64_t min_free, uint64_t expected,
		 const char *what, struct ferr *e)
{
	uint64_t avail = (uint64_t)v->f_bavail * (uint64_t)v->f_frsize;
	char a[32], x[32], m[32];

	if (avail >= expected && avail - expected >= min_free)
		return 0;
	fmt_mib(avail, a, sizeof a);
	fmt_mib(expected, x, sizeof x);
	fmt_mib(min_free, m, sizeof m);
	return ferr_set(e, FERR_SYSTEM, "not enough free space on the data directory's file"
			" system for %s: %s free, %s to write, min_free %s; free some space",
			what, a, x, m);
}

int space_check(const char *path, uint64_t min_free, uint64_t expected, const char *what,
		struct ferr *e)
{
	struct statvfs v;

	if (min_free == 0 || statvfs(path, &v) != 0)
		return 0;
	return judge(&v, min_free, expected, what, e);
}

int space_check_fd(int fd, uint64_t min_free, uint64_t expected, const char *what,
		   struct ferr *e)
{
	struct statvfs v;

	if (min_free == 0 || fstatvfs(fd, &v) != 0)
		return 0;
	return judge(&v, min_free, expected, what, e);
}
