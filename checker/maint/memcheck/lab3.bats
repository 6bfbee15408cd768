#!/usr/bin/env bats
# The lab 3 reference under valgrind (checker/maint/selftest): no memory error
# and no leak while it starts, restarts and stops a child.

load '../../lib/kit'
load memcheck

PATH=$KIT_ROOT/checker/testprogs:$PATH

@test "the supervisor is clean under valgrind through starts, a restart, SIGHUP and a stop" {
	start_bg valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.log" \
		supervisor -f -P "$BATS_TEST_TMPDIR/p" -d 0.1 -- childprog -r "$BATS_TEST_TMPDIR/rec"
	wait_until -t 30 "the first child" test -s "$BATS_TEST_TMPDIR/rec"
	kill -KILL "$(head -n 1 "$BATS_TEST_TMPDIR/rec" | cut -d' ' -f1)"
	wait_until -t 30 "the second child" eval "(( \$(wc -l <'$BATS_TEST_TMPDIR/rec') >= 2 ))"
	kill -HUP "$BG_PID"
	kill -TERM "$BG_PID"
	wait_until -t 30 "valgrind to finish" proc_gone "$BG_PID"
	run cat "$BATS_TEST_TMPDIR/vg.log"
	refute_output --regexp 'ERROR SUMMARY: [1-9]|definitely lost|Invalid|uninitialised'
}

@test "the supervisor's give-up and error paths are clean under valgrind" {
	run -1 bounded valgrind "${VG_OPTS[@]}" --error-exitcode=99 \
		supervisor -f -P "$BATS_TEST_TMPDIR/p" -d 0.05 -b 1 -- /no/such/program
	run -2 bounded valgrind "${VG_OPTS[@]}" --error-exitcode=99 supervisor -x
}
