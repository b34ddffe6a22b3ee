#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog_name = "folio";
static int level = 1;
static int tty = -1;
static bool progress_shown;

void log_init(const char *prog) { prog_name = prog; }
void log_set_level(int l) { level = l; }
int log_level(void) { return level; }

bool log_is_tty(void)
{
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	return tty == 1;
}

static void emit(int min, const char *tag, const char *fmt, va_list ap)
{
	if (level < min)
		return;
	/* a transient line may be another program's (the run's, above a
	 * stage): on a terminal every line clears whatever is there first */
	if (log_is_tty()) {
		fputs("\r\033[K", stderr);
		progress_shown = false;
	}
	fprintf(stderr, "%s: %s", prog_name, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOGFN(name, min, tag)                   \
	void name(const char *fmt, ...)         \
	{                                       \
		va_list ap;                     \
		va_start(ap, fmt);              \
		emit(min, tag, fmt, ap);        \
		va_end(ap);                     \
	}
LOGFN(log_error, 0, "error: ")
LOGFN(log_warn, 1, "warning: ")
LOGFN(log_info, 1, "")
LOGFN(log_debug, 2, "")

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Items per second since the first progress call of this program. */
static double rate(void)
{
	static double t0 = -1;
	static long calls;
	double now = mono_s();

	if (t0 < 0)
		t0 = now;
	calls++;
	return now - t0 >= 0.5 ? (double)(calls - 1) / (now - t0) : 0;
}

void log_progress(const char *fmt, ...)
{
	va_list ap;

	if (!log_is_tty() || level < 1)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "\r\033[K%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = true;
}

/* A name cut to fit a status line, and tamed: control characters from a
 * candidate's file names never reach the terminal. */
static void shorten(const char *s, char *out, size_t max)
{
	size_t n = strlen(s), i = 0, skip = n > max ? n - max + 3 : 0;

	if (skip) {
		memcpy(out, "...", 3);
		i = 3;
	}
	for (const char *p = s + skip; *p && i < max; p++)
		out[i++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p;
	out[i] = '\0';
}

void log_item(const char *stage, size_t done, size_t total, const char *current)
{
	char name[80];

	if (level < 1)
		return;
	shorten(current ? current : "", name, 60);
	if (log_is_tty()) {
		double r = rate();
		fprintf(stderr, "\r\033[K%s: %s %zu/%zu  %s", prog_name, stage, done, total, name);
		if (r > 0)
			fprintf(stderr, "  %.1f/s", r);
		fflush(stderr);
		progress_shown = true;
	} else if (level >= 2) {
		fprintf(stderr, "%s: %s %zu/%zu %s\n", prog_name, stage, done, total, name);
	}
}

void log_progress_done(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	progress_shown = false;
}

const char *log_tame(const char *s, char *out, size_t outsz)
{
	size_t i = 0;

	for (; *s && i + 1 < outsz; s++)
		out[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	out[i] = '\0';
	return out;
}
