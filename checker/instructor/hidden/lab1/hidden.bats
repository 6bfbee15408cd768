#!/usr/bin/env bats
# Hidden tests of lab 1, run by checker/instructor/grade and never shipped to students
# (make handout leaves checker/instructor/hidden/ out): what the public tests leave open.
# Each is shown able to fail by a known-bad variant in checker/maint/mutants/lab1/.

load '../../../../checker/lib/kit'
load '../../../../labs/01-sessions/tests/procinfo'

# bats test_tags=step4
@test "the steps run in their order whatever the options' order: -d DIR -c FILE creates FILE where it started" {
	mkdir "$BATS_TEST_TMPDIR/start" "$BATS_TEST_TMPDIR/elsewhere"
	cd "$BATS_TEST_TMPDIR/start"
	run bounded procinfo -d "$BATS_TEST_TMPDIR/elsewhere" -c made
	[[ $status -eq 0 && -f $BATS_TEST_TMPDIR/start/made ]] ||
		explain "exit 0, and 'made' created in the starting directory (-c runs before -d)" \
			"exit $(status_text); start/: '$(ls "$BATS_TEST_TMPDIR/start")', elsewhere/: '$(ls "$BATS_TEST_TMPDIR/elsewhere")'" \
			"labs/01-sessions/README.md, what procinfo does (the steps run in this order)"
	[[ $(field "$output" cwd) == "$BATS_TEST_TMPDIR/elsewhere" ]] ||
		explain "cwd=$BATS_TEST_TMPDIR/elsewhere" "'$output'" "$NOTES#the-working-directory"
}

# bats test_tags=step3
@test "-F -u 077: the parent's line keeps the umask it started with, the child's has 077" {
	umask 0022
	run bounded procinfo -F -u 077
	[[ $status -eq 0 && ${#lines[@]} -eq 2 ]] ||
		explain "two lines, the parent's then the child's, exit 0" "exit $(status_text), '$output'" \
			"labs/01-sessions/README.md, step 2"
	[[ $(field "${lines[0]}" umask) == 0022 && $(field "${lines[1]}" umask) == 0077 ]] ||
		explain "umask=0022 in the parent's line (it prints before the fork), umask=0077 in the child's" \
			"'${lines[0]}' then '${lines[1]}'" "$NOTES#umask"
}
