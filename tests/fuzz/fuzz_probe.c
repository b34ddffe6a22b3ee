/* libFuzzer target: any bytes as a media file.  probe_file() must never
 * crash or hang; content faults are results. */
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
		snprintf(path, sizeof path, "/tmp/folio-fuzz-probe-%ld", (long)getpid());
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	fwrite(data, 1, n, f);
	fclose(f);
	probe_file(path, &lim, &r, &e);
	return 0;
}
