# epollserver.bash - what the tests of lab 5 share (loaded after kit.bash).
# shellcheck disable=SC2034 # the variables set here are for the tests

NOTES=notes/05-epoll.md
HANDOUT=labs/05-epoll/README.md
load "$KIT_ROOT/checker/lib/echo"	# start_server, load_ok, hold, spins, ...

# serve [OPTIONS] - start `epollserver -p $PORT OPTIONS` in the background
# (SERVER is its pid) and wait until the port listens
serve() { start_server epollserver -p "$PORT" "$@"; }

has_fds() { _fd_n "$SERVER"; (( FD_N >= $1 )); }

stats_lines() { syslog_lines epollserver "$SERVER" | grep -c ': stats: ' || true; }
more_stats_than() { (( $(stats_lines) > $1 )); }

# stats - ask for the counters (SIGUSR1) and wait for a new "stats:" line;
# sets NOW TOTAL BYTES_IN BYTES_OUT WAKEUPS
stats() {
	local before
	before=$(stats_lines)
	kill -USR1 "$SERVER"
	wait_until "a new 'stats:' line after SIGUSR1" more_stats_than "$before" ||
		explain "a line 'stats: N connections now, N in all; N bytes in, N out; N wake-ups' after SIGUSR1" \
			"$(syslog_lines epollserver | tail -n 3)" "$HANDOUT"
	local line re='stats: ([0-9]+) connections now, ([0-9]+) in all; ([0-9]+) bytes in, ([0-9]+) out; ([0-9]+) wake-ups'
	line=$(syslog_lines epollserver "$SERVER" | grep ': stats: ' | tail -n 1)
	[[ $line =~ $re ]] ||
		explain "'stats: N connections now, N in all; N bytes in, N out; N wake-ups'" "'$line'" "$HANDOUT"
	NOW=${BASH_REMATCH[1]} TOTAL=${BASH_REMATCH[2]} BYTES_IN=${BASH_REMATCH[3]}
	BYTES_OUT=${BASH_REMATCH[4]} WAKEUPS=${BASH_REMATCH[5]}
}

# A hand-driven client: open_client connects (bash's /dev/tcp); send STR
# sends; what comes back is collected in $REPLY_FILE by a background cat.
REPLY_FILE=$BATS_TEST_TMPDIR/reply
open_client() {
	exec {CLIENT}<>"/dev/tcp/127.0.0.1/$PORT"
	cat <&"$CLIENT" >"$REPLY_FILE" 3>&- &
	track_pid "$!"
}
send() { printf '%s' "$1" >&"$CLIENT"; }
reply_size() { stat -c %s "$REPLY_FILE" 2>/dev/null || echo 0; }
reply_at_least() { (( $(reply_size) >= $1 )); }
