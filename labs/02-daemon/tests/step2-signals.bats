#!/usr/bin/env bats
# Step 2: signals: TERM and INT stop it cleanly, HUP reloads it.
# bats file_tags=step2

load '../../../checker/lib/kit'
load mydaemon

# stop_with SIGNAL - send it, expect exit 0 and a line saying why
stop_with() {
	start_fg
	kill "-$1" "$BG_PID"
	local rc=0
	wait_until "mydaemon to exit after SIG$1" proc_gone "$BG_PID" || true
	wait "$BG_PID" || rc=$?
	[[ $rc -eq 0 ]] ||
		explain "exit status 0 after SIG$1 (a clean stop, not death by the signal)" \
			"exit status $(status_text "$rc")" "$NOTES#signals"
	syslog_find mydaemon "$BG_PID" "$1" ||
		explain "a line naming SIG$1 as the reason it stops" \
			"$(syslog_lines mydaemon | tail -n 2)" "$NOTES#signals"
}

@test "SIGTERM: it logs why it stops and exits 0" {
	stop_with TERM
}

@test "SIGINT: it logs why it stops and exits 0" {
	stop_with INT
}

@test "SIGHUP twice: it logs a reload each time and keeps running, and no error" {
	start_fg
	local n
	for n in 1 2; do
		kill -HUP "$BG_PID"
		wait_until "reload line $n" eval "(( \$(syslog_lines mydaemon $BG_PID | grep -ci reload) >= $n ))" ||
			explain "a line about reloading after SIGHUP number $n, and mydaemon still running" \
				"alive: $(proc_alive "$BG_PID" && echo yes || echo no); $(syslog_lines mydaemon | tail -n 3)" \
				"$NOTES#sigaction-not-signal"
	done
	proc_alive "$BG_PID" ||
		explain "mydaemon still running after two SIGHUPs" "it is gone" "$NOTES#sigaction-not-signal"
	# (a reload is no error: an interrupted wait is what a signal does)
	syslog_clean mydaemon
}

@test "a SIGTERM during a long wait between heartbeats is handled at once" {
	start_bg mydaemon -f -P "$PIDFILE" -i 3600
	wait_started "$BG_PID"
	kill -TERM "$BG_PID"
	wait_until "mydaemon to exit after SIGTERM" proc_gone "$BG_PID" ||
		explain "mydaemon -i 3600 exits within ${KIT_DEADLINE} s of SIGTERM" \
			"still running: the wait between heartbeats does not end on a signal" \
			"$NOTES#the-main-loop"
}
