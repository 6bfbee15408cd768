# memcheck.bash - what the reference's valgrind runs (checker/maint/memcheck/labN.bats,
# loaded after kit.bash) share: the options, and the verdict on the logs.
# shellcheck shell=bash disable=SC2034 # VG_OPTS is for the tests

# every leak counts, errors in leaks too; a file's own options follow
# (--trace-children=yes where the lab's programs exec one another)
VG_OPTS=(-q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
	"--suppressions=$KIT_ROOT/checker/lib/valgrind.supp")

# clean_logs - every valgrind log of the test ($BATS_TEST_TMPDIR/vg.*) says
# 0 errors and no leak; else each bad log is shown
clean_logs() {
	local f bad=0
	compgen -G "$BATS_TEST_TMPDIR/vg.*" >/dev/null || { echo "valgrind wrote no log"; return 1; }
	for f in "$BATS_TEST_TMPDIR"/vg.*; do
		[[ -f $f ]] || continue
		if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost|Invalid|uninitialised' "$f"; then
			echo "--- $f"; cat "$f"; bad=1
		fi
	done
	return "$bad"
}
