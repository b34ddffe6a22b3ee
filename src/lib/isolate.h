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
	long pid;		/* the child's, for its leftovers in DATA/tmp */
};

/* The step: runs in the child, writes its result into out (outsz bytes, zeroed
 * before the call).  It may call isolate_progress(). */
typedef void (*isolate_fn)(void *arg, void *out);
/* What the parent does with the child's news while the step runs (any may be
 * NULL).  progress: isolate_progress() from the child.  message: a message
 * from isolate_send(), in order; returning -1 with e filled stops the step
 * (the child is killed) and makes isolate_run() return -1 with that error.
 * The time the parent spends in message() does not count against the step. */
typedef void (*isolate_progress_fn)(void *arg, double done, double total);
typedef int (*isolate_message_fn)(void *arg, const void *buf, size_t len, struct ferr *e);
struct isolate_io {
	isolate_progress_fn progress;
	isolate_message_fn message;
	void *arg;
};

/* Runs fn(arg, out) in a child under lim.  Returns 0 with res filled: out holds
 * the step's result only when res->end is ISOLATE_DONE.  Returns -1 with e
 * filled (FERR_SYSTEM) when no child could be started, or as io->message()
 * said. */
int isolate_run(const struct isolate_limits *lim, isolate_fn fn, void *arg, void *out,
		size_t outsz, const struct isolate_io *io, struct isolate_result *res,
		struct ferr *e);

/* As isolate_run(), but the step is a program: argv[0] (a path) is executed
 * in the child with the pipe as its file descriptor 3, nothing else inherited
 * but 0-2.  For steps run from a process with threads, where a forked child
 * must not run library code (a lock another thread held at the fork stays
 * locked in the child: AddressSanitizer's allocator, for one).  The program
 * calls isolate_exec_begin() with the same limits, does the step, and ends
 * with isolate_exec_result(). */
int isolate_exec(const struct isolate_limits *lim, char *const argv[], void *out, size_t outsz,
		 const struct isolate_io *io, struct isolate_result *res, struct ferr *e);
/* In a program isolate_exec() started: takes descriptor 3 as its pipe and
 * lim as its limits (then isolate_progress() and isolate_send() work).
 * Returns 0, or -1 when descriptor 3 is not a pipe (not started so). */
int isolate_exec_begin(const struct isolate_limits *lim);
/* In a child with a memory limit: true when its address space has come
 * within 16 MiB of the limit (a library's allocation was refused there, what
 * ever error it then returned). */
bool isolate_near_memory_limit(void);
/* Sends the step's result to the parent and exits. */
void isolate_exec_result(const void *out, size_t outsz) __attribute__((noreturn));

/* A worker: one child that runs the same step on file after file, for the
 * steps that are many and small (identify, probe), where a fork per file would
 * cost more than the step.  Each call sends a request of reqsz bytes and waits
 * for the result under the limits, as isolate_run() does; a worker stopped at
 * a limit, or dead, is replaced by a fresh one at the next call.  The memory
 * limit is the worker's: it retires itself (a fresh one follows) once it has
 * grown by half of it, and after a thousand files, so that what a library
 * keeps between files never counts against one file.  ctx is the step's
 * state as the parent had it when the worker started (a libmagic handle). */
typedef void (*isolate_req_fn)(void *ctx, const void *req, void *out);
struct isolate_worker;

/* A worker, started at its first call.  NULL when out of memory. */
struct isolate_worker *isolate_worker_new(const struct isolate_limits *lim, isolate_req_fn fn,
					  void *ctx, size_t reqsz, size_t outsz);
/* Runs fn(ctx, req, out) in the worker.  Returns 0 with res filled (out holds
 * the result only when res->end is ISOLATE_DONE), or -1 with e filled when no
 * worker could be started. */
int isolate_worker_call(struct isolate_worker *w, const void *req, void *out,
			struct isolate_result *res, struct ferr *e);
/* Ends the worker (it exits when its socket closes) and frees w. */
void isolate_worker_free(struct isolate_worker *w);

/* The largest message isolate_send() takes. */
#define ISOLATE_MSG_MAX (1u << 20)

/* In the child: tells the parent how far the step is.  Does nothing in a
 * process not started by isolate_run(). */
void isolate_progress(double done, double total);
/* In the child: sends len bytes (at most ISOLATE_MSG_MAX) to the parent's
 * io->message().  Returns 0, or -1 (too long, or the parent is gone; the
 * child is killed soon after in that case). */
int isolate_send(const void *buf, size_t len);

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
