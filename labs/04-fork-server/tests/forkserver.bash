# forkserver.bash - what the tests of lab 4 share (loaded after kit.bash).
# shellcheck disable=SC2034 # the variables set here are for the tests

NOTES=notes/04-fork-server.md
HANDOUT=labs/04-fork-server/README.md
load "$KIT_ROOT/checker/lib/echo"	# load_ok, hold, spins, ...

# serve [OPTIONS] - start `forkserver -p $PORT OPTIONS` in the background
# (SERVER is its pid) and wait until the port listens
serve() { start_server forkserver -p "$PORT" "$@"; }

# kid_states - KIDS: the server's children; ZOMBIES: those of them in
# state Z.  Read from /proc with builtins alone: the waits poll a hundred
# children every 20 ms, and a fork per child (ps, cat) on a loaded
# machine made a test outlast its time limit.
kid_states() {
	local k stat
	_kit_children "$SERVER"
	KIDS=(${KIDS_OF[@]+"${KIDS_OF[@]}"}) ZOMBIES=()
	for k in ${KIDS[@]+"${KIDS[@]}"}; do
		{ read -r stat <"/proc/$k/stat"; } 2>/dev/null || continue
		stat=${stat##*) }
		[[ ${stat:0:1} == Z ]] && ZOMBIES+=("$k")
	done
	return 0
}

# kids - the server's children, one pid a line
kids() { kid_states; (( ${#KIDS[@]} == 0 )) || printf '%s\n' "${KIDS[@]}"; }
has_kids() { kid_states; (( ${#KIDS[@]} >= $1 )); }
wait_kids() {
	wait_until "forkserver to have $1 child(ren)" has_kids "$1" ||
		explain "$1 child(ren) of forkserver ($SERVER), one per connection" \
			"children: $(kids | tr '\n' ' ')" "$NOTES#one-child-per-connection"
}

# zombies - the server's children in state Z, one pid a line
zombies() { kid_states; (( ${#ZOMBIES[@]} == 0 )) || printf '%s\n' "${ZOMBIES[@]}"; }
no_zombies() { kid_states; (( ${#ZOMBIES[@]} == 0 )); }
all_zombies() { kid_states; (( ${#KIDS[@]} > 0 && ${#ZOMBIES[@]} == ${#KIDS[@]} )); }

# exit_at_once N - N clients connected, the server stopped (SIGSTOP) while
# their N children exit, then continued: N deaths, told by one SIGCHLD
exit_at_once() {
	hold -c "$1" -s 10
	wait_kids "$1"
	kill -STOP "$SERVER"
	kill -TERM "$HOLDER"	# the clients close: every child exits
	wait_until "the $1 children to exit" all_zombies || true
	kill -CONT "$SERVER"
}
exits_logged() { (( $(syslog_lines forkserver "$SERVER" | grep -c ': child [0-9]* exited' || true) >= $1 )); }

# child_exit_line PID-REGEX - wait for the server's next "child N exited/killed" line
child_exit_line() {
	syslog_wait forkserver "$SERVER" "^child $1 (exited|killed)" ||
		explain "a line 'child $1 exited with status N' (or 'killed by signal N') from forkserver" \
			"$(syslog_lines forkserver | tail -n 3)" "$NOTES#logging-exits"
}
