#!/usr/bin/env bats
# The student's loop (checker/maint/selftest): make check-labN's report, status,
# hint-labN, watch-labN, reset-labN, memcheck-labN and trace-labN, each
# run as a student would, on the reference and on the starter, checking
# what they print.  They run inside a test's sandbox, so the sandboxes of
# the make targets they start are of the fallback kind.

# shellcheck disable=SC2030,SC2031 # bats runs each test in a subshell

load '../../lib/kit'

setup() {
	kit_setup
	IMPL_DIR=$BATS_TEST_TMPDIR/impl
	mkdir -p "$IMPL_DIR"
}

teardown() {
	kit_teardown
	# the builds of the copies made by this test (make builds IMPL=DIR in build/impl/)
	rm -rf "$KIT_ROOT/build/impl/${IMPL_DIR//\//_}"
}

# kmake TARGET... - make in the kit as a student runs it, with a time limit,
# the inner sandboxes of the fallback kind, hints remembered in the test's dir
kmake() {
	kenv timeout -k 5 150 make -s -C "$KIT_ROOT" --no-print-directory "$@" 3>&-
}

# kenv CMD... - CMD without this test's Bats and sandbox variables (a Bats
# inside a Bats follows its BATS_* and fails), its sandboxes of the fallback
# kind (no namespace can be made in this one), hints remembered in the test
kenv() {
	kenv_args
	env "${KENV[@]}" "$@"
}
# kenv_args - KENV: the arguments of env that make that environment
kenv_args() {
	local v path=:$PATH:
	KENV=()
	for v in $(compgen -e); do
		[[ $v == BATS_* || $v == HARNESS_* || $v == LAB_* ]] && KENV+=(-u "$v")
	done
	# and without Bats' libexec first on PATH: its `bats` needs functions
	# Bats exports, which make's /bin/sh does not pass on
	path=${path//:${BATS_LIBEXEC:-/usr/libexec/bats-core}:/:}
	path=${path#:} path=${path%:}
	# (in English, whatever the maintainer's locale: KIT_LANG=zh on make's
	# command line overrides it)
	KENV+=(PATH="$path" HARNESS_SANDBOX=fallback KIT_STATE_DIR="$BATS_TEST_TMPDIR/state" KIT_LANG=en)
}

# labs_upto N - the Makefile's labs 1 to N (the tests that want known data)
labs_upto() {
	make -s --no-print-directory -C "$KIT_ROOT" list-labs | awk -v n="$1" '$0 + 0 <= n' | paste -sd' '
}

# copy_lab WHAT LABDIR... - copy labs/ (starter) or solutions/ (reference) into IMPL_DIR
copy_lab() {
	local from=$1 l
	shift
	for l in "$@"; do cp -r "$KIT_ROOT/$from/$l" "$IMPL_DIR/"; done
}

last_line_is_the_count() {	# (the last line of run-tests: make's "*** Error" may follow)
	local i=-1
	# (make: or, under another make such as make test, make[1]:)
	[[ ${lines[-1]} =~ ^make(\[[0-9]+\])?:\ \*\*\*\  ]] && i=-2
	[[ ${lines[i]} =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]] ||
		fail "the last line is not 'N passed, N failed, N skipped': '${lines[i]}'"
}

# --- make help ------------------------------------------------------------------

@test "make help lists status and every per-lab target of the student's loop" {
	run -0 kmake help
	local t
	for t in status hint-labN watch-labN reset-labN memcheck-labN trace-labN check-labN; do
		assert_line --regexp "^  make $t +[a-z]"
	done
}

# --- make check-labN: the report -----------------------------------------------

@test "check-labN on the starter: a progress line per step, the first failure in full, the rest by name, what to run next" {
	copy_lab labs 01-sessions
	# (ALL=1: step 2 runs, although step 1 fails)
	run -2 kmake check-lab1 STEP=2 IMPL="$IMPL_DIR" ALL=1
	assert_line --regexp '^step 1/5: [0-9]+/[0-9]+ tests  FAIL$'
	assert_line --regexp '^step 2/5: 0/[0-9]+ tests  FAIL$'
	assert_line 'steps 3-5: not run (STEP=2)'
	# one failure in full (one expected/seen/read), the others by name
	assert_equal "$(grep -c '^FAIL  step 1: ' <<<"$output")" 1
	assert_equal "$(grep -c 'expected: ' <<<"$output")" 1
	assert_line 'also failing:'
	assert_line --regexp '^  step 2: setsid in a process-group leader fails'
	assert_line --regexp "^Next: .*, then run that test alone: make check-lab1 IMPL=$IMPL_DIR T='\\^"
	assert_line "      then all of step 1: make check-lab1 IMPL=$IMPL_DIR STEP=1"
	assert_line --regexp '^      stuck\? make hint-lab1 STEP=1 shows the hints of labs/01-sessions/README.md'
	last_line_is_the_count
	# the T= it suggests runs that one test
	local cmd
	cmd=$(sed -n "s/^Next: .* alone: make \(check-lab1 .*\)$/\1/p" <<<"$output")
	eval "run -2 kmake $cmd"
	assert_line --regexp '^step 1/5: 0/1 tests  FAIL$'
	assert_line "0 passed, 1 failed, 0 skipped"
	# one step is "step 1", not "steps 1-1"; the failure's empty lines are empty
	run -2 kmake check-lab1 STEP=1 IMPL="$IMPL_DIR"
	assert_line --index 0 --regexp ', step 1$'
	refute_output --partial 'steps 1-1'
	refute_output --regexp $'\n +\n'
}

@test "check-labN stops at the first failing step: the later steps are not run, and counted as skipped; ALL=1 runs them" {
	copy_lab labs 01-sessions
	run -2 kmake check-lab1 STEP=2 IMPL="$IMPL_DIR"
	assert_line --regexp '^step 1/5: [0-9]+/[0-9]+ tests  FAIL$'
	refute_line --regexp '^step 2/5: '
	assert_line 'step 2: not run, step 1 fails first (ALL=1 runs every step)'
	assert_line 'steps 3-5: not run (STEP=2)'
	refute_line --regexp '^  step 2: '
	last_line_is_the_count
	# the tests of step 2 are among the skipped
	local later
	later=$(awk -f "$KIT_ROOT/checker/lib/test-steps.awk" "$KIT_ROOT"/labs/01-sessions/tests/*.bats | grep -c '^step2'$'\t')
	(( later > 0 )) || fail "no test of step 2 found"
	[[ $output =~ $'\n'[0-9]+\ passed,\ [1-9][0-9]*\ failed,\ ([0-9]+)\ skipped ]] || fail "no count line"
	(( BASH_REMATCH[1] >= later )) || fail "${BASH_REMATCH[1]} skipped, fewer than the $later tests of step 2"
	# ALL=1: step 2 runs though step 1 fails (here one test of it)
	run -2 kmake check-lab1 STEP=2 IMPL="$IMPL_DIR" ALL=1 T='^setsid in a process-group leader'
	assert_line --regexp '^step 2/5: 0/1 tests  FAIL$'
	refute_output --partial 'fails first'
	last_line_is_the_count
}

@test "check-labN on the reference: every step ok, then the next step, and at the end the next lab" {
	run -0 kmake check-lab1 IMPL=solution STEP=2
	assert_line --regexp '^step 1/5: ([0-9]+)/\1 tests  ok'
	assert_line --regexp '^step 2/5: ([0-9]+)/\1 tests  ok'
	refute_line --partial 'FAIL'
	assert_line --regexp '^Next: steps 1-2 pass; go on with step 3 \(labs/01-sessions/README.md, "Step 3: umask"\): make check-lab1 IMPL=solution STEP=3$'
	last_line_is_the_count
	run -0 kmake check-lab1 IMPL=solution
	assert_line --regexp '^step 5/5: ([0-9]+)/\1 tests  ok'
	assert_line --regexp '^Next: every test of lab 1 passes; on to lab 2: labs/02-daemon/README.md, then make check-lab2 IMPL=solution STEP=1$'
	assert_line --regexp '^[1-9][0-9]* passed, 0 failed, 0 skipped$'
}

@test "check-labN V=1 lists every test and every failure in full" {
	copy_lab labs 01-sessions
	run -2 kmake check-lab1 STEP=1 IMPL="$IMPL_DIR" V=1
	assert_line 'step1-identity.bats'
	assert_line --regexp '^  FAIL  procinfo prints one line'
	assert_line --regexp '^  FAIL  the umask and cwd procinfo reports'
	(( $(grep -c 'expected: ' <<<"$output") > 1 )) || fail "only one failure in full with V=1"
	refute_line 'also failing:'
	last_line_is_the_count
}

# --- make hint-labN ------------------------------------------------------------------

@test "hint-labN STEP=k shows the handout's hints one at a time, then from the first again" {
	local readme=$KIT_ROOT/labs/02-daemon/README.md n text
	local count
	count=$(awk '/^## Step 2:/ { on = 1; next } /^## / { on = 0 } on && /^> Hint [0-9]+:/' "$readme" | wc -l)
	(( count >= 2 )) || fail "lab 2's step 2 has $count hints: the test wants two or more"
	for n in $(seq 1 "$count") 1; do
		run -0 kmake hint-lab2 STEP=2
		assert_line --index 0 --regexp "^Lab 2, step 2 \"signals\": hint $n of $count"
		# the text is the handout's (the first words of its "> Hint n:" line)
		text=$(awk -v n="$n" '/^## Step 2:/ { on = 1; next } /^## / { on = 0 }
			on && $0 ~ "^> Hint " n ":" { sub(/^> Hint [0-9]+: */, ""); print; exit }' "$readme")
		assert_output --partial "${text:0:40}"
		assert_output --partial 'Read: signals (notes/02-daemon.md#signals)'
	done
}

@test "in Chinese (KIT_LANG=zh, or a zh_* locale): hint-labN shows the Chinese handout's hints; check-labN's read: and stuck? point to the Chinese texts" {
	local zh=$KIT_ROOT/labs/01-sessions/README.zh.md text
	text=$(awk '/^## 第 1 步：/ { on = 1; next } /^## / { on = 0 }
		on && /^> 提示 1：/ { sub(/^> 提示 1： */, ""); print; exit }' "$zh")
	[[ -n $text ]] || fail "labs/01-sessions/README.zh.md has no '> 提示 1：' in its '## 第 1 步：'"
	run -0 kmake hint-lab1 STEP=1 KIT_LANG=zh
	assert_line --index 0 --regexp '^实验 1，第 1 步「.+」：第 1 条提示，共 [0-9]+ 条$'
	assert_output --partial "${text:0:12}"
	assert_output --partial '阅读：'
	assert_output --partial 'notes/zh/01-sessions.md#'
	# a zh_CN locale without KIT_LANG: Chinese too; KIT_LANG=en wins over it
	run -0 kenv env -u KIT_LANG -u LC_ALL -u LC_MESSAGES LANG=zh_CN.UTF-8 timeout -k 5 150 make -s -C "$KIT_ROOT" --no-print-directory hint-lab1 STEP=1 ALL=1 3>&-
	assert_line --index 0 --regexp '^实验 1，第 1 步「.+」：讲义中的全部 [0-9]+ 条提示$'
	run -0 kenv env -u LC_ALL -u LC_MESSAGES LANG=zh_CN.UTF-8 timeout -k 5 150 make -s -C "$KIT_ROOT" --no-print-directory hint-lab1 STEP=1 ALL=1 3>&-
	assert_line --index 0 --regexp '^Lab 1, step 1 ".+": the [0-9]+ hint\(s\) of the handout$'
	# the starter's first failure: read: in the Chinese edition, with the same anchor
	copy_lab labs 01-sessions
	run -2 kmake check-lab1 STEP=1 IMPL="$IMPL_DIR" KIT_LANG=zh
	assert_line --regexp '^ *read: +(notes/zh/01-sessions\.md#[a-z0-9-]+|labs/01-sessions/README\.zh\.md, step 1)$'
	refute_output --regexp 'read: +notes/01-sessions'
	assert_line --regexp '^      stuck\? make hint-lab1 STEP=1 shows the hints of labs/01-sessions/README\.zh\.md'
}

@test "hint-labN ALL=1 shows every hint; without STEP it lists the steps; a bad STEP says which exist" {
	run -0 kmake hint-lab1 STEP=1 ALL=1
	assert_line --index 0 --regexp '^Lab 1, step 1 "who am I\?": the 3 hint\(s\) of the handout$'
	assert_line 'Hint 1:'
	assert_line 'Hint 3:'
	run -0 kmake hint-lab3
	assert_line --regexp '^  Step 4: give up on a crash loop +no hints$'
	assert_line --regexp '^  Step 1: start the command +[0-9]+ hints$'
	run -0 kmake hint-lab3 STEP=4
	assert_output --partial 'the handout has no hint for this step'
	assert_output --partial 'Read: crash loops (notes/03-supervisor.md#crash-loops)'
	run -2 kmake hint-lab2 STEP=9
	assert_output --partial 'STEP must be a step of lab 2, 1 to 6'
}

@test "every handout's hints are whole blockquotes: no text after a step's first hint that hint-labN would not show" {
	local f loose=''
	for f in "$KIT_ROOT"/labs/*/README.md; do
		loose+=$(awk -v f="${f#"$KIT_ROOT"/}" '
			/^## / { hints = 0; next }
			/^> Hint [0-9]+:/ { hints = 1; next }
			hints && !/^>/ && !/^[[:space:]]*$/ { printf "\n  %s:%d: %s", f, FNR, $0 }' "$f")
	done
	[[ -z $loose ]] || fail "lines among a step's hints, not in a '> ' blockquote (make hint-labN skips them):$loose"
	# a hint of two paragraphs ('>' between them) is shown as two
	run -0 kmake hint-lab1 STEP=1
	# shellcheck disable=SC2016 # the handout's backquotes, not a command
	assert_line --index 1 --regexp '^  the calls\. For the line: `getppid\(\)`'
	assert_output --partial $'name it.\n\n  (The tests of this step run procinfo'
}

# --- make status -------------------------------------------------------------------

@test "status on the starters: every lab not started, and where to begin" {
	copy_lab labs 01-sessions 02-daemon 03-supervisor
	run -0 kmake status IMPL="$IMPL_DIR" LABS="$(labs_upto 3)"
	# (no blank line, no empty header of steps, no legend: nothing was checked)
	assert_line --index 0 --regexp "^lab 1 +not started: $IMPL_DIR/01-sessions/ is the starter$"
	refute_output --partial '2/5: 2 of its 5'
	assert_line --regexp '^lab 3 +not started'
	assert_line --regexp "^Next: lab 1 \\(.*\\): read labs/01-sessions/README.md, then make check-lab1 IMPL=$IMPL_DIR STEP=1$"
}

@test "status on the reference: every step of every lab ok" {
	run -0 kmake status IMPL=solution LABS="$(labs_upto 3)"
	assert_line --regexp '^lab 1 +ok +ok +ok +ok +ok +passed$'
	assert_line --regexp '^lab 2 +(ok +){6}passed$'
	assert_line --regexp '^lab 3 +(ok +){7}passed$'
	assert_line 'Every test of every lab passes.'
}

@test "status on a lab under way: its failing step, the next thing to do; again: from the saved results, unless a source changed" {
	copy_lab solutions 01-sessions
	copy_lab labs 02-daemon 03-supervisor
	patch -s -d "$IMPL_DIR/01-sessions" -p1 <"$KIT_ROOT/checker/maint/mutants/lab1/create-mode-0644.patch"
	run -0 kmake status IMPL="$IMPL_DIR" LABS="$(labs_upto 3)"
	assert_line 'status: checking lab 1...'
	assert_line --regexp '^lab 1 +ok +ok +[0-9]+/[0-9]+ +ok +ok$'
	assert_line --regexp '^lab 2 +not started'
	assert_line --regexp '^Next: lab 1, step 3 "umask": [0-9]+ of its [0-9]+ tests pass\.$'
	assert_line --regexp "make check-lab1 IMPL=$IMPL_DIR STEP=3 shows the first failure; make hint-lab1 STEP=3 gives a hint"
	local first=$output
	# nothing changed: the same table, from the saved results, no check
	run -0 kmake status IMPL="$IMPL_DIR" LABS="$(labs_upto 3)"
	refute_output --partial 'checking'
	assert_equal "$output" "$(grep -v '^status: checking' <<<"$first" | sed '1{/^$/d}')"
	# a source changed (here, so that it no longer compiles): checked again
	echo 'not C' >>"$IMPL_DIR/01-sessions/procinfo.c"
	run -0 kmake status IMPL="$IMPL_DIR" LABS="$(labs_upto 3)"
	assert_line 'status: lab 1: changed since the last check: checking...'
	assert_line --regexp '^lab 1 +does not compile'
}

# --- make reset-labN ------------------------------------------------------------------

@test "reset-labN saves the student's files to a dated backup, says where, and puts the starter back" {
	copy_lab solutions 01-sessions
	echo '/* mine */' >"$IMPL_DIR/01-sessions/extra.h"
	run -0 kmake reset-lab1 IMPL="$IMPL_DIR"
	local backup
	backup=$(sed -n 's/^Saved your files (.*) in \(.*\)\/$/\1/p' <<<"$output")
	[[ $backup == "$BATS_TEST_TMPDIR/backups/01-sessions-20"* ]] || fail "no backup named in: $output"
	cmp "$backup/procinfo.c" "$KIT_ROOT/solutions/01-sessions/procinfo.c"
	cmp "$backup/extra.h" - <<<'/* mine */'
	cmp "$IMPL_DIR/01-sessions/procinfo.c" "$KIT_ROOT/labs/01-sessions/procinfo.c"
	assert_file_not_exists "$IMPL_DIR/01-sessions/extra.h"
	assert_output --partial "from git, the kit's commit"
	run -0 kmake reset-lab1 IMPL="$IMPL_DIR"
	assert_output --partial 'already holds the starter: nothing to save'
	run -2 kmake reset-lab1 IMPL=solution
	assert_output --partial 'IMPL=solution is the reference'
}

@test "the handout ships the student's targets: help, status, hint, a reset from its snapshot (no git), and GitHub Classroom's checks, a score per step" {
	run timeout 120 "$KIT_ROOT/checker/maint/handout" "$BATS_TEST_TMPDIR/ho" 3>&-
	assert_success
	local ho=$BATS_TEST_TMPDIR/ho
	assert_file_exists "$ho/checker/student/starter.tar.gz"
	assert_file_exists "$ho/checker/student/trace.d/lab2.sh"
	assert_file_exists "$ho/checker/lib/valgrind.supp"
	assert_file_not_exists "$ho/checker/maint/memcheck/lab1.bats"
	# (the harness's tools as built already: make status would build them)
	mkdir -p "$ho/build" && cp -rp "$KIT_ROOT/build/checker" "$ho/build/"
	run kenv make -s -C "$ho" help
	assert_success
	assert_output --partial 'make trace-labN'
	run kenv make -s -C "$ho" hint-lab1 STEP=2
	assert_success
	assert_line --index 0 --partial 'hint 1 of'
	run kenv make -s -C "$ho" status LABS="$(labs_upto 3)"
	assert_success
	assert_line --regexp '^lab 2 +not started'
	echo '/* my work */' >>"$ho/labs/02-daemon/mydaemon.c"
	run kenv make -s -C "$ho" reset-lab2
	assert_success
	assert_output --partial "from the handout's snapshot, checker/student/starter.tar.gz"
	cmp "$ho/labs/02-daemon/mydaemon.c" "$KIT_ROOT/labs/02-daemon/mydaemon.c"
	compgen -G "$ho/backups/02-daemon-*/mydaemon.c" >/dev/null || fail "no backup in $ho/backups/"
	# GitHub Classroom: the workflow in place; a score per step, each lab
	# begun checked once, lab 2 untouched not run (and the later labs left
	# out here: their starters wait out deadlines)
	assert_file_exists "$ho/.github/workflows/classroom.yml"
	rm -rf "$ho/labs/0[3-9]-"*
	echo '/* begun */' >>"$ho/labs/01-sessions/procinfo.c"
	run kenv GITHUB_STEP_SUMMARY="$BATS_TEST_TMPDIR/summary.md" timeout -k 5 120 "$ho/checker/student/classroom" run 3>&-
	assert_success
	assert_line '== lab 1 (01-sessions): make check-lab1 ALL=1'
	assert_line '== lab 2 (02-daemon): not started (the starter, untouched): not run'
	# the job summary: each lab's report, the first failure's expected/seen in it
	run cat "$BATS_TEST_TMPDIR/summary.md"
	assert_line '### lab 1 (01-sessions)'
	assert_line '### lab 2 (02-daemon): not started'
	assert_line --regexp '^ *expected:'
	assert_line --regexp '^ *seen:'
	assert_line --regexp '^[0-9]+ passed, [0-9]+ failed'
	run kenv "$ho/checker/student/classroom" step 1 1
	assert_failure
	assert_line --regexp '^  FAIL  procinfo prints one line'
	assert_line --regexp '^lab 1, step 1: [0-9]+ of [0-9]+ tests pass \(make check-lab1 STEP=1 shows the first failure\)$'
	run kenv "$ho/checker/student/classroom" step 2 1
	assert_failure
	assert_output 'lab 2, step 1: 0 points: lab 2 is not started (labs/02-daemon is the starter, untouched)'
	# lab 1 solved: every step scores
	cp "$KIT_ROOT/solutions/01-sessions/"*.c "$ho/labs/01-sessions/"
	run kenv timeout -k 5 120 "$ho/checker/student/classroom" run 3>&-
	assert_success
	run kenv "$ho/checker/student/classroom" step 1 3
	assert_success
	assert_line --regexp '^lab 1, step 3: ([0-9]+) of \1 tests pass$'
}

# --- make watch-labN -------------------------------------------------------------------

# the processes of a watch: those with the test's token in their environment
token_procs() {
	grep -lzx -e "$WATCH_TOKEN" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 || true
}
no_token_procs() { [[ -z $(token_procs) ]]; }
runs_done() { [[ $(grep -c '^watch: run [0-9]* done' "$BG_OUT") -ge $1 ]]; }
bats_running() {	# a Bats of the watch's run is under way
	local p
	for p in $(token_procs); do [[ $(ps -o args= -p "$p") == *bats-core/bats-exec-file* ]] && return 0; done
	return 1
}

# watch_once [ENV=VALUE...] - watch-lab1 STEP=1 on the starter: wait for
# its first run, touch the source, wait for the second, Ctrl-C its group
watch_once() {
	copy_lab labs 01-sessions
	WATCH_TOKEN=KIT_WATCH_TOKEN=$BATS_TEST_NUMBER.$RANDOM.$RANDOM
	# (env --default-signal: a background job of a script starts with
	# SIGINT ignored; make started from a terminal has it)
	kenv_args
	start_bg env --default-signal=INT "${KENV[@]}" "$@" "$WATCH_TOKEN" \
		setsid make -s -C "$KIT_ROOT" --no-print-directory watch-lab1 STEP=1 IMPL="$IMPL_DIR"
	wait_until -t 60 "the first run of the watch" runs_done 1 ||
		fail "no first run: $(cat "$BG_OUT" "$BG_ERR")"
	touch "$IMPL_DIR/01-sessions/procinfo.c"
	wait_until -t 60 "a second run after the source changed" runs_done 2 ||
		fail "no second run after touch: $(cat "$BG_OUT" "$BG_ERR")"
	kill -INT -- "-$BG_PID"
	wait_until -t 20 "make watch-lab1 to exit after SIGINT" proc_gone "$BG_PID" ||
		fail "make watch-lab1 still runs 20 s after Ctrl-C"
	wait_until -t 10 "every process of the watch to be gone" no_token_procs ||
		fail "left running after Ctrl-C: $(ps -o pid,args -p "$(token_procs | paste -sd,)")"
	run cat "$BG_OUT"
	assert_line --regexp '^watch: run 2 at [0-9:]+ \(procinfo.c changed\)$'
	assert_equal "$(grep -c '^step 1/5: [0-9]*/[0-9]* tests  FAIL$' <<<"$output")" 2
	assert_line --regexp '^watch: stopped; nothing is left running.$'
	refute_output --partial 'make[1]: ***'
	# (Ctrl-C is how a watch ends: make says nothing of an error)
	! grep -F 'Error 130' "$BG_ERR" || fail "make's stderr after Ctrl-C: $(cat "$BG_ERR")"
}

@test "watch-labN (inotify) runs the checks again when a source changes; Ctrl-C leaves nothing running" {
	command -v inotifywait >/dev/null || skip "inotifywait is not installed"
	watch_once
	assert_output --partial '(inotify): save a file'
}

@test "watch-labN (polling, without inotify) runs the checks again when a source changes; Ctrl-C leaves nothing running" {
	watch_once KIT_WATCH_POLL=1
	assert_output --partial '(polling): save a file'
}

@test "watch-labN: Ctrl-C in the middle of a run stops it at once, and nothing is left running" {
	# lab 3's starter: its supervisor, alive, retries a spawn() it does
	# not have, and the tests of step 1 wait out their deadlines
	copy_lab labs 03-supervisor
	WATCH_TOKEN=KIT_WATCH_TOKEN=$BATS_TEST_NUMBER.$RANDOM.$RANDOM
	kenv_args
	start_bg env --default-signal=INT "${KENV[@]}" "$WATCH_TOKEN" \
		setsid make -s -C "$KIT_ROOT" --no-print-directory watch-lab3 STEP=1 IMPL="$IMPL_DIR"
	wait_until -t 60 "the tests of the first run" bats_running ||
		fail "no test ran: $(cat "$BG_OUT" "$BG_ERR")"
	cp "$BG_OUT" "$BATS_TEST_TMPDIR/before-int"
	kill -INT -- "-$BG_PID"
	# (the run itself would go on for 10 s or more)
	wait_until -t 5 "every process of the watch to be gone" no_token_procs ||
		fail "still running 5 s after Ctrl-C: $(ps -o pid,args -p "$(token_procs | paste -sd,)")"
	run cat "$BG_OUT"
	[[ $output == "watch: run 1 at "* && $output != *"watch: run 1 done"* &&
		$output == *$'\nwatch: stopped; nothing is left running.'* ]] ||
		fail "what the watch printed: '$output' (stderr: '$(cat "$BG_ERR")'; before the SIGINT: '$(cat "$BATS_TEST_TMPDIR/before-int")')"
}

# --- make memcheck-labN ----------------------------------------------------------------

@test "memcheck-labN on the reference and on the starter: the tests under valgrind, and no finding" {
	run -0 kmake memcheck-lab1 IMPL=solution STEP=1
	assert_line --regexp '^the tests under valgrind: [1-9][0-9]* passed, 0 failed'
	assert_line --regexp '^procinfo: clean \([1-9][0-9]* process\(es\) under valgrind\)$'
	assert_line 'memcheck: no leak and no memory error'
	copy_lab labs 01-sessions
	run -0 kmake memcheck-lab1 IMPL="$IMPL_DIR" STEP=1
	assert_line --regexp '^the tests under valgrind: [0-9]+ passed, [1-9][0-9]* failed'
	assert_line 'memcheck: no leak and no memory error'
}

@test "memcheck-labN reports a leak per program, at the line of the source that allocated it" {
	copy_lab solutions 01-sessions
	local f=$IMPL_DIR/01-sessions/procinfo.c line
	line=$(grep -n '^main(' "$f" | cut -d: -f1)
	line=$((line + 2))
	sed -i "${line}a\\	char *leaked = malloc(64); leaked[0] = 0; leaked = NULL;" "$f"
	run -2 kmake memcheck-lab1 IMPL="$IMPL_DIR" STEP=1
	assert_line --regexp '^procinfo: 1 finding\(s\) in [0-9]+ process\(es\):$'
	assert_line --regexp '^  64 bytes in 1 blocks are definitely lost'
	assert_line --regexp "^      procinfo.c:$((line + 1)) +main +char \\*leaked = malloc\\(64\\);"
	assert_line --regexp '^memcheck: 1 finding\(s\)'
}

@test "memcheck-labN: valgrind's notes on itself are not findings (lab 4's test that lowers the server's fd limit)" {
	# the run: clean, whatever valgrind made of the fork under the lowered
	# limit (valgrind 3.19 writes its note, then its forked child may
	# abort on an assertion before or after it: not the same from run to
	# run, so the note is not asked of this run)
	run -0 kmake memcheck-lab4 IMPL=solution T='^accept fails with EMFILE'
	assert_line --regexp '^forkserver: clean \([0-9]+ process\(es\) under valgrind\)$'
	assert_line 'memcheck: no leak and no memory error'
	# the note itself, as valgrind writes it in a log, is no finding; a
	# finding in the same log is one
	local note='==105== Valgrind: failed to move log file descriptor into safe range, using stderr'
	local leak='==105== 64 bytes in 1 blocks are definitely lost in loss record 1 of 1
==105==    at 0x4848899: malloc (vg_replace_malloc.c:381)
==105==    by 0x10A1B2: main (forkserver.c:420)'
	run -0 awk -v prog=forkserver -v srcs=forkserver.c -f "$KIT_ROOT/checker/lib/vg-findings.awk" <<<"$note"
	assert_output ''
	run -0 awk -v prog=forkserver -v srcs=forkserver.c -f "$KIT_ROOT/checker/lib/vg-findings.awk" <<<"$note
==105==
$leak"
	assert_output --regexp '^forkserver	64 bytes in 1 blocks are definitely lost	1	forkserver\.c:420 main$'
}

# --- make trace-labN -----------------------------------------------------------------

@test "trace-lab2 on the reference: the launcher forks, the middle process calls setsid and forks, with counts" {
	run -0 kmake trace-lab2 IMPL=solution
	assert_line --regexp '^process [0-9]+ \(mydaemon, started by the scenario\)$'
	assert_line --regexp '^process [0-9]+ \(mydaemon, child of [0-9]+\)$'
	assert_line --regexp '^    setsid\(\) = [0-9]+$'
	assert_line --regexp '^    umask\(000\) = '
	assert_line --regexp '^    chdir\("/"\) = 0$'
	assert_line --regexp '^    flock\(3, LOCK_EX\|LOCK_NB\) = 0$'
	assert_line --regexp '^    --- SIGTERM '
	assert_line --regexp '^  all +.*clone 2, .*setsid 1'
	refute_output --partial 'ld.so.cache'
}

@test "trace-lab2 on the starter: what its launcher did, and that the scenario stopped early" {
	copy_lab labs 02-daemon
	run -0 kmake trace-lab2 IMPL="$IMPL_DIR"
	assert_line --regexp '^    \(the traced program exited: no use waiting for the PID file'
	assert_line --regexp '^    \(output\) mydaemon: daemon mode is not written yet'
	assert_line --regexp '^    exit_group\(1\) = \?$'
}

@test "trace-lab1 and trace-lab3 on the reference show their lesson: setsid's EPERM, kill of the whole group" {
	run -0 kmake trace-lab1 IMPL=solution
	assert_line --regexp '^    setsid\(\) = -1 EPERM'
	assert_line --regexp '^    wait4\([0-9]+, \[\{WIFEXITED'
	run -0 kmake trace-lab3 IMPL=solution
	assert_line --regexp '^    kill\(-[0-9]+, SIGTERM\) = 0$'
	assert_line --regexp '^processes [0-9 ]+: the same calls as process [0-9]+$'
}

@test "trace-lab6 on the reference: each process named by its program; the double fork, the restart, the stop by pid" {
	run -0 kmake trace-lab6 IMPL=solution
	assert_line --regexp '^process [0-9]+ \(echoctl, started by the scenario\)$'
	assert_line --regexp '^process [0-9]+ \(supervisor, child of [0-9]+\)$'
	assert_line --regexp '^process [0-9]+ \(epollserver, child of [0-9]+\)$'
	assert_line --regexp '^    setsid\(\) = [0-9]+$'
	assert_line --regexp '^    wait4\([0-9]+, \[\{WIFSIGNALED\(s\) && WTERMSIG\(s\) == SIGKILL\}\]'
	assert_line --regexp '^    kill\([0-9]+, SIGTERM\) = 0$'
	assert_line --regexp '^    kill\(-[0-9]+, SIGTERM\) = 0$'
	refute_output --partial 'the scenario stopped early'
	# what start printed comes where start ran: before the client's step
	assert_output --regexp $'\n    \\(output\\) started: supervisor [0-9]+\n\\$ echoclient '
	(( $(grep -c '(output) started:' <<<"$output") == 1 )) || fail "start's output is not shown once"
}

@test "trace-labN for a lab without a scenario says which file to write" {
	run -2 "$KIT_ROOT/checker/student/trace" --lab 9 --bin "$KIT_ROOT/build/checker"
	assert_output --partial 'lab 9 has no scenario: checker/student/trace.d/lab9.sh does not exist'
}
