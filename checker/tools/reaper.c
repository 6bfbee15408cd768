/*
 * reaper.c - stand-in for PID 1 where the sandbox has no PID namespace of
 * its own (fallback mode), and the init of the util-linux unshare sandbox.
 *
 * Usage: reaper [-s] COMMAND [ARG...]
 *   -s  start COMMAND in a new session (no controlling terminal), as
 *       bwrap --new-session does
 *
 * Becomes a child subreaper (or is PID 1), so orphans - a double-forked
 * daemon, say - are re-parented to it; exports HARNESS_REAPER_PID; runs
 * COMMAND and reaps everything that ends up as its child.  When COMMAND
 * exits, or when the reaper gets SIGTERM, SIGINT or SIGHUP, or when its
 * own parent dies, it SIGKILLs every process left below it and exits with
 * COMMAND's status (128 + signal if COMMAND was killed).
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * SIGKILL every process whose parent is me; return how many there were.
 * The kernel's list of my children first (/proc/PID/task/PID/children):
 * a scan of /proc reads every process of the host where the sandbox has
 * no PID namespace, and it runs each time a process below ends.  On a
 * loaded machine (load 30, two thousand processes) those scans held the
 * stop past the sandbox's 5 s, and it was killed before it removed its
 * run dir.  (A child that comes while the list is read is killed at the
 * next round: the caller goes on until no child is left.)
 */
static int
kill_listed_children(pid_t me)
{
	char path[64], buf[4096];
	int n = 0, pid, used;
	size_t len;
	FILE *f;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)me, (int)me);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	len = fread(buf, 1, sizeof buf - 1, f);
	if (ferror(f) || len == sizeof buf - 1) {
		fclose(f);
		return -1;	/* (unread, or more than it holds: the scan) */
	}
	fclose(f);
	buf[len] = '\0';
	for (p = buf; sscanf(p, "%d%n", &pid, &used) == 1; p += used) {
		if (pid > 0 && pid != me) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	return n;
}

static int
kill_children(void)
{
	pid_t me = getpid();
	struct dirent *e;
	int n = kill_listed_children(me);
	DIR *d;

	if (n >= 0)
		return n;
	n = 0;
	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[64], buf[512];
		int pid = atoi(e->d_name), ppid;
		FILE *f;
		size_t len;
		char *p;

		if (pid <= 0 || pid == me)
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = '\0';
		/* the command name may hold spaces and ')': skip to the last ')' */
		if ((p = strrchr(buf, ')')) == NULL)
			continue;
		if (sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == me) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART */
	char pidstr[16];
	int status, rc = 1, done = 0, new_session = 0;
	pid_t child;
	sigset_t all, old;

	if (argc > 1 && strcmp(argv[1], "-s") == 0) {
		new_session = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: reaper [-s] COMMAND [ARG...]\n");
		return 2;
	}
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		err(1, "prctl PR_SET_CHILD_SUBREAPER");
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		err(1, "prctl PR_SET_PDEATHSIG");
	if (getppid() == 0 && getpid() != 1)
		return 1;	/* parent already gone */
	snprintf(pidstr, sizeof pidstr, "%d", (int)getpid());
	setenv("HARNESS_REAPER_PID", pidstr, 1);

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);	/* no handler runs in the child */
	child = fork();
	if (child == -1)
		err(1, "fork");
	if (child == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGHUP, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (new_session && setsid() == -1)
			err(127, "setsid");
		execvp(argv[1], argv + 1);
		warn("exec %s", argv[1]);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);

	for (;;) {
		pid_t w = wait(&status);
		int wait_errno = errno;	/* (kill_children may change errno) */

		if (w == child) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status)
			    : 128 + WTERMSIG(status);
			done = 1;
		}
		if (stop_requested && !done) {
			done = 1;
			rc = 128 + SIGTERM;
			kill(child, SIGKILL);
		}
		if (done)
			kill_children();	/* orphans keep arriving as parents die */
		if (w == -1 && wait_errno == ECHILD)
			break;
	}
	return rc;
}
