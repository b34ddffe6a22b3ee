/* isolate.h — one step on one candidate's file, in a child process with
 * limits.
 *
 * Library decoders do not poll for interruption: a file that makes one spin or
 * allocate without end can only be stopped from outside.  isolate_run() forks,
 * sets the child's address-space and CPU limits, runs the step there and
 * copies its fixed-size result back through a pipe while the parent watches
 * the wall clock.  A step past its time is killed; one that dies (a crash, the
 * memory limit) is reported as such.  The caller decides what the end means:
 * for the stages it is the candidate's file that did it (media-corrupt, the
 * limit named), never a system failure to retry forever.
 *
 * The child shares nothing it can damage: it closes every inherited file
 * descriptor but its end of the pipe (the database, the data directory's
 * lock), dies with its parent (PR_SET_PDEATHSIG) and leaves through _exit().
 * It may open files and start threads of its own.  Safe to call from several
 * threads at once (each waits for its own child). */
#ifndef FOLIO_ISOLATE_H
#define FOLIO_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct isolate_limits {
	double time_s;		/* wall clock; <= 0: none */
	uint64_t memory_bytes;	/* address space beyond the child's at the start; 0: none */
};

enum isolate_end {
	ISOLATE_DONE,		/* the step returned; its result was copied back */
	ISOLATE_TIME,		/* killed at the time limit */
	ISOLATE_MEMORY,		/* died at the memory limit */
	ISOLATE_CRASHED,	/* died of a signal (or returned nothing) */
};

struct isolate_result {
	enum isolate_end end;
	int signal;		/* the child's fatal signal, or 0 */
	double wall_s;
	long max_rss_kb;
};

/* The step: runs in the child, writes its result into out (outsz bytes, zeroed
 * before the call).  It may call isolate_progress(). */
typedef void (*isolate_fn)(void *arg, void *out);
/* Progress from the child, delivered to the parent's callback. */
typedef void (*isolate_progress_fn)(void *arg, double done, double total);

/* Runs fn(arg, out) in a child under lim.  Returns 0 with res filled: out holds
 * the step's result only when res->end is ISOLATE_DONE.  Returns -1 with e
 * filled (FERR_SYSTEM) when no child could be started. */
int isolate_run(const struct isolate_limits *lim, isolate_fn fn, void *arg, void *out,
		size_t outsz, isolate_progress_fn progress, void *progress_arg,
		struct isolate_result *res, struct ferr *e);

/* In the child: tells the parent how far the step is.  Does nothing in a
 * process not started by isolate_run(). */
void isolate_progress(double done, double total);

/* The words for an end that is not ISOLATE_DONE, naming the limit: "stopped at
 * the time limit (120 s)".  Writes into buf. */
void isolate_describe(const struct isolate_limits *lim, const struct isolate_result *res,
		      char *buf, size_t bufsz);

/* True when the memory limit cannot be applied in this build (AddressSanitizer
 * reserves terabytes of address space; valgrind manages its own). */
bool isolate_memory_limit_unavailable(void);

/* A test hook, for the tests of these limits only: with FOLIO_TEST_HOOK set to
 * "STEP:ACTION:TEXT" (or several, comma-separated), a step named STEP on a
 * file whose name contains TEXT
 * misbehaves as a hostile decoder would: ACTION "spin" loops forever, "alloc"
 * allocates and touches memory until refused and then crashes, "crash" dies of
 * SIGSEGV.  Call it in the child, before the real work.  Without the variable
 * it does nothing. */
void isolate_test_hook(const char *step, const char *name);

#endif
