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
 * file, daemonize() and detach_files() are lab 2's, written for you;
 * so are main() and the handlers of its loop.
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

/* The service, and where it stands: the loop's whole state. */
struct service {
	char	**argv;		/* the command */
	pid_t	  child;	/* running: its pid (and pgid); else 0 */
	long	  started_at;	/* when the child started (ms, monotonic) */
	long	  restart_at;	/* no child: when to start one */
	int	  quick;	/* quick deaths in a row */
	long	  delay;	/* the last delay before a start (ms) */
	int	  stopping;	/* a stop signal came: no more starts */
	long	  kill_at;	/* stopping: when SIGKILL follows SIGTERM */
	int	  killed;	/* stopping: SIGKILL sent */
};

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

/* Lab 2's, as it is: fork, setsid, fork; the launcher waits for "ready". */
static void
daemonize(void)
{
	char buf[512];
	int pipefd[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid > 0) {				/* the launcher */
		close(pipefd[1]);
		while (len < (ssize_t)sizeof buf - 1 &&
		    (n = read(pipefd[0], buf + len, sizeof buf - 1 - len)) != 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1)
				err(1, "read from the daemon");
			len += n;
		}
		buf[len] = '\0';
		waitpid(pid, &status, 0);	/* the middle process */
		if (strcmp(buf, "ready\n") == 0)
			exit(0);
		if (len == 0)
			errx(1, "the daemon exited before it was ready");
		errx(1, "%.*s", (int)strcspn(buf, "\n"), buf);
	}
	close(pipefd[0]);
	ready_fd = pipefd[1];
	if (setsid() == -1)			/* leave the terminal's session */
		fail("setsid: %s", strerror(errno));
	if ((pid = fork()) == -1)
		fail("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);	/* the session leader goes: no terminal, ever */
}

/* Lab 2's, as it is. */
static void
detach_files(void)
{
	int fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fail("open /dev/null: %s", strerror(errno));
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		fail("dup2 /dev/null: %s", strerror(errno));
	if (fd > 2)
		close(fd);
	umask(0);
	if (chdir("/") == -1)
		fail("chdir /: %s", strerror(errno));
}

/*
 * A write whose failure nothing can be done about: from a signal handler
 * (a full self-pipe already holds a wake-up) or from a child about to
 * _exit().  glibc marks write() warn_unused_result, which a (void) cast
 * does not silence: the result is taken, and dropped here, on purpose.
 */
static void
write_or_drop(int fd, const void *buf, size_t len)
{
	ssize_t r = write(fd, buf, len);

	(void)r;
}

/* Step 2: the handler writes the signal's number to the self-pipe. */
static void
on_signal(int sig)
{
	/*
	 * TODO(step 2): write the signal's number, as one byte, to the
	 * self-pipe (sigpipe[1]), with write_or_drop() above.  Save errno
	 * first and restore it after: the main loop may be in the middle of
	 * a call that sets it.
	 */
	(void)sig;
	(void)write_or_drop;	/* (until you call it: no "unused" warning) */
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
next_delay(struct service *s, long ran)
{
	/*
	 * TODO(step 3): the delay before the next start, in ms: min_delay
	 * after the first quick death (a run shorter than window), doubled
	 * after each further one, never above max_delay; back to min_delay
	 * after a run of window ms or more.  What must outlive one call
	 * lives in the service: s->quick and s->delay.
	 * TODO(step 4): count the quick deaths in a row; more than burst of
	 * them: log "giving up: N quick deaths in a row" and return -1.
	 */
	(void)s;
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

/*
 * What is due now: start the child once its delay is over; SIGKILL a
 * child still there at the stop's deadline.  Returns how long poll() may
 * wait for a signal (ms), or -1: until one comes.
 */
static int
due(struct service *s)
{
	long now = now_ms();

	if (s->child == 0 && !s->stopping) {
		if (now >= s->restart_at) {
			s->child = spawn(s->argv);
			s->started_at = now = now_ms();
			if (s->child == -1) {	/* fork failed: try later, never spin */
				s->child = 0;
				s->restart_at = now + min_delay;
			}
		}
		if (s->child == 0)
			return (int)(s->restart_at - now);
	}
	if (s->stopping && s->child > 0 && !s->killed) {
		if (now < s->kill_at)
			return (int)(s->kill_at - now);
		syslog(LOG_WARNING, "child %d still there after %ld ms: SIGKILL",
		    (int)s->child, kill_timeout);
		signal_group(s->child, SIGKILL);
		s->killed = 1;
	}
	return -1;
}

/* SIGCHLD: the child died (or not yet: then nothing).  Returns 1 when the supervisor is done. */
static int
on_child(struct service *s)
{
	long ran, delay;
	int status;

	if (s->child == 0 || !reap(s->child, &status))
		return 0;
	ran = now_ms() - s->started_at;
	log_death(s->child, status, ran);
	signal_group(s->child, SIGKILL);	/* what is left of its group */
	s->child = 0;
	if (s->stopping)
		return 1;
	if (!should_restart(status)) {
		syslog(LOG_INFO, "child exited cleanly: not restarting");
		return 1;
	}
	if ((delay = next_delay(s, ran)) == -1)
		exit(1);
	s->restart_at = now_ms() + delay;
	syslog(LOG_INFO, "restarting in %ld ms", delay);
	return 0;
}

/* SIGTERM or SIGINT: stop the child, then ourselves.  Returns 1 when the supervisor is done. */
static int
on_stop(struct service *s, int sig)
{
	if (s->stopping)
		return 0;
	s->stopping = 1;
	if (s->child == 0) {
		syslog(LOG_INFO, "stopping on SIG%s: no child running", sigabbrev_np(sig));
		return 1;
	}
	syslog(LOG_INFO, "stopping on SIG%s: SIGTERM to child %d",
	    sigabbrev_np(sig), (int)s->child);
	signal_group(s->child, SIGTERM);
	signal_group(s->child, SIGCONT);	/* a stopped child cannot die */
	s->kill_at = now_ms() + kill_timeout;
	return 0;
}

/* SIGHUP: for the child, if one runs and we are not stopping. */
static void
on_hup(struct service *s)
{
	if (s->child > 0 && !s->stopping)
		pass_hup(s->child);
}

/* The handler for SIG: on_signal, SA_RESTART, no signal blocked while it runs. */
static void
install(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART | flags };

	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) == -1)
		fail("sigaction SIG%s: %s", sigabbrev_np(sig), strerror(errno));
}

int
main(int argc, char **argv)
{
	struct service svc = { 0 };
	struct pollfd pfd;
	int foreground = 0, ch, done = 0;
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
	svc.argv = argv + optind;

	openlog("supervisor", LOG_PID, LOG_DAEMON);
	if (!foreground) {
		daemonize();
		detach_files();
	}
	self = getpid();
	write_pidfile();
	atexit(remove_pidfile);

	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fail("pipe: %s", strerror(errno));
	install(SIGTERM, 0);
	install(SIGINT, 0);
	install(SIGHUP, 0);
	install(SIGCHLD, SA_NOCLDSTOP);

	syslog(LOG_INFO, "started, supervising %s", svc.argv[0]);
	if (ready_fd != -1) {
		dprintf(ready_fd, "ready\n");
		close(ready_fd);
		ready_fd = -1;
	}
	pfd.fd = sigpipe[0];
	pfd.events = POLLIN;

	while (!done) {
		int got_chld = 0, got_hup = 0, got_stop = 0;
		unsigned char sigs[64];
		ssize_t n;

		if (poll(&pfd, 1, due(&svc)) == -1 && errno != EINTR)
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
		if (got_chld)
			done = on_child(&svc);
		if (got_stop && !done)
			done = on_stop(&svc, got_stop);
		if (got_hup && !done)
			on_hup(&svc);
	}
	syslog(LOG_INFO, "stopped");
	return 0;
}
