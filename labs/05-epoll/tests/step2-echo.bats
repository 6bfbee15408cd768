#!/usr/bin/env bats
# Step 2: a state per connection, and the level-triggered echo: every
# client gets back exactly its own bytes, however many are connected.
# bats file_tags=step2

load '../../../checker/lib/kit'
load epollserver

@test "LT: 1 MiB of random bytes comes back byte-exact (socat as the client)" {
	serve -m lt
	head -c 1M /dev/urandom >"$BATS_TEST_TMPDIR/in"
	bounded socat -t 10 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" || true
	cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" ||
		explain "the same 1048576 bytes back, NUL bytes included" \
			"$(wc -c <"$BATS_TEST_TMPDIR/out") bytes; $(cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" 2>&1 | head -n 1)" \
			"$NOTES#a-state-per-connection"
}

@test "LT over IPv6 (-a ::1): a client gets its bytes back" {
	has_ipv6_loopback || skip "this sandbox has no ::1 (IPv6 is off here): IPv6 is tested where it is on"
	serve -m lt -a ::1
	run tcp_exchange "$PORT" ::1 <<<"over IPv6"
	[[ $output == "over IPv6" ]] ||
		explain "'over IPv6' back from [::1]:$PORT (socat)" "exit $(status_text), '$output'" \
			"notes/04-fork-server.md#names-to-addresses-getaddrinfo"
}

@test "LT: 200 clients at once, each gets back exactly its own 64 KiB" {
	serve -m lt
	# small receive buffers: replies wait in the server, interleaved
	load_ok "each of 200 clients, connected at the same time, gets back its own bytes" \
		"$NOTES#a-state-per-connection" -n 200 -c 200 -s 64K -b 4096 -t 15
}

@test "LT: 2000 connections one after another, each echoed and closed, no error logged" {
	serve -m lt
	load_ok "2000 connections echoed and closed (the server closes at the client's end of input)" \
		"$NOTES#a-state-per-connection" -n 2000 -s 100 -t 15
	stats
	(( NOW == 0 )) ||
		explain "0 connections open after the clients have gone" "$NOW" "$NOTES#a-state-per-connection"
	# (an empty accept queue, EAGAIN, is how the loop ends: no error)
	syslog_clean epollserver
}
