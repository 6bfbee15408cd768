#!/usr/bin/env bats
# Step 5: fork, setsid, fork; the launcher waits until the daemon is ready.
# bats file_tags=step5

load '../../../checker/lib/kit'
load mydaemon

@test "the launcher exits 0 once the daemon is ready: the PID file and 'started' are there" {
	launch
	syslog_find mydaemon "$DAEMON_PID" '^started' ||
		explain "'mydaemon[$DAEMON_PID]: started' logged before the launcher returned" \
			"$(syslog_lines mydaemon | tail -n 3)" "$NOTES#readiness"
}

@test "when the daemon cannot start, the launcher exits 1 with the daemon's reason" {
	run --separate-stderr bounded mydaemon -P /no/such/dir/mydaemon.pid -i 1
	track_daemon
	[[ $status -eq 1 && $stderr == *"/no/such/dir/mydaemon.pid"* ]] ||
		explain "exit 1, and the daemon's message (naming /no/such/dir/mydaemon.pid) on the launcher's stderr" \
			"exit $(status_text), stderr '$stderr'" "$NOTES#readiness"
}

@test "launched from a terminal, it is re-parented, leads neither session nor group, has no terminal" {
	BOUNDED_STUCK=launcher_stuck run_pty mydaemon -P "$PIDFILE" -i 1 >"$BATS_TEST_TMPDIR/pty.out" ||
		explain "the launcher, run from a terminal, exits 0 once the daemon is ready" \
			"exit $(status_text "$?"), output '$(head -c 300 "$BATS_TEST_TMPDIR/pty.out")'" "$NOTES#readiness"
	track_daemon
	daemon_from_pidfile
	local p=$DAEMON_PID ppid sid pgid tty
	ppid=$(ps_field "$p" ppid) sid=$(ps_field "$p" sid) pgid=$(ps_field "$p" pgid) tty=$(ps_field "$p" tty)
	[[ $ppid == "$ORPHAN_PPID" && $sid != "$p" && $pgid != "$p" && $sid == "$pgid" && $tty == "?" ]] ||
		explain "ppid $ORPHAN_PPID, sid = pgid (the middle process's) but not $p, tty ?" \
			"ppid $ppid, pgid $pgid, sid $sid, tty $tty" "$NOTES#the-double-fork"
}

@test "the launcher and the middle process are gone: one mydaemon process, no zombie" {
	launch
	local all
	all=$(pids_named mydaemon | tr '\n' ' ')
	[[ $all == "$DAEMON_PID " ]] ||
		explain "one mydaemon process, $DAEMON_PID" \
			"mydaemon processes: $all$(for p in $all; do printf '(%s: %s) ' "$p" "$(proc_state "$p")"; done)" \
			"$NOTES#the-double-fork"
}

@test "strace -ff shows fork, then setsid, then fork again in the child" {
	# strace follows the daemon until it exits: run it in the background
	start_bg strace -ff -qq -e trace=fork,vfork,clone,clone3,setsid \
		-o "$BATS_TEST_TMPDIR/trace" mydaemon -P "$PIDFILE" -i 1
	wait_until "the PID file" test -s "$PIDFILE" ||
		explain "the launcher, under strace, writes the daemon's pid to $PIDFILE" \
			"no PID file; strace: $(tail -c 300 "$BG_ERR")" "$NOTES#the-double-fork"
	daemon_from_pidfile
	kill -TERM "$DAEMON_PID"
	wait_until "strace to finish" proc_gone "$BG_PID"
	local f calls=()
	for f in "$BATS_TEST_TMPDIR"/trace.*; do
		calls+=("$(grep -oE '^(fork|vfork|clone3?|setsid)' "$f" | tr '\n' ' ')")
	done
	# the launcher forks; the middle process calls setsid, then forks
	printf '%s\n' "${calls[@]}" | grep -qE '^(fork|vfork|clone3?) $' &&
		printf '%s\n' "${calls[@]}" | grep -qE '^setsid (fork|vfork|clone3?) $' ||
		explain "one process that forks (the launcher), one that calls setsid then forks (the middle one)" \
			"system calls per process: $(printf '[%s] ' "${calls[@]}")" "$NOTES#the-double-fork"
}
