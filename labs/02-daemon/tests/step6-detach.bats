#!/usr/bin/env bats
# Step 6: /dev/null on 0-2, umask 0, cwd /.
# bats file_tags=step6

load '../../../checker/lib/kit'
load mydaemon

@test "fds 0-2 are /dev/null, though the launcher's stdin was a pipe; the only others are the log socket and the PID file" {
	exec 7</dev/null	# the launcher inherits fd 7: the daemon must not keep it
	# and its stdin is a pipe (a FIFO opened both ways: no writer needed),
	# not the /dev/null a test has: the daemon must let go of fd 0 too
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	exec 8<>"$BATS_TEST_TMPDIR/stdin"
	launch <&8
	exec 7<&- 8<&-
	local fd target
	while read -r fd target; do
		case $fd in
		0 | 1 | 2) [[ $target == /dev/null ]] ;;
		*) [[ $target == socket:* || $target == "$PIDFILE" ]] ;;
		esac || explain "fds 0-2 on /dev/null, then only the syslog socket and $PIDFILE" \
			"$(proc_fds "$DAEMON_PID" | tr '\n' ';')" "$NOTES#devnull"
	done < <(proc_fds "$DAEMON_PID")
	[[ $(proc_fds "$DAEMON_PID" | grep -c '^[012] ') == 3 ]] ||
		explain "fds 0, 1 and 2 open" "$(proc_fds "$DAEMON_PID" | tr '\n' ';')" "$NOTES#devnull"
}

@test "its umask is 0" {
	umask 027
	launch
	[[ $(proc_status "$DAEMON_PID" Umask) == 0000 ]] ||
		explain "Umask: 0000 in /proc/$DAEMON_PID/status (launched under umask 027)" \
			"Umask: $(proc_status "$DAEMON_PID" Umask)" "$NOTES#umask-and-chdir"
}

@test "its working directory is /" {
	cd "$BATS_TEST_TMPDIR"
	launch
	[[ $(proc_cwd "$DAEMON_PID") == / ]] ||
		explain "cwd / (readlink /proc/$DAEMON_PID/cwd)" "$(proc_cwd "$DAEMON_PID")" \
			"$NOTES#umask-and-chdir"
}
