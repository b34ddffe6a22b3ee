/* folio-unpack — archives into members, safely, two layers deep.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include "extract.h"
#include "stage.h"

static const char USAGE[] =
	"usage: folio-unpack --data DIR [--config FILE]\n"
	"\n"
	"Opens every identified archive (zip, tar, tar.gz/bz2/xz, 7z, rar) with libarchive,\n"
	"two layers deep, into members in DATA/store.  Member names never become paths: no\n"
	"member can be written outside the data directory or through a link.  Traversal,\n"
	"absolute paths, links, special files, duplicate and encrypted members are rejected one\n"
	"by one; a corrupt, encrypted, split, empty or oversized archive is rejected whole.\n"
	STAGE_OPTIONS_HELP;

int main(int argc, char **argv)
{
	return stage_main("folio-unpack", USAGE, argc, argv, false, extract_run);
}
