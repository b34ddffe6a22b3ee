#include "runner.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "transcode.h"

#define MAX_STAGES 32

/* The stage program running now, and the signal that asked the run to stop
 * (SIGINT, SIGTERM, SIGHUP): the handler passes it on to the stage, and the
 * run records the stage's end and its own as interrupted. */
static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	int saved = errno;

	if (stop_sig == 0)
		stop_sig = sig;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	errno = saved;
}

static void catch_signals(bool on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on ? on_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static const char *sig_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP"
									      : "a signal";
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the stage names of the pipeline file: one per line, '#' comments. */
static int read_pipeline(const char *path, char names[][32], int *n, struct ferr *e)
{
	FILE *f = fopen(path, "r");
	char line[256];

	*n = 0;
	if (f == NULL)
		return ferr_errno(e, errno, "cannot open pipeline %s", path);
	while (fgets(line, sizeof line, f)) {
		char *p = line, *end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		end = p + strcspn(p, " \t\r\n#");
		*end = '\0';
		if (*n >= MAX_STAGES || strlen(p) >= 32 || strspn(p, "abcdefghijklmnopqrstuvwxyz-") !=
		    strlen(p)) {
			fclose(f);
			return ferr_set(e, FERR_CONFIG, "%s: bad stage name '%s'", path, p);
		}
		memcpy(names[(*n)++], p, strlen(p) + 1);
	}
	fclose(f);
	return *n ? 0 : ferr_set(e, FERR_CONFIG, "%s: no stages", path);
}

static void pipeline_path(char *out, size_t outsz)
{
	const char *env = getenv("FOLIO_PIPELINE");
	char dir[PATH_MAX];

	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return;
	}
	if (stage_bin_dir(dir, sizeof dir) == 0 &&
	    snprintf(out, outsz, "%s/../pipeline/nightly", dir) < (int)outsz && access(out, R_OK) == 0)
		return;
	snprintf(out, outsz, "pipeline/nightly");
}

static int run_stage(struct stage *s, const char *bindir, const char *name, int verbosity,
		     char *cfg_abs)
{
	char prog[PATH_MAX], jobs[16], label[64];
	char *argv[16];
	int argc = 0, status;
	pid_t pid;

	if (snprintf(prog, sizeof prog, "%s/folio-%s", bindir, name) >= (int)sizeof prog)
		return EXIT_SYSTEM;
	if (strcmp(name, "scan") == 0 && s->inbox == NULL)
		return EXIT_OK;	/* reprocess without --inbox: nothing new to look for */
	if (access(prog, X_OK) != 0) {
		log_error("stage %s: %s is missing (run 'make')", name, prog);
		return EXIT_SYSTEM;
	}
	snprintf(label, sizeof label, "folio-%.32s", name);
	snprintf(jobs, sizeof jobs, "%d", s->jobs);
	argv[argc++] = label;
	argv[argc++] = "--data";
	argv[argc++] = s->store.root;
	argv[argc++] = "--config";
	argv[argc++] = cfg_abs;
	if (strcmp(name, "scan") == 0) {
		argv[argc++] = "--inbox";
		argv[argc++] = (char *)s->inbox;
	}
	argv[argc++] = "-j";
	argv[argc++] = jobs;
	if (strcmp(name, "report") == 0 && verbosity > 0)
		argv[argc++] = "--print-summary";	/* the operator's nightly summary */
	if (verbosity == 0)
		argv[argc++] = "-q";
	if (verbosity == 2)
		argv[argc++] = "-v";
	argv[argc] = NULL;
	if (strcmp(name, "report") == 0)
		log_progress_done();	/* its summary goes to stdout, maybe this terminal */
	fflush(NULL);
	if (stop_sig)
		return 128 + stop_sig;
	pid_t parent = getpid();
	pid = fork();
	if (pid < 0) {
		log_error("cannot start %s: %s", prog, strerror(errno));
		return EXIT_SYSTEM;
	}
	if (pid == 0) {
		/* the stage dies with the run, even one killed with -9: no stage
		 * goes on alone holding the lock for hours */
		catch_signals(false);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			_exit(128 + SIGTERM);
		execv(prog, argv);
		fprintf(stderr, "folio: cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	if (stop_sig)	/* came between the check above and child_pid */
		kill(pid, stop_sig);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			child_pid = 0;
			log_error("waiting for %s: %s", prog, strerror(errno));
			return EXIT_SYSTEM;
		}
	}
	child_pid = 0;
	if (WIFSIGNALED(status)) {
		if (!stop_sig)
			log_error("stage %s was killed by signal %d", name, WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

/* True when the operator asked to leave a stage out of this run
 * (FOLIO_SKIP_STAGES="normalize report"): verdicts first on a busy night, or
 * the tests that are not about those stages. */
static bool skipped(const char *name)
{
	const char *list = getenv("FOLIO_SKIP_STAGES");
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ,");
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ,");
	}
	return false;
}

static int stage_row(sqlite3 *db, long long run, const char *name, double t0, double t1,
		     int code, struct ferr *e)
{
	char label[64];
	sqlite3_stmt *st = db_prepare(db,
		"INSERT INTO run_stages(run_id, stage, started_at, finished_at, exit_code)"
		" VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(run_id, stage) DO UPDATE SET"
		" finished_at = ?4, exit_code = ?5", e);
	int rc;

	if (st == NULL)
		return -1;
	snprintf(label, sizeof label, "folio-%s", name);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, t0);
	if (t1 > 0) {
		sqlite3_bind_double(st, 4, t1);
		sqlite3_bind_int(st, 5, code);
	}
	rc = db_step_done(db, st, e);
	sqlite3_finalize(st);
	return rc;
}

/* One line per stage of a run: what it did (its run_stages row). */
static void stage_event(sqlite3 *db, long long run, const char *name, int code, double took)
{
	struct ferr e = { 0 };
	char label[64];
	sqlite3_stmt *st = db_prepare(db, "SELECT items, failures FROM run_stages"
					  " WHERE run_id = ?1 AND stage = ?2", &e);
	long long items = -1, failures = 0;

	snprintf(label, sizeof label, "folio-%s", name);
	if (st) {
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			items = sqlite3_column_int64(st, 0);
			failures = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	if (items >= 0)
		log_info("stage %s: %lld items, %lld system failures, %.1f s, exit %d", name, items,
			 failures, took, code);
	else
		log_info("stage %s: %.1f s, exit %d", name, took, code);
}

int runner_summary(sqlite3 *db, long long run_id, FILE *f, struct ferr *e)
{
	sqlite3_stmt *st;
	double took = 0;
	const char *status = "";

	st = db_prepare(db, "SELECT id, COALESCE(finished_at, ?2) - started_at,"
			    " status FROM runs WHERE id = ?1 OR (?1 = 0 AND id = (SELECT MAX(id) FROM runs))",
			e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_double(st, 2, now_s());
	if (sqlite3_step(st) == SQLITE_ROW) {
		run_id = sqlite3_column_int64(st, 0);
		took = sqlite3_column_double(st, 1);
		status = sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "";
		fprintf(f, "folio run %lld: %s\n", run_id, status);
	}
	sqlite3_finalize(st);
	st = db_prepare(db,
		"SELECT (SELECT COUNT(DISTINCT candidate_id) FROM files WHERE active = 1),"
		" (SELECT COUNT(*) FROM files WHERE active = 1),"
		" (SELECT COUNT(*) FROM files WHERE active = 1 AND created_run = ?1),"
		" (SELECT COUNT(*) FROM files WHERE active = 1 AND verdict = 'accepted'),"
		" (SELECT COUNT(*) FROM files WHERE active = 1 AND verdict = 'rejected'),"
		" (SELECT COUNT(*) FROM files WHERE active = 1 AND verdict = 'skipped'),"
		" (SELECT COUNT(*) FROM files WHERE active = 1 AND verdict = 'superseded'),"
		" (SELECT COUNT(*) FROM files WHERE active = 1 AND verdict = 'pending'),"
		" (SELECT COUNT(*) FROM entries WHERE status = 'complete'),"
		" (SELECT COUNT(*) FROM entries),"
		" (SELECT COUNT(*) FROM system_failures WHERE run_id = ?1)", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
#define C(i) sqlite3_column_int64(st, i)
		fprintf(f, "  candidates   %lld\n", C(0));
		fprintf(f, "  files        %lld (%lld new tonight)\n", C(1), C(2));
		fprintf(f, "  accepted     %lld\n  rejected     %lld\n  skipped      %lld\n", C(3),
			C(4), C(5));
		fprintf(f, "  superseded   %lld\n  pending      %lld\n", C(6), C(7));
		fprintf(f, "  entries      %lld complete of %lld\n", C(8), C(9));
		if (C(10))
			fprintf(f, "  system failures: %lld (see 'folio status')\n", C(10));
#undef C
	}
	sqlite3_finalize(st);
	fprintf(f, "  time taken   %.1f s\n", took);
	return 0;
}

int runner_check_config(const struct stage *s)
{
	/* the whole config before any stage: a bad [profile] value must not
	 * wait for normalize, after validate has judged everything again */
	struct tc_profile prof;
	struct ferr e = { 0 };

	if (tc_profile_load(s->cfg, &prof, &e) != 0) {
		log_error("%s", e.msg);
		return -1;
	}
	return 0;
}

int runner_run(struct stage *s, int verbosity)
{
	char names[MAX_STAGES][32], ppath[PATH_MAX], bindir[PATH_MAX];
	char cfg_abs[PATH_MAX], runid[32];
	struct ferr e = { 0 };
	sqlite3_stmt *st;
	long long run;
	int n, rc = EXIT_OK;
	const char *status = "ok", *at = NULL;

	pipeline_path(ppath, sizeof ppath);
	if (read_pipeline(ppath, names, &n, &e) != 0) {
		log_error("%s", e.msg);
		return EXIT_CONFIG;
	}
	if (runner_check_config(s) != 0)
		return EXIT_CONFIG;
	if (stage_bin_dir(bindir, sizeof bindir) != 0 || realpath(s->config_path, cfg_abs) == NULL) {
		log_error("cannot locate the stage programs or the config");
		return EXIT_SYSTEM;
	}
	/* this process holds DATA/folio.lock (stage_start); its stages inherit it */
	if (s->lock_fd < 0 || fcntl(s->lock_fd, F_SETFD, 0) != 0) {
		log_error("cannot pass the data directory's lock to the stages");
		return EXIT_SYSTEM;
	}
	char lockfd[16];
	snprintf(lockfd, sizeof lockfd, "%d", s->lock_fd);
	setenv(STAGE_LOCK_ENV, lockfd, 1);
	st = db_prepare(s->db, "INSERT INTO runs(started_at, inbox, config_version, status)"
			       " VALUES(?3, ?1, ?2, 'running') RETURNING id", &e);
	if (st == NULL) {
		log_error("%s", e.msg);
		return EXIT_SYSTEM;
	}
	sqlite3_bind_text(st, 1, s->inbox, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->cfg->version, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, now_s());
	run = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	snprintf(runid, sizeof runid, "%lld", run);
	setenv("FOLIO_RUN_ID", runid, 1);
	log_info("run %lld: %s -> %s", run, s->inbox ? s->inbox : "(no inbox: nothing new is"
		 " looked for)", s->store.root);
	stop_sig = 0;
	catch_signals(true);
	for (int i = 0; i < n && !stop_sig; i++) {
		double t0 = now_s();
		int code;
		if (skipped(names[i])) {
			log_info("stage %s left out (FOLIO_SKIP_STAGES); its work waits for the next"
				 " run", names[i]);
			continue;
		}
		if (stage_row(s->db, run, names[i], t0, 0, 0, &e) != 0)
			log_warn("%s", e.msg);
		if (verbosity >= 1)
			log_progress("stage %s (%d of %d)", names[i], i + 1, n);
		code = run_stage(s, bindir, names[i], verbosity, cfg_abs);
		if (stage_row(s->db, run, names[i], t0, now_s(), code, &e) != 0)
			log_warn("%s", e.msg);
		if (verbosity >= 1)
			stage_event(s->db, run, names[i], code, now_s() - t0);
		at = names[i];
		if (stop_sig) {
			break;
		} else if (code == EXIT_ITEMS) {
			rc = EXIT_ITEMS;
			status = "ok, with system failures";
		} else if (code != EXIT_OK) {
			log_error("stage %s failed (exit %d); the run stops here, and the next run"
				  " resumes where this one left off", names[i], code);
			rc = code >= EXIT_USAGE && code <= EXIT_SYSTEM ? code : EXIT_SYSTEM;
			status = "failed";
			break;
		}
	}
	if (stop_sig) {
		rc = 128 + stop_sig;
		status = "interrupted";
		log_progress_done();
		fprintf(stderr, "folio: interrupted by %s %s%s; the next run resumes where this one"
			" left off\n", sig_name(stop_sig), at ? "in stage " : "before its first stage",
			at ? at : "");
	}
	st = db_prepare(s->db, "UPDATE runs SET finished_at = ?3, status = ?2 WHERE id = ?1", &e);
	if (st) {
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, now_s());
		db_step_done(s->db, st, &e);
		sqlite3_finalize(st);
	}
	catch_signals(false);
	/* the one-screen summary comes last, below the report's full one */
	if (verbosity > 0 && runner_summary(s->db, run, stdout, &e) != 0)
		log_error("%s", e.msg);
	if (verbosity > 0) {
		printf("  database     %s/folio.db\n  manifests    %s/manifests/\n", s->store.root,
		       s->store.root);
		printf("  reports      %s/reports/ (tonight's summary: reports/nightly/)\n",
		       s->store.root);
	}
	return rc;
}
