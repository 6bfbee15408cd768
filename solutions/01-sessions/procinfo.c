/*
 * procinfo.c - a process reports who it is: pid, parent, process group,
 * session, controlling terminal, umask and working directory; on request
 * it first takes the steps a daemon takes (fork, setsid, umask, chdir,
 * syslog), so that each can be watched from outside.
 *
 * Usage: procinfo [-FSw] [-u mask] [-c file] [-d dir] [-p facility.level]
 *                 [-L message]
 * Notes: notes/01-sessions.md
 *
 * The steps run in this order, whatever the order of the options:
 *   -F  fork; the parent prints its own line first, waits for the child
 *       and exits with the child's status; the child goes on
 *   -S  setsid()
 *   -u  umask(mask), mask in octal
 *   -c  create file with mode 0666 (the umask takes its bits away)
 *   -d  chdir(dir)
 *   -L  log message to syslog as "procinfo[PID]: message", with the
 *       facility and level of -p (default user.notice)
 * then print one line (see print_identity) and, with -w, wait for a
 * signal, so that the process can be inspected while it is alive.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#define SYSLOG_NAMES		/* glibc: facilitynames[], prioritynames[] */
#include <syslog.h>
#include <termios.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: procinfo [-FSw] [-u mask] [-c file] [-d dir] "
	    "[-p facility.level] [-L message]\n");
	exit(2);
}

/*
 * Step 1: the name of our controlling terminal, or "none".  Opening /dev/tty
 * fails with ENXIO exactly when the process has no controlling terminal.
 * Its device number is tty_nr, field 7 of /proc/self/stat (what ps reads);
 * the usual shortcut, a heuristic, names whichever of fds 0-2 is a
 * terminal of our session, and finds none when it is on none of them.
 */
static const char *
ctty_name(void)
{
	const char *name;
	int fd, i;

	if ((fd = open("/dev/tty", O_RDONLY | O_NOCTTY)) == -1)
		return "none";
	close(fd);
	for (i = 0; i <= 2; i++) {
		if (isatty(i) && tcgetsid(i) == getsid(0) &&
		    (name = ttyname(i)) != NULL)
			return name;
	}
	return "/dev/tty";	/* we have one, but not on fds 0-2 */
}

/*
 * Step 1: one line, keys in this order, cwd last because it may hold spaces:
 * pid=12 ppid=7 pgid=12 sid=7 tty=/dev/pts/0 umask=0022 cwd=/home/me
 */
static void
print_identity(void)
{
	char cwd[PATH_MAX];
	mode_t mask;

	mask = umask(0);	/* the only way to read it is to set it... */
	umask(mask);		/* ...so put it back at once */
	if (getcwd(cwd, sizeof cwd) == NULL)
		err(1, "getcwd");
	printf("pid=%d ppid=%d pgid=%d sid=%d tty=%s umask=%04o cwd=%s\n",
	    (int)getpid(), (int)getppid(), (int)getpgrp(), (int)getsid(0),
	    ctty_name(), (unsigned)mask, cwd);
}

/* Step 2: fork; the parent waits and exits with the child's status. */
static void
fork_and_wait(void)
{
	pid_t pid;
	int status;

	fflush(stdout);		/* or the child inherits our unwritten output */
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0)
		return;		/* the child goes on with the steps */
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid %d", (int)pid);
	if (WIFSIGNALED(status))
		exit(128 + WTERMSIG(status));
	exit(WEXITSTATUS(status));
}

/* "daemon.info" -> LOG_DAEMON, LOG_INFO, by glibc's tables of names. */
static int
parse_priority(const char *s, int *facility, int *level)
{
	const char *dot = strchr(s, '.');
	const CODE *c;

	if (dot == NULL)
		return -1;
	for (c = facilitynames; c->c_name != NULL; c++)
		if (strncmp(c->c_name, s, (size_t)(dot - s)) == 0 &&
		    c->c_name[dot - s] == '\0')
			break;
	if (c->c_name == NULL || LOG_FAC(c->c_val) >= LOG_NFACILITIES)
		return -1;	/* unknown, or glibc's internal "mark" */
	*facility = c->c_val;
	for (c = prioritynames; c->c_name != NULL; c++)
		if (strcmp(c->c_name, dot + 1) == 0 && c->c_val <= LOG_DEBUG)
			break;		/* not glibc's internal "none" */
	if (c->c_name == NULL)
		return -1;
	*level = c->c_val;
	return 0;
}

/* Step 2: leave the session and process group we were started in. */
static void
new_session(void)
{
	if (setsid() == -1)
		err(1, "setsid");	/* EPERM: we lead a process group */
}

/* Step 3: "0027" -> 027; anything but octal 0-777 is a usage error. */
static mode_t
parse_umask(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 8);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 0777)
		errx(2, "umask must be an octal number from 0 to 777, not '%s'", s);
	return (mode_t)v;
}

/* Step 3: a new, empty file; the umask takes its bits from 0666. */
static void
create_file(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666)) == -1)
		err(1, "create %s", path);
	close(fd);
}

/* Step 4: move to dir. */
static void
change_dir(const char *dir)
{
	if (chdir(dir) == -1)
		err(1, "chdir %s", dir);
}

/* Step 5: one line to syslog, "procinfo[PID]: message". */
static void
log_message(int facility, int level, const char *message)
{
	openlog("procinfo", LOG_PID, facility);
	syslog(level, "%s", message);	/* never syslog(level, message) */
	closelog();
}

int
main(int argc, char **argv)
{
	const char *create = NULL, *dir = NULL, *message = NULL;
	int do_fork = 0, do_setsid = 0, do_wait = 0, set_umask = 0, ch;
	int facility = LOG_USER, level = LOG_NOTICE;
	mode_t mask = 0;

	while ((ch = getopt(argc, argv, "FSwu:c:d:p:L:h")) != -1) {
		switch (ch) {
		case 'F': do_fork = 1; break;
		case 'S': do_setsid = 1; break;
		case 'w': do_wait = 1; break;
		case 'u': mask = parse_umask(optarg); set_umask = 1; break;
		case 'c': create = optarg; break;
		case 'd': dir = optarg; break;
		case 'L': message = optarg; break;
		case 'p':
			if (parse_priority(optarg, &facility, &level) == -1)
				errx(2, "-p wants facility.level, e.g. daemon.info, "
				    "not '%s'", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	if (do_fork) {
		print_identity();
		fork_and_wait();	/* only the child returns */
	}
	if (do_setsid)
		new_session();
	if (set_umask)
		umask(mask);
	if (create != NULL)
		create_file(create);
	if (dir != NULL)
		change_dir(dir);
	if (message != NULL)
		log_message(facility, level, message);
	print_identity();
	if (fflush(stdout) == EOF)	/* before we wait, or no one sees it */
		err(1, "stdout");
	while (do_wait)
		pause();		/* until a signal ends us */
	return 0;
}
