#!/usr/bin/env bats
# Step 3: echoctl stop - SIGTERM to the supervisor of the PID file (by its
# pid, never by name), then wait until it and its server are gone.
# bats file_tags=step3

load '../../../checker/lib/kit'
load capstone

@test "stop: SIGTERM to the supervisor, which stops the server; both gone when stop returns" {
	start_service
	run ctl stop
	(( status == 0 )) || explain "'echoctl stop' exits 0" "exit $(status_text), '$output'" "$NOTES#stop"
	proc_gone "$SUP" && proc_gone "$SRV" ||
		explain "supervisor $SUP and server $SRV gone when stop returns (it waits for them)" \
			"supervisor: $(proc_state "$SUP"), server: $(proc_state "$SRV")" "$NOTES#stop"
	[[ ! -e $PIDFILE ]] || explain "no PID file after the stop (the supervisor removes it)" "it is there" "$NOTES#stop"
	syslog_find epollserver "$SRV" '^stopping on SIGTERM' ||
		explain "the server stopped by SIGTERM: 'epollserver[$SRV]: stopping on SIGTERM'" \
			"$(syslog_lines epollserver "$SRV" | tail -n 2)" "$NOTES#stop"
}

@test "stop when stopped: exit 0, 'not running'" {
	run ctl stop
	(( status == 0 )) && [[ $output == *"not running"* ]] ||
		explain "exit 0 and 'not running'" "exit $(status_text), '$output'" "$NOTES#stop"
}

@test "stop with a stale PID file removes the file and kills nothing" {
	start_bg sleep 300
	echo "$BG_PID" >"$PIDFILE"
	run ctl stop
	(( status == 0 )) || explain "'echoctl stop' exits 0" "exit $(status_text), '$output'" "$NOTES#stop"
	proc_alive "$BG_PID" ||
		explain "the process the stale file names (sleep $BG_PID, not a supervisor) left alone" "it was killed" "$NOTES#status"
	[[ ! -e $PIDFILE ]] || explain "the stale PID file removed" "it is still there" "$NOTES#stop"
}

@test "stop stops its own supervisor only: another supervisor keeps running" {
	start_bg supervisor -f -P "$BATS_TEST_TMPDIR/other.pid" -- sleep 300
	local other=$BG_PID
	wait_until "the other supervisor's PID file" test -s "$BATS_TEST_TMPDIR/other.pid"
	start_service
	run ctl stop
	proc_gone "$SUP" || explain "supervisor $SUP stopped" "$(proc_state "$SUP")" "$NOTES#stop"
	proc_alive "$other" ||
		explain "the other supervisor ($other, another service) left alone: stop signals the pid of its PID file, not every 'supervisor'" \
			"it was stopped" "$NOTES#stop"
}

@test "stop of a supervisor that does not answer: SIGKILL after -t, its server goes with it, exit 0" {
	start_service
	kill -STOP "$SUP"	# stopped: the SIGTERM stays pending
	local t0=${EPOCHREALTIME/[.,]/}
	run ctl -t 1 stop
	local ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	(( status == 0 )) && proc_gone "$SUP" ||
		explain "'echoctl -t 1 stop' waits 1 s, then SIGKILLs supervisor $SUP, and exits 0 once it is gone" \
			"exit $(status_text) after $ms ms, '$output'; supervisor: $(proc_state "$SUP")" "$NOTES#stop"
	(( ms >= 900 )) || explain "SIGKILL no sooner than -t 1 s after SIGTERM" "stop returned after $ms ms" "$NOTES#stop"
	wait_until "the server to die with its supervisor" proc_gone "$SRV" ||
		explain "server $SRV gone with its supervisor" "$(proc_state "$SRV")" "$NOTES#stop"
	[[ ! -e $PIDFILE ]] || explain "the PID file removed (the supervisor, killed, could not)" "it is there" "$NOTES#stop"
}
