#!/usr/bin/env bats
# Step 6: SIGHUP is passed on to the child.
# bats file_tags=step6

load '../../../checker/lib/kit'
load supervisor

@test "SIGHUP reaches the child, which keeps running with the same pid" {
	supervise -- childprog -r "$REC" -H "$BATS_TEST_TMPDIR/hups"
	wait_child 1
	kill -HUP "$BG_PID"
	wait_until "the child to record the SIGHUP" test -s "$BATS_TEST_TMPDIR/hups" ||
		explain "the child ($CHILD) gets SIGHUP" "it did not" "$NOTES#passing-signals-on"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/hups")" "HUP $CHILD"
	proc_alive "$CHILD"
	assert_equal "$(spawns)" 1
}
