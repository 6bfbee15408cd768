# forkserver.bash - what the tests of lab 4 share (loaded after kit.bash).
# shellcheck disable=SC2034 # the variables set here are for the tests

NOTES=notes/04-fork-server.md
HANDOUT=labs/04-fork-server/README.md
# echoload, the tests' own client (checker/tools/echoload.c)
PATH=$PATH:$HARNESS_TOOLS

# serve [OPTIONS] - start `forkserver -p $PORT OPTIONS` in the background
# (SERVER is its pid) and wait until the port listens
serve() {
	start_bg forkserver -p "$PORT" "$@"
	SERVER=$BG_PID
	wait_until -q "forkserver to listen on port $PORT" _listening_or_gone || true
	proc_alive "$SERVER" && port_listening "$PORT" && return 0
	if proc_alive "$SERVER"; then
		explain "forkserver -p $PORT${*:+ $*} listening on port $PORT" \
			"it runs, but nothing listens on port $PORT" "$NOTES#listening"
	fi
	local why=''
	grep -q 'Address already in use' "$BG_ERR" &&
		why=" (an earlier test's connections hold the port: SO_REUSEADDR, step 1)"
	explain "forkserver -p $PORT${*:+ $*} listening on port $PORT" \
		"it exited at once: '$(head -c 300 "$BG_ERR")'$why" "$NOTES#listening"
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
	wait_until "the client (echoload -h $*) to hold its connections" \
		grep -q '^holding' "$BATS_TEST_TMPDIR/hold.out" ||
		explain "every connection of 'echoload -h $*' echoed, then held open" \
			"$(cat "$BATS_TEST_TMPDIR/hold.out" "$BG_ERR")" "$NOTES#one-child-per-connection"
	LOCAL_PORTS=$(sed -n 's/^local 127\.0\.0\.1://p' "$BATS_TEST_TMPDIR/hold.out")
}

# kids - the server's children, one pid a line
kids() { children_of "$SERVER"; }
has_kids() { (( $(kids | grep -c .) >= $1 )); }
wait_kids() {
	wait_until "forkserver to have $1 child(ren)" has_kids "$1" ||
		explain "$1 child(ren) of forkserver ($SERVER), one per connection" \
			"children: $(kids | tr '\n' ' ')" "$NOTES#one-child-per-connection"
}

# zombies - the server's children in state Z
zombies() {
	local k
	for k in $(kids); do [[ $(proc_state "$k") == Z ]] && echo "$k"; done
	return 0
}
no_zombies() { [[ -z $(zombies) ]]; }
all_zombies() { [[ -n $(kids) && -z $(for k in $(kids); do [[ $(proc_state "$k") == Z ]] || echo "$k"; done) ]]; }

# fd_targets PID - what each open fd of PID leads to (socket:[INODE], ...)
fd_targets() {
	local f
	for f in "/proc/$1/fd"/*; do readlink "$f" 2>/dev/null; done
	return 0
}
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# lowest_free_fd PID - the fd number its next open file would get
lowest_free_fd() {
	local n=0
	while [[ -e /proc/$1/fd/$n ]]; do n=$((n + 1)); done
	echo "$n"
}

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

# exited_with PID - wait until our background PID ends; its exit status
# is then in RC
exited_with() {
	RC=0
	wait_until "pid $1 to exit" proc_gone "$1" || return 1
	wait "$1" || RC=$?
}

# last_exit - wait for the server's next "child N exited/killed" line
child_exit_line() {
	syslog_wait forkserver "$SERVER" "^child $1 (exited|killed)" ||
		explain "a line 'child $1 exited with status N' (or 'killed by signal N') from forkserver" \
			"$(syslog_lines forkserver | tail -n 3)" "$NOTES#logging-exits"
}
