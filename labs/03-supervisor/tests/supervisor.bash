# supervisor.bash - what the tests of lab 3 share (loaded after kit.bash).
# shellcheck disable=SC2034 # the variables set here are for the tests

NOTES=notes/03-supervisor.md
PIDFILE=$BATS_TEST_TMPDIR/supervisor.pid
REC=$BATS_TEST_TMPDIR/spawns		# childprog -r: one line per start
# the programs the tests supervise (checker/testprogs/childprog)
PATH=$KIT_ROOT/checker/testprogs:$PATH

# supervise [SUPERVISOR OPTIONS] -- COMMAND... - start `supervisor -f
# -P $PIDFILE OPTIONS -- COMMAND` in the background (BG_PID), wait until
# it has logged that it started
supervise() {
	start_bg supervisor -f -P "$PIDFILE" "$@"
	syslog_wait supervisor "$BG_PID" '^started' ||
		explain "the line 'supervisor[$BG_PID]: started, supervising ...' (ident supervisor, LOG_PID)" \
			"$(syslog_lines | tail -n 3)" "labs/03-supervisor/README.md, what supervisor does"
}

# spawns - how many times the command was started (whole lines of $REC,
# as wc -l counts them); _spawns: the count in SPAWNS, with no fork (a
# wait asks every 20 ms)
spawns() { _spawns; echo "$SPAWNS"; }
_spawns() {
	local nl
	slurp "$REC"
	nl=${SLURP//[!$'\n']/}
	SPAWNS=${#nl}
}

# at_least_spawns N - true once the command was started N times
at_least_spawns() { _spawns; (( SPAWNS >= $1 )); }

# child_pid [N] - the pid of start number N (default: the last)
child_pid() {
	if [[ -n ${1-} ]]; then sed -n "${1}p" "$REC" | cut -d' ' -f1; else tail -n 1 "$REC" | cut -d' ' -f1; fi
}

# no_live_child PID - PID has no child that runs (a zombie is not one)
no_live_child() {
	local c
	for c in $(children_of "$1"); do proc_alive "$c" && return 1; done
	return 0
}

# wait_child N - wait for start number N; CHILD is its pid
wait_child() {
	wait_until "start number $1 of the command" at_least_spawns "$1" ||
		explain "the command started $1 time(s)" "$(spawns) start(s)" "$NOTES#starting-the-child"
	CHILD=$(child_pid "$1")
	track_pid "$CHILD"
}

# exited_with PID - wait until our background PID ends; its exit status
# is then in RC (false if it is still running at the deadline)
exited_with() {
	RC=0
	wait_until "pid $1 to exit" proc_gone "$1" || return 1
	wait "$1" || RC=$?
}
