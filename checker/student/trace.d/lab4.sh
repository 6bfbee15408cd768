# lab4.sh - the scenario of make trace-lab4 (run by checker/student/trace,
# which documents the helpers): three clients of the fork server, then a
# stop with a fourth client still connected.
# shellcheck shell=bash disable=SC2034

TRACE_ABOUT="forkserver listens (socket, setsockopt SO_REUSEADDR, bind, listen).
For each client, accept4 returns a connection, clone makes the child, and
the parent closes the connection's fd at once; the child closes the
listening socket. Each child's exit brings a SIGCHLD, and the handler
calls wait4 until it returns 0 or -1. At SIGTERM: the listening socket is
closed, kill sends SIGTERM to each child, wait4 reaps them."
TRACE_CALLS=socket,setsockopt,bind,listen,accept,accept4,clone,clone3,fork,close,wait4,kill,shutdown,exit_group

# server_pid - the pid in the server's "listening on" line
server_pid() {
	grep -oE 'forkserver\[[0-9]+\]: listening on' "$HARNESS_SYSLOG" | grep -oE '[0-9]+' | head -n 1
}
connections() { grep -c 'forkserver\[[0-9]*\]: connection from' "$HARNESS_SYSLOG"; }

trace_scenario() {
	traced_bg forkserver -p "$PORT"
	await "forkserver to listen on port $PORT" syslog_has 'forkserver\[[0-9]+\]: listening on' || return 1
	local i
	for i in 1 2 3; do
		printf 'hello %s\n' "$i" | untraced echoclient -p "$PORT"
	done
	local fd
	say "(a fourth client connects and stays connected)"
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	# shellcheck disable=SC2016 # eval expands it, at each look
	await "the fourth connection" eval '(( $(connections) >= 4 ))' || return 1
	untraced kill -TERM "$(server_pid)"
	trace_wait
	exec {fd}>&-
}
