# lab6.sh - the scenario of make trace-lab6 (run by checker/student/trace,
# which documents the helpers): echoctl starts the supervised service,
# the server is killed and replaced, echoctl reads the status and stops it.
# shellcheck shell=bash disable=SC2034

TRACE_ABOUT="echoctl start forks and execve's the supervisor and waits for it
(wait4). The supervisor's launcher forks; the middle process calls setsid
and forks again; the launcher exits once the daemon is ready, and start
returns. The daemon forks and execve's epollserver. kill -9 on the server:
the supervisor's wait4 gets the signal, and after the delay a new fork and
execve. echoctl status reads the PID file and /proc (openat), signals
nothing; echoctl stop sends SIGTERM to the supervisor by its pid, which
passes it to the server's group (kill with a negative pid), and looks at
/proc until the supervisor is gone."
TRACE_CALLS=clone,clone3,fork,vfork,execve,setsid,wait4,kill,openat,unlink,exit_group

server_of() {
	local sup
	sup=$(cat "$TRACE_TMP/echoservice.pid" 2>/dev/null) || return 1
	ps -o pid= --ppid "$sup" 2>/dev/null | tr -d ' ' | head -n 1
}
listening() { [[ -n $(ss -Hltn "sport = :$PORT" 2>/dev/null) ]]; }
new_server() { local k; k=$(server_of); [[ -n $k && $k != "$1" ]] && listening; }
started() { grep -q '^started: ' "$TRACE_TMP/bg.out" 2>/dev/null; }

trace_scenario() {
	local ctl=(echoctl -P "$TRACE_TMP/echoservice.pid" -p "$PORT") srv
	traced_bg "${ctl[@]}" start -d 0.5
	await "the server to listen on port $PORT" new_server none || return 1
	await "start to say it started the supervisor" started || return 1
	printf 'hello\n' | untraced echoclient -p "$PORT"
	srv=$(server_of)
	untraced kill -KILL "$srv"
	await "a new server" new_server "$srv" || return 1
	traced "${ctl[@]}" status
	traced "${ctl[@]}" stop
	trace_wait
}
