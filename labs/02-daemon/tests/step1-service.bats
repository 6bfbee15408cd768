#!/usr/bin/env bats
# Step 1: the service itself, in the foreground: syslog and a heartbeat.
# bats file_tags=step1

load '../../../checker/lib/kit'
load mydaemon

@test "-h, an unknown option, a bad -i or an extra argument: usage on stderr, exit 2" {
	local args
	for args in "-h" "-x" "-i 0" "-i abc" "-i 5x" "-i 100000" "extra"; do
		# shellcheck disable=SC2086 # split the arguments on purpose
		run --separate-stderr bounded mydaemon -f -P "$PIDFILE" $args
		[[ $status -eq 2 && -n $stderr ]] ||
			explain "exit 2 and a message on stderr for 'mydaemon -f -P FILE $args'" \
				"exit $(status_text), stderr '$stderr'" "labs/02-daemon/README.md, step 1"
	done
}

@test "with -f it logs 'started' as mydaemon[PID] with facility daemon, and stays in the foreground" {
	start_fg
	[[ $SYSLOG_FACILITY == daemon ]] ||
		explain "facility daemon: openlog(\"mydaemon\", LOG_PID, LOG_DAEMON)" \
			"$SYSLOG_FACILITY.$SYSLOG_LEVEL in '$SYSLOG_LINE'" "$NOTES#logging"
	proc_alive "$BG_PID" || fail "mydaemon -f exited"
	assert_equal "$(ps_field "$BG_PID" ppid)" "$$"
}

@test "it logs a heartbeat every -i seconds" {
	start_fg
	syslog_wait mydaemon "$BG_PID" '^heartbeat' &&
		syslog_wait mydaemon "$BG_PID" '^heartbeat 2$' ||
		explain "'mydaemon[$BG_PID]: heartbeat 1', then 'heartbeat 2', with -i 1" \
			"$(syslog_lines mydaemon | tail -n 3)" "$NOTES#the-main-loop"
}
