#!/usr/bin/env bats
# Step 3: the PID file: written, locked, refused to a second instance.
# bats file_tags=step3

load '../../../checker/lib/kit'
load mydaemon

@test "the PID file holds the pid and a newline, and is locked while it runs" {
	start_fg
	assert_file_exists "$PIDFILE"
	[[ $(cat "$PIDFILE") == "$BG_PID" && $(tail -c 1 "$PIDFILE" | od -An -c | tr -d ' ') == '\n' ]] ||
		explain "'$BG_PID' and a newline in $PIDFILE" "'$(cat "$PIDFILE")'" "$NOTES#the-pid-file"
	run flock -n "$PIDFILE" true
	[[ $status -ne 0 ]] ||
		explain "the PID file locked (flock -n $PIDFILE fails)" "it is not locked" "$NOTES#the-pid-file"
}

@test "a second instance on the same PID file refuses, says why, and leaves the file alone" {
	start_fg
	local first=$BG_PID
	run --separate-stderr bounded mydaemon -f -P "$PIDFILE" -i 1
	[[ $status -ne 0 && -n $stderr ]] ||
		explain "the second mydaemon exits non-zero with a message (it is already running)" \
			"exit $(status_text), stderr '$stderr'" "$NOTES#the-pid-file"
	[[ $(cat "$PIDFILE") == "$first" ]] ||
		explain "the PID file still holds $first, the first instance" "'$(cat "$PIDFILE")'" \
			"$NOTES#the-pid-file"
	proc_alive "$first" || fail "the first instance died"
}

@test "a stale PID file left by a dead process is taken over" {
	echo 99999 >"$PIDFILE"
	start_fg
	[[ $(cat "$PIDFILE") == "$BG_PID" ]] ||
		explain "the PID file now holds $BG_PID" "'$(cat "$PIDFILE")'" "$NOTES#the-pid-file"
}

@test "SIGTERM removes the PID file" {
	start_fg
	kill -TERM "$BG_PID"
	wait_until "mydaemon to exit" proc_gone "$BG_PID" ||
		explain "mydaemon exits on SIGTERM (step 2)" "it is still running" "$NOTES#signals"
	[[ ! -e $PIDFILE ]] ||
		explain "no $PIDFILE after a clean stop" "it is still there: '$(cat "$PIDFILE")'" \
			"$NOTES#the-pid-file"
}

@test "a PID file that cannot be created: a message naming it, exit 1" {
	run --separate-stderr bounded mydaemon -f -P /no/such/dir/mydaemon.pid -i 1
	[[ $status -eq 1 && $stderr == *"/no/such/dir/mydaemon.pid"* ]] ||
		explain "exit 1 and a message naming /no/such/dir/mydaemon.pid" \
			"exit $(status_text), stderr '$stderr'" "$NOTES#the-pid-file"
}

@test "an instance that locks the PID file just after another removed it does not run beside a third, which made a new one" {
	start_fg
	local a=$BG_PID
	# B opens the file, and strace holds it at its flock() until the
	# tracer is killed (a delay of 300 s that ends with the tracer)
	start_bg strace -f -qq -o /dev/null -e trace=flock -e inject=flock:delay_enter=300s \
		mydaemon -f -P "$PIDFILE" -i 1
	local tracer=$BG_PID
	wait_until "the second mydaemon to reach its flock()" _at_flock "$tracer" ||
		explain "the second mydaemon (under strace) opens $PIDFILE and calls flock()" \
			"children of strace: $(children_of "$tracer" | tr '\n' ' '); their calls: $(for p in $(children_of "$tracer"); do cut -d' ' -f1 "/proc/$p/syscall"; done 2>/dev/null | tr '\n' ' ')" \
			"$NOTES#the-pid-file"
	local b=$AT_FLOCK
	track_pid "$b"
	# A stops, and removes the file that B has open
	kill -TERM "$a" 2>/dev/null || true	# (gone already: the wait says so)
	wait_until "the first mydaemon to exit" proc_gone "$a" ||
		explain "mydaemon $a exits on SIGTERM (step 2)" "it is still running" "$NOTES#signals"
	[[ ! -e $PIDFILE ]] || explain "no $PIDFILE after the first one's clean stop" "it is there" "$NOTES#the-pid-file"
	# C finds no file: it makes a new one, locks it and runs
	start_fg
	local c=$BG_PID
	# B's flock() goes on, on the file A removed
	disown "$tracer" 2>/dev/null || true	# (no "Killed" from bash in the report)
	kill -KILL "$tracer"
	wait_until "the second mydaemon ($b) to give up" proc_gone "$b" ||
		explain "mydaemon $b exits: the file it locked was removed before its lock, and $PIDFILE is now $c's, locked (after flock, compare fstat(fd) with stat(path))" \
			"$b runs beside $c: two instances, each sure it is alone" "$NOTES#the-pid-file"
	proc_alive "$c" && [[ $(cat "$PIDFILE") == "$c" ]] ||
		explain "the third mydaemon ($c) runs, and $PIDFILE holds its pid" \
			"$c: $(proc_state "$c"); the file: '$(cat "$PIDFILE" 2>/dev/null)'" "$NOTES#the-pid-file"
}

# _at_flock TRACER - AT_FLOCK: the child of TRACER (strace) now in flock()
_at_flock() {
	local p nr _ flock_nr=73	# x86_64
	case $(uname -m) in aarch64 | riscv64) flock_nr=32 ;; esac
	for p in $(children_of "$1"); do
		{ read -r nr _ <"/proc/$p/syscall"; } 2>/dev/null || continue
		[[ $nr == "$flock_nr" ]] && { AT_FLOCK=$p; return 0; }
	done
	return 1
}
