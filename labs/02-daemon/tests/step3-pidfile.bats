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
