#!/usr/bin/env bats
# Step 3: restart under the policy, with a delay that doubles on quick deaths.
# bats file_tags=step3

load '../../../checker/lib/kit'
load supervisor

@test "a child killed with SIGKILL is started again, with a new pid, each time; the supervisor's fd count stays flat" {
	supervise -d 0.2 -- childprog -r "$REC"
	wait_child 1
	local first=$CHILD n fds_then
	fds_then=$(proc_fds "$BG_PID" | wc -l)
	kill -KILL "$first"
	wait_child 2
	[[ $CHILD != "$first" ]] && proc_alive "$CHILD" ||
		explain "a new child after the old one ($first) was killed" "start 2 is pid $CHILD" "$NOTES#restart-policy"
	# two more: a descriptor left open at each start shows as a count
	# that grows
	for n in 3 4; do
		kill -KILL "$CHILD" 2>/dev/null || true	# (gone already: the wait says so)
		wait_child "$n"
	done
	(( $(proc_fds "$BG_PID" | wc -l) == fds_then )) ||
		explain "the supervisor holds as many fds after 3 restarts as after the first start ($fds_then): each start's own fds (the exec-error pipe) closed" \
			"$(proc_fds "$BG_PID" | wc -l): $(proc_fds "$BG_PID" | tr '\n' ';')" "$NOTES#starting-the-child"
}

@test "under on-failure (the default) a clean exit 0 is not restarted: the supervisor exits 0" {
	supervise -d 0.2 -- childprog -r "$REC" -t 0 -e 0
	exited_with "$BG_PID" ||
		explain "the supervisor exits after the child exits 0" "it is still running, $(spawns) start(s)" \
			"$NOTES#restart-policy"
	[[ $RC == 0 && $(spawns) == 1 ]] ||
		explain "exit 0 and one start" "exit $(status_text "$RC"), $(spawns) start(s)" "$NOTES#restart-policy"
}

@test "-r always restarts a child that exits 0" {
	supervise -d 0.2 -r always -- childprog -r "$REC" -t 0 -e 0
	wait_child 2
}

@test "the gaps between starts are at least -d, double while it dies quickly, and SIGHUP does not cut them" {
	supervise -d 0.2 -D 0.8 -b 20 -w 10 -- childprog -r "$REC" -t 0 -e 1
	# SIGHUPs during the waits: a wait that ends on any signal restarts early
	local i
	for (( i = 0; i < 40; i++ )); do
		kill -HUP "$BG_PID" 2>/dev/null || true
		at_least_spawns 5 && break
		sleep 0.05	# the pace of the HUPs, not a synchronisation
	done
	wait_child 5
	local -a t
	mapfile -t t < <(cut -d' ' -f2 "$REC")
	local want=(0.2 0.4 0.8 0.8) gaps=() ok=1
	for i in 0 1 2 3; do
		gaps+=("$(awk -v a="${t[i]}" -v b="${t[i + 1]}" 'BEGIN { printf "%.2f", b - a }')")
		awk -v g="${gaps[i]}" -v w="${want[i]}" 'BEGIN { exit !(g >= w - 0.05) }' || ok=0
	done
	(( ok )) ||
		explain "gaps of at least 0.2, 0.4, 0.8, 0.8 s between the first five starts (-d 0.2 -D 0.8)" \
			"gaps ${gaps[*]} s" "$NOTES#back-off"
}
