/* folio-probe — libavformat facts: streams, codecs, measured duration.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include <locale.h>
#include <stdio.h>

#include "measure.h"
#include "log.h"
#include "stage.h"

static const char USAGE[] =
"usage: folio-probe --data DIR [--config FILE]\n"
	"\n"
	"Opens every media file with libavformat: streams, codecs, size, rotation, and the\n"
	"duration the packets really hold (the header is compared, not trusted).  Facts are\n"
	"kept per content: the same bytes are never probed twice.\n"
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
	stage_start(&s, "folio-probe", USAGE, argc, argv, true);

	if (measure_run(&s, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return e.cls == FERR_CONFIG ? EXIT_CONFIG : EXIT_SYSTEM;
	}
	rc = stage_finish(&s);
	stage_end(&s);
	return rc;
}
