/*
 * minfork.c - the least a fork-per-connection TCP echo server can be, the
 * baseline of `make bench`: accept, fork, echo in the child.  No logging,
 * no stop, no bookkeeping; the kernel reaps the children (SIGCHLD
 * ignored).  Lab 4's forkserver does everything this one leaves out; the
 * bench shows what that costs.
 *
 * Usage: minfork [-p port]    (127.0.0.1, default port 6666)
 * Notes: README.md "Benchmarks"
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void
echo(int fd)
{
	char buf[16384];
	ssize_t n, w;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (char *p = buf; n > 0; p += w, n -= w)
			if ((w = write(fd, p, (size_t)n)) == -1)
				_exit(1);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int port = 6666, lfd, c, on = 1;

	while ((c = getopt(argc, argv, "p:")) != -1) {
		if (c != 'p')
			errx(2, "usage: minfork [-p port]");
		port = atoi(optarg);
	}
	signal(SIGCHLD, SIG_IGN);	/* no zombies: the kernel reaps */
	signal(SIGPIPE, SIG_IGN);
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) == -1)
		err(1, "bind 127.0.0.1:%d", port);
	if (listen(lfd, SOMAXCONN) == -1)
		err(1, "listen");
	for (;;) {
		int cfd = accept(lfd, NULL, NULL);

		if (cfd == -1) {
			if (errno != EINTR && errno != ECONNABORTED)
				usleep(100000);		/* out of fds: no busy loop */
			continue;
		}
		switch (fork()) {
		case -1:
			usleep(100000);
			break;
		case 0:
			close(lfd);
			echo(cfd);
		}
		close(cfd);
	}
}
