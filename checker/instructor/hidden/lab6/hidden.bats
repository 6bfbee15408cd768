#!/usr/bin/env bats
# Hidden tests of lab 6, run by checker/instructor/grade and never shipped to students
# (make handout leaves checker/instructor/hidden/ out): what the public tests leave open.
# Each is shown able to fail by a known-bad variant in checker/maint/mutants/lab6/.

load '../../../../checker/lib/kit'
load '../../../../labs/06-capstone/tests/capstone'

# bats test_tags=step2
@test "status with a PID file that holds no number: exit 1, 'stale', not 'stopped'" {
	echo "not-a-pid" >"$PIDFILE"
	status_is 1 "stale"
}

# bats test_tags=step3
@test "stop with a PID file that holds no number: exit 0, the file removed" {
	echo "not-a-pid" >"$PIDFILE"
	run ctl stop
	(( status == 0 )) || explain "'echoctl stop' exits 0" "exit $(status_text), '$output'" "$NOTES#stop"
	[[ ! -e $PIDFILE ]] ||
		explain "the PID file with no pid in it removed (it is stale: no supervisor it could name)" \
			"it is still there" "$NOTES#stop"
}

# bats test_tags=step4
@test "restart while stopped: exit 0, and the service runs and serves" {
	run ctl restart "${FAST[@]}"
	(( status == 0 )) || explain "'echoctl restart' exits 0 (stop of nothing, then start)" "exit $(status_text), '$output'" "$NOTES#restart"
	SUP=$(cat "$PIDFILE" 2>/dev/null) || SUP=''
	[[ $SUP =~ ^[0-9]+$ ]] && [[ $(ps_field "$SUP" comm) == supervisor ]] ||
		explain "$PIDFILE holding the pid of a running supervisor after the restart" \
			"'$(head -c 100 "$PIDFILE" 2>/dev/null)', output '$output'" "$NOTES#restart"
	track_pid "$SUP"
	wait_server
	echo_ok "a client after restart from stopped"
}
