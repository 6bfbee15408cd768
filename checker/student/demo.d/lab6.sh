# lab6.sh - make demo (make demo-lab6), run by checker/student/demo, which
# documents the helpers: the original tutorial's walkthrough.  Lab 3's
# supervisor, daemonized as in lab 2, keeps lab 5's epollserver alive;
# echoctl (lab 6) starts, reports and stops it.
# shellcheck shell=bash disable=SC2034

DEMO_TITLE="The supervised echo service, live: lab 3's supervisor, daemonized as in lab 2, keeps lab 5's epollserver alive; echoctl is lab 6's"
DEMO_PROGS="echoctl supervisor epollserver"

INIT=${HARNESS_REAPER_PID:-1}
logged() { grep -qE "$1" "$HARNESS_SYSLOG"; }
server_of() { children "$1" | head -n 1; }
new_server() { local k; k=$(server_of "$SUP"); [[ -n $k && $k != "${1-}" ]] && listening; }

demo_scenario() {
	local pidfile=$DEMO_TMP/echoservice.pid
	local ctl=(echoctl -P "$pidfile" -p "$PORT")

	step "1. start: it returns at once; the supervisor is a daemon (re-parented to init, tty ?, sid not its pid) with one server"
	say "${ctl[@]}" start -d 1 -b 3
	SUP=$(cat "$pidfile" 2>/dev/null)
	[[ -n $SUP ]] || give_up "echoctl start wrote no PID file $pidfile"
	await "the server to listen on port $PORT" new_server || give_up "no server listens on port $PORT"
	SRV=$(server_of "$SUP")
	tree
	expect "the supervisor re-parented to init (pid $INIT)" [ "$(ps_of "$SUP" ppid)" == "$INIT" ]
	expect "the supervisor not a session leader, without a terminal" \
		eval "[ \"\$(ps_of $SUP sid)\" != $SUP ] && [ \"\$(ps_of $SUP tty)\" == '?' ]"
	log
	say "${ctl[@]}" status
	expect "status: running, exit 0" [ $? -eq 0 ]

	step "2. a client session: byte-exact echo; its end of input (Ctrl-D) is answered"
	client "hello, supervised world"
	log

	step "3. kill -9 the server: the death is logged with the signal; a new server after the delay (1 s)"
	say kill -9 "$SRV"
	await "a new server" new_server "$SRV"
	local old=$SRV
	SRV=$(server_of "$SUP")
	log
	expect "the death logged with its signal" logged "supervisor\[$SUP\]: child $old killed by signal 9"
	tree
	client "served again"
	say "${ctl[@]}" status

	step "3b. kill (SIGTERM) the server, as the original tutorial does: it stops cleanly, exit 0, and the supervisor (-r always) starts another"
	say kill "$SRV"
	await "a new server" new_server "$SRV"
	old=$SRV
	SRV=$(server_of "$SUP")
	log
	expect "the clean exit logged" logged "supervisor\[$SUP\]: child $old exited with status 0"
	client "served after a plain kill too"

	step "4. kill (SIGTERM) the supervisor: it passes SIGTERM to the server, both exit, the PID file goes"
	say kill "$SUP"
	await "the supervisor and the server to exit" eval "gone $SUP && gone $SRV"
	log
	expect "the server told to stop (its 'stopping on SIGTERM')" logged "epollserver\[$SRV\]: stopping on SIGTERM"
	tree
	say ls -l "$pidfile"
	expect "no PID file left" [ ! -e "$pidfile" ]
	say "${ctl[@]}" -l "$HARNESS_SYSLOG" status

	step "5. the supervisor SIGKILLed: the server dies with it (no orphan); the PID file is left, stale"
	say "${ctl[@]}" start
	SUP=$(cat "$pidfile" 2>/dev/null)
	await "the server" new_server
	SRV=$(server_of "$SUP")
	tree
	say kill -9 "$SUP"
	await "the server to die with its supervisor" eval "gone $SRV && ! listening"
	tree
	say "${ctl[@]}" status
	expect "status: stale PID file, exit 1" [ $? -eq 1 ]
	say "${ctl[@]}" stop
	log
}
