# lab5.sh - the scenario of make trace-lab5 (run by checker/student/trace,
# which documents the helpers): the same clients against epollserver in
# each mode, then a stop.
# shellcheck shell=bash disable=SC2034

TRACE_ABOUT="one process, one thread, for every client: epoll_create1, then
epoll_ctl ADD for the listener and each client; each epoll_wait returns
the ready fds. With -r 1, level-triggered, epoll_wait returns once for
every byte; edge-triggered, the line's other bytes bring no event and only
the first byte comes back until the client sends more. EPOLL_CTL_MOD adds
EPOLLOUT only while a reply waits."
TRACE_CALLS=epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,accept4,read,sendto,close,exit_group

server_pid() {
	grep -oE "epollserver\[[0-9]+\]: listening on .*\($1" "$HARNESS_SYSLOG" |
		grep -oE '\[[0-9]+\]' | tr -d '[]' | tail -n 1
}

trace_scenario() {
	local m
	for m in level edge; do
		traced_bg epollserver -p "$PORT" -m "${m:0:1}t" -r 1
		await "epollserver to listen ($m-triggered)" \
			syslog_has "epollserver\[[0-9]+\]: listening on .*\($m" || return 1
		local fd
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
		say "\$ (a client sends 'hello', 5 bytes; epollserver reads 1 byte per event)"
		printf 'hello' >&"$fd"
		say "    back within 1 s: '$(timeout 1 cat <&"$fd")'"
		say "\$ (the client sends '!')"
		printf '!' >&"$fd"
		say "    back within 1 s: '$(timeout 1 cat <&"$fd")'"
		exec {fd}>&-
		untraced kill -TERM "$(server_pid "$m")"
		trace_wait
	done
}
