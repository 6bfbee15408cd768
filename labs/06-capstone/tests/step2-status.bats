#!/usr/bin/env bats
# Step 2: echoctl status - from the PID file and /proc: running (with both
# pids), stopped, or a stale PID file; the exit code of an LSB init script.
# bats file_tags=step2

load '../../../checker/lib/kit'
load capstone

@test "status of a running service: exit 0, 'running' with the supervisor's and the server's pids" {
	start_service
	status_is 0 "running"
	[[ $output == *"$SUP"* && $output == *"$SRV"* ]] ||
		explain "both pids in the line: supervisor $SUP, server $SRV" "'$output'" "$NOTES#status"
}

@test "status with no PID file: exit 3, 'stopped'" {
	status_is 3 "stopped"
}

@test "status with a PID file whose pid is not running: exit 1, 'stale'" {
	dead_pid >"$PIDFILE"
	status_is 1 "stale"
}

@test "status with a PID file whose pid is another program: exit 1, 'stale'" {
	# the kernel reuses pids: after a crash, the file's pid may be anyone's
	start_bg sleep 300
	echo "$BG_PID" >"$PIDFILE"
	status_is 1 "stale"
}
