/*
 * echobench.c - the load generator of `make bench`: N connections to an
 * echo server, each sending a message, waiting for its echo, checking the
 * bytes and sending the next, for a while; then the rate, the latencies,
 * and what the server spent (CPU time and memory from /proc).
 *
 * Usage: echobench -p port [-c conns] [-s size] [-d seconds] [-w seconds]
 *                  [-P server-pid] [-r ramp] [-t seconds]
 *   -p port     the server's TCP port on 127.0.0.1
 *   -c conns    connections, all open at once (default 1)
 *   -s size     bytes of each message (default 64); each message is new
 *               bytes, NUL bytes included, and its echo must be exactly them
 *   -d seconds  how long to measure (default 2; a decimal is fine)
 *   -w seconds  warm-up before measuring (default 0.5)
 *   -P pid      the server: its CPU time and memory, with its children's
 *               (a fork-per-connection server is its whole process tree)
 *   -r ramp     connections being opened at once while ramping up
 *               (default 100): a connection counts as open when its first
 *               echo is back, so the server's accept queue never overflows
 *   -t seconds  deadline of the whole run, ramp included (default 120)
 * Prints one line of key=value on success (exit 0):
 *   conns size secs msgs rate (msgs/s) p50_us p99_us max_us ramp_s
 *   load_cpu (% of a core) srv_cpu (% of a core) srv_us_msg (server CPU
 *   per message) srv_procs srv_rss_kib srv_pss_kib (the tree's, at the
 *   end) pss_conn_b (growth of PSS since before the ramp, per connection)
 * Exit 1 on a wrong echo, a refused or reset connection or the deadline;
 * 2 on a usage error; 3 when the fd limit cannot be raised to conns.
 * Notes: README.md "Benchmarks"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONNECTING, BUSY, IDLE };	/* IDLE: ramped up, waiting for the start */

struct conn {
	int fd, state;
	size_t sent, got;
	long long t0;			/* when its message was sent, ns */
	unsigned long long gen;		/* the generator of its bytes */
	unsigned char *msg;		/* the message in flight */
};

struct srvstat {
	double cpu_s;
	long procs, rss_kib, pss_kib;
};

static int port, ep;
static long nconns = 1, ramp = 100;
static size_t size = 64;
static pid_t srv_pid;
static volatile sig_atomic_t stop;
static struct conn *cs;
static int recording;
static unsigned *lat;			/* latencies recorded, ns */
static size_t nlat, lat_cap;
static unsigned long long msgs;

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double
cpu_now(void)			/* this process's CPU seconds */
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static double
number(const char *s, char opt, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		errx(2, "-%c wants a number from %g to %g, not '%s'", opt, min, max, s);
	return v;
}

/* --- the server's CPU and memory, from /proc ------------------------------- */

static int
read_file(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t k;

	if (f == NULL)
		return -1;
	k = fread(buf, 1, n - 1, f);
	buf[k] = '\0';
	fclose(f);
	return 0;
}

/* a "Key:   123 kB" line of a /proc file, in KiB; 0 if absent */
static long
kib_of(const char *path, const char *key)
{
	char buf[8192], *p;

	if (read_file(path, buf, sizeof buf) == -1 || (p = strstr(buf, key)) == NULL)
		return 0;
	return strtol(p + strlen(key), NULL, 10);
}

/*
 * The tree of processes under root (root included): every /proc/N/stat
 * names its parent.  CPU is utime + stime of each, plus what root's
 * children that are already gone spent (cutime + cstime of root).
 * (schedstat's nanoseconds where there is one).  Memory (with_mem):
 * VmRSS from status, Pss from smaps_rollup.
 */
static void
tree_stat(pid_t root, int with_mem, struct srvstat *st)
{
	static pid_t *par;
	static signed char *in;
	static long pid_max;
	double tick = (double)sysconf(_SC_CLK_TCK);
	char path[64], buf[1024];
	DIR *d;
	struct dirent *e;

	memset(st, 0, sizeof *st);
	if (pid_max == 0) {
		pid_max = 4194304;
		if (read_file("/proc/sys/kernel/pid_max", buf, sizeof buf) == 0)
			pid_max = strtol(buf, NULL, 10) + 1;
		par = calloc((size_t)pid_max, sizeof *par);
		in = calloc((size_t)pid_max, 1);
		if (par == NULL || in == NULL)
			err(1, "calloc");
	}
	memset(par, 0, (size_t)pid_max * sizeof *par);
	memset(in, 0, (size_t)pid_max);
	if ((d = opendir("/proc")) == NULL)
		err(1, "opendir /proc");
	while ((e = readdir(d)) != NULL) {		/* pass 1: the parents */
		long pid;
		char *p;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, NULL, 10);
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if (pid >= pid_max || read_file(path, buf, sizeof buf) == -1 ||
		    (p = strrchr(buf, ')')) == NULL)
			continue;
		par[pid] = (pid_t)strtol(p + 4, NULL, 10);	/* ") S PPID" */
		if (par[pid] == 0)
			par[pid] = -1;
	}
	in[root] = 1;
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {		/* pass 2: the tree */
		unsigned long long ut, stm;
		long long cut, cst;
		long pid, a;
		char *p;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, NULL, 10);
		if (pid >= pid_max || par[pid] == 0)
			continue;
		for (a = pid; a > 0 && a != root && in[a] == 0; a = par[a])
			;
		if (a <= 0 || in[a] != 1)
			continue;
		for (long b = pid; b != a; b = par[b])	/* remember the path */
			in[b] = 1;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if (read_file(path, buf, sizeof buf) == -1 || (p = strrchr(buf, ')')) == NULL)
			continue;
		/* after ")": state ppid pgrp session tty tpgid flags minflt
		 * cminflt majflt cmajflt utime stime cutime cstime */
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld",
		    &ut, &stm, &cut, &cst) != 4)
			continue;
		st->procs++;
		/* schedstat: the time on a CPU in ns; stat's clock ticks are
		 * cut per process, too coarse for a thousand processes */
		snprintf(path, sizeof path, "/proc/%ld/schedstat", pid);
		if (read_file(path, buf, sizeof buf) == 0 && isdigit((unsigned char)buf[0]))
			st->cpu_s += (double)strtoull(buf, NULL, 10) / 1e9;
		else
			st->cpu_s += (double)(ut + stm) / tick;
		if (pid == root)
			st->cpu_s += (double)(cut + cst) / tick;
		if (with_mem) {
			snprintf(path, sizeof path, "/proc/%ld/status", pid);
			st->rss_kib += kib_of(path, "VmRSS:");
			snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", pid);
			st->pss_kib += kib_of(path, "Pss:");
		}
	}
	closedir(d);
}

/* --- the connections ------------------------------------------------------- */

static unsigned char
next_byte(unsigned long long *s)	/* xorshift: NUL bytes and all */
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned char)(*s >> 24);
}

static void
watch(struct conn *c, int op, unsigned events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (epoll_ctl(ep, op, c->fd, &ev) == -1)
		err(1, "epoll_ctl connection %ld", (long)(c - cs));
}

static void
open_conn(struct conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1;

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		err(1, "connection %ld: socket", (long)(c - cs));
	/* one small message at a time: Nagle would only add delay */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) == -1 && errno != EINPROGRESS)
		err(1, "connection %ld: connect 127.0.0.1:%d", (long)(c - cs), port);
	c->state = CONNECTING;
	watch(c, EPOLL_CTL_ADD, EPOLLOUT | EPOLLIN);
}

/* send what is left of the message; EPOLLOUT only while some is left */
static void
push(struct conn *c)
{
	ssize_t w;

	while (c->sent < size) {
		if ((w = send(c->fd, c->msg + c->sent, size - c->sent, MSG_NOSIGNAL)) == -1) {
			if (errno == EAGAIN) {
				watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
				return;
			}
			if (errno == EINTR)
				continue;
			err(1, "connection %ld: send", (long)(c - cs));
		}
		c->sent += (size_t)w;
	}
}

static void
start_msg(struct conn *c)
{
	for (size_t i = 0; i < size; i++)
		c->msg[i] = next_byte(&c->gen);
	c->sent = c->got = 0;
	c->state = BUSY;
	c->t0 = now_ns();
	push(c);
}

static void
record(long long ns)
{
	if (nlat == lat_cap) {
		size_t cap = lat_cap ? 2 * lat_cap : 65536;
		unsigned *p = realloc(lat, cap * sizeof *p);

		if (p == NULL)
			err(1, "realloc");
		lat = p;
		lat_cap = cap;
	}
	lat[nlat++] = ns > 4000000000LL ? 4000000000U : (unsigned)ns;
}

/* returns 1 when the message's whole echo is back */
static int
pull(struct conn *c)
{
	unsigned char buf[65536];
	ssize_t n;

	for (;;) {
		if ((n = recv(c->fd, buf, sizeof buf, 0)) == -1) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EINTR)
				continue;
			err(1, "connection %ld: receive after %zu of %zu bytes",
			    (long)(c - cs), c->got, size);
		}
		if (n == 0)
			errx(1, "connection %ld: the server closed the connection with "
			    "%zu of the %zu bytes of a message echoed", (long)(c - cs), c->got, size);
		if (c->got + (size_t)n > c->sent)
			errx(1, "connection %ld: %zu bytes came back, only %zu were sent",
			    (long)(c - cs), c->got + (size_t)n, c->sent);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != c->msg[c->got + (size_t)i])
				errx(1, "connection %ld: byte %zu of the echo is 0x%02x, "
				    "0x%02x was sent", (long)(c - cs), c->got + (size_t)i,
				    buf[i], c->msg[c->got + (size_t)i]);
		c->got += (size_t)n;
		if (c->got == size)
			return 1;
	}
}

/* one epoll_wait and its events; returns the connections that got ready */
static long
turn(int timeout_ms, int keep_going)
{
	struct epoll_event evs[1024];
	long ready = 0;
	int n;

	if ((n = epoll_wait(ep, evs, 1024, timeout_ms)) == -1) {
		if (errno == EINTR)
			return 0;
		err(1, "epoll_wait");
	}
	for (int i = 0; i < n; i++) {
		struct conn *c = evs[i].data.ptr;
		int e = 0;
		socklen_t len = sizeof e;

		if (c->state == CONNECTING) {
			if (!(evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
				continue;
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len);
			if (e != 0) {
				errno = e;
				err(1, "connection %ld: connect 127.0.0.1:%d", (long)(c - cs), port);
			}
			watch(c, EPOLL_CTL_MOD, EPOLLIN);
			start_msg(c);
			continue;
		}
		if ((evs[i].events & EPOLLOUT) && c->sent < size) {
			push(c);
			if (c->sent == size)
				watch(c, EPOLL_CTL_MOD, EPOLLIN);
		}
		if (!(evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) || c->state != BUSY)
			continue;
		if (!pull(c))
			continue;
		if (recording) {
			record(now_ns() - c->t0);
			msgs++;
		}
		if (keep_going)
			start_msg(c);
		else
			c->state = IDLE, ready++;
	}
	return ready;
}

static int
by_value(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Raise RLIMIT_NOFILE to what conns need, if allowed (root may raise the
 * hard limit up to fs.nr_open). */
static void
need_fds(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	if (rl.rlim_cur >= (rlim_t)n)
		return;
	rl.rlim_cur = (rlim_t)n;
	if (rl.rlim_max < (rlim_t)n)
		rl.rlim_max = (rlim_t)n;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		getrlimit(RLIMIT_NOFILE, &rl);
		fprintf(stderr, "echobench: %ld connections need %ld fds; the limit is "
		    "%llu (hard %llu) and cannot be raised: %s\n", nconns, n,
		    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
		    strerror(errno));
		exit(3);
	}
}

int
main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct srvstat base = { 0 }, s0 = { 0 }, s1 = { 0 };
	double secs = 2, warm = 0.5, limit = 120, c0, c1;
	long long deadline, t_ramp, t_end, t0, t1;
	long opened = 0, ramping = 0, ready = 0;
	unsigned char *msgs_buf;
	int c;

	while ((c = getopt(argc, argv, "p:c:s:d:w:P:r:t:")) != -1) {
		switch (c) {
		case 'p': port = (int)number(optarg, 'p', 1, 65535); break;
		case 'c': nconns = (long)number(optarg, 'c', 1, 1000000); break;
		case 's': size = (size_t)number(optarg, 's', 1, 1 << 20); break;
		case 'd': secs = number(optarg, 'd', 0.01, 3600); break;
		case 'w': warm = number(optarg, 'w', 0, 3600); break;
		case 'P': srv_pid = (pid_t)number(optarg, 'P', 1, 1 << 30); break;
		case 'r': ramp = (long)number(optarg, 'r', 1, 1000000); break;
		case 't': limit = number(optarg, 't', 1, 86400); break;
		default:
			fprintf(stderr, "usage: echobench -p port [-c conns] [-s size] [-d seconds] "
			    "[-w seconds] [-P server-pid] [-r ramp] [-t seconds]\n");
			return 2;
		}
	}
	if (port == 0 || optind != argc)
		errx(2, "a port (-p), and no other arguments");
	need_fds(nconns + 16);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	cs = calloc((size_t)nconns, sizeof *cs);
	msgs_buf = malloc((size_t)nconns * size);
	if (cs == NULL || msgs_buf == NULL)
		err(1, "malloc");
	for (long i = 0; i < nconns; i++) {
		cs[i].msg = msgs_buf + (size_t)i * size;
		cs[i].gen = 0x9e3779b97f4a7c15ULL ^ (unsigned long long)(i + 1) * 0x100000001b3ULL;
	}
	if (srv_pid > 0)
		tree_stat(srv_pid, 1, &base);
	deadline = now_ns() + (long long)(limit * 1e9);

	/* ramp up: at most `ramp` connections opening at once */
	t_ramp = now_ns();
	while (ready < nconns) {
		long r;

		while (opened < nconns && ramping < ramp) {
			open_conn(&cs[opened++]);
			ramping++;
		}
		if (stop || now_ns() > deadline)
			errx(1, "%s while ramping up: %ld of %ld connections echoed their "
			    "first message", stop ? "stopped" : "deadline passed", ready, nconns);
		r = turn(100, 0);
		ready += r;
		ramping -= r;
	}
	t_ramp = now_ns() - t_ramp;

	/* warm up, then measure */
	for (long i = 0; i < nconns; i++)
		start_msg(&cs[i]);
	t_end = now_ns() + (long long)(warm * 1e9);
	while (now_ns() < t_end && !stop)
		turn(10, 1);
	if (srv_pid > 0)
		tree_stat(srv_pid, 0, &s0);
	c0 = cpu_now();
	t0 = now_ns();
	recording = 1;
	t_end = t0 + (long long)(secs * 1e9);
	while (now_ns() < t_end && !stop) {
		if (now_ns() > deadline)
			errx(1, "deadline passed while measuring");
		turn(10, 1);
	}
	recording = 0;
	t1 = now_ns();
	c1 = cpu_now();
	if (srv_pid > 0)
		tree_stat(srv_pid, 1, &s1);
	if (stop)
		errx(1, "stopped by a signal");
	for (long i = 0; i < nconns; i++)
		close(cs[i].fd);

	double wall = (double)(t1 - t0) / 1e9;
	unsigned p50 = 0, p99 = 0, mx = 0;

	if (nlat > 0) {
		qsort(lat, nlat, sizeof *lat, by_value);
		p50 = lat[nlat / 2];
		p99 = lat[nlat * 99 / 100];
		mx = lat[nlat - 1];
	}
	printf("conns=%ld size=%zu secs=%.3f msgs=%llu rate=%.0f p50_us=%.1f p99_us=%.1f "
	    "max_us=%.1f ramp_s=%.3f load_cpu=%.1f", nconns, size, wall, msgs,
	    (double)msgs / wall, p50 / 1e3, p99 / 1e3, mx / 1e3, (double)t_ramp / 1e9,
	    100 * (c1 - c0) / wall);
	if (srv_pid > 0)
		printf(" srv_cpu=%.1f srv_us_msg=%.2f srv_procs=%ld srv_rss_kib=%ld "
		    "srv_pss_kib=%ld pss_conn_b=%.0f", 100 * (s1.cpu_s - s0.cpu_s) / wall,
		    msgs ? 1e6 * (s1.cpu_s - s0.cpu_s) / (double)msgs : 0.0, s1.procs,
		    s1.rss_kib, s1.pss_kib,
		    1024.0 * (double)(s1.pss_kib - base.pss_kib) / (double)nconns);
	printf("\n");
	return 0;
}
