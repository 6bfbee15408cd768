#!/usr/bin/env bats
# Step 2: the main loop reaps its child at once (self-pipe), and logs
# every start and every death, with the pid and how.
# bats file_tags=step2

load '../../../checker/lib/kit'
load supervisor

no_such_pid() { [[ ! -e /proc/$1 ]]; }

@test "each start is logged with the child's pid" {
	supervise -- childprog -r "$REC"
	wait_child 1
	syslog_wait supervisor "$BG_PID" "^child $CHILD started" ||
		explain "'supervisor[$BG_PID]: child $CHILD started: ...'" \
			"$(syslog_lines supervisor | tail -n 3)" "$NOTES#logging-deaths"
}

@test "a child that exits 3 is logged as exit status 3" {
	supervise -d 5 -- childprog -r "$REC" -t 0 -e 3
	wait_child 1
	syslog_wait supervisor "$BG_PID" "^child $CHILD exited with status 3" ||
		explain "'child $CHILD exited with status 3'" "$(syslog_lines supervisor | tail -n 3)" \
			"$NOTES#logging-deaths"
}

@test "a child killed by SIGKILL is logged as killed by signal 9" {
	supervise -d 5 -- childprog -r "$REC"
	wait_child 1
	kill -KILL "$CHILD"
	syslog_wait supervisor "$BG_PID" "^child $CHILD killed by signal 9" ||
		explain "'child $CHILD killed by signal 9 (SIGKILL)'" "$(syslog_lines supervisor | tail -n 3)" \
			"$NOTES#logging-deaths"
}

@test "a dead child is reaped at once, even when the restart is 5 s away" {
	supervise -d 5 -- childprog -r "$REC"
	wait_child 1
	kill -KILL "$CHILD"
	wait_until -t 3 "the supervisor to reap $CHILD" no_such_pid "$CHILD" ||
		explain "pid $CHILD gone from /proc within 3 s (reaped)" \
			"its state is $(proc_state "$CHILD"): a zombie until the supervisor calls waitpid" \
			"$NOTES#reaping"
}
