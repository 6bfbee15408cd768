/*
 * forkserver.c - a TCP echo server (RFC 862) that forks one child per
 * connection: every byte a client sends comes back to it, unchanged.
 * The parent only accepts, forks, reaps and logs; the children echo.
 *
 * Usage: forkserver [-p port] [-a address]
 *   -p port     the TCP port (default 6666)
 *   -a address  the IPv4 or IPv6 address to listen on (default 127.0.0.1,
 *               this machine only; ::1 the same in IPv6; 0.0.0.0 or ::
 *               for every address)
 * Logs to syslog (ident forkserver, LOG_PID, LOG_DAEMON); stays in the
 * foreground.  SIGTERM or SIGINT: stop accepting, SIGTERM to every child,
 * wait for them, exit 0.
 * Notes: notes/04-fork-server.md
 *
 * This is the starter: each TODO(step N) is yours to write.  The handout,
 * labs/04-fork-server/README.md, takes you through the steps in order.
 */
#define _GNU_SOURCE		/* accept4(), pipe2(), sigabbrev_np() */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAUSE_MS	100	/* after accept fails for want of fds */
#define STOP_MS		5000	/* children get this long after SIGTERM */
#define MAX_EXITS	64	/* deaths the handler can keep for the log */

/* Filled by the SIGCHLD handler, emptied by the main loop with SIGCHLD
 * blocked: the handler reaps, the loop logs. */
static struct { pid_t pid; int status; } exits[MAX_EXITS];
static volatile sig_atomic_t nexits;
static volatile sig_atomic_t stop_sig;
static int wake[2] = { -1, -1 };	/* the self-pipe: handlers -> loop */

/* The children alive, for SIGTERM at the stop (main loop only). */
static pid_t *kids;
static size_t nkids, kids_cap;

static void
usage(void)
{
	fprintf(stderr, "usage: forkserver [-p port] [-a address]\n");
	exit(2);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- step 1: listen ------------------------------------------------------ */

/*
 * addr, an IPv4 or IPv6 address in numbers ("127.0.0.1", "::1"), with
 * port, as a socket address for bind(): its length, or 0 when addr is
 * neither.  inet_pton() of each family says which it is; the storage
 * holds either.
 */
static socklen_t
socket_address(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		return sizeof *sin;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		return sizeof *sin6;
	}
	return 0;
}

/* A socket address as the log says it: "127.0.0.1:6666", "[::1]:6666". */
static const char *
address_name(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		snprintf(buf, size, "[%s]:%d", host, ntohs(sin6->sin6_port));
	} else {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(buf, size, "%s:%d", host, ntohs(sin->sin_port));
	}
	return buf;
}

static int
listen_on(const char *addr, int port)
{
	/*
	 * TODO(step 1): a TCP socket of addr's family (IPv4 or IPv6:
	 * socket_address() above makes the address, or says it is none:
	 * then a message and exit 2), SOCK_STREAM | SOCK_NONBLOCK |
	 * SOCK_CLOEXEC (the loop polls it), SO_REUSEADDR on, bound to it,
	 * then listen(fd, SOMAXCONN).  Check every call: a failed bind logs
	 * and prints "bind ADDR:PORT: <reason>" and exits 1 (err() does the
	 * printing; address_name() writes ADDR:PORT, [ADDR]:PORT in IPv6).
	 * Log "listening on ADDR:PORT" and return the socket.
	 */
	(void)addr;
	(void)port;
	(void)socket_address;	/* (yours to call) */
	(void)address_name;
	syslog(LOG_ERR, "listen_on() is not written yet (TODO step 1)");
	errx(1, "listen_on() is not written yet (TODO step 1)");
}

/* --- step 2: echo ---------------------------------------------------------- */

/* Write all n bytes: write() may take fewer (a signal, a full buffer). */
static int
write_all(int fd, const char *buf, size_t n)
{
	/*
	 * TODO(step 2): write all n bytes of buf to fd.  write() may write
	 * fewer than asked (a signal, a full buffer): loop until all are
	 * written, retry on EINTR; return 0, or -1 with errno set.
	 */
	(void)fd;
	(void)buf;
	(void)n;
	errno = ENOSYS;
	return -1;
}

/* Echo until the client's end of input; the exit status of the child. */
static int
echo(int fd)
{
	/*
	 * TODO(step 2): read what the client sends, write_all() it back,
	 * until read() returns 0 (the client's end of input): return 0.
	 * Retry a read interrupted by a signal (EINTR).  On another error,
	 * log it ("read: %m" or "write: %m") and return 1.
	 *
	 * TODO(step 5): a client that resets (ECONNRESET) or has gone away
	 * (EPIPE) is not our error: log "client gone: %m" and return 0.
	 */
	(void)fd;
	(void)write_all;	/* (yours to call) */
	syslog(LOG_ERR, "echo() is not written yet (TODO step 2)");
	return 1;
}

/* --- step 3: a child per connection ---------------------------------------- */

static void
add_kid(pid_t pid)
{
	if (nkids == kids_cap) {
		size_t cap = kids_cap ? 2 * kids_cap : 64;
		pid_t *p = realloc(kids, cap * sizeof *p);

		if (p == NULL) {	/* it still runs; it will not get SIGTERM */
			syslog(LOG_ERR, "out of memory for child %d", (int)pid);
			return;
		}
		kids = p;
		kids_cap = cap;
	}
	kids[nkids++] = pid;
}

static void
del_kid(pid_t pid)
{
	for (size_t i = 0; i < nkids; i++)
		if (kids[i] == pid) {
			kids[i] = kids[--nkids];
			return;
		}
}

static void
serve_in_child(int listener, int fd, const sigset_t *oldmask)
{
	/*
	 * TODO(step 3): in the child: close the listening socket and both
	 * ends of the self-pipe (they are the parent's), set SIGCHLD,
	 * SIGTERM and SIGINT back to SIG_DFL (sigaction), restore the
	 * signal mask (oldmask), then _exit(echo(fd)).  _exit, not exit:
	 * the parent's atexit handlers and stdio buffers are not ours.
	 */
	(void)listener;
	(void)oldmask;
	_exit(echo(fd));
}

/* Returns a pause in ms before accepting again: 0, or PAUSE_MS when
 * accept or fork failed for want of resources (no busy loop). */
static int
accept_one(int listener)
{
	/*
	 * TODO(step 2): accept4() a connection (SOCK_CLOEXEC), with the
	 * peer's address in a struct sockaddr_storage (either family: the
	 * listener's).  If it fails: EINTR,
	 * EAGAIN and ECONNABORTED are no client, return 0; any other error
	 * (EMFILE: no fd left) is logged, "accept: %m; pausing for %d ms"
	 * with PAUSE_MS, and PAUSE_MS is returned: the loop then waits that
	 * long before it tries again, instead of spinning.
	 * For now, serve the client right here: echo(fd), close(fd).
	 *
	 * TODO(step 3): fork instead, one child per connection: block every
	 * signal around fork (sigfillset, sigprocmask); the child calls
	 * serve_in_child(listener, fd, &old); the parent restores its mask,
	 * closes fd at once (the child has its copy), add_kid(pid), and
	 * logs "connection from HOST:PORT, child PID" (address_name()).
	 * A failed fork: log it, close fd, return PAUSE_MS.
	 */
	(void)listener;
	(void)serve_in_child;	/* (yours to call, step 3) */
	(void)add_kid;
	return 0;
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

/* --- step 4: reap ----------------------------------------------------------- */

static void
on_sigchld(int sig)
{
	/*
	 * TODO(step 4): reap every child that has exited: waitpid(-1,
	 * &status, WNOHANG) in a loop, while it returns a pid (one SIGCHLD
	 * may stand for many deaths).  Keep each (pid, status) in exits[]
	 * for log_exits(), while there is room (nexits < MAX_EXITS): when
	 * exits[] is full, stop (log_exits() reaps the rest).  Then write one
	 * byte to wake[1] (write_or_drop() above) so that the loop wakes up
	 * and logs.  No syslog, no printf here.  Save errno
	 * first and restore it last: waitpid changes it.
	 */
	(void)sig;
	(void)write_or_drop;	/* (until you call it: no "unused" warning) */
}

/* Log the deaths the handler saw: syslog is not for handlers. */
static void
log_exits(void)
{
	struct { pid_t pid; int status; } seen[MAX_EXITS];
	sigset_t chld, old;
	int n, full;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	do {
		sigprocmask(SIG_BLOCK, &chld, &old);
		n = nexits;
		memcpy(seen, (const void *)exits, (size_t)n * sizeof seen[0]);
		nexits = 0;
		full = n == MAX_EXITS;
		if (full)	/* the handler stopped there: reap the rest */
			on_sigchld(SIGCHLD);
		sigprocmask(SIG_SETMASK, &old, NULL);

		for (int i = 0; i < n; i++) {
			int st = seen[i].status;

			del_kid(seen[i].pid);
			if (WIFEXITED(st))
				syslog(LOG_INFO, "child %d exited with status %d",
				    (int)seen[i].pid, WEXITSTATUS(st));
			else
				syslog(LOG_WARNING, "child %d killed by signal %d (SIG%s)",
				    (int)seen[i].pid, WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
		}
	} while (full);
}

/* --- step 6: stop ------------------------------------------------------------ */

static void
on_stop(int sig)
{
	/*
	 * TODO(step 6): remember the signal in stop_sig and write one byte
	 * to wake[1] (write_or_drop()); save and restore errno.  Until then, the server ends
	 * here at once, and its children live on.
	 */
	(void)sig;
	_exit(1);
}

static void
drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

static void
stop_children(void)
{
	/*
	 * TODO(step 6): SIGTERM to every child in kids[]; then, until none
	 * is left (log_exits() takes them out of kids[]) or STOP_MS have
	 * passed, poll wake[0] and log_exits(); SIGKILL the ones still
	 * there (log it), and wait for them the same way.
	 */
}

/* --- main -------------------------------------------------------------------- */

static void
install(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigfillset(&sa.sa_mask);	/* one handler at a time */
	if (sigaction(sig, &sa, NULL) == -1)
		err(1, "sigaction %d", sig);
}

int
main(int argc, char *argv[])
{
	const char *addr = "127.0.0.1";
	long port = 6666, paused_until = 0;
	int listener, c;
	char *end;

	while ((c = getopt(argc, argv, "p:a:")) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || port < 1 || port > 65535) {
				errx(2, "-p wants a port from 1 to 65535, not '%s'", optarg);
			}
			break;
		case 'a':
			addr = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	openlog("forkserver", LOG_PID, LOG_DAEMON);
	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) == -1)
		err(1, "pipe");
	/* SA_RESTART: a slow call the signal interrupts starts again;
	 * SA_NOCLDSTOP: no SIGCHLD when a child only stops */
	install(SIGCHLD, on_sigchld, SA_RESTART | SA_NOCLDSTOP);
	install(SIGTERM, on_stop, SA_RESTART);
	install(SIGINT, on_stop, SA_RESTART);
	/*
	 * TODO(step 5): ignore SIGPIPE (install SIG_IGN): a write to a
	 * client that has gone away then fails with EPIPE instead of
	 * killing the process.
	 */
	listener = listen_on(addr, (int)port);

	while (!stop_sig) {
		struct pollfd pfd[2] = {
			{ .fd = listener, .events = POLLIN },
			{ .fd = wake[0], .events = POLLIN },
		};
		int timeout = -1;

		if (paused_until > now_ms()) {	/* not accepting for a while */
			pfd[0].fd = -1;
			timeout = (int)(paused_until - now_ms());
		}
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR) {
			syslog(LOG_ERR, "poll: %m");
			break;
		}
		if (pfd[1].revents & POLLIN)
			drain(wake[0]);
		log_exits();
		if (!stop_sig && (pfd[0].revents & POLLIN))
			paused_until = now_ms() + accept_one(listener);
	}

	if (stop_sig != 0) {
		syslog(LOG_INFO, "stopping on SIG%s: %zu child(ren) to stop",
		    sigabbrev_np(stop_sig), nkids);
		close(listener);
		stop_children();
	}
	free(kids);
	syslog(LOG_INFO, "stopped");
	closelog();
	return stop_sig != 0 ? 0 : 1;
}
