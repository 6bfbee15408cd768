/*
 * freeport.c - print a TCP port on 127.0.0.1 that is free right now, for
 * the fallback sandbox, which shares the host's network and so cannot use
 * the labs' fixed default port.  (Another program may take the port before
 * the test does; the private network namespace of the real sandbox has no
 * such race.)
 *
 * Usage: freeport
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == -1)
		err(1, "bind 127.0.0.1:0");
	if (getsockname(fd, (struct sockaddr *)&a, &len) == -1)
		err(1, "getsockname");
	printf("%d\n", ntohs(a.sin_port));
	close(fd);
	return 0;
}
