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
 * Step 2: is the PID file's pid our supervisor?  A pid alone proves
 * nothing: after a crash the file stays, and the kernel gives its pid to
 * the next process.  So the process must be alive and be a supervisor.
 */
static int
is_supervisor(pid_t pid)
{
	char comm[64], state;
	pid_t ppid;

	return pid > 0 && proc_stat(pid, comm, sizeof comm, &state, &ppid) &&
	    state != 'Z' && state != 'X' && strcmp(comm, "supervisor") == 0;
}

/* Step 2: the supervisor's child, the server (0 between two runs) */
static pid_t
server_of(pid_t sup, char *comm, size_t len)
{
	struct dirent *d;
	char state;
	pid_t pid, ppid, found = 0;
	DIR *proc;

	if ((proc = opendir("/proc")) == NULL)
		err(1, "opendir /proc");
	while (found == 0 && (d = readdir(proc)) != NULL) {
		if ((pid = (pid_t)atoi(d->d_name)) > 0 &&
		    proc_stat(pid, comm, len, &state, &ppid) && ppid == sup && state != 'Z')
			found = pid;
	}
	closedir(proc);
	return found;
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
 * Step 2 and 4: say how the service is; the LSB status code.  No PID
 * file: stopped, unless the service is still wanted (PIDFILE.wanted, made
 * by start, removed by stop): then its supervisor exited on its own -
 * failed, unless its last log line says it stopped (on a SIGTERM).
 */
static int
status(int quiet)
{
	pid_t sup = read_pid(pidfile), srv, was;
	char comm[64], scomm[64], last[1024], state;
	pid_t ppid;

	if (sup == 0 && access(pidfile, F_OK) == -1) {
		if (access(wanted, F_OK) == -1) {
			if (!quiet)
				printf("stopped\n");
			return STOPPED;
		}
		was = read_pid(wanted);
		last_log_line(was, last, sizeof last);
		if (strcmp(last, "stopped") == 0) {
			if (!quiet)
				printf("stopped: supervisor %d stopped on a signal\n", (int)was);
			return STOPPED;
		}
		if (!quiet) {
			printf("failed: supervisor %d exited without a stop\n", (int)was);
			if (last[0] != '\0')
				printf("last log line: %s\n", last);
		}
		return FAILED;
	}
	if (!is_supervisor(sup)) {
		if (quiet)
			return STALE;
		if (sup == 0)
			printf("stale PID file %s: no pid in it\n", pidfile);
		else if (proc_stat(sup, comm, sizeof comm, &state, &ppid) && alive(sup))
			printf("stale PID file %s: pid %d is %s, not the supervisor\n",
			    pidfile, (int)sup, comm);
		else
			printf("stale PID file %s: pid %d is not running\n", pidfile, (int)sup);
		return STALE;
	}
	if (!quiet) {
		if ((srv = server_of(sup, scomm, sizeof scomm)) > 0)
			printf("running: supervisor %d, server %d (%s)\n", (int)sup, (int)srv, scomm);
		else
			printf("running: supervisor %d, server restarting\n", (int)sup);
	}
	return RUNNING;
}

/*
 * Step 1: run the supervisor, which daemonizes: its launcher returns once
 * the daemon is ready (PID file written), so start returns at once.
 */
static int
start(int argc, char **argv)
{
	char **args, pidbuf[32];
	pid_t pid, sup;
	int st, i, n = 0, fd;

	if (status(1) == RUNNING) {
		printf("already running: supervisor %d\n", (int)read_pid(pidfile));
		return 0;
	}
	if ((args = calloc((size_t)argc + 10, sizeof *args)) == NULL)
		err(1, "calloc");
	args[n++] = "supervisor";
	args[n++] = "-P";
	args[n++] = pidfile;
	args[n++] = "-r";	/* any end of the server is restarted: a plain */
	args[n++] = "always";	/* kill of it too; stop is the only way down */
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	args[n++] = "--";
	args[n++] = (char *)server;
	args[n++] = "-p";
	args[n++] = (char *)port;
	args[n] = NULL;

	/* Step 4: the service is wanted from now on, until a stop */
	if ((fd = open(wanted, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		err(1, "create %s", wanted);
	close(fd);
	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		execvp(args[0], args);
		warn("execvp %s", args[0]);
		_exit(127);
	}
	free(args);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			err(1, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || (sup = read_pid(pidfile)) == 0) {
		unlink(wanted);
		warnx("start failed: the supervisor did not start");
		return 1;
	}
	/* the mark keeps the pid: status can then find its last log line */
	n = snprintf(pidbuf, sizeof pidbuf, "%d\n", (int)sup);
	if ((fd = open(wanted, O_WRONLY | O_TRUNC | O_CLOEXEC)) == -1 ||
	    write(fd, pidbuf, (size_t)n) != n)
		err(1, "write %s", wanted);
	close(fd);
	printf("started: supervisor %d\n", (int)sup);
	return 0;
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
 * Step 3: SIGTERM to the pid of the PID file, never to a name: there may
 * be other supervisors (other services), and a stale pid may be anyone's.
 * Then wait until it has stopped its server and exited.
 */
static int
stop(void)
{
	pid_t sup = read_pid(pidfile);

	unlink(wanted);		/* step 4: from now on, not wanted */
	if (sup == 0 && access(pidfile, F_OK) == -1) {
		printf("not running\n");
		return 0;
	}
	if (!is_supervisor(sup)) {
		printf("not running: removing the stale PID file %s\n", pidfile);
		if (unlink(pidfile) == -1 && errno != ENOENT)
			err(1, "unlink %s", pidfile);
		return 0;
	}
	if (kill(sup, SIGTERM) == -1)
		err(1, "kill %d", (int)sup);
	if (!wait_gone(sup, stop_ms)) {
		warnx("supervisor %d still there after %ld ms: SIGKILL", (int)sup, stop_ms);
		kill(sup, SIGKILL);	/* its server dies with it (PDEATHSIG) */
		if (!wait_gone(sup, 2000))
			errx(1, "supervisor %d does not die", (int)sup);
		unlink(pidfile);
	}
	printf("stopped: supervisor %d\n", (int)sup);
	return 0;
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
		if ((rc = stop()) != 0)
			return rc;
		return start(argc - optind, argv + optind);
	}
	usage();
	return 2;
}
