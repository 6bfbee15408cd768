#!/usr/bin/env bats
# Step 5: syslog - the ident, the pid, the facility and the level of a line.
# bats file_tags=step5

load '../../../checker/lib/kit'
load procinfo

# log_and_find ARGS... - run procinfo ARGS, then find its line in the log
log_and_find() {
	run -0 bounded procinfo "$@"
	local pid
	pid=$(field "$output" pid)
	local seen
	seen=$(syslog_lines | tail -n 3)
	syslog_find procinfo "$pid" '' ||
		explain "a syslog line 'procinfo[$pid]: ...' from procinfo $*" \
			"${seen:-no line at all}" "$NOTES#syslog"
}

@test "-L logs the message as procinfo[PID] with the process's own pid" {
	log_and_find -L "hello from step 5"
	assert_equal "$SYSLOG_MSG" "hello from step 5"
}

@test "without -p the line has facility user and level notice" {
	log_and_find -L "default priority"
	[[ $SYSLOG_FACILITY.$SYSLOG_LEVEL == user.notice ]] ||
		explain "user.notice (<13>)" "$SYSLOG_FACILITY.$SYSLOG_LEVEL in '$SYSLOG_LINE'" "$NOTES#syslog"
}

@test "-p sets the facility and level: the <PRI> of the line decodes to them" {
	local p
	for p in daemon.info local3.err auth.warning user.debug daemon.crit; do
		log_and_find -p "$p" -L "priority $p"
		[[ $SYSLOG_FACILITY.$SYSLOG_LEVEL == "$p" ]] ||
			explain "$p: PRI = facility * 8 + level" \
				"$SYSLOG_FACILITY.$SYSLOG_LEVEL (<$SYSLOG_PRI>) in '$SYSLOG_LINE'" "$NOTES#syslog"
	done
}

@test "a message with % signs is logged exactly as given" {
	local msg='100% sure: %s %d %n %x'
	log_and_find -L "$msg"
	[[ $SYSLOG_MSG == "$msg" ]] ||
		explain "the message '$msg', unchanged" "'$SYSLOG_MSG'" "$NOTES#syslog"
}

@test "-p with an unknown facility or level is refused with exit 2" {
	local bad
	# (and names cut short: a facility or level is its whole name)
	for bad in nosuch.info daemon.loud daemon info. '' dae.info .info daemon.inf; do
		run --separate-stderr bounded procinfo -p "$bad" -L x
		[[ $status -eq 2 && -n $stderr ]] ||
			explain "exit 2 and a message on stderr for -p '$bad'" \
				"exit $(status_text), stderr '$stderr'" "labs/01-sessions/README.md, step 5"
	done
}
