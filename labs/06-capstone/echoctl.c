/*
 * echoctl.c - start, stop, restart the supervised echo service and say
 * how it is: lab 3's supervisor, daemonized (lab 2), keeps lab 5's
 * epollserver (or lab 4's forkserver) alive; this is the operator's side.
 *
 * Usage: echoctl [-P pidfile] [-p port] [-s server] [-t seconds] [-l log]
 *                start|stop|status|restart [supervisor-option ...]
 * status exits as an LSB init script does: 0 running, 1 stale PID file,
 * 2 failed (it exited without a stop), 3 stopped.
 * Notes: notes/06-capstone.md
 *
 * This is the starter: each TODO(step N) is yours to write.  The handout,
 * labs/06-capstone/README.md, walks you through the steps.  Reading the
 * PID file and /proc, waiting and the log are written for you.
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { RUNNING = 0, STALE = 1, FAILED = 2, STOPPED = 3 };

static char pidfile[PATH_MAX] = "/tmp/echoservice.pid";
static char wanted[PATH_MAX + 8];	/* PIDFILE.wanted: start was asked for */
static const char *port = "6666", *server = "epollserver", *logfile;
static long stop_ms = 10000;

static void
usage(void)
{
	fprintf(stderr, "usage: echoctl [-P pidfile] [-p port] [-s server] "
	    "[-t seconds] [-l log] start|stop|status|restart "
	    "[supervisor-option ...]\n");
	exit(2);
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* The pid in a file ("PID\n"), or 0 if there is no file or no pid in it. */
static pid_t
read_pid(const char *path)
{
	char buf[32] = "";
	long v;
	char *end;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	v = strtol(buf, &end, 10);
	if (end == buf || (*end != '\n' && *end != '\0') || v <= 0 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

/*
 * /proc/PID/stat: its name (comm), state letter and parent.  The name
 * may hold spaces and ')': the fields start after the last ')'.
 * Returns 0 if there is no such process.
 */
static int
proc_stat(pid_t pid, char *comm, size_t len, char *state, pid_t *ppid)
{
	char path[64], buf[512], *lp, *rp;
	int fd, p;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((lp = strchr(buf, '(')) == NULL || (rp = strrchr(buf, ')')) == NULL)
		return 0;
	*rp = '\0';
	snprintf(comm, len, "%s", lp + 1);
	if (sscanf(rp + 1, " %c %d", state, &p) != 2)
		return 0;
	*ppid = p;
	return 1;
}

/* alive: there, and not a zombie (kill(pid, 0) says yes to a zombie) */
static int
alive(pid_t pid)
{
	char comm[64], state;
	pid_t ppid;

	return proc_stat(pid, comm, sizeof comm, &state, &ppid) &&
	    state != 'Z' && state != 'X';
}

/*
 * Step 2: is the PID file's pid our supervisor?
 *
 * TODO(step 2): true if pid is alive (not a zombie) AND is a supervisor:
 * proc_stat() gives its name.  A pid alone proves nothing: after a crash
 * the file stays, and the kernel gives its pid to the next process.
 */
static int
is_supervisor(pid_t pid)
{
	(void)pid;
	return 0;
}

/*
 * Step 2: the supervisor's child, the server (0 between two runs); its
 * name in comm.
 *
 * TODO(step 2): read the directory /proc (opendir, readdir); each entry
 * that is a number is a pid: the one whose parent (proc_stat) is sup,
 * and that is not a zombie, is the server.
 */
static pid_t
server_of(pid_t sup, char *comm, size_t len)
{
	(void)sup;
	(void)comm;
	(void)len;
	return 0;
}

/* Step 4: the last line supervisor SUP logged, from the log file ("" if none) */
static void
last_log_line(pid_t sup, char *last, size_t len)
{
	char tag[48], line[1024], *p;
	FILE *f;

	last[0] = '\0';
	if (logfile == NULL || (f = fopen(logfile, "r")) == NULL)
		return;
	snprintf(tag, sizeof tag, " supervisor[%d]: ", (int)sup);
	while (fgets(line, sizeof line, f) != NULL)
		if ((p = strstr(line, tag)) != NULL)
			snprintf(last, len, "%s", p + strlen(tag));
	fclose(f);
	last[strcspn(last, "\n")] = '\0';
}

/*
 * Step 2 and 4: say how the service is, on stdout (unless quiet), and
 * return the LSB status code.
 *
 * TODO(step 2): no PID file: "stopped", STOPPED.  A PID file whose pid
 * is not a running supervisor (is_supervisor): "stale PID file ...: pid
 * N is not running" (or "is NAME, not the supervisor"), STALE.  Else
 * "running: supervisor N, server M (NAME)" (server_of; "server
 * restarting" if there is none right now), RUNNING.
 *
 * TODO(step 4): no PID file, but the service is still wanted (the file
 * `wanted` exists: start made it, stop removes it): its supervisor exited
 * on its own.  Read its pid from `wanted` and its last log line
 * (last_log_line): "stopped" means it was stopped by a signal: STOPPED;
 * anything else: "failed: supervisor N exited without a stop", then
 * "last log line: ...", FAILED.
 */
static int
status(int quiet)
{
	(void)quiet;
	(void)is_supervisor;	/* for you, with the helpers above: remove these */
	(void)server_of;
	(void)last_log_line;
	printf("status is not written yet (TODO step 2)\n");
	return 4;		/* LSB: unknown */
}

/*
 * Step 1: run the supervisor, which daemonizes: its launcher returns once
 * the daemon is ready (PID file written), so start returns at once.
 *
 * TODO(step 1): build the supervisor's command line,
 *     supervisor -P PIDFILE -r always [argv...] -- SERVER -p PORT
 * (argv: the supervisor options given after "start"; -r always: a server
 * that exits, even with status 0, is started again, so that only stop
 * brings the service down), fork, execvp it in
 * the child (_exit(127) if that fails), waitpid for it in the parent: it
 * exits 0 once the daemon is ready.  Then print "started: supervisor N"
 * (N from the PID file) and return 0; if it failed, return 1.
 *
 * TODO(step 4): already running (status(1) == RUNNING)?  Say so and
 * return 0: never a second supervisor.  Create the file `wanted` before
 * the fork, and write the supervisor's pid into it once it is ready
 * (status reads it); remove it if the start failed.
 */
static int
start(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx("start is not written yet (TODO step 1)");
	return 1;
}

/* wait up to ms for pid to be gone; true if it is */
static int
wait_gone(pid_t pid, long ms)
{
	for (; ms > 0; ms -= 20) {
		if (!alive(pid))
			return 1;
		nap(20);
	}
	return !alive(pid);
}

/*
 * Step 3: stop the service.
 *
 * TODO(step 3): read the PID file.  No file: print "not running", return
 * 0.  Its pid not a supervisor (is_supervisor): a stale file - remove
 * it, kill nothing, return 0.  Else SIGTERM to that pid - never to a
 * name: there may be other supervisors (other services) - and wait until
 * it has stopped its server and exited (wait_gone, stop_ms); still there
 * then: SIGKILL (its server dies with it) and remove the PID file.
 * Print "stopped: supervisor N", return 0.
 *
 * TODO(step 4): remove the file `wanted` first: from now on, the service
 * is not wanted, and status must not call it failed.
 */
static int
stop(void)
{
	(void)wait_gone;	/* for you, with read_pid: remove these */
	(void)read_pid;
	warnx("stop is not written yet (TODO step 3)");
	return 1;
}

/* an absolute path: the daemon runs in / */
static void
absolute(char *dst, const char *src)
{
	char cwd[PATH_MAX];

	if (src[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		snprintf(dst, PATH_MAX, "%s", src);
	else if ((size_t)snprintf(dst, PATH_MAX, "%s/%s", cwd, src) >= PATH_MAX)
		errx(2, "the PID file's path is too long");
}

int
main(int argc, char **argv)
{
	char *end;
	const char *cmd;
	double t;
	int ch, rc;

	while ((ch = getopt(argc, argv, "+P:p:s:t:l:h")) != -1) {
		switch (ch) {
		case 'P': absolute(pidfile, optarg); break;
		case 'p': port = optarg; break;
		case 's': server = optarg; break;
		case 'l': logfile = optarg; break;
		case 't':
			errno = 0;
			t = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(t > 0 && t <= 3600))
				errx(2, "-t wants seconds (0 < s <= 3600), not '%s'", optarg);
			stop_ms = (long)(t * 1000);
			break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind++];
	snprintf(wanted, sizeof wanted, "%s.wanted", pidfile);

	if (strcmp(cmd, "start") == 0)
		return start(argc - optind, argv + optind);
	if (optind != argc && strcmp(cmd, "restart") != 0)
		usage();
	if (strcmp(cmd, "stop") == 0)
		return stop();
	if (strcmp(cmd, "status") == 0)
		return status(0);
	if (strcmp(cmd, "restart") == 0) {
		/* TODO(step 4): stop, then (if that worked) start */
		rc = 1;
		warnx("restart is not written yet (TODO step 4)");
		return rc;
	}
	usage();
	return 2;
}
