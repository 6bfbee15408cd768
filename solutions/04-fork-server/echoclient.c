/*
 * echoclient.c - send standard input to a TCP echo server and print what
 * comes back.  At the end of the input it half-closes the connection
 * (shutdown SHUT_WR: "no more from me"), prints the rest of the reply
 * and exits 0 when the server closes its side.
 *
 * Usage: echoclient [-p port] [host]     (default 127.0.0.1, port 6666)
 * Exit: 0 done, 1 connection or I/O error, 2 usage.
 * Notes: notes/04-fork-server.md#half-close
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: echoclient [-p port] [host]\n");
	exit(2);
}

/* Connect to host:port, trying each address; exit 1 with the reason. */
static int
connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s: %s", host, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		errno = saved;
		err(1, "connect %s:%s", host, port);
	}
	return fd;
}

static void
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, buf, n)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "write to standard output");
		}
		buf += w;
		n -= (size_t)w;
	}
}

int
main(int argc, char *argv[])
{
	const char *host = "127.0.0.1", *port = "6666";
	char out[65536], in[65536];
	size_t pending = 0, off = 0;	/* read from stdin, not yet sent */
	int fd, c, input_open = 1;
	long p;
	char *end;

	while ((c = getopt(argc, argv, "p:")) != -1) {
		switch (c) {
		case 'p':
			p = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || p < 1 || p > 65535) {
				errx(2, "-p wants a port from 1 to 65535, not '%s'", optarg);
			}
			port = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind > 1)
		usage();
	if (optind < argc)
		host = argv[optind];
	signal(SIGPIPE, SIG_IGN);	/* a server that is gone: EPIPE */

	fd = connect_to(host, port);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl");

	/*
	 * Send and receive at once: a client that writes everything before
	 * it reads deadlocks with an echo server as soon as both sides'
	 * buffers are full (the server waits for us to read, we wait for it).
	 */
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = pending == 0 && input_open ? 0 : -1, .events = POLLIN },
			{ .fd = fd, .events = POLLIN | (pending > 0 ? POLLOUT : 0) },
		};
		ssize_t n;

		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = read(0, out, sizeof out)) == -1 && errno != EINTR)
				err(1, "read standard input");
			if (n == 0) {		/* end of input: half-close */
				input_open = 0;
				if (shutdown(fd, SHUT_WR) == -1)
					err(1, "shutdown");
			} else if (n > 0) {
				pending = (size_t)n;
				off = 0;
			}
		}
		if (pending > 0 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			if ((n = write(fd, out + off, pending)) == -1 &&
			    errno != EAGAIN && errno != EINTR)
				err(1, "send to %s:%s", host, port);
			if (n > 0) {
				off += (size_t)n;
				pending -= (size_t)n;
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = read(fd, in, sizeof in)) == 0)
				break;		/* the server is done too */
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				err(1, "receive from %s:%s", host, port);
			if (n > 0)
				write_all(1, in, (size_t)n);
		}
	}
	close(fd);
	return 0;
}
