# lab1.sh - make demo-lab1, run by checker/student/demo, which documents
# the helpers: procinfo's line against ps, without and with a terminal;
# setsid refused to a group leader and granted after a fork; the umask at
# work; a syslog line and its priority.
# shellcheck shell=bash disable=SC2034

DEMO_TITLE="Who am I? procinfo, live: sessions, groups, the terminal, setsid, umask, syslog"
DEMO_PROGS="procinfo"

# field KEY LINE - the value of KEY= in a line of procinfo's
field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2" | head -n 1; }
is_pts() { [[ $1 == /dev/pts/* ]]; }

demo_scenario() {
	local line

	step "1. procinfo from this shell: its parent is the shell, its group and session the shell's; no terminal"
	note "this shell: pid $$, group $(ps_of $$ pgid), session $(ps_of $$ sid), terminal $(ps_of $$ tty)"
	say procinfo
	line=$(cat "$DEMO_TMP/out")
	if [[ $(field ppid "$line") != "$$" || $(field sid "$line") != "$(ps_of $$ sid)" ]]; then
		give_up "procinfo's line does not show its parent ($$) and session ($(ps_of $$ sid)) yet"
	fi
	expect "tty=none: this session has no terminal" [ "$(field tty "$line")" == none ]

	step "2. under a terminal: script(1) makes a pseudo-terminal and a session that it controls"
	say script -qec procinfo /dev/null
	line=$(tr -d '\r' <"$DEMO_TMP/out")
	note "script's child called setsid and took the terminal; sh exec'd procinfo, so procinfo leads the session"
	expect "a terminal, /dev/pts/N" is_pts "$(field tty "$line")"

	step "3. setsid in a process-group leader fails with EPERM: set -m gives procinfo a group of its own"
	say bash -c 'set -m; procinfo -S; exit $?'
	expect "procinfo -S in a group leader to exit 1" [ $? -eq 1 ]
	expect "the reason: Operation not permitted" grep -q 'Operation not permitted' "$DEMO_TMP/out"

	step "4. fork first (-F -S): the child is no group leader, so its setsid works: a new session, no terminal"
	say script -qec 'procinfo -F -S' /dev/null
	line=$(tr -d '\r' <"$DEMO_TMP/out" | tail -n 1)
	note "the first line is the parent's (still on the terminal), the second the child's"
	expect "the child leads its new session (sid = pid)" [ "$(field sid "$line")" == "$(field pid "$line")" ]
	expect "the child has no terminal" [ "$(field tty "$line")" == none ]

	step "5. umask 027: a file asked for with mode 0666 gets 0666 & ~027 = 0640"
	say procinfo -u 027 -c "$DEMO_TMP/file"
	say ls -l "$DEMO_TMP/file"
	expect "mode 640" [ "$(stat -c %a "$DEMO_TMP/file" 2>/dev/null)" == 640 ]

	step "6. syslog: the facility and the level travel in the line's <PRI>, daemon (3) * 8 + info (6) = 30"
	say procinfo -p daemon.info -L "hello from lab 1"
	log
	say grep -F 'hello from lab 1' "$HARNESS_SYSLOG"
	expect "a line <30>...procinfo[PID]: hello from lab 1" grep -qE '^<30>.*procinfo\[[0-9]+\]: hello from lab 1' "$HARNESS_SYSLOG"
}
