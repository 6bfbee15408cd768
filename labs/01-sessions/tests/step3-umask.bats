#!/usr/bin/env bats
# Step 3: umask takes permission bits away from every file the process creates.
# bats file_tags=step3

load '../../../checker/lib/kit'
load procinfo

@test "a file created with mode 0666 under umask M gets 0666 & ~M" {
	local mask want got
	for mask in 022 077 027 002 000 777; do
		want=$(printf '%o' $(( 0666 & ~0$mask )))
		run bounded procinfo -u "$mask" -c "$BATS_TEST_TMPDIR/f$mask"
		[[ $status -eq 0 && -e $BATS_TEST_TMPDIR/f$mask ]] ||
			explain "procinfo -u $mask -c FILE exits 0 and FILE exists" \
				"exit $(status_text), output '$output', file $( [[ -e $BATS_TEST_TMPDIR/f$mask ]] && echo exists || echo missing)" \
				"labs/01-sessions/README.md, step 3"
		got=$(stat -c %a "$BATS_TEST_TMPDIR/f$mask")
		[[ $got == "$want" ]] ||
			explain "mode $want for a file created under umask $mask" \
				"mode $got (stat -c %a)" "$NOTES#umask"
	done
}

@test "-u sets the process's own umask: /proc shows it while procinfo runs" {
	start_procinfo -u 027 -w
	[[ $(proc_status "$BG_PID" Umask) == 0027 && $(field "$PROCINFO_LINE" umask) == 0027 ]] ||
		explain "'Umask: 0027' in /proc/$BG_PID/status and umask=0027 printed" \
			"/proc: $(proc_status "$BG_PID" Umask), printed: '$PROCINFO_LINE'" "$NOTES#umask"
}

@test "a umask that is not an octal number from 0 to 777 is refused with exit 2" {
	local bad
	for bad in 8 1000 abc 0x1f -1 ''; do
		run --separate-stderr bounded procinfo -u "$bad"
		[[ $status -eq 2 && -n $stderr ]] ||
			explain "exit 2 and a message on stderr for -u '$bad'" \
				"exit $(status_text), stderr '$stderr'" "labs/01-sessions/README.md, step 3"
	done
}

@test "-c on a file that exists fails, naming the file and the reason" {
	touch "$BATS_TEST_TMPDIR/exists"
	run --separate-stderr bounded procinfo -u 022 -c "$BATS_TEST_TMPDIR/exists"
	[[ $status -eq 1 && $stderr == *"$BATS_TEST_TMPDIR/exists"*"File exists"* ]] ||
		explain "exit 1 and 'procinfo: create $BATS_TEST_TMPDIR/exists: File exists' (O_EXCL)" \
			"exit $(status_text), stderr '$stderr'" "labs/01-sessions/README.md, step 3"
}
