#!/usr/bin/env bats
# The lab 6 reference under valgrind (checker/maint/selftest): echoctl has no
# memory error and no leak in any command or state.  Its fork's child is
# followed to the supervisor's execve (a log per process); the supervisor
# and the servers it runs are labs 3-5's, checked there.

load '../../lib/kit'
load memcheck

PIDFILE=$BATS_TEST_TMPDIR/echo.pid

# ctl ARGS... - echoctl under valgrind, on the test's PID file and port
ctl() {
	bounded valgrind "${VG_OPTS[@]}" --log-file="$BATS_TEST_TMPDIR/vg.%p" \
		echoctl -P "$PIDFILE" -p "$PORT" "$@"
}
# started - the supervisor of the PID file, tracked; wait for its server
started() {
	SUP=$(cat "$PIDFILE")
	track_pid "$SUP"
	wait_until -t 30 "a server on port $PORT" port_listening "$PORT"
}

@test "echoctl start, status, restart, stop, status are clean under valgrind" {
	run -0 ctl start -d 0.3
	started
	run -0 ctl status
	run -0 ctl restart -d 0.3
	started
	run -0 ctl stop
	run -3 ctl status
	run -0 ctl stop
	clean_logs
}

@test "echoctl's stale and failed states and its usage errors are clean under valgrind" {
	local gone
	sleep 0 & gone=$!
	wait "$gone"
	echo "$gone" >"$PIDFILE"
	run -1 ctl status
	run -0 ctl stop
	# (-w 600: every death below is a quick one, however long the server
	# took to start.  With -w 5, a first run that lasted past 5 s on a
	# loaded machine (echoctl under valgrind, the wait for the port, a ps)
	# started the count again, and the supervisor never gave up)
	run -0 ctl start -d 0.1 -D 0.1 -b 1 -w 600
	started
	local i srv
	for i in 1 2; do
		srv=$(children_of "$SUP")
		[[ -n $srv ]] && kill -KILL "$srv"
		(( i == 2 )) || wait_until -t 30 "a new server" eval "[[ -n \$(children_of $SUP) && \$(children_of $SUP) != $srv ]]"
	done
	if ! wait_until -t 30 "the supervisor to give up" proc_gone "$SUP"; then
		syslog_sync
		explain "the supervisor gives up after the second quick death (-b 1)" \
			"$(syslog_lines | grep -F ' supervisor[' | tail -n 6)" "checker/maint/memcheck/lab6.bats"
	fi
	syslog_sync
	run -2 ctl -l "$HARNESS_SYSLOG" status
	assert_output --partial 'giving up'
	run -2 ctl
	run -2 ctl frobnicate
	run -2 ctl -t soon stop
	clean_logs
}
