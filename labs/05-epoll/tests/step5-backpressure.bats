#!/usr/bin/env bats
# Step 5: a write the socket does not take whole keeps the rest for
# EPOLLOUT; a client that sends without reading is stopped (back-
# pressure) and cannot grow the server's memory or slow the others.
# bats file_tags=step5

load '../../../checker/lib/kit'
load epollserver

@test "a slow reader gets all of its 4 MiB back, in both modes" {
	local m
	for m in lt et; do
		serve -m "$m"
		load_ok "-m $m: 4 MiB back, byte-exact, to a client that reads slowly (the unsent rest waits for EPOLLOUT)" \
			"$NOTES#writes-that-do-not-complete" -s 4M -b 4096 -r 8192 -t 15
		stop_pid "$SERVER"
	done
}

@test "a slow reader does not hold up the others" {
	serve -m et
	# the server's fds before the reader connects (else the wait is for
	# one more), once it has logged (syslog's socket is one of them)
	syslog_wait epollserver "$SERVER" '^listening on ' || true
	_fd_n "$SERVER"
	local fds=$FD_N
	start_bg echoload -p "$PORT" -s 8M -b 4096 -r 64 -t 60	# about 2 minutes of reading
	wait_until "the slow reader's connection" has_fds "$(( fds + 1 ))" || true
	load_ok "20 other clients served within 5 s while one reads slowly (non-blocking sockets)" \
		"$NOTES#writes-that-do-not-complete" -n 20 -s 10K -t 5
}

stalled_or_grown() {
	grep -q '^stalled' "$BATS_TEST_TMPDIR/flood.out" ||
		(( $(proc_status "$SERVER" VmRSS) > 32 * 1024 )) || proc_gone "$SERVER"
}

@test "a client that sends without reading is stopped, memory stays bounded, others are served" {
	local m rss
	for m in lt et; do
		# (at most 1 GiB of memory, whatever happens)
		start_server prlimit --as=1073741824 epollserver -p "$PORT" -m "$m"
		start_bg -o "$BATS_TEST_TMPDIR/flood.out" echoload -p "$PORT" -F -s 4096M -t 60
		wait_until -t 20 "the flooding client to be stopped, or the server to grow" \
			stalled_or_grown ||
			explain "-m $m: the server stops reading a client whose replies pile up (back-pressure)" \
				"$(cat "$BATS_TEST_TMPDIR/flood.out") after 20 s; server VmRSS $(proc_status "$SERVER" VmRSS) kB" \
				"$NOTES#back-pressure"
		rss=$(proc_status "$SERVER" VmRSS)
		(( rss < 32 * 1024 )) ||
			explain "-m $m: VmRSS under 32 MiB" "$rss kB" "$NOTES#back-pressure"
		load_ok "-m $m: another client served within 5 s during the flood" "$NOTES#back-pressure" -s 100K -t 5
		stop_pid "$BG_PID"
		stop_pid "$SERVER"
	done
}
