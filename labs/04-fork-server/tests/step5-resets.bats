#!/usr/bin/env bats
# Step 5: clients that go away.  A write to a connection the client has
# closed or reset must end that child cleanly, not kill it with SIGPIPE.
# bats file_tags=step5

load '../../../checker/lib/kit'
load forkserver

@test "a client that closes without reading the reply: its child exits 0, not by SIGPIPE" {
	serve
	# the server stopped: the client sends and closes before any reply,
	# so the child writes to a connection the client has closed
	kill -STOP "$SERVER"
	load_ok "the client sends, then closes" "$NOTES#sigpipe" -C -s 200K -t 10
	kill -CONT "$SERVER"
	child_exit_line '[0-9]+'
	[[ $SYSLOG_MSG == *"exited with status 0" ]] ||
		explain "'child N exited with status 0': a client that went away is the end of the connection, not a reason to die" \
			"'$SYSLOG_MSG'" "$NOTES#sigpipe"
}

@test "a client that resets mid-transfer: its child exits 0, and others are served" {
	serve
	# it sends without reading until the child waits in write(), then resets
	load_ok "the client sends, then resets the connection" "$NOTES#sigpipe" -R -b 4096 -s 64M
	child_exit_line '[0-9]+'
	[[ $SYSLOG_MSG == *"exited with status 0" ]] ||
		explain "'child N exited with status 0' (ECONNRESET is the client's doing, not an error of the server)" \
			"'$SYSLOG_MSG'" "$NOTES#sigpipe"
	load_ok "the next client served" "$NOTES#sigpipe" -s 100K -t 5
}
