#!/usr/bin/env bats
# Step 6: stop.  SIGTERM or SIGINT: stop accepting, SIGTERM to every
# child, reap them, log, exit 0; the port is free at once.
# bats file_tags=step6

load '../../../checker/lib/kit'
load forkserver

# stop_with SIGNAL - 3 clients connected, then SIGNAL to the server:
# it and every child must be gone, with exit status 0
stop_with() {
	serve
	hold -c 3 -s 10
	wait_kids 3
	local k kids_then
	kids_then=$(kids)
	kill "-$1" "$SERVER"
	exited_with "$SERVER" ||
		explain "forkserver gone within ${KIT_DEADLINE} s of SIG$1" \
			"it still runs (the test starts it with every signal at its default, as a terminal does: does its handler end the accept loop? is SIG$1 ignored or blocked?)" \
			"$NOTES#stopping"
	(( RC == 0 )) ||
		explain "exit status 0 after $1" "$(status_text "$RC")" "$NOTES#stopping"
	for k in $kids_then; do
		wait_until "child $k to exit" proc_gone "$k" ||
			explain "child $k gone with the server (SIGTERM to each child)" \
				"it is still there: $(ps -o pid=,ppid=,stat=,args= -p "$k")" "$NOTES#stopping"
		# ended by that SIGTERM, not by the SIGKILL that comes 5 s later
		# for a child that blocks or catches it
		syslog_find forkserver "$SERVER" "^child $k (killed by signal 15|exited)" ||
			explain "'child $k killed by signal 15 (SIGTERM)': the stop's SIGTERM ends it (a child must not keep the parent's handlers or blocked signals)" \
				"$(syslog_lines forkserver "$SERVER" | grep -E "child $k |SIGKILL" | sed 's/.*]: //' | tr '\n' '|')" "$NOTES#stopping"
	done
	syslog_find forkserver "$SERVER" '^stopped' ||
		explain "a last line 'stopped'" "$(syslog_lines forkserver | tail -n 3)" "$NOTES#stopping"
	# (a signal that interrupts poll() or accept() is no error)
	syslog_clean forkserver
}

@test "SIGTERM with clients connected: every child ends by that SIGTERM, the server exits 0, no error logged" {
	stop_with TERM
}

@test "SIGINT stops it the same way" {
	stop_with INT
}

@test "SIGTERM after 100 children exited at once: it stops at once, status 0 (none of them is waited for)" {
	serve
	exit_at_once 100
	wait_until "100 exits in the log" exits_logged 100 ||
		explain "100 lines 'child N exited with status 0' (step 4)" \
			"$(syslog_lines forkserver "$SERVER" | grep -c ': child [0-9]* exited') lines" "$NOTES#logging-exits"
	kill -TERM "$SERVER"
	exited_with "$SERVER" && (( RC == 0 )) ||
		explain "forkserver stops at once on SIGTERM: the 100 children are reaped and logged, none is left in the list the stop waits for" \
			"$(proc_alive "$SERVER" && echo "it still runs" || status_text "$RC")" "$NOTES#stopping"
}

# is_stopped PID - PID is stopped (SIGSTOP): state T
is_stopped() { [[ $(proc_state "$1") == T ]]; }

@test "a child that SIGTERM cannot end (it is stopped) gets SIGKILL 5 s later, logged; the server exits 0" {
	serve
	hold -c 1 -s 30
	wait_kids 1
	local k
	k=$(kids)
	kill -STOP "$k"
	wait_until "child $k to be stopped" is_stopped "$k" ||
		explain "child $k stopped by SIGSTOP" "state $(proc_state "$k")" "$NOTES#stopping"
	# (a stopped process keeps SIGTERM pending; SIGKILL ends it)
	kill -TERM "$SERVER"
	KIT_DEADLINE=30 exited_with "$SERVER" ||
		explain "forkserver gone within 30 s of SIGTERM: a child still there 5 s after the stop's SIGTERM gets SIGKILL" \
			"forkserver still runs, and its child: $(ps -o pid=,stat=,args= -p "$k")" "$NOTES#stopping"
	(( RC == 0 )) || explain "exit status 0 after SIGTERM" "$(status_text "$RC")" "$NOTES#stopping"
	syslog_find forkserver "$SERVER" "^child $k killed by signal 9" ||
		explain "'child $k killed by signal 9 (SIGKILL)' logged: the stop's SIGKILL ended it" \
			"$(syslog_lines forkserver "$SERVER" | grep -E "child $k |SIGKILL" | sed 's/.*]: //' | tr '\n' '|')" "$NOTES#stopping"
}

@test "right after SIGTERM, a new server listens on the same port, though clients were connected" {
	serve
	hold -c 2 -s 10
	wait_kids 2
	kill -TERM "$SERVER"
	exited_with "$SERVER" || explain "forkserver gone after SIGTERM" "it still runs" "$NOTES#stopping"
	serve
}
