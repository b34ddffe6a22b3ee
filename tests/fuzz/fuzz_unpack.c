/* libFuzzer target: any bytes as an uploaded archive, walked in memory (a
 * memfd: no file of the input on disk).  unpack_archive_fd() must never crash,
 * leak or hang; every member must come out with a clean name (valid UTF-8, no
 * control character) and either extracted or carrying a reason code, never
 * lost; nothing is written but the store's own files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "names.h"
#include "store.h"
#include "unpack.h"

static struct config *cfg;
static struct store st;

static int on_member(void *ctx, const struct unpack_member *m, struct ferr *e)
{
	(void)ctx; (void)e;
	if (!names_valid_utf8(m->name, strlen(m->name)))
		abort();
	for (const char *p = m->name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	if (!m->extracted && m->codes.buf[0] == '\0')
		abort();	/* neither extracted nor refused: a member lost */
	if (m->extracted && (m->store_rel[0] == '/' || strstr(m->store_rel, "..") != NULL))
		abort();	/* a store path of the member's making */
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct ferr e = { 0 };
	struct unpack_result res;
	struct unpack_budget budget = { 0 };
	int fd;

	if (cfg == NULL) {
		char root[] = "/tmp/folio-fuzz-XXXXXX";
		const char *c = getenv("FOLIO_CONFIG");
		cfg = config_load(c ? c : "config/folio.conf", &e);
		if (cfg == NULL || mkdtemp(root) == NULL || store_open(&st, root, &e) != 0)
			abort();
	}
	fd = memfd_create("fuzz-upload", MFD_CLOEXEC);
	if (fd < 0 || (n > 0 && write(fd, data, n) != (ssize_t)n))
		abort();
	unpack_archive_fd(&st, cfg, fd, "upload.zip", &budget, on_member, NULL, &res, &e);
	close(fd);
	return 0;
}
