# lab4.sh - make demo-lab4, run by checker/student/demo, which documents
# the helpers: the fork-per-connection server, its children coming and
# going, none left a zombie, even when a hundred die at once; the stop.
# shellcheck shell=bash disable=SC2034

DEMO_TITLE="The fork-per-connection echo server, live: a child per client, each one reaped"
DEMO_PROGS="forkserver echoclient"

PATH=$PATH:${HARNESS_TOOLS:-}
nkids() { children "$SRV" | wc -l; }
# no child left, not even a zombie: every one has been waited for
reaped() { [[ -z $(children "$SRV") ]]; }
exits() { grep -c "forkserver\[$SRV\]: child [0-9]* exited" "$HARNESS_SYSLOG"; }
# held_by_children N - N children hold the established connections, the parent none
held_by_children() {
	local h
	h=" $(holders state established "sport = :$PORT")"
	[[ $h != *" $SRV "* ]] && (( $(wc -w <<<"$h") == $1 ))
}
# holders [ss state and filter...] - the pids that hold the sockets ss lists
holders() { ss -Htnp "$@" | grep -oE 'pid=[0-9]+' | cut -d= -f2 | sort -u | tr '\n' ' '; }

demo_scenario() {
	step "1. start: one process, listening on port $PORT"
	say_bg forkserver -p "$PORT"
	SRV=$BG_PID
	await "forkserver to listen on port $PORT" listening || give_up "forkserver does not listen on port $PORT"
	tree
	say ss -ltn "sport = :$PORT"
	log

	step "2. a client session: a child serves it, echoes byte-exact, exits when the client is done"
	client "hello, forked world"
	await "the child to be reaped" reaped
	log

	step "3. two clients that stay connected: two children, one each"
	local c1 c2
	note "two clients connect and stay connected"
	exec {c1}<>"/dev/tcp/127.0.0.1/$PORT" {c2}<>"/dev/tcp/127.0.0.1/$PORT"
	await "two children" eval "(( \$(nkids) == 2 ))"
	tree
	say ss -ltnp "sport = :$PORT"
	say ss -tnp state established "sport = :$PORT"
	note "each child holds its connection, the parent only the listener: it closed its copy of each"
	note "connection, and each child closed its copy of the listener"
	expect "the listener held by forkserver $SRV alone" [ "$(holders state listening "sport = :$PORT")" == "$SRV " ]
	expect "the two connections held by two children, not by the parent" held_by_children 2
	log

	step "4. the two clients leave: their children exit, and the SIGCHLD handler reaps them: no zombie (Z)"
	exec {c1}>&- {c2}>&-
	await "the children to exit and be reaped, no zombie (Z) left" reaped
	tree
	log

	step "5. 100 clients, 50 at a time: the deaths come faster than the handler runs; its waitpid loop reaps them all"
	local before
	before=$(exits)
	say echoload -p "$PORT" -n 100 -c 50 -s 1K
	await "every child reaped, no zombie (Z) left" reaped
	tree
	await "the 100 deaths in the log" eval "(( \$(exits) - before >= 100 ))"
	log 4
	note "$(( $(exits) - before )) more 'child N exited with status 0' lines in the log: every death seen"

	step "6. SIGTERM with a client still connected: the server stops its children, then itself"
	note "a client connects and stays connected"
	exec {c1}<>"/dev/tcp/127.0.0.1/$PORT"
	await "its child" eval "(( \$(nkids) == 1 ))"
	local kid
	kid=$(children "$SRV")
	tree
	say kill -TERM "$SRV"
	reap forkserver "$SRV" 0
	expect "its child $kid stopped with it, the client still connected" gone "$kid"
	exec {c1}>&-
	log
}
