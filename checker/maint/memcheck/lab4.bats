#!/usr/bin/env bats
# The lab 4 reference under valgrind (checker/maint/selftest): no memory error
# and no leak in the server, its children (--trace-children) and the
# client, through echoes, resets, a reaped child and a stop.

load '../../lib/kit'
load memcheck

PATH=$PATH:$HARNESS_TOOLS
VG_OPTS+=(--trace-children=yes)

@test "forkserver and its children are clean under valgrind, to the stop on SIGTERM" {
	start_bg valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.%p" forkserver -p "$PORT"
	local server=$BG_PID
	wait_until -t 30 "forkserver to listen" port_listening "$PORT"
	run bounded echoload -p "$PORT" -n 20 -c 5 -s 100K -t 60
	assert_success
	run bounded echoload -p "$PORT" -R -b 4096 -s 8M -t 60
	assert_success
	start_bg echoload -p "$PORT" -h -c 2 -s 10 -t 60
	wait_until -t 30 "two held connections" eval "(( \$(children_of $server | wc -l) >= 2 ))"
	kill -TERM "$server"
	wait_until -t 30 "valgrind to finish" proc_gone "$server"
	clean_logs
}

@test "echoclient is clean under valgrind, and so are its errors" {
	start_bg valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.server.%p" forkserver -p "$PORT"
	local server=$BG_PID
	wait_until -t 30 "forkserver to listen" port_listening "$PORT"
	head -c 1M /dev/urandom >"$BATS_TEST_TMPDIR/in"
	bounded valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.client" \
		echoclient -p "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	run -1 bounded valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.refused" \
		echoclient -p "$((PORT + 1))" </dev/null
	run -2 bounded valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.usage" echoclient -p 0
	kill -TERM "$server"
	wait_until -t 30 "valgrind to finish" proc_gone "$server"
	clean_logs
}
