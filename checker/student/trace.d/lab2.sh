# lab2.sh - the scenario of make trace-lab2 (run by checker/student/trace,
# which documents the helpers): mydaemon starts, beats once, reloads on
# SIGHUP and stops on SIGTERM.
# shellcheck shell=bash disable=SC2034

TRACE_ABOUT="the launcher forks and waits on a pipe; the middle process calls
setsid and forks again; the daemon closes every inherited fd, resets its
signals, takes /dev/null, umask 0 and / as its directory, locks its PID file,
writes 'ready' to the pipe and waits in pselect6 between heartbeats. Then
SIGHUP (a reload) and SIGTERM (a clean stop)."
TRACE_CALLS=clone,clone3,fork,vfork,setsid,pipe2,read,write,wait4,close,close_range,dup2,dup3,openat,flock,ftruncate,umask,chdir,rt_sigaction,rt_sigprocmask,pselect6,unlink,exit_group

trace_scenario() {
	local pidfile=$TRACE_TMP/mydaemon.pid
	traced_bg mydaemon -P "$pidfile" -i 1
	await "the PID file $pidfile" test -s "$pidfile" || return 1
	await "a heartbeat in the log" syslog_has 'mydaemon\[[0-9]+\]: heartbeat' || return 1
	untraced kill -HUP "$(cat "$pidfile")"
	await "the reload in the log" syslog_has 'mydaemon\[[0-9]+\]: .*(reload|HUP)' || return 1
	untraced kill -TERM "$(cat "$pidfile")"
	trace_wait
}
