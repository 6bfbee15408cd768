#!/usr/bin/env bats
# Step 1: a non-blocking listening socket in the epoll set; each wake-up
# accepts every client that waits; one process, one thread.
# bats file_tags=step1

load '../../../checker/lib/kit'
load epollserver

@test "epollserver listens on 127.0.0.1 at the port of -p and logs the mode" {
	serve -m et
	syslog_wait epollserver "$SERVER" "^listening on 127\.0\.0\.1:$PORT \(edge-triggered\)\$" ||
		explain "'epollserver[$SERVER]: listening on 127.0.0.1:$PORT (edge-triggered)' (ident epollserver, LOG_PID)" \
			"$(syslog_lines | tail -n 3)" "$HANDOUT"
}

@test "-a ::1 listens on IPv6's loopback and logs [::1]:PORT" {
	has_ipv6_loopback || skip "this sandbox has no ::1 (IPv6 is off here): -a ::1 is tested where it is on"
	serve -m lt -a ::1
	syslog_wait epollserver "$SERVER" "^listening on \[::1\]:$PORT \(level-triggered\)\$" ||
		explain "'epollserver[$SERVER]: listening on [::1]:$PORT (level-triggered)': an IPv6 address is taken as one" \
			"$(syslog_lines | tail -n 3)" "notes/04-fork-server.md#names-to-addresses-getaddrinfo"
}

@test "bad options get a message and exit 2" {
	local args
	KIT_CMD_TIMEOUT=5	# (for this test) a server that starts runs for ever
	for args in "-m xt" "-m" "-r 0" "-r -1" "-r 2x" "-p 0" "-p 65536" "-a 1.2.3" "-a 1::2::3" "-x" "extra"; do
		# shellcheck disable=SC2086 # each string is split into its words
		run --separate-stderr bounded epollserver $args
		(( status == 2 )) && [[ -n $stderr ]] ||
			explain "epollserver $args: a message on stderr and exit 2" \
				"exit $(status_text), stderr '$stderr'" "$HANDOUT"
	done
}

@test "a burst of 100 connections is accepted in a few wake-ups" {
	serve
	local base
	base=$(fd_count "$SERVER")
	kill -STOP "$SERVER"		# the 100 clients queue up meanwhile
	hold -c 100 -s 0
	kill -CONT "$SERVER"
	wait_until "the 100 clients to be accepted" has_fds "$((base + 100))" || true
	stats
	local w0=$WAKEUPS
	(( NOW == 100 )) ||
		explain "100 connections open" "$NOW" "$NOTES#accepting"
	(( w0 <= 4 )) ||
		explain "the 100 waiting clients accepted in a few wake-ups (accept until EAGAIN)" \
			"$w0 wake-ups" "$NOTES#accepting"
}

@test "500 clients connected: still one process with one thread" {
	serve
	local base
	base=$(fd_count "$SERVER")
	hold -c 500 -s 0
	wait_until "the 500 clients to be accepted" has_fds "$((base + 500))" || true
	stats
	(( NOW == 500 )) || explain "500 connections open" "$NOW" "$NOTES#accepting"
	[[ $(proc_status "$SERVER" Threads) == 1 ]] ||
		explain "Threads: 1 in /proc/$SERVER/status" "$(proc_status "$SERVER" Threads)" "$NOTES#one-thread"
	[[ -z $(children_of "$SERVER") ]] ||
		explain "no child process" "children: $(children_of "$SERVER" | tr '\n' ' ')" "$NOTES#one-thread"
}
