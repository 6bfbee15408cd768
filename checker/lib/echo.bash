# echo.bash - what the tests of the echo-server labs (4 and 5) share;
# a lab's helper loads it after kit.bash:
#   load '../../../checker/lib/echo'
# It expects NOTES (the lab's notes) to be set by the lab's helper.
#
#   start_server PROG ARGS...   start a server, wait until $PORT listens (SERVER)
#   load_ok WHAT READ ARGS...   echoload -p $PORT ARGS must succeed
#   hold ARGS...                echoload -h in the background (HOLDER)
#   cpu_ticks PID...            user + system CPU time, in ticks
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

# cpu_ticks PID... - user + system CPU time of the processes, in ticks
cpu_ticks() {
	local p sum=0 f
	for p in "$@"; do
		f=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue
		read -r -a f <<<"$f"
		sum=$((sum + f[11] + f[12]))	# fields 14 and 15 of stat
	done
	echo "$sum"
}

# spins PID - watch PID and its descendants for a second; true if they
# spin: 10 CPU ticks (0.1 s) or more, or found running or waiting for a
# core (state R) at half of 20 looks or more.  A process that sleeps until
# it has work shows 0-1 ticks and 0 looks; a busy loop 30-100 ticks and
# 20 looks.  The looks matter on a loaded machine: there a busy loop waits
# its turn for a core and may get fewer than 10 ticks in the second, but
# it is never found asleep.  SPIN_SEEN says what was measured, for a
# message
spins() {
	local pids p line state before after i running=0 looks=20
	# shellcheck disable=SC2207 # one pid a word
	pids=("$1" $(descendants_of "$1"))
	before=$(cpu_ticks "${pids[@]}")
	for (( i = 0; i < looks; i++ )); do
		nap 0.05	# a measurement, not a wait: the looks are spread over the second
		for p in "${pids[@]}"; do
			read -r line 2>/dev/null <"/proc/$p/stat" || continue
			state=${line##*) }
			if [[ $state == R* ]]; then
				running=$((running + 1))
				break
			fi
		done
	done
	# shellcheck disable=SC2046 # one pid a word
	after=$(cpu_ticks "$1" $(descendants_of "$1"))
	local ticks=$((after - before))
	SPIN_SEEN="$((ticks * 10)) ms of CPU time in 1 s; running or waiting for a core at $running of $looks looks"
	(( ticks >= 10 || running * 2 >= looks ))
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
