/*
 * short-writes.c - an LD_PRELOAD library for the tests of lab 4: every
 * write() or send() to a stream socket takes at most SHORT_WRITES_MAX
 * bytes (default 512) and returns that count, as a write to a full
 * socket interrupted by a signal may.  A program that does not loop
 * until all is written loses the rest of each reply - a short write made
 * certain, not left to the timing of a stop.  Writes elsewhere (files,
 * pipes, the syslog's datagram socket) are left whole.
 *
 * Use: LD_PRELOAD=.../short-writes.so forkserver ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef ssize_t write_fn(int, const void *, size_t);
typedef ssize_t send_fn(int, const void *, size_t, int);

static size_t
cap(int fd, size_t n)
{
	static size_t max;
	int type, saved = errno;
	socklen_t len = sizeof(type);
	const char *s;

	if (max == 0) {
		s = getenv("SHORT_WRITES_MAX");
		max = s != NULL && atoi(s) > 0 ? (size_t)atoi(s) : 512;
	}
	if (n > max && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_STREAM)
		n = max;
	errno = saved;		/* getsockopt's ENOTSOCK is not the caller's */
	return n;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static write_fn *real;

	if (real == NULL)
		real = (write_fn *)dlsym(RTLD_NEXT, "write");
	return real(fd, buf, cap(fd, n));
}

ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	static send_fn *real;

	if (real == NULL)
		real = (send_fn *)dlsym(RTLD_NEXT, "send");
	return real(fd, buf, cap(fd, n), flags);
}
