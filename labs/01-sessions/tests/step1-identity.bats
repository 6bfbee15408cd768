#!/usr/bin/env bats
# Step 1: procinfo reports who it is, and what it says is what ps and /proc see.
# bats file_tags=step1

load '../../../checker/lib/kit'
load procinfo

@test "procinfo prints one line: pid ppid pgid sid tty umask cwd" {
	run -0 bounded procinfo
	[[ $output =~ ^pid=[0-9]+\ ppid=[0-9]+\ pgid=[0-9]+\ sid=[0-9]+\ tty=[^\ ]+\ umask=0[0-7]{3}\ cwd=/.*$ ]] ||
		explain "one line like 'pid=12 ppid=7 pgid=12 sid=7 tty=none umask=0022 cwd=/tmp'" \
			"'$output'" "labs/01-sessions/README.md, step 1"
	assert_equal "${#lines[@]}" 1
}

@test "the pid, ppid, pgid and sid procinfo reports are the ones ps sees" {
	start_procinfo -w
	local key
	for key in pid ppid pgid sid; do
		[[ $(field "$PROCINFO_LINE" "$key") == "$(ps_field "$BG_PID" "$key")" ]] ||
			explain "$key=$(ps_field "$BG_PID" "$key") (ps -o $key= -p $BG_PID)" \
				"$key=$(field "$PROCINFO_LINE" "$key") in '$PROCINFO_LINE'" \
				"$NOTES#sessions-and-process-groups"
	done
}

@test "without a controlling terminal procinfo says tty=none, as ps shows '?'" {
	start_procinfo -w
	assert_equal "$(ps_field "$BG_PID" tty)" "?"
	[[ $(field "$PROCINFO_LINE" tty) == none ]] ||
		explain "tty=none: the sandbox runs tests in a session without a terminal" \
			"'$PROCINFO_LINE'" "$NOTES#the-controlling-terminal"
}

@test "under a terminal procinfo names it as ps does (script gives it a pty)" {
	start_procinfo -pty -w
	local pid tty
	pid=$(field "$PROCINFO_LINE" pid)
	tty=$(ps_field "$pid" tty)
	[[ $tty == pts/* ]] || fail "script(1) did not give procinfo a terminal: ps says tty '$tty'"
	[[ $(field "$PROCINFO_LINE" tty) == "/dev/$tty" ]] ||
		explain "tty=/dev/$tty (ps -o tty= -p $pid says $tty)" \
			"'$PROCINFO_LINE'" "$NOTES#the-controlling-terminal"
}

@test "the umask and cwd procinfo reports are the ones in /proc" {
	mkdir "$BATS_TEST_TMPDIR/a dir"
	cd "$BATS_TEST_TMPDIR/a dir"
	umask 0027
	start_procinfo -w
	[[ $(field "$PROCINFO_LINE" umask) == 0027 && $(proc_status "$BG_PID" Umask) == 0027 ]] ||
		explain "umask=0027 printed, and 'Umask: 0027' in /proc/$BG_PID/status" \
			"'$PROCINFO_LINE', /proc says Umask: $(proc_status "$BG_PID" Umask)" \
			"$NOTES#umask"
	[[ $(field "$PROCINFO_LINE" cwd) == "$(proc_cwd "$BG_PID")" ]] ||
		explain "cwd=$(proc_cwd "$BG_PID") (readlink /proc/$BG_PID/cwd)" \
			"'$PROCINFO_LINE'" "$NOTES#the-working-directory"
}

@test "an unknown option or an extra argument gets a usage line and exit 2" {
	run -2 --separate-stderr bounded procinfo -x
	assert_equal "$output" ""
	[[ $stderr == *usage:* ]] || fail "no 'usage:' line on stderr: '$stderr'"
	run -2 --separate-stderr bounded procinfo extra
	[[ $stderr == *usage:* ]] || fail "no 'usage:' line on stderr: '$stderr'"
}
