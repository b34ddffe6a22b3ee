/* folio-validate — the entry rules: verdicts, reasons, entry status.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include "judge.h"
#include "stage.h"

static const char USAGE[] =
	"usage: folio-validate --data DIR [--config FILE] [--force]\n"
	"\n"
	"Applies the entry rules of the config to every candidate with something new (or to\n"
	"everyone after the config changed): a verdict and reason codes per file, a status and\n"
	"the missing slots per entry.  Every change of verdict is kept in verdict_history.\n"
	STAGE_OPTIONS_HELP;

int main(int argc, char **argv)
{
	return stage_main("folio-validate", USAGE, argc, argv, false, judge_run);
}
