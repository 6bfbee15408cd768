# mydaemon.bash - what the tests of lab 2 share (loaded after kit.bash).
# shellcheck disable=SC2034 # the variables set here are for the tests

NOTES=notes/02-daemon.md
PIDFILE=$BATS_TEST_TMPDIR/mydaemon.pid

# start_fg [ARGS...] - start `mydaemon -f -P $PIDFILE -i 1 ARGS` in the
# background and wait for its "started" line; its pid is BG_PID
start_fg() {
	start_bg mydaemon -f -P "$PIDFILE" -i 1 "$@"
	wait_started "$BG_PID"
	# From step 2 on, the tests signal it.  The handout's order (and the
	# reference's) logs "started" before serve() installs the handlers: a
	# signal sent in between ends it, and on a loaded machine one did
	# (exit 130 after SIGINT).  So they wait until it catches TERM, INT
	# and HUP, 2 s at most (a program that never does fails as before).
	if (( ${_KIT_STEP:-0} >= 2 )); then
		wait_until -q -t 2 "mydaemon to catch SIGTERM, SIGINT and SIGHUP" catching "$BG_PID" || true
	fi
}

# catching PID - true once PID has a handler for SIGTERM, SIGINT and SIGHUP
# (/proc/PID/status, SigCgt)
catching() {
	local cgt s
	cgt=$(proc_status "$1" SigCgt)
	[[ -n $cgt ]] || return 1
	for s in TERM INT HUP; do sig_bit "$cgt" "$s" || return 1; done
}

# wait_started PID - wait for "mydaemon[PID]: started ..." in the log
wait_started() {
	syslog_wait mydaemon "$1" '^started' ||
		explain "the line 'mydaemon[$1]: started ...' in the log (ident mydaemon, LOG_PID)" \
			"$(syslog_lines | tail -n 3)" "$NOTES#logging"
}

# (status, stderr: set by bats' run)
# shellcheck disable=SC2154
# launch [ARGS...] - run the launcher `mydaemon -P $PIDFILE -i 1 ARGS`; it
# must return 0; DAEMON_PID is then the pid in the PID file
launch() {
	BOUNDED_STUCK=launcher_stuck run --separate-stderr bounded mydaemon -P "$PIDFILE" -i 1 "$@"
	track_daemon
	[[ $status -eq 0 ]] ||
		explain "the launcher returns 0 once the daemon is ready" \
			"exit $(status_text), stderr '$stderr'" "$NOTES#readiness"
	daemon_from_pidfile
}

# launcher_stuck PID... (the processes of bounded's command: the launcher,
# those below it; script's too, run_pty's) - the daemon is ready (the PID
# file names one of them, alive, that has logged "started"), and each of
# the other mydaemon processes is blocked in wait4() or waitid(): they
# wait for the daemon to end, which it does only when told to.  The
# launcher would never return (its 20 s limit, each test, was all a
# student learned of it)
launcher_stuck() {
	local d='' p comm waiting=()
	{ read -r d <"$PIDFILE"; } 2>/dev/null || return 1
	[[ $d =~ ^[0-9]+$ && " $* " == *" $d "* ]] && proc_alive "$d" || return 1
	_syslog_find mydaemon "$d" '^started' || return 1
	for p in "$@"; do	# (the shallowest first: the launcher)
		[[ $p == "$d" ]] && continue
		{ read -r comm <"/proc/$p/comm"; } 2>/dev/null || return 1
		[[ $comm == mydaemon ]] || continue
		in_wait "$p" || return 1
		waiting+=("$p")
	done
	(( ${#waiting[@]} )) || return 1
	if (( ${#waiting[@]} == 1 )); then
		_KIT_STUCK="the daemon (pid $d) is ready, but the launcher (pid ${waiting[0]}) has not returned: it waits in wait4() for the daemon, its child, which ends only when told to (the launcher returns once the daemon says it is ready)"
	else
		_KIT_STUCK="the daemon (pid $d) is ready, but the launcher (pid ${waiting[0]}) has not returned: it waits in wait4() for the middle process (pid ${waiting[*]:1}), which waits for the daemon, which ends only when told to (the middle process must _exit() right after its fork)"
	fi
}

# daemon_from_pidfile - DAEMON_PID from the PID file, which must hold a
# live process
daemon_from_pidfile() {
	DAEMON_PID=$(head -n 1 "$PIDFILE" 2>/dev/null)
	if ! [[ $DAEMON_PID =~ ^[0-9]+$ ]] || ! proc_alive "$DAEMON_PID"; then
		explain "$PIDFILE holds the pid of the running daemon" \
			"'$DAEMON_PID'; mydaemon processes: $(pids_named mydaemon | tr '\n' ' ')" \
			"$NOTES#the-pid-file"
	fi
	track_pid "$DAEMON_PID"
}

# track_daemon - stop at teardown whatever mydaemon processes there are
track_daemon() {
	local p
	for p in $(pids_named mydaemon); do track_pid "$p"; done
}
