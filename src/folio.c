/* folio — the operator's front door (porcelain).  Subcommands of its own
 * (run, reprocess, show, status, inspect) and, as git does, any other
 * 'folio NAME' runs the stage program bin/folio-NAME. */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "inspect.h"
#include "log.h"
#include "reprocess.h"
#include "runner.h"
#include "show.h"
#include "stage.h"

static const char USAGE[] =
	"usage: folio COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"folio checks candidates' portfolio uploads and records a manifest for scorers.\n"
	"\n"
	"Commands:\n"
	"  run --inbox DIR --data DIR [-j N]   the nightly run: every stage of pipeline/nightly\n"
	"                                      in order; prints a summary\n"
	"  reprocess CANDIDATE... --data DIR [--inbox DIR]\n"
	"                                      release the candidates' held files, judge them\n"
	"                                      again, and run the pipeline for what is pending\n"
	"  show CANDIDATE --data DIR           that candidate's manifest, for a person to read\n"
	"  status --data DIR                   latest runs, files by state, what is held\n"
	"  inspect FILE...                     what folio sees in any file: one JSON line each\n"
	"  report --data DIR [--date D]        candidate reports and the nightly summary\n"
	"  NAME ...                            any stage: runs folio-NAME (scan, identify,\n"
	"                                      unpack, probe, validate, normalize, manifest,\n"
	"                                      report); see 'folio-NAME --help'\n"
	"\n"
	"Options:\n"
	"  --data DIR      the data directory: folio.db, store/, media/, manifests/, reports/\n"
	"  --inbox DIR     the upload inbox, INBOX/<candidate>/<entry>/...; only read\n"
	"  --config FILE   the rules (default: config/folio.conf of this tree, or $FOLIO_CONFIG)\n"
	"  -j N            videos normalized at once (default: the number of cores)\n"
	"  -q, --quiet     errors only;  -v, --verbose  one line per file and stage\n"
	"  -h, --help      this text\n"
	"\n"
	"Exit status: 0 done (candidates' faults are verdicts, not errors); 1 some files hit a\n"
	"system failure (recorded; retried next run, held after max_attempts); 2 usage;\n"
	"3 config; 4 cannot run (database, data directory, another run holds the lock).\n"
	"For 'show' and 'reprocess': 1 when a candidate is unknown.  For 'inspect': 1 when a file cannot\n"
	"be read.\n"
	"\n"
	"Environment: FOLIO_CONFIG (the config), FOLIO_PIPELINE (another stage list than\n"
	"pipeline/nightly), FOLIO_SKIP_STAGES (stages 'run' leaves out, e.g. \"normalize\" for\n"
	"verdicts first; the work waits for the next run).\n"
	"\n"
	"Files: DATA/folio.db (views manifest_files, manifest_entries: docs/manifest.md),\n"
	"DATA/manifests/<candidate>.sqlite, docs/INTERNALS.md for the state machine.\n";

static int verbosity(void) { return log_level(); }

static int exec_stage(const char *name, int argc, char **argv)
{
	char dir[PATH_MAX], prog[PATH_MAX];

	if (strspn(name, "abcdefghijklmnopqrstuvwxyz-") != strlen(name) ||
	    stage_bin_dir(dir, sizeof dir) != 0 ||
	    snprintf(prog, sizeof prog, "%s/folio-%s", dir, name) >= (int)sizeof prog ||
	    access(prog, X_OK) != 0) {
		fprintf(stderr, "folio: '%s' is not a folio command; see 'folio --help'\n", name);
		return EXIT_USAGE;
	}
	argv[0] = prog;
	(void)argc;
	execv(prog, argv);
	fprintf(stderr, "folio: cannot run %s: %s\n", prog, strerror(errno));
	return EXIT_SYSTEM;
}

int main(int argc, char **argv)
{
	struct stage s;
	struct ferr e = { 0 };
	const char *cmd;
	int rc = EXIT_OK;

	setlocale(LC_CTYPE, "C.UTF-8");
	log_init("folio");
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(USAGE, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	cmd = argv[1];
	if (strcmp(cmd, "run") && strcmp(cmd, "show") && strcmp(cmd, "status") &&
	    strcmp(cmd, "inspect") && strcmp(cmd, "reprocess"))
		return exec_stage(cmd, argc - 1, argv + 1);

	stage_start(&s, "folio", USAGE, argc - 1, argv + 1,
		    !strcmp(cmd, "inspect")     ? STAGE_NO_DATA
		    : !strcmp(cmd, "run")       ? STAGE_DATA
		    : !strcmp(cmd, "reprocess") ? STAGE_DATA_EXISTING
						: STAGE_DATA_READ);
	if (!strcmp(cmd, "run")) {
		if (s.inbox == NULL) {
			fprintf(stderr, "folio run: --inbox DIR is required (see 'folio --help')\n");
			rc = EXIT_USAGE;
		} else if (access(s.inbox, R_OK | X_OK) != 0) {
			fprintf(stderr, "folio run: cannot read inbox %s: %s\n", s.inbox,
				strerror(errno));
			rc = EXIT_USAGE;
		} else {
			rc = runner_run(&s, verbosity());
		}
	} else if (!strcmp(cmd, "reprocess")) {
		if (s.argc == 0) {
			fprintf(stderr, "folio reprocess: name one or more candidates\n");
			rc = EXIT_USAGE;
		} else if (reprocess_release(s.db, s.argc, s.argv, &e) != 0) {
			log_error("%s", e.msg);
			rc = e.cls == FERR_CONFIG ? 1 : EXIT_SYSTEM;
		} else {
			rc = runner_run(&s, verbosity());
		}
	} else if (!strcmp(cmd, "show")) {
		if (s.argc != 1) {
			fprintf(stderr, "usage: folio show CANDIDATE --data DIR\n");
			rc = EXIT_USAGE;
		} else {
			int r = show_candidate(s.db, s.argv[0], stdout, &e);
			if (r < 0)
				log_error("%s", e.msg);
			else if (r > 0)
				fprintf(stderr, "folio show: no candidate '%s' in %s\n", s.argv[0],
					s.data_dir);
			rc = r < 0 ? EXIT_SYSTEM : r;
		}
	} else if (!strcmp(cmd, "status")) {
		if (show_status(s.db, stdout, &e) != 0) {
			log_error("%s", e.msg);
			rc = EXIT_SYSTEM;
		}
	} else {
		if (s.argc == 0) {
			fprintf(stderr, "usage: folio inspect FILE...\n");
			rc = EXIT_USAGE;
		}
		for (int i = 0; i < s.argc; i++) {
			int r = inspect_file(s.cfg, s.argv[i], stdout, &e);
			if (r < 0) {
				log_error("%s: %s", s.argv[i], e.msg);
				rc = EXIT_SYSTEM;
			} else if (r > 0 && rc == EXIT_OK) {
				rc = 1;
			}
		}
	}
	stage_end(&s);
	return rc;
}
