/* folio-manifest — per-candidate manifests for scorers.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include <locale.h>
#include <stdio.h>

#include "export.h"
#include "log.h"
#include "stage.h"

static const char USAGE[] =
"usage: folio-manifest --data DIR [--config FILE] [--force]\n"
	"\n"
	"Rewrites DATA/manifests/<candidate>.sqlite, atomically, for every candidate whose\n"
	"manifest changed: that candidate's rows of the manifest_files and manifest_entries\n"
	"views, for the scorer assigned to them.\n"
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
	stage_start(&s, "folio-manifest", USAGE, argc, argv, true);

	if (export_run(&s, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return e.cls == FERR_CONFIG ? EXIT_CONFIG : EXIT_SYSTEM;
	}
	rc = stage_finish(&s);
	stage_end(&s);
	return rc;
}
