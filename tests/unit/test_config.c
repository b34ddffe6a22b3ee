/* The config parser: values, windows in their time zone, and clear errors. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/folio-test-config-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char MINIMAL[] =
	"[window.2026]\nopens = 2026-05-01 00:00\ncloses = 2026-06-15 23:59\n"
	"[entries]\nlist = E1\n[entry.E1]\nslots = V1\n"
	"[slot.E1.V1]\naccept = video\nstreams = video, audio\nmin_duration = 0:30\n"
	"max_duration = 10:00\nmax_size = 2 GiB\n";

int main(void)
{
	double d;
	uint64_t n;
	time_t t;
	struct ferr e = { 0 };
	struct config *c;
	char *p, text[4096];

	CHECK(config_parse_duration("10:00", &d) == 0 && d == 600);
	CHECK(config_parse_duration("0:30", &d) == 0 && d == 30);
	CHECK(config_parse_duration("1:02:03", &d) == 0 && d == 3723);
	CHECK(config_parse_duration("90", &d) == 0 && d == 90);
	CHECK(config_parse_duration("ten", &d) != 0);
	CHECK(config_parse_duration("1:xx", &d) != 0);
	CHECK(config_parse_duration("-5", &d) != 0);
	CHECK(config_parse_size("100 MB", &n) == 0 && n == 100000000ULL);
	CHECK(config_parse_size("2 GiB", &n) == 0 && n == 2147483648ULL);
	CHECK(config_parse_size("16MiB", &n) == 0 && n == 16777216ULL);
	CHECK(config_parse_size("512", &n) == 0 && n == 512);
	CHECK(config_parse_size("5 furlongs", &n) != 0);
	CHECK(config_parse_size("99999999999 TiB", &n) != 0);
	/* 2026-06-15 23:59 CDT is 2026-06-16 04:59 UTC */
	CHECK(config_parse_local_time("2026-06-15 23:59", "America/Chicago", &t) == 0 &&
	      t == 1781585940);
	/* in winter Chicago is UTC-6 */
	CHECK(config_parse_local_time("2026-01-15 00:00", "America/Chicago", &t) == 0 &&
	      t == 1768456800);
	CHECK(config_parse_local_time("2026-13-01 00:00", "America/Chicago", &t) != 0);

	p = write_tmp(MINIMAL);
	c = config_load(p, &e);
	CHECK(c != NULL);
	if (c) {
		CHECK(c->nwindows == 1 && c->nentries == 1);
		CHECK(config_in_window(c, 1781585940 + 59));	/* 23:59:59 on June 15 */
		CHECK(!config_in_window(c, 1781585940 + 60));	/* June 16 00:00:00 */
		CHECK(config_in_window(c, 1777611600));	/* May 1 00:00 CDT */
		CHECK(!config_in_window(c, 1777611599));
		const struct entry_rule *er = config_entry(c, "e1");
		CHECK(er != NULL && config_slot(er, "v1") != NULL);
		CHECK(er && config_slot(er, "V2") == NULL);
		const struct slot_rule *sr = er ? config_slot(er, "V1") : NULL;
		CHECK(sr && sr->need_video && sr->need_audio && sr->min_s == 30 && sr->max_s == 600);
		CHECK(sr && sr->max_bytes == 2147483648ULL);
		CHECK_STR(c->legacy_code_page, "CP437");
		CHECK(c->archive.max_depth == 2 && c->archive.max_members == 1000);
		CHECK(strlen(c->version) == 16);
		config_free(c);
	}
	unlink(p);

	/* errors name the file and the line */
	snprintf(text, sizeof text, "%s[slot.E1.V1]\nmax_duration = later\n", MINIMAL);
	p = write_tmp("[window.2026]\nopens = 2026-05-01 00:00\ncloses = soon\n");
	c = config_load(p, &e);
	CHECK(c == NULL && e.cls == FERR_CONFIG && strstr(e.msg, ":3:") != NULL);
	config_free(c);
	unlink(p);
	p = write_tmp("key = outside\n");
	c = config_load(p, &e);
	CHECK(c == NULL && strstr(e.msg, "outside any [section]") != NULL);
	unlink(p);
	p = write_tmp("[a]\nk = 1\nk = 2\n");
	c = config_load(p, &e);
	CHECK(c == NULL && strstr(e.msg, "set twice") != NULL);
	unlink(p);
	/* values that parse but make no sense are refused, naming the line */
	static const char *const bad_values[][2] = {
		{ "[general]\ntimezone = Mars/Olympus\n", "tz database" },
		{ "[general]\nlegacy_code_page = nonsense\n", "code page" },
		{ "[archive]\nmax_members = -1\n", "max_members" },
		{ "[archive]\nmax_ratio = nan\n", "max_ratio" },
		{ "[archive]\nmax_ratio = inf\n", "max_ratio" },
		{ "[archive]\nmax_ratio = 0\n", "max_ratio" },
		{ "[window.y]\nopens = 2026-02-31 00:00\ncloses = 2026-03-05 00:00\n", "opens" },
	};
	for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
		snprintf(text, sizeof text, "%s%s", bad_values[i][0], MINIMAL);
		p = write_tmp(text);
		c = config_load(p, &e);
		CHECK(c == NULL && e.cls == FERR_CONFIG && strstr(e.msg, bad_values[i][1]) != NULL);
		if (c != NULL || strstr(e.msg, bad_values[i][1]) == NULL)
			fprintf(stderr, "  case %zu: %s\n", i, c ? "accepted" : e.msg);
		config_free(c);
		unlink(p);
	}
	snprintf(text, sizeof text, "%s", MINIMAL);
	char *mx = strstr(text, "min_duration = 0:30");
	memcpy(mx, "min_duration = 11:0", 19);
	p = write_tmp(text);
	c = config_load(p, &e);
	CHECK(c == NULL && strstr(e.msg, "longer than max_duration") != NULL);
	config_free(c);
	unlink(p);
	p = write_tmp("[window.2026]\nopens = 2026-05-01 00:00\ncloses = 2026-06-15 23:59\n"
		      "[entries]\nlist = E1\n[entry.E1]\nslots = V1, v1\n"
		      "[slot.E1.V1]\naccept = video\n");
	c = config_load(p, &e);
	CHECK(c == NULL && strstr(e.msg, "listed twice") != NULL);
	config_free(c);
	unlink(p);

	c = config_load("/nonexistent/folio.conf", &e);
	CHECK(c == NULL && e.cls == FERR_CONFIG);

	/* a misspelt key, section or header is an error naming the line, never a
	 * rule silently gone */
	static const char *const typos[][2] = {
		{ "[slot.E1.V1]\nmax_durration = 5:00\n", "[slot.E1.V1] max_durration: no such key" },
		{ "[general]\nmax_attempt = 3\n", "[general] max_attempt: no such key" },
		{ "[limit]\ntime = 3\n", "[limit]: no such section" },
		{ "[profile]\ncrff = 23\n", "[profile] crff: no such key" },
		{ "[slot.E1.V7]\naccept = video\n", "[slot.E1.V7] is not listed" },
		{ "[entry.E3]\nslots = V1\n", "[entry.E3] is not listed" },
	};
	for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
		snprintf(text, sizeof text, "%s%s", MINIMAL, typos[i][0]);
		p = write_tmp(text);
		c = config_load(p, &e);
		CHECK(c == NULL && e.cls == FERR_CONFIG && strstr(e.msg, typos[i][1]) != NULL);
		if (c != NULL || strstr(e.msg, typos[i][1]) == NULL)
			fprintf(stderr, "typo %zu: %s\n", i, c ? "(loaded)" : e.msg);
		config_free(c);
		unlink(p);
	}
	snprintf(text, sizeof text, "%s[profile]\ncrf = 23\n[limits]\ntime = 3\n", MINIMAL);
	p = write_tmp(text);
	c = config_load(p, &e);
	CHECK(c != NULL);
	config_free(c);
	unlink(p);

	/* the shipped config loads and says what the issue asks */
	const char *top = getenv("FOLIO_TOP");
	char shipped[4096];
	snprintf(shipped, sizeof shipped, "%s/config/folio.conf", top ? top : ".");
	c = config_load(shipped, &e);
	CHECK(c != NULL);
	if (c) {
		CHECK(c->nwindows == 3);
		const struct entry_rule *er = config_entry(c, "E1");
		CHECK(er && er->nslots == 7);
		CHECK(er && config_slot(er, "W1")->accept == ACCEPT_PDF);
		CHECK(er && config_slot(er, "W1")->max_bytes == 100000000ULL);
		CHECK(er && config_slot(er, "V1")->max_s == 600);
		CHECK(er && config_slot(er, "V6")->max_s == 300);
		CHECK(config_entry(c, "E2") && config_entry(c, "E2")->nslots == 4);
		CHECK(c->archive.max_expanded_bytes == 17179869184ULL);
		CHECK(c->archive.ratio_grace_bytes == 16777216ULL && c->archive.max_ratio == 100);
		config_free(c);
	}
	return CHECK_DONE();
}
