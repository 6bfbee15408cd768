/*
 * syslog-shim.c - LD_PRELOAD library for the fallback sandbox, where no
 * private /dev/log can be mounted.  glibc's syslog() writes to /dev/log
 * through internal calls that cannot be interposed, so this library
 * replaces the public entry points (openlog, syslog, vsyslog, closelog and
 * the _FORTIFY_SOURCE variants) and sends the same datagram glibc would,
 * "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE", to $HARNESS_SYSLOG_SOCK.
 * Like glibc, it keeps its socket open from the first message on, so a
 * program that has used up its fds can still log; it checks that the fd
 * is still its own socket before each use (a daemon may have closed it,
 * and the number may now belong to another file).
 * Works for dynamically linked programs only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *log_ident;
static int log_option;
static int log_facility = LOG_USER;
static int log_fd = -1;
static ino_t log_ino;

/* our socket, still open and still ours; or a new one; or -1 */
static int
log_socket(void)
{
	struct stat st;

	if (log_fd != -1 && fstat(log_fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_ino == log_ino)
		return log_fd;
	log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_fd != -1 && fstat(log_fd, &st) == 0)
		log_ino = st.st_ino;
	return log_fd;
}

void
openlog(const char *ident, int option, int facility)
{
	log_ident = ident;
	log_option = option;
	if (facility != 0)
		log_facility = facility;
}

void
closelog(void)
{
	struct stat st;

	if (log_fd != -1 && fstat(log_fd, &st) == 0 && st.st_ino == log_ino)
		close(log_fd);
	log_fd = -1;
	log_ident = NULL;
}

void
vsyslog(int pri, const char *fmt, va_list ap)
{
	int saved = errno, fd, n;
	const char *path = getenv("HARNESS_SYSLOG_SOCK");
	const char *ident;
	char msg[2048], line[2400], stamp[32];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct tm tm;
	time_t now;

	if (path == NULL || strlen(path) >= sizeof addr.sun_path)
		return;
	errno = saved;				/* so %m works */
	vsnprintf(msg, sizeof msg, fmt, ap);
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%b %e %T", &tm);
	if ((pri & LOG_FACMASK) == 0)
		pri |= log_facility;
	ident = log_ident != NULL ? log_ident : program_invocation_short_name;
	if (log_option & LOG_PID)
		n = snprintf(line, sizeof line, "<%d>%s %s[%d]: %s", pri, stamp,
		    ident, (int)getpid(), msg);
	else
		n = snprintf(line, sizeof line, "<%d>%s %s: %s", pri, stamp,
		    ident, msg);
	if (n >= (int)sizeof line)
		n = sizeof line - 1;
	strcpy(addr.sun_path, path);
	if ((fd = log_socket()) != -1)
		sendto(fd, line, (size_t)n, 0, (struct sockaddr *)&addr, sizeof addr);
	errno = saved;
}

void
syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

void
__vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}

void
__syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}
