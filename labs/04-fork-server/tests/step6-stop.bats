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
	done
	syslog_find forkserver "$SERVER" '^stopped' ||
		explain "a last line 'stopped'" "$(syslog_lines forkserver | tail -n 3)" "$NOTES#stopping"
}

@test "SIGTERM with clients connected: the server and every child exit, status 0" {
	stop_with TERM
}

@test "SIGINT stops it the same way" {
	stop_with INT
}

@test "right after SIGTERM, a new server listens on the same port, though clients were connected" {
	serve
	hold -c 2 -s 10
	wait_kids 2
	kill -TERM "$SERVER"
	exited_with "$SERVER" || explain "forkserver gone after SIGTERM" "it still runs" "$NOTES#stopping"
	serve
}
