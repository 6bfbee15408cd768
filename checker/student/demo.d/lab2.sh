# lab2.sh - make demo-lab2, run by checker/student/demo, which documents
# the helpers: mydaemon in the foreground, then as a daemon: what the
# double fork changes in ps, what it leaves in /proc, the PID file that
# refuses a second copy, the signals, the clean stop.
# shellcheck shell=bash disable=SC2034

DEMO_TITLE="The double-fork daemon, live: mydaemon in the foreground, then daemonized, seen from outside"
DEMO_PROGS="mydaemon"

# the parent an orphan is given: the sandbox's PID 1 (or the reaper)
INIT=${HARNESS_REAPER_PID:-1}
daemon_pid() { cat "$PIDFILE" 2>/dev/null; }
fd_is_null() { [[ $(readlink "/proc/$1/fd/$2") == /dev/null ]]; }
# foreign_fds PID - its fds above 2 that are neither the PID file nor a socket
foreign_fds() {
	local f t
	for f in "/proc/$1/fd/"*; do
		[[ ${f##*/} -gt 2 ]] || continue
		t=$(readlink "$f") || continue
		[[ $t == "$PIDFILE" || $t == socket:* ]] || echo "${f##*/} -> $t"
	done
}
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

demo_scenario() {
	PIDFILE=$DEMO_TMP/mydaemon.pid

	step "1. in the foreground (-f): a child of this shell, in its session and process group"
	say_bg mydaemon -f -P "$PIDFILE" -i 1
	local fg=$BG_PID
	await "the PID file $PIDFILE" test -s "$PIDFILE" || give_up "mydaemon -f wrote no PID file"
	note "this shell is pid $$, session $(ps_of $$ sid), group $(ps_of $$ pgid)"
	tree
	expect "the foreground mydaemon's parent is this shell" [ "$(ps_of "$fg" ppid)" == "$$" ]
	say kill -TERM "$fg"
	reap "mydaemon -f" "$fg" 0
	log

	step "2. daemonized: the command returns once the daemon is ready; re-parented to init, no terminal, not a session leader"
	note "launched with fd 7 open on a file of the demo's, as a careless parent might leave it"
	exec 7>"$DEMO_TMP/inherited"
	say mydaemon -P "$PIDFILE" -i 1 || give_up "mydaemon did not start (exit status $?)"
	exec 7>&-
	local d
	d=$(daemon_pid)
	if [[ -z $d ]] || ! alive "$d"; then give_up "no daemon runs with the pid of $PIDFILE"; fi
	say cat "$PIDFILE"
	tree
	note "fork #1: the launcher returns, its child is no group leader and may setsid;"
	note "fork #2: the daemon is not the session's leader, so it can never get a terminal back"
	expect "the daemon's parent is init (pid $INIT)" [ "$(ps_of "$d" ppid)" == "$INIT" ]
	expect "the daemon is not a session leader (sid != pid)" [ "$(ps_of "$d" sid)" != "$d" ]
	expect "the daemon has no terminal" [ "$(ps_of "$d" tty)" == "?" ]
	log

	step "3. what it kept: 0-2 on /dev/null, its PID file, the syslog socket, nothing inherited; / as its directory; umask 0"
	say ls -l "/proc/$d/fd"
	expect "fds 0, 1 and 2 on /dev/null" eval "fd_is_null $d 0 && fd_is_null $d 1 && fd_is_null $d 2"
	expect "no other fd than its PID file and sockets (fd 7 closed)" [ -z "$(foreign_fds "$d")" ]
	say readlink "/proc/$d/cwd"
	expect "its working directory is /" [ "$(readlink "/proc/$d/cwd")" == / ]
	say grep -E '^(Umask|SigBlk|SigIgn)' "/proc/$d/status"
	note "SigBlk: no signal blocked; SigIgn (bit n-1 is signal n): only 32 and 33, which glibc keeps"
	note "for its threads (sigaction refuses them): every other action is back to the default"
	expect "umask 0000" [ "$(status_of "$d" Umask)" == 0000 ]
	expect "no signal blocked" [ "$(status_of "$d" SigBlk)" == 0000000000000000 ]
	expect "no signal ignored but 32 and 33" [ $(( 0x$(status_of "$d" SigIgn) & ~0x180000000 )) -eq 0 ]

	step "4. the PID file is locked: a second copy is refused, and says who runs"
	say mydaemon -P "$PIDFILE" -i 1
	expect "the second mydaemon to fail" [ $? -ne 0 ]
	expect "the first daemon still running, its PID file unchanged" eval "alive $d && [ \"\$(daemon_pid)\" == $d ]"
	log

	step "5. its heartbeat; SIGHUP asks it to reload"
	await "a heartbeat in the log" grep -q "mydaemon\[$d\]: heartbeat" "$HARNESS_SYSLOG"
	say kill -HUP "$d"
	await "the reload in the log" grep -qE "mydaemon\[$d\]: .*(reload|HUP)" "$HARNESS_SYSLOG"
	log

	step "6. SIGTERM: a clean stop, and the PID file goes with it"
	say kill -TERM "$d"
	await "the daemon to exit" gone "$d"
	log
	say ls -l "$PIDFILE"
	expect "no PID file left" [ ! -e "$PIDFILE" ]
	expect "'stopping on SIGTERM' in the log" grep -q "mydaemon\[$d\]: stopping on SIGTERM" "$HARNESS_SYSLOG"
}
