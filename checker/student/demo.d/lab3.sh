# lab3.sh - make demo-lab3, run by checker/student/demo, which documents
# the helpers: the supervisor keeps a small service alive, logs each death
# with its cause, restarts it after a delay, stops its whole process group,
# and gives up on a command that keeps dying.
# shellcheck shell=bash disable=SC2034

DEMO_TITLE="The supervisor, live: it keeps a service alive, says how it died, and knows when to stop trying"
DEMO_PROGS="supervisor"

INIT=${HARNESS_REAPER_PID:-1}
child_of() { children "$1" | head -n 1; }
logged() { grep -q "supervisor\[[0-9]*\]: .*$1" "$HARNESS_SYSLOG"; }
new_child() { local k; k=$(child_of "$SUP"); [[ -n $k && $k != "${1-}" ]]; }

demo_scenario() {
	local pidfile=$DEMO_TMP/supervisor.pid service=$DEMO_TMP/service
	# the service: a shell that starts a helper and waits for it, so that
	# the child the supervisor starts has a child of its own
	printf '#!/bin/sh\n# a service with a helper process\nsleep 300 &\nwait\n' >"$service"
	chmod +x "$service"

	step "1. start: the supervisor daemonizes (lab 2) and starts the service in a process group of its own"
	say cat "$service"
	say supervisor -P "$pidfile" -d 1 -- "$service" || give_up "the supervisor did not start (exit status $?)"
	SUP=$(cat "$pidfile" 2>/dev/null)
	if [[ -z $SUP ]] || ! alive "$SUP"; then give_up "no supervisor runs with the pid of $pidfile"; fi
	await "the service to start" new_child || give_up "the supervisor started no child"
	local kid
	kid=$(child_of "$SUP")
	await "the service's helper (sleep)" eval "[ -n \"\$(children $kid)\" ]"
	tree
	note "the supervisor: ppid $INIT, a daemon; the service: its child, leader of its own group"
	note "(pgid = its pid), with its helper in that group: one kill(-pgid) reaches both"
	expect "the service leads its own process group" [ "$(ps_of "$kid" pgid)" == "$kid" ]
	log

	step "2. kill -9 the service: the supervisor logs the signal, kills what is left of the group, starts it again after 1 s"
	local helper
	helper=$(children "$kid" | head -n 1)
	say kill -9 "$kid"
	await "a new service" new_child "$kid"
	await "the old helper (pid $helper) to be killed with its group" gone "$helper"
	log
	tree
	expect "'killed by signal 9' in the log" logged "child $kid killed by signal 9"
	expect "a restart after 1 s ('restarting in 1000 ms')" logged "restarting in 1000 ms"

	step "3. SIGTERM to the supervisor: SIGTERM to the service's group, the service reaped, then it exits"
	kid=$(child_of "$SUP")
	helper=$(children "$kid" | head -n 1)
	say kill -TERM "$SUP"
	await "the supervisor to exit" gone "$SUP"
	log
	tree
	expect "the service (pid $kid) gone with it" gone "$kid"
	expect "the service's helper (pid $helper) gone too: the signal went to the whole group" gone "$helper"
	expect "no PID file left" [ ! -e "$pidfile" ]

	step "4. a command that exits 0 is done: on-failure (the default) does not start it again"
	say supervisor -f -P "$DEMO_TMP/true.pid" -- true
	expect "the supervisor to exit 0" [ $? -eq 0 ]
	log
	expect "true started once, not again" [ "$(grep -c 'supervisor\[[0-9]*\]: child [0-9]* started: true' "$HARNESS_SYSLOG")" -eq 1 ]

	step "5. a command that keeps failing: the delay doubles (0.2 s, 0.4 s, 0.8 s), then it gives up"
	say supervisor -f -P "$DEMO_TMP/false.pid" -d 0.2 -D 0.8 -b 3 -- false
	expect "the supervisor to exit 1 when it gives up" [ $? -eq 1 ]
	log
	expect "the delays 200, 400 and 800 ms, then 'giving up'" eval \
		'logged "restarting in 200 ms" && logged "restarting in 400 ms" && logged "restarting in 800 ms" && logged "giving up"'
}
