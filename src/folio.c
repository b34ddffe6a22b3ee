/* folio — the operator's front door (porcelain).  Subcommands of its own
 * (run, reprocess, show, status, inspect) and, as git does, any other
 * 'folio NAME' runs the stage program bin/folio-NAME. */
#include <errno.h>
#include <stdbool.h>
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

#ifndef FOLIO_VERSION
#define FOLIO_VERSION "unknown"
#endif

static const char USAGE[] =
	"usage: folio COMMAND [OPTIONS] [ARGS]      (folio " FOLIO_VERSION ")\n"
	"\n"
	"folio checks candidates' portfolio uploads and records a manifest for scorers.\n"
	"\n"
	"Commands ('folio COMMAND --help' for each):\n"
	"  run --inbox DIR --data DIR [-j N]   the nightly run: every stage of pipeline/nightly\n"
	"                                      in order; prints a summary\n"
	"  reprocess SELECTORS --data DIR [--dry-run]\n"
	"                                      send files back through the pipeline (--failed,\n"
	"                                      --candidate, --entry, --reason, --stage), then run it\n"
	"  show CANDIDATE --data DIR [--history]\n"
	"                                      that candidate's manifest (and every verdict each\n"
	"                                      file has had), for a person to read\n"
	"  status --data DIR                   the lock's holder, work per stage (pending, running,\n"
	"                                      failed, held), latest runs, what is held\n"
	"  inspect FILE...                     what folio sees in any file: one JSON line each\n"
	"  report --data DIR [--date D]        candidate reports and the nightly summary\n"
	"  NAME ...                            any stage: runs folio-NAME (scan, identify,\n"
	"                                      unpack, probe, validate, normalize, manifest,\n"
	"                                      report); see 'folio-NAME --help'\n"
	"\n"
	"Options (every command):\n"
	"  --data DIR      the data directory: folio.db, store/, media/, manifests/, reports/\n"
	"  --config FILE   the rules (default: config/folio.conf of this tree, or $FOLIO_CONFIG)\n"
	"  -q, --quiet     errors only;  -v, --verbose  one line per file and stage\n"
	"  -h, --help      this text;  --version  folio's version\n"
	"\n"
	"Exit status: 0 done (candidates' faults are verdicts, not errors); 1 some files hit a\n"
	"system failure (recorded; retried next run, held after max_attempts); 2 usage;\n"
	"3 config; 4 cannot run (database, data directory, another program holds the lock).\n"
	"For 'show' and 'reprocess': 1 when a candidate is unknown.  For 'inspect': 1 when a file cannot\n"
	"be read.\n"
	"\n"
	"Environment: FOLIO_CONFIG (the config), FOLIO_PIPELINE (another stage list than\n"
	"pipeline/nightly), FOLIO_SKIP_STAGES (stages 'run' leaves out, e.g. \"normalize\" for\n"
	"verdicts first; the work waits for the next run).\n"
	"\n"
	"Files: DATA/folio.db (views manifest_files, manifest_entries: docs/manifest.md),\n"
	"DATA/manifests/<candidate>.sqlite, DATA/folio.lock; docs/operations.md for the nightly\n"
	"and the morning after, docs/INTERNALS.md for the state machine.\n";

#define COMMON_OPTIONS                                                                    \
	"  --data DIR      the data directory (folio.db, store/, media/, ...); required\n"  \
	"  --config FILE   the rules (default: config/folio.conf of this tree, or\n"        \
	"                  $FOLIO_CONFIG)\n"                                                 \
	"  -q, --quiet     errors only;  -v, --verbose  more detail\n"                      \
	"  -h, --help      this text\n"

static const char RUN_USAGE[] =
	"usage: folio run --inbox DIR --data DIR [--config FILE] [-j N] [-q | -v]\n"
	"\n"
	"The nightly run: the stages of pipeline/nightly (scan, identify, unpack, probe,\n"
	"validate, normalize, manifest, report), each its own process, over what is new or\n"
	"pending.  Over an unchanged inbox it only stats the uploads.  A candidate's faults\n"
	"become verdicts with reason codes; a system failure (disk, memory, a library) is\n"
	"retried on later runs and held for an operator after max_attempts.\n"
	"\n"
	"One program at a time writes a data directory: the run takes an flock on\n"
	"DATA/folio.lock and writes its pid, host, start time and command into it.  A second\n"
	"run exits 4 at once, naming the holder, and changes nothing.  A lock file left by\n"
	"a process that died is free (the flock dies with its process).\n"
	"\n"
	"Progress: on a terminal, one line that rewrites itself (stage, items done of total,\n"
	"current candidate, items per second; normalize: each video's speed, 2.1x = media\n"
	"seconds per second); otherwise one line per stage, and per file with -v.  The\n"
	"summary goes to stdout.\n"
	"\n"
	"DATA is created only when its parent directory exists (\"folio: new data directory\n"
	"DATA (created)\"); otherwise, a mistyped --data, the run exits 4.  The whole config,\n"
	"[profile] included, is checked before the first stage (exit 3).  SIGINT, SIGTERM or\n"
	"SIGHUP stops the stage running (stages also die with a run killed with -9), records\n"
	"the run as interrupted and exits 128 + the signal; the next run resumes.\n"
	"\n"
	"Options:\n"
	"  --inbox DIR     the upload inbox, INBOX/<candidate>/<entry>/...; only read\n"
	"  -j N            videos normalized at once (default: the number of cores)\n"
	COMMON_OPTIONS
	"\n"
	"Exit status: 0 done; 1 some files hit a system failure (recorded, retried next run);\n"
	"2 usage; 3 config; 4 cannot run (database, data directory, the lock is held);\n"
	"128 + N stopped by signal N (130 SIGINT, 143 SIGTERM).  See docs/operations.md.\n";

static const char REPROCESS_USAGE[] =
	"usage: folio reprocess SELECTOR... --data DIR [--inbox DIR] [--dry-run]\n"
	"\n"
	"Sends files back through the pipeline and runs it: after fixing a system failure,\n"
	"upgrading a library, or to redo one stage.  Selectors combine (all must match); one\n"
	"given twice matches either value:\n"
	"  --failed          files with a system failure not got past: held files, and files\n"
	"                    failing in a stage (attempts > 0), normalizing included\n"
	"  --candidate ID    that candidate's files (also: candidate ids as arguments)\n"
	"  --entry ID        files of that entry (E1, ...)\n"
	"  --reason CODE     files whose verdict carries that reason code (docs/reasons.md),\n"
	"                    e.g. media-corrupt after a library upgrade\n"
	"  --stage NAME      redo NAME and what follows it: identify (the content's facts are\n"
	"                    forgotten), unpack (archives: members replaced, old ones kept as\n"
	"                    history), probe (media: re-measured), validate (judged again),\n"
	"                    normalize (accepted videos: made again).  Also a selector: only\n"
	"                    files the stage applies to.\n"
	"Without --stage each file goes back to the earliest stage it needs: a held file to\n"
	"the state it was held in, a failing one to where it failed, one picked by --reason\n"
	"to the stage that finds that reason: probe for media-corrupt, no-video-stream,\n"
	"no-audio-stream, duration-header-mismatch (media it has measured); identify for\n"
	"extension-mismatch, document-encrypted; unpack for archive-* codes of an archive;\n"
	"normalize for normalize-failed, audio-silent; validate for every other code and\n"
	"for any other file.  An archive unpacked again (--stage identify or unpack) is\n"
	"listed alone: its members are replaced, the old ones kept as history.\n"
	"Files with the same bytes as a file whose facts are redone go back with it.\n"
	"Attempts are reset; no history is deleted ('folio show --history').\n"
	"\n"
	"Options:\n"
	"  -n, --dry-run   list what would be redone (\"CAND/ENTRY/FILE: STATE -> STAGE\") and\n"
	"                  change nothing; takes no lock\n"
	"  --inbox DIR     also scan the inbox in the run that follows\n"
	"  -j N            videos normalized at once\n"
	COMMON_OPTIONS
	"\n"
	"Examples:\n"
	"  folio reprocess --failed --data /srv/folio/data\n"
	"  folio reprocess --reason media-corrupt --stage probe --data /srv/folio/data\n"
	"  folio reprocess --candidate c2026-0107 --entry E1 --stage normalize --dry-run --data D\n"
	"\n"
	"Exit status: as 'folio run'; 1 also when a named candidate or entry is unknown\n"
	"(nothing is changed then); 2 usage (no selector, an unknown stage or reason code).\n";

static const char SHOW_USAGE[] =
	"usage: folio show CANDIDATE --data DIR [--history]\n"
	"\n"
	"A candidate's manifest for a person to read: each entry's status, its slots with no\n"
	"file (missing) and those whose file was rejected (rejected), then each file's slot\n"
	"(in the config's order), verdict, kind, length, size ('-' unknown), reasons and\n"
	"normalized output.  Only reads: takes no lock, works while a run is going, and with\n"
	"read access alone (the operator's group, a read-only mount).\n"
	"\n"
	"Options:\n"
	"  --history       also every verdict each file has had, oldest first: time (UTC), run,\n"
	"                  config version, the stage that gave it, verdict, slot and reasons;\n"
	"                  files replaced by a re-upload and archive members replaced by\n"
	"                  'reprocess --stage unpack' are shown too\n"
	COMMON_OPTIONS
	"\n"
	"Exit status: 0; 1 the candidate is unknown; 2 usage; 4 cannot read the database.\n";

static const char STATUS_USAGE[] =
	"usage: folio status --data DIR\n"
	"\n"
	"What the data directory is doing, at any time, also while a run is going (only\n"
	"reads: takes no lock):\n"
	"  - who holds DATA/folio.lock (pid, host, since, command), or that no one does, and\n"
	"    the pid and command of every process with the lock file open;\n"
	"  - per stage, files pending (waiting for it), running (the stage a run is in),\n"
	"    failed (a system failure, retried next run) and held (for an operator);\n"
	"  - the latest runs (one with no end while the lock is free: interrupted), files by\n"
	"    state, and each held file with its last error.\n"
	"Works with read access alone (the database is opened read-only).\n"
	"\n"
	"Options:\n"
	COMMON_OPTIONS
	"\n"
	"Exit status: 0; 2 usage; 4 cannot read the database.\n";

static const char INSPECT_USAGE[] =
	"usage: folio inspect FILE... [--config FILE]\n"
	"\n"
	"What folio sees in any file, without a data directory: one JSON line each (type,\n"
	"streams, duration, the content's reason codes).\n"
	"\n"
	"Options:\n"
	"  --config FILE   the rules (default: config/folio.conf of this tree, or $FOLIO_CONFIG)\n"
	"  -h, --help      this text\n"
	"\n"
	"Exit status: 0; 1 a file cannot be read; 2 usage.\n";

/* Takes the options of reprocess and show out of argv (stage_start() rejects
 * options it does not know).  Returns the new argc, or -1 after printing a
 * usage error. */
static int own_options(const char *cmd, int argc, char **argv, struct reprocess_sel *sel,
		       bool *history)
{
	bool rp = strcmp(cmd, "reprocess") == 0, sh = strcmp(cmd, "show") == 0;
	int n = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const char **list = NULL;
		int *count = NULL;
		const char *names[] = { "--candidate", "--entry", "--reason", "--stage" };
		int which = -1;

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (sh && strcmp(a, "--history") == 0) {
			*history = true;
			continue;
		}
		if (rp && strcmp(a, "--failed") == 0) {
			sel->failed = true;
			continue;
		}
		if (rp && (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0)) {
			sel->dry_run = true;
			continue;
		}
		for (int k = 0; rp && k < 4 && which < 0; k++) {
			size_t len = strlen(names[k]);
			if (strcmp(a, names[k]) == 0) {
				if (i + 1 >= argc) {
					fprintf(stderr, "folio reprocess: %s needs a value (see"
						" 'folio reprocess --help')\n", names[k]);
					return -1;
				}
				which = k;
				val = argv[++i];
			} else if (strncmp(a, names[k], len) == 0 && a[len] == '=') {
				which = k;
				val = a + len + 1;
			}
		}
		if (which < 0) {
			argv[n++] = argv[i];
			continue;
		}
		if (!*val) {
			fprintf(stderr, "folio reprocess: %s needs a value\n", names[which]);
			return -1;
		}
		switch (which) {
		case 0: list = sel->candidates; count = &sel->ncandidates; break;
		case 1: list = sel->entries; count = &sel->nentries; break;
		case 2: list = sel->reasons; count = &sel->nreasons; break;
		default:
			if (sel->stage && strcmp(sel->stage, val) != 0) {
				fprintf(stderr, "folio reprocess: one --stage at a time\n");
				return -1;
			}
			sel->stage = val;
			continue;
		}
		if (*count >= REPROCESS_MAX_VALUES) {
			fprintf(stderr, "folio reprocess: at most %d values of %s\n",
				REPROCESS_MAX_VALUES, names[which]);
			return -1;
		}
		list[(*count)++] = val;
	}
	argv[n] = NULL;
	return n;
}

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

static int cmd_reprocess(struct stage *s, struct reprocess_sel *sel)
{
	struct ferr e = { 0 };
	long n = 0;

	for (int i = 0; i < s->argc; i++) {
		if (sel->ncandidates >= REPROCESS_MAX_VALUES) {
			fprintf(stderr, "folio reprocess: at most %d candidates\n",
				REPROCESS_MAX_VALUES);
			return EXIT_USAGE;
		}
		sel->candidates[sel->ncandidates++] = s->argv[i];
	}
	if (reprocess_usage_check(sel, &e) != 0) {
		fprintf(stderr, "folio reprocess: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (reprocess_check(s->db, sel, &e) != 0) {
		log_error("%s", e.msg);
		return e.cls == FERR_CONFIG ? 1 : EXIT_SYSTEM;
	}
	if (!sel->dry_run && runner_check_config(s) != 0)
		return EXIT_CONFIG;	/* before anything is sent back */
	if (reprocess_apply(s->db, sel, sel->dry_run ? stdout : log_level() >= 2 ? stderr : NULL,
			    &n, &e) != 0) {
		log_error("%s", e.msg);
		return EXIT_SYSTEM;
	}
	if (sel->dry_run) {
		printf("%ld file%s would be reprocessed (dry run: nothing was changed)\n", n,
		       n == 1 ? "" : "s");
		return EXIT_OK;
	}
	if (n == 0) {
		log_info("no file matches; nothing to reprocess");
		return EXIT_OK;
	}
	log_info("%ld file%s sent back; running the pipeline", n, n == 1 ? "" : "s");
	return runner_run(s, verbosity());
}

int main(int argc, char **argv)
{
	struct stage s;
	struct ferr e = { 0 };
	struct reprocess_sel sel;
	const char *cmd, *usage;
	bool history = false;
	int rc = EXIT_OK;

	setlocale(LC_CTYPE, "C.UTF-8");
	log_init("folio");
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(USAGE, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("folio %s\n", FOLIO_VERSION);
		return EXIT_OK;
	}
	cmd = argv[1];
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "show") != 0 && strcmp(cmd, "status") != 0 &&
	    strcmp(cmd, "inspect") != 0 && strcmp(cmd, "reprocess") != 0)
		return exec_stage(cmd, argc - 1, argv + 1);
	usage = !strcmp(cmd, "run")	  ? RUN_USAGE
		: !strcmp(cmd, "reprocess") ? REPROCESS_USAGE
		: !strcmp(cmd, "show")	    ? SHOW_USAGE
		: !strcmp(cmd, "status")    ? STATUS_USAGE
					    : INSPECT_USAGE;
	memset(&sel, 0, sizeof sel);
	argc = own_options(cmd, argc - 1, argv + 1, &sel, &history);
	if (argc < 0)
		return EXIT_USAGE;

	stage_start(&s, "folio", usage, argc, argv + 1,
		    !strcmp(cmd, "inspect")			  ? STAGE_NO_DATA
		    : !strcmp(cmd, "run")			  ? STAGE_DATA
		    : !strcmp(cmd, "reprocess") && !sel.dry_run ? STAGE_DATA_EXISTING
								  : STAGE_DATA_READ);
	if (!strcmp(cmd, "run")) {
		if (s.inbox == NULL) {
			fprintf(stderr, "folio run: --inbox DIR is required (see 'folio run --help')\n");
			rc = EXIT_USAGE;
		} else if (s.argc > 0) {
			fprintf(stderr, "folio run: unexpected argument '%s'\n", s.argv[0]);
			rc = EXIT_USAGE;
		} else if (access(s.inbox, R_OK | X_OK) != 0) {
			fprintf(stderr, "folio run: cannot read inbox %s: %s\n", s.inbox,
				strerror(errno));
			rc = EXIT_USAGE;
		} else {
			rc = runner_run(&s, verbosity());
		}
	} else if (!strcmp(cmd, "reprocess")) {
		rc = cmd_reprocess(&s, &sel);
	} else if (!strcmp(cmd, "show")) {
		if (s.argc != 1) {
			fprintf(stderr, "usage: folio show CANDIDATE --data DIR [--history]\n");
			rc = EXIT_USAGE;
		} else {
			int r;
			if (s.db_note)
				printf("%s\n", s.db_note);
			r = show_candidate(s.db, s.argv[0], s.cfg, stdout, &e);
			if (r == 0 && history)
				r = show_history(s.db, s.argv[0], stdout, &e);
			if (r < 0)
				log_error("%s", e.msg);
			else if (r > 0)
				fprintf(stderr, "folio show: no candidate '%s' in %s\n", s.argv[0],
					s.data_dir);
			rc = r < 0 ? EXIT_SYSTEM : r;
		}
	} else if (!strcmp(cmd, "status")) {
		if (s.argc > 0) {
			fprintf(stderr, "folio status: unexpected argument '%s'\n", s.argv[0]);
			rc = EXIT_USAGE;
		} else if ((s.db_note && printf("%s\n", s.db_note) < 0) ||
			   show_status(s.db, s.store.root, s.cfg, stdout, &e) != 0) {
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
