#!/usr/bin/env bats
# Step 5: the scenario, end to end - the original tutorial's walkthrough:
# start, a client, the server killed (kill -9, then a plain kill) and
# started again each time, the supervisor stopped by SIGTERM, the log
# telling the story; and the supervisor
# SIGKILLed, which must leave no orphan server.
# bats file_tags=step5

load '../../../checker/lib/kit'
load capstone

# in_order IDENT REGEX... - the lines of IDENT match the REGEXes in this
# order (other lines may come between)
in_order() {
	local ident=$1 line i=2
	shift
	local want=("" "$@")
	while IFS= read -r line && (( i - 1 <= $# )); do
		syslog_parse "$line" || continue
		[[ $SYSLOG_MSG =~ ${want[i - 1]} ]] && i=$((i + 1))
	done < <(syslog_lines "$ident")
	(( i - 1 > $# )) || { MISSING=${want[i - 1]}; return 1; }
}

# served_again OLD - after a plain kill of the server OLD, a new one (-r
# always): SRV is its pid
served_again() {
	local second=$1	# (its pid)
	wait_until "a new server after the plain kill" _served "$second" ||
		explain "3b. a new server after the plain kill: echoctl runs the supervisor with -r always, so only 'echoctl stop' brings the service down" \
			"no server; the supervisor's last lines: $(syslog_lines supervisor "$SUP" | tail -n 2 | sed 's/.*]: //' | tr '\n' '|')" \
			"$NOTES#the-scenario"
	SRV=$(children_of "$SUP")
	track_pid "$SRV"
}

@test "the walkthrough: start, a client, the server killed (kill -9, then kill) and served again each time, SIGTERM to the supervisor" {
	# 1. start returns at once; the daemonized supervisor and one server
	start_service
	[[ $(ps_field "$SUP" ppid) == "$ORPHAN_PPID" && $(ps_field "$SUP" tty) == '?' && $(ps_field "$SUP" sid) != "$SUP" ]] ||
		explain "1. a daemonized supervisor: ppid $ORPHAN_PPID, no tty, not a session leader" \
			"$(ps -o pid,ppid,sid,tty,stat,comm -p "$SUP" | tail -n 1)" "$NOTES#the-scenario"
	status_is 0 "running: supervisor $SUP, server $SRV"

	# 2. a client session, byte-exact; its end of input answered, and the
	# server's side of the connection closed
	echo_ok "2. a client session"
	wait_until "the connection to close" _no_connection ||
		explain "2. no connection left on port $PORT once the client has gone" \
			"$(ss -Htn "sport = :$PORT" | head -n 3)" "$NOTES#the-scenario"

	# 3. the server killed: logged with the signal, a new one after the delay
	local first=$SRV t0=${EPOCHREALTIME/[.,]/}
	kill -KILL "$first"
	syslog_wait supervisor "$SUP" "^child $first killed by signal 9" ||
		explain "3. 'supervisor[$SUP]: child $first killed by signal 9 (SIGKILL) ...'" \
			"$(syslog_lines supervisor "$SUP" | tail -n 2)" "$NOTES#the-scenario"
	wait_server "$first"
	local ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	(( ms >= 250 )) || explain "3. the new server started after the delay (-d 0.3)" "after $ms ms" "$NOTES#the-scenario"
	status_is 0 "running: supervisor $SUP, server $SRV"
	echo_ok "3. a client that reconnects"

	# 3b. a plain kill of the server, as the original tutorial does: it
	# stops cleanly (exit 0), and the supervisor (-r always) starts another
	local second=$SRV
	kill -TERM "$second"
	syslog_wait supervisor "$SUP" "^child $second exited with status 0" ||
		explain "3b. 'supervisor[$SUP]: child $second exited with status 0 ...' after a plain kill of the server" \
			"$(syslog_lines supervisor "$SUP" | tail -n 2)" "$NOTES#the-scenario"
	served_again "$second"
	status_is 0 "running: supervisor $SUP, server $SRV"
	echo_ok "3b. a client after the plain kill"

	# 4. SIGTERM to the supervisor: the server gets SIGTERM, both exit
	kill -TERM "$SUP"
	wait_until "the supervisor and the server to exit" eval "proc_gone $SUP && proc_gone $SRV" ||
		explain "4. supervisor $SUP and server $SRV gone after SIGTERM to the supervisor" \
			"$(proc_state "$SUP") / $(proc_state "$SRV")" "$NOTES#the-scenario"
	syslog_find epollserver "$SRV" '^stopping on SIGTERM' ||
		explain "4. the server stopped by SIGTERM: 'epollserver[$SRV]: stopping on SIGTERM'" \
			"$(syslog_lines epollserver "$SRV" | tail -n 2)" "$NOTES#the-scenario"
	wait_until "the PID file to go" test ! -e "$PIDFILE" ||
		explain "4. no PID file once the supervisor has exited" "it is there" "$NOTES#the-scenario"
	in_order "supervisor[$SUP]" '^started' "^child $first started" "^child $first killed by signal 9" \
		'^restarting in' "^child $second started" "^child $second exited with status 0" '^restarting in' \
		"^child $SRV started" '^stopping on SIGTERM' "^child $SRV (exited|killed)" '^stopped' ||
		explain "4. the log tells the story in order: started, child $first started, killed by signal 9, restarting, child $second started, exited with status 0, restarting, child $SRV started, stopping on SIGTERM, child $SRV exited, stopped" \
			"no line '$MISSING' in its place: $(syslog_lines supervisor "$SUP" | sed 's/.*]: //' | tr '\n' '|')" "$NOTES#the-scenario"

	# 5. stopped by SIGTERM, not failed: the log says it stopped
	status_is 3 "stopped" -l "$HARNESS_SYSLOG"
	# 6. the whole story at facility daemon, and nothing at err or worse:
	# a server killed and restarted is news, not an error (labs 3 and 5)
	syslog_clean supervisor epollserver
}
_no_connection() { [[ -z $(ss -Htn state established "( sport = :$PORT )" 2>/dev/null) ]]; }

@test "the supervisor SIGKILLed leaves no orphan server; status: stale PID file" {
	start_service
	kill -KILL "$SUP"
	wait_until "the server to die with its supervisor" eval "proc_gone $SRV && ! port_listening $PORT" ||
		explain "server $SRV gone, nothing on port $PORT: it dies with its supervisor (lab 3, PR_SET_PDEATHSIG)" \
			"server: $(proc_state "$SRV")" "$NOTES#the-scenario"
	status_is 1 "stale"
	run ctl start "${FAST[@]}"
	(( status == 0 )) || explain "start again after the crash: exit 0 (the stale PID file is no obstacle)" \
		"exit $(status_text), '$output'" "$NOTES#the-scenario"
	SUP=$(cat "$PIDFILE")
	track_pid "$SUP"
	wait_server
	echo_ok "a client after the new start"
}
