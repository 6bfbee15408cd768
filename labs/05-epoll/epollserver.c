/*
 * epollserver.c - a TCP echo server (RFC 862) in one process and one
 * thread, around one epoll_wait loop, with client sockets watched
 * level-triggered (-m lt) or edge-triggered (-m et).
 *
 * Usage: epollserver [-p port] [-a address] [-m lt|et] [-r max-read]
 *   -p port      the TCP port (default 6666)
 *   -a address   the IPv4 or IPv6 address to listen on (default 127.0.0.1)
 *   -m lt|et     level- (default) or edge-triggered client sockets
 *   -r max-read  read at most this many bytes per readiness event
 *                (default: as much as the mode requires; the knob of
 *                the LT/ET experiment)
 * Logs to syslog (ident epollserver, LOG_PID, LOG_DAEMON).  SIGTERM or
 * SIGINT: close everything, exit 0.  SIGUSR1: log the counters.
 * Notes: notes/05-epoll.md
 *
 * This is the starter: each TODO(step N) is yours to write.  The handout,
 * labs/05-epoll/README.md, takes you through the steps in order.
 */
#define _GNU_SOURCE		/* accept4(), pipe2(), sigabbrev_np() */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#define CHUNK		16384		/* bytes one read() asks for */
#define OUT_MAX		(1 << 20)	/* unsent bytes above which we stop reading */
#define ET_BUDGET	(256 * 1024)	/* ET: bytes read per connection per turn */
#define MAX_EVENTS	128

struct conn {
	int fd;
	char *buf;		/* what was read and is not yet echoed: buf[off..len) */
	size_t off, len, cap;
	int eof;		/* the client has sent all it will send */
	int paused;		/* reading stopped: too much unsent (back-pressure) */
	uint32_t events;	/* what epoll watches for it now */
	struct conn *prev, *next;	/* every connection, for the stop */
	struct conn *ready;		/* ET: next on the list of the not drained */
	int on_ready;
};

static int ep = -1, listener = -1, spare_fd = -1;
static int wake[2] = { -1, -1 };	/* the self-pipe: handlers -> loop */
static int edge, max_read;
static struct conn *conns, *ready_head;
/* the counters SIGUSR1 logs */
static unsigned long conns_now, conns_total, wakeups;
static unsigned long long bytes_in, bytes_out;
/* tags for the two fds that are not connections */
static struct conn listen_tag, wake_tag;

static void
usage(void)
{
	fprintf(stderr, "usage: epollserver [-p port] [-a address] [-m lt|et] [-r max-read]\n");
	exit(2);
}

/* epoll_ctl(), its failure logged: 0, or -1 with errno set. */
static int
watch(int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	if (epoll_ctl(ep, op, fd, &ev) == -1) {
		int e = errno;

		syslog(LOG_ERR, "epoll_ctl fd %d: %m", fd);
		errno = e;
		return -1;
	}
	return 0;
}

/* --- step 1: listen, and accept every waiting client ---------------------- */

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

static void
listen_on(const char *addr, int port)
{
	/*
	 * TODO(step 1): as in lab 4 (an address of either family from
	 * socket_address(), SO_REUSEADDR, bind, listen, every call checked;
	 * a bad address: a message and exit 2; a failed bind: "bind
	 * ADDR:PORT: reason", exit 1, ADDR:PORT by address_name()), but
	 * the socket is non-blocking (SOCK_NONBLOCK) and goes into the
	 * epoll set, level-triggered:
	 * watch(EPOLL_CTL_ADD, listener, EPOLLIN, &listen_tag).  Then log
	 * "listening on ADDR:PORT (level-triggered)" or "(edge-triggered)",
	 * as the global edge says.
	 */
	(void)addr;
	(void)port;
	(void)listener;
	(void)socket_address;	/* (yours to call) */
	(void)address_name;
	syslog(LOG_ERR, "listen_on() is not written yet (TODO step 1)");
	errx(1, "listen_on() is not written yet (TODO step 1)");
}

static void add_conn(int fd);

/* Accept until EAGAIN: one wake-up takes a whole burst of clients. */
static void
accept_all(void)
{
	/*
	 * TODO(step 1): accept4() with SOCK_NONBLOCK | SOCK_CLOEXEC until it
	 * fails with EAGAIN (the queue is empty): one wake-up takes every
	 * client that waits.  add_conn() each one.  EINTR and ECONNABORTED:
	 * go on.  Another error: log "accept: %m" and return.
	 *
	 * TODO(step 6): EMFILE or ENFILE (no fd left; accept fails before it
	 * looks at the queue): close(spare_fd), accept and close the client
	 * (log "accept: no fd left: turned a client away"), reopen spare_fd
	 * on /dev/null; if that accept found no client, return.  Otherwise
	 * the listener stays readable and the loop spins.
	 */
	(void)add_conn;		/* (yours to call) */
}

/* --- step 2: a state per connection ------------------------------------------- */

static void
add_conn(int fd)
{
	struct conn *c = calloc(1, sizeof *c);

	if (c == NULL) {
		syslog(LOG_ERR, "out of memory: closing a new connection");
		close(fd);
		return;
	}
	c->fd = fd;
	c->events = EPOLLIN | EPOLLRDHUP | (edge ? EPOLLET : 0);
	if (watch(EPOLL_CTL_ADD, fd, c->events, c) == -1) {
		close(fd);		/* it would never get an event */
		free(c);
		return;
	}
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	conns_now++;
	conns_total++;
}

static void
close_conn(struct conn *c)
{
	if (c->on_ready) {		/* off the ET list of the not drained */
		struct conn **p = &ready_head;

		while (*p != c)
			p = &(*p)->ready;
		*p = c->ready;
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->buf);
	free(c);
	conns_now--;
}

/* Watch for what the connection needs now: input unless paused or at its
 * end, output only while something waits to be sent (EPOLLOUT when there
 * is nothing to send would wake a level-triggered loop at once, for ever). */
static void
rewatch(struct conn *c)
{
	/*
	 * TODO(step 3): what epoll should watch for c now: EPOLLIN |
	 * EPOLLRDHUP unless c->eof or c->paused; EPOLLOUT only while bytes
	 * wait to be sent (c->len > c->off); EPOLLET too in edge mode.  If
	 * that differs from c->events: store it, watch(EPOLL_CTL_MOD, ...).
	 */
	(void)c;
}

/* --- step 5: write what the socket takes, keep the rest ----------------------- */

/* Send what is waiting; 0, or -1 if the connection is to be closed. */
static int
flush(struct conn *c)
{
	/*
	 * TODO(step 2): send c->buf[c->off .. c->len) with send(...,
	 * MSG_NOSIGNAL), adding what was sent to c->off and to bytes_out;
	 * once all is sent, c->off = c->len = 0.  Return 0; on an error
	 * other than EAGAIN and EINTR return -1 (the caller closes; log it
	 * unless it is EPIPE or ECONNRESET: a client that has gone).
	 *
	 * TODO(step 5): EAGAIN: the socket takes no more for now.  Stop, and
	 * keep the rest: rewatch() then asks for EPOLLOUT.
	 */
	(void)c;
	return -1;
}

/* --- steps 3 and 4: read, level- or edge-triggered ---------------------------- */

static void
mark_ready(struct conn *c)
{
	if (!c->on_ready) {
		c->ready = ready_head;
		ready_head = c;
		c->on_ready = 1;
	}
}

/* Append n bytes to what waits to be sent to c.  Only a connection with
 * bytes waiting holds a buffer: an idle one costs its struct alone. */
static int
keep(struct conn *c, const char *p, size_t n)
{
	if (c->off > 0 && c->cap - c->len < n) {	/* the unsent to the front */
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->cap - c->len < n) {
		size_t cap = c->cap ? c->cap : CHUNK;
		char *b;

		while (cap - c->len < n)
			cap *= 2;
		if ((b = realloc(c->buf, cap)) == NULL)
			return -1;
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	return 0;
}

/* Read and echo.  LT: one read per event, epoll tells us again if more is
 * there.  ET: no event comes for data already there, so read until
 * EAGAIN (or -r's one read); a turn's budget keeps one fast client from
 * starving the others, and the ready list brings it back.  Returns -1
 * when the connection was closed. */
static int
on_input(struct conn *c)
{
	/*
	 * TODO(step 2): read() into a scratch buffer (one static char
	 * array of CHUNK bytes serves every connection; read max_read bytes
	 * when -r is given), hand what came to keep(), add it to bytes_in,
	 * then flush(c).  read() returning 0 is the client's end
	 * of input: set c->eof, and close_conn(c) once all is echoed.  An
	 * error other than EAGAIN/EINTR: close_conn(c) (log it unless it is
	 * ECONNRESET).  Return -1 whenever the connection was closed.
	 *
	 * TODO(step 3): level-triggered: one read per event, then
	 * rewatch(c) and return: epoll reports the socket again if more
	 * waits.
	 *
	 * TODO(step 4): edge-triggered: no event comes for bytes already
	 * there, so read again until EAGAIN (but with -r, one read only: the
	 * experiment).  After ET_BUDGET bytes in one turn, mark_ready(c) and
	 * stop: the loop comes back to it after the others.
	 *
	 * TODO(step 5): before each read, if more than OUT_MAX bytes wait to
	 * be sent, set c->paused and stop reading (back-pressure).
	 */
	(void)mark_ready;	/* (yours to call) */
	(void)keep;
	(void)flush;
	(void)rewatch;
	close_conn(c);
	return -1;
}

static void
on_output(struct conn *c)
{
	/*
	 * TODO(step 5): EPOLLOUT: flush(c) (an error: close_conn).  All sent
	 * and c->eof: close_conn(c).  If c->paused and no more than
	 * OUT_MAX / 2 bytes wait: c->paused = 0, and in edge mode read now
	 * (on_input), since what waits unread brings no new event.  Then
	 * rewatch(c).
	 */
	(void)c;
}

static void
on_event(struct conn *c, uint32_t ev)
{
	if (ev & EPOLLERR) {
		close_conn(c);
		return;
	}
	if ((ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) && !c->paused && !c->eof &&
	    on_input(c) == -1)
		return;
	if (ev & EPOLLOUT)
		on_output(c);
	else if ((ev & EPOLLHUP) && c->eof)
		close_conn(c);		/* both ways closed: nothing can be sent */
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

/* --- step 7: signals, through the self-pipe ---------------------------------- */

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	write_or_drop(wake[1], &b, 1);
	errno = saved;
}

static void
log_stats(void)
{
	syslog(LOG_INFO, "stats: %lu connections now, %lu in all; %llu bytes in, "
	    "%llu out; %lu wake-ups", conns_now, conns_total, bytes_in, bytes_out, wakeups);
}

/* The signals that came; the one that stops us, or 0. */
static int
read_signals(void)
{
	unsigned char b[64];
	ssize_t n;
	int stop = 0;

	while ((n = read(wake[0], b, sizeof b)) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (b[i] == SIGUSR1)
				log_stats();
			else
				stop = b[i];
		}
	return stop;
}

static void
install(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigfillset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) == -1)
		err(1, "sigaction");
}

int
main(int argc, char *argv[])
{
	struct epoll_event evs[MAX_EVENTS];
	const char *addr = "127.0.0.1";
	long port = 6666, r;
	int c, n, stop = 0;
	char *end;

	while ((c = getopt(argc, argv, "p:a:m:r:")) != -1) {
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
		case 'm':
			if (strcmp(optarg, "lt") != 0 && strcmp(optarg, "et") != 0) {
				errx(2, "-m wants lt or et, not '%s'", optarg);
			}
			edge = optarg[0] == 'e';
			break;
		case 'r':
			errno = 0;
			r = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || r < 1 || r > CHUNK) {
				errx(2, "-r wants a byte count from 1 to %d, not '%s'",
				    CHUNK, optarg);
			}
			max_read = (int)r;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	openlog("epollserver", LOG_PID, LOG_DAEMON);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) == -1)
		err(1, "pipe");
	if (watch(EPOLL_CTL_ADD, wake[0], EPOLLIN, &wake_tag) == -1)
		err(1, "epoll_ctl");
	install(SIGTERM, on_signal);
	install(SIGINT, on_signal);
	install(SIGUSR1, on_signal);
	install(SIGPIPE, SIG_IGN);	/* and MSG_NOSIGNAL: EPIPE, not death */
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	listen_on(addr, (int)port);

	while (!stop) {
		/* not drained (ET): look again at once, after the others */
		n = epoll_wait(ep, evs, MAX_EVENTS, ready_head != NULL ? 0 : -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;	/* a signal: the self-pipe says which */
			syslog(LOG_ERR, "epoll_wait: %m");
			return 1;
		}
		wakeups++;
		for (int i = 0; i < n; i++) {
			struct conn *cn = evs[i].data.ptr;

			if (cn == &listen_tag)
				accept_all();
			else if (cn == &wake_tag)
				stop = read_signals();
			else
				on_event(cn, evs[i].events);
		}
		if (n == 0 || ready_head != NULL) {
			struct conn *list = ready_head, *next;

			ready_head = NULL;
			for (; list != NULL; list = next) {
				next = list->ready;
				list->on_ready = 0;
				on_input(list);
			}
		}
	}

	/*
	 * TODO(step 7): log "stopping on SIG<NAME>: N connections to close"
	 * (sigabbrev_np), close every connection (close_conn, from the list
	 * conns), the listener and the epoll fd, log "stopped", return 0.
	 */
	syslog(LOG_ERR, "the stop is not written yet (TODO step 7)");
	return 1;
}
