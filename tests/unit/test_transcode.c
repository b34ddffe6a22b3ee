/* The profile's parsing and checks, the moov-first scan and output path
 * names (the transcoding itself is tested end to end: tests/e2e/normalize*.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "normalize.h"
#include "transcode.h"

static const char MINIMAL[] =
	"[window.2026]\nopens = 2026-05-01 00:00\ncloses = 2026-06-15 23:59\n"
	"[entries]\nlist = E1\n[entry.E1]\nslots = V1\n"
	"[slot.E1.V1]\naccept = video\nstreams = video, audio\nmin_duration = 0:30\n"
	"max_duration = 10:00\nmax_size = 2 GiB\n";

static char tmp[64];

static void write_file(const char *path, const void *buf, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		abort();
}

/* Loads MINIMAL plus a [profile] section; returns tc_profile_load's result. */
static int load(const char *profile, struct tc_profile *p, struct ferr *e)
{
	char text[4096];
	struct config *c;
	int rc;

	snprintf(text, sizeof text, "%s[profile]\n%s", MINIMAL, profile);
	write_file(tmp, text, strlen(text));
	c = config_load(tmp, e);
	if (c == NULL)
		return -2;
	rc = tc_profile_load(c, p, e);
	config_free(c);
	return rc;
}

int main(void)
{
	struct tc_profile p, q;
	struct ferr e = { 0 };
	int fd;

	snprintf(tmp, sizeof tmp, "/tmp/folio-test-transcode-XXXXXX");
	fd = mkstemp(tmp);
	CHECK(fd >= 0);
	close(fd);

	/* defaults: the profile */
	CHECK(load("crf = 23\n", &p, &e) == 0);
	CHECK_STR(p.video_encoder, "libx264");
	CHECK_STR(p.video_profile, "high");
	CHECK(p.max_width == 1280 && p.max_height == 720 && p.max_fps == 30);
	CHECK(p.audio_rate == 48000 && p.audio_bitrate == 128000 && p.audio_max_channels == 2);
	CHECK_NEAR(p.loudness_target, -16, 1e-9);
	CHECK_NEAR(p.loudness_tolerance, 2, 1e-9);
	CHECK_NEAR(p.duration_tolerance, 0.5, 1e-9);
	CHECK_NEAR(p.poster_at, 0.10, 1e-9);
	CHECK_NEAR(p.max_duration, 1200, 1e-9);
	CHECK(p.portrait_box);
	CHECK_STR(p.demuxers, "mov,matroska,avi,asf,mpegts,mpeg,flv,ogg");
	CHECK(strlen(p.version) == 16);

	/* values, and a version that follows them */
	CHECK(load("crf = 30\naudio_bitrate = 96k\ndemuxers = mov , matroska\n"
		   "max_duration = 10:00\nportrait_box = no\n", &q, &e) == 0);
	CHECK(q.crf == 30 && q.audio_bitrate == 96000 && !q.portrait_box);
	CHECK_STR(q.demuxers, "mov,matroska");
	CHECK_NEAR(q.max_duration, 600, 1e-9);
	CHECK(strcmp(p.version, q.version) != 0);

	/* every mistake named */
	CHECK(load("crf = 99\n", &p, &e) == -1 && e.cls == FERR_CONFIG && strstr(e.msg, "crf"));
	CHECK(load("crf = high\n", &p, &e) == -1 && strstr(e.msg, "crf"));
	/* a misspelt key stops config_load() itself, before any stage runs */
	CHECK(load("cfr = 23\n", &p, &e) == -2 && strstr(e.msg, "cfr: no such key"));
	CHECK(load("video_encoder = libx265\n", &p, &e) == -1 && strstr(e.msg, "not an H.264"));
	/* the encoder's own settings are tried when the config is read */
	CHECK(load("preset = bogus\n", &p, &e) == -1 && e.cls == FERR_CONFIG &&
	      strstr(e.msg, "libx264 refuses them"));
	CHECK(load("video_options = bogus=1\n", &p, &e) == -1 && e.cls == FERR_CONFIG &&
	      strstr(e.msg, "has no option 'bogus'"));
	CHECK(load("preset = slow\nvideo_options = g=60\n", &p, &e) == 0);
	CHECK(load("video_encoder = nosuch\n", &p, &e) == -1 && strstr(e.msg, "video_encoder"));
	CHECK(load("audio_encoder = libopus\n", &p, &e) == -1 && strstr(e.msg, "not an AAC"));
	CHECK(load("video_profile = baseline\n", &p, &e) == -1 && strstr(e.msg, "video_profile"));
	CHECK(load("audio_bitrate = lots\n", &p, &e) == -1 && strstr(e.msg, "audio_bitrate"));
	CHECK(load("audio_max_channels = 6\n", &p, &e) == -1 && strstr(e.msg, "audio_max_channels"));
	CHECK(load("poster_at = 1.5\n", &p, &e) == -1 && strstr(e.msg, "poster_at"));
	CHECK(load("portrait_box = maybe\n", &p, &e) == -1 && strstr(e.msg, "portrait_box"));
	CHECK(load("max_duration = soon\n", &p, &e) == -1 && strstr(e.msg, "max_duration"));
	CHECK(load("max_pixels = 10\n", &p, &e) == -1 && strstr(e.msg, "max_pixels"));

	/* moov before mdat, after it, a 64-bit box size, and garbage */
	{
		static const unsigned char first[] = {
			0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0,
			0, 0, 0, 8, 'm', 'o', 'o', 'v', 0, 0, 0, 8, 'm', 'd', 'a', 't' };
		static const unsigned char last[] = {
			0, 0, 0, 8, 'f', 't', 'y', 'p', 0, 0, 0, 8, 'm', 'd', 'a', 't',
			0, 0, 0, 8, 'm', 'o', 'o', 'v' };
		static const unsigned char big[] = {
			0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 0, 0, 0, 16,
			0, 0, 0, 8, 'm', 'o', 'o', 'v' };
		static const unsigned char junk[] = { 0, 0, 0, 0, 'x', 'x', 'x', 'x' };

		write_file(tmp, first, sizeof first);
		CHECK(tc_moov_first(tmp, &e) == 1);
		write_file(tmp, last, sizeof last);
		CHECK(tc_moov_first(tmp, &e) == 0);
		write_file(tmp, big, sizeof big);
		CHECK(tc_moov_first(tmp, &e) == 1);
		write_file(tmp, junk, sizeof junk);
		CHECK(tc_moov_first(tmp, &e) == 0);
		CHECK(tc_moov_first("/nonexistent/x.mp4", &e) == -1 && e.cls == FERR_SYSTEM);
	}

	/* output path components: candidates' names are hostile */
	CHECK(normalize_name_ok("c2026-0101"));
	CHECK(normalize_name_ok("E1") && normalize_name_ok("V1"));
	CHECK(!normalize_name_ok(".."));
	CHECK(!normalize_name_ok("."));
	CHECK(!normalize_name_ok(""));
	CHECK(!normalize_name_ok("a/b"));
	CHECK(!normalize_name_ok("-rf"));
	CHECK(!normalize_name_ok("caf\xc3\xa9"));
	CHECK(!normalize_name_ok("0123456789012345678901234567890123456789012345678901234567890123456789"));

	unlink(tmp);
	return CHECK_DONE();
}
