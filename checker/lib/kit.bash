# kit.bash - the helper library every test of the kit loads, at the top of
# the file:  load '../../../checker/lib/kit'
#
# It loads bats-support (bats-assert and bats-file on a test's first call
# of one of theirs), puts the lab's build first on PATH, and gives the
# tests one way to do each of these:
#
#   bounded CMD...            run a lab command with a time limit (use in `run`;
#                             run gets at most 1 MiB of each stream;
#                             BOUNDED_STUCK=FN stops it once FN says it is
#                             stuck for good)
#   start_bg [-o F] [-e F] CMD...   start CMD in the background, fd 3 closed,
#                             every signal at its default (none ignored or
#                             blocked, as from a terminal);
#                             sets BG_PID, BG_OUT, BG_ERR; killed at teardown
#   track_pid PID             a process the test did not start (a daemon): tracked too
#   stop_pid PID              SIGTERM, then SIGKILL, and wait until it is gone
#   wait_until [-q] [-t S] [-W] WHAT CMD...   poll CMD until it succeeds
#                             (deadline S, default KIT_DEADLINE=10 s); on
#                             timeout say WHAT.  It ends at once, false, when
#                             CMD can no longer succeed: every process the
#                             test started or tracked has ended and nothing
#                             of the test runs any more (WAIT_WHY then says
#                             how they ended, and explain shows it as seen:),
#                             or CMD has said why it cannot (_KIT_IMPOSSIBLE:
#                             syslog_wait's pid logs under another name);
#                             -W: wait out the deadline all the same
#   fate_of PID               how a process the test started or tracked ended
#                             ("mydaemon (pid 12) exited with status 1 after 0.02 s")
#   proc_alive PID / proc_state PID / proc_status PID KEY / proc_cwd PID /
#   sig_bit MASK SIGNAL (is it set in a SigIgn/SigBlk mask of /proc?) /
#   proc_fds PID / ps_field PID FIELD / children_of PID / descendants_of PID /
#   ps_snapshot / pids_named NAME / in_wait PID (blocked in wait4 or waitid?)
#   syslog_lines [IDENT [PID]]    the captured lines (of IDENT[PID])
#   syslog_wait [-t S] IDENT PID REGEX   wait for a line of a running program
#   syslog_find IDENT PID REGEX   is there such a line (program has exited)?
#                             (both set SYSLOG_LINE SYSLOG_PRI SYSLOG_FACILITY
#                             SYSLOG_LEVEL SYSLOG_IDENT SYSLOG_PID SYSLOG_MSG)
#   syslog_sync               wait until the capture has caught up
#   syslog_parse LINE         split a line into SYSLOG_*
#   tcp_exchange PORT [HOST]  send stdin to a TCP server, half-close, print the reply
#   port_listening PORT
#   run_pty CMD...            run CMD under a pseudo-terminal (script(1))
#   require_pid_namespace / require_private_net   skip, saying why, in fallback
#   status_text [STATUS]      an exit status in words (124: timed out, 139:
#                             killed by SIGSEGV, with the likely cause)
#   explain EXPECTED SEEN READ   fail with expected / seen / read, a ps
#                             snapshot and the tail of the captured syslog
#   run -N CMD...             Bats' run; an exit status other than N fails
#                             through explain (the status in words, the output)
#
# Each test gets setup() and teardown() from here; a file that defines its
# own calls kit_setup / kit_teardown from them (and kit_setup_file from a
# setup_file of its own).

# shellcheck disable=SC2034 # the variables set here are for the tests
# Bats reads the test file twice: once for the whole file (bats-exec-file,
# with its DEBUG trap on, which records a stack trace at each command),
# then once for each test (before the trap is set).  The first time, this
# library and the lab's helpers loaded after it are traced command by
# command: about 50 ms of CPU a file, a fifth of what a short file costs.
# So the trap is off while the file loads, and kit_setup_file (the
# default setup_file) puts it back as it was, before any of the file's
# own code runs.  (Read through a file: $(trap -p) would fork.)
_KIT_FILE_TRAP=''
if [[ -z ${BATS_TEST_NAME-} && -d ${BATS_RUN_TMPDIR-} ]] &&
	trap -p DEBUG >"$BATS_RUN_TMPDIR/.kit-file-trap.$$" 2>/dev/null; then
	IFS= read -r -d '' _KIT_FILE_TRAP <"$BATS_RUN_TMPDIR/.kit-file-trap.$$" || true
	[[ -z $_KIT_FILE_TRAP ]] || trap - DEBUG
fi
kit_setup_file() {
	[[ -z $_KIT_FILE_TRAP ]] || eval "$_KIT_FILE_TRAP"
	_KIT_FILE_TRAP=''
	return 0
}
setup_file() { kit_setup_file; }

bats_require_minimum_version 1.5.0

# This file is read again for every test (Bats runs each in a new shell),
# so what it does at its top is done hundreds of times a run: it forks
# nothing there.  (A fork costs a few ms of CPU; the libraries' own
# load.bash files fork a dirname for each of their 17 sources, which was a
# third of a test's own cost.)
#
# _kit_lib NAME - load the Bats library NAME as bats_load_library does,
# from BATS_LIB_PATH, but its load.bash read, not run: its lines
# `source "$(dirname "${BASH_SOURCE[0]}")/src/X.bash"` are sourced from
# the directory itself.  A load.bash that holds anything else is run by
# bats_load_library, as it is.
# _kit_lib_dir NAME - _KIT_LIB_DIR: the directory of the Bats library NAME
# on BATS_LIB_PATH (the one with a load.bash), empty if none
_kit_lib_dir() {
	local d IFS=:
	_KIT_LIB_DIR=''
	for d in ${BATS_LIB_PATH-}; do
		[[ -f $d/$1/load.bash ]] && { _KIT_LIB_DIR=$d/$1; return 0; }
	done
	return 1
}
_kit_lib() {
	local dir line f files=()
	_kit_lib_dir "$1" || true
	dir=$_KIT_LIB_DIR
	if [[ -n $dir ]]; then
		# shellcheck disable=SC2016 # the text of the line, not an expansion
		while IFS= read -r line; do
			case $line in
			'' | '#'*) ;;
			'source "$(dirname "${BASH_SOURCE[0]}")/'*'"') f=${line#*)/} files+=("$dir/${f%\"}") ;;
			*) dir=''; break ;;
			esac
		done <"$dir/load.bash"
	fi
	if [[ -z $dir ]]; then
		bats_load_library "$1"
		return
	fi
	for f in "${files[@]}"; do
		# shellcheck disable=SC1090 # a library's own file
		source "$f" || { printf '%s: could not load %s\n' "${BASH_SOURCE[0]}" "$f" >&2; exit 1; }
	done
}
_kit_lib bats-support
# bats-assert and bats-file are loaded on a test's first call of one of
# their functions, not by every test: most tests call none (they explain),
# and parsing the two was about 1.8 ms of CPU a test (21 short tests: 715
# ms, now 678, medians of 8 runs).  Until then each public function of theirs (_KIT_LAZY: as the
# installed versions have them; the harness's own tests check that none is
# missing) is a stub that loads both, then calls the real one.
_KIT_LAZY='assert refute assert_equal assert_not_equal assert_success
assert_failure assert_output refute_output assert_line refute_line
assert_regex refute_regex temp_make temp_del assert_exists assert_exist
assert_not_exists assert_not_exist assert_file_exists assert_file_exist
assert_file_not_exists assert_file_not_exist assert_dir_exists
assert_dir_exist assert_dir_not_exists assert_dir_not_exist
assert_link_exists assert_link_exist assert_link_not_exists
assert_link_not_exist assert_block_exists assert_block_exist
assert_block_not_exists assert_block_not_exist assert_character_exists
assert_character_exist assert_character_not_exists
assert_character_not_exist assert_socket_exists assert_socket_exist
assert_socket_not_exists assert_socket_not_exist assert_fifo_exists
assert_fifo_exist assert_fifo_not_exists assert_fifo_not_exist
assert_file_executable assert_file_not_executable assert_files_equal
assert_files_not_equal assert_file_owner assert_not_file_owner
assert_file_permission assert_not_file_permission assert_size_zero
assert_size_not_zero assert_file_group_id_set
assert_file_not_group_id_set assert_file_user_id_set
assert_file_not_user_id_set assert_sticky_bit assert_no_sticky_bit
assert_symlink_to assert_not_symlink_to assert_file_size_equals
assert_file_contains assert_file_empty assert_file_not_empty'
# (A lab helper must not name a function of its own as one of these: the
# first call of any of them would replace it with the library's.)
_kit_lazy_libs() {
	if [[ -n ${_KIT_LAZY_LOADED-} ]]; then
		printf 'kit: %s is in neither bats-assert nor bats-file\n' "$1" >&2
		return 127
	fi
	_KIT_LAZY_LOADED=1
	_kit_lib bats-assert && _kit_lib bats-file && return 0
	printf 'kit: %s: bats-assert or bats-file could not be loaded (make deps installs them)\n' "$1" >&2
	return 1
}
# (not installed: said at once, for every test, as when they were loaded
# here; only their load.bash is looked for)
for _kit_d in bats-assert bats-file; do
	_kit_lib_dir "$_kit_d" || _kit_lib "$_kit_d"	# (Bats' own error)
done
unset _kit_d
_kit_s=''
for _kit_f in $_KIT_LAZY; do
	declare -F "$_kit_f" >/dev/null && continue	# (a file that loaded them itself)
	_kit_s+="$_kit_f() { _kit_lazy_libs $_kit_f && $_kit_f \"\$@\"; }"$'\n'
done
eval "$_kit_s"
unset _kit_f _kit_s

# the kit's root, from this file's path (.../checker/lib/kit.bash), its
# . and .. resolved as `cd DIR && pwd` would
_kit_root() {
	local p=${BASH_SOURCE[0]%/*}/../.. part parts=()
	[[ $p == /* ]] || p=$PWD/$p
	local IFS=/
	for part in $p; do
		case $part in
		'' | .) ;;
		..) (( ${#parts[@]} )) && unset 'parts[-1]' ;;
		*) parts+=("$part") ;;
		esac
	done
	KIT_ROOT="/${parts[*]}"
	# (a symlink that .. steps back over: cd's own answer)
	[[ -f $KIT_ROOT/checker/lib/common.bash ]] ||
		KIT_ROOT=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)
}
_kit_root
# (this directory as the test's load named it: Bats' DEBUG trap sees that)
_KIT_LIB_AS_LOADED=${BASH_SOURCE[0]%/*}
# shellcheck source=checker/lib/common.bash
source "$KIT_ROOT/checker/lib/common.bash"	# proc_alive, descendants_of, ...
KIT_DEADLINE=${KIT_DEADLINE:-10}
KIT_CMD_TIMEOUT=${KIT_CMD_TIMEOUT:-20}
KIT_POLL=0.02		# seconds between two looks at a condition
# What the parent of an orphan is: PID 1 of the sandbox, or the reaper.
ORPHAN_PPID=${HARNESS_REAPER_PID:-1}
# The port servers listen on: fixed in the sandbox, free one in fallback.
PORT=${LAB_PORT:-6666}
BATS_NO_PARALLELIZE_WITHIN_FILE=true

if [[ -n ${LAB_BIN-} ]]; then
	PATH=$LAB_BIN:$PATH
fi
# A program that writes without end fills a file up to 64 MiB, then gets
# SIGXFSZ (exit status 153), instead of filling the disk or the memory.
ulimit -f $((64 * 1024))

# _kit_fn_text NAME - _KIT_FN: the text of function NAME (declare -f's),
# through a file in Bats' run directory, not $(...) (which forks); empty,
# with no fork, for a function this Bats process does not have (the
# file's traps in a test's process: two forks a test)
_kit_fn_text() {
	local f=${BATS_RUN_TMPDIR-}/.kit-fn.$BASHPID
	_KIT_FN=''
	declare -F "$1" >/dev/null || return 0
	if [[ -d ${BATS_RUN_TMPDIR-} ]] && declare -f "$1" >"$f" 2>/dev/null; then
		slurp "$f"
		_KIT_FN=$SLURP
	else
		_KIT_FN=$(declare -f "$1" 2>/dev/null)
	fi
}

# Bats' per-test watchdog (BATS_TEST_TIMEOUT), as Bats 1.8 writes it but
# with two faults fixed.  Only Bats' own shape of the function is replaced.
#  1. None of Bats' descriptors: its subshell starts a sleep, then traps
#     SIGABRT, Bats' "the test is over".  A test over before the trap (a
#     loaded machine, now and then) killed the subshell, and the sleep,
#     left holding Bats' pipes, kept the file from ending for
#     BATS_TEST_TIMEOUT seconds (seen: 60 s).  Here the sleep holds
#     nothing, and the trap comes first.
#  2. What it kills.  At the deadline Bats' watchdog sends SIGABRT to the
#     test, then a SIGTERM to each child of the test: the test's handler
#     runs only once its command in the foreground has ended.  On a loaded
#     machine that pkill came after the handler had begun, and killed the
#     command substitution in which Bats' exit trap copies the stack
#     trace: the test was reported with no line and no command (seen: 2
#     runs in 10 with six busy loops in one session).  Here the handler stops the
#     watchdog, and waits for it to be gone, before anything of it forks;
#     until then the watchdog ends the test's children every 0.1 s (and
#     with SIGKILL after 2 s: a foreground program that ignores SIGTERM
#     would hold the handler off for good), for 10 s at most.
_kit_fn_text bats_start_timeout_countdown
# shellcheck disable=SC2016 # the text of the function, not an expansion
if [[ $_KIT_FN == *'sleep "$timeout" & trap "kill $!; exit 0" ABRT'* ]]; then
	bats_start_timeout_countdown() {
		local -ri timeout=$1
		local -ri target_pid=$$
		# shellcheck disable=SC2064 # the pid, now
		trap "_kit_timeout_trap $target_pid" ABRT
		(
			# (not under the test's errexit: a kill of a child that has
			# just gone would end this subshell, and no SIGKILL follows)
			set +e
			# (an abort at any point: the sleep, if started, goes too;
			# it is this subshell's first job, killed without a pkill)
			trap 'kill %1 2>/dev/null; exit 0' ABRT
			local fd i p sig=TERM
			for fd in /proc/"$BASHPID"/fd/*; do
				fd=${fd##*/}
				(( fd > 2 && fd != 255 )) && eval "exec $fd>&-"
			done 2>/dev/null
			exec </dev/null >/dev/null 2>&1
			sleep "$timeout" &
			wait
			kill -ABRT "$target_pid" || exit 0
			# (each child but this subshell, itself one, a round every
			# 0.1 s for 10 s; then it waits to be stopped: alive, its pid
			# is no other's.  nap: the stop's ABRT ends a pause at once)
			for (( i = 0; i < 100; i++ )); do
				(( i < 20 )) || sig=KILL
				for p in $(children_of "$target_pid"); do
					[[ $p == "$BASHPID" ]] || kill -"$sig" "$p"
				done
				nap 0.1
			done
			while :; do nap 1; done
		) &
		_KIT_WATCHDOG=$! _KIT_WATCHDOG_GONE=''
	}
	# (Bats' exit trap stops the watchdog: not one the handler already
	# stopped and waited for, whose pid may be another process's by then)
	_kit_fn_text bats_abort_timeout_countdown
	if [[ $_KIT_FN == *'kill -ABRT "$1" &>/dev/null || true'* ]]; then
		bats_abort_timeout_countdown() {
			[[ -n ${_KIT_WATCHDOG_GONE-} ]] || kill -ABRT "$1" &>/dev/null || true
		}
	fi
fi

# Bats' clock (get_mills_since_epoch, read at the start of every test) as
# bash has it, not $(date +%s%N): a fork and an exec a test.  Only Bats'
# own shape of the function is replaced.
_kit_fn_text get_mills_since_epoch
# shellcheck disable=SC2016 # the text of the function, not an expansion
if [[ -n ${EPOCHREALTIME-} && $_KIT_FN == *'ms_since_epoch=$(date +%s%N)'* ]]; then
	get_mills_since_epoch() {
		local us=${EPOCHREALTIME/[.,]/}
		printf '%d\n' "$(( us / 1000 ))"
	}
fi

# Bats' exit traps (the test's and the file's) run where Bats runs them,
# never in a process the test forked.  A child forked by `cmd &` is the
# test's shell until it execs: a SIGTERM that reaches it before (teardown
# stopping what a short test started, on a loaded machine) made bash run
# the EXIT trap it still had, Bats' teardown trap, there: a second "ok" or
# "not ok" for the test, and Bats' "Executed 2 instead of expected 1
# tests".  In such a child each of them now does nothing, and the signal
# ends it as it would have.
# (Each reads $? first, the status the test or the file ended with: the
# wrapper hands it on.)
_kit_rc() { return "$1"; }
for _kit_f in bats_teardown_trap bats_exit_trap bats_file_teardown_trap bats_file_exit_trap; do
	_kit_fn_text "$_kit_f"
	# (not twice: a file loaded again must not wrap the wrapper)
	[[ $_KIT_FN == "$_kit_f ()"* ]] || continue
	declare -F "_kit_bats_$_kit_f" >/dev/null && continue
	eval "_kit_bats_${_KIT_FN}"
	eval "$_kit_f() {
		local _kit_s=\$?
		[[ \$BASHPID == \"\$\$\" ]] || return 0
		_kit_rc \"\$_kit_s\" && :
		_kit_bats_$_kit_f \"\$@\"
	}"
done
unset _kit_f

# _kit_timeout_trap PID - Bats' bats_timeout_trap, once the watchdog has
# stopped killing the test's children (above).  Bats shows the stack trace
# before the last one its DEBUG trap took, the last being, Bats expects,
# its record of this handler's call, at "line 1".  No such record is taken
# where the trap is off (a wait of the kit) or leaves the code out (the
# kit's, Bats'): there the last trace is the test's line, where it was cut.
_kit_timeout_trap() {
	if [[ -n ${_KIT_WATCHDOG-} ]]; then
		{ kill -ABRT "$_KIT_WATCHDOG" && wait "$_KIT_WATCHDOG"; } 2>/dev/null || :
		_KIT_WATCHDOG='' _KIT_WATCHDOG_GONE=1
	fi
	local d src=${BASH_SOURCE[1]-} traced=''
	_kit_debug_off
	if [[ -n $_KIT_TRAP_WAS ]]; then
		traced=1
		for d in ${BATS_DEBUG_EXCLUDE_PATHS[@]+"${BATS_DEBUG_EXCLUDE_PATHS[@]}"}; do
			[[ ${src%/*} == "$d"* ]] && { traced=''; break; }
		done
		# (cut inside Bats' DEBUG trap itself, between its commands: its
		# last trace may be half made; Bats' own choice stands)
		[[ " ${FUNCNAME[*]} " == *" bats_debug_trap "* ]] && traced=1
	fi
	[[ -n $traced ]] || BATS_DEBUG_LASTLAST_STACK_TRACE=(${BATS_DEBUG_LAST_STACK_TRACE[@]+"${BATS_DEBUG_LAST_STACK_TRACE[@]}"})
	bats_timeout_trap "$1"
}

kit_setup() {
	# Bats' DEBUG trap records a stack trace at each command of the test,
	# unless the command's file is in a directory it was told to leave out,
	# as Bats' own libraries are.  The kit's library is too: that trace
	# was most of a test's CPU time, and a failure in a helper is still
	# shown at the line of the test that called it.  (Bats makes its list
	# again as the test starts, after this file was read: so here.)
	if declare -F bats_add_debug_exclude_path >/dev/null; then
		bats_add_debug_exclude_path "$_KIT_LIB_AS_LOADED"
		bats_add_debug_exclude_path "$KIT_ROOT/checker/lib"
	fi
	# Even a left-out command costs a call of that trap, which then
	# compares its file with each path of the list: a third of the kit's
	# cost of a short test.  So the trap leaves out the kit's library and
	# Bats' own files itself, with one comparison, and calls Bats' trap for
	# every other command, as Bats would (a lab's helper, bats-assert).
	# Not under bats --trace, which prints every command through it.
	if [[ ${BATS_TRACE_LEVEL:-0} == 0 && -n ${BATS_ROOT-} ]] && declare -F bats_debug_trap >/dev/null; then
		# (each directory quoted as the shell reads it: a kit in a
		# folder whose name has a space)
		local d q pat=''
		for d in "$KIT_ROOT/checker/lib" "$_KIT_LIB_AS_LOADED" "$BATS_ROOT/lib" "$BATS_ROOT/libexec"; do
			printf -v q '%q' "$d"
			pat+="${pat:+|}$q/*"
		done
		# shellcheck disable=SC2016 # expanded when the trap runs
		trap 'case $BASH_SOURCE in '"$pat"') ;; *) bats_debug_trap "$BASH_SOURCE" ;; esac' DEBUG
	fi
	if [[ -z ${HARNESS_SANDBOX-} || -z ${LAB_BIN-} ]]; then
		fail "These tests run inside the kit's sandbox: use 'make check-labN', not bats alone."
	fi
	: >"$BATS_TEST_TMPDIR/.kit-pids"
	# where this test's syslog lines begin (_kit_todo_said reads from there)
	_KIT_LOG_FROM=0
	[[ -f ${HARNESS_SYSLOG-} ]] && _KIT_LOG_FROM=$(wc -c <"$HARNESS_SYSLOG")
	return 0
}

# kit_teardown - stop every process the test started or tracked, and
# every process below each of them: the last one first, children before
# their parents (a parent may be waiting for them).  Then remove the
# test's scratch files: Bats keeps them until the end of the file, and a
# program that writes without end leaves 64 MiB in each test it runs,
# which would fill the sandbox's /tmp for the tests after it.
kit_teardown() {
	local pid lines=() i j f below
	if [[ -f $BATS_TEST_TMPDIR/.kit-pids ]]; then
		mapfile -t lines <"$BATS_TEST_TMPDIR/.kit-pids"
		for (( i = ${#lines[@]} - 1; i >= 0; i-- )); do
			pid=${lines[i]%% *}
			[[ -n $pid ]] || continue
			# (one that has ended has no children left: they were
			# handed to the reaper when it did)
			if proc_alive "$pid"; then
				# (the deepest first: none is orphaned on the way)
				_kit_below "$pid"
				below=(${BELOW[@]+"${BELOW[@]}"})
				for (( j = ${#below[@]} - 1; j >= 0; j-- )); do
					stop_pid "${below[j]}"
				done
			fi
			stop_pid "$pid"
		done
	fi
	# (a test that left nothing but the kit's two marks: no find to run)
	for f in "$BATS_TEST_TMPDIR"/* "$BATS_TEST_TMPDIR"/.[!.]* "$BATS_TEST_TMPDIR"/..?*; do
		[[ -e $f && $f != */.kit-pids && $f != */.syslog-looked.* ]] || continue
		find "$BATS_TEST_TMPDIR" -mindepth 1 -delete 2>/dev/null
		break
	done
	return 0
}

setup() { kit_setup; }
teardown() { kit_teardown; }

# bounded CMD... - CMD with a time limit, for `run`: a hung program fails
# its test instead of hanging the run.  Its output goes through files, not
# the pipe `run` reads: a process it leaves behind holding stdout (a
# daemon that forgot /dev/null) cannot keep `run` waiting.  (timeout(1)
# puts itself and CMD in a new process group: CMD is not a group leader.)
# What `run` gets of it (stdout read through a pipe, and stderr) is cut at
# 1 MiB: more is never needed to judge a program, and a program that
# writes without end would otherwise have Bats copy 64 MiB around (a
# redirect to a file gets all of stdout).
# BOUNDED_STUCK=FN: FN PID... (CMD's live processes) is asked every 0.25 s
# whether they can no longer end by themselves; when it says so (and why,
# in _KIT_STUCK), CMD is stopped at once: status 124, and status_text
# gives the reason (lab 2: a launcher that waits for its own daemon).
bounded() {
	local out=$BATS_TEST_TMPDIR/.bounded.out err=$BATS_TEST_TMPDIR/.bounded.err rc=0
	local pid below next now nap nap_us=1000 poll_us=${KIT_POLL#*.}000000
	# (Bats' DEBUG trap off while it polls, as in wait_until)
	local trap_was
	_kit_debug_off
	trap_was=$_KIT_TRAP_WAS
	poll_us=$(( 10#${poll_us:0:6} ))	# (KIT_POLL is under a second)
	if [[ -e $BATS_TEST_TMPDIR/.bounded.asleep || -e $BATS_TEST_TMPDIR/.bounded.stuck ]]; then
		rm -f "$BATS_TEST_TMPDIR/.bounded.asleep" "$BATS_TEST_TMPDIR/.bounded.stuck"
	fi
	# (started in the background, so that a CMD asleep for good, as
	# wait_until sees it, is stopped at once, looked at from 0.1 s on;
	# cleansig and <&0: a background job of this shell would start with
	# SIGINT and SIGQUIT ignored, and stdin from /dev/null)
	"$HARNESS_TOOLS/cleansig" timeout -k 2 "$KIT_CMD_TIMEOUT" "$@" <&0 >"$out" 2>"$err" 3>&- &
	pid=$! next=$(( ${EPOCHREALTIME/[.,]/} + 100000 ))
	while proc_alive "$pid"; do
		now=${EPOCHREALTIME/[.,]/}
		if (( now >= next )); then
			next=$(( now + 250000 ))
			_kit_below "$pid"
			below=${BELOW[*]}
			# (asleep for good, or stuck as BOUNDED_STUCK says: its
			# reason in a file status_text reads, and stopped now)
			# shellcheck disable=SC2086 # a list of pids
			if [[ -n $below ]] && { { _kit_asleep $below && printf '%s\n' "$_KIT_ASLEEP" >"$BATS_TEST_TMPDIR/.bounded.asleep"; } ||
				{ [[ -n ${BOUNDED_STUCK-} ]] && "$BOUNDED_STUCK" $below && printf '%s\n' "$_KIT_STUCK" >"$BATS_TEST_TMPDIR/.bounded.stuck"; }; }; then
				# shellcheck disable=SC2086
				kill -KILL $below 2>/dev/null
				wait "$pid" 2>/dev/null
				rc=124
				break
			fi
		fi
		# (1 ms, then twice as long each time up to KIT_POLL: most
		# programs a test runs this way end within a few ms)
		printf -v nap '0.%06d' "$nap_us"
		nap "$nap"
		(( nap_us = nap_us * 2 < poll_us ? nap_us * 2 : poll_us ))
	done
	[[ -s $BATS_TEST_TMPDIR/.bounded.asleep || -s $BATS_TEST_TMPDIR/.bounded.stuck ]] || { wait "$pid" || rc=$?; }
	if [[ -p /dev/stdout ]]; then _cut_at_1m "$out"; elif [[ -s $out ]]; then cat "$out"; fi
	_cut_at_1m "$err" >&2
	rm -f "$out" "$err"
	[[ -z $trap_was ]] || eval "$trap_was"
	return "$rc"
}
_cut_at_1m() {
	local size
	[[ -s $1 ]] || return 0	# (empty: no stat, no head to run)
	size=$(stat -c %s "$1" 2>/dev/null) || return 0
	head -c 1048576 "$1"
	(( size <= 1048576 )) || printf '\n[kit: cut at 1 MiB of the %s bytes it wrote]\n' "$size"
}

# start_bg [-o OUTFILE] [-e ERRFILE] CMD... - start CMD in the background
# with stdin from /dev/null and bats' fd 3 closed (else bats waits for it);
# remember its pid for teardown.  CMD starts as from a terminal, every
# signal at its default and none blocked: bash starts a background job
# with SIGINT and SIGQUIT ignored, which CMD would inherit (a server with
# no handler would survive the test's SIGINT), and no trap can undo that.
# build/checker/cleansig does, then execs CMD: BG_PID, its process group
# and session are those CMD would have had.  (A shell function or builtin
# has no program to exec: it runs as it is.)
start_bg() {
	local clean=()
	BG_OUT=$BATS_TEST_TMPDIR/bg.out BG_ERR=$BATS_TEST_TMPDIR/bg.err
	while [[ $# -gt 0 ]]; do
		case $1 in
		-o) BG_OUT=$2; shift 2 ;;
		-e) BG_ERR=$2; shift 2 ;;
		*) break ;;
		esac
	done
	[[ $(type -t "$1") == file ]] && clean=("$HARNESS_TOOLS/cleansig")
	# (emptied here, before the fork: the child empties them only once it
	# runs, and a look right after this must not find what an earlier
	# program wrote there: seen on a loaded machine, a second `hold` found
	# the first one's "holding")
	local _kit_bgf
	for _kit_bgf in "$BG_OUT" "$BG_ERR"; do
		[[ -p $_kit_bgf || -c $_kit_bgf ]] || : 2>/dev/null >"$_kit_bgf" || true
	done
	"${clean[@]}" "$@" </dev/null >"$BG_OUT" 2>"$BG_ERR" 3>&- &
	BG_PID=$!
	WAIT_WHY=''	# (a new program: an earlier wait's reason is old news)
	_kit_track "$BG_PID" "$(_kit_name_in "$@")" "$BG_ERR"
}

# track_pid PID - kill PID at teardown too (a daemon the test did not
# start); a wait also ends early only once it has ended
track_pid() {
	local comm=''
	# (it may be gone already: its name is then unknown)
	if [[ $1 =~ ^[0-9]+$ ]]; then { read -r comm <"/proc/$1/comm"; } 2>/dev/null || comm=''; fi
	_kit_track "$1" "${comm:-?}" -
}

# .kit-pids: a line per process the test started or tracked:
# "PID START_US STDERR_FILE|- NAME", the last one last
_kit_track() {
	echo "$1 ${EPOCHREALTIME/[.,]/} $3 ${2:-?}" >>"$BATS_TEST_TMPDIR/.kit-pids"
}
# _kit_name_in CMD... - the name of the program CMD runs: the first word
# that is one of the lab's programs (env X=1 prog, prlimit ... prog: they
# exec it), else the first word
_kit_name_in() {
	local a
	case ${1##*/} in	# (these stay as the parent of what they run)
	strace | valgrind | script | timeout | socat) echo "${1##*/}"; return ;;
	esac
	for a in "$@"; do
		[[ -n ${LAB_BIN-} && $a != */* && -x $LAB_BIN/$a ]] && { echo "$a"; return; }
	done
	echo "${1##*/}"
}

# stop_pid PID - SIGTERM (SIGCONT too, should it be stopped); SIGKILL if it
# is still there after 2 s; return once it is gone or a zombie.
stop_pid() {
	# never the sandbox's init, the reaper or bats itself, whatever a
	# program under test printed as its pid
	[[ $1 =~ ^[0-9]+$ ]] && (( $1 > 1 )) || return 0
	[[ $1 != "$$" && $1 != "$ORPHAN_PPID" && $1 != "$BASHPID" ]] || return 0
	# (wait: reap it if it is our child; its status is of no interest)
	proc_alive "$1" || { wait "$1" 2>/dev/null || true; return 0; }
	# (|| true: it may be gone already, and bats runs tests under set -e)
	kill -TERM "$1" 2>/dev/null || true
	kill -CONT "$1" 2>/dev/null || true
	if ! wait_until -q -W -t 2 "pid $1 to exit" proc_gone "$1"; then
		kill -KILL "$1" 2>/dev/null || true
		wait_until -q -W -t 2 "pid $1 to die" proc_gone "$1" || true
	fi
	wait "$1" 2>/dev/null || true
}

# wait_until [-q] [-t SECONDS] [-W] WHAT CMD... - run CMD every 20 ms
# (every 0.1 s after the first 2 s) until it succeeds; after SECONDS
# (default KIT_DEADLINE) give up and, unless -q, say on stderr what was
# awaited.  The condition is what synchronises a test, never a bare sleep.
#
# A deadline is for a program that is alive and slow or hung: the wait
# also ends, false, as soon as CMD can no longer succeed, which is when
#   1. the test has started or tracked a process (start_bg, track_pid),
#      and every one of them has ended; and
#   2. no process of the test is left at all (ps_snapshot's: below the
#      test, or an orphan; not the harness's), so nothing is left that
#      could make CMD succeed: not a daemon whose launcher exited by
#      design, not a supervisor that logs its child's death; and
#   3. CMD, tried once more after syslog_sync (a line a program logged
#      just before it ended is in the capture), still fails.
# It also ends, false, once CMD itself has found that it cannot succeed
# and said why in _KIT_IMPOSSIBLE (syslog_wait: the program logs under
# another name), after that same last try.
# A wait for a death is never cut short: once everything has ended, its
# CMD succeeds at 3.  WAIT_WHY then says how each process ended (exit
# status, signal by name, its stderr, its last log line), and the next
# explain shows it as seen:.  -W: no early end (the harness's own waits).
wait_until() {
	# (with Bats' DEBUG trap off while it polls: that trap runs a dozen
	# commands at each of the wait's, and doubled its CPU time; it is
	# put back as it was, and the test's line it last saw is unchanged)
	local _kit_wu_rc=0 _kit_wu_trap
	_kit_debug_off
	_kit_wu_trap=$_KIT_TRAP_WAS
	_kit_wait_until "$@" || _kit_wu_rc=$?
	[[ -z $_kit_wu_trap ]] || eval "$_kit_wu_trap"
	return "$_kit_wu_rc"
}
# _kit_debug_off - turn Bats' DEBUG trap off; _KIT_TRAP_WAS: the command
# that puts it back, empty if it was off (a wait inside a wait, Bats'
# teardown after a failure: left off).  Read through a file in Bats' run
# directory: $(trap -p) would fork.  One file for the test's shell, one
# for all its subshells (`run`'s, one after another: a file each would
# pile up in the sandbox's /tmp; a subshell's trap ends with it).
_kit_debug_off() {
	local f=${BATS_RUN_TMPDIR-}/.kit-trap.$$
	_KIT_TRAP_WAS=''
	[[ -d ${BATS_RUN_TMPDIR-} ]] || return 0
	[[ $BASHPID == "$$" ]] || f+=.sub
	trap -p DEBUG >"$f" 2>/dev/null || return 0
	slurp "$f"
	_KIT_TRAP_WAS=$SLURP
	[[ -z $_KIT_TRAP_WAS ]] || trap - DEBUG
}
_kit_wait_until() {
	local limit=$KIT_DEADLINE quiet='' early=1 what start now
	while [[ $# -gt 0 ]]; do
		case $1 in
		-q) quiet=1; shift ;;
		-t) limit=$2; shift 2 ;;
		-W) early=''; shift ;;
		*) break ;;
		esac
	done
	what=$1
	shift
	[[ -n $early ]] && WAIT_WHY='' _KIT_IMPOSSIBLE=''
	# the deadline in microseconds; SECONDS may have a fraction (0.5)
	local sec=${limit%.*} frac=
	[[ $limit == *.* ]] && frac=${limit#*.}
	frac=${frac}000000
	start=${EPOCHREALTIME/[.,]/}
	local end=$(( start + ${sec:-0} * 1000000 + 10#${frac:0:6} ))
	_KIT_LEFT=''
	while :; do
		"$@" && return 0
		if [[ -n $early ]] && { [[ -n $_KIT_IMPOSSIBLE ]] || { _kit_all_ended && ! _kit_test_procs_left; } || _kit_all_asleep || _kit_todo_said; }; then
			syslog_sync
			"$@" && return 0
			now=${EPOCHREALTIME/[.,]/}
			_kit_secs $(( now - start ))
			if [[ -n $_KIT_IMPOSSIBLE ]]; then
				WAIT_WHY="$_KIT_IMPOSSIBLE (waited $_KIT_SECS s of ${limit})"
			elif [[ -n $_KIT_TODO ]]; then
				WAIT_WHY="$_KIT_TODO: the starter's code of that step is still in place, so this will not happen (waited $_KIT_SECS s of ${limit}; do the steps in order)"
			elif [[ -n $_KIT_ASLEEP ]]; then
				WAIT_WHY="$_KIT_ASLEEP asleep in pause() or sigsuspend() with no signal handler installed: nothing can wake it but a signal that ends it (waited $_KIT_SECS s of ${limit})"
			else
				_kit_fates
				WAIT_WHY="$_KIT_FATES; nothing of the test is left running that could make it happen (waited $_KIT_SECS s of ${limit})"
			fi
			[[ -n $quiet ]] || printf 'gave up waiting for %s: %s\n' "$what" "$WAIT_WHY" >&2
			WAITED_FOR=$what
			return 1
		fi
		now=${EPOCHREALTIME/[.,]/}
		(( now >= end )) && break
		# (every KIT_POLL for 2 s, then every 0.1 s: a long wait is for
		# something slow, and its looks cost CPU the tests beside it need)
		if (( now - start < 2000000 )); then nap "$KIT_POLL"; else nap 0.1; fi
	done
	[[ -n $quiet ]] || printf 'timed out after %s s waiting for %s\n' "$limit" "$what" >&2
	WAITED_FOR=$what
	return 1
}

# _kit_all_asleep - _KIT_ASLEEP: every process of the test is asleep for
# good ("mydaemon (pid 12)", a line each), which is when the test started
# a process (start_bg) that is still alive, and every live process of the
# test is single-threaded, in pause() or sigsuspend() (/proc/PID/syscall),
# and catches no signal (SigCgt 0: no handler can run and return from
# it).  Only a signal can wake such a process, and with no handler a
# signal ignores, stops or ends it: nothing it does will change what the
# wait waits for.  (The wait is the test's only activity: nothing of the
# test sends it a signal meanwhile.)  A process whose syscall cannot be
# read (another's, or yama's ptrace rules) is not known asleep: no early
# end.  Looked at first after _KIT_ASLEEP_AT (a ps costs: every 0.5 s).
_KIT_ASLEEP='' _KIT_ASLEEP_AT=0
case $HOSTTYPE in	# (uname -m's, known to bash)
x86_64) _KIT_PAUSE_NRS=' 34 130 ' _KIT_WAIT_NRS=' 61 247 ' ;;	# pause, rt_sigsuspend; wait4, waitid
aarch64 | riscv64) _KIT_PAUSE_NRS=' 133 ' _KIT_WAIT_NRS=' 260 95 ' ;;	# (no pause there)
*) _KIT_PAUSE_NRS='' _KIT_WAIT_NRS='' ;;
esac
# _kit_in_syscall PID NRS - PID is blocked in one of the system calls NRS
# (" 34 130 ": their numbers, /proc/PID/syscall's first field); false
# where that cannot be read
_kit_in_syscall() {
	local nr _
	[[ -n $2 ]] || return 1
	{ read -r nr _ <"/proc/$1/syscall"; } 2>/dev/null || return 1
	[[ $2 == *" $nr "* ]]
}
# in_wait PID - PID is blocked in wait4() or waitid(): waiting for a child
# of its to end
in_wait() { _kit_in_syscall "$1" "$_KIT_WAIT_NRS"; }
_kit_all_asleep() {
	local now=${EPOCHREALTIME/[.,]/} pid _ any=''
	_KIT_ASLEEP=''
	[[ -n $_KIT_PAUSE_NRS && -s ${BATS_TEST_TMPDIR-}/.kit-pids ]] || return 1
	(( now >= _KIT_ASLEEP_AT )) || return 1
	_KIT_ASLEEP_AT=$(( now + 500000 ))
	while read -r pid _; do
		[[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid" && { any=1; break; }
	done <"$BATS_TEST_TMPDIR/.kit-pids"
	[[ -n $any ]] || return 1
	# shellcheck disable=SC2046 # a list of pids
	_kit_asleep $(_kit_test_pids)
}

# _kit_todo_said - _KIT_TODO: in the student's check (run-tests
# --first-failing-step exports KIT_TODO_ENDS_WAITS), a process of this test
# said that a step's code is not written yet, "... is not written yet
# (TODO step J)", on the syslog since the test began or on the stderr of a
# program the test started, for a step J no later than the test's own (its
# file's stepK- name; _KIT_STEP): the starter's code of step J never does
# what the wait waits for, so a starter that retries (lab 3's supervisor
# logs it every second) is not waited out.  The grader and the self-test
# run every test to its own end: a test may pass without step J.
# Looked at every 0.5 s at most (grep costs a fork).
_KIT_TODO='' _KIT_TODO_AT=0
_KIT_STEP=''
[[ ${BATS_TEST_FILENAME##*/} =~ ^step([0-9]+)- ]] && _KIT_STEP=${BASH_REMATCH[1]}
_kit_todo_said() {
	local now=${EPOCHREALTIME/[.,]/} said j
	_KIT_TODO=''
	[[ -n ${KIT_TODO_ENDS_WAITS-} && $_KIT_STEP =~ ^[0-9]+$ ]] || return 1
	(( now >= _KIT_TODO_AT )) || return 1
	_KIT_TODO_AT=$(( now + 500000 ))
	said=$({
		[[ -f ${HARNESS_SYSLOG-} ]] && tail -c +"$(( ${_KIT_LOG_FROM:-0} + 1 ))" "$HARNESS_SYSLOG"
		[[ -s ${BATS_TEST_TMPDIR-}/.kit-pids ]] && while read -r _ _ j _; do
			[[ $j != - && -f $j ]] && cat "$j"
		done <"$BATS_TEST_TMPDIR/.kit-pids"
	} 2>/dev/null | grep -m 1 -oE '[^ <>]*[: ]+[^:]*is not written yet \(TODO step [0-9]+[^)]*\)')
	[[ $said =~ TODO\ step\ ([0-9]+) ]] || return 1
	(( BASH_REMATCH[1] <= _KIT_STEP )) || return 1
	_KIT_TODO="${said% }"
	_KIT_TODO="it said '${_KIT_TODO#: }'"
}

# _kit_asleep PID... - every one of them is asleep for good (see above),
# and there is one at least; _KIT_ASLEEP names them
_kit_asleep() {
	local pid _ k v threads cgt comm list=''
	_KIT_ASLEEP=''
	[[ -n $_KIT_PAUSE_NRS ]] || return 1
	for pid in "$@"; do
		_kit_in_syscall "$pid" "$_KIT_PAUSE_NRS" || return 1
		threads='' cgt=''
		while read -r k v _; do
			case $k in
			Threads:) threads=$v ;;
			SigCgt:) cgt=$v ;;
			esac
		done <"/proc/$pid/status" 2>/dev/null
		[[ $threads == 1 && -n $cgt && -z ${cgt//0/} ]] || return 1
		{ read -r comm <"/proc/$pid/comm"; } 2>/dev/null || comm='?'
		list+="${list:+, }$comm (pid $pid)"
	done
	[[ -n $list ]] || return 1
	# (asleep in the same call still: not one that was passing through)
	for pid in "$@"; do
		_kit_in_syscall "$pid" "$_KIT_PAUSE_NRS" || return 1
	done
	_KIT_ASLEEP=$list
}

# _kit_children PID - KIDS_OF: the children of PID (zombies too), read
# from /proc/PID/task/*/children with builtins alone (a wait that polls
# every 20 ms must not fork a ps each time); children_of is ps's view
_kit_children() {
	local f these
	KIDS_OF=()
	for f in /proc/"$1"/task/*/children; do
		these=()	# (the file ends with no newline: read says 1)
		{ read -r -a these <"$f"; } 2>/dev/null || true
		KIDS_OF+=(${these[@]+"${these[@]}"})
	done
}

# _kit_below PID - BELOW: the live processes below PID (its children,
# theirs...), as descendants_of walks them, the shallowest first, but
# through _kit_children, with no fork; none: empty
_kit_below() {
	local p c kids=("$1") i
	BELOW=()
	# (a kernel without /proc/PID/task/TID/children, CONFIG_PROC_CHILDREN:
	# ps's view, the deepest last as here)
	if [[ ! -e /proc/$BASHPID/task/$BASHPID/children ]]; then
		mapfile -t kids < <(descendants_of "$1")
		for (( i = ${#kids[@]} - 1; i >= 0; i-- )); do
			proc_alive "${kids[i]}" && BELOW+=("${kids[i]}")
		done
		return 0
	fi
	while (( ${#kids[@]} )); do
		p=${kids[0]}
		kids=("${kids[@]:1}")
		_kit_children "$p"
		for c in ${KIDS_OF[@]+"${KIDS_OF[@]}"}; do
			kids+=("$c")
			proc_alive "$c" && BELOW+=("$c")
		done
	done
	return 0
}

# _kit_secs MICROSECONDS - _KIT_SECS: in seconds, two decimals (no fork)
_kit_secs() { printf -v _KIT_SECS '%d.%02d' $(( $1 / 1000000 )) $(( $1 % 1000000 / 10000 )); }

# _kit_all_ended - the test started or tracked a process, and every one
# of them has ended (_KIT_ENDED_AT[pid]: when that was first seen)
declare -gA _KIT_ENDED_AT=()
_kit_all_ended() {
	local pid _ any=''
	[[ -s ${BATS_TEST_TMPDIR-}/.kit-pids ]] || return 1
	while read -r pid _; do
		[[ $pid =~ ^[0-9]+$ ]] || continue
		any=1
		proc_alive "$pid" && return 1
		[[ -n ${_KIT_ENDED_AT[$pid]-} ]] || _KIT_ENDED_AT[$pid]=${EPOCHREALTIME/[.,]/}
	done <"$BATS_TEST_TMPDIR/.kit-pids"
	[[ -n $any ]]
}

# _kit_test_procs_left - is any process of the test alive, the harness's
# aside?  (The one found last is looked at first: no ps while it lives.)
_KIT_LEFT=''
_kit_test_procs_left() {
	[[ -n $_KIT_LEFT ]] && proc_alive "$_KIT_LEFT" && return 0
	_KIT_LEFT=$(_kit_test_pids)
	_KIT_LEFT=${_KIT_LEFT%%$'\n'*}
	[[ -n $_KIT_LEFT ]]
}

# fate_of PID - set FATE to how a process the test started (start_bg) or
# tracked ended, and print it: "mydaemon (pid 12) exited with status 1
# after 0.02 s; its stderr: '...'; its last log line: '...'", or "... is
# still running".  The exit status is known for the test's own children,
# and only if fate_of runs in the test's shell (not in $(...)).
fate_of() {
	_kit_fate "$1"
	echo "$FATE"
}
_kit_fate() {
	local pid='' t0='' err=- name='' p a b c st rc=0 how
	# its line of .kit-pids (started and tracked too: the one with its stderr)
	while read -r p a b c; do
		[[ $p == "$1" ]] || continue
		[[ -n $pid && $b == - ]] && continue
		pid=$p t0=$a err=$b name=$c
	done <"$BATS_TEST_TMPDIR/.kit-pids"
	if [[ -z $pid ]]; then
		pid=$1
		{ read -r name <"/proc/$1/comm"; } 2>/dev/null || name="pid $1"
	fi
	if proc_alive "$pid"; then
		FATE="$name (pid $pid) is still running"
		return 0
	fi
	# when it ended: seen by a wait (after), or not (within, an upper bound)
	local when=''
	if [[ $t0 =~ ^[0-9]+$ ]]; then
		if [[ -n ${_KIT_ENDED_AT[$pid]-} ]]; then
			_kit_secs $(( _KIT_ENDED_AT[$pid] - t0 ))
			when=" after $_KIT_SECS s"
		else
			_kit_secs $(( ${EPOCHREALTIME/[.,]/} - t0 ))
			when=" within $_KIT_SECS s of its start"
		fi
	fi
	# (wait: the test's own child only; for another, bash says so)
	how="has ended$when"
	if [[ $BASHPID == "$$" ]]; then
		wait "$pid" 2>"$BATS_TEST_TMPDIR/.kit-wait" || rc=$?
		if ! grep -q 'not a child' "$BATS_TEST_TMPDIR/.kit-wait"; then
			st=$(status_text "$rc")
			if [[ $st == *"(killed by "* ]]; then
				# "was killed by SIGSEGV after 0.02 s (a bad pointer ...)"
				st=${st#*(killed by }
				st=${st%)}
				how="was killed by ${st%%: *}$when"
				[[ $st == *": "* ]] && how+=" (${st#*: })"
			else
				how="exited with status $st$when"
			fi
		fi
	fi
	FATE="$name (pid $pid) $how"
	if [[ $err != - && -s $err ]]; then
		local text=''
		{ read -r -N 300 text <"$err"; } 2>/dev/null || true
		text=${text//$'\n'/ }
		FATE+="; its stderr: '${text% }'"
	fi
	local last
	last=$(grep -F -- " ${name}[$pid]: " "$HARNESS_SYSLOG" 2>/dev/null | tail -n 1)
	[[ -n $last ]] && FATE+="; its last log line: '${last#*"[$pid]: "}'"
	return 0
}

# _kit_fates - _KIT_FATES: how each process the test started or tracked
# ended, "; " between them, the one started last first (most likely the
# one awaited)
_kit_fates() {
	local pid _ seen=' '
	_KIT_FATES=''
	while read -r pid _; do
		[[ $pid =~ ^[0-9]+$ && $seen != *" $pid "* ]] || continue
		seen+="$pid "
		_kit_fate "$pid"
		_KIT_FATES+="${_KIT_FATES:+; }$FATE"
	done < <(tac "$BATS_TEST_TMPDIR/.kit-pids" 2>/dev/null)
}

# --- processes -------------------------------------------------------------

# proc_state, proc_alive, proc_gone, descendants_of: lib/common.bash

# proc_status PID KEY - a field of /proc/PID/status (Umask, SigIgn, PPid, ...)
proc_status() {
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null
}

proc_cwd() { readlink "/proc/$1/cwd"; }

# sig_bit MASK SIGNAL - is SIGNAL's bit set in a /proc mask (SigIgn, SigBlk)?
sig_bit() {
	local n
	n=$(kill -l "$2") || return 2
	(( (16#$1 >> (n - 1)) & 1 ))
}

# proc_fds PID - one line per open fd: "FD TARGET"
proc_fds() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[[ -e $fd || -L $fd ]] || continue
		printf '%s %s\n' "${fd##*/}" "$(readlink "$fd")"
	done
}

# pids_named NAME - the pids of this run's processes called NAME: all of
# them in the sandbox's own PID namespace; in fallback, only those below
# the reaper (the host's are not ours)
pids_named() {
	local p q
	for p in $(pgrep -x -- "$1"); do
		if [[ $HARNESS_SANDBOX != fallback ]]; then echo "$p"; continue; fi
		for (( q = p; q > 1; q = $(ps_field "$q" ppid || echo 0) )); do
			[[ $q == "$HARNESS_REAPER_PID" ]] && { echo "$p"; break; }
		done
	done
}

# ps_field PID FIELD - one ps column (pid ppid pgid sid tty stat comm ...)
ps_field() {
	local v
	v=$(ps -o "$2=" -p "$1" 2>/dev/null)
	echo "${v//[[:space:]]/}"
}

# children_of PID - the pids whose parent is PID, one a line
children_of() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '
}

# ps_snapshot - the processes of the test: those the test started, and
# orphans (daemons) - not bats and the harness itself
ps_snapshot() { _kit_ps; }
# _kit_test_pids - the pids of the test's processes that are alive (not
# zombies), one a line: what ps_snapshot shows
_kit_test_pids() { _kit_ps pids; }
_kit_ps() {
	ps -e -o pid=,ppid=,pgid=,sid=,tty=,stat=,args= 2>/dev/null |
		awk -v top=$$ -v orphan="$ORPHAN_PPID" -v watchdog="sleep ${BATS_TEST_TIMEOUT:-none}" -v mode="${1-}" '
		{ pid = $1; ppid[pid] = $2; line[pid] = $0; n[++count] = pid; stat[pid] = $6
		  args = $0; for (k = 0; k < 6; k++) sub(/^ *[^ ]+/, "", args)
		  sub(/^ +/, "", args); cmd[pid] = args }
		function harness(p) {
			return p == 1 || cmd[p] ~ /bats-core\/|syslogcap|^ps -e -o pid=|^awk -v top=/ ||
			    (cmd[p] == watchdog && cmd[ppid[p]] ~ /bats-core\//)
		}
		function ours(p,   q) {
			for (q = p; q > 1; q = ppid[q]) if (q == top) return 1
			return ppid[p] == orphan
		}
		END {
			if (mode == "pids") {
				for (i = 1; i <= count; i++) {
					p = n[i]
					if (p != top && !harness(p) && ours(p) && stat[p] !~ /^[ZX]/) print p
				}
				exit
			}
			printf "%7s %7s %7s %7s %-8s %-5s %s\n", "PID", "PPID", "PGID", "SID", "TTY", "STAT", "COMMAND"
			for (i = 1; i <= count; i++) {
				p = n[i]
				if (harness(p) || !ours(p)) continue
				split(line[p], f, " ")
				printf "%7s %7s %7s %7s %-8s %-5s %s\n", f[1], f[2], f[3], f[4], f[5], f[6], substr(cmd[p], 1, 100)
			}
		}'
}

# --- syslog ----------------------------------------------------------------

_syslog_facilities=(kern user mail daemon auth syslog lpr news uucp cron
	authpriv ftp 12 13 14 15 local0 local1 local2 local3 local4 local5
	local6 local7)
_syslog_levels=(emerg alert crit err warning notice info debug)

# syslog_parse LINE - split a captured line "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MSG"
# into SYSLOG_PRI SYSLOG_FACILITY SYSLOG_LEVEL SYSLOG_IDENT SYSLOG_PID SYSLOG_MSG
syslog_parse() {
	local re='^<([0-9]+)>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} ([^[:space:]]+): (.*)$'
	local tag
	SYSLOG_LINE=$1 SYSLOG_PRI='' SYSLOG_FACILITY='' SYSLOG_LEVEL=''
	SYSLOG_IDENT='' SYSLOG_PID='' SYSLOG_MSG=
	[[ $1 =~ $re ]] || return 1
	SYSLOG_PRI=${BASH_REMATCH[1]}
	tag=${BASH_REMATCH[2]}
	SYSLOG_MSG=${BASH_REMATCH[3]}
	SYSLOG_FACILITY=${_syslog_facilities[SYSLOG_PRI >> 3]:-$((SYSLOG_PRI >> 3))}
	SYSLOG_LEVEL=${_syslog_levels[SYSLOG_PRI & 7]}
	if [[ $tag =~ ^(.*)\[([0-9]+)\]$ ]]; then
		SYSLOG_IDENT=${BASH_REMATCH[1]} SYSLOG_PID=${BASH_REMATCH[2]}
	else
		SYSLOG_IDENT=$tag
	fi
}

# syslog_clean IDENT... - every line each IDENT logged since the test
# began is at facility daemon, and none at err or worse: what a daemon's
# normal run logs (an error there is noise an operator learns to ignore)
syslog_clean() {
	local line bad='' id
	syslog_sync
	while IFS= read -r line; do
		syslog_parse "$line" || continue
		for id in "$@"; do [[ $SYSLOG_IDENT == "$id" ]] && break; done
		[[ $SYSLOG_IDENT == "$id" ]] || continue
		if [[ $SYSLOG_FACILITY != daemon ]]; then
			bad="facility $SYSLOG_FACILITY (<$SYSLOG_PRI> is $SYSLOG_FACILITY.$SYSLOG_LEVEL) in '$line'"
		elif (( (SYSLOG_PRI & 7) <= 3 )); then
			bad="level $SYSLOG_LEVEL in a normal run: '$line'"
		fi
		[[ -z $bad ]] || break
	done < <(tail -c +"$(( ${_KIT_LOG_FROM:-0} + 1 ))" "$HARNESS_SYSLOG" 2>/dev/null)
	[[ -z $bad ]] ||
		explain "every line of $* at facility daemon (openlog(..., LOG_DAEMON)), none at err or worse: nothing went wrong" \
			"$bad" "notes/01-sessions.md#syslog"
}

# syslog_lines [IDENT [PID]] - the captured lines, or those of IDENT (and PID)
syslog_lines() {
	local f=$HARNESS_SYSLOG
	[[ -f $f ]] || return 0
	if [[ $# -eq 0 ]]; then cat "$f"; return 0; fi
	local tag="$1"
	[[ -n ${2-} ]] && tag="$1[$2]"
	grep -F -- " $tag: " "$f" || true
}

# _syslog_find IDENT PID REGEX - the first captured line of IDENT[PID] whose
# message matches REGEX (PID "" or "*": any pid), parsed into SYSLOG_*
_KIT_SYSLOG_NONE=''
_syslog_find() {
	local line key=$1 seen='' ask="$BASHPID $*"
	# a question that found nothing, asked again of a capture not written
	# to since: nothing again, no grep (a wait asks every 20 ms).  The
	# mark (this process's own) is made before the look: a line written
	# during it, or in the same clock tick, leaves the capture no older
	if [[ -n ${BATS_TEST_TMPDIR-} ]]; then
		seen=$BATS_TEST_TMPDIR/.syslog-looked.$BASHPID
		[[ $_KIT_SYSLOG_NONE == "$ask" && $HARNESS_SYSLOG -ot $seen ]] && return 1
		: >"$seen" 2>/dev/null || seen=''
	fi
	_KIT_SYSLOG_NONE=''
	# grep first: a server's log can hold thousands of lines, too many to
	# parse in bash at every look
	[[ -z $2 || $2 == '*' ]] || key="$1[$2]:"
	while IFS= read -r line; do
		syslog_parse "$line" || continue
		[[ $SYSLOG_IDENT == "$1" ]] || continue
		[[ -z $2 || $2 == '*' || $SYSLOG_PID == "$2" ]] || continue
		[[ $SYSLOG_MSG =~ $3 ]] && return 0
	done < <(grep -F -e "$key" "$HARNESS_SYSLOG" 2>/dev/null)
	[[ -z $seen ]] || _KIT_SYSLOG_NONE=$ask
	return 1
}

# syslog_sync - return once every message sent to the log so far is in
# HARNESS_SYSLOG: send a token after them and wait for the capture to
# reach it (a datagram socket keeps the order).  For a program that has
# exited, this replaces guessing how long to wait.  (Its wait is -W: it
# waits for the harness, and leaves the test's WAIT_WHY alone.)
syslog_sync() {
	local sock=${HARNESS_SYSLOG_SOCK:-/dev/log} token=$$.$RANDOM.$SECONDS
	printf 'kit-sync:%s' "$token" | socat -u - "UNIX-SENDTO:$sock" ||
		explain "the syslog socket $sock takes a datagram" "socat could not write to it" \
			"nothing of yours: the harness is broken (report it)"
	wait_until -q -W "the syslog capture to catch up" _syslog_synced "$token" ||
		explain "the syslog capture (syslogcap) to catch up within ${KIT_DEADLINE} s" \
			"it did not: $(tail -c 200 "$HARNESS_SYSLOG.sync" 2>/dev/null)" \
			"nothing of yours: the harness is broken (report it)"
}
_syslog_synced() { slurp "$HARNESS_SYSLOG.sync"; [[ ${SLURP%$'\n'} == "$1" ]]; }

# syslog_find IDENT PID REGEX - after syslog_sync, is there such a line?
# (for a program that has exited: nothing more will come from it)
syslog_find() {
	syslog_sync
	_syslog_find "$@"
}

# syslog_wait [-t SECONDS] IDENT PID REGEX - wait until IDENT[PID] logs a
# message matching REGEX; the line is then in SYSLOG_* (see syslog_parse).
# The wait ends early if PID logs, but never as IDENT: under a name that
# is no program's (openlog's ident), it never will (seed bug 9's "this is
# my daemonize process:" cost each test its whole deadline)
syslog_wait() {
	local t=$KIT_DEADLINE
	if [[ $1 == -t ]]; then t=$2; shift 2; fi
	_KIT_OTHER_AT=0
	wait_until -q -t "$t" "a syslog line '$1[$2]: ...$3...'" _syslog_wait_for "$@"
}
_KIT_OTHER_AT=0 _KIT_IMPOSSIBLE=
_syslog_wait_for() {
	local now
	_syslog_find "$@" && return 0
	[[ $2 =~ ^[0-9]+$ ]] || return 1
	# (a grep: every 0.5 s at most)
	now=${EPOCHREALTIME/[.,]/}
	(( now >= _KIT_OTHER_AT )) || return 1
	_KIT_OTHER_AT=$(( now + 500000 ))
	_syslog_other_ident "$1" "$2" || return 1
	_KIT_IMPOSSIBLE="pid $2 logs as '${_KIT_OTHER_IDENT}[$2]', not as '${1}[$2]': the ident is openlog's first argument, and the log is searched by it"
	return 1
}
# _syslog_other_ident IDENT PID - since the test began, PID has logged,
# never as IDENT, and the name it logged under (_KIT_OTHER_IDENT) is no
# program's on PATH: not a child of another program that logged before
# its exec, with its parent's name.  (The name is what is between the time
# and the line's first "]: ", when that is "[PID]: ": an ident may hold
# spaces, which syslog_parse does not take, and a message may name
# another "x[PID]: ".)
_syslog_other_ident() {
	local line tag re='^<[0-9]+>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} (.*)$' seen=''
	_KIT_OTHER_IDENT=''
	[[ -f ${HARNESS_SYSLOG-} ]] || return 1
	while IFS= read -r line; do
		[[ $line =~ $re && ${BASH_REMATCH[1]} == *']: '* ]] || continue
		tag=${BASH_REMATCH[1]%%']: '*}
		[[ $tag == *"[$2" ]] || continue
		tag=${tag%"[$2"}
		[[ $tag == "$1" ]] && return 1
		seen=$tag
	done < <(tail -c +"$(( ${_KIT_LOG_FROM:-0} + 1 ))" "$HARNESS_SYSLOG" 2>/dev/null | grep -F -e "[$2]: ")
	[[ -n $seen ]] || return 1
	type -P -- "$seen" >/dev/null 2>&1 && return 1
	_KIT_OTHER_IDENT=$seen
}

# --- network ---------------------------------------------------------------

# tcp_exchange PORT [HOST] - connect, send stdin, half-close (shutdown
# SHUT_WR), print every byte that comes back until the server closes.
# HOST: 127.0.0.1 by default; an IPv6 address (::1) as it is.
tcp_exchange() {
	local to="TCP:${2:-127.0.0.1}:$1"
	[[ ${2-} == *:* ]] && to="TCP6:[$2]:$1"
	timeout -k 1 "$KIT_CMD_TIMEOUT" socat -t 5 -T "$KIT_CMD_TIMEOUT" - "$to"
}

# has_ipv6_loopback - true when this sandbox's loopback has ::1 (IPv6 is
# on; a kernel or a container may have it off)
has_ipv6_loopback() {
	grep -qE '^0{31}1 .* lo$' /proc/net/if_inet6 2>/dev/null
}

# port_listening PORT - true while something listens on TCP PORT
port_listening() {
	[[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
}

# --- terminals ---------------------------------------------------------------

# run_pty CMD... - run CMD with a pseudo-terminal as its controlling
# terminal (script(1) makes one), with a time limit; its output, without
# the \r, is on stdout
run_pty() {
	local cmd
	printf -v cmd '%q ' "$@"
	bounded script -qec "$cmd" /dev/null </dev/null | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# --- sandbox kinds -------------------------------------------------------------

require_pid_namespace() {
	[[ $HARNESS_SANDBOX != fallback ]] ||
		skip "needs the sandbox's own PID namespace, which this machine cannot make (see the note at the top of the run)"
}
require_private_net() {
	[[ $HARNESS_SANDBOX != fallback ]] ||
		skip "needs the sandbox's own network namespace, which this machine cannot make"
}

# status_text [STATUS] - an exit status ($status by default) in words:
# "124 (still running after 20 s: stopped by the test's time limit)",
# "139 (killed by SIGSEGV: a bad pointer ...)"
status_text() {
	local s=${1:-${status:-?}} sig name
	case $s in
	124)
		if [[ -s ${BATS_TEST_TMPDIR-}/.bounded.stuck ]]; then
			echo "$s (stopped by the test: $(<"$BATS_TEST_TMPDIR/.bounded.stuck"))"
		elif [[ -s ${BATS_TEST_TMPDIR-}/.bounded.asleep ]]; then
			echo "$s (stopped by the test: $(<"$BATS_TEST_TMPDIR/.bounded.asleep") asleep in pause() or sigsuspend() with no signal handler installed, so it would never have ended)"
		else
			echo "$s (still running after ${KIT_CMD_TIMEOUT} s: stopped by the test's time limit)"
		fi ;;
	137) echo "$s (killed by SIGKILL: still running after ${KIT_CMD_TIMEOUT} s and stopped by the test's time limit, or killed by a limit of the sandbox or by the test)" ;;
	129 | 1[3-9][0-9] | 2[0-5][0-9])
		sig=$((s - 128))
		name=$(kill -l "$sig" 2>/dev/null) && name=SIG$name || name="signal $sig"
		echo "$s (killed by $name$(_kit_signal_cause "$name"))"
		;;
	*) echo "$s" ;;
	esac
}
# _kit_signal_cause SIGNAME - ": what usually sends it", where it is known
_kit_signal_cause() {
	case $1 in
	SIGSEGV) echo ": a bad pointer: a NULL or freed one, an array overrun, a format string from the user (printf(msg)); valgrind or gdb shows the line" ;;
	SIGBUS) echo ": a bad memory access (a file mapped past its end, a misaligned pointer)" ;;
	SIGABRT) echo ": abort(), an assert() that failed, or the C library found the heap corrupted (a double free, an overrun)" ;;
	SIGFPE) echo ": an arithmetic error: a division by zero" ;;
	SIGILL) echo ": an illegal instruction: a corrupted stack or function pointer" ;;
	SIGPIPE) echo ": a write to a pipe or socket whose reader has gone (ignore SIGPIPE and handle EPIPE)" ;;
	SIGXFSZ) echo ": it wrote a file up to the sandbox's 64 MiB limit (writes without end?)" ;;
	SIGXCPU) echo ": it used the sandbox's CPU time limit (a busy loop?)" ;;
	esac
}

# --- failing so that the student learns something -------------------------------

# explain EXPECTED SEEN READ - fail the test with what was expected, what
# was seen and which notes section to read, then the process table and the
# end of the captured syslog.  A wait that ended early because everything
# the test ran had ended (WAIT_WHY) is what was seen, SEEN after it; a
# program the test started that has ended badly (a non-zero status, a
# signal) is named under it.
explain() {
	local msg seen=$2 snap
	if [[ -n ${WAIT_WHY-} ]]; then
		seen="$WAIT_WHY${2:+$'\n'"and: $2"}"
		WAIT_WHY=''
	else
		_kit_bad_ends "$2"
		[[ -n $_KIT_BAD ]] && seen="${seen:+$seen$'\n'}$_KIT_BAD"
	fi
	# (a test's "what it saw" may be empty: an empty log, no output)
	[[ -n $seen ]] || seen='nothing'
	_kit_read_in_lang "$3"
	msg=$(printf 'expected: %s\nseen:     %s\nread:     %s\n' "$1" "${seen//$'\n'/$'\n'          }" "$_KIT_READ")
	snap=$(ps_snapshot)
	[[ $snap == *$'\n'* ]] || snap+=$'\n'"  (none)"
	msg+=$'\n\n'"processes of the test now:"$'\n'"  ${snap//$'\n'/$'\n'  }"
	if [[ -s ${HARNESS_SYSLOG-} ]]; then
		snap=$(tail -n 8 "$HARNESS_SYSLOG")
		msg+=$'\n\n'"last syslog lines:"$'\n'"  ${snap//$'\n'/$'\n'  }"
	else
		msg+=$'\n\n'"syslog: nothing was logged"
	fi
	fail "$msg"
}

# _kit_read_in_lang READ - _KIT_READ: READ (notes/NN-x.md#anchor, a handout)
# in the student's language: the Chinese edition where run-tests said
# KIT_LANG=zh and the kit has it (the anchors are the same in both)
_kit_read_in_lang() {
	_KIT_READ=$1
	[[ ${KIT_LANG-} == zh ]] || return 0
	local path=${1%%[#, ]*} zh
	case $path in
	notes/zh/*) return 0 ;;
	notes/*.md) zh=notes/zh/${path#notes/} ;;
	labs/*/README.md) zh=${path%README.md}README.zh.md ;;
	*) return 0 ;;
	esac
	[[ -f $KIT_ROOT/$zh ]] && _KIT_READ=$zh${1#"$path"}
	return 0
}

# _kit_bad_ends SEEN - _KIT_BAD: the programs the test started (start_bg)
# that have ended with a status other than 0, or by a signal, a line each
# (not one SEEN already names: "(pid N)")
_kit_bad_ends() {
	local pid _ err seen=' '
	_KIT_BAD=''
	[[ $BASHPID == "$$" ]] || return 0
	while read -r pid _ err _; do
		[[ $pid =~ ^[0-9]+$ && $err != - && $seen != *" $pid "* ]] || continue
		[[ ${1-} != *"(pid $pid)"* ]] || continue
		seen+="$pid "
		proc_alive "$pid" && continue
		_kit_fate "$pid"
		[[ $FATE == *" exited with status 0"* || $FATE == *" has ended"* ]] && continue
		_KIT_BAD+="${_KIT_BAD:+$'\n'}(ended: $FATE)"
	done < <(tac "$BATS_TEST_TMPDIR/.kit-pids" 2>/dev/null)
}

# run [-N] ... - Bats' run; with -N, an exit status other than N fails
# the test through explain (the status in words, a crash by its signal,
# the output), not with Bats' bare "expected exit code" that the report
# leaves out.  Everything else is Bats' own run.
if declare -F run >/dev/null && ! declare -F _kit_bats_run >/dev/null; then
	_kit_fn_text run
	eval "_kit_bats_run () ${_KIT_FN#*$'\n'}"
	run() {
		local want='' cmd
		if [[ ${1-} =~ ^-[0-9]+$ ]]; then
			want=${1#-}
			shift
		fi
		_kit_bats_run "$@"
		[[ -z $want ]] && return 0
		(( status == want )) && return 0
		local sep=''
		while [[ ${1-} == --* ]]; do
			[[ $1 == -- ]] && { shift; break; }
			[[ $1 == --separate-stderr ]] && sep=1
			shift
		done
		[[ ${1-} == bounded ]] && shift
		local a
		cmd=''
		for a in "$@"; do	# (as typed: 'two words', not two\ words)
			[[ $a =~ ^[][A-Za-z0-9_./:=@%+,-]+$ ]] || a="'${a//\'/\'\\\'\'}'"
			cmd+="$a "
		done
		local out=${output-} err=''
		[[ -n $sep ]] && err=${stderr-}
		(( ${#out} > 600 )) && out="${out:0:600}..."
		(( ${#err} > 600 )) && err="${err:0:600}..."
		[[ -n $err ]] && err="; stderr: '$err'"
		explain "exit status $want from: ${cmd% }" \
			"exit $(status_text "$status"); output: '$out'$err" \
			"${NOTES:-the handout of the lab (labs/*/README.md)}"
	}
fi
