# lab5.sh - make demo-lab5, run by checker/student/demo, which documents
# the helpers: one process and one thread for many clients; then the
# experiment of the lab: one byte read per event, level- against
# edge-triggered.
# shellcheck shell=bash disable=SC2034

DEMO_TITLE="The epoll echo server, live: one process, one thread, many clients; level- against edge-triggered"
DEMO_PROGS="epollserver"

PATH=$PATH:${HARNESS_TOOLS:-}
nfds() { find "/proc/$SRV/fd" -mindepth 1 2>/dev/null | wc -l; }
# (accepted: a connection the kernel has set up but epollserver has not
# accepted yet is established too, and belongs to no process)
conns() { ss -Htnp state established "sport = :$PORT" | grep -c "pid=$SRV,"; }
one_thread() { [[ $(ps_of "$SRV" nlwp) == 1 && -z $(children "$SRV") ]]; }
stats_say() { [[ $STATS == *"$1"* ]]; }
# stats - SIGUSR1, then epollserver's counters line (in STATS)
stats() {
	local n
	n=$(nstats)
	say kill -USR1 "$SRV"
	await "the counters in the log" stats_after "$n"
	STATS=$(grep "epollserver\[$SRV\]: stats" "$HARNESS_SYSLOG" | tail -n 1)
}
stats_after() { [[ $(grep -c "epollserver\[$SRV\]: stats" "$HARNESS_SYSLOG") -gt $1 ]]; }
nstats() { grep -c "epollserver\[$SRV\]: stats" "$HARNESS_SYSLOG"; }

# start_server ARGS... - epollserver in the background, listening
start_server() {
	say_bg epollserver -p "$PORT" "$@"
	SRV=$BG_PID
	await "epollserver to listen on port $PORT" listening || give_up "epollserver does not listen on port $PORT"
}
stop_server() {
	say kill -TERM "$SRV"
	reap epollserver "$SRV" 0
}

demo_scenario() {
	step "1. start (level-triggered, the default): one process, one thread"
	start_server
	tree
	say ps -o pid,nlwp,cmd -p "$SRV"
	expect "one thread (NLWP 1), no child" one_thread
	log

	step "2. a client session: byte-exact echo; the end of its input is answered by a close"
	client "hello, epoll world"
	log

	step "3. 200 clients connected at once: still one process, one thread; 200 more fds"
	say_bg echoload -p "$PORT" -h -c 200 -n 200 -s 16 -t 60 -q
	local load=$BG_PID
	await "epollserver to accept the 200 connections" eval "(( \$(conns) >= 200 ))"
	tree
	say ps -o pid,nlwp,rss,cmd -p "$SRV"
	expect "still one thread (NLWP 1), no child" one_thread
	note "epollserver has $(nfds) fds open: the listener, the epoll instance, the clients' sockets"
	stats
	log
	expect "the counters: 200 connections now" stats_say ' 200 connections now'
	note "SIGTERM with the 200 clients still connected: it closes them all, then exits"
	stop_server
	log
	kill -TERM "$load" 2>/dev/null
	reap echoload "$load"

	local fd back
	step "4. the experiment, level-triggered, reading 1 byte per event (-r 1): 'hello' comes back whole"
	start_server -m lt -r 1
	note "a client sends 'hello', 5 bytes, and keeps the connection open"
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'hello' >&"$fd"
	back=$(timeout 10 head -c 5 <&"$fd")
	note "back: '$back': the 4 bytes left after each read make epoll_wait report the socket again"
	expect "'hello' back" [ "$back" == hello ]
	exec {fd}>&-
	stop_server
	log

	step "5. the same, edge-triggered (-m et -r 1): one byte comes back; the rest waits for the next edge"
	start_server -m et -r 1
	note "a client sends 'hello', 5 bytes, and keeps the connection open"
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'hello' >&"$fd"
	back=$(timeout 10 head -c 1 <&"$fd")
	# (whatever else would come within half a second: nothing should)
	back+=$(timeout 0.5 cat <&"$fd")
	note "back: '$back': no new bytes, no new edge, no event: 'ello' waits in the socket"
	expect "'h' back, and only that" [ "$back" == h ]
	note "the client sends one byte more, '!': an edge, so one more read"
	printf '!' >&"$fd"
	back=$(timeout 10 head -c 1 <&"$fd")
	note "back: '$back': the second byte of 'hello', not the '!'"
	expect "'e' back" [ "$back" == e ]
	stats
	log
	expect "the counters: 2 bytes in, 2 out (one read per edge)" stats_say ' 2 bytes in, 2 out'
	note "this is why edge-triggered code reads until EAGAIN"
	exec {fd}>&-
	stop_server
	log
}
