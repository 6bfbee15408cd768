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
	struct sockaddr_storage ss;
	char name[INET6_ADDRSTRLEN + 10];
	socklen_t len;
	int fd, on = 1;

	if ((len = socket_address(addr, port, &ss)) == 0)
		errx(2, "-a wants an IPv4 or IPv6 address such as 127.0.0.1 or ::1, not '%s'", addr);
	address_name(&ss, name, sizeof name);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	/* a port whose old connections linger in TIME_WAIT is free to bind */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
		err(1, "setsockopt SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		syslog(LOG_ERR, "bind %s: %m", name);
		err(1, "bind %s", name);
	}
	if (listen(fd, SOMAXCONN) == -1)
		err(1, "listen %s", name);
	syslog(LOG_INFO, "listening on %s", name);
	return fd;
}

/* --- step 2: echo ---------------------------------------------------------- */

/* Write all n bytes: write() may take fewer (a signal, a full buffer). */
static int
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, buf, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Echo until the client's end of input; the exit status of the child. */
static int
echo(int fd)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		if ((n = read(fd, buf, sizeof buf)) == 0)
			return 0;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || write_all(fd, buf, (size_t)n) == -1) {
			/* a client that resets or goes away is not our error */
			if (errno == ECONNRESET || errno == EPIPE) {
				syslog(LOG_INFO, "client gone: %m");
				return 0;
			}
			syslog(LOG_ERR, "%s: %m", n == -1 ? "read" : "write");
			return 1;
		}
	}
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
	struct sigaction sa;

	close(listener);		/* the parent keeps listening, not us */
	close(wake[0]);
	close(wake[1]);
	free(kids);			/* the parent's children are not ours */
	kids = NULL;
	nkids = kids_cap = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;	/* the parent's handlers are not ours */
	if (sigaction(SIGCHLD, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1) {
		syslog(LOG_ERR, "sigaction in child: %m");
		_exit(1);
	}
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	_exit(echo(fd));	/* _exit: the parent's atexit and stdio are not ours */
}

/* Returns a pause in ms before accepting again: 0, or PAUSE_MS when
 * accept or fork failed for want of resources (no busy loop). */
static int
accept_one(int listener)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	char name[INET6_ADDRSTRLEN + 10];
	sigset_t all, old;
	pid_t pid;
	int fd;

	if ((fd = accept4(listener, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC)) == -1) {
		if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
			return 0;	/* not a client: try again */
		syslog(LOG_ERR, "accept: %m; pausing for %d ms", PAUSE_MS);
		return PAUSE_MS;
	}
	address_name(&peer, name, sizeof name);

	/* no handler may run in the child before it has reset them */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) == 0)
		serve_in_child(listener, fd, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);			/* the child has its own copy */
	if (pid == -1) {
		syslog(LOG_ERR, "fork: %m; dropping %s, pausing for %d ms",
		    name, PAUSE_MS);
		return PAUSE_MS;
	}
	add_kid(pid);
	syslog(LOG_INFO, "connection from %s, child %d", name, (int)pid);
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
	int saved = errno, status;
	pid_t pid;

	(void)sig;
	/* signals merge: one SIGCHLD may stand for many deaths.  A full
	 * exits[] leaves the rest as zombies, for log_exits() to reap. */
	while (nexits < MAX_EXITS && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
		exits[nexits].pid = pid;
		exits[nexits].status = status;
		nexits++;
	}
	write_or_drop(wake[1], "c", 1);
	errno = saved;
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
	int saved = errno;

	stop_sig = sig;
	write_or_drop(wake[1], "s", 1);
	errno = saved;
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
	struct pollfd pfd = { .fd = wake[0], .events = POLLIN };
	long deadline = now_ms() + STOP_MS;

	for (size_t i = 0; i < nkids; i++)
		kill(kids[i], SIGTERM);
	while (nkids > 0 && now_ms() < deadline) {
		if (poll(&pfd, 1, (int)(deadline - now_ms())) > 0)
			drain(wake[0]);
		log_exits();
	}
	for (size_t i = 0; i < nkids; i++) {
		syslog(LOG_WARNING, "child %d still there after %d ms: SIGKILL",
		    (int)kids[i], STOP_MS);
		kill(kids[i], SIGKILL);
	}
	while (nkids > 0) {		/* SIGKILL cannot be caught: they go */
		poll(&pfd, 1, 100);
		drain(wake[0]);
		log_exits();
	}
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
	install(SIGCHLD, on_sigchld, SA_RESTART | SA_NOCLDSTOP);
	install(SIGTERM, on_stop, SA_RESTART);
	install(SIGINT, on_stop, SA_RESTART);
	install(SIGPIPE, SIG_IGN, 0);	/* a client that resets: EPIPE, not death */
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
