#!/usr/bin/env bats
# Step 4: edge-triggered.  An event comes when new bytes arrive, not while
# bytes wait: read until EAGAIN, or what is left waits for the next
# bytes the client sends.
# bats file_tags=step4

load '../../../checker/lib/kit'
load epollserver

@test "ET with -r 1: one byte back per arrival, the rest waits until the client sends again" {
	serve -m et -r 1
	open_client
	send "A$(printf 'b%.0s' {1..99})"
	wait_until "the first byte back" reply_at_least 1 ||
		explain "the first byte back" "nothing" "$NOTES#edge-triggered"
	stats
	(( BYTES_IN == 1 )) ||
		explain "1 byte read of the 100: no event comes for the 99 bytes that wait (-m et: EPOLLET)" \
			"$BYTES_IN bytes read, $(reply_size) back" "$NOTES#edge-triggered"
	send "Z"			# new bytes: a new edge
	wait_until "a second byte back" reply_at_least 2 ||
		explain "a second byte back once the client sends again" "$(reply_size) byte(s)" "$NOTES#edge-triggered"
	[[ $(cat "$REPLY_FILE") == Ab ]] ||
		explain "'Ab': the second byte of the first line, which was waiting" "'$(cat "$REPLY_FILE")'" \
			"$NOTES#edge-triggered"
}

@test "ET: 200 clients at once, each gets back exactly its own 64 KiB" {
	serve -m et
	load_ok "each of 200 clients, connected at the same time, gets back its own bytes (read until EAGAIN)" \
		"$NOTES#edge-triggered" -n 200 -c 200 -s 64K -t 15
}

@test "ET: 16 MiB through echoclient-like streaming (socat), byte-exact" {
	serve -m et
	head -c 16M /dev/urandom >"$BATS_TEST_TMPDIR/in"
	KIT_CMD_TIMEOUT=30 bounded socat -t 20 - "TCP:127.0.0.1:$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" || true
	cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" ||
		explain "the same 16 MiB back" "$(wc -c <"$BATS_TEST_TMPDIR/out") bytes" "$NOTES#edge-triggered"
}

@test "ET: 1000 idle connections cost no CPU" {
	serve -m et
	hold -c 1000 -s 10
	! spins "$SERVER" ||
		explain "under 0.1 s of CPU in 1 s, and busy at fewer than 15 of 20 looks, with 1000 idle connections" \
			"$SPIN_SEEN: the loop spins" "$NOTES#edge-triggered"
}
