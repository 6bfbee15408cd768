#!/usr/bin/env bats
# Hidden tests of lab 3, run by checker/instructor/grade and never shipped to students
# (make handout leaves checker/instructor/hidden/ out): what the public tests leave open.
# Each is shown able to fail by a known-bad variant in checker/maint/mutants/lab3/.
# bats file_tags=step1

load '../../../../checker/lib/kit'
load '../../../../labs/03-supervisor/tests/supervisor'

@test "the supervisor's PID file is created with mode 0644: no one else may write it" {
	umask 000
	supervise -- childprog -r "$REC"
	assert_file_exists "$PIDFILE"
	[[ $(stat -c %a "$PIDFILE") == 644 ]] ||
		explain "mode 644 (open(..., 0644); under umask 000 the mode asked for is the mode given)" \
			"mode $(stat -c %a "$PIDFILE")" "$NOTES#one-supervisor"
}
