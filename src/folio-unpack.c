/* folio-unpack — archives into members, safely, two layers deep.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include <locale.h>
#include <stdio.h>

#include "extract.h"
#include "log.h"
#include "stage.h"

static const char USAGE[] =
"usage: folio-unpack --data DIR [--config FILE]\n"
	"\n"
	"Opens every identified archive (zip, tar, tar.gz/bz2/xz, 7z, rar) with libarchive,\n"
	"two layers deep, into members in DATA/store.  Member names never become paths: no\n"
	"member can be written outside the data directory or through a link.  Traversal,\n"
	"absolute paths, links, special files, duplicate and encrypted members are rejected one\n"
	"by one; a corrupt, encrypted, split, empty or oversized archive is rejected whole.\n"
	"\n"
	"Options:\n"
	"  --data DIR      the data directory (folio.db, store/, ...); required\n"
	"  --config FILE   the rules (default: config/folio.conf of this tree, or $FOLIO_CONFIG)\n"
	"  --force         redo the work even where results are current\n"
	"  -q, --quiet     errors only;  -v, --verbose  one line per file\n"
	"  -h, --help      this text\n"
	"\n"
	"Exit status: 0 done (a candidate's faults are verdicts, not errors); 1 some files hit\n"
	"a system failure (recorded, retried next run); 2 usage; 3 config; 4 cannot run.\n";

int main(int argc, char **argv)
{
	struct stage s;
	struct ferr e = { 0 };
	int rc;

	setlocale(LC_CTYPE, "C.UTF-8");
	stage_start(&s, "folio-unpack", USAGE, argc, argv, true);

	if (extract_run(&s, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return e.cls == FERR_CONFIG ? EXIT_CONFIG : EXIT_SYSTEM;
	}
	rc = stage_finish(&s);
	stage_end(&s);
	return rc;
}
