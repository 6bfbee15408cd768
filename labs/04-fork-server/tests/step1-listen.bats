#!/usr/bin/env bats
# Step 1: a listening socket, every call checked: the address and port
# asked for, a clear error when the port is taken, and usage errors.
# bats file_tags=step1

load '../../../checker/lib/kit'
load forkserver

@test "forkserver -p listens on 127.0.0.1 at that port and logs it" {
	serve
	run ss -Hltn "sport = :$PORT"
	[[ $output == *" 127.0.0.1:$PORT "* ]] ||
		explain "a socket listening at 127.0.0.1:$PORT (ss -ltn)" "$output" "$NOTES#listening"
	syslog_wait forkserver "$SERVER" "^listening on 127\.0\.0\.1:$PORT\$" ||
		explain "the line 'forkserver[$SERVER]: listening on 127.0.0.1:$PORT' (ident forkserver, LOG_PID)" \
			"$(syslog_lines | tail -n 3)" "$HANDOUT"
	[[ $SYSLOG_FACILITY == daemon ]] ||
		explain "facility daemon (openlog(..., LOG_DAEMON))" "$SYSLOG_FACILITY" "notes/01-sessions.md#syslog"
}

@test "-a 0.0.0.0 listens on every address" {
	serve -a 0.0.0.0
	run ss -Hltn "sport = :$PORT"
	[[ $output == *" 0.0.0.0:$PORT "* ]] ||
		explain "a socket listening at 0.0.0.0:$PORT (ss -ltn)" "$output" "$NOTES#listening"
}

@test "-a ::1 listens on IPv6's loopback and logs [::1]:PORT" {
	has_ipv6_loopback || skip "this sandbox has no ::1 (IPv6 is off here): -a ::1 is tested where it is on"
	serve -a ::1
	run ss -Hltn "sport = :$PORT"
	[[ $output == *" [::1]:$PORT "* ]] ||
		explain "a socket listening at [::1]:$PORT (ss -ltn): an IPv6 address is taken as one" \
			"$output" "$NOTES#names-to-addresses-getaddrinfo"
	syslog_wait forkserver "$SERVER" "^listening on \[::1\]:$PORT\$" ||
		explain "the line 'forkserver[$SERVER]: listening on [::1]:$PORT' (an IPv6 address in brackets, as in a URL)" \
			"$(syslog_lines | tail -n 3)" "$HANDOUT"
}

@test "a port in use: 'bind 127.0.0.1:PORT: Address already in use' and exit 1" {
	start_bg socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" /dev/null
	wait_until "socat to hold port $PORT" port_listening "$PORT"
	KIT_CMD_TIMEOUT=5	# (for this test) a server that does not fail runs for ever
	run --separate-stderr bounded forkserver -p "$PORT"
	(( status == 1 )) && [[ $stderr == *"bind 127.0.0.1:$PORT: Address already in use"* ]] ||
		explain "exit 1 and 'forkserver: bind 127.0.0.1:$PORT: Address already in use' on stderr" \
			"exit $(status_text), stderr '$stderr'" "$NOTES#listening"
}

@test "bad options get a message and exit 2" {
	local args
	KIT_CMD_TIMEOUT=5
	for args in "-p 0" "-p 65536" "-p 80x" "-p" "-a 1.2.3" "-a 1::2::3" "-x" "extra"; do
		# shellcheck disable=SC2086 # each string is split into its words
		run --separate-stderr bounded forkserver $args
		(( status == 2 )) && [[ -n $stderr ]] ||
			explain "forkserver $args: a message on stderr and exit 2" \
				"exit $(status_text), stderr '$stderr'" "$HANDOUT"
	done
}
