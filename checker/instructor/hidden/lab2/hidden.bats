#!/usr/bin/env bats
# Hidden tests of lab 2, run by checker/instructor/grade and never shipped to students
# (make handout leaves checker/instructor/hidden/ out): what the public tests leave open.
# Each is shown able to fail by a known-bad variant in checker/maint/mutants/lab2/.
# bats file_tags=step3

load '../../../../checker/lib/kit'
load '../../../../labs/02-daemon/tests/mydaemon'

@test "the PID file is created with mode 0644: no one else may write it" {
	umask 000
	start_fg
	assert_file_exists "$PIDFILE"
	[[ $(stat -c %a "$PIDFILE") == 644 ]] ||
		explain "mode 644 (open(..., 0644); under umask 000 the mode asked for is the mode given)" \
			"mode $(stat -c %a "$PIDFILE")" "$NOTES#the-pid-file"
}
