/* folio-identify — every new file's type from its content.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include "classify.h"
#include "stage.h"

static const char USAGE[] =
	"usage: folio-identify --data DIR [--config FILE]\n"
	"\n"
	"Finds the real type of every new file from its content (libmagic), never its name:\n"
	"MIME type, kind, encrypted documents, extensions that disagree.  Archives go on to\n"
	"folio-unpack, media to folio-probe, the rest to folio-validate.\n"
	STAGE_OPTIONS_HELP;

int main(int argc, char **argv)
{
	return stage_main("folio-identify", USAGE, argc, argv, false, classify_run);
}
