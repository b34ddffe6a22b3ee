/* folio-scan — new and changed uploads into the store and the uploads table.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include "scan.h"
#include "stage.h"

static const char USAGE[] =
	"usage: folio-scan --inbox DIR --data DIR [--config FILE]\n"
	"\n"
	"Records what is new or changed in the inbox (INBOX/<candidate>/<entry>/...): each new\n"
	"file is hashed (SHA-256) while it is copied into DATA/store; unchanged files (same size\n"
	"and modification time) cost one stat.  The inbox is only read.\n"
	STAGE_OPTIONS_HELP;

int main(int argc, char **argv)
{
	return stage_main("folio-scan", USAGE, argc, argv, true, scan_run);
}
