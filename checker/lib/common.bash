# common.bash - what the kit's scripts share (sourced; bash).
#
# kit_usage [SCRIPT] - SCRIPT's (default: the running script's) header from
# its "# Usage:" line to the header's end (its first line that is not a
# comment), to stderr.  The usage is written once, in the header; no line
# numbers to go stale when the header grows.
kit_usage() {
	sed -n '/^# Usage:/,/^[^#]/{ /^[^#]/q; s/^# \{0,1\}//p; }' "${1:-$0}" >&2
}

# KIT_PYTHON - the Python 3 the instructor's and the maintainers' tools
# run: Debian's, the one `checker/core/deps --instructor` installs, if it
# is there; else python3 on PATH.  (A pyenv shim on PATH costs a third of
# a second of CPU a call, ten bash scripts: 17 CPU-s of a self-test.)  Set
# it to use another.
if [[ -z ${KIT_PYTHON-} ]]; then
	if [[ -x /usr/bin/python3 ]]; then KIT_PYTHON=/usr/bin/python3; else KIT_PYTHON=python3; fi
fi

# proc_state PID - the state letter from /proc/PID/stat (R S D Z T ...),
# empty if the process is gone.  ps and `kill -0` both see zombies as alive.
proc_state() {
	_proc_stat "$1"
	[[ -z $PROC_STATE ]] || echo "$PROC_STATE"
}
# _proc_stat PID - PROC_STATE: proc_state's letter, with no fork (a wait
# that polls every 20 ms calls it: read, not $(cat)); PROC_FIELDS: the
# fields after the name (the state is its first, field 3 of stat(5))
_proc_stat() {
	PROC_STATE='' PROC_FIELDS=''
	slurp "/proc/$1/stat"
	[[ -n $SLURP ]] || return 0
	PROC_FIELDS=${SLURP##*) }	# the name may hold spaces, ')' and newlines
	PROC_STATE=${PROC_FIELDS%% *}
}
# slurp FILE - SLURP: the whole text of FILE (empty if it cannot be read),
# with no fork (not $(cat FILE) nor $(<FILE)): a read to the end, every
# byte kept but NULs
slurp() {
	SLURP=''
	{ IFS= read -r -d '' SLURP <"$1"; } 2>/dev/null || true
}
# proc_alive PID - it runs (a zombie has ended); proc_gone PID - it does not
proc_alive() { _proc_stat "$1"; [[ -n $PROC_STATE && $PROC_STATE != [ZX] ]]; }
proc_gone() { ! proc_alive "$1"; }

# nap SECONDS - sleep, in a Bats test with no fork: a read with a timeout
# on a FIFO no one writes to (opened read-write: the open does not block),
# made once per run in Bats' run directory (removed with it); elsewhere,
# and should that fail, sleep(1)
nap() {
	if [[ -z ${NAP_FIFO-} ]]; then
		NAP_FIFO=-
		if [[ -d ${BATS_RUN_TMPDIR-} ]]; then
			NAP_FIFO=$BATS_RUN_TMPDIR/.nap
			[[ -p $NAP_FIFO ]] || mkfifo -m 600 "$NAP_FIFO" 2>/dev/null ||
				[[ -p $NAP_FIFO ]] || NAP_FIFO=-
		fi
	fi
	if [[ $NAP_FIFO != - ]] && { read -r -t "$1" _ <>"$NAP_FIFO"; (( $? > 128 )); } 2>/dev/null; then
		return 0
	fi
	sleep "$1"
}

# poll_until [-i INTERVAL] SECONDS CMD... - run CMD every INTERVAL
# seconds (default 0.1) until it succeeds, for SECONDS (whole seconds) at
# most; false if it never did.  For what runs outside the sandbox (the
# grader's and the bench's tests, the student's demo and trace); a test
# of a lab uses kit.bash's wait_until, which also ends once nothing can
# change.
poll_until() {
	local every=0.1
	[[ $1 == -i ]] && { every=$2; shift 2; }
	local end=$(( ${EPOCHREALTIME/[.,]/} + $1 * 1000000 ))
	shift
	until "$@"; do
		(( ${EPOCHREALTIME/[.,]/} < end )) || return 1
		nap "$every"
	done
}

# descendants_of PID... - every process below these, now, the deepest
# first (killed in this order, none is orphaned on the way); one ps
descendants_of() {
	ps -e -o pid=,ppid= | awk -v roots="$*" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			n = split(roots, q, " ")
			r = n
			for (h = 1; h <= n; h++) {
				c = split(kids[q[h]], k, " ")
				for (i = 1; i <= c; i++) q[++n] = k[i]
			}
			for (i = n; i > r; i--) print q[i]
		}'
}

# tsv_message FIELD - the message field of run-tests' results.tsv
# ("result<TAB>file<TAB>test<TAB>message") as lines of text: its \n, \t,
# \r and \\ undone (run-tests' field() writes them; gradebook.py's
# tsv_text reads them the same way).  printf's %b is that decoder: every
# backslash of the text was doubled, so no other escape can appear.
tsv_message() {
	printf '%b\n' "$1"
}
