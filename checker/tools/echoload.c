/*
 * echoload.c - a client of the labs' TCP echo servers for the tests: many
 * connections, in sequence or at once, each sending its own bytes (NUL
 * bytes included) and checking that exactly those come back.
 *
 * Usage: echoload -p port [-n count] [-c at-once] [-s size] [-t seconds]
 *                 [-b rcvbuf] [-r bytes-per-ms] [-h | -R | -C | -F] [-q]
 *   -n count    connections in all (default 1)
 *   -c at-once  connections open at the same time (default 1): the count
 *               is made in rounds of this many
 *   -s size     bytes each connection sends (default 64; K and M suffixes);
 *               it then half-closes, and expects those bytes back and the
 *               server's end of the connection
 *   -t seconds  the whole run's deadline (default 20)
 *   -T seconds  each round's own deadline too (a server that stops
 *               answering is caught then, however long the run may take)
 *   -B          with -T: -t is a budget, not a deadline: no round starts
 *               after it, a round under way keeps its -T, and the run
 *               succeeds if no round failed ("N of COUNT connections ...";
 *               a stall, not a speed, is what fails it)
 *   -b rcvbuf   SO_RCVBUF of each connection (a small one fills up soon)
 *   -r rate     read at most this many bytes a millisecond (a slow reader)
 *   -h          hold: make one round, echo without half-closing, print
 *               "holding N connections" and each one's local port, then
 *               keep them open until SIGTERM, SIGINT or the deadline
 *   -R          reset: send what the server takes without reading, then
 *               close with SO_LINGER 0 (the client's kernel sends RST)
 *   -F          flood: send without reading until the server takes nothing
 *               more for 200 ms (or all -s bytes are sent), print "stalled
 *               after N bytes" (or "sent all N bytes"), then hold the
 *               connection open until SIGTERM, SIGINT or the deadline
 *   -C          close: the same as -R, but an ordinary close(), never reading
 *               the reply (FIN; the client's kernel answers any reply
 *               that comes later with RST)
 *   -q          say nothing on success
 * On success: "N connections, N bytes echoed byte-exact", exit 0.  On a
 * failure: which connection, what was sent and what came back, exit 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	long id;
	size_t sent, got;
	unsigned long long tx, rx;	/* the generators of its bytes */
	unsigned char *out;	/* bytes made, not yet taken by the socket */
	size_t off, len;	/* out[off..len) */
	int eof, done;
};

static int port, rcvbuf, hold, reset, closing, flood, quiet;
static long count = 1, atonce = 1, rate;
static size_t size = 64;
static long deadline_ms;
static volatile sig_atomic_t stop;

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* the byte stream of connection id: xorshift, NUL bytes and all */
static unsigned char
next_byte(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned char)(*s >> 24);
}

static long
number(const char *s, char opt, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max)
		errx(2, "-%c wants a number from 0 to %ld, not '%s'", opt, max, s);
	return v;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: echoload -p port [-n count] [-c at-once] [-s size] [-t seconds] [-T seconds]\n"
	    "                [-b rcvbuf] [-r bytes-per-ms] [-h | -R | -C | -F] [-q]\n"
	    "  -n count    connections in all (default 1)\n"
	    "  -c at-once  connections open at the same time (default 1)\n"
	    "  -s size     bytes each connection sends and expects back (default 64; K, M)\n"
	    "  -t seconds  deadline of the whole run (default 20)\n"
	    "  -T seconds  deadline of each round, within the run's\n"
	    "  -B          with -T: the run's -t is a budget: no round starts after it\n"
	    "  -b rcvbuf   SO_RCVBUF of each connection\n"
	    "  -r rate     read at most this many bytes a millisecond (a slow reader)\n"
	    "  -h          hold: echo once, print the local ports, keep the connections open\n"
	    "  -R          send without reading, then reset (SO_LINGER 0)\n"
	    "  -C          send without reading, then close\n"
	    "  -F          flood: send without reading until the server stops taking, then hold\n"
	    "  -q          quiet on success\n"
	    "It checks every byte that comes back; exit 0 if all did, 1 if not, 2 on usage.\n");
	exit(2);
}

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void
open_conn(struct conn *c, long id)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct pollfd pfd;
	int e = 0;
	socklen_t len = sizeof e;

	memset(c, 0, sizeof *c);
	c->id = id;
	c->tx = c->rx = 0x9e3779b97f4a7c15ULL ^ (unsigned long long)(id + 1) * 0x100000001b3ULL;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		err(1, "connection %ld: socket", id);
	if (rcvbuf > 0 && setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == -1)
		err(1, "setsockopt SO_RCVBUF");
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		if (errno != EINPROGRESS)
			err(1, "connection %ld: connect 127.0.0.1:%d", id, port);
		pfd.fd = c->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(deadline_ms - now_ms())) != 1)
			errx(1, "connection %ld: connect 127.0.0.1:%d: no answer before the deadline", id, port);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len);
		if (e != 0) {
			errno = e;
			err(1, "connection %ld: connect 127.0.0.1:%d", id, port);
		}
	}
}

/* the bytes go out of c->out, made once, at most 64 KiB at a time: a
 * full socket takes a few KiB a send, and making 64 KiB again for each
 * send (as it did) was a sixth of its CPU time with 200 clients at once */
static void
do_send(struct conn *c)
{
	size_t chunk = size < 65536 ? size : 65536;
	ssize_t w;

	if (c->off == c->len) {
		size_t n = size - c->sent;

		if (n > chunk)
			n = chunk;
		if (c->out == NULL && (c->out = malloc(chunk)) == NULL)
			err(1, "malloc");
		for (size_t i = 0; i < n; i++)
			c->out[i] = next_byte(&c->tx);
		c->off = 0;
		c->len = n;
	}
	if ((w = send(c->fd, c->out + c->off, c->len - c->off, MSG_NOSIGNAL)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		err(1, "connection %ld: send after %zu of %zu bytes", c->id, c->sent, size);
	}
	c->off += (size_t)w;
	c->sent += (size_t)w;
	if (c->sent == size && !hold && !reset && shutdown(c->fd, SHUT_WR) == -1)
		err(1, "connection %ld: shutdown", c->id);
}

static void
do_recv(struct conn *c)
{
	unsigned char buf[65536];
	size_t want = sizeof buf;
	ssize_t n;

	if (rate > 0 && want > (size_t)rate)
		want = (size_t)rate;
	if ((n = recv(c->fd, buf, want, 0)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		err(1, "connection %ld: receive after %zu of %zu bytes", c->id, c->got, size);
	}
	if (n == 0) {
		if (c->got < size)
			errx(1, "connection %ld: the server closed the connection after "
			    "echoing %zu of the %zu bytes sent", c->id, c->got, size);
		c->eof = 1;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		unsigned char want_b = next_byte(&c->rx);

		if (c->got + (size_t)i >= size)
			errx(1, "connection %ld: %zd more bytes came back than the %zu sent",
			    c->id, (ssize_t)(c->got + (size_t)n - size), size);
		if (buf[i] != want_b)
			errx(1, "connection %ld: byte %zu of the reply is 0x%02x, but 0x%02x "
			    "was sent there", c->id, c->got + (size_t)i, buf[i], want_b);
	}
	c->got += (size_t)n;
	if (rate > 0)
		usleep(1000);
}

/* one round of k connections; returns the bytes echoed */
static unsigned long long
round_of(long first, long k)
{
	struct conn *cs = calloc((size_t)k, sizeof *cs);
	struct pollfd *pfd = calloc((size_t)k, sizeof *pfd);
	unsigned long long bytes = 0;
	long left = k;

	if (cs == NULL || pfd == NULL)
		err(1, "calloc");
	for (long i = 0; i < k; i++)
		open_conn(&cs[i], first + i);
	while (left > 0) {
		long t = deadline_ms - now_ms();

		for (long i = 0; i < k; i++) {
			struct conn *c = &cs[i];

			pfd[i].fd = c->done ? -1 : c->fd;
			pfd[i].events = 0;
			if (c->sent < size)
				pfd[i].events |= POLLOUT;
			if (!reset && !c->eof)
				pfd[i].events |= POLLIN;
		}
		if (t <= 0 || stop) {
			for (long i = 0; i < k; i++)
				if (!cs[i].done)
					errx(1, "%s: connection %ld had sent %zu of %zu bytes and "
					    "got %zu back", stop ? "stopped" : "deadline passed",
					    cs[i].id, cs[i].sent, size, cs[i].got);
		}
		/* -R, -C: a connection that takes nothing more for 100 ms is
		 * reset or closed; -F: 200 ms, and it is held */
		if (poll(pfd, (nfds_t)k, flood ? 200 : reset ? 100 : (int)(t > 100 ? 100 : t)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (long i = 0; i < k; i++) {
			struct conn *c = &cs[i];

			if (c->done)
				continue;
			if (flood && (pfd[i].revents == 0 || c->sent == size)) {
				if (c->sent == size)
					printf("sent all %zu bytes\n", c->sent);
				else
					printf("stalled after %zu bytes\n", c->sent);
				fflush(stdout);
				while (!stop && now_ms() < deadline_ms)
					poll(NULL, 0, 50);
				close(c->fd);
				c->done = 1;
				left--;
				bytes += c->sent;
				continue;
			}
			if (reset && (pfd[i].revents == 0 || c->sent == size)) {
				struct linger lg = { .l_onoff = 1, .l_linger = 0 };

				if (!closing)
					setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
				close(c->fd);
				c->done = 1;
				left--;
				bytes += c->sent;
				continue;
			}
			if (pfd[i].revents & POLLOUT)
				do_send(c);
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				do_recv(c);
			if (c->got == size && (c->eof || hold)) {
				c->done = 1;
				left--;
				bytes += c->got;
			}
		}
	}
	if (hold) {
		struct sockaddr_in me;
		socklen_t len;

		printf("holding %ld connections\n", k);
		for (long i = 0; i < k; i++) {
			len = sizeof me;
			getsockname(cs[i].fd, (struct sockaddr *)&me, &len);
			printf("local 127.0.0.1:%d\n", ntohs(me.sin_port));
		}
		fflush(stdout);
		while (!stop && now_ms() < deadline_ms)
			poll(NULL, 0, 50);
	}
	for (long i = 0; i < k; i++) {
		if (!reset)
			close(cs[i].fd);
		free(cs[i].out);
	}
	free(cs);
	free(pfd);
	return bytes;
}

int
main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct rlimit rl;
	unsigned long long bytes = 0;
	long seconds = 20, round_s = 0, end_ms, done;
	int c, budget = 0;

	while ((c = getopt(argc, argv, "p:n:c:s:t:T:b:r:hRCFqB")) != -1) {
		switch (c) {
		case 'p': port = (int)number(optarg, 'p', 65535); break;
		case 'n': count = number(optarg, 'n', 10000000); break;
		case 'c': atonce = number(optarg, 'c', 100000); break;
		case 's': size = (size_t)number(optarg, 's', 1L << 32); break;
		case 't': seconds = number(optarg, 't', 86400); break;
		case 'T': round_s = number(optarg, 'T', 86400); break;
		case 'b': rcvbuf = (int)number(optarg, 'b', 1 << 30); break;
		case 'r': rate = number(optarg, 'r', 1L << 30); break;
		case 'h': hold = 1; break;
		case 'R': reset = 1; break;
		case 'C': reset = closing = 1; break;
		case 'F': reset = flood = 1; break;
		case 'q': quiet = 1; break;
		case 'B': budget = 1; break;
		default:
			usage();
		}
	}
	if (port == 0 || optind != argc || atonce < 1 || count < 1 || (hold && reset) ||
	    (budget && round_s == 0))
		usage();
	if (hold)
		count = atonce;
	deadline_ms = end_ms = now_ms() + seconds * 1000;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* many connections at once need fds: take what the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (done = 0; done < count; done += atonce) {
		long k = count - done < atonce ? count - done : atonce;

		if (budget && now_ms() >= end_ms)
			break;
		if (round_s > 0 && (budget || now_ms() + round_s * 1000 < end_ms))
			deadline_ms = now_ms() + round_s * 1000;
		else
			deadline_ms = end_ms;

		bytes += round_of(done, k);
	}
	if (done < count) {
		if (!quiet)
			printf("%ld of %ld connections in the %ld s budget, %llu bytes echoed byte-exact\n",
			    done, count, seconds, bytes);
		return 0;
	}
	if (!quiet)
		printf("%ld connections, %llu bytes %s\n", count, bytes,
		    flood ? "sent, then held" : closing ? "sent, then closed unread" :
		    reset ? "sent, then reset" :
		    "echoed byte-exact");
	return 0;
}
