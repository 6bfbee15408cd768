#!/usr/bin/env bats
# Step 3: level-triggered, shown by experiment: with -r 1 (one byte a
# read), the whole line still comes back, because epoll reports the
# socket again at each wait while unread bytes are there.
# bats file_tags=step3

load '../../../checker/lib/kit'
load epollserver

@test "LT with -r 1: a 100-byte line comes back whole, in at least 100 wake-ups" {
	serve -m lt -r 1
	open_client
	send "A$(printf 'b%.0s' {1..99})"
	wait_until "the 100 bytes back" reply_at_least 100 ||
		explain "the whole 100-byte line back (epoll_wait reports the socket as long as bytes wait)" \
			"$(reply_size) bytes back" "$NOTES#level-triggered"
	stats
	(( BYTES_IN == 100 && WAKEUPS >= 100 )) ||
		explain "100 bytes in, one a wake-up: at least 100 wake-ups" \
			"$BYTES_IN bytes in, $WAKEUPS wake-ups" "$NOTES#level-triggered"
}

@test "LT: 1000 idle connections cost no CPU" {
	serve -m lt
	hold -c 1000 -s 10
	! spins "$SERVER" ||
		explain "under 0.1 s of CPU in 1 s, and busy at fewer than 15 of 20 looks, with 1000 idle connections" \
			"$SPIN_SEEN: the loop spins (EPOLLOUT watched with nothing to send?)" \
			"$NOTES#watch-for-output-only-when-there-is-some"
}
