#!/usr/bin/env bats
# Step 5: SIGTERM stops the child's whole group, KILL after -k, then exit 0.
# bats file_tags=step5

load '../../../checker/lib/kit'
load supervisor

@test "SIGTERM ends the child (killed by signal 15) and its grandchild, removes the PID file, exits 0, logs no error" {
	supervise -- childprog -r "$REC" -G "$BATS_TEST_TMPDIR/grand"
	wait_child 1
	wait_until "the grandchild's pid" test -s "$BATS_TEST_TMPDIR/grand"
	local grand
	grand=$(cat "$BATS_TEST_TMPDIR/grand")
	track_pid "$grand"
	kill -TERM "$BG_PID"
	exited_with "$BG_PID" || explain "the supervisor exits on SIGTERM" "still running" "$NOTES#stopping"
	[[ $RC == 0 ]] || explain "exit 0" "exit $(status_text "$RC")" "$NOTES#stopping"
	wait_until "the child and grandchild to end" eval "proc_gone $CHILD && proc_gone $grand" ||
		explain "child $CHILD and grandchild $grand gone (SIGTERM to the child's process group)" \
			"child: $(proc_state "$CHILD"), grandchild: $(proc_state "$grand")" "$NOTES#stopping"
	[[ ! -e $PIDFILE ]] || explain "no $PIDFILE after the stop" "it is still there" "$NOTES#stopping"
	# ended by the SIGTERM, not by the SIGKILL after -k
	syslog_find supervisor "$BG_PID" "^child $CHILD killed by signal 15" ||
		explain "'child $CHILD killed by signal 15 (SIGTERM)': the stop's SIGTERM ends the child (SIGKILL after -k is for one that ignores it)" \
			"$(syslog_lines supervisor "$BG_PID" | grep -E "child $CHILD |SIGKILL" | sed 's/.*]: //' | tr '\n' '|')" "$NOTES#stopping"
	syslog_clean supervisor
}

@test "a child that dies leaves nothing of its group: its grandchild is killed at the death, before the next start" {
	supervise -d 5 -- childprog -r "$REC" -G "$BATS_TEST_TMPDIR/grand" -t 0.5 -e 1
	wait_child 1
	wait_until "the grandchild's pid" test -s "$BATS_TEST_TMPDIR/grand"
	local grand
	grand=$(cat "$BATS_TEST_TMPDIR/grand")
	track_pid "$grand"
	syslog_wait supervisor "$BG_PID" "^child $CHILD exited with status 1" ||
		explain "'child $CHILD exited with status 1' (step 2)" "$(syslog_lines supervisor "$BG_PID" | tail -n 3)" \
			"$NOTES#logging-deaths"
	# (the next start is 5 s away: what is left of the group goes now,
	# or it would run beside the next child, holding its port or files)
	wait_until "the grandchild $grand to end" proc_gone "$grand" ||
		explain "grandchild $grand gone once its parent, the child, died: SIGKILL to what is left of the child's process group" \
			"it still runs: $(ps -o pid=,pgid=,stat=,args= -p "$grand"); starts so far: $(spawns)" "$NOTES#stopping"
}

@test "SIGINT stops it the same way" {
	supervise -- childprog -r "$REC"
	wait_child 1
	kill -INT "$BG_PID"
	exited_with "$BG_PID" || explain "the supervisor exits on SIGINT" "still running" "$NOTES#stopping"
	[[ $RC == 0 ]] && proc_gone "$CHILD" ||
		explain "exit 0, child gone" "exit $(status_text "$RC"), child $(proc_state "$CHILD")" "$NOTES#stopping"
}

@test "a child that ignores SIGTERM is killed after -k seconds" {
	supervise -k 1 -- childprog -r "$REC" -I
	wait_child 1
	local t0=${EPOCHREALTIME/[.,]/}
	kill -TERM "$BG_PID"
	wait_until "the child to be killed" proc_gone "$CHILD" ||
		explain "the child killed by SIGKILL about 1 s after SIGTERM (-k 1)" "still running" "$NOTES#stopping"
	local ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	(( ms >= 900 )) ||
		explain "the child killed no sooner than -k 1 s after SIGTERM" "gone after $ms ms" "$NOTES#stopping"
	exited_with "$BG_PID" || explain "the supervisor exits" "still running" "$NOTES#stopping"
}

@test "SIGTERM during the wait before a restart: nothing more is started" {
	supervise -d 3 -- childprog -r "$REC" -t 0 -e 1
	syslog_wait supervisor "$BG_PID" '^restarting' ||
		explain "a line 'restarting ...' once the child has died (-d 3: the restart 3 s away)" \
			"$(syslog_lines supervisor | tail -n 3)" "$NOTES#back-off"
	kill -TERM "$BG_PID"
	exited_with "$BG_PID" ||
		explain "the supervisor exits at once" "still running" "$NOTES#stopping"
	[[ $(spawns) == 1 ]] ||
		explain "one start only" "$(spawns) starts: the SIGTERM started the child again" "$NOTES#stopping"
}
