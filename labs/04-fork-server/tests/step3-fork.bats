#!/usr/bin/env bats
# Step 3: one child per connection.  Clients are served at the same time;
# the child gives up the listening socket, the parent the connection; the
# echo survives short writes.
# bats file_tags=step3

load '../../../checker/lib/kit'
load forkserver

@test "two clients at once are served by two different children" {
	serve
	hold -c 2 -s 100
	wait_kids 2
}

@test "a client that sends nothing does not keep another waiting" {
	serve
	hold -c 1 -s 0
	load_ok "an echo within 5 s while another client is connected and silent" \
		"$NOTES#one-child-per-connection" -s 1000 -t 5
}

@test "each connection is logged with the client's address and port and the child's pid" {
	serve
	hold -c 1 -s 10
	wait_kids 1
	local child
	child=$(kids | head -n 1)
	syslog_wait forkserver "$SERVER" "^connection from 127\.0\.0\.1:${LOCAL_PORTS}[^0-9].*[^0-9]$child([^0-9]|\$)" ||
		explain "'forkserver[$SERVER]: connection from 127.0.0.1:$LOCAL_PORTS, child $child'" \
			"$(syslog_lines forkserver | tail -n 3)" "$HANDOUT"
}

@test "the child keeps neither the listening socket nor the parent's self-pipe" {
	serve
	hold -c 1 -s 10
	wait_kids 1
	local child ino
	child=$(kids | head -n 1)
	ino=$(ss -Hltne "sport = :$PORT" | grep -o 'ino:[0-9]*' | head -n 1)
	ino=${ino#ino:}
	[[ -n $ino ]] || explain "the listening socket's inode (ss -ltne)" "$(ss -Hltne)" "$NOTES#listening"
	if fd_targets "$child" | grep -qxF "socket:[$ino]"; then
		explain "the child ($child) has closed the listening socket (socket:[$ino])" \
			"its fds lead to: $(fd_targets "$child" | tr '\n' ' ')" \
			"$NOTES#who-closes-what"
	fi
	# nor the parent's pipes (its self-pipe): those the server made, not
	# those it inherited from this test's shell
	local p kept=''
	for p in $(fd_targets "$SERVER" | grep '^pipe:' | sort -u | grep -vxF -f <(fd_targets "$BASHPID"; echo none)); do
		fd_targets "$child" | grep -qxF "$p" && kept+=" $p"
	done
	[[ -z $kept ]] ||
		explain "the child ($child) has closed the parent's self-pipe: its wake-ups are the parent's" \
			"it keeps${kept}; its fds: $(proc_fds "$child" | tr '\n' ';')" "$NOTES#who-closes-what"
}

@test "200 connections in a row: the server's fd count stays flat" {
	serve
	load_ok "5 connections echoed and closed (a connection ends when every process that holds it has closed it: the parent too)" \
		"$NOTES#who-closes-what" -n 5 -s 10 -t 5
	local before after
	before=$(fd_count "$SERVER")
	load_ok "200 connections echoed, one after another" "$NOTES#echo" -n 200 -s 10
	after=$(fd_count "$SERVER")
	(( after <= before + 2 )) ||
		explain "forkserver's open fds stay near $before after 200 more connections" \
			"$after open fds: $(fd_targets "$SERVER" | tail -n 5 | tr '\n' ' ')..." \
			"$NOTES#who-closes-what"
	# (until step 4 reaps them, its 200 children are zombies: the server
	# goes first, and they go with it, not one by one in the teardown)
	kill -KILL "$SERVER"
	wait_until "forkserver to be gone" proc_gone "$SERVER" || true
}

@test "short writes: the echo survives SIGSTOP and SIGCONT of the child mid-transfer" {
	serve
	start_bg -o "$BATS_TEST_TMPDIR/load.out" echoload -p "$PORT" -s 4M -b 4096 -r 8192 -t 20
	local client=$BG_PID child n=0
	wait_kids 1
	child=$(kids | head -n 1)
	# each stop wakes a write that waits for room, which then returns
	# what it has written so far: a short write.  (A stop every 5 ms is a
	# couple of hundred in the transfer's second, each a short write;
	# without the nap the loop took a core, 1 CPU-s a run, for no more.)
	while proc_alive "$client" && (( n < 10000 )); do
		kill -STOP "$child" 2>/dev/null || true
		kill -CONT "$child" 2>/dev/null || true
		n=$((n + 1))
		nap 0.005
	done
	exited_with "$client" && (( RC == 0 )) ||
		explain "4 MiB echoed byte-exact, though the child was stopped and continued $n times" \
			"$(cat "$BATS_TEST_TMPDIR/load.out" "$BG_ERR")" "$NOTES#short-writes"
}

@test "short writes made certain: every write() to the socket cut to 512 bytes, 1 MiB still comes back byte-exact" {
	# (build/checker/short-writes.so: a write to a stream socket returns
	# after 512 bytes at most, as one interrupted by a signal may; the test
	# above leaves it to the timing of the stops, this one does not)
	start_server env LD_PRELOAD="$HARNESS_TOOLS/short-writes.so${LD_PRELOAD:+:$LD_PRELOAD}" \
		forkserver -p "$PORT"
	load_ok "1 MiB echoed byte-exact, though each write() to the socket took 512 bytes at most" \
		"$NOTES#short-writes" -s 1M
}

@test "killed with a connection open, it can listen again at once on the same port" {
	serve
	hold -c 1 -s 10
	wait_kids 1
	local k
	for k in $(kids) "$SERVER"; do kill -KILL "$k"; done
	wait_until "the old server to be gone" proc_gone "$SERVER"
	serve
}
