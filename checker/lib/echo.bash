# echo.bash - what the tests of the echo-server labs (4 and 5) share;
# a lab's helper loads it after kit.bash:
#   load '../../../checker/lib/echo'
# It expects NOTES (the lab's notes) to be set by the lab's helper.
#
#   start_server PROG ARGS...   start a server, wait until $PORT listens (SERVER)
#   load_ok WHAT READ ARGS...   echoload -p $PORT ARGS must succeed
#   hold ARGS...                echoload -h in the background (HOLDER)
#   spins PID                   true if PID and its descendants spin for a second (SPIN_SEEN)
#   lowest_free_fd PID / fd_targets PID / fd_count PID
#   exited_with PID             wait for a background PID to end; RC
# shellcheck disable=SC2034 # the variables set here are for the tests

# echoload, the tests' own client (checker/tools/echoload.c)
PATH=$PATH:$HARNESS_TOOLS

# start_server PROG ARGS... - start the server in the background (SERVER
# is its pid) and wait until $PORT listens, or explain why not
start_server() {
	start_bg "$@"
	SERVER=$BG_PID
	wait_until -q "$1 to listen on port $PORT" _listening_or_gone || true
	proc_alive "$SERVER" && port_listening "$PORT" && return 0
	if proc_alive "$SERVER"; then
		explain "$* listening on port $PORT" "it runs, but nothing listens on port $PORT" \
			"$NOTES#listening"
	fi
	local why=''
	grep -q 'Address already in use' "$BG_ERR" &&
		why=" (an earlier test's connections hold the port: SO_REUSEADDR, step 1)"
	_kit_fate "$SERVER"	# (FATE: its exit status or signal, its stderr, its last log line)
	explain "$* listening on port $PORT" "it ended at once: $FATE$why" "$NOTES#listening"
}
_listening_or_gone() { port_listening "$PORT" || proc_gone "$SERVER"; }

# (status, output: set by bats' run)
# shellcheck disable=SC2154
# load_ok WHAT READ ARGS... - run `echoload -p $PORT ARGS` (the tests'
# client: it checks every byte that comes back); it must succeed
load_ok() {
	local what=$1 read=$2
	shift 2
	run bounded echoload -p "$PORT" "$@"
	(( status == 0 )) ||
		explain "$what" "echoload $*: ${output:-nothing} (exit $(status_text))" "$read"
}

# hold ARGS... - start `echoload -p $PORT -h ARGS` in the background: it
# connects, echoes, then holds its connections open (HOLDER is its pid,
# LOCAL_PORTS their local ports) until SIGTERM
hold() {
	start_bg -o "$BATS_TEST_TMPDIR/hold.out" echoload -p "$PORT" -h -t 60 "$@"
	HOLDER=$BG_PID
	wait_until "the client (echoload -h $*) to hold its connections" _holding_or_gone || true
	if ! _holding; then
		local seen
		seen=$(cat "$BATS_TEST_TMPDIR/hold.out" "$BG_ERR")
		# (ended: its exit status says why, a crash by its signal)
		proc_gone "$HOLDER" && _kit_fate "$HOLDER" && seen="$FATE; its output: '$seen'"
		explain "every connection of 'echoload -h $*' made (and echoed), then held open" \
			"$seen" "$NOTES"
	fi
	LOCAL_PORTS=$(sed -n 's/^local 127\.0\.0\.1://p' "$BATS_TEST_TMPDIR/hold.out")
}
_holding() { grep -q '^holding' "$BATS_TEST_TMPDIR/hold.out"; }
# (echoload that has exited will never hold anything: no need to wait on)
_holding_or_gone() { _holding || proc_gone "$HOLDER"; }

# _spin_stat PID - from /proc/PID/stat, with no fork: SPIN_STATE (R:
# running or waiting for a core) and SPIN_TICKS (user + system CPU time,
# in ticks: fields 14 and 15); false if PID is gone
_spin_stat() {
	local f
	_proc_stat "$1"
	[[ -n $PROC_STATE ]] || return 1
	read -r -a f <<<"$PROC_FIELDS"
	SPIN_STATE=$PROC_STATE SPIN_TICKS=$((f[11] + f[12]))
}
# a process blocked in sendto or sendmsg (to any socket): a loop that logs
# every turn waits there whenever the syslog's reader lags (a datagram
# socket takes no more once more than 10 messages wait).  The callers
# watch servers that send nothing else that could block: lab 4's with no
# child serving a client, lab 5's (non-blocking sockets)
case $HOSTTYPE in
x86_64) _SPIN_SEND_NRS=' 44 46 ' ;;
aarch64 | riscv64) _SPIN_SEND_NRS=' 206 211 ' ;;
*) _SPIN_SEND_NRS='' ;;
esac

# spins PID - watch PID and its descendants for a second; true if they
# spin: they use 10 CPU ticks (0.1 s) or more, or at 15 or more of 20
# looks one of them is found busy (running, waiting for a core, or
# blocked sending to the syslog).  The processes looked at are those of
# the start; the CPU time counts those that came since too.  A server that sleeps until it has work (or
# pauses 100 ms between tries) shows 0 ticks, and busy at 0-5 looks even
# with 30 other sessions spinning; a busy loop shows 30-100 ticks on an
# idle machine, and 20 looks on that loaded one.  The looks matter there:
# a busy loop waits its turn for a core and may get fewer than 10 ticks
# in the second (30-90 ms were seen), but it is never found asleep.  SPIN_SEEN says what was
# measured, for a message
spins() {
	local -A t0=()
	local -a pids
	local p i start busy=0 looks=20 ticks=0
	# shellcheck disable=SC2207 # one pid a word
	pids=("$1" $(descendants_of "$1"))
	for p in "${pids[@]}"; do
		if _spin_stat "$p"; then t0[$p]=$SPIN_TICKS; fi
	done
	start=${EPOCHREALTIME/[.,]/}
	for (( i = 0; i < looks; i++ )); do
		# 30-70 ms apart, at random: looks in step with a server's own
		# timer would find it at the same moment of its cycle each time
		nap "0.0$((30 + RANDOM % 41))"	# a measurement, not a wait
		for p in "${pids[@]}"; do
			if { _spin_stat "$p" && [[ $SPIN_STATE == R ]]; } || _kit_in_syscall "$p" "$_SPIN_SEND_NRS"; then
				busy=$((busy + 1))
				break
			fi
		done
	done
	# the CPU time since the start: of the processes there then (those
	# still there), and the whole of any that came since
	# shellcheck disable=SC2046 # one pid a word
	for p in "$1" $(descendants_of "$1"); do
		if _spin_stat "$p"; then ticks=$((ticks + SPIN_TICKS - ${t0[$p]:-0})); fi
	done
	local ds=$(( (${EPOCHREALTIME/[.,]/} - start + 50000) / 100000 ))	# tenths of a second, rounded
	SPIN_SEEN="$((ticks * 10)) ms of CPU time in $((ds / 10)).$((ds % 10)) s; busy (running, waiting for a core or sending to the syslog) at $busy of $looks looks"
	(( ticks >= 10 || busy * 4 >= looks * 3 ))
}

# lowest_free_fd PID - the fd number its next open file would get
lowest_free_fd() {
	local n=0
	while [[ -e /proc/$1/fd/$n ]]; do n=$((n + 1)); done
	echo "$n"
}

# fd_targets PID - what each open fd of PID leads to (socket:[INODE], ...)
fd_targets() {
	local f
	for f in "/proc/$1/fd"/*; do readlink "$f" 2>/dev/null; done
	return 0
}
fd_count() { _fd_n "$1"; echo "$FD_N"; }
# _fd_n PID - FD_N: fd_count's number, with no fork (a wait polls it)
_fd_n() {
	local f
	FD_N=0
	for f in "/proc/$1/fd/"*; do
		[[ -L $f ]] && (( ++FD_N ))
	done
	return 0
}

# exited_with PID - wait until our background PID ends; its exit status
# is then in RC
exited_with() {
	RC=0
	wait_until "pid $1 to exit" proc_gone "$1" || return 1
	wait "$1" || RC=$?
}
