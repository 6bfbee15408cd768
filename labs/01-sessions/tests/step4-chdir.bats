#!/usr/bin/env bats
# Step 4: chdir moves the process; a daemon moves to / so it pins no directory.
# bats file_tags=step4

load '../../../checker/lib/kit'
load procinfo

@test "-d / moves the process: /proc/PID/cwd is / while it runs" {
	cd "$BATS_TEST_TMPDIR"
	start_procinfo -d / -w
	[[ $(proc_cwd "$BG_PID") == / && $(field "$PROCINFO_LINE" cwd) == / ]] ||
		explain "cwd / (readlink /proc/$BG_PID/cwd) and cwd=/ printed" \
			"/proc: $(proc_cwd "$BG_PID"), printed: '$PROCINFO_LINE'" "$NOTES#the-working-directory"
}

@test "-d with a directory that does not exist fails, naming it and the reason" {
	run --separate-stderr bounded procinfo -d /no/such/dir
	[[ $status -eq 1 && $stderr == *"/no/such/dir"*"No such file or directory"* ]] ||
		explain "exit 1 and 'procinfo: chdir /no/such/dir: No such file or directory'" \
			"exit $(status_text), stderr '$stderr'" "$NOTES#the-working-directory"
}
