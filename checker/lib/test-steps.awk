# test-steps.awk - "stepN<TAB>test name<TAB>file" for every @test of the
# Bats files given, from their `# bats file_tags=stepN` and
# `# bats test_tags=stepN` lines (no tag: an empty first field).
# Used by checker/core/run-tests (the progress lines), checker/student/status,
# checker/student/classroom, checker/maint/selftest and stepwise-check.
FNR == 1 { ftag = ""; ttag = "" }
/^# bats file_tags=/ { if (match($0, /step[0-9]+/)) ftag = substr($0, RSTART, RLENGTH) }
/^# bats test_tags=/ { if (match($0, /step[0-9]+/)) ttag = substr($0, RSTART, RLENGTH) }
/^@test / {
	name = $0
	sub(/^@test +["\047]/, "", name)
	sub(/["\047] *\{ *$/, "", name)
	print (ttag != "" ? ttag : ftag) "\t" name "\t" FILENAME
	ttag = ""
}
