#!/usr/bin/env bats
# make bench (checker/maint/bench) in its quick mode: it runs to completion,
# prints its table, its chart and the plot where gnuplot is; without the
# optional packages it says what it skips; Ctrl-C, a SIGTERM of make or a
# SIGKILL of the script in the middle leaves no server, no load generator
# and so no port behind.
# Each run writes in the test's own directory (BENCH_OUT), never in
# build/bench/.  About 15 s in all on 2 cores (the first test: 10 s).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

KIT=$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)
# shellcheck source=checker/lib/common.bash
source "$KIT/checker/lib/common.bash"	# poll_until

setup() {
	OUT=$BATS_TEST_TMPDIR/bench
	SID_FILE=$BATS_TEST_TMPDIR/sid
}

teardown() {
	local sid
	# whatever a failed test left in its session goes (by session id only)
	if [[ -s $SID_FILE ]]; then
		sid=$(<"$SID_FILE")
		left_in_session "$sid" | xargs -r kill -KILL 2>/dev/null || true
	fi
}

# left_in_session SID - the processes still in the session, one pid a line
left_in_session() {
	ps -eo pid=,sid= | awk -v s="$1" '$2 == s { print $1 }'
}

# bench [VAR=value...] - make bench in a new session of its own (so that
# what it leaves can be found), quick, writing in $OUT; output in $OUT.log.
# FD_LIMIT=N: with N fds at most, and (as root) no right to raise it
# shellcheck disable=SC2016 # $$ and $0, $1, $2 are the inner bash's
bench() {
	local pre=()
	[[ -n ${FD_LIMIT-} && $(id -u) == 0 ]] && pre=(setpriv --bounding-set -sys_resource)
	env -u MAKEFLAGS -u MAKELEVEL BENCH_QUICK=1 BENCH_OUT="$OUT" "$@" \
		setsid -w "${pre[@]}" bash -c 'echo $$ >"$0"
			if [[ -n $2 ]]; then ulimit -Sn "$2" && ulimit -Hn "$2" || exit 99; fi
			exec timeout -k 5 150 make -s -C "$1" --no-print-directory bench' \
		"$SID_FILE" "$KIT" "${FD_LIMIT-}" >"$OUT.log" 2>&1 3>&-
}

# nothing of the run is left: no process in its session, no port held
assert_nothing_left() {
	local sid left
	sid=$(<"$SID_FILE")
	none_left() { left=$(left_in_session "$sid"); [[ -z $left ]]; }
	poll_until 5 none_left || true
	[[ -z $left ]] || fail "processes of make bench still running: $(ps -o pid,ppid,stat,args -p "$(paste -sd, <<<"$left")")"
}

@test "make bench in quick mode runs to completion and prints its table" {
	run bench
	run cat "$OUT.log"
	assert_line --regexp '^server +conns +msgs/s +p50 +p99'
	assert_line --regexp '^forkserver +1 +[0-9]+ '
	assert_line --regexp '^forkserver +100 +[0-9]+ '
	assert_line --regexp '^minfork +100 +[0-9]+ '
	assert_line --regexp '^bench: done in [0-9]+ s'
	assert_line --partial 'msgs/s (each # is'
	[[ $(wc -l <"$OUT/summary.tsv") -ge 5 ]] || fail "$(cat "$OUT/summary.tsv")"
	if command -v gnuplot >/dev/null; then
		assert_line "plot: $OUT/bench.svg, $OUT/bench.png"
		grep -q '<svg' "$OUT/bench.svg"
	fi
	assert_nothing_left
}

@test "make bench without gnuplot and libuv says what it skips, and still draws its chart" {
	run bench BENCH_GNUPLOT=0 BENCH_LIBUV=0 BENCH_CONNS=10 BENCH_SERVERS="forkserver libuv"
	run cat "$OUT.log"
	assert_line --partial 'libuv: skipped: BENCH_LIBUV=0'
	assert_line --regexp '^forkserver +10 +[0-9]+ '
	refute_line --regexp '^libuv +10'
	assert_line --partial 'no plot: BENCH_GNUPLOT=0; the chart above is the picture'
	[[ ! -e $OUT/bench.svg ]]
	assert_nothing_left
}

@test "make bench skips what the fd limit does not allow, and says so" {
	FD_LIMIT=256 run bench BENCH_CONNS="10 1000" BENCH_SERVERS=minfork
	run cat "$OUT.log"
	assert_line --regexp 'minfork at 1000 connections: skipped: 1000 connections need [0-9]+ fds; the limit is 256'
	assert_line --regexp '^minfork +10 +[0-9]+ '
	assert_nothing_left
}

# stop_in_middle SIGNAL WHOM - start make bench, and once its load
# generator runs, send SIGNAL to WHOM: "group" (Ctrl-C: the terminal
# signals the whole foreground group), or "make" or "bench" (that process
# alone, as kill does)
stop_in_middle() {
	local sig=$1 whom=$2 sid='' started=1
	bench BENCH_CONNS=100 BENCH_SERVERS="forkserver minfork" BENCH_SECS=5 &
	echobench_runs() {
		[[ -s $SID_FILE ]] && sid=$(<"$SID_FILE") &&
			ps -eo sid=,comm= | awk -v s="$sid" '$1 == s && $2 == "echobench" { f = 1 } END { exit !f }'
	}
	poll_until 30 echobench_runs || started=''
	[[ -n $sid ]] || fail "make bench did not start"
	[[ -n $started ]] || fail "make bench did not start echobench within 30 s: $(cat "$OUT.log")"
	if [[ $whom == group ]]; then
		kill "-$sig" -- "-$sid"
	else
		# make, or the script: "bash checker/maint/bench" (its comm is bash)
		kill "-$sig" "$(ps -eo pid=,sid=,args= | awk -v s="$sid" -v c="$whom" '
			$2 == s && (c == "make" ? $3 == "make" : $4 ~ /checker\/maint\/bench$/) { print $1 }')"
	fi
	wait
}

@test "Ctrl-C in the middle of make bench leaves nothing running" {
	stop_in_middle INT group
	assert_nothing_left
	run cat "$OUT.log"
	assert_line --partial 'bench: interrupted; stopping the servers'
	refute_line --regexp '^bench: done'
}

@test "SIGTERM to make in the middle of make bench leaves nothing running" {
	stop_in_middle TERM make
	assert_nothing_left
	run cat "$OUT.log"
	refute_line --regexp '^bench: done'
}

@test "SIGKILL of checker/maint/bench in the middle leaves nothing running" {
	stop_in_middle KILL bench
	assert_nothing_left
}
