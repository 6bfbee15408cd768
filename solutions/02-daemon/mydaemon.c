/*
 * mydaemon.c - a daemon done the way daemon(7) lists it: a clean start,
 * two forks around setsid, /dev/null, umask, chdir, a locked PID file,
 * syslog, and signals handled in the main loop.  Its launcher returns to
 * the shell only once the daemon is ready, or fails with its error.
 *
 * Usage: mydaemon [-f] [-P pidfile] [-i seconds]
 *   -f  stay in the foreground (no fork: for debugging and supervisors)
 *   -P  the PID file (default /tmp/mydaemon.pid)
 *   -i  seconds between heartbeats (default 10)
 * Notes: notes/02-daemon.md
 */
#define _GNU_SOURCE		/* close_range() */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PIDFILE	"/tmp/mydaemon.pid"

static volatile sig_atomic_t stop_signal;	/* the signal that stops us */
static volatile sig_atomic_t reload_requested;

static int ready_fd = -1;	/* daemon -> launcher: "ready", or the error */
static const char *pidfile = DEFAULT_PIDFILE;

static void
usage(void)
{
	fprintf(stderr, "usage: mydaemon [-f] [-P pidfile] [-i seconds]\n");
	exit(2);
}

/*
 * Start-up failed: tell whoever is waiting (the launcher over the pipe,
 * or the terminal with -f), log it, and exit 1.
 */
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
		fprintf(stderr, "mydaemon: %s\n", msg);
	_exit(1);
}

/* Step 3: the PID file, locked for as long as we run. */
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

/* Step 4: start clean, whatever the launcher left us. */
static void
clean_start(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig;

	/* every fd above 2; close_range is one call, however high the limit */
	if (close_range(3, ~0U, 0) == -1) {
		long max = sysconf(_SC_OPEN_MAX);
		for (int fd = 3; fd < max; fd++)
			close(fd);
	}
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);	/* fails for KILL, STOP, 32, 33 */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * Step 5: fork, setsid, fork.  Only the daemon returns; the launcher
 * waits on the pipe for "ready" (exit 0) or an error (exit 1).
 */
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

/* Step 6: no terminal on 0-2, our own file modes, no directory pinned. */
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

/* Step 2: the handler only notes what happened; the loop does the work. */
static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_signal = sig;
}

/*
 * Step 1 and 2: log a heartbeat every interval until a signal stops us.
 * The signals are blocked except inside pselect(), which unblocks them
 * and sleeps in one step: one that arrives just before we sleep cannot
 * be missed.
 */
static void
serve(int interval)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec next, now, wait;
	sigset_t block, old;
	unsigned long beats = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	sa.sa_mask = block;
	if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		fail("sigaction: %s", strerror(errno));

	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += interval;
	while (!stop_signal) {
		if (reload_requested) {
			reload_requested = 0;
			syslog(LOG_INFO, "SIGHUP: reloading settings");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec >= next.tv_nsec)) {
			syslog(LOG_INFO, "heartbeat %lu", ++beats);
			next.tv_sec += interval;
			continue;
		}
		wait.tv_sec = next.tv_sec - now.tv_sec;
		wait.tv_nsec = next.tv_nsec - now.tv_nsec;
		if (wait.tv_nsec < 0) {
			wait.tv_sec--;
			wait.tv_nsec += 1000000000L;
		}
		if (pselect(0, NULL, NULL, NULL, &wait, &old) == -1 && errno != EINTR)
			syslog(LOG_ERR, "pselect: %m");
	}
	syslog(LOG_INFO, "stopping on SIG%s", sigabbrev_np(stop_signal));
}

static int
parse_interval(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 86400)
		errx(2, "-i wants seconds from 1 to 86400, not '%s'", s);
	return (int)v;
}

int
main(int argc, char **argv)
{
	int foreground = 0, interval = 10, ch;

	while ((ch = getopt(argc, argv, "fP:i:h")) != -1) {
		switch (ch) {
		case 'f': foreground = 1; break;
		case 'P': pidfile = optarg; break;
		case 'i': interval = parse_interval(optarg); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();

	clean_start();
	openlog("mydaemon", LOG_PID, LOG_DAEMON);	/* connects at the first line */
	if (!foreground) {
		daemonize();
		detach_files();
	}
	write_pidfile();
	syslog(LOG_INFO, "started (PID file %s, heartbeat every %d s)",
	    pidfile, interval);
	if (ready_fd != -1) {			/* tell the launcher */
		dprintf(ready_fd, "ready\n");
		close(ready_fd);
		ready_fd = -1;
	}
	serve(interval);
	unlink(pidfile);
	closelog();
	return 0;
}
