#!/usr/bin/env bats
# Step 4: a clean start: no inherited fds, signal dispositions or mask.
# bats file_tags=step4

load '../../../checker/lib/kit'
load mydaemon

@test "fds the launcher left open above 2 are closed" {
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	start_bg bash -c 'exec 7</dev/null 9>"$1/x"; exec mydaemon -f -P "$2" -i 1' _ \
		"$BATS_TEST_TMPDIR" "$PIDFILE"
	wait_started "$BG_PID"
	run proc_fds "$BG_PID"
	refute_line --regexp '^7 ' || explain "fd 7 (opened by the launcher) closed" "$output" "$NOTES#a-clean-start"
	refute_line --regexp '^9 ' || explain "fd 9 (opened by the launcher) closed" "$output" "$NOTES#a-clean-start"
}

@test "signals the launcher ignored are not ignored by the daemon (trap '' HUP USR1 PIPE)" {
	start_bg bash -c "trap '' HUP USR1 PIPE; exec mydaemon -f -P \"\$1\" -i 1" _ "$PIDFILE"
	wait_started "$BG_PID"
	local ign s
	ign=$(proc_status "$BG_PID" SigIgn)
	for s in HUP USR1 PIPE; do
		if sig_bit "$ign" "$s"; then
			explain "SIG$s not ignored (its bit clear in SigIgn of /proc/$BG_PID/status)" \
				"SigIgn: $ign" "$NOTES#a-clean-start"
		fi
	done
}

@test "signals the launcher blocked are not blocked in the daemon" {
	# perl: bash cannot block a signal for the programs it starts
	start_bg perl -MPOSIX -e \
		'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1, SIGUSR2)) or die; exec @ARGV or die' \
		mydaemon -f -P "$PIDFILE" -i 1
	wait_started "$BG_PID"
	local blk s
	blk=$(proc_status "$BG_PID" SigBlk)
	for s in USR1 USR2; do
		if sig_bit "$blk" "$s"; then
			explain "SIG$s not blocked (its bit clear in SigBlk of /proc/$BG_PID/status)" \
				"SigBlk: $blk" "$NOTES#a-clean-start"
		fi
	done
}
