#!/usr/bin/env bats
# Step 4: restart, start when running, and the service's wanted state:
# a supervisor that gave up is 'failed', not 'stopped'.
# bats file_tags=step4
# shellcheck disable=SC2030,SC2031 # SUP: each test sets its own

load '../../../checker/lib/kit'
load capstone

@test "restart: a new supervisor and a new server, serving" {
	start_service
	local old_sup=$SUP old_srv=$SRV
	run ctl restart "${FAST[@]}"
	(( status == 0 )) || explain "'echoctl restart' exits 0" "exit $(status_text), '$output'" "$NOTES#restart"
	proc_gone "$old_sup" && proc_gone "$old_srv" ||
		explain "the old supervisor $old_sup and server $old_srv gone" \
			"$(proc_state "$old_sup") / $(proc_state "$old_srv")" "$NOTES#restart"
	SUP=$(cat "$PIDFILE" 2>/dev/null) || SUP=''
	[[ $SUP =~ ^[0-9]+$ && $SUP != "$old_sup" ]] ||
		explain "a new supervisor's pid in $PIDFILE" "'$SUP'" "$NOTES#restart"
	track_pid "$SUP"
	wait_server
	echo_ok "a client after the restart"
}

@test "start when running starts no second supervisor: exit 0, the same pid" {
	start_service
	run ctl start "${FAST[@]}"
	(( status == 0 )) && [[ $(cat "$PIDFILE") == "$SUP" ]] && [[ $(pids_named supervisor | wc -l) == 1 ]] ||
		explain "exit 0, still supervisor $SUP alone" \
			"exit $(status_text), '$output', supervisors: $(pids_named supervisor | tr '\n' ' ')" "$NOTES#restart"
}

@test "after a crash loop the supervisor gives up: status exit 2, 'failed', 'giving up' from the log" {
	start_service
	local i
	for i in 1 2 3; do
		kill -KILL "$SRV"
		if (( i < 3 )); then wait_server "$SRV"; fi
	done
	wait_until "the supervisor to give up" proc_gone "$SUP" ||
		explain "supervisor $SUP gives up after 3 quick deaths (-b 2)" "still running" "$NOTES#failed"
	syslog_sync	# its last line written to the log before status reads it
	status_is 2 "failed" -l "$HARNESS_SYSLOG"
	[[ $output == *"giving up"* ]] ||
		explain "the supervisor's last log line in the status: 'giving up: ...'" "'$output'" "$NOTES#failed"
}

@test "after a stop, status is 'stopped' (exit 3), not 'failed'" {
	start_service
	run ctl stop
	status_is 3 "stopped"
}

@test "a start that fails (the supervisor refuses an option) exits 1 and leaves the service 'stopped' (exit 3), not 'failed'" {
	run ctl start -d nonsense
	(( status == 1 )) ||
		explain "'echoctl start -d nonsense' exits 1: the supervisor refused its option" \
			"exit $(status_text), output '$output'" "$HANDOUT#step-1-start"
	# nobody got a service that ran and died: no mark of a wanted service
	status_is 3 "stopped"
}
