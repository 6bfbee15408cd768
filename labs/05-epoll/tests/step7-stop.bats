#!/usr/bin/env bats
# Step 7: SIGTERM and SIGINT close everything and exit 0; SIGUSR1 logs
# counters that are right.
# bats file_tags=step7

load '../../../checker/lib/kit'
load epollserver

# stop_with SIGNAL - 50 clients connected, then SIGNAL: exit 0, "stopped"
stop_with() {
	serve -m et
	hold -c 50 -s 10
	kill "-$1" "$SERVER"
	exited_with "$SERVER" ||
		explain "epollserver gone within ${KIT_DEADLINE} s of SIG$1" "it still runs" "$NOTES#stopping"
	(( RC == 0 )) || explain "exit status 0 after SIG$1" "$(status_text "$RC")" "$NOTES#stopping"
	syslog_find epollserver "$SERVER" '^stopped' ||
		explain "a last line 'stopped'" "$(syslog_lines epollserver | tail -n 3)" "$NOTES#stopping"
	! port_listening "$PORT" || explain "port $PORT free" "still listening" "$NOTES#stopping"
}

@test "SIGTERM with 50 clients connected: exit 0, every connection closed" {
	stop_with TERM
}

@test "SIGINT stops it the same way" {
	stop_with INT
}

@test "SIGUSR1 logs counters that are right" {
	serve -m lt
	hold -c 3 -s 10
	load_ok "10 clients of 1000 bytes" "$NOTES#counters" -n 10 -s 1000
	stats
	(( NOW == 3 && TOTAL == 13 && BYTES_IN == 10030 && BYTES_OUT == 10030 && WAKEUPS > 0 )) ||
		explain "3 connections now, 13 in all; 10030 bytes in, 10030 out; some wake-ups" \
			"$NOW now, $TOTAL in all; $BYTES_IN in, $BYTES_OUT out; $WAKEUPS wake-ups" "$NOTES#counters"
}
