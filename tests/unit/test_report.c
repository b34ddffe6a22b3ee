/* test_report.c — the report's formats, its day and window, candidate ids. */
#include <stdlib.h>

#include "check.h"
#include "report.h"

static void test_formats(void)
{
	char b[64];

	report_fmt_duration(0, b, sizeof b);
	CHECK_STR(b, "0:00");
	report_fmt_duration(12.4, b, sizeof b);
	CHECK_STR(b, "0:12");
	report_fmt_duration(59.6, b, sizeof b);
	CHECK_STR(b, "1:00");
	report_fmt_duration(750, b, sizeof b);
	CHECK_STR(b, "12:30");
	report_fmt_duration(3725, b, sizeof b);
	CHECK_STR(b, "1:02:05");
	report_fmt_duration(-5, b, sizeof b);
	CHECK_STR(b, "0:00");
	report_fmt_duration(1e300, b, sizeof b);	/* a hostile header's duration */
	CHECK_STR(b, "0:00");
	report_fmt_size(0, b, sizeof b);
	CHECK_STR(b, "0\xC2\xA0" "bytes");
	report_fmt_size(1, b, sizeof b);
	CHECK_STR(b, "1\xC2\xA0" "byte");
	report_fmt_size(1297, b, sizeof b);
	CHECK_STR(b, "1.3\xC2\xA0kB");
	report_fmt_size(1472970, b, sizeof b);
	CHECK_STR(b, "1.5\xC2\xA0MB");
	report_fmt_size(100000000, b, sizeof b);
	CHECK_STR(b, "100\xC2\xA0MB");
	report_fmt_size(2147483648ULL, b, sizeof b);
	CHECK_STR(b, "2.1\xC2\xA0GB");
	report_fmt_size(999999, b, sizeof b);	/* rounds up a unit, not to "1000 kB" */
	CHECK_STR(b, "1.0\xC2\xA0MB");
	report_fmt_size(UINT64_MAX, b, sizeof b);
	CHECK(strstr(b, "TB") != NULL);
	report_fmt_duration(750, b, 3);		/* truncates, stays terminated */
	CHECK_STR(b, "12");
}

static void test_day(const struct config *cfg)
{
	struct report_day d;
	struct ferr e = { 0 };

	CHECK(report_day_init(&d, cfg, "2026-06-01", &e) == 0);
	CHECK_STR(d.date, "2026-06-01");
	CHECK_STR(d.date_text, "June 1, 2026");
	CHECK_STR(d.closes_text, "June 15, 2026 at 23:59");
	CHECK_STR(d.opens_text, "May 1, 2026");
	CHECK(d.days_left == 14 && !d.closed && !d.before_open);
	CHECK(d.run_id == 0);
	CHECK(report_day_init(&d, cfg, "2026-06-14", &e) == 0 && d.days_left == 1);
	CHECK(report_day_init(&d, cfg, "2026-06-15", &e) == 0 && d.days_left == 0 && !d.closed);
	/* the night after the close speaks of this year's window, closed */
	CHECK(report_day_init(&d, cfg, "2026-06-16", &e) == 0 && d.closed && d.days_left == -1);
	CHECK(report_day_init(&d, cfg, "2027-01-10", &e) == 0 && d.closed);
	CHECK_STR(d.closes_text, "June 15, 2026 at 23:59");
	CHECK(report_day_init(&d, cfg, "2026-04-20", &e) == 0 && d.before_open);
	CHECK(d.days_left == 56);
	CHECK(report_day_init(&d, cfg, "2027-05-02", &e) == 0 && !d.closed);
	CHECK_STR(d.closes_text, "June 15, 2027 at 23:59");
	CHECK(report_day_init(&d, cfg, NULL, &e) == 0 && strlen(d.date) == 10);
	const char *bad[] = { "2026-13-01", "2026-6-1", "20260601", "2026-06-01x", "", "2026/06/01",
			      "+026-06-01", "2026-00-10", "2026-06-32" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ferr_clear(&e);
		CHECK(report_day_init(&d, cfg, bad[i], &e) == -1);
		CHECK(e.cls == FERR_CONFIG);
	}
}

static void test_ids(void)
{
	CHECK(report_candidate_id_ok("c2026-0101"));
	CHECK(report_candidate_id_ok("A.b_c-9"));
	CHECK(!report_candidate_id_ok(""));
	CHECK(!report_candidate_id_ok(".."));
	CHECK(!report_candidate_id_ok("nightly"));
	CHECK(!report_candidate_id_ok(".hidden"));
	CHECK(!report_candidate_id_ok("../escape"));
	CHECK(!report_candidate_id_ok("a/b"));
	CHECK(!report_candidate_id_ok("a b"));
	CHECK(!report_candidate_id_ok("c\n2026"));
	CHECK(!report_candidate_id_ok("nightly\xC3\xA9"));
	CHECK(!report_candidate_id_ok("c2026-0101-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
}

int main(void)
{
	const char *path = getenv("FOLIO_CONFIG");
	struct ferr e = { 0 };
	struct config *cfg = config_load(path && *path ? path : "config/folio.conf", &e);

	test_formats();
	test_ids();
	CHECK(cfg != NULL);
	if (cfg)
		test_day(cfg);
	config_free(cfg);
	return CHECK_DONE();
}
