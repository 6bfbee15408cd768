# lab4.sh - make demo-lab4, run by checker/student/demo, which documents
# the helpers: the fork-per-connection server, its children coming and
# going, none left a zombie, even when a hundred die at once; the stop.
# shellcheck shell=bash disable=SC2034

DEMO_TITLE="The fork-per-connection echo server, live: a child per client, each one reaped"
DEMO_PROGS="forkserver echoclient"

PATH=$PATH:${HARNESS_TOOLS:-}
nkids() { children "$SRV" | wc -l; }
exits() { grep -c "forkserver\[$SRV\]: child [0-9]* exited" "$HARNESS_SYSLOG"; }
zombies() { local k; for k in $(children "$SRV"); do [[ $(ps_of "$k" stat) == Z* ]] && echo "$k"; done; }

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
	await "the child to be reaped" eval "(( \$(nkids) == 0 ))"
	log

	step "3. two clients that stay connected: two children, one each"
	local c1 c2
	note "two clients connect and stay connected"
	exec {c1}<>"/dev/tcp/127.0.0.1/$PORT" {c2}<>"/dev/tcp/127.0.0.1/$PORT"
	await "two children" eval "(( \$(nkids) == 2 ))"
	tree
	say ss -tn state established "sport = :$PORT"
	note "each child has its connection; the parent closed its copy, and the children closed the listener"
	log

	step "4. the two clients leave: their children exit, and the SIGCHLD handler reaps them: no zombie (Z)"
	exec {c1}>&- {c2}>&-
	await "the children to exit and be reaped" eval "(( \$(nkids) == 0 ))"
	tree
	expect "no zombie child" [ -z "$(zombies)" ]
	log

	step "5. 100 clients, 50 at a time: the deaths come faster than the handler runs; its waitpid loop reaps them all"
	local before
	before=$(exits)
	say echoload -p "$PORT" -n 100 -c 50 -s 1K
	await "every child reaped" eval "(( \$(nkids) == 0 ))"
	tree
	expect "no zombie child" [ -z "$(zombies)" ]
	await "the 100 deaths in the log" eval "(( \$(exits) - before >= 100 ))"
	log 4
	note "$(( $(exits) - before )) more 'child N exited with status 0' lines in the log: every death seen"

	step "6. SIGTERM with a client still connected: the server stops its children, then itself"
	note "a client connects and stays connected"
	exec {c1}<>"/dev/tcp/127.0.0.1/$PORT"
	await "its child" eval "(( \$(nkids) == 1 ))"
	tree
	say kill -TERM "$SRV"
	reap forkserver "$SRV"
	expect "forkserver to exit 0 on SIGTERM" [ $? -eq 0 ]
	exec {c1}>&-
	log
}
