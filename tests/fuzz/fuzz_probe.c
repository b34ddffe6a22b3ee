/* libFuzzer target: any bytes as a media file, from a buffer kept in memory
 * (a file in /dev/shm, a tmpfs: libavformat reads it through its file
 * protocol as folio does).  probe_file() must never crash, leak or hang, and
 * its result must be consistent: media-corrupt and a header mismatch never
 * both, a duration never negative once measured. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	static char path[64];
	struct probe_limits lim = { .max_packets = 100000 };
	struct probe_result r;
	struct ferr e = { 0 };
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "%s/folio-fuzz-probe-%ld",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	if (n > 0 && fwrite(data, 1, n, f) != n)
		abort();
	fclose(f);
	if (probe_file(path, &lim, &r, &e) == 0 &&
	    ((r.corrupt && r.header_mismatch) || (r.duration_s < 0 && r.duration_s != -1)))
		abort();
	unlink(path);	/* nothing left in /dev/shm once the fuzzer stops */
	return 0;
}
