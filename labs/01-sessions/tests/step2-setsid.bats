#!/usr/bin/env bats
# Step 2: setsid fails in a group leader; after a fork the child's works.
# bats file_tags=step2

load '../../../checker/lib/kit'
load procinfo

@test "setsid in a process-group leader fails with EPERM, and procinfo says so" {
	run --separate-stderr as_group_leader procinfo -S
	[[ $status -eq 1 && $stderr == *setsid*"Operation not permitted"* ]] ||
		explain "exit 1 and 'procinfo: setsid: Operation not permitted' on stderr (try err(3))" \
			"exit $(status_text), stderr '$stderr', stdout '$output'" \
			"$NOTES#why-setsid-fails-in-a-group-leader"
}

@test "after a fork the child's setsid makes a new session and a new group" {
	start_procinfo -F -S -w
	local parent child
	parent=$(line_of "$BG_OUT" 1)
	child=$(field "$PROCINFO_LINE" pid)
	[[ -n $child && $child != "$BG_PID" ]] && proc_alive "$child" &&
		[[ $(ps_field "$child" ppid) == "$BG_PID" ]] ||
		explain "line 2 is a live child of procinfo ($BG_PID): its own pid, ppid $BG_PID" \
			"line 1 '$parent', line 2 '$PROCINFO_LINE'; ps says pid ${child:-?} has ppid $(ps_field "${child:-0}" ppid)" \
			"$NOTES#setsid-after-fork"
	[[ $(ps_field "$child" sid) == "$child" && $(ps_field "$child" pgid) == "$child" ]] ||
		explain "the child ($child) leads a new session and group: sid=$child pgid=$child" \
			"ps: sid=$(ps_field "$child" sid) pgid=$(ps_field "$child" pgid); the parent's sid is $(ps_field "$BG_PID" sid)" \
			"$NOTES#setsid-after-fork"
	[[ $(field "$PROCINFO_LINE" sid) == "$child" ]] ||
		explain "the child reports sid=$child" "'$PROCINFO_LINE' (parent: '$parent')" \
			"$NOTES#setsid-after-fork"
}

@test "the child's new session has no controlling terminal, though the parent had one" {
	start_procinfo -pty -F -S -w
	local parent child ptty
	parent=$(field "$(line_of "$BG_OUT" 1)" pid)
	child=$(field "$PROCINFO_LINE" pid)
	ptty=$(ps_field "$parent" tty)
	[[ $ptty == pts/* ]] || fail "script(1) did not give the parent a terminal: ps says '$ptty'"
	[[ $(ps_field "$child" tty) == "?" && $(field "$PROCINFO_LINE" tty) == none ]] ||
		explain "the child ($child) has no terminal: ps shows '?' and it reports tty=none" \
			"ps shows '$(ps_field "$child" tty)', it reports '$PROCINFO_LINE'" \
			"$NOTES#the-controlling-terminal"
}

@test "with -F each process prints exactly one line (stdout flushed before the fork)" {
	run -0 bounded procinfo -F
	[[ ${#lines[@]} -eq 2 ]] ||
		explain "2 lines: the parent's, then the child's" \
			"${#lines[@]} lines: $output" "$NOTES#fork-and-buffered-output"
	local p c
	p=$(field "${lines[0]}" pid) c=$(field "${lines[1]}" pid)
	[[ -n $p && $p != "$c" && $(field "${lines[1]}" ppid) == "$p" ]] ||
		explain "line 2 is the child of line 1 (its ppid is line 1's pid)" \
			"$output" "$NOTES#fork-and-buffered-output"
}

@test "the parent waits for its child and exits with the child's status" {
	start_procinfo -F -w
	local child
	child=$(field "$PROCINFO_LINE" pid)
	[[ $child != "$BG_PID" ]] ||
		explain "two processes: the parent ($BG_PID) and its child" \
			"line 2 has the parent's own pid: there was no fork" "$NOTES#fork-and-wait"
	proc_alive "$BG_PID" ||
		explain "the parent ($BG_PID) waits while its child runs" \
			"the parent has already exited" "$NOTES#fork-and-wait"
	kill -TERM "$child"
	local rc=0
	wait "$BG_PID" || rc=$?
	[[ $rc -eq 143 ]] ||
		explain "exit status 143 (128 + SIGTERM) after the child was killed by SIGTERM" \
			"exit status $(status_text "$rc")" "$NOTES#fork-and-wait"
}
