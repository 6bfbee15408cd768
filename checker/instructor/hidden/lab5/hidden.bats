#!/usr/bin/env bats
# Hidden tests of lab 5, run by checker/instructor/grade and never shipped to students
# (make handout leaves checker/instructor/hidden/ out): what the public tests leave open.
# Each is shown able to fail by a known-bad variant in checker/maint/mutants/lab5/.

load '../../../../checker/lib/kit'
load '../../../../labs/05-epoll/tests/epollserver'

# bats test_tags=step1
@test "-a with an IPv4 address that is not this machine's: 'bind ADDR:PORT: Cannot assign requested address', exit 1" {
	# 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine's own address
	KIT_CMD_TIMEOUT=3 run --separate-stderr bounded epollserver -p "$PORT" -a 192.0.2.1
	(( status == 1 )) && [[ $stderr == *"bind 192.0.2.1:$PORT: Cannot assign requested address"* ]] ||
		explain "exit 1 and 'epollserver: bind 192.0.2.1:$PORT: Cannot assign requested address' (not another address instead)" \
			"exit $(status_text), stderr '$stderr'" "$HANDOUT"
	! port_listening "$PORT" || explain "nothing listening on port $PORT" "something listens" "$HANDOUT"
}

_none_now() { stats; (( NOW == 0 )); }

# bats test_tags=step6
@test "clients that reset are closed and counted: 'connections now' back to 0, each one in 'in all'" {
	local m
	for m in lt et; do
		serve -m "$m"
		# each sends 16 KiB, reads nothing, then resets (SO_LINGER 0)
		load_ok "10 clients send, then reset" "$NOTES#counters" -R -n 10 -c 10 -s 16K -t 10
		wait_until -t 5 "'0 connections now' after the resets" _none_now ||
			explain "-m $m: 'stats: 0 connections now, 10 in all' once the 10 clients have reset (a reset connection goes through close_conn)" \
				"$NOW now, $TOTAL in all" "$NOTES#counters"
		(( TOTAL == 10 )) ||
			explain "-m $m: 10 in all" "$TOTAL in all" "$NOTES#counters"
		load_ok "-m $m: the next client served" "$NOTES#counters" -s 1000 -t 5
		stop_pid "$SERVER"
	done
}
