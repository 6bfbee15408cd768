#!/usr/bin/env bats
# The harness's own tests: what every lab test relies on.  They run in
# every kind of sandbox the machine can make (checker/maint/selftest).
# (Each test runs in a subshell of its own: what one sets, another never sees.)
# shellcheck disable=SC2030,SC2031

load '../../lib/kit'

# inner_run_tests [VAR=VALUE...] ARG... - checker/core/run-tests --lab 0
# ARGs in the fallback sandbox (inside this test's), bounded, without
# Bats' fd 3: for `run`, on a fixture
inner_run_tests() {
	local vars=()
	while [[ $1 == [A-Z]*=* ]]; do vars+=("$1"); shift; done
	timeout -k 5 60 env HARNESS_SANDBOX=fallback ${vars[@]+"${vars[@]}"} \
		"$KIT_ROOT/checker/core/run-tests" --lab 0 --bin "$LAB_BIN" "$@" 3>&-
}

has_ppid() { [[ $(ps_field "$1" ppid) == "$2" ]]; }
has_zombie_child() {
	local c
	c=$(children_of "$1")
	[[ -n $c && $(proc_state "$c") == Z ]]
}

@test "the sandbox has its own PID namespace: PID 1 is the sandbox's" {
	require_pid_namespace
	local init
	init=$(ps -o comm= -p 1)
	[[ $init == bwrap || $init == reaper ]] || fail "PID 1 is '$init'"
	(( $(ps -e -o pid= | wc -l) < 40 )) || fail "ps sees the host's processes: $(ps -e | head)"
}

@test "an orphan is re-parented to ORPHAN_PPID (1, or the reaper in fallback)" {
	local pid
	pid=$(bash -c 'sleep 301 </dev/null >/dev/null 2>&1 3>&- & echo $!')
	track_pid "$pid"
	wait_until "the orphan $pid to be re-parented" has_ppid "$pid" "$ORPHAN_PPID" ||
		fail "orphan $pid has ppid $(ps_field "$pid" ppid), not $ORPHAN_PPID"
}

@test "the network has loopback only, and it is up" {
	require_private_net
	run -0 ip -o link show
	assert_equal "${#lines[@]}" 1
	assert_output --partial "lo:"
	assert_output --partial "UP"
}

@test "/tmp and /run are private tmpfs mounts" {
	require_pid_namespace
	assert_equal "$(stat -f -c %T /tmp)" tmpfs
	assert_equal "$(stat -f -c %T /run)" tmpfs
}

@test "tcp_exchange sends binary data to an echo server and gets it back byte for byte" {
	start_bg socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" EXEC:cat
	wait_until "socat to listen on $PORT" port_listening "$PORT"
	head -c 100000 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	tcp_exchange "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "a line sent to the syslog socket is captured and its <PRI> decoded" {
	logger -u "${HARNESS_SYSLOG_SOCK:-/dev/log}" -p local3.warning -t kit-test --id=4242 "hello 100%"
	syslog_find kit-test 4242 '^hello' || fail "not captured: $(syslog_lines)"
	assert_equal "$SYSLOG_FACILITY.$SYSLOG_LEVEL" local3.warning
	assert_equal "$SYSLOG_PRI" 156
	assert_equal "$SYSLOG_MSG" "hello 100%"
}

@test "a syslog line found is found again; one logged after a look that found nothing is found, also once a subshell has looked" {
	local sock=${HARNESS_SYSLOG_SOCK:-/dev/log}
	logger -u "$sock" -t kit-cache --id=4343 "first"
	syslog_find kit-cache 4343 '^first' || fail "not captured: $(syslog_lines)"
	# (the capture has not changed since: the same question, the same answer)
	_syslog_find kit-cache 4343 '^first' || fail "'first' found once, then not again"
	! _syslog_find kit-cache 4343 '^second' || fail "found 'second' before it was logged"
	logger -u "$sock" -t kit-cache --id=4343 "second"
	syslog_sync
	run _syslog_find kit-cache 4343 '^second'	# (a subshell's look, which finds it)
	_syslog_find kit-cache 4343 '^second' ||
		fail "'second', logged after a look that found nothing and seen by a subshell's look, is not found: $(syslog_lines kit-cache)"
}

@test "run-tests --filter starts no sandbox for a file with no matching test; a @test line of another shape is run" {
	local d=$BATS_TEST_TMPDIR/filter f
	mkdir -p "$d"
	# (each loads the kit, as a lab's test files do: without it, Bats 1.8's
	# own watchdog of a test as quick as these, on a loaded machine, now
	# and then held its file for BATS_TEST_TIMEOUT, the 60 s this test has:
	# seen twice at the start of make test; kit.bash says why)
	for f in a b c; do printf "load '%s/checker/lib/kit'\n" "$KIT_ROOT" >"$d/$f.bats"; done
	printf '@test "one" {\n\ttrue\n}\n' >>"$d/a.bats"
	printf '@test "two" {\n\ttrue\n}\n' >>"$d/b.bats"
	printf '@test "three" {\n\ttrue\n}\n  @test "one" {\n\ttrue\n}\n' >>"$d/c.bats"
	run inner_run_tests --out "$d/out" --filter '^one$' "$d/a.bats" "$d/b.bats" "$d/c.bats"
	assert_file_exists "$d/out/a.tap"
	assert_file_not_exists "$d/out/b.tap"
	assert_file_exists "$d/out/c.tap"	# (indented: taken to match, and Bats runs it)
	assert_output --partial '2 passed, 0 failed'
}

@test "kit.bash's stubs (_KIT_LAZY) name every public function of the installed bats-assert and bats-file, which load on a first call" {
	local missing
	# (in a subshell: the libraries loaded, each function's file named)
	missing=$(
		_kit_lazy_libs assert_equal >/dev/null || exit 1
		shopt -s extdebug
		for f in $(compgen -A function); do
			[[ $f == _* ]] && continue
			read -r _ _ file < <(declare -F "$f")
			[[ $file == */bats-assert/* || $file == */bats-file/* ]] || continue
			[[ " ${_KIT_LAZY//$'\n'/ } " == *" $f "* ]] || echo "$f"
		done
	)
	[[ -z $missing ]] || fail "functions of bats-assert or bats-file with no stub in kit.bash's _KIT_LAZY: $missing"
	# a stub loads the libraries, then runs the real function
	run bash -c 'source "$1/checker/lib/kit.bash" 2>/dev/null; assert_equal 1 2' _ "$KIT_ROOT"
	assert_failure
	assert_output --partial 'values do not equal'
}

@test "syslog_sync does not log its token" {
	syslog_sync
	run syslog_lines
	refute_output --partial kit-sync
}

@test "wait_until gives up at its deadline and says what it waited for" {
	local t0=$SECONDS
	run --separate-stderr wait_until -t 0.3 "godot" false
	assert_failure
	assert_equal "$stderr" "timed out after 0.3 s waiting for godot"
	(( SECONDS - t0 < 5 )) || fail "it took $((SECONDS - t0)) s"
	run wait_until -t 5 "true" true
	assert_success
}

# (fixtures/lateprog: a program that dies at once, crashes, is slow, or
# launches a daemon and exits)
@test "a wait ends at once when what the test ran has ended, saying how; a live program, or a daemon whose launcher exited, is waited for" {
	local prog=$KIT_ROOT/checker/maint/tests/fixtures/lateprog f=$BATS_TEST_TMPDIR/ready t0 ms rc
	# it exits 3 at once: the wait ends, false, with its status, stderr and log
	start_bg "$prog" die
	t0=${EPOCHREALTIME/[.,]/} rc=0
	wait_until -t 8 "the file" test -e "$f" 2>"$BATS_TEST_TMPDIR/said" || rc=$?
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$rc" 1
	(( ms < 4000 )) || fail "the wait took $ms ms: it waited out its deadline for a program that had exited"
	[[ $WAIT_WHY == "lateprog (pid $BG_PID) exited with status 3 after "*" s; its stderr: 'lateprog: no such thing'; its last log line: 'giving up: no such thing'; nothing of the test is left running"* ]] ||
		fail "WAIT_WHY: '$WAIT_WHY'"
	assert_file_contains "$BATS_TEST_TMPDIR/said" '^gave up waiting for the file: lateprog .* exited with status 3'
	# explain shows it as seen:
	run explain "the file" "no file" "notes/x.md#y"
	assert_line --regexp "^seen:     lateprog \(pid [0-9]+\) exited with status 3 after"
	assert_line "          and: no file"
	WAIT_WHY=''
	# killed by a signal: named
	start_bg "$prog" crash
	rc=0
	wait_until -q -t 8 "the file" test -e "$f" || rc=$?
	assert_equal "$rc" 1
	[[ $WAIT_WHY == "lateprog (pid $BG_PID) was killed by SIGSEGV after "*" s (a bad pointer"* ]] || fail "WAIT_WHY: '$WAIT_WHY'"
	# alive and slow: waited for, however long it takes within the deadline
	start_bg "$prog" late "$f"
	t0=${EPOCHREALTIME/[.,]/}
	wait_until -t 8 "the file" test -e "$f" || fail "gave up on a live program: $WAIT_WHY"
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	(( ms >= 1000 )) || fail "the file came after $ms ms, before the program wrote it?"
	# a launcher that exits at once by design: its daemon is waited for
	rm -f "$f"
	stop_pid "$BG_PID"
	start_bg "$prog" launch "$f"
	wait_until -t 8 "the daemon's pid" test -s "$f.pid"
	track_pid "$(cat "$f.pid")"
	wait_until -t 8 "the file" test -e "$f" || fail "gave up while the daemon ran: $WAIT_WHY"
	# a wait for a death is not cut short: it succeeds
	stop_pid "$(cat "$f.pid")"
	wait_until -t 8 "the daemon to be gone" proc_gone "$(cat "$f.pid")"
}

@test "syslog_wait ends at once when the pid logs under a name that is no program's (openlog's ident), saying so; under a program's name (a child before its exec) it waits" {
	local prog=$KIT_ROOT/checker/maint/tests/fixtures/lateprog t0 ms rc=0
	# logs as "not my name:" with its own pid, every 0.2 s
	start_bg "$prog" ident "not my name:"
	t0=${EPOCHREALTIME/[.,]/}
	syslog_wait -t 8 mydaemon "$BG_PID" '^started' || rc=$?
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$rc" 1
	(( ms < 4000 )) || fail "the wait took $ms ms: it waited out its deadline for a program that logs under another name"
	[[ $WAIT_WHY == "pid $BG_PID logs as 'not my name:[$BG_PID]', not as 'mydaemon[$BG_PID]': the ident is openlog's first argument"* ]] ||
		fail "WAIT_WHY: '$WAIT_WHY'"
	WAIT_WHY=''
	stop_pid "$BG_PID"
	# as "sleep" (a program's name: a child logging before its exec): waited for
	start_bg "$prog" ident sleep
	wait_until -t 8 "its first line" syslog_find sleep "$BG_PID" tick
	t0=${EPOCHREALTIME/[.,]/} rc=0
	syslog_wait -t 1.5 mydaemon "$BG_PID" '^started' || rc=$?
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$rc" 1
	(( ms >= 1500 )) || fail "the wait gave up after $ms ms on a name that is a program's: $WAIT_WHY"
	assert_equal "$WAIT_WHY" ""
	stop_pid "$BG_PID"
	# a message that names the pid as "not my name:[PID]: " is another's line
	start_bg sleep 30
	printf '<30>%s other[1]: launched not my name:[%s]: ok' "$(date '+%b %e %H:%M:%S')" "$BG_PID" |
		socat -u - "UNIX-SENDTO:${HARNESS_SYSLOG_SOCK:-/dev/log}"
	syslog_sync
	t0=${EPOCHREALTIME/[.,]/} rc=0
	syslog_wait -t 1.5 mydaemon "$BG_PID" '^started' || rc=$?
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$rc" 1
	(( ms >= 1500 )) || fail "the wait gave up after $ms ms on a line of another pid that named this one: $WAIT_WHY"
}

@test "bounded with BOUNDED_STUCK: stopped as soon as the hook says its processes cannot end by themselves, the reason in status_text; in_wait sees a parent blocked in wait()" {
	[[ -n $_KIT_WAIT_NRS ]] || skip "this kit does not know wait4's and waitid's numbers on $HOSTTYPE"
	local t0 ms
	# (the hook: a shell that waits in wait4() for a sleep, as a launcher
	# that waits for its daemon does)
	_shell_waits() {
		local p comm waiting='' sleeping=''
		for p in "$@"; do
			read -r comm <"/proc/$p/comm" || return 1
			case $comm in
			bash) in_wait "$p" && waiting=$p ;;
			sleep) sleeping=$p ;;
			esac
		done
		[[ -n $waiting && -n $sleeping ]] || return 1
		_KIT_STUCK="pid $waiting waits for pid $sleeping"
	}
	t0=${EPOCHREALTIME/[.,]/}
	BOUNDED_STUCK=_shell_waits KIT_CMD_TIMEOUT=8 run bounded bash -c 'sleep 30 & wait'
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$status" 124
	(( ms < 5000 )) || fail "bounded took $ms ms: the hook did not stop it"
	[[ $(status_text 124) =~ ^124\ \(stopped\ by\ the\ test:\ pid\ [0-9]+\ waits\ for\ pid\ [0-9]+\)$ ]] ||
		fail "status_text: $(status_text 124)"
	# the same command without the hook: its time limit
	t0=${EPOCHREALTIME/[.,]/}
	KIT_CMD_TIMEOUT=1 run bounded bash -c 'sleep 30 & wait'
	assert_equal "$status" 124
	[[ $(status_text 124) == "124 (still running after "*" s: stopped by the test's time limit)" ]] ||
		fail "status_text: $(status_text 124)"
}

@test "a program asleep for good (pause() with no signal handler) ends a wait and a bounded run at once, saying so; one with a handler is waited for" {
	local prog=$KIT_ROOT/checker/maint/tests/fixtures/lateprog f=$BATS_TEST_TMPDIR/woken t0 ms rc=0
	start_bg "$prog" pause
	t0=${EPOCHREALTIME/[.,]/}
	wait_until -q -t 8 "the file" test -e "$f" || rc=$?
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$rc" 1
	(( ms < 6000 )) || fail "the wait took $ms ms: it waited out its deadline for a program asleep for good"
	[[ $WAIT_WHY == "perl (pid $BG_PID) asleep in pause() or sigsuspend() with no signal handler installed: "* ]] ||
		fail "WAIT_WHY: '$WAIT_WHY'"
	stop_pid "$BG_PID"
	# bounded: stopped, status 124, and status_text says why
	t0=${EPOCHREALTIME/[.,]/}
	KIT_CMD_TIMEOUT=8 run bounded "$prog" pause
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$status" 124
	(( ms < 6000 )) || fail "bounded took $ms ms for a program asleep for good"
	[[ $(status_text 124) == "124 (stopped by the test: perl (pid "*") asleep in pause() or sigsuspend() with no signal handler installed, so it would never have ended)" ]] ||
		fail "status_text: $(status_text 124)"
	# a handler could wake it: waited for, to the deadline; woken, it works
	start_bg "$prog" pause-hup "$f"
	in_pause() { local nr _; read -r nr _ <"/proc/$1/syscall" && [[ $nr == @(34|130|133) ]]; }
	wait_until -t 8 "perl to be in pause()" in_pause "$BG_PID"
	t0=${EPOCHREALTIME/[.,]/} rc=0
	wait_until -q -t 1.5 "the file" test -e "$f" || rc=$?
	ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
	assert_equal "$rc" 1
	(( ms >= 1500 )) || fail "the wait gave up after $ms ms on a program with a handler: $WAIT_WHY"
	assert_equal "$WAIT_WHY" ""
	kill -HUP "$BG_PID"
	wait_until -t 8 "the file" test -e "$f"
}

@test "the student's check: a program that says a step is 'not written yet (TODO step J)' ends the waits of step J and later at once; the grader's waits, and earlier steps', go on" {
	local f=$BATS_TEST_TMPDIR/never t0 ms rc
	# waited_ms - ms: how long a 4 s wait for a file that never comes
	# lasted.  A wait the TODO ends stops before its deadline and says so
	# (WAIT_WHY); one it does not end lasts the 4 s.  (Not "under 1 s":
	# on a loaded machine the first look at the log came after 1.1 s.)
	waited_ms() {
		_KIT_TODO_AT=0 rc=0 t0=${EPOCHREALTIME/[.,]/}
		wait_until -q -t 4 "the file" test -e "$f" || rc=$?
		ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
		assert_equal "$rc" 1
	}
	# on its stderr, as lab 2's starter says it
	start_bg bash -c 'echo "toy: the loop is not written yet (TODO step 2 in toy.c)" >&2; exec sleep 30'
	wait_until -t 8 "the toy's line" test -s "$BG_ERR"
	KIT_TODO_ENDS_WAITS=1 _KIT_STEP=2
	waited_ms
	(( ms < 4000 )) || fail "the wait took its whole 4 s ($ms ms) after the program said step 2 is not written"
	[[ $WAIT_WHY == "it said 'toy: the loop is not written yet (TODO step 2 in toy.c)': the starter's code of that step is still in place, so this will not happen (waited "* ]] ||
		fail "WAIT_WHY: '$WAIT_WHY'"
	_KIT_STEP=1	# a test of an earlier step: step 2's code is not what it waits for
	waited_ms
	(( ms >= 4000 )) || fail "a step 1 wait gave up after $ms ms over step 2's TODO: $WAIT_WHY"
	_KIT_STEP=2 KIT_TODO_ENDS_WAITS=''	# the grader's and the self-test's runs
	waited_ms
	(( ms >= 4000 )) || fail "a wait outside the student's check gave up after $ms ms: $WAIT_WHY"
	stop_pid "$BG_PID"
	# on the syslog, as lab 3's supervisor says it, once this test began
	start_bg sleep 30
	printf '<27>toy[7]: spawn() is not written yet (TODO step 1)' | socat -u - "UNIX-SENDTO:${HARNESS_SYSLOG_SOCK:-/dev/log}"
	syslog_sync
	KIT_TODO_ENDS_WAITS=1 _KIT_STEP=3
	waited_ms
	(( ms < 4000 )) || fail "the wait took its whole 4 s ($ms ms) after the syslog said step 1 is not written"
	[[ $WAIT_WHY == "it said 'toy[7]: spawn() is not written yet (TODO step 1)': "* ]] || fail "WAIT_WHY: '$WAIT_WHY'"
	_KIT_LOG_FROM=$(wc -c <"$HARNESS_SYSLOG")	# (said before the test began)
	waited_ms
	(( ms >= 4000 )) || fail "a line from before the test ended its wait: $WAIT_WHY"
}

@test "this Bats's test watchdog is the one kit.bash fixes, and the fix is in place (a new Bats: see checker/lib/kit.bash)" {
	# shellcheck disable=SC2016 # the text of the function
	[[ $(declare -f bats_start_timeout_countdown) == *'kill %1 2>/dev/null; exit 0'* ]] ||
		fail "kit.bash did not replace bats_start_timeout_countdown: $(bats --version) writes it otherwise; check its watchdog for the fd fault kit.bash describes, then adapt or drop the fix"
}

@test "the kit's library is left out of Bats' per-command stack trace (most of a test's CPU time), and its commands do not even call Bats' DEBUG trap" {
	declare -F bats_add_debug_exclude_path >/dev/null || skip "this Bats has no bats_add_debug_exclude_path"
	local p found=''
	for p in "${BATS_DEBUG_EXCLUDE_PATHS[@]}"; do
		[[ $p == "$KIT_ROOT/checker/lib" ]] && found=1
	done
	[[ -n $found ]] ||
		fail "expected $KIT_ROOT/checker/lib among Bats' BATS_DEBUG_EXCLUDE_PATHS (kit_setup adds it); seen: ${BATS_DEBUG_EXCLUDE_PATHS[*]}"
	# and the trap itself is called for the test file's lines alone
	trap -p DEBUG >"$BATS_TEST_TMPDIR/trap"
	slurp "$BATS_TEST_TMPDIR/trap"
	local lib
	printf -v lib '%q' "$KIT_ROOT/checker/lib"
	# shellcheck disable=SC2016 # the trap's text
	[[ $SLURP == *'case $BASH_SOURCE in '*"$lib/*"*') ;; *) bats_debug_trap '* ]] ||
		fail "expected a DEBUG trap that leaves out $KIT_ROOT/checker/lib before it calls Bats' (kit_setup sets it so); seen: ${SLURP:-no DEBUG trap}"
}

@test "a failure is shown at its line, though teardown then waits for what the test started to stop" {
	local f=$BATS_TEST_TMPDIR/late.bats
	{
		printf "load '%s/checker/lib/kit'\n" "$KIT_ROOT"
		# shellcheck disable=SC2016 # the fixture's text, expanded there
		printf 'teardown() {\n\tkit_teardown\n\trm -f "$BATS_TEST_TMPDIR/none"\n}\n'
		printf '@test "fails with a process alive" {\n\tstart_bg sleep 304\n\tfalse\n\ttrue\n}\n'
	} >"$f"
	# (line 8: false; a DEBUG trap put back by teardown's wait would move
	# it to teardown's rm, line 4)
	run inner_run_tests --out "$BATS_TEST_TMPDIR/o" "$f"
	assert_failure
	run cut -f4 "$BATS_TEST_TMPDIR/o/results.tsv"
	assert_output --regexp '^  \(([^ ]*/)?late\.bats, line 8\)$'
}

@test "a process the test forked never runs Bats' exit traps: one result a test (a child killed before its exec printed a second)" {
	local f=$BATS_TEST_TMPDIR/child.bats
	# (what bash does in a child of `cmd &` that a SIGTERM reaches before
	# its exec, on a loaded machine: the traps it still has run there)
	{
		printf "load '%s/checker/lib/kit'\n" "$KIT_ROOT"
		printf 'setup_file() {\n\tkit_setup_file\n\t( bats_file_teardown_trap )\n}\n'
		printf '@test "its child runs the traps" {\n\t( bats_teardown_trap as-exit-trap )\n\t( bats_exit_trap )\n}\n'
	} >"$f"
	run inner_run_tests --out "$BATS_TEST_TMPDIR/o" "$f"
	assert_success
	run cat "$BATS_TEST_TMPDIR/o/child.tap"
	assert_output "1..1
ok 1 its child runs the traps"
}

@test "each test's watchdog ends with its test: no sleep of BATS_TEST_TIMEOUT is left" {
	local f=$BATS_TEST_TMPDIR/quick.bats
	# (a timeout of this test's own, told from another run's beside it)
	local t=$(( 1000 + BASHPID % 8000 ))
	{
		printf "load '%s/checker/lib/kit'\n" "$KIT_ROOT"
		printf '@test "quick %s" { true; }\n' 1 2 3
	} >"$f"
	run timeout 60 env BATS_TEST_TIMEOUT="$t" bats "$f" 3>&-
	assert_success
	assert_output --partial 'ok 3 quick 3'
	# (each watchdog was told the test was over: its sleep is gone, or
	# going; a watchdog that was not holds one for $t s)
	wait_until -q -t 5 "the watchdogs' sleeps to end" bash -c "! pgrep -x -f 'sleep $t' >/dev/null" ||
		fail "a 'sleep $t' of a test's watchdog outlived its test (pids $(pgrep -x -f "sleep $t" | tr '\n' ' ')): see kit.bash, bats_start_timeout_countdown"
}

@test "a test cut by BATS_TEST_TIMEOUT: the watchdog ends what holds it, then nothing that its teardown and Bats' exit trap start" {
	# (Bats' watchdog ended the test's children once, just after its
	# signal: on a loaded machine it killed the command substitution in
	# which Bats' exit trap copies the stack trace, and the test had no
	# line; see kit.bash, bats_start_timeout_countdown)
	local f=$BATS_TEST_TMPDIR/cut.bats
	{
		printf "load '%s/checker/lib/kit'\n" "$KIT_ROOT"
		# shellcheck disable=SC2016 # the fixture's text
		printf '%s\n' '@test "is cut" {' '	sleep 60 3>&-' '}' \
			'teardown() {' '	local x' '	x=$(sleep 0.5; echo alive)' \
			'	echo "a child of teardown: ${x:-killed}"' '	kit_teardown' '}'
	} >"$f"
	run inner_run_tests BATS_TEST_TIMEOUT=2 --out "$BATS_TEST_TMPDIR/o" "$f"
	assert_failure
	run cat "$BATS_TEST_TMPDIR/o/cut.tap"
	assert_line -n 1 'not ok 1 is cut # timeout after 2s'
	assert_line -n 2 --regexp '^# \(in test file .*/cut\.bats, line 3\)$'
	assert_line '# a child of teardown: alive'
}

@test "a crash is named: status_text, and run -N through explain" {
	[[ $(status_text 139) == "139 (killed by SIGSEGV: a bad pointer"* ]] || fail "$(status_text 139)"
	[[ $(status_text 134) == "134 (killed by SIGABRT: "* ]] || fail "$(status_text 134)"
	assert_equal "$(status_text 143)" "143 (killed by SIGTERM)"
	assert_equal "$(status_text 1)" "1"
	run run -0 bounded bash -c 'echo partial; kill -SEGV $$'
	assert_failure
	assert_line --regexp '^expected: exit status 0 from: bash -c '
	assert_line --regexp "^seen:     exit 139 \(killed by SIGSEGV: a bad pointer.*; output: 'partial'"
}

@test "proc_state sees a zombie as Z, and proc_alive calls it gone" {
	# a child that exits once its parent is sleep, which never reaps it (a
	# child that exits before the exec is reaped by bash: no zombie)
	# shellcheck disable=SC2016 # expanded by that bash
	start_bg bash -c 'p=$$; (for i in {1..1000}; do [[ $(cat /proc/$p/comm) == sleep ]] && break; sleep 0.01; done) & exec sleep 302'
	local z
	wait_until "the zombie" has_zombie_child "$BG_PID"
	z=$(children_of "$BG_PID")
	proc_gone "$z"
	proc_alive "$BG_PID"
	kill -0 "$z"	# what kill -0 would have said
}

@test "a Bats watchdog that dies before its trap holds nothing open: the file ends at once" {
	local pids=$BATS_TEST_TMPDIR/watchdog.pids
	run timeout 10 env BATS_TEST_TIMEOUT=30 WATCHDOG_PIDFILE="$pids" \
		bats "$KIT_ROOT/checker/maint/tests/fixtures/watchdog.bats" 3>&-
	# (the watchdog's sleep, left behind: stopped here)
	[[ -s $pids ]] && { xargs -r kill <"$pids" 2>/dev/null || true; }
	[[ $status -ne 124 ]] ||
		fail "the file took more than 10 s: the watchdog's sleep held Bats' pipes until its 30 s (see kit.bash, bats_start_timeout_countdown)"
	assert_success
	assert_output --partial 'ok 1 the watchdog dies early'
}

@test "start_bg closes bats' fd 3, keeps the test's process group and session, and teardown stops what it started" {
	start_bg sleep 303
	# (not in the middle of its exec or its libc's start, which open files
	# for a moment, fd 3 among them: seen, a locale file; an fd 3 of Bats'
	# stays, and the wait ends at its deadline)
	fd3_closed() { [[ ! -e /proc/$BG_PID/fd/3 ]]; }
	wait_until "fd 3 of sleep 303 to be closed" fd3_closed || true
	run proc_fds "$BG_PID"
	refute_line --regexp '^3 '
	assert_equal "$(ps_field "$BG_PID" pgid) $(ps_field "$BG_PID" sid)" "$(ps_field $$ pgid) $(ps_field $$ sid)"
	kit_teardown
	proc_gone "$BG_PID"
}

@test "teardown removes the test's scratch files (a flood's 64 MiB do not pile up)" {
	head -c 1M /dev/zero >"$BATS_TEST_TMPDIR/big"
	kit_teardown
	assert_file_not_exists "$BATS_TEST_TMPDIR/big"
}

@test "bounded gives run at most 1 MiB of each stream, and a redirect all of stdout" {
	run bounded bash -c 'head -c 3M /dev/zero | tr "\0" y; head -c 2M /dev/zero | tr "\0" z >&2'
	(( ${#output} < 2 * 1048576 + 200 )) || fail "run got ${#output} bytes"
	assert_output --partial '[kit: cut at 1 MiB of the 3145728 bytes it wrote]'
	assert_output --partial '[kit: cut at 1 MiB of the 2097152 bytes it wrote]'
	bounded head -c 3M /dev/zero >"$BATS_TEST_TMPDIR/all"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/all")" 3145728
}

@test "run_pty gives the command a controlling terminal" {
	run -0 run_pty bash -c 'ps -o tty= -p $$'
	assert_output --regexp '^pts/[0-9]+'
	run -0 bash -c 'ps -o tty= -p $$'
	assert_output '?'
}

@test "explain fails with expected, seen, read, the processes and the log" {
	start_bg sleep 304
	logger -u "${HARNESS_SYSLOG_SOCK:-/dev/log}" -t kit-test "a line for the tail"
	syslog_sync
	run explain "a thing" "another thing" "notes/x.md#y"
	assert_failure
	assert_line "expected: a thing"
	assert_line "seen:     another thing"
	assert_line "read:     notes/x.md#y"
	assert_output --partial "sleep 304"
	assert_output --partial "kit-test: a line for the tail"
	refute_output --partial "bats-exec"
}

@test "a program that writes without end is stopped at the file size limit" {
	run bounded bash -c "exec yes >'$BATS_TEST_TMPDIR/big'"
	assert_equal "$status" 153	# 128 + SIGXFSZ
	(( $(stat -c %s "$BATS_TEST_TMPDIR/big") <= 64 * 1024 * 1024 ))
}

@test "the syslog capture stops growing at 16 MiB, and says so" {
	local msg i
	msg=$(head -c 60000 /dev/zero | tr '\0' a)
	for (( i = 0; i < 300; i++ )); do
		logger -u "${HARNESS_SYSLOG_SOCK:-/dev/log}" --size 65000 -t kit-flood "$msg"
	done
	syslog_sync
	(( $(stat -c %s "$HARNESS_SYSLOG") <= 16 * 1024 * 1024 + 200 ))
	run tail -n 1 "$HARNESS_SYSLOG"
	assert_output --partial "log full"
}

# sig_names MASK - the signals set in a /proc mask (SigIgn, SigBlk), by name
sig_names() {
	local n names=''
	for (( n = 1; n <= 64; n++ )); do
		(( (16#$1 >> (n - 1)) & 1 )) && names+=" $(kill -l "$n" 2>/dev/null || echo "$n")"
	done
	names=${names# }
	echo "${names:-none}"
}
# procs_with TOKEN - the pids of the processes whose environment holds the
# line TOKEN (a run's own, wherever they went; in fallback, the host's
# processes are not matched by name)
procs_with() {
	grep -lzx -e "$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 || true
}
nothing_with() { [[ -z $(procs_with "$1") ]]; }

# (a run-tests in this sandbox makes sandboxes of the fallback kind: the
# others may need what this one has dropped, such as capabilities)
@test "the programs a test runs get every signal at its default and none blocked, though run-tests was started with SIGINT and SIGPIPE ignored and SIGUSR1 blocked" {
	local o=$BATS_TEST_TMPDIR what ign blk bad=''
	# (timeout first: it would undo the ignored SIGINT of what it runs)
	# shellcheck disable=SC2016 # perl's variables
	run timeout -k 5 60 env HARNESS_SANDBOX=fallback SIGNALS_OUT="$o/signals" \
		perl -MPOSIX -e '$SIG{INT} = $SIG{PIPE} = "IGNORE";
			sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1)) or die "sigprocmask: $!";
			exec @ARGV or die "exec: $!"' \
		"$KIT_ROOT/checker/core/run-tests" --lab 0 --bin "$LAB_BIN" --out "$o/out" \
		"$KIT_ROOT/checker/maint/tests/fixtures/signals.bats" 3>&-
	assert_success
	assert_equal "$(wc -l <"$o/signals")" 3
	while read -r what ign blk; do
		[[ $ign == 0000000000000000 && $blk == 0000000000000000 ]] ||
			bad+=$'\n'"  $what: ignored: $(sig_names "$ign"), blocked: $(sig_names "$blk") (SigIgn $ign, SigBlk $blk)"
	done <"$o/signals"
	[[ -z $bad ]] || fail "signals ignored or blocked where none should be (see build/checker/cleansig):$bad"
}

@test "run-tests started with SIGINT ignored stops on SIGINT, and leaves nothing behind" {
	local o=$BATS_TEST_TMPDIR token=KIT_SIGINT_TOKEN=$$.$RANDOM.$RANDOM rt rc
	mkdir "$o/tmp"
	# fixtures/hang.bats: a daemon left behind, then a test that hangs
	# shellcheck disable=SC2016 # perl's variables
	start_bg -o "$o/run.out" -e "$o/run.err" env "$token" HARNESS_SANDBOX=fallback TMPDIR="$o/tmp" \
		perl -e '$SIG{INT} = "IGNORE"; exec @ARGV or die "exec: $!"' \
		"$KIT_ROOT/checker/core/run-tests" --lab 0 --bin "$LAB_BIN" --out "$o/out" \
		"$KIT_ROOT/checker/maint/tests/fixtures/hang.bats"
	rt=$BG_PID
	hanging() { procs_with "$token" | grep -qxFf - <(pgrep -f kit-fixture-hang); }
	wait_until "the hanging fixture to start" hanging ||
		fail "it did not start: $(cat "$o/run.out" "$o/run.err")"
	kill -INT "$rt"
	if ! wait_until "run-tests to stop on SIGINT" proc_gone "$rt"; then
		kill -TERM "$rt"	# (its TERM trap: the sandbox and all below it stop)
		fail "run-tests still runs 10 s after SIGINT: its trap did nothing (a signal ignored at bash's entry cannot be trapped: it must run itself through cleansig)"
	fi
	rc=0
	wait "$rt" || rc=$?
	assert_equal "$rc" 130
	wait_until "nothing of the run left" nothing_with "$token" ||
		fail "left running: $(ps -o pid=,args= -p "$(procs_with "$token" | paste -sd,)")"
	run ls -A "$o/tmp"
	assert_output ''	# the sandbox's run dir is gone too
	assert_file_contains "$o/run.err" "run-tests: interrupted"
}

@test "the sandbox stopped by TERMs to it and to its process group, as timeout(1) sends them, still removes its run dir" {
	# (a second TERM, to the group, came while the first one's cleanup ran,
	# on a loaded machine: it killed the rm; here they keep coming)
	local o=$BATS_TEST_TMPDIR/tmp pid i=0 rc=0
	mkdir "$o"
	setsid env TMPDIR="$o" HARNESS_SANDBOX=fallback "$KIT_ROOT/checker/core/sandbox" -- sleep 303 \
		</dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	track_pid "$pid"
	started() { compgen -G "$o/kit-run.*/syslog.log" >/dev/null && [[ -n $(descendants_of "$pid") ]]; }
	wait_until "the sandbox to start" started
	while proc_alive "$pid" && (( i++ < 20000 )); do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	wait_until "the sandbox to end after the TERMs" proc_gone "$pid" ||
		fail "the sandbox still runs after $i TERMs to its group"
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
	run ls -A "$o"
	assert_output ''
}

@test "the reaper's stop reads the kernel's list of its children, not every process of the host" {
	# (where the sandbox has no PID namespace, a scan of /proc at each
	# death below it read the host's two thousand processes each time, at
	# load 30: the stop took more than the sandbox's 5 s, and the sandbox
	# was killed before it removed its run dir)
	command -v strace >/dev/null || skip "strace is not installed (make deps)"
	strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace forbidden)"
	[[ -r /proc/$$/task/$$/children ]] || skip "this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)"
	local st=$BATS_TEST_TMPDIR/strace
	# a shell that leaves three orphans, each killed by the reaper
	run strace -o "$st" -e trace=openat "$HARNESS_TOOLS/reaper" \
		bash -c 'for i in 1 2 3; do (exec -a kit-fixture-orphan sleep 300 &); done; exit 3' 3>&-
	assert_equal "$status" 3
	run grep -c '/task/[0-9]*/children"' "$st"
	(( output >= 1 )) || fail "the reaper never read its list of children: $(grep -c . "$st") openat calls"
	run grep -cE '"/proc/[0-9]+/stat"' "$st"
	assert_output 0
}

@test "run-tests writes each test's result and message to results.tsv; the grader and the self-test read the same text back" {
	local o=$BATS_TEST_TMPDIR
	# fixtures/messages.bats: a pass, a failure whose output has a tab,
	# backslashes and two lines, a skip, a test cut by BATS_TEST_TIMEOUT
	run inner_run_tests BATS_TEST_TIMEOUT=3 --out "$o/out" "$KIT_ROOT/checker/maint/tests/fixtures/messages.bats"
	assert_failure
	assert_output --partial '1 passed, 3 failed, 1 skipped'
	# the grader's reader (gradebook.py), then the shell's (lib/common.bash)
	run python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import gradebook as g
for r in g.read_tsv(sys.argv[2]): print("%s|%s|%r" % (r[0], r[2], g.tsv_text(r[3])))' \
		"$KIT_ROOT/checker/instructor" "$o/out/results.tsv"
	assert_success
	assert_equal "${#lines[@]}" 5
	assert_line -n 0 "pass|passes|''"
	# (Bats names the test file relative to its working directory)
	assert_line -n 1 --regexp "^fail\\|fails with a message of two lines, a tab and backslashes\\|'  \\(([^ ]*/)?checker/maint/tests/fixtures/messages.bats, line 13\\)"
	assert_line -n 1 --partial "bats, line 13)\\nexpected: a\\\\b\\tc \\\\n\\nseen:  the end\\\\'"
	assert_line -n 2 "skip|is skipped|'for a reason'"
	# Bats' " # timeout after 3s" is not part of the name; the message says
	# it, and the test's line where it was cut (not "line 1": the handler's)
	assert_line -n 3 --regexp "^fail\\|hangs\\|' stopped: timeout after 3s \\(BATS_TEST_TIMEOUT\\)\\\\n  \\(([^ ]*/)?checker/maint/tests/fixtures/messages.bats, line 21\\)"
	# cut inside a wait of the kit (whose commands Bats' trace leaves out):
	# still the test's line of the wait, not the one before it
	assert_line -n 4 --regexp "^fail\\|hangs in a wait of the kit\\|' stopped: timeout after 3s \\(BATS_TEST_TIMEOUT\\)\\\\n  \\(([^ ]*/)?checker/maint/tests/fixtures/messages.bats, line 26\\)"
	source "$KIT_ROOT/checker/lib/common.bash"
	local msg
	msg=$(sed -n 2p "$o/out/results.tsv" | cut -f4)
	run tsv_message "$msg"
	assert_output --regexp "^  \\(([^ ]*/)?checker/maint/tests/fixtures/messages.bats, line 13\\)"
	assert_output --partial "bats, line 13)
expected: a\\b	c \\n
seen:  the end\\"
}

@test "spins (labs 4 and 5): a loop that spins, and one blocked sending to a log whose reader has stopped, are busy; a sleeping process is not" {
	# shellcheck source=checker/lib/echo.bash
	source "$KIT_ROOT/checker/lib/echo.bash"
	start_bg sleep 60
	! spins "$BG_PID" ||
		explain "a process asleep in sleep(1) not busy" "$SPIN_SEEN" "checker/lib/echo.bash"
	start_bg sh -c 'while :; do :; done'
	spins "$BG_PID" ||
		explain "a busy loop found busy" "$SPIN_SEEN" "checker/lib/echo.bash"
	stop_pid "$BG_PID"
	# a log (a datagram socket) whose reader is stopped: once more than 10
	# messages wait, logger(1)'s next sendmsg blocks for good.  (Where the
	# system call a process is blocked in cannot be read, spins counts no
	# send: nothing to prove there)
	[[ -n $_SPIN_SEND_NRS && -r /proc/self/syscall ]] ||
		skip "no /proc/PID/syscall, or no syscall numbers for $HOSTTYPE"
	local sock=$BATS_TEST_TMPDIR/log.sock sender
	start_bg socat -u "UNIX-RECV:$sock" STDOUT
	wait_until "socat to bind $sock" test -S "$sock"
	kill -STOP "$BG_PID"
	# shellcheck disable=SC2016 # the inner shell's own $1 and $i
	start_bg bash -c 'for i in {1..30}; do logger -u "$1" "message $i" || exit; done' logloop "$sock"
	sender=$BG_PID
	wait_until "a logger of the loop blocked in sendto or sendmsg" _blocked_sending "$sender" ||
		explain "a logger blocked sending to the stopped reader's full queue" \
			"$(ps -o pid=,stat=,wchan:20=,args= --ppid "$sender")" "checker/lib/echo.bash"
	spins "$sender" ||
		explain "a loop blocked sending to the log found busy (it would spin were the reader there)" \
			"$SPIN_SEEN" "checker/lib/echo.bash"
}
_blocked_sending() {
	local p
	for p in $(descendants_of "$1"); do _kit_in_syscall "$p" "$_SPIN_SEND_NRS" && return 0; done
	return 1
}
