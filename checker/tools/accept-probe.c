/*
 * accept-probe.c - an LD_PRELOAD library for the tests of lab 4: when
 * accept() or accept4() fails, it raises SIGCHLD in the caller before it
 * returns, so that the program's SIGCHLD handler runs exactly between
 * the failure and the moment the program reads errno.  A handler that
 * does not save and restore errno then changes the error the program
 * sees (waitpid leaves ECHILD behind) - a race made certain.
 *
 * Use: LD_PRELOAD=.../accept-probe.so forkserver ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <sys/socket.h>

typedef int accept_fn(int, struct sockaddr *, socklen_t *);
typedef int accept4_fn(int, struct sockaddr *, socklen_t *, int);

int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	static accept_fn *real;
	int r;

	if (real == NULL)
		real = (accept_fn *)dlsym(RTLD_NEXT, "accept");
	if ((r = real(fd, addr, len)) == -1)
		raise(SIGCHLD);		/* errno is now whatever the handler left */
	return r;
}

int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	static accept4_fn *real;
	int r;

	if (real == NULL)
		real = (accept4_fn *)dlsym(RTLD_NEXT, "accept4");
	if ((r = real(fd, addr, len, flags)) == -1)
		raise(SIGCHLD);
	return r;
}
