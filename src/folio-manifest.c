/* folio-manifest — per-candidate manifests for scorers.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include "export.h"
#include "stage.h"

static const char USAGE[] =
	"usage: folio-manifest --data DIR [--config FILE] [--force]\n"
	"\n"
	"Rewrites DATA/manifests/<candidate>.sqlite, atomically, for every candidate whose\n"
	"manifest changed: that candidate's rows of the manifest_files and manifest_entries\n"
	"views, for the scorer assigned to them.\n"
	STAGE_OPTIONS_HELP;

int main(int argc, char **argv)
{
	return stage_main("folio-manifest", USAGE, argc, argv, false, export_run);
}
