# lab1.sh - the scenario of make trace-lab1 (run by checker/student/trace,
# which documents the helpers): procinfo as a process-group leader, where
# setsid fails, then with every step after a fork.
# shellcheck shell=bash disable=SC2034

TRACE_ABOUT="first, setsid(1) makes procinfo the leader of a new session and
group: procinfo's own setsid then fails with EPERM. Then procinfo -F -S:
the parent forks and waits in wait4; the child, not a group leader, gets
a new session from setsid, sets its umask, creates a file (mode 0666 less
the umask), changes directory and sends its line to the log."
TRACE_CALLS=execve,clone,clone3,fork,vfork,wait4,setsid,umask,openat,chdir,socket,connect,sendto,exit_group

trace_scenario() {
	traced setsid procinfo -S
	traced procinfo -F -S -u 027 -c "$TRACE_TMP/created" -d / -p daemon.info -L "hello from make trace-lab1"
}
