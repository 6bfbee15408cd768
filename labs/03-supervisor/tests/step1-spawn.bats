#!/usr/bin/env bats
# Step 1: run the command, clean, found on PATH, with its arguments; one
# supervisor per PID file, a daemon without -f (the lab 2 code, given).
# bats file_tags=step1

load '../../../checker/lib/kit'
load supervisor

@test "-h, a bad option, a bad number or no command: usage or a message, exit 2" {
	local args
	for args in "-h" "-x -- true" "-d abc -- true" "-d 0 -- true" "-b 0 -- true" \
		"-r sometimes -- true" "-f -P $PIDFILE"; do
		# shellcheck disable=SC2086 # split the arguments on purpose
		run --separate-stderr bounded supervisor $args
		[[ $status -eq 2 && -n $stderr ]] ||
			explain "exit 2 and a message on stderr for 'supervisor $args'" \
				"exit $(status_text), stderr '$stderr'" "labs/03-supervisor/README.md, step 1"
	done
}

@test "it runs the command, found on PATH, with its arguments and the environment" {
	KIT_MARK=hello supervise -- childprog -r "$REC" one "two words"
	wait_child 1
	run bash -c "tr '\0' '\n' </proc/$CHILD/cmdline"
	assert_line one
	assert_line "two words"
	grep -qz '^KIT_MARK=hello$' "/proc/$CHILD/environ" ||
		explain "KIT_MARK=hello in the child's environment (execvp keeps environ)" \
			"$(tr '\0' ' ' <"/proc/$CHILD/environ" | cut -c1-200)" "$NOTES#starting-the-child"
}

@test "the child starts clean: own process group, no signal blocked or ignored, only fds 0-2" {
	start_bg bash -c "trap '' USR1 PIPE; exec 7</dev/null; exec supervisor -f -P '$PIDFILE' -- sleep 1001"
	wait_until "a child of the supervisor" eval "[[ -n \$(children_of $BG_PID) ]]" ||
		explain "a child of the supervisor ($BG_PID), running sleep 1001" \
			"no child; its last log lines: '$(syslog_lines supervisor | tail -n 2)'" "$NOTES#starting-the-child"
	local c
	c=$(children_of "$BG_PID")
	track_pid "$c"
	[[ $(ps_field "$c" pgid) == "$c" ]] ||
		explain "the child ($c) leads its own process group" "pgid $(ps_field "$c" pgid)" "$NOTES#starting-the-child"
	local ign s
	ign=$(proc_status "$c" SigIgn)
	for s in USR1 PIPE; do
		if sig_bit "$ign" "$s"; then
			explain "SIG$s not ignored in the child (the shell that started the supervisor ignored it)" \
				"SigIgn $ign in /proc/$c/status" "$NOTES#starting-the-child"
		fi
	done
	[[ $(proc_status "$c" SigBlk) == 0000000000000000 ]] ||
		explain "no signal blocked in the child: SigBlk 0 in /proc/$c/status" \
			"SigBlk $(proc_status "$c" SigBlk)" "$NOTES#starting-the-child"
	[[ $(proc_fds "$c" | cut -d' ' -f1 | tr '\n' ' ') == "0 1 2 " ]] ||
		explain "only fds 0, 1 and 2 in the child" "$(proc_fds "$c" | tr '\n' ';')" "$NOTES#starting-the-child"
}

@test "a command that cannot run: the reason is logged, the PID file stays, no busy loop" {
	supervise -d 1 -b 3 -- /no/such/program	# (-d 1: one that restarts it runs 1+2+4 s before it gives up)
	syslog_wait supervisor "$BG_PID" 'No such file or directory' ||
		explain "a line from supervisor[$BG_PID] naming /no/such/program and 'No such file or directory'" \
			"$(syslog_lines supervisor | tail -n 3)" "$NOTES#starting-the-child"
	# the child has left (a zombie until step 2 reaps it): had it run the
	# supervisor's exit handlers, the PID file would be gone by now
	wait_until "the child that could not run to exit" no_live_child "$BG_PID" || true
	local pf t
	pf=$(cat "$PIDFILE" 2>/dev/null) || pf=""
	# (what the supervisor does next is for later steps: it may have ended,
	# and removed its own PID file; while it runs, the file is there)
	if proc_alive "$BG_PID"; then
		[[ $pf == "$BG_PID" ]] ||
			explain "$PIDFILE still holds $BG_PID after the child's exec failed" \
				"'$pf': did the child run the supervisor's exit handlers (exit, not _exit)?" \
				"$NOTES#starting-the-child"
		t=$(awk '{ print $14 + $15 }' "/proc/$BG_PID/stat" 2>/dev/null) || t=0	# utime + stime, in ticks
		(( ${t:-0} < 50 )) ||
			explain "the supervisor's CPU time stays near zero while it waits" "$t ticks" "$NOTES#back-off"
	fi
}

@test "a second supervisor on the same PID file refuses to start" {
	supervise -- childprog -r "$REC"
	run --separate-stderr bounded supervisor -f -P "$PIDFILE" -- childprog -r "$REC"
	[[ $status -ne 0 && -n $stderr && $(cat "$PIDFILE") == "$BG_PID" ]] ||
		explain "the second one exits non-zero with a message; the PID file still holds $BG_PID" \
			"exit $(status_text), stderr '$stderr', PID file '$(cat "$PIDFILE")'" "$NOTES#one-supervisor"
	[[ $(spawns) == 1 ]] ||
		explain "one start of the command in all: the first supervisor's" "$(spawns) starts" "$NOTES#one-supervisor"
}

@test "without -f it daemonizes: the launcher returns; the supervisor is re-parented, has no terminal, umask 0, cwd /, fds 0-2 on /dev/null" {
	# launched under umask 027, in the test's directory, stdin a pipe (a
	# test runs in a process of its own: its umask and cwd are its own)
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	exec 8<>"$BATS_TEST_TMPDIR/stdin"
	umask 027
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr bounded supervisor -P "$PIDFILE" -- childprog -r "$REC" <&8
	exec 8<&-
	local p
	p=$(cat "$PIDFILE" 2>/dev/null)
	[[ $p =~ ^[0-9]+$ ]] && track_pid "$p"
	[[ $status -eq 0 && -n $p ]] && proc_alive "$p" ||
		explain "the launcher exits 0 and the PID file names the running supervisor" \
			"exit $(status_text), stderr '$stderr', PID file '$p'" "$NOTES#one-supervisor"
	[[ $(ps_field "$p" ppid) == "$ORPHAN_PPID" && $(ps_field "$p" tty) == "?" && $(ps_field "$p" sid) != "$p" ]] ||
		explain "ppid $ORPHAN_PPID, tty ?, not a session leader" \
			"ppid $(ps_field "$p" ppid), tty $(ps_field "$p" tty), sid $(ps_field "$p" sid)" "$NOTES#one-supervisor"
	local fds
	fds=$(proc_fds "$p" | grep '^[012] ' | tr '\n' ';')
	[[ $(proc_status "$p" Umask) == 0000 && $(proc_cwd "$p") == / && $fds == "0 /dev/null;1 /dev/null;2 /dev/null;" ]] ||
		explain "the daemon's state of lab 2: umask 0 (launched under 027), cwd / (launched elsewhere), fds 0-2 on /dev/null (stdin was a pipe)" \
			"umask $(proc_status "$p" Umask), cwd $(proc_cwd "$p"), fds $fds" "notes/02-daemon.md#umask-and-chdir"
	wait_child 1
}
