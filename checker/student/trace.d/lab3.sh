# lab3.sh - the scenario of make trace-lab3 (run by checker/student/trace,
# which documents the helpers): a command that keeps dying, then one that
# is stopped.
# shellcheck shell=bash disable=SC2034

TRACE_ABOUT="first the supervisor runs false, which dies at once: each start is
a fork, setpgid and execve in the child, each death a wait4 with its status,
then a wait (poll) that grows, until it gives up. Then it supervises
sleep, and SIGTERM makes it stop the child's whole group (kill with a
negative pid) and reap it before it exits."
TRACE_CALLS=clone,clone3,fork,vfork,execve,setpgid,prctl,wait4,kill,poll,ppoll,exit_group

trace_scenario() {
	traced supervisor -f -P "$TRACE_TMP/first.pid" -d 0.1 -D 0.4 -b 2 -w 5 -- false
	local pidfile=$TRACE_TMP/second.pid
	traced_bg supervisor -f -P "$pidfile" -- sleep 300
	await "the PID file $pidfile" test -s "$pidfile" || return 1
	await "the child's start in the log" syslog_has 'supervisor\[[0-9]+\]: child [0-9]+ started' || return 1
	untraced kill -TERM "$(cat "$pidfile")"
	trace_wait
}
