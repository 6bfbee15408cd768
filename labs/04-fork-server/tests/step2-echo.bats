#!/usr/bin/env bats
# Step 2: accept and echo - every byte back, unchanged, whatever the
# client (socat, echoload, echoclient); the client, with its half-close;
# accept errors that do not turn into a busy loop.
# bats file_tags=step2

load '../../../checker/lib/kit'
load forkserver

@test "1 MiB of random bytes comes back byte-exact (socat as the client)" {
	serve
	head -c 1M /dev/urandom >"$BATS_TEST_TMPDIR/in"
	bounded socat -t 10 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" || true
	cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" ||
		explain "the same 1048576 bytes back, NUL bytes included" \
			"$(wc -c <"$BATS_TEST_TMPDIR/out") bytes; $(cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" 2>&1 | head -n 1)" \
			"$NOTES#echo"
}

@test "over IPv6 (-a ::1): socat and echoclient get their bytes back" {
	has_ipv6_loopback || skip "this sandbox has no ::1 (IPv6 is off here): IPv6 is tested where it is on"
	serve -a ::1
	run tcp_exchange "$PORT" ::1 <<<"over IPv6"
	[[ $output == "over IPv6" ]] ||
		explain "'over IPv6' back from [::1]:$PORT (socat)" "exit $(status_text), '$output'" "$NOTES#names-to-addresses-getaddrinfo"
	run --separate-stderr bounded echoclient -p "$PORT" ::1 <<<"echoclient over IPv6"
	(( status == 0 )) && [[ $output == "echoclient over IPv6" ]] ||
		explain "echoclient -p $PORT ::1: the line back, exit 0" \
			"exit $(status_text), '$output', stderr '$stderr'" "$NOTES#names-to-addresses-getaddrinfo"
}

@test "a 1024-byte and a 1025-byte message come back exactly, no more, no less" {
	serve
	load_ok "1024 bytes sent, the same 1024 bytes back" "$NOTES#echo" -s 1024
	load_ok "1025 bytes sent, the same 1025 bytes back" "$NOTES#echo" -s 1025
	load_ok "3 bytes sent, the same 3 bytes back" "$NOTES#echo" -s 3
}

@test "echoclient: 1 MiB of random bytes in, the same bytes out, exit 0" {
	serve
	head -c 1M /dev/urandom >"$BATS_TEST_TMPDIR/in"
	bounded echoclient -p "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" ||
		explain "echoclient exits 0 once the server has closed its side" \
			"exit $(status_text $?), stderr '$(head -c 300 "$BATS_TEST_TMPDIR/err")'" "$NOTES#half-close"
	cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" ||
		explain "the same 1048576 bytes on echoclient's stdout (it half-closes at the end of its input, then prints the rest)" \
			"$(wc -c <"$BATS_TEST_TMPDIR/out") bytes" "$NOTES#half-close"
}

@test "echoclient sends and receives at once: 16 MiB through it without a deadlock" {
	serve
	head -c 16M /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local rc=0
	KIT_CMD_TIMEOUT=15 bounded echoclient -p "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>/dev/null || rc=$?
	cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" ||
		explain "16 MiB back within 15 s, exit 0" \
			"$(wc -c <"$BATS_TEST_TMPDIR/out") bytes, exit $(status_text "$rc") (a client that writes everything before it reads waits for the server, which waits for it)" \
			"$NOTES#half-close"
}

@test "echoclient with no server: 'connect 127.0.0.1:PORT: Connection refused', exit 1" {
	run --separate-stderr bounded echoclient -p "$PORT" </dev/null
	(( status == 1 )) && [[ $stderr == *"connect 127.0.0.1:$PORT: Connection refused"* ]] ||
		explain "exit 1 and 'echoclient: connect 127.0.0.1:$PORT: Connection refused' on stderr" \
			"exit $(status_text), stderr '$stderr'" "$HANDOUT"
}

@test "echoclient: a bad port is a usage error (exit 2), a bad host an error (exit 1)" {
	local args
	for args in "-p 0" "-p 70000" "-p x1" "-y" "a b"; do
		# shellcheck disable=SC2086 # each string is split into its words
		run --separate-stderr bounded echoclient $args </dev/null
		(( status == 2 )) && [[ -n $stderr ]] ||
			explain "echoclient $args: a message on stderr and exit 2" \
				"exit $(status_text), stderr '$stderr'" "$HANDOUT"
	done
	run --separate-stderr bounded echoclient -p "$PORT" no-such-host.invalid </dev/null
	(( status == 1 )) && [[ $stderr == *no-such-host.invalid* ]] ||
		explain "exit 1 and a message that names no-such-host.invalid" \
			"exit $(status_text), stderr '$stderr'" "$HANDOUT"
}

@test "accept fails with EMFILE: no busy loop, and clients are served again once fds are free" {
	serve
	local lim
	lim=$(lowest_free_fd "$SERVER")
	prlimit --pid "$SERVER" --nofile="$lim:"	# its next fd is one too many
	start_bg -o "$BATS_TEST_TMPDIR/load.out" echoload -p "$PORT" -s 16 -t 30
	local client=$BG_PID
	syslog_wait forkserver "$SERVER" '^accept: ' ||
		explain "a line 'accept: Too many open files ...' once accept fails" \
			"$(syslog_lines forkserver | tail -n 3)" "$NOTES#accept-errors"
	! spins "$SERVER" ||
		explain "under 0.1 s of CPU in 1 s, and busy at fewer than 15 of 20 looks, while accept keeps failing (pause before trying again)" \
			"$SPIN_SEEN: a busy loop" "$NOTES#accept-errors"
	prlimit --pid "$SERVER" --nofile=1024:
	exited_with "$client" && (( RC == 0 )) ||
		explain "the waiting client served once fds are free again" \
			"$(cat "$BATS_TEST_TMPDIR/load.out" "$BG_ERR") (exit $(status_text "${RC:-124}"))" "$NOTES#accept-errors"
}
