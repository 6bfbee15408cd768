/*
 * procinfo.c - a process reports who it is: pid, parent, process group,
 * session, controlling terminal, umask and working directory; on request
 * it first takes the steps a daemon takes (fork, setsid, umask, chdir,
 * syslog), so that each can be watched from outside.
 *
 * This is the starter: each TODO(step N) is yours to write.  The TODOs
 * say what is wanted and why; the calls, their order and their shape
 * are in the handout's hints (make hint-lab1 STEP=N shows them one at a
 * time): labs/01-sessions/README.md walks you through the steps.
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
	/*
	 * TODO(step 1): "none" when the process has no controlling terminal,
	 * else the terminal's name ("/dev/pts/3").  Whether there is one and
	 * what it is called are two questions: the notes' "The controlling
	 * terminal" says what answers each, and why the obvious answer (the
	 * terminal on fd 0) can be wrong.  Close whatever you open.
	 */
	return "TODO";
}

/*
 * Step 1: one line, keys in this order, cwd last because it may hold spaces:
 * pid=12 ppid=7 pgid=12 sid=7 tty=/dev/pts/0 umask=0022 cwd=/home/me
 */
static void
print_identity(void)
{
	/*
	 * TODO(step 1): the real values, each from its own call in sections
	 * 2 and 3 of the manual.  Reading them must change nothing: read
	 * umask(2) closely.  The directory's name needs a buffer of yours,
	 * and can fail to come.
	 */
	pid_t ppid = -1, pgid = -1, sid = -1;
	mode_t mask = 0;
	const char *cwd = "TODO";

	printf("pid=%d ppid=%d pgid=%d sid=%d tty=%s umask=%04o cwd=%s\n",
	    (int)getpid(), (int)ppid, (int)pgid, (int)sid, ctty_name(),
	    (unsigned)mask, cwd);
}

/* Step 2: fork; the parent waits and exits with the child's status. */
static void
fork_and_wait(void)
{
	/*
	 * TODO(step 2): two processes from here on.  The child goes on with
	 * the steps (it returns from this function); the parent waits for it
	 * and exits the way the child ended, so that the shell sees it: the
	 * child's exit status, or 128 + the signal that killed it.  Anything
	 * still in stdout's buffer at this point would be printed twice.
	 */
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
	/*
	 * TODO(step 2): a new session, led by this process.  That can fail
	 * (setsid(2) says when): then exit 1 with "procinfo: setsid: " and
	 * the reason on stderr.
	 */
}

/* Step 3: "0027" -> 027; anything but octal 0-777 is a usage error. */
static mode_t
parse_umask(const char *s)
{
	/*
	 * TODO(step 3): s as an octal number from 0 to 0777.  Anything else
	 * (a stray character, a sign, a number too big, nothing at all) is a
	 * usage error: exit 2 with a message that quotes s.  The C library
	 * reads numbers in any base; its manual page says how to tell that
	 * the whole of s was one.
	 */
	(void)s;
	return 022;
}

/* Step 3: a new, empty file; the umask takes its bits from 0666. */
static void
create_file(const char *path)
{
	/*
	 * TODO(step 3): a new, empty file at path.  Ask for mode 0666 and
	 * let the umask alone take bits away; a file already there is an
	 * error, not one to reuse.  A failure: exit 1 with "create PATH" and
	 * the reason.
	 */
	(void)path;
}

/* Step 4: move to dir. */
static void
change_dir(const char *dir)
{
	/*
	 * TODO(step 4): into dir; a failure: exit 1 with "chdir DIR" and the
	 * reason.
	 */
	(void)dir;
}

/* Step 5: one line to syslog, "procinfo[PID]: message". */
static void
log_message(int facility, int level, const char *message)
{
	/*
	 * TODO(step 5): message to the system log, at facility and level,
	 * from "procinfo" with its pid.  The message is the user's text:
	 * what if it holds "%n"?  Leave the log as you found it.
	 */
	(void)facility;
	(void)level;
	(void)message;
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
		(void)mask;	/* TODO(step 3): set the process's umask to mask */
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
