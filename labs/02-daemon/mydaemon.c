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
 * This is the starter: each TODO(step N) is yours to write.  The TODOs
 * say what is wanted and why; the calls, their order and their shape
 * are in the handout's hints (make hint-lab2 STEP=N shows them one at a
 * time): labs/02-daemon/README.md walks you through the steps.
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
	 * TODO(step 3): one instance at a time, and the file says which:
	 * "PID\n".  Hold a lock on pidfile for as long as the daemon runs (a
	 * lock, unlike the file's mere existence, ends with its process,
	 * however that dies).  A second instance fails, naming the pid that
	 * runs.  Never empty the file before you hold its lock (it may be
	 * the running instance's), and make sure the file you locked is
	 * still the one the path names: an instance that stops removes it.
	 * Every failure through fail().
	 */
}

/* Step 4: start clean, whatever the launcher left us. */
static void
clean_start(void)
{
	/*
	 * TODO(step 4): start as if from nothing, whatever the launcher left
	 * us: no open file above fd 2, every signal at its default action,
	 * none blocked.  (Some signals cannot be changed: that failure is
	 * expected, not an error.)
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
	 * TODO(step 5): become a daemon: out of the launcher's session, and
	 * unable ever to get a terminal back (the notes' "The double fork").
	 * The launcher returns only once the daemon is ready: it exits 0
	 * when the daemon writes "ready\n" to ready_fd (main() does), and 1
	 * with the daemon's message on stderr when it writes an error
	 * instead (fail() does), or dies.  Only the daemon returns from here.
	 */
	fail("daemon mode is not written yet (TODO step 5 in mydaemon.c): "
	    "use -f until then");
}

/* Step 6: no terminal on 0-2, our own file modes, no directory pinned. */
static void
detach_files(void)
{
	/*
	 * TODO(step 6): nothing of the launcher's left: fds 0-2 open, but on
	 * nothing that reaches a terminal; file modes of the daemon's own
	 * choosing; no directory kept busy.  Failures through fail().
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
	 * TODO(step 2): SIGTERM and SIGINT stop it (log "stopping on SIGxxx",
	 * then return), SIGHUP reloads (log "SIGHUP: reloading settings"),
	 * with on_signal as the handler.  A signal must end the wait at
	 * once, and one that comes just before the wait must not be lost
	 * (the notes' "The main loop" shows the race, and what closes it).
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
	 * TODO(step 1): s as a whole number of seconds, from 1 to 86400.
	 * Anything else is a usage error: exit 2 with a message that quotes
	 * s (lab 1's parse_umask() met the same problem).
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
