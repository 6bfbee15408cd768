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
 *
 * This is the starter: each TODO(step N) is yours to write.  The handout,
 * labs/02-daemon/README.md, walks you through the steps.
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
	/*
	 * TODO(step 3): open pidfile (O_RDWR | O_CREAT | O_CLOEXEC, 0644, and
	 * no O_TRUNC: why?), take an exclusive lock with flock(2) LOCK_EX |
	 * LOCK_NB.  If another process holds it, fail() saying it is already
	 * running (read the pid from the file to say which).  Once locked,
	 * check that the path still names the file you locked (fstat(2) the
	 * fd, stat(2) the path, compare st_dev and st_ino): an instance that
	 * stopped may have removed it between your open and your lock; if
	 * so, close and start again.  Then ftruncate to 0, write "PID\n", and
	 * keep the fd open (closing it releases the lock).  Report every
	 * failure with fail().
	 */
}

/* Step 4: start clean, whatever the launcher left us. */
static void
clean_start(void)
{
	/*
	 * TODO(step 4): close every fd above 2 (close_range(2)), set every
	 * signal's action back to SIG_DFL (sigaction for 1 .. NSIG-1; it fails
	 * for SIGKILL, SIGSTOP and glibc's own 32 and 33: ignore its result
	 * here), and empty the signal mask (sigprocmask SIG_SETMASK with an
	 * empty set).
	 */
}

/*
 * Step 5: fork, setsid, fork.  Only the daemon returns; the launcher
 * waits on the pipe for "ready" (exit 0) or an error (exit 1).
 */
static void
daemonize(void)
{
	/*
	 * TODO(step 5): pipe2(O_CLOEXEC); fork.  The parent (the launcher)
	 * closes the write end, reads everything the daemon writes until EOF,
	 * reaps its child, and exits 0 if it read "ready\n", else 1 with the
	 * message it read on stderr.  The child keeps the write end in
	 * ready_fd, calls setsid(), forks again, and the middle process
	 * _exit(0)s.  Only the grandchild, the daemon, returns.
	 */
	fail("daemon mode is not written yet (TODO step 5 in mydaemon.c): "
	    "use -f until then");
}

/* Step 6: no terminal on 0-2, our own file modes, no directory pinned. */
static void
detach_files(void)
{
	/*
	 * TODO(step 6): open /dev/null and dup2 it onto 0, 1 and 2; umask(0);
	 * chdir("/").  Report failures with fail().
	 */
}

/* Step 2: the handler only notes what happened; the loop does the work. */
static void
on_signal(int sig)
{
	/*
	 * TODO(step 2): note what happened, nothing more: SIGHUP sets
	 * reload_requested, SIGTERM and SIGINT set stop_signal.
	 */
	(void)sig;
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
	/*
	 * TODO(step 1): log "heartbeat N" every interval seconds, for ever.
	 * TODO(step 2): install on_signal for SIGTERM, SIGINT and SIGHUP with
	 * sigaction(2); log "SIGHUP: reloading settings" when
	 * reload_requested is set; return when stop_signal is set, after
	 * logging "stopping on SIGxxx".  A signal must end the wait at once,
	 * and one that arrives just before the wait must not be missed: block
	 * the three signals, and wait with pselect(2), which unblocks them only
	 * while it sleeps.
	 */
	(void)interval;
	(void)on_signal;		/* TODO(step 2): install it */
	for (;;)
		pause();
}

static int
parse_interval(const char *s)
{
	/*
	 * TODO(step 1): read s as a decimal number of seconds with strtol(3);
	 * anything but a whole number from 1 to 86400 is a usage error:
	 * errx(2, ...).
	 */
	(void)s;
	return 10;
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
	/* TODO(step 1): openlog with the ident "mydaemon", LOG_PID, LOG_DAEMON */
	if (!foreground) {
		daemonize();
		detach_files();
	}
	write_pidfile();
	/* TODO(step 1): log "started (PID file ..., heartbeat every N s)" */
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
