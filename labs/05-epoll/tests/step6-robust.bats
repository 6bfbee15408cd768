#!/usr/bin/env bats
# Step 6: what must not disturb the others: clients that reset or close
# without reading, signals (epoll_wait fails with EINTR), no fd left.
# bats file_tags=step6

load '../../../checker/lib/kit'
load epollserver

@test "clients that reset, and a storm of signals, do not disturb the others" {
	serve -m et
	start_bg -o "$BATS_TEST_TMPDIR/load.out" echoload -p "$PORT" -n 400 -c 50 -s 64K -t 30
	local client=$BG_PID i=0
	while proc_alive "$client" && (( i < 200000 )); do
		kill -USR1 "$SERVER" 2>/dev/null || true
		(( ++i % 500 )) || bounded echoload -p "$PORT" -R -b 4096 -s 4M -q >/dev/null 2>&1 || true
	done
	exited_with "$client" && (( RC == 0 )) ||
		explain "400 clients served byte-exact, though others reset and $i SIGUSR1 came meanwhile (EINTR is no error)" \
			"$(cat "$BATS_TEST_TMPDIR/load.out" "$BG_ERR")" "$NOTES#what-must-not-stop-the-server"
	proc_alive "$SERVER" ||
		explain "epollserver still running" "it exited" "$NOTES#what-must-not-stop-the-server"
}

@test "clients that close without reading their replies: SIGPIPE does not kill the server" {
	local i m
	for m in lt et; do
		serve -m "$m"
		for i in 1 2 3; do
			kill -STOP "$SERVER"	# the client closes before any reply is sent
			load_ok "a client sends and closes" "$NOTES#what-must-not-stop-the-server" -C -s 200K -t 10
			kill -CONT "$SERVER"
			load_ok "-m $m: the server answers the next client" "$NOTES#what-must-not-stop-the-server" -s 100 -t 5
		done
		stop_pid "$SERVER"
	done
}

@test "accept fails with EMFILE: no busy loop, each client turned away is closed, and clients are served again once fds are free" {
	serve -m lt
	prlimit --pid "$SERVER" --nofile="$(lowest_free_fd "$SERVER"):"
	start_bg -o "$BATS_TEST_TMPDIR/load.out" echoload -p "$PORT" -s 16 -t 30
	! spins "$SERVER" ||
		explain "under 0.1 s of CPU in 1 s, and busy at fewer than 15 of 20 looks, while accept fails (the listener stays readable: take the client off the queue)" \
			"$SPIN_SEEN: a busy loop" "$NOTES#no-fd-left"
	# a client turned away is closed, and so is the next one: the spare
	# fd comes back each time
	local i
	for i in 1 2; do
		start_bg -o "$BATS_TEST_TMPDIR/away$i.out" socat -u "TCP:127.0.0.1:$PORT" STDOUT
		wait_until "client $i, turned away, to read the end of its connection" proc_gone "$BG_PID" ||
			explain "client $i, connected while no fd is left, taken off the queue with the spare fd and closed: it reads end of file" \
				"its connection is still open: $(ss -Htn "( dport = :$PORT )" 2>/dev/null | head -n 3 | tr -s ' ' | tr '\n' ';')" "$NOTES#no-fd-left"
	done
	prlimit --pid "$SERVER" --nofile=1024:
	load_ok "a client served once fds are free again" "$NOTES#no-fd-left" -s 16 -t 5
}
