/* folio-validate — the entry rules: verdicts, reasons, entry status.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include <locale.h>
#include <stdio.h>

#include "judge.h"
#include "log.h"
#include "stage.h"

static const char USAGE[] =
"usage: folio-validate --data DIR [--config FILE] [--force]\n"
	"\n"
	"Applies the entry rules of the config to every candidate with something new (or to\n"
	"everyone after the config changed): a verdict and reason codes per file, a status and\n"
	"the missing slots per entry.  Every change of verdict is kept in verdict_history.\n"
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
	stage_start(&s, "folio-validate", USAGE, argc, argv, true);

	if (judge_run(&s, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return e.cls == FERR_CONFIG ? EXIT_CONFIG : EXIT_SYSTEM;
	}
	rc = stage_finish(&s);
	stage_end(&s);
	return rc;
}
