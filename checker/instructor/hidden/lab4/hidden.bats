#!/usr/bin/env bats
# Hidden tests of lab 4, run by checker/instructor/grade and never shipped to students
# (make handout leaves checker/instructor/hidden/ out): what the public tests leave open.
# Each is shown able to fail by a known-bad variant in checker/maint/mutants/lab4/.

load '../../../../checker/lib/kit'
load '../../../../labs/04-fork-server/tests/forkserver'

# bats test_tags=step1
@test "-a with an IPv4 address that is not this machine's: 'bind ADDR:PORT: Cannot assign requested address', exit 1" {
	# 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine's own address
	KIT_CMD_TIMEOUT=3 run --separate-stderr bounded forkserver -p "$PORT" -a 192.0.2.1
	(( status == 1 )) && [[ $stderr == *"bind 192.0.2.1:$PORT: Cannot assign requested address"* ]] ||
		explain "exit 1 and 'forkserver: bind 192.0.2.1:$PORT: Cannot assign requested address' (not another address instead)" \
			"exit $(status_text), stderr '$stderr'" "$NOTES#listening"
	! port_listening "$PORT" || explain "nothing listening on port $PORT" "something listens" "$NOTES#listening"
}

# bats test_tags=step2
@test "echoclient with a host name: 'localhost' is looked up, and the bytes come back" {
	serve
	head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	local rc=0
	bounded echoclient -p "$PORT" localhost <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	(( rc == 0 )) && cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" ||
		explain "echoclient -p $PORT localhost: the 65536 bytes back, exit 0 (a host is a name or an address: getaddrinfo, each address in turn)" \
			"exit $(status_text "$rc"), $(wc -c <"$BATS_TEST_TMPDIR/out") bytes back, stderr '$(head -c 200 "$BATS_TEST_TMPDIR/err")'" \
			"$HANDOUT"
}

# only_012 CMD... - exec CMD with every fd above 2 closed
only_012() {
	local fd
	for fd in /proc/"$BASHPID"/fd/*; do
		fd=${fd##*/}
		(( fd > 2 )) && eval "exec $fd>&-" 2>/dev/null
	done
	exec "$@"
}

# bats test_tags=step3
@test "the child holds stdin, stdout, stderr, its connection and the log's socket, nothing of the parent's" {
	# the server gets no fd of the harness's but 0-2: what the child holds
	# beyond them, it opened or kept itself
	start_server only_012 forkserver -p "$PORT"
	hold -c 1 -s 10
	wait_kids 1
	local kid fds others sockets
	kid=$(kids | head -n 1)
	fds=$(proc_fds "$kid")
	# beyond 0-2: sockets only (the connection, and syslog's), two at most
	others=$(awk '$1 > 2 && $2 !~ /^socket:/' <<<"$fds" | wc -l)
	sockets=$(awk '$1 > 2 && $2 ~ /^socket:/' <<<"$fds" | wc -l)
	(( others == 0 && sockets >= 1 && sockets <= 2 )) ||
		explain "child $kid: fds 0, 1, 2, its connection and at most the syslog socket (no self-pipe, no listener)" \
			"$(tr '\n' ';' <<<"$fds")" "$NOTES#who-closes-what"
}
