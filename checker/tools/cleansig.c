/*
 * cleansig.c - run a command with every signal at its default action and
 * an empty signal mask, whatever the launcher left: what a program started
 * from a terminal gets.
 *
 * Usage: cleansig COMMAND [ARG...]
 *
 * An ignored signal and the signal mask survive execve, so they are
 * inherited from whatever started the kit: an IDE, a systemd unit or
 * Python ignore SIGPIPE, a script's background job ignores SIGINT and
 * SIGQUIT (a non-interactive bash does that for every `prog &`, the
 * tests' included).  A lab program that forgets to handle one of them
 * would then pass or fail depending on where the kit was started.  A
 * shell cannot undo this (bash's trap does nothing for a signal ignored
 * at its entry), hence this exec wrapper: every signal from 1 to NSIG-1
 * (the real-time ones too) but SIGKILL and SIGSTOP is set to SIG_DFL
 * (glibc's sigaction refuses its internal 32 and 33, which a launcher
 * may still have ignored: those through the rt_sigaction system call,
 * with a kernel sigaction of zeros: SIG_DFL, no flags, an empty mask,
 * whatever the architecture's layout), the mask is emptied, then COMMAND
 * is exec'd: same pid, same process group and session.
 *
 * Exit status: 2 on a usage error; 127 if COMMAND cannot be run (as
 * env(1) does), with "cleansig: COMMAND: reason" on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sigaction dfl;
	unsigned long kdfl[8];	/* a kernel struct sigaction, zeroed: SIG_DFL */
	sigset_t none;
	int sig;

	if (argc < 2) {
		fprintf(stderr, "usage: cleansig COMMAND [ARG...]\n");
		return 2;
	}
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &dfl, NULL) == -1 && errno == EINVAL) {
			memset(kdfl, 0, sizeof kdfl);
			(void)syscall(SYS_rt_sigaction, sig, kdfl, NULL, (size_t)(NSIG / 8));
		}
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1) {
		fprintf(stderr, "cleansig: sigprocmask: %s\n", strerror(errno));
		return 127;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "cleansig: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
