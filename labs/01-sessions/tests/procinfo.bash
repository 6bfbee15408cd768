# procinfo.bash - what the tests of lab 1 share (loaded after kit.bash).
# shellcheck disable=SC2034 # the variables set here are for the tests

NOTES=notes/01-sessions.md

# field LINE KEY - the value of KEY in one line of procinfo's output,
# "pid=12 ppid=7 pgid=12 sid=7 tty=none umask=0022 cwd=/some dir"
# (cwd is last and runs to the end of the line: it may hold spaces)
field() {
	local line=$1 key=$2
	if [[ $key == cwd ]]; then
		[[ $line == *" cwd="* ]] && echo "${line#* cwd=}"
		return 0
	fi
	[[ " $line" =~ \ $key=([^ ]*) ]] && echo "${BASH_REMATCH[1]}"
	return 0
}

# lines_in FILE N - true once FILE holds at least N whole lines
lines_in() {
	[[ -f $1 ]] && (( $(tr -d '\r' <"$1" | wc -l) >= $2 ))
}

# line_of FILE N - line N of FILE, without the \r a terminal adds
line_of() {
	tr -d '\r' <"$1" | sed -n "$2p"
}

# start_procinfo [-pty] ARGS... - start procinfo ARGS in the background
# (under a pseudo-terminal with -pty) and wait until it has printed N
# lines (N=1, or 2 with -F); PROCINFO_LINE is the last of them
start_procinfo() {
	local want=1 a
	for a in "$@"; do [[ $a == -F* ]] && want=2; done
	if [[ $1 == -pty ]]; then
		shift
		start_bg script -qec "procinfo $*" /dev/null
	else
		start_bg procinfo "$@"
	fi
	wait_until "procinfo $* to print $want line(s)" printed_or_gone "$want" ||
		true
	lines_in "$BG_OUT" "$want" ||
		explain "procinfo $* prints $want line(s) and keeps running (-w)" \
			"output: '$(cat "$BG_OUT")', errors: '$(cat "$BG_ERR")'$(proc_alive "$BG_PID" &&
				echo "; it is still running: is the line stuck in stdout's buffer?")" \
			"labs/01-sessions/README.md (what procinfo does), $NOTES#fork-and-buffered-output"
	PROCINFO_LINE=$(line_of "$BG_OUT" "$want")
	local n p
	for (( n = 1; n <= want; n++ )); do	# stop them at teardown, child first
		p=$(field "$(line_of "$BG_OUT" "$n")" pid)
		[[ $p =~ ^[0-9]+$ ]] && track_pid "$p"
	done
	return 0
}

# printed_or_gone N - procinfo has printed N lines, or has exited
printed_or_gone() {
	lines_in "$BG_OUT" "$1" || proc_gone "$BG_PID"
}

# as_group_leader CMD... - run CMD as the leader of its own process group,
# the way an interactive shell runs every command (job control: set -m).
# The "exit" keeps bash from exec'ing CMD in place of forking it.
as_group_leader() {
	bounded bash -c 'set -m; "$@"; exit $?' as_group_leader "$@"
}
