#!/usr/bin/env bats
# Step 4: a crash loop: more than -b quick deaths in a row, and it gives up.
# bats file_tags=step4

load '../../../checker/lib/kit'
load supervisor

@test "a child that always fails is started exactly burst+1 times, then 'giving up', exit 1" {
	supervise -d 0.05 -D 0.1 -b 3 -- childprog -r "$REC" -t 0 -e 1
	exited_with "$BG_PID" ||
		explain "the supervisor gives up" "it is still running after $(spawns) starts" "$NOTES#crash-loops"
	[[ $RC == 1 && $(spawns) == 4 ]] ||
		explain "4 starts (-b 3: more than 3 quick deaths), then exit 1" \
			"$(spawns) starts, exit $(status_text "$RC")" "$NOTES#crash-loops"
	syslog_find supervisor "$BG_PID" 'giving up' ||
		explain "a line 'giving up: ...'" "$(syslog_lines supervisor | tail -n 2)" "$NOTES#crash-loops"
}

@test "a run longer than -w resets the count of quick deaths" {
	# (a "die" is quick only if it ends within -w: on a loaded machine a
	# start of childprog alone took more than 0.5 s, hence -w 2; the long
	# run is well past it)
	printf '%s\n' die die "live 3" die die die die >"$BATS_TEST_TMPDIR/script"
	supervise -d 0.05 -D 0.1 -b 2 -w 2 -- childprog -r "$REC" -S "$BATS_TEST_TMPDIR/script"
	exited_with "$BG_PID" || true
	[[ $(spawns) == 6 ]] ||
		explain "6 starts: die, die, a 3 s run (longer than -w 2: the count starts again), die, die, die (3 > -b 2)" \
			"$(spawns) starts" "$NOTES#crash-loops"
}
