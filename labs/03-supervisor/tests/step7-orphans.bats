#!/usr/bin/env bats
# Step 7: if the supervisor is SIGKILLed, its child does not run on.
# bats file_tags=step7

load '../../../checker/lib/kit'
load supervisor

@test "when the supervisor is killed with SIGKILL, its child dies too" {
	supervise -- childprog -r "$REC"
	wait_child 1
	kill -KILL "$BG_PID"
	wait_until "the child to die with its supervisor" proc_gone "$CHILD" ||
		explain "the child ($CHILD) gone after its supervisor was SIGKILLed (PR_SET_PDEATHSIG)" \
			"it runs on, now a child of $(ps_field "$CHILD" ppid)" "$NOTES#when-the-supervisor-dies"
}
