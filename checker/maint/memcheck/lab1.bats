#!/usr/bin/env bats
# The lab 1 reference under valgrind (checker/maint/selftest): no memory error
# and no leak on any path, the fork's child included.

load '../../lib/kit'

VALGRIND=(valgrind -q --leak-check=full --show-leak-kinds=all
	--errors-for-leak-kinds=all --error-exitcode=99 --trace-children=yes
	"--suppressions=$KIT_ROOT/checker/lib/valgrind.supp")

# memcheck CMD... - CMD under valgrind; exit 99 means valgrind found something
memcheck() {
	bounded "${VALGRIND[@]}" "$@"
}

@test "procinfo with every step is clean under valgrind" {
	run -0 memcheck procinfo -u 027 -c "$BATS_TEST_TMPDIR/f" -d / -p daemon.info -L hello
}

@test "procinfo -F -S (both sides of the fork) is clean under valgrind" {
	run -0 memcheck procinfo -F -S
}

@test "procinfo under a terminal is clean under valgrind" {
	run -0 run_pty "${VALGRIND[@]}" procinfo
}

@test "procinfo's error exits are clean under valgrind" {
	run -2 memcheck procinfo -x
	run -2 memcheck procinfo -u 99
	run -1 memcheck procinfo -d /no/such/dir
	run -1 as_group_leader_setsid
}

as_group_leader_setsid() {
	bash -c 'set -m; "$@" procinfo -S; exit $?' as_group_leader "${VALGRIND[@]}"
}
