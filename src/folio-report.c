/* folio-report — every candidate's report and the operator's nightly summary,
 * from the database alone.  Plumbing: the last stage of 'folio run'. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "db.h"
#include "log.h"
#include "reasons.h"
#include "report.h"
#include "stage.h"

static const char USAGE[] =
"usage: folio-report --data DIR [--config FILE] [--date YYYY-MM-DD] [--print-summary]\n"
	"       folio-report --list-reasons\n"
	"\n"
	"Writes, from DATA/folio.db and the rules alone:\n"
	"  DATA/reports/<candidate>/report.html, report.txt   every candidate, every run\n"
	"  DATA/reports/notify-<date>-run<N>.txt   run N's list: candidates whose verdicts\n"
	"                   changed since the last run whose report was written\n"
	"  DATA/reports/notify-<date>.txt     the day's union of those lists\n"
	"  DATA/reports/nightly/<date>-run<N>.html, .txt   the operator's summary of run N\n"
	"  DATA/reports/nightly/<date>.html, <date>.txt    the day's latest summary\n"
	"The run is $FOLIO_RUN_ID (set by 'folio run'), else the latest recorded; the notify\n"
	"lists and the run's own summary are written only for a run named by $FOLIO_RUN_ID.\n"
	"See docs/reports.md.\n"
	"\n"
	"Options:\n"
	"  --data DIR       the data directory (folio.db, reports/, ...); required\n"
	"  --config FILE    the rules (default: config/folio.conf of this tree, or $FOLIO_CONFIG)\n"
	"  --date DATE      the run's date, YYYY-MM-DD (default: today in the config's zone):\n"
	"                   it names the files and counts the days left.  The candidates'\n"
	"                   reports are rewritten as of that day (the next nightly run\n"
	"                   writes them for its own day again)\n"
	"  --print-summary  also print the nightly summary's text on stdout\n"
	"  --list-reasons   print the reason table (code, warning, what, fix; tab-separated)\n"
	"  -q, --quiet      errors only;  -v, --verbose  more\n"
	"  -h, --help       this text\n"
	"\n"
	"Exit status: 0 done; 1 some candidates' reports could not be written (recorded in\n"
	"system_failures); 2 usage; 3 config; 4 cannot run.\n";

struct opts {
	const char *date;
	bool print_summary, list_reasons;
};

/* Takes this stage's own options out of argv (stage_start() rejects options
 * it does not know), leaving the common ones in place.  Returns the new argc,
 * or -1 for a malformed option. */
static int own_options(int argc, char **argv, struct opts *o)
{
	int n = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--date") == 0) {
			if (++i == argc)
				return -1;
			o->date = argv[i];
		} else if (strncmp(argv[i], "--date=", 7) == 0) {
			o->date = argv[i] + 7;
		} else if (strcmp(argv[i], "--print-summary") == 0) {
			o->print_summary = true;
		} else if (strcmp(argv[i], "--list-reasons") == 0) {
			o->list_reasons = true;
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	return n;
}

static void list_reasons(void)
{
	for (const struct reason *r = reason_table(); r->code; r++)
		printf("%s\t%s\t%s\t%s\n", r->code, report_reason_kind(r), r->what, r->fix);
}

int main(int argc, char **argv)
{
	struct stage s;
	struct opts o = { 0 };
	struct report_day day;
	struct report_self self = { 0 };
	struct sbuf summary;
	struct ferr e = { 0 };
	struct timeval tv;
	int64_t run;
	int rc;

	setlocale(LC_CTYPE, "C.UTF-8");
	argc = own_options(argc, argv, &o);
	if (argc < 0) {
		fprintf(stderr, "folio-report: --date wants a value (see 'folio-report --help')\n");
		return EXIT_USAGE;
	}
	if (o.list_reasons) {
		list_reasons();
		return EXIT_OK;
	}
	gettimeofday(&tv, NULL);
	self.started = (double)tv.tv_sec + tv.tv_usec / 1e6;
	stage_start(&s, "folio-report", USAGE, argc, argv, true);
	if (s.argc > 0) {
		fprintf(stderr, "folio-report: unexpected argument '%s'\n", s.argv[0]);
		stage_end(&s);
		return EXIT_USAGE;
	}
	if (report_day_init(&day, s.cfg, o.date, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return e.cls == FERR_CONFIG ? EXIT_USAGE : EXIT_SYSTEM;
	}
	run = db_run_id() > 0 ? db_run_id() : report_latest_run(s.db);
	day.run_id = run;
	sbuf_init(&summary);
	rc = report_run(s.db, s.cfg, &s.store, &day, run, db_run_id() > 0, &self, &summary, &e);
	if (rc < 0) {
		log_error("%s", e.msg);
		sbuf_free(&summary);
		stage_end(&s);
		return EXIT_SYSTEM;
	}
	if (o.print_summary)
		fputs(sbuf_str(&summary), stdout);
	log_info("%ld reports, %ld to notify, %ld failed; summary in reports/nightly/%s.txt",
		 self.written, self.notified, self.failures, day.date);
	sbuf_free(&summary);
	s.stats.items = self.written;
	s.stats.failures = self.failures;
	s.stats.bytes_written = self.bytes_written;
	rc = stage_finish(&s);
	stage_end(&s);
	return rc;
}
