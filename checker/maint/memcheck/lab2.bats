#!/usr/bin/env bats
# The lab 2 reference under valgrind (checker/maint/selftest): no memory error
# and no leak, in the foreground and through both forks of the daemon.

load '../../lib/kit'
load memcheck

VG_OPTS+=(--trace-children=yes)

@test "mydaemon -f is clean under valgrind, to its stop on SIGTERM" {
	start_bg valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.%p" \
		mydaemon -f -P "$BATS_TEST_TMPDIR/p" -i 1
	syslog_wait -t 30 mydaemon "$BG_PID" '^heartbeat'
	kill -TERM "$BG_PID"
	wait_until -t 30 "valgrind to finish" proc_gone "$BG_PID"
	clean_logs
}

@test "the launcher, the middle process and the daemon are clean under valgrind" {
	run -0 bounded valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.%p" \
		mydaemon -P "$BATS_TEST_TMPDIR/p" -i 1
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/p")
	track_pid "$pid"
	syslog_wait -t 30 mydaemon "$pid" '^heartbeat'
	kill -HUP "$pid"
	kill -TERM "$pid"
	wait_until -t 30 "the daemon to finish" proc_gone "$pid"
	clean_logs
}

@test "the error paths are clean under valgrind" {
	run -2 bounded valgrind "${VG_OPTS[@]}" --error-exitcode=99 mydaemon -x
	run -1 bounded valgrind "${VG_OPTS[@]}" --error-exitcode=99 mydaemon -f -P /no/such/dir/p
	run -1 bounded valgrind "${VG_OPTS[@]}" --error-exitcode=99 mydaemon -P /no/such/dir/p
}
