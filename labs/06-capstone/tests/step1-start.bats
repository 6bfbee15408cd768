#!/usr/bin/env bats
# Step 1: echoctl start - the supervisor, daemonized with its PID file,
# runs the server; start returns at once.
# bats file_tags=step1

load '../../../checker/lib/kit'
load capstone

@test "start returns once the supervisor is ready; the supervisor runs as a daemon: ppid 1, no tty, not a session leader" {
	# (a start that stays in the foreground is stopped by the test's limit
	# and fails in start_service; how fast it returns is not timed here: a
	# loaded machine makes any bound a flake)
	start_service
	local ppid tty sid
	ppid=$(ps_field "$SUP" ppid) tty=$(ps_field "$SUP" tty) sid=$(ps_field "$SUP" sid)
	[[ $ppid == "$ORPHAN_PPID" && $tty == '?' && $sid != "$SUP" ]] ||
		explain "supervisor $SUP: ppid $ORPHAN_PPID (init), tty ?, sid not its pid (lab 2's double fork: start runs supervisor without -f)" \
			"ppid $ppid, tty $tty, sid $sid" "$NOTES#start"
}

@test "the supervisor runs one server, epollserver, on the port; it echoes" {
	start_service
	[[ $(ps_field "$SRV" comm) == epollserver ]] ||
		explain "the server is epollserver (lab 5), the default" "$(ps_field "$SRV" comm)" "$HANDOUT#step-1-start"
	echo_ok "a client of the service"
}

@test "-s forkserver runs lab 4's server instead; -p passes the port through" {
	# in the sandbox a port that is not the default; in fallback the free one
	[[ $HARNESS_SANDBOX == fallback ]] || PORT=7007
	CTL_OPTS=(-s forkserver)
	start_service
	[[ $(ps_field "$SRV" comm) == forkserver ]] ||
		explain "the server is forkserver (-s forkserver)" "$(ps_field "$SRV" comm)" "$HANDOUT#step-1-start"
	echo_ok "a client of the fork server on port $PORT"
}
