/*
 * supervisor.c - keep one command running: start it, log how it dies,
 * start it again after a delay that grows while it keeps dying quickly,
 * give up on a crash loop, pass SIGHUP on, and stop it cleanly.
 *
 * Usage: supervisor [-f] [-P pidfile] [-d min-delay] [-D max-delay]
 *                   [-b burst] [-w window] [-k kill-timeout]
 *                   [-r on-failure|always] -- command [arg ...]
 * Notes: notes/03-supervisor.md
 *
 * This is the starter: each TODO(step N) is yours to write.  The handout,
 * labs/03-supervisor/README.md, walks you through the steps.  The PID
 * file and daemonize() are lab 2's, written for you.
 */
#define _GNU_SOURCE		/* close_range(), pipe2(), sigabbrev_np() */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static long min_delay = 1000, max_delay = 30000;	/* milliseconds */
static long window = 10000, kill_timeout = 5000;
static int burst = 5, always = 0;
static const char *pidfile = "/tmp/supervisor.pid";
static int ready_fd = -1;
static int sigpipe[2] = { -1, -1 };	/* the self-pipe: handler -> loop */
static pid_t self;

static void
usage(void)
{
	fprintf(stderr, "usage: supervisor [-f] [-P pidfile] [-d min-delay] "
	    "[-D max-delay] [-b burst] [-w window] [-k kill-timeout] "
	    "[-r on-failure|always] -- command [arg ...]\n");
	exit(2);
}

static void
fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	syslog(LOG_ERR, "%s", msg);
	if (ready_fd != -1)
		dprintf(ready_fd, "%s\n", msg);
	else
		fprintf(stderr, "supervisor: %s\n", msg);
	_exit(1);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "1.5" -> 1500 (milliseconds); 0 < seconds <= 86400 */
static long
parse_seconds(const char *s, char opt)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0 && v <= 86400))
		errx(2, "-%c wants seconds (0 < s <= 86400), not '%s'", opt, s);
	return (long)(v * 1000 + 0.5);
}

/* The PID file, locked for as long as we run (lab 2). */
static void
write_pidfile(void)
{
	struct stat held, named;
	char buf[32];
	int fd, n;

	for (;;) {
		/* no O_TRUNC: the file may be another instance's, locked and in use */
		if ((fd = open(pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
			fail("open PID file %s: %s", pidfile, strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			if (errno != EWOULDBLOCK)
				fail("lock PID file %s: %s", pidfile, strerror(errno));
			n = (int)read(fd, buf, sizeof buf - 1);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			fail("already running as pid %s (PID file %s is locked)",
			    buf, pidfile);
		}
		/*
		 * An instance that stops removes its file.  If it did so between
		 * our open and our lock, we hold the lock of a file that is no
		 * longer there, and a third instance may have made and locked a
		 * new one: the lock counts only while the path names our file.
		 */
		if (fstat(fd, &held) == -1)
			fail("fstat PID file %s: %s", pidfile, strerror(errno));
		if (stat(pidfile, &named) == 0 && named.st_dev == held.st_dev &&
		    named.st_ino == held.st_ino)
			break;
		close(fd);	/* removed meanwhile: the file there now, again */
	}
	/* ours now; whatever it held was a dead instance's */
	n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, buf, (size_t)n) != n)
		fail("write PID file %s: %s", pidfile, strerror(errno));
	/* keep fd open: closing it would release the lock */
}

/* at exit; a forked child must leave by _exit(), or it runs this too */
static void
remove_pidfile(void)
{
	unlink(pidfile);
}

/* Lab 2: fork, setsid, fork; the launcher waits for "ready" on a pipe. */
static void
daemonize(void)
{
	char buf[512];
	int pipefd[2], null;
	ssize_t n, len = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid > 0) {
		close(pipefd[1]);
		while (len < (ssize_t)sizeof buf - 1 &&
		    (n = read(pipefd[0], buf + len, sizeof buf - 1 - len)) != 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1)
				err(1, "read from the supervisor");
			len += n;
		}
		buf[len] = '\0';
		waitpid(pid, NULL, 0);
		if (strcmp(buf, "ready\n") == 0)
			exit(0);
		if (len == 0)
			errx(1, "the supervisor exited before it was ready");
		errx(1, "%.*s", (int)strcspn(buf, "\n"), buf);
	}
	close(pipefd[0]);
	ready_fd = pipefd[1];
	if (setsid() == -1)
		fail("setsid: %s", strerror(errno));
	if ((pid = fork()) == -1)
		fail("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if ((null = open("/dev/null", O_RDWR)) == -1)
		fail("open /dev/null: %s", strerror(errno));
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (null > 2)
		close(null);
	umask(0);
	if (chdir("/") == -1)
		fail("chdir /: %s", strerror(errno));
}

/* Step 2: the handler writes the signal's number to the self-pipe. */
static void
on_signal(int sig)
{
	/*
	 * TODO(step 2): write the signal's number, as one byte, to the
	 * self-pipe (sigpipe[1]).  Save errno first and restore it after:
	 * the main loop may be in the middle of a call that sets it.
	 */
	(void)sig;
}

/*
 * Step 1: start the command.  The child starts clean (default signals,
 * empty mask, its own process group, only fds 0-2) and dies with us.
 * An exec failure comes back over a close-on-exec pipe, so that the
 * supervisor itself logs the reason.  Returns the pid, or -1.
 */
static pid_t
spawn(char **argv)
{
	/*
	 * TODO(step 1): fork.  In the child: every signal back to SIG_DFL, an
	 * empty signal mask, setpgid(0, 0), every fd above 2 marked
	 * close-on-exec (close_range with CLOSE_RANGE_CLOEXEC), execvp; if
	 * execvp returns, send errno to the parent over a pipe2(O_CLOEXEC)
	 * and _exit(127).  Block every signal around the fork (so that no
	 * handler of ours runs in the child) and restore the mask after.  In
	 * the parent: read the pipe: end of file means the exec worked (log
	 * "child PID started: COMMAND"), an int means it failed (log "cannot
	 * run COMMAND: REASON").  Return the pid, or -1 if fork failed.
	 * TODO(step 7): in the child, before exec: prctl(PR_SET_PDEATHSIG,
	 * SIGKILL), then check that getppid() is still self.
	 */
	(void)argv;
	syslog(LOG_ERR, "spawn() is not written yet (TODO step 1)");
	return -1;
}

/* Step 2: reap our own child if it has died (never waitpid(-1)). */
static int
reap(pid_t child, int *status)
{
	/*
	 * TODO(step 2): has child died?  waitpid it, WNOHANG: true if it
	 * returned child (status then says how it ended).  Never waitpid(-1).
	 */
	(void)child;
	(void)status;
	return 0;
}

/* Step 2: how the child ended, in words. */
static void
log_death(pid_t pid, int status, long ran)
{
	/*
	 * TODO(step 2): log "child PID exited with status N after MS ms", or
	 * "child PID killed by signal N (SIGNAME) after MS ms", adding
	 * ", core dumped" when WCOREDUMP says so.
	 */
	(void)pid;
	(void)status;
	(void)ran;
}

/* Step 3: restart after this death?  Not after a clean exit, unless -r always. */
static int
should_restart(int status)
{
	/*
	 * TODO(step 3): under on-failure (always == 0), a clean exit (status
	 * 0) is not restarted; everything else is.
	 */
	(void)status;
	return 0;
}

/*
 * Step 3 and 4: the delay before the next start, in ms, or -1 to give up.
 * A run shorter than the window is a quick death: the delay doubles (up
 * to the maximum) and more than burst of them in a row is a crash loop.
 * A longer run starts the count and the delay afresh.
 */
static long
next_delay(long ran)
{
	/*
	 * TODO(step 3): the delay before the next start, in ms: min_delay
	 * after the first quick death (a run shorter than window), doubled
	 * after each further one, never above max_delay; back to min_delay
	 * after a run of window ms or more.
	 * TODO(step 4): count the quick deaths in a row; more than burst of
	 * them: log "giving up: N quick deaths in a row" and return -1.
	 */
	(void)ran;
	return min_delay;
}

/* Step 5: a signal to the child's whole process group (its pgid is its pid). */
static void
signal_group(pid_t child, int sig)
{
	/*
	 * TODO(step 5): send sig to the child's whole process group: kill
	 * with -child.  Make sure child > 0: kill(0) signals our own group,
	 * kill(-1) every process we may signal.
	 */
	(void)child;
	(void)sig;
}

/* Step 6: SIGHUP is for the child. */
static void
pass_hup(pid_t child)
{
	/*
	 * TODO(step 6): send SIGHUP to the child, and log "SIGHUP passed to
	 * child PID".
	 */
	(void)child;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct pollfd pfd;
	int foreground = 0, ch, status, stopping = 0, killed = 0;
	long delay, restart_at = 0, started_at = 0, kill_at = 0, now;
	pid_t child = 0;
	char *end;

	while ((ch = getopt(argc, argv, "+fP:d:D:b:w:k:r:h")) != -1) {
		switch (ch) {
		case 'f': foreground = 1; break;
		case 'P': pidfile = optarg; break;
		case 'd': min_delay = parse_seconds(optarg, 'd'); break;
		case 'D': max_delay = parse_seconds(optarg, 'D'); break;
		case 'w': window = parse_seconds(optarg, 'w'); break;
		case 'k': kill_timeout = parse_seconds(optarg, 'k'); break;
		case 'b':
			errno = 0;
			burst = (int)strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || burst < 1 || burst > 1000)
				errx(2, "-b wants a count from 1 to 1000, not '%s'", optarg);
			break;
		case 'r':
			if (strcmp(optarg, "always") == 0)
				always = 1;
			else if (strcmp(optarg, "on-failure") == 0)
				always = 0;
			else
				errx(2, "-r wants on-failure or always, not '%s'", optarg);
			break;
		default: usage();
		}
	}
	if (optind == argc)
		usage();
	if (max_delay < min_delay)
		max_delay = min_delay;
	argv += optind;

	openlog("supervisor", LOG_PID, LOG_DAEMON);
	if (!foreground)
		daemonize();
	self = getpid();
	write_pidfile();
	atexit(remove_pidfile);

	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fail("pipe: %s", strerror(errno));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_flags |= SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);

	syslog(LOG_INFO, "started, supervising %s", argv[0]);
	if (ready_fd != -1) {
		dprintf(ready_fd, "ready\n");
		close(ready_fd);
		ready_fd = -1;
	}
	pfd.fd = sigpipe[0];
	pfd.events = POLLIN;

	for (;;) {
		int timeout = -1, got_chld = 0, got_hup = 0, got_stop = 0;
		unsigned char sigs[64];
		ssize_t n;

		/* start when the wait is over; SIGKILL at the stop deadline */
		now = now_ms();
		if (child == 0 && !stopping) {
			if (now >= restart_at) {
				child = spawn(argv);
				started_at = now_ms();
				if (child == -1) {	/* fork failed: never spin */
					child = 0;
					restart_at = started_at + min_delay;
				}
				continue;
			}
			timeout = (int)(restart_at - now);
		}
		if (stopping && child > 0 && !killed) {
			if (now >= kill_at) {
				syslog(LOG_WARNING, "child %d still there after %ld ms: SIGKILL",
				    (int)child, kill_timeout);
				signal_group(child, SIGKILL);
				killed = 1;
			} else
				timeout = (int)(kill_at - now);
		}

		if (poll(&pfd, 1, timeout) == -1 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		while ((n = read(sigpipe[0], sigs, sizeof sigs)) > 0) {
			for (ssize_t i = 0; i < n; i++) {
				if (sigs[i] == SIGCHLD)
					got_chld = 1;
				else if (sigs[i] == SIGHUP)
					got_hup = 1;
				else
					got_stop = sigs[i];
			}
		}

		if (got_chld && child > 0 && reap(child, &status)) {
			long ran = now_ms() - started_at;

			log_death(child, status, ran);
			signal_group(child, SIGKILL);	/* what is left of its group */
			child = 0;
			if (stopping)
				break;
			if (!should_restart(status)) {
				syslog(LOG_INFO, "child exited cleanly: not restarting");
				break;
			}
			if ((delay = next_delay(ran)) == -1)
				exit(1);
			restart_at = now_ms() + delay;
			syslog(LOG_INFO, "restarting in %ld ms", delay);
		}

		if (got_stop && !stopping) {
			stopping = 1;
			if (child == 0) {
				syslog(LOG_INFO, "stopping on SIG%s: no child running",
				    sigabbrev_np(got_stop));
				break;
			}
			syslog(LOG_INFO, "stopping on SIG%s: SIGTERM to child %d",
			    sigabbrev_np(got_stop), (int)child);
			signal_group(child, SIGTERM);
			signal_group(child, SIGCONT);	/* a stopped child cannot die */
			kill_at = now_ms() + kill_timeout;
		}

		if (got_hup && child > 0 && !stopping)
			pass_hup(child);
	}
	syslog(LOG_INFO, "stopped");
	return 0;
}
