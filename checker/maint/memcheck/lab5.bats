#!/usr/bin/env bats
# The lab 5 reference under valgrind (checker/maint/selftest): no memory error
# and no leak, in both modes, through echoes, slow readers (buffers that
# grow and shrink), resets, a flood held back, SIGUSR1 and the stop.

load '../../lib/kit'
load memcheck

PATH=$PATH:$HARNESS_TOOLS

# under MODE - the whole workload against epollserver -m MODE under valgrind
under() {
	start_bg valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.$1" epollserver -p "$PORT" -m "$1"
	local server=$BG_PID
	wait_until -t 30 "epollserver to listen" port_listening "$PORT"
	run bounded echoload -p "$PORT" -n 40 -c 20 -s 100K -t 60
	assert_success
	run bounded echoload -p "$PORT" -s 2M -b 4096 -r 16384 -t 60
	assert_success
	run bounded echoload -p "$PORT" -R -b 4096 -s 4M -t 60
	assert_success
	start_bg -o "$BATS_TEST_TMPDIR/flood" echoload -p "$PORT" -F -s 64M -t 60
	wait_until -t 30 "the flood to stall" grep -q . "$BATS_TEST_TMPDIR/flood"
	kill -USR1 "$server"
	kill -TERM "$server"
	wait_until -t 30 "valgrind to finish" proc_gone "$server"
	run cat "$BATS_TEST_TMPDIR/vg.$1"
	refute_output --regexp 'ERROR SUMMARY: [1-9]|definitely lost|still reachable|Invalid|uninitialised'
}

@test "epollserver -m lt is clean under valgrind, to the stop on SIGTERM" {
	under lt
}

@test "epollserver -m et is clean under valgrind, to the stop on SIGTERM" {
	under et
}
