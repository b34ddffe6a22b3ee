#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#if defined(__SANITIZE_ADDRESS__)
#define ISOLATE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ISOLATE_ASAN 1
#endif
#endif

/* The child's end of the pipe; -1 in every process isolate_run() did not
 * start.  Frames on the pipe: a type byte, then a fixed payload. */
static int child_fd = -1;
static uint64_t child_memory_cap;	/* for the test hook, when rlimits cannot apply */

enum { FRAME_PROGRESS = 'P', FRAME_MESSAGE = 'M', FRAME_RESULT = 'R' };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

bool isolate_memory_limit_unavailable(void)
{
#ifdef ISOLATE_ASAN
	return true;
#else
	const char *pre = getenv("LD_PRELOAD");
	return pre != NULL && strstr(pre, "vgpreload") != NULL;
#endif
}

void isolate_progress(double done, double total)
{
	char frame[1 + 2 * sizeof(double)];

	if (child_fd < 0)
		return;
	frame[0] = FRAME_PROGRESS;
	memcpy(frame + 1, &done, sizeof done);
	memcpy(frame + 1 + sizeof done, &total, sizeof total);
	(void)write_all(child_fd, frame, sizeof frame);
}

/* The action of the first spec in h ("STEP:ACTION:TEXT,...") for this step
 * and name, copied into act; false when none applies. */
static bool hook_action(const char *h, const char *step, const char *name, char *act, size_t n)
{
	char spec[256];
	size_t len = strlen(step);

	while (*h) {
		size_t k = strcspn(h, ",");
		snprintf(spec, sizeof spec, "%.*s", (int)k, h);
		h += k + (h[k] == ',');
		if (strncmp(spec, step, len) != 0 || spec[len] != ':')
			continue;
		char *a = spec + len + 1, *text = strchr(a, ':');
		if (text == NULL || strstr(name, text + 1) == NULL)
			continue;
		*text = '\0';
		snprintf(act, n, "%s", a);
		return true;
	}
	return false;
}

int isolate_send(const void *buf, size_t len)
{
	char head[1 + sizeof(uint32_t)];
	uint32_t n = (uint32_t)len;

	if (child_fd < 0 || len > ISOLATE_MSG_MAX)
		return -1;
	head[0] = FRAME_MESSAGE;
	memcpy(head + 1, &n, sizeof n);
	if (write_all(child_fd, head, sizeof head) != 0 || write_all(child_fd, buf, len) != 0)
		return -1;
	return 0;
}

void isolate_test_hook(const char *step, const char *name)
{
	const char *h = getenv("FOLIO_TEST_HOOK");
	char action[16];

	if (h == NULL || child_fd < 0 || !hook_action(h, step, name, action, sizeof action))
		return;
	if (strcmp(action, "spin") == 0) {
		volatile unsigned long spin = 0;
		for (;;)
			spin++;
	} else if (strcmp(action, "alloc") == 0) {
		/* what a decoder trusting a header's frame size does; capped when
		 * no rlimit can stop it (sanitizer builds) */
		uint64_t total = 0, cap = child_memory_cap ? child_memory_cap : (1ULL << 30);
		for (;;) {
			char *p = malloc(16u << 20);
			if (p == NULL || (isolate_memory_limit_unavailable() && total >= cap))
				break;
			memset(p, 0x5a, 16u << 20);
			total += 16u << 20;
		}
		raise(SIGSEGV);
	} else if (strcmp(action, "crash") == 0) {
		raise(SIGSEGV);
	}
}

static void close_inherited(int keep)
{
	long max;

	if ((keep <= 3 || close_range(3, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);	/* a kernel without close_range() */
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

static void set_limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };
	struct rlimit old;

	if (getrlimit(resource, &old) == 0 && old.rlim_max != RLIM_INFINITY) {
		if (rl.rlim_max > old.rlim_max)
			rl.rlim_max = old.rlim_max;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
	}
	(void)setrlimit(resource, &rl);
}

/* From /proc/self/statm: field 0 the address space, 1 the resident set. */
static uint64_t statm_bytes(int field)
{
	unsigned long v[2] = { 0, 0 };
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &v[0], &v[1]) != 2)
			v[0] = v[1] = 0;
		fclose(f);
	}
	return (uint64_t)v[field] * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* What every child does first: die with the parent, keep only fd, take the
 * limits.  The CPU limit is a backstop for a parent that is stopped, not
 * killed (the wall clock in the parent is the limit). */
static void child_setup(pid_t parent, int fd, const struct isolate_limits *lim)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGPIPE, SIG_IGN);
	close_inherited(fd);
	child_fd = fd;
	set_limit(RLIMIT_CORE, 0, 0);
	child_memory_cap = lim->memory_bytes;
	if (lim->memory_bytes > 0 && !isolate_memory_limit_unavailable()) {
		uint64_t as = statm_bytes(0) + lim->memory_bytes;
		set_limit(RLIMIT_AS, (rlim_t)as, (rlim_t)as);
	}
}

/* Lets the step use up to its time in CPU seconds on every core from now. */
static void cpu_budget(const struct isolate_limits *lim)
{
	struct rusage ru;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	rlim_t used = 0;

	if (lim->time_s <= 0)
		return;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1);
	rlim_t cpu = used + (rlim_t)(lim->time_s * (double)(ncpu > 0 ? ncpu : 1) * 2) + 2;
	struct rlimit rl = { .rlim_cur = cpu, .rlim_max = RLIM_INFINITY };
	if (getrlimit(RLIMIT_CPU, &rl) == 0)
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || cpu < rl.rlim_max ? cpu : rl.rlim_max;
	(void)setrlimit(RLIMIT_CPU, &rl);
}

static void child_main(pid_t parent, int fd, const struct isolate_limits *lim, isolate_fn fn,
		       void *arg, void *out, size_t outsz)
{
	char type = FRAME_RESULT;

	child_setup(parent, fd, lim);
	cpu_budget(lim);
	memset(out, 0, outsz);
	fn(arg, out);
	if (write_all(fd, &type, 1) != 0 || write_all(fd, out, outsz) != 0)
		_exit(126);
	_exit(0);
}

/* The parent's end: frames read so far and what to do with them. */
struct reader {
	int fd;
	double deadline;	/* monotonic seconds; 0: none */
	const struct isolate_io *io;
	struct ferr *e;
};

/* Reads exactly n bytes.  1 done, 0 the end of the pipe, -2 the deadline. */
static int read_exact(struct reader *rd, void *dst, size_t n)
{
	size_t got = 0;

	while (got < n) {
		int ms = -1;
		if (rd->deadline > 0) {
			double left = rd->deadline - now_s();
			if (left <= 0)
				return -2;
			ms = (int)(left * 1000) + 1;
		}
		struct pollfd p = { .fd = rd->fd, .events = POLLIN };
		int r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return 0;
		if (r == 0)
			continue;	/* the deadline check above decides */
		ssize_t k = read(rd->fd, (char *)dst + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0;
		got += (size_t)k;
	}
	return 1;
}

/* Reads frames until the result, the end of the pipe or the deadline.
 * Returns 1 with the result read, 0 at the end without one, -2 at the
 * deadline, -1 when io->message() failed (rd->e filled). */
static int parent_read(struct reader *rd, void *out, size_t outsz)
{
	const struct isolate_io *io = rd->io;

	for (;;) {
		char type;
		int r = read_exact(rd, &type, 1);

		if (r != 1)
			return r;
		if (type == FRAME_RESULT) {
			return read_exact(rd, out, outsz);
		} else if (type == FRAME_PROGRESS) {
			double v[2];
			if ((r = read_exact(rd, v, sizeof v)) != 1)
				return r;
			if (io != NULL && io->progress != NULL)
				io->progress(io->arg, v[0], v[1]);
		} else if (type == FRAME_MESSAGE) {
			uint32_t n;
			if ((r = read_exact(rd, &n, sizeof n)) != 1)
				return r;
			if (n > ISOLATE_MSG_MAX)
				return 0;	/* not ours: treated as a crash */
			char *buf = malloc(n ? n : 1);
			if (buf == NULL) {
				ferr_set(rd->e, FERR_SYSTEM, "out of memory reading a step's message");
				return -1;
			}
			r = read_exact(rd, buf, n);
			if (r == 1 && io != NULL && io->message != NULL) {
				double t0 = now_s();
				if (io->message(io->arg, buf, n, rd->e) != 0)
					r = -1;
				if (rd->deadline > 0)
					rd->deadline += now_s() - t0;
			}
			free(buf);
			if (r != 1)
				return r;
		} else {
			return 0;
		}
	}
}

/* How a child's step ended, from what was read (parent_read's value), its
 * wait status and its resource use. */
static void classify_end(const struct isolate_limits *lim, int got, int status,
			 const struct rusage *ru, uint64_t rss0, struct isolate_result *res)
{
	res->max_rss_kb = ru->ru_maxrss;
	res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (got == -2 || res->signal == SIGXCPU) {
		res->end = ISOLATE_TIME;
	} else if (got == 1) {
		/* the whole result arrived: how the child then left (valgrind's
		 * exit code for its leak report, say) changes nothing */
		res->end = ISOLATE_DONE;
	} else if (res->signal == SIGKILL ||
		   (lim->memory_bytes > 0 && !isolate_memory_limit_unavailable() &&
		    (uint64_t)ru->ru_maxrss * 1024 >= rss0 + lim->memory_bytes / 2)) {
		/* the kernel's OOM killer, or a decoder that died once refused
		 * (having grown by half the limit at least) */
		res->end = ISOLATE_MEMORY;
	} else {
		res->end = ISOLATE_CRASHED;
	}
#ifdef ISOLATE_ASAN
	/* in a sanitizer build a child's death is a finding to look at, not a
	 * candidate's fault to record (the tests of the limits say so) */
	if (res->end == ISOLATE_CRASHED && getenv("FOLIO_TEST_HOOK") == NULL) {
		fprintf(stderr, "isolate: a step died (signal %d, status %d) in a sanitizer build\n",
			res->signal, status);
		abort();
	}
#endif
}

/* The parent's half of a one-shot step: reads the child's frames until its
 * result, the end or the deadline (killing it there), reaps it and says how
 * it ended.  program names an executed step, whose exit 127 without a result
 * means it could not be run (a system failure). */
static int parent_wait(const struct isolate_limits *lim, pid_t pid, int fd, double t0, void *out,
		       size_t outsz, const struct isolate_io *io, uint64_t rss0,
		       const char *program, struct isolate_result *res, struct ferr *e)
{
	struct reader rd = { .fd = fd, .deadline = lim->time_s > 0 ? t0 + lim->time_s : 0,
			     .io = io, .e = e };
	struct rusage ru;
	int got, status = 0;

	res->pid = (long)pid;
	got = parent_read(&rd, out, outsz);
	if (got == -2 || got == -1)
		kill(pid, SIGKILL);
	close(fd);
	memset(&ru, 0, sizeof ru);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			status = 0;
			break;
		}
	}
	res->wall_s = now_s() - t0;
	if (got == -1)
		return -1;
	classify_end(lim, got, status, &ru, rss0, res);
	if (program != NULL && got == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
	    res->end == ISOLATE_CRASHED)
		return ferr_set(e, FERR_SYSTEM, "cannot run %s", program);
	return 0;
}

int isolate_run(const struct isolate_limits *lim, isolate_fn fn, void *arg, void *out,
		size_t outsz, const struct isolate_io *io, struct isolate_result *res,
		struct ferr *e)
{
	int fds[2];
	pid_t parent = getpid(), pid;
	double t0 = now_s();

	memset(res, 0, sizeof *res);
	uint64_t rss0 = statm_bytes(1);	/* the child starts with these pages */
	if (pipe2(fds, O_CLOEXEC) != 0)
		return ferr_set(e, FERR_SYSTEM, "cannot make a pipe for a step: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(fds[0]);
		close(fds[1]);
		return ferr_set(e, FERR_SYSTEM, "cannot start a process for a step: %s",
				strerror(err));
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(parent, fds[1], lim, fn, arg, out, outsz);
	}
	close(fds[1]);
	return parent_wait(lim, pid, fds[0], t0, out, outsz, io, rss0, NULL, res, e);
}

/* ---- steps that are programs --------------------------------------------------- */

int isolate_exec(const struct isolate_limits *lim, char *const argv[], void *out, size_t outsz,
		 const struct isolate_io *io, struct isolate_result *res, struct ferr *e)
{
	int fds[2];
	pid_t parent = getpid(), pid;
	double t0 = now_s();

	memset(res, 0, sizeof *res);
	if (pipe2(fds, O_CLOEXEC) != 0)
		return ferr_set(e, FERR_SYSTEM, "cannot make a pipe for a step: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(fds[0]);
		close(fds[1]);
		return ferr_set(e, FERR_SYSTEM, "cannot start %s: %s", argv[0], strerror(err));
	}
	if (pid == 0) {
		/* only system calls from here to execv: another thread may have
		 * held any lock at the fork */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (fds[1] == 3) {
			if (fcntl(3, F_SETFD, 0) != 0)
				_exit(127);
		} else if (dup2(fds[1], 3) != 3) {
			_exit(127);
		}
		if (close_range(4, ~0U, 0) != 0)
			for (int fd = 4; fd < 65536; fd++)
				close(fd);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	/* a fresh program: its resident set starts from nothing */
	return parent_wait(lim, pid, fds[0], t0, out, outsz, io, 0, argv[0], res, e);
}

int isolate_exec_begin(const struct isolate_limits *lim)
{
	struct stat sb;

	if (fstat(3, &sb) != 0 || !S_ISFIFO(sb.st_mode))
		return -1;
	(void)fcntl(3, F_SETFD, FD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	child_fd = 3;
	set_limit(RLIMIT_CORE, 0, 0);
	child_memory_cap = lim->memory_bytes;
	if (lim->memory_bytes > 0 && !isolate_memory_limit_unavailable()) {
		uint64_t as = statm_bytes(0) + lim->memory_bytes;
		set_limit(RLIMIT_AS, (rlim_t)as, (rlim_t)as);
	}
	cpu_budget(lim);
	return 0;
}

bool isolate_near_memory_limit(void)
{
	struct rlimit rl;
	unsigned long long peak_kb = 0;
	char line[256];
	FILE *f;

	if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return false;
	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return false;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmPeak: %llu kB", &peak_kb) == 1)
			break;
	fclose(f);
	/* a refused allocation leaves the peak just under the limit */
	return peak_kb * 1024 + (16u << 20) >= (unsigned long long)rl.rlim_cur;
}

void isolate_exec_result(const void *out, size_t outsz)
{
	char type = FRAME_RESULT;

	if (write_all(child_fd, &type, 1) != 0 || write_all(child_fd, out, outsz) != 0)
		_exit(126);
	_exit(0);
}

/* ---- workers ---------------------------------------------------------------- */

struct isolate_worker {
	struct isolate_limits lim;
	isolate_req_fn fn;
	void *ctx;
	size_t reqsz, outsz;
	pid_t pid;		/* 0: none running */
	int fd;			/* the parent's end of the socket */
	uint64_t rss0;		/* the parent's resident set when it started */
};

enum { WORKER_MAX_CALLS = 1000 };

static void worker_main(pid_t parent, int fd, struct isolate_worker *w)
{
	/* malloc'd apart, so that both are aligned for any type */
	char *req = malloc(w->reqsz ? w->reqsz : 1), *out = malloc(w->outsz ? w->outsz : 1);
	char head[2];
	uint64_t vm0;

	child_setup(parent, fd, &w->lim);
	if (req == NULL || out == NULL)
		_exit(125);
	vm0 = statm_bytes(0);
	for (int calls = 1;; calls++) {
		size_t got = 0;
		bool retire = false;
		while (got < w->reqsz) {
			ssize_t n = read(fd, req + got, w->reqsz - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto done;	/* the stage is done with us */
			got += (size_t)n;
		}
		cpu_budget(&w->lim);
		memset(out, 0, w->outsz);
		w->fn(w->ctx, req, out);
		retire = calls >= WORKER_MAX_CALLS ||
			 (w->lim.memory_bytes > 0 && statm_bytes(0) > vm0 + w->lim.memory_bytes / 2);
		head[0] = FRAME_RESULT;
		head[1] = retire;
		if (write_all(fd, head, 2) != 0 || write_all(fd, out, w->outsz) != 0 || retire)
			goto done;
	}
done:
	free(req);
	free(out);
	_exit(0);
}

struct isolate_worker *isolate_worker_new(const struct isolate_limits *lim, isolate_req_fn fn,
					  void *ctx, size_t reqsz, size_t outsz)
{
	struct isolate_worker *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->lim = *lim;
	w->fn = fn;
	w->ctx = ctx;
	w->reqsz = reqsz;
	w->outsz = outsz;
	w->fd = -1;
	return w;
}

static int worker_start(struct isolate_worker *w, struct ferr *e)
{
	int sv[2];
	pid_t parent = getpid(), pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return ferr_set(e, FERR_SYSTEM, "cannot make a socket for a worker: %s",
				strerror(errno));
	w->rss0 = statm_bytes(1);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		return ferr_set(e, FERR_SYSTEM, "cannot start a worker process: %s", strerror(err));
	}
	if (pid == 0) {
		close(sv[0]);
		worker_main(parent, sv[1], w);
	}
	close(sv[1]);
	w->pid = pid;
	w->fd = sv[0];
	return 0;
}

/* Closes the socket and reaps the worker (killed first when kill_it). */
static void worker_reap(struct isolate_worker *w, bool kill_it, int *status, struct rusage *ru)
{
	if (w->pid <= 0)
		return;
	if (kill_it)
		kill(w->pid, SIGKILL);
	close(w->fd);
	w->fd = -1;
	memset(ru, 0, sizeof *ru);
	*status = 0;
	while (wait4(w->pid, status, 0, ru) < 0) {
		if (errno != EINTR) {
			*status = 0;
			break;
		}
	}
	w->pid = 0;
}

static int send_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int isolate_worker_call(struct isolate_worker *w, const void *req, void *out,
			struct isolate_result *res, struct ferr *e)
{
	double t0 = now_s();
	int status = 0, got;
	struct rusage ru;
	char head[2];

	memset(res, 0, sizeof *res);
	if (w->pid <= 0 && worker_start(w, e) != 0)
		return -1;
	res->pid = (long)w->pid;
	if (send_all(w->fd, req, w->reqsz) != 0) {
		/* it left between two calls: a fresh one takes the request */
		worker_reap(w, true, &status, &ru);
		if (worker_start(w, e) != 0)
			return -1;
		res->pid = (long)w->pid;
		if (send_all(w->fd, req, w->reqsz) != 0) {
			worker_reap(w, true, &status, &ru);
			return ferr_set(e, FERR_SYSTEM, "a worker process would not take a request");
		}
	}
	struct reader rd = { .fd = w->fd, .deadline = w->lim.time_s > 0 ? t0 + w->lim.time_s : 0,
			     .io = NULL, .e = e };
	got = read_exact(&rd, head, sizeof head);
	if (got == 1 && head[0] != FRAME_RESULT)
		got = 0;
	if (got == 1)
		got = read_exact(&rd, out, w->outsz);
	res->wall_s = now_s() - t0;
	if (got == 1 && !head[1])
		return 0;	/* done, and the worker goes on */
	worker_reap(w, got != 1, &status, &ru);
	classify_end(&w->lim, got, status, &ru, w->rss0, res);
	return 0;
}

void isolate_worker_free(struct isolate_worker *w)
{
	int status;
	struct rusage ru;

	if (w == NULL)
		return;
	if (w->pid > 0) {
		close(w->fd);	/* it reads the end and exits */
		w->fd = -1;
		while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
			;
		(void)ru;
	}
	free(w);
}

static void format_size(uint64_t b, char *buf, size_t n)
{
	if (b >= (1ULL << 30) && b % (1ULL << 30) == 0)
		snprintf(buf, n, "%llu GiB", (unsigned long long)(b >> 30));
	else
		snprintf(buf, n, "%llu MiB", (unsigned long long)(b >> 20));
}

void isolate_describe(const struct isolate_limits *lim, const struct isolate_result *res,
		      char *buf, size_t bufsz)
{
	char mem[32] = "none";

	if (lim->memory_bytes > 0)
		format_size(lim->memory_bytes, mem, sizeof mem);
	switch (res->end) {
	case ISOLATE_TIME:
		snprintf(buf, bufsz, "stopped at the time limit (%g s)",
			 round(lim->time_s * 10) / 10);
		break;
	case ISOLATE_MEMORY:
		snprintf(buf, bufsz, "stopped at the memory limit (%s)", mem);
		break;
	case ISOLATE_CRASHED:
		snprintf(buf, bufsz, "the decoder crashed on it (signal %d; memory limit %s)",
			 res->signal, mem);
		break;
	default:
		snprintf(buf, bufsz, "done");
		break;
	}
}
