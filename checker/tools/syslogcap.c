/*
 * syslogcap.c - a tiny syslog daemon for tests: capture every datagram
 * sent to an AF_UNIX socket (normally the sandbox's private /dev/log) and
 * append it, one line per message, to a file the tests read.
 *
 * Usage: syslogcap [-d] SOCKET OUTFILE
 *   -d  detach once the socket is bound: the parent exits 0 only when the
 *       socket is ready, so the caller needs no polling loop.
 *
 * Each line is the datagram exactly as glibc's syslog() sent it,
 * "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE", with trailing NULs and
 * newlines removed.  SIGTERM or SIGINT: unlink the socket, exit 0.
 *
 * The file stops growing at 16 MiB (one last line says so), so that a
 * program that logs in a tight loop cannot fill the disk.
 *
 * A datagram "kit-sync:TOKEN" is not logged: TOKEN is written to
 * OUTFILE.sync instead.  A datagram socket delivers in order, so once the
 * token is there every message sent before it is in OUTFILE: a test can
 * wait for that instead of guessing how long the capture takes.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

#define MAX_LOG		(16L << 20)
#define SYNC		"kit-sync:"
#define SYNC_LEN	((ssize_t)sizeof SYNC - 1)

/* Replace the contents of path with the token (write, then rename). */
static void
write_sync(const char *path, const char *token, size_t len)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		err(1, "open %s", tmp);
	if (write(fd, token, len) != (ssize_t)len || close(fd) == -1)
		err(1, "write %s", tmp);
	if (rename(tmp, path) == -1)
		err(1, "rename %s", tmp);
}

static void
usage(void)
{
	fprintf(stderr, "usage: syslogcap [-d] SOCKET OUTFILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART */
	static char buf[65536];
	char syncpath[4096];
	long written = 0;
	int detach = 0, sock, out, ch;

	while ((ch = getopt(argc, argv, "d")) != -1) {
		if (ch != 'd')
			usage();
		detach = 1;
	}
	if (argc - optind != 2)
		usage();
	if (strlen(argv[optind]) >= sizeof addr.sun_path)
		errx(2, "socket path too long: %s", argv[optind]);
	strcpy(addr.sun_path, argv[optind]);

	out = open(argv[optind + 1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out == -1)
		err(1, "open %s", argv[optind + 1]);
	if (snprintf(syncpath, sizeof syncpath, "%s.sync", argv[optind + 1]) >=
	    (int)sizeof syncpath)
		errx(2, "path too long: %s", argv[optind + 1]);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock == -1)
		err(1, "socket");
	if (unlink(addr.sun_path) == -1 && errno != ENOENT)
		err(1, "unlink %s", addr.sun_path);
	if (bind(sock, (struct sockaddr *)&addr, sizeof addr) == -1)
		err(1, "bind %s", addr.sun_path);
	if (chmod(addr.sun_path, 0666) == -1)
		err(1, "chmod %s", addr.sun_path);

	if (detach) {
		pid_t pid = fork();
		if (pid == -1)
			err(1, "fork");
		if (pid > 0)
			_exit(0);	/* bound and ready: tell the caller */
		int null = open("/dev/null", O_RDWR);
		if (null != -1) {
			dup2(null, 0);
			dup2(null, 1);
			if (null > 1)
				close(null);
		}
	}

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop_requested) {
		ssize_t n = recv(sock, buf, sizeof buf - 1, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err(1, "recv");
		}
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
			n--;
		if (n >= SYNC_LEN && memcmp(buf, SYNC, SYNC_LEN) == 0) {
			write_sync(syncpath, buf + SYNC_LEN, (size_t)(n - SYNC_LEN));
			continue;
		}
		buf[n++] = '\n';
		if (written >= MAX_LOG)
			continue;
		if (written + n > MAX_LOG) {
			n = snprintf(buf, sizeof buf, "syslogcap: log full (%ld bytes), "
			    "later messages dropped\n", MAX_LOG);
			written = MAX_LOG;
		} else
			written += n;
		if (write(out, buf, (size_t)n) != n)	/* one write: one whole line */
			err(1, "write %s", argv[optind + 1]);
	}
	unlink(addr.sun_path);
	return 0;
}
