/* libFuzzer target: any bytes as an uploaded archive.  unpack_archive() must
 * never crash, leak, or write outside its store. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "store.h"
#include "unpack.h"

static struct config *cfg;
static struct store st;
static char path[4096];

static int on_member(void *ctx, const struct unpack_member *m, struct ferr *e)
{
	(void)ctx; (void)m; (void)e;
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct ferr e = { 0 };
	struct unpack_result res;
	struct unpack_budget budget = { 0 };
	FILE *f;

	if (cfg == NULL) {
		char root[] = "/tmp/folio-fuzz-XXXXXX";
		const char *c = getenv("FOLIO_CONFIG");
		cfg = config_load(c ? c : "config/folio.conf", &e);
		if (cfg == NULL || mkdtemp(root) == NULL || store_open(&st, root, &e) != 0)
			abort();
		snprintf(path, sizeof path, "%s/input", st.root);
	}
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	fwrite(data, 1, n, f);
	fclose(f);
	unpack_archive(&st, cfg, path, "upload.zip", &budget, on_member, NULL, &res, &e);
	return 0;
}
