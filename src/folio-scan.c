/* folio-scan — new and changed uploads into the store and the uploads table.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include <locale.h>
#include <stdio.h>

#include "scan.h"
#include "log.h"
#include "stage.h"

static const char USAGE[] =
"usage: folio-scan --inbox DIR --data DIR [--config FILE]\n"
	"\n"
	"Records what is new or changed in the inbox (INBOX/<candidate>/<entry>/...): each new\n"
	"file is hashed (SHA-256) while it is copied into DATA/store; unchanged files (same size\n"
	"and modification time) cost one stat.  The inbox is only read.\n"
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
	stage_start(&s, "folio-scan", USAGE, argc, argv, true);
	if (s.inbox == NULL) {
		fprintf(stderr, "folio-scan: --inbox DIR is required (see 'folio-scan --help')\n");
		stage_end(&s);
		return EXIT_USAGE;
	}
	if (scan_run(&s, s.inbox, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return e.cls == FERR_CONFIG ? EXIT_CONFIG : EXIT_SYSTEM;
	}
	rc = stage_finish(&s);
	stage_end(&s);
	return rc;
}
