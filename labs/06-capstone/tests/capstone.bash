# capstone.bash - what the tests of lab 6 share (loaded after kit.bash).
# The lab's build directory holds echoctl and copies of the programs of
# labs 3-5 (supervisor, epollserver, forkserver, echoclient), built from
# the same tree: the student's own, or the reference.
# shellcheck disable=SC2034,SC2154,SC2015,SC2119,SC2120 # variables for the tests; status and output set by run; A && B || explain

NOTES=notes/06-capstone.md
HANDOUT=labs/06-capstone/README.md
load "$KIT_ROOT/checker/lib/echo"	# load_ok, exited_with, ...

PIDFILE=$BATS_TEST_TMPDIR/echo.pid
# a supervisor that restarts quickly and gives up soon: the tests stay short
FAST=(-d 0.3 -D 0.6 -b 2 -w 5)

CTL_OPTS=()	# more options of echoctl (-s forkserver)
# ctl ARGS... - echoctl on the test's PID file and port, with a time limit
ctl() { bounded echoctl -P "$PIDFILE" -p "$PORT" "${CTL_OPTS[@]}" "$@"; }

# start_service [SUPERVISOR OPTIONS] - `echoctl start`, then wait for the
# server: SUP is the supervisor's pid, SRV the server's
start_service() {
	run ctl start "${FAST[@]}" "$@"
	(( status == 0 )) ||
		explain "'echoctl start' exits 0 once the supervisor is running" \
			"exit $(status_text), output '$output'" "$HANDOUT#step-1-start"
	SUP=$(cat "$PIDFILE" 2>/dev/null)
	[[ $SUP =~ ^[0-9]+$ ]] && [[ $(ps_field "$SUP" comm) == supervisor ]] ||
		explain "$PIDFILE holding the pid of the running supervisor" \
			"'$(head -c 100 "$PIDFILE" 2>/dev/null)'" "$NOTES#start"
	track_pid "$SUP"
	wait_server
}

# wait_server [OLD] - wait for the supervisor's server (not OLD), and for
# the port to listen: SRV is its pid
wait_server() {
	wait_until "a server child of supervisor $SUP, listening on port $PORT" _served "${1-}" ||
		explain "one server, a child of supervisor $SUP, listening on port $PORT" \
			"children of $SUP: '$(children_of "$SUP" | tr '\n' ' ')'; listening: $(port_listening "$PORT" && echo yes || echo no)" \
			"$NOTES#start"
	SRV=$(children_of "$SUP")
	track_pid "$SRV"
}
_served() {
	local k
	k=$(children_of "$SUP")
	[[ $k =~ ^[0-9]+$ && $k != "${1-}" ]] && port_listening "$PORT"
}

# echo_ok WHAT - a client session: random bytes (NUL included) in, the same
# bytes back, and the client's end of input answered (echoclient exits 0)
echo_ok() {
	head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local rc=0
	bounded echoclient -p "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	(( rc == 0 )) && cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" ||
		explain "$1: 65536 bytes back byte-exact, and echoclient exits 0 after its end of input" \
			"exit $(status_text "$rc"), $(wc -c <"$BATS_TEST_TMPDIR/out") bytes back, stderr '$(head -c 200 "$BATS_TEST_TMPDIR/err")'" \
			"$NOTES#the-scenario"
}

# a pid nothing runs as: a process that has exited (and been reaped)
dead_pid() { local p; sleep 0 & p=$!; wait "$p"; echo "$p"; }

# status_is CODE WORD - `echoctl status` exits CODE and says WORD
status_is() {
	run ctl "${@:3}" status
	(( status == $1 )) && [[ $output == *"$2"* ]] ||
		explain "'echoctl status' exits $1 and says '$2'" \
			"exit $(status_text), output '$output'" "$NOTES#status"
}
