#include "stage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"

int stage_bin_dir(char *out, size_t outsz)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	if (strlen(exe) >= outsz)
		return -1;
	memcpy(out, exe, strlen(exe) + 1);
	return 0;
}

void stage_default_config(char *out, size_t outsz)
{
	const char *env = getenv("FOLIO_CONFIG");
	char dir[PATH_MAX];

	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return;
	}
	if (stage_bin_dir(dir, sizeof dir) == 0) {
		/* bin/ and bin-san/ sit at the top of the tree */
		int n = snprintf(out, outsz, "%s/../config/folio.conf", dir);
		if (n > 0 && (size_t)n < outsz && access(out, R_OK) == 0)
			return;
	}
	snprintf(out, outsz, "config/folio.conf");
}

int stage_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (int)n;
}

/* Writes who holds the lock into the lock file (the flock is the lock; this
 * is only for the message a second program prints, and for 'folio status'):
 *   pid 1234 / host nightly-1 / started 1780000000 / command folio run ... */
static void write_holder(int fd)
{
	char host[256] = "?", cmd[1024] = "", buf[2048];
	int c = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;
	int len;

	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = '\0';
	if (c >= 0) {
		n = read(c, cmd, sizeof cmd - 1);
		close(c);
	}
	for (ssize_t i = 0; i < n; i++)
		if (cmd[i] == '\0' || (unsigned char)cmd[i] < 0x20)
			cmd[i] = ' ';
	while (n > 0 && cmd[n - 1] == ' ')
		n--;
	cmd[n > 0 ? n : 0] = '\0';
	len = snprintf(buf, sizeof buf, "pid %ld\nhost %s\nstarted %lld\ncommand %s\n",
		       (long)getpid(), host, (long long)time(NULL), cmd);
	if (len < 0 || (size_t)len >= sizeof buf)
		len = (int)strlen(buf);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len)
		log_warn("cannot write the lock holder into folio.lock: %s", strerror(errno));
}

int stage_lock_holder(const char *data_dir, struct stage_holder *h)
{
	char path[4096], buf[2048], *line, *save = NULL;
	ssize_t n;
	int fd;

	memset(h, 0, sizeof *h);
	if (snprintf(path, sizeof path, "%s/folio.lock", data_dir) >= (int)sizeof path ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "pid ", 4) == 0)
			h->pid = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "host ", 5) == 0)
			snprintf(h->host, sizeof h->host, "%s", line + 5);
		else if (strncmp(line, "started ", 8) == 0)
			h->started = strtoll(line + 8, NULL, 10);
		else if (strncmp(line, "command ", 8) == 0)
			snprintf(h->command, sizeof h->command, "%s", line + 8);
	}
	if (h->pid <= 0)
		return -1;
	char me[256] = "";
	if (gethostname(me, sizeof me) == 0 && strcmp(me, h->host) == 0)
		h->alive = kill((pid_t)h->pid, 0) == 0 || errno == EPERM;
	else
		h->alive = true;	/* another host's process: cannot tell */
	return 0;
}

int stage_lock_held(const char *data_dir)
{
	char path[4096], line[256];
	struct stat st;
	FILE *f;
	int held = 0;

	if (snprintf(path, sizeof path, "%s/folio.lock", data_dir) >= (int)sizeof path)
		return -1;
	if (stat(path, &st) != 0)
		return 0;	/* never locked */
	f = fopen("/proc/locks", "re");
	if (f == NULL)
		return -1;
	/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiters start "->" */
	while (!held && fgets(line, sizeof line, f)) {
		unsigned maj, min;
		unsigned long ino;
		int pid;
		if (strstr(line, "->") || !strstr(line, "FLOCK"))
			continue;
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &pid, &maj, &min, &ino) == 4 &&
		    ino == (unsigned long)st.st_ino && maj == major(st.st_dev) &&
		    min == minor(st.st_dev))
			held = 1;
	}
	fclose(f);
	return held;
}

int stage_lock_users(const char *data_dir, long *pids, int max)
{
	char path[4096];
	struct stat lk;
	DIR *proc;
	struct dirent *d;
	int n = 0;

	if (snprintf(path, sizeof path, "%s/folio.lock", data_dir) >= (int)sizeof path ||
	    stat(path, &lk) != 0 || (proc = opendir("/proc")) == NULL)
		return 0;
	while (n < max && (d = readdir(proc)) != NULL) {
		char fdpath[300];
		DIR *fds;
		struct dirent *f;
		bool has = false;
		if (strspn(d->d_name, "0123456789") != strlen(d->d_name))
			continue;
		snprintf(fdpath, sizeof fdpath, "/proc/%s/fd", d->d_name);
		if ((fds = opendir(fdpath)) == NULL)
			continue;	/* gone, or another user's */
		while (!has && (f = readdir(fds)) != NULL) {
			char one[600];
			struct stat st;
			if (f->d_name[0] == '.')
				continue;
			snprintf(one, sizeof one, "%s/%s", fdpath, f->d_name);
			has = stat(one, &st) == 0 && st.st_dev == lk.st_dev && st.st_ino == lk.st_ino;
		}
		closedir(fds);
		if (has)
			pids[n++] = strtol(d->d_name, NULL, 10);
	}
	closedir(proc);
	return n;
}

void stage_proc_command(long pid, char *out, size_t outsz)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	if (outsz == 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, out, outsz - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(out, outsz, "?");
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (out[i] == '\0' || (unsigned char)out[i] < 0x20)
			out[i] = ' ';
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

void stage_holder_text(const struct stage_holder *h, char *out, size_t outsz)
{
	char when[64] = "?";
	struct tm tm;
	time_t t = (time_t)h->started;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(out, outsz, "pid %ld on %s since %s (%s)", h->pid, h->host, when,
		 h->command[0] ? h->command : "?");
}

/* Takes DATA/folio.lock for this program, unless 'folio run' holds it for us. */
static int take_lock(struct stage *s, const char *root, struct ferr *e)
{
	const char *held = getenv(STAGE_LOCK_ENV);
	char path[4096];
	struct stat a, b;

	if (snprintf(path, sizeof path, "%s/folio.lock", root) >= (int)sizeof path)
		return ferr_set(e, FERR_SYSTEM, "%s: path too long", root);
	/* A stage of 'folio run' inherits the run's open lock file: flock on the
	 * same open file description succeeds, and the lock lives on in us if the
	 * run is killed, so no second run starts beside an orphaned stage. */
	if (held) {
		char *end;
		long fd = strtol(held, &end, 10);
		if (*end == '\0' && fd > 2 && fd < 65536 && fstat((int)fd, &a) == 0 &&
		    stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
		    flock((int)fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
	}
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (s->lock_fd < 0)
		return ferr_errno(e, errno, "cannot open %s", path);
	/* The flock goes with the process: a lock file left by a process that
	 * died (kill -9, power) is free, whatever it says inside. */
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		struct stage_holder h;
		char who[1400];
		if (stage_lock_holder(root, &h) != 0)
			return ferr_set(e, FERR_SYSTEM, "%s is in use by another folio program"
					" (a run, a reprocess or a stage); nothing was changed; try"
					" again when it ends", root);
		stage_holder_text(&h, who, sizeof who);
		if (!h.alive) {
			long pids[4];
			char cmd[256] = "?";
			int np = stage_lock_users(root, pids, 4);
			for (int i = 0; i < np; i++)
				if (pids[i] == (long)getpid())
					pids[i--] = pids[--np];
			if (np > 0)
				stage_proc_command(pids[0], cmd, sizeof cmd);
			return ferr_set(e, FERR_SYSTEM, "%s is in use: the lock was taken by %s,"
					" which has ended, but a program it started (pid %ld: %s)"
					" still runs and holds it; nothing was changed; try again"
					" when it ends", root, who, np > 0 ? pids[0] : -1L, cmd);
		}
		return ferr_set(e, FERR_SYSTEM, "%s is in use by %s; nothing was changed; try"
				" again when it ends", root, who);
	}
	write_holder(s->lock_fd);
	return 0;
}

/* The command a usage text is for: "folio run" of "usage: folio run --inbox
 * DIR ...", for the hint after a usage error. */
static const char *usage_name(const char *usage, const char *prog)
{
	static char name[64];
	const char *p = usage ? strstr(usage, "usage: ") : NULL;
	size_t n = 0;

	if (p == NULL)
		return prog;
	p += 7;
	while (n < sizeof name - 1) {
		size_t w = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
		if (w == 0 || *p == '-' || (p[w] != ' ' && p[w] != '\n') || n + w + 1 >= sizeof name)
			break;
		if (n)
			name[n++] = ' ';
		memcpy(name + n, p, w);
		n += w;
		p += w;
		if (*p != ' ')
			break;
		p++;
	}
	name[n] = '\0';
	return n ? name : prog;
}

/* A data directory is created only where its parent exists: a mistyped
 * --data must not start a new data directory (and process the whole inbox
 * again from scratch) somewhere unexpected. */
static int data_dir_ready(const char *dir, struct ferr *e)
{
	char parent[4096], *slash;
	struct stat st;
	size_t n;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : ferr_set(e, FERR_SYSTEM, "%s is not a directory",
							  dir);
	if (errno != ENOENT)
		return ferr_errno(e, errno, "cannot use data directory %s", dir);
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= sizeof parent)
		return ferr_set(e, FERR_SYSTEM, "%s: path too long", dir);
	memcpy(parent, dir, n);
	parent[n] = '\0';
	slash = strrchr(parent, '/');
	if (slash == NULL)
		snprintf(parent, sizeof parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
		return ferr_set(e, FERR_SYSTEM, "no data directory %s, and its parent %s does not"
				" exist either: not creating one there (a mistyped --data?); create"
				" the parent first to start a new data directory", dir, parent);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return ferr_errno(e, errno, "cannot create data directory %s", dir);
	log_info("new data directory %s (created)", dir);
	return 0;
}

void stage_start(struct stage *s, const char *prog, const char *usage, int argc, char **argv,
		 enum stage_data data)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "inbox", required_argument, NULL, 'i' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char cfgpath[PATH_MAX];
	struct ferr e = { 0 };
	int c;

	memset(s, 0, sizeof *s);
	s->prog = prog;
	s->jobs = 0;
	s->lock_fd = -1;
	umask(027);	/* candidates' data: private to the operator's group */
	log_init(prog);
	while ((c = getopt_long(argc, argv, "d:c:i:j:fqvh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': s->data_dir = optarg; break;
		case 'c': s->config_path = optarg; break;
		case 'i': s->inbox = optarg; break;
		case 'f': s->force = true; break;
		case 'q': log_set_level(0); break;
		case 'v': log_set_level(2); break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 256) {
				fprintf(stderr, "%s: -j wants a number from 1 to 256, not '%s'\n",
					prog, optarg);
				exit(EXIT_USAGE);
			}
			s->jobs = (int)n;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "usage: see '%s --help'\n", usage_name(usage, prog));
			exit(EXIT_USAGE);
		}
	}
	s->argc = argc - optind;
	s->argv = argv + optind;
	if (s->jobs == 0)
		s->jobs = stage_ncpus();
	if (s->config_path == NULL) {
		stage_default_config(cfgpath, sizeof cfgpath);
		s->config_path = cfgpath;
	}
	s->cfg = config_load(s->config_path, &e);
	if (s->cfg == NULL) {
		log_error("%s", e.msg);
		exit(e.cls == FERR_CONFIG ? EXIT_CONFIG : EXIT_SYSTEM);
	}
	if (data == STAGE_NO_DATA)
		return;
	if (s->data_dir == NULL) {
		fprintf(stderr, "%s: --data DIR is required (see '%s --help')\n", prog, prog);
		config_free(s->cfg);
		exit(EXIT_USAGE);
	}
	if (data != STAGE_DATA) {
		char db[4096];
		if (snprintf(db, sizeof db, "%s/folio.db", s->data_dir) >= (int)sizeof db ||
		    access(db, F_OK) != 0) {
			fprintf(stderr, "%s: %s is not a folio data directory (no folio.db)\n", prog,
				s->data_dir);
			config_free(s->cfg);
			exit(EXIT_SYSTEM);
		}
	}
	if (data == STAGE_DATA_READ) {
		bool immutable = false;
		s->store.root = realpath(s->data_dir, NULL);
		if (s->store.root == NULL) {
			ferr_errno(&e, errno, "cannot resolve %s", s->data_dir);
		} else if ((s->db = db_open_read(s->store.root, &immutable, &e)) != NULL &&
			   !db_schema_is_current(s->db) && access(s->store.root, W_OK) == 0) {
			/* an older schema: migrated once by whoever may write */
			db_close(s->db);
			s->db = NULL;
		} else if (s->db != NULL) {
			/* immutable: a snapshot of folio.db without its WAL, taken when
			 * the -shm could not be used (no write access); stale while a
			 * run writes */
			if (immutable && stage_lock_held(s->store.root) != 0)
				s->db_note = "(read-only view; a run is in progress, figures may be"
					     " stale)";
			return;
		}
	} else {
		char *root;
		if (data_dir_ready(s->data_dir, &e) == 0 &&
		    (root = realpath(s->data_dir, NULL)) != NULL) {
			int locked = take_lock(s, root, &e);
			free(root);
			if (locked == 0)
				store_open(&s->store, s->data_dir, &e);
		} else if (e.cls == FERR_NONE) {
			ferr_errno(&e, errno, "cannot resolve %s", s->data_dir);
		}
	}
	if (e.cls != FERR_NONE || (s->db = db_open(s->store.root, &e)) == NULL) {
		log_error("%s", e.msg);
		stage_end(s);
		exit(EXIT_SYSTEM);
	}
}

void stage_item_failed(struct stage *s, long long file_id, const char *candidate,
		       const struct ferr *err)
{
	struct ferr e = { 0 };
	sqlite3_stmt *st;
	bool held = false;

	s->stats.failures++;
	db_rollback(s->db);
	st = db_prepare(s->db,
		"UPDATE files SET attempts = attempts + 1, last_error = ?2,"
		" held_state = CASE WHEN attempts + 1 >= ?3 THEN state END,"
		" state = CASE WHEN attempts + 1 >= ?3 THEN 'held' ELSE state END,"
		" verdict = CASE WHEN attempts + 1 >= ?3 THEN 'pending' ELSE verdict END"
		" WHERE id = ?1 RETURNING state", &e);
	if (st) {
		sqlite3_bind_int64(st, 1, file_id);
		sqlite3_bind_text(st, 2, err->msg, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, s->cfg->max_attempts);
		if (sqlite3_step(st) == SQLITE_ROW)
			held = strcmp(db_col_text(st, 0), "held") == 0;
		sqlite3_finalize(st);
	}
	st = db_prepare(s->db,
		"INSERT INTO system_failures(run_id, at, stage, file_id, candidate_id, error, action)"
		" VALUES(?1, strftime('%s','now'), ?2, ?3, ?4, ?5, ?6)", &e);
	if (st) {
		sqlite3_bind_int64(st, 1, db_run_id());
		sqlite3_bind_text(st, 2, s->prog, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, file_id);
		db_bind_text(st, 4, candidate);
		sqlite3_bind_text(st, 5, err->msg, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, held ? "held for an operator: fix the cause, then"
			" 'folio reprocess --failed'" : "retried on the next run", -1,
			SQLITE_STATIC);
		db_step_done(s->db, st, &e);
		sqlite3_finalize(st);
	}
	if (candidate)
		db_candidate_touch(s->db, candidate, &e);
	log_error("%s: %s%s", candidate ? candidate : "?", err->msg,
		  held ? " (held for an operator)" : " (will retry)");
}

void stage_note_failure(struct stage *s, const char *candidate, const char *fmt, ...)
{
	struct ferr e = { 0 };
	char msg[1024];
	va_list ap;
	sqlite3_stmt *st;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		snprintf(msg, sizeof msg, "(unprintable error)");
	va_end(ap);
	s->stats.failures++;
	log_error("%s", msg);
	st = db_prepare(s->db,
		"INSERT INTO system_failures(run_id, at, stage, candidate_id, error, action)"
		" VALUES(?1, strftime('%s','now'), ?2, ?3, ?4, ?5)", &e);
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, db_run_id());
	sqlite3_bind_text(st, 2, s->prog, -1, SQLITE_STATIC);
	db_bind_text(st, 3, candidate);
	sqlite3_bind_text(st, 4, msg, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, "tried again every run; fix the upload in the inbox (or the"
			  " disk) and it is taken", -1, SQLITE_STATIC);
	if (db_step_done(s->db, st, &e) != 0)
		log_error("cannot record the failure: %s", e.msg);
	sqlite3_finalize(st);
}

int stage_finish(struct stage *s)
{
	struct ferr e = { 0 };
	sqlite3_stmt *st;

	if (db_run_id() > 0 && s->db) {
		st = db_prepare(s->db,
			"UPDATE run_stages SET items = ?3, failures = ?4, bytes_read = ?5,"
			" bytes_written = ?6 WHERE run_id = ?1 AND stage = ?2", &e);
		if (st) {
			sqlite3_bind_int64(st, 1, db_run_id());
			sqlite3_bind_text(st, 2, s->prog, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, s->stats.items);
			sqlite3_bind_int64(st, 4, s->stats.failures);
			sqlite3_bind_int64(st, 5, (sqlite3_int64)s->stats.bytes_read);
			sqlite3_bind_int64(st, 6, (sqlite3_int64)s->stats.bytes_written);
			if (db_step_done(s->db, st, &e) != 0)
				log_warn("cannot record stage statistics: %s", e.msg);
			sqlite3_finalize(st);
		}
	}
	return s->stats.failures ? EXIT_ITEMS : EXIT_OK;
}

void stage_end(struct stage *s)
{
	if (s->db)
		db_close(s->db);
	s->db = NULL;
	store_close(&s->store);
	config_free(s->cfg);
	s->cfg = NULL;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

int stage_main(const char *prog, const char *usage, int argc, char **argv, bool need_inbox,
	       stage_work_fn work)
{
	struct stage s;
	struct ferr e = { 0 };
	int rc;

	setlocale(LC_CTYPE, "C.UTF-8");
	stage_start(&s, prog, usage, argc, argv, STAGE_DATA);
	if (need_inbox && s.inbox == NULL) {
		fprintf(stderr, "%s: --inbox DIR is required (see '%s --help')\n", prog, prog);
		stage_end(&s);
		return EXIT_USAGE;
	}
	if (work(&s, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return e.cls == FERR_CONFIG ? EXIT_CONFIG : EXIT_SYSTEM;
	}
	rc = stage_finish(&s);
	stage_end(&s);
	return rc;
}
