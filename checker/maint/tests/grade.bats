#!/usr/bin/env bats
# grade.bats - the grader's own test: a synthetic class of 20 entries (the
# reference, the starter, known-bad variants, one that does not compile,
# hostile ones, and what instructors' folders hold: a name with accents
# and a space, .ZIP and .tar archives, a symlinked clone, an archive over
# the limit, a symlinked source, a stray file) graded on lab 1 into a
# private directory; beside it, in the background, the reference as a
# .tar.gz on every lab and as a .zip of lab 1, the reference and a reader
# in the other kind of sandbox, and --valgrind; then two gradings at once from launchers that
# ignore signals, --only, --rescore, a bad rubric, a kit in a private
# directory, the platforms' entry points.  Run by checker/maint/selftest,
# outside the sandbox (checker/instructor/grade makes its own), as root:
# `bats checker/maint/tests/grade.bats`.
#
# The hostile programs print what they managed as their one line of
# output (on their first run in lab 1's first test file, for the fork bomb,
# the loop, the disk filler and the flood); a test fails on it, so it
# lands in the run's TAP files, where the tests below look for it.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

KIT=$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)
# shellcheck source=checker/lib/common.bash
source "$KIT/checker/lib/common.bash"	# poll_until
G=$KIT/build/grade-selftest
SUBS=$G/class
# the class's results in a directory only root may enter (as a home is),
# outside /tmp
OUT=$G/private/out
MUTANTS=(setsid-unchecked usage-exits-zero no-flush-before-fork umask-not-restored)
# how each variant is handed in: its id is the name without the extension
MUTANT_EXT=(.tar.gz .ZIP .tar .zip)
HOSTILE=(h-forkbomb h-loop h-disk h-flood h-reader h-include h-killer h-net)
# the entries refused whole, and the other odd ones: id and what its row says
REFUSED=(big notes.pdf)
# the students' names as an instructor's folder has them
JOSE='José García'
STAGE_GLOB=/var/tmp/kit-grade.

# hostile NAME C-SOURCE - a submission whose procinfo.c is C-SOURCE
# FIRST_RUN - C that a hostile program starts with: first_run(NAME) is
# true on the program's first run in the sandbox of lab 1's first test
# file, step1-* (it makes the file NAME.ran in its TMPDIR, else /tmp: both
# the sandbox's own; Bats names the file in BATS_TEST_FILENAME), and when
# it cannot tell
FIRST_RUN='#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static int first_run(const char *name) {
	const char *file = getenv("BATS_TEST_FILENAME");
	if (file != NULL && strstr(file, "/step1-") == NULL)
		return 0;
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.ran", dir && *dir ? dir : "/tmp", name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd != -1) close(fd);
	return fd != -1 || errno != EEXIST;
}'
hostile() {
	mkdir -p "$SUBS/$1/labs/01-sessions"
	printf '%s\n' "$2" >"$SUBS/$1/labs/01-sessions/procinfo.c"
}

# stray_processes [DIR] - the processes of the grading uids (61000 and
# up), and any process that names DIR (a grading's output: a sandbox of it)
stray_processes() {
	ps -e -o uid=,pid=,args= | awk -v dir="${1-}" '($1 >= 61000 && $1 < 65534) || (dir != "" && index($0, dir))' |
		grep -v -e ' awk ' -e ' ps '
}

# no_strays [DIR] - stray_processes finds none
no_strays() { [[ -z $(stray_processes "$@") ]]; }

# BG - the gradings setup_file starts in the background, beside the class
# (their tests read the results): the reference as archives on every lab,
# the other kind of sandbox, --valgrind
BG=(class2 other-kind vg)
# in_bg LOG CMD... - CMD in the background, in GENV's environment,
# bounded as a grading is (GRADE_TIMEOUT, 1200 s): its output in LOG, its
# timeout's pid in LOG.pid (a TERM to it stops the grading), then the
# seconds it took in LOG.seconds and its exit status in LOG.rc
in_bg() {
	local log=$1
	shift
	{
		local t0=$SECONDS rc=0
		# (env execs timeout(1): that pid, which passes a TERM on)
		env "${GENV[@]}" timeout -k 10 "${GRADE_TIMEOUT:-1200}" "$@" >"$log" 2>&1 &
		echo "$!" >"$log.pid"
		# (this subshell has Bats' errexit: a failed command must still
		# leave its status for the test to show)
		wait "$!" || rc=$?
		echo "$((SECONDS - t0))" >"$log.seconds"
		echo "$rc" >"$log.rc"
	} 3>&- 4>&- &
}
# in_bg_done LOG - the command in_bg ran for LOG has ended (false after
# the longest it may take)
in_bg_done() { poll_until -i 0.5 $(( ${GRADE_TIMEOUT:-1200} + 30 )) test -s "$1.rc"; }
# in_bg_ok LOG - fail unless the command in_bg ran for LOG ended with status 0
in_bg_ok() {
	in_bg_done "$1" ||
		fail "expected: the command in the background to end; seen: it still runs; the end of its output ($1): $(tail -n 20 "$1" 2>/dev/null)"
	[[ $(cat "$1.rc") == 0 ]] ||
		fail "expected: exit status 0; seen: $(cat "$1.rc"); the end of its output ($1):
$(tail -n 20 "$1" 2>/dev/null)"
}
# bg_grade NAME [VAR=VALUE...] ARG... - checker/instructor/grade ARGs through
# in_bg, its log $G/NAME.log
bg_grade() {
	local name=$1 vars=()
	shift
	while [[ $1 == [A-Z]*=* ]]; do vars+=("$1"); shift; done
	grade_env ${vars[@]+"${vars[@]}"}
	: >"$G/$name.started"
	in_bg "$G/$name.log" "$KIT/checker/instructor/grade" "$@"
}
# BG - the gradings setup_file starts in the background, beside the class
# (their tests read the results): the reference as archives on every lab,
# the other kind of sandbox, --valgrind
BG=(class2 other-kind vg)
# bg_all_done - every one of them has ended (the tests that look for
# anything left wait for them: run alone with bats -f, they come before
# their own tests)
bg_all_done() {
	local name
	for name in "${BG[@]}"; do
		[[ ! -f $G/$name.started ]] || in_bg_done "$G/$name.log" || return 1
	done
}

# grade_env [VAR=VALUE...] - GENV: the arguments of env(1) that make the
# environment checker/instructor/grade is run in here: a shell's (not this Bats' nor
# a sandbox's: checker/core/run-tests may run this file in the fallback
# sandbox), with VARs.  The limits of a test and a test file are the
# grader's own (those of make check): with shorter ones, a reference graded
# beside the self-test's labs lost a test cut by its file's 60 s (CI: 68 of
# 70), a verdict no real grading would give
grade_env() {
	local v
	GENV=()
	for v in $(compgen -e); do
		[[ $v == BATS_* || $v == HARNESS_* || $v == LAB_* || $v == KIT_* || $v == LD_PRELOAD || $v == TMPDIR ]] && GENV+=(-u "$v")
	done
	# (and Bats' libexec off PATH: its `bats` wants what this Bats exports)
	v=:$PATH:
	v=${v//:${BATS_LIBEXEC:-/usr/libexec/bats-core}:/:}
	v=${v#:} v=${v%:}
	GENV+=(PATH="$v" "$@")
}

# grade [VAR=VALUE...] ARG... - checker/instructor/grade ARGs, bounded (GRADE_TIMEOUT,
# 1200 s: the class of 20 took more than 480 s beside the self-test's labs), without Bats' descriptors 3 and 4 (a process left behind must not
# keep Bats waiting for their end)
grade() {
	local vars=()
	while [[ $1 == [A-Z]*=* ]]; do vars+=("$1"); shift; done
	grade_env ${vars[@]+"${vars[@]}"}
	env "${GENV[@]}" timeout -k 10 "${GRADE_TIMEOUT:-1200}" "$KIT/checker/instructor/grade" "$@" 3>&- 4>&-
}

setup_file() {
	# (each test skips, saying why: this Bats cannot skip in setup_file)
	export GRADE_SKIP=''
	if [[ $(id -u) -ne 0 ]]; then
		GRADE_SKIP="checker/instructor/grade's containment is tested as root"
		return 0
	fi
	# in a kit sandbox that dropped root's capabilities (run-tests' bwrap or
	# unshare), checker/instructor/grade can make no sandbox, nor switch uids
	if [[ $(awk '/^CapEff:/ { print $2 }' /proc/self/status) == 0000000000000000 ]]; then
		GRADE_SKIP="root without capabilities here (in a kit sandbox?): run this file with bats, or HARNESS_SANDBOX=fallback checker/core/run-tests"
		return 0
	fi
	rm -rf "$G"
	mkdir -p "$SUBS" "$G/private"
	chmod 0700 "$G/private"
	local l=01-sessions m
	ls /tmp >"$G/tmp-before"
	ls /var/tmp >"$G/var-tmp-before"

	# the reference, as a whole clone whose own tests and Makefile would
	# pass anything: they are ignored
	mkdir -p "$SUBS/ref/labs/$l/tests"
	cp "$KIT/solutions/$l/procinfo.c" "$SUBS/ref/labs/$l/"
	printf '@test "always" { true; }\n' >"$SUBS/ref/labs/$l/tests/step1-identity.bats"
	printf 'check-lab1:\n\t@echo 22 passed, 0 failed\n' >"$SUBS/ref/Makefile"
	# the starter, as a labs/ folder
	mkdir -p "$SUBS/starter/$l"
	cp "$KIT/labs/$l/procinfo.c" "$SUBS/starter/$l/"
	# the known-bad variants, as archives of each kind (MUTANT_EXT)
	local i
	for i in "${!MUTANTS[@]}"; do
		m=${MUTANTS[i]}
		mkdir -p "$G/m/$m/labs"
		cp -r "$KIT/solutions/$l" "$G/m/$m/labs/"
		patch -s -d "$G/m/$m/labs/$l" -p1 <"$KIT/checker/maint/mutants/lab1/$m.patch"
		case ${MUTANT_EXT[i]} in
		.tar.gz) tar -czf "$SUBS/$m.tar.gz" -C "$G/m" "$m" ;;
		.tar) tar -cf "$SUBS/$m.tar" -C "$G/m" "$m" ;;
		*) (cd "$G/m" && zip -qr "$SUBS/$m${MUTANT_EXT[i]}" "$m") ;;
		esac
	done
	# a name with accents and a space; a clone elsewhere, symlinked in
	mkdir -p "$SUBS/$JOSE/labs/$l" "$G/elsewhere/clone/labs/$l"
	cp "$KIT/solutions/$l/procinfo.c" "$SUBS/$JOSE/labs/$l/"
	cp "$KIT/solutions/$l/procinfo.c" "$G/elsewhere/clone/labs/$l/"
	ln -s "$G/elsewhere/clone" "$SUBS/linked"
	# an archive over the limit (a core dump committed by mistake: 110 MiB
	# of zeros, 110 KiB packed), a source that is a symlink, a stray file
	mkdir -p "$G/big/big/labs/$l"
	cp "$KIT/solutions/$l/procinfo.c" "$G/big/big/labs/$l/"
	head -c $((110 << 20)) /dev/zero >"$G/big/big/core"
	tar -czf "$SUBS/big.tar.gz" -C "$G/big" big
	rm -rf "$G/big"
	mkdir -p "$SUBS/symc/labs/$l"
	ln -s /etc/shadow "$SUBS/symc/labs/$l/procinfo.c"
	echo "my notes" >"$SUBS/notes.pdf"
	# one that does not compile
	mkdir -p "$SUBS/broken/labs/$l"
	sed 's/^main(/main(int oops, /' "$KIT/solutions/$l/procinfo.c" >"$SUBS/broken/labs/$l/procinfo.c"
	echo 'int this is not C;' >>"$SUBS/broken/labs/$l/procinfo.c"

	# --- the hostile ones
	hostile h-forkbomb "$FIRST_RUN"'
int main(void) {	/* fork until it fails (stops at 5000: the limit is lower); */
	int n = 0;	/* the processes last 5 s, so that the class is graded quickly */
	if (!first_run("h-forkbomb"))
		return 1;
	while (n < 5000) {
		pid_t p = fork();
		if (p == -1) break;
		if (p == 0) { sleep(5); _exit(0); }
		n++;
	}
	/* and, for the reports, a backslash, quotes and a tab: JSON, XML and
	   Markdown must carry them whole; and a byte that is not UTF-8 */
	printf("forkbomb: %d processes (C:\\ \"q\"\tT) \xff\n", n);
	return 0;
}'
	# the fork bomb, the infinite loop, the disk filler and the flood do
	# their harm on their first run in the first step's test file, and end
	# at once everywhere else: the limits (the same for every file) are
	# proven once, not paid for in each of the two dozen tests (the loop
	# and the flood were 42 CPU-s of the class's grading), nor in each of
	# the seven files (14 CPU-s more)
	hostile h-loop "$FIRST_RUN
int main(void) {
	if (first_run(\"h-loop\"))
		for (;;) ;
	return 1;
}"
	hostile h-disk "$FIRST_RUN"'
#include <signal.h>
static char buf[1 << 20];
int main(void) {	/* fill each writable place (stops at 400 MiB: the limits are lower) */
	if (!first_run("h-disk"))
		return 1;
	const char *dirs[] = { "/tmp", "/var/tmp", "/dev/shm", "." };
	char path[256];
	signal(SIGXFSZ, SIG_IGN);
	memset(buf, 120, sizeof buf);
	printf("disk:");
	for (int d = 0; d < 4; d++) {
		long mib = 0; int f = 0, e = 0;
		for (; f < 100 && mib < 400 && !e; f++) {
			snprintf(path, sizeof path, "%s/fill.%d.%d", dirs[d], (int)getpid(), f);
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd == -1) { e = errno; break; }
			while (mib < 400) {
				if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) { if (errno != EFBIG) e = errno; break; }
				mib++;
			}
			close(fd);
		}
		printf(" %s=%ldMiB(%s)", dirs[d], mib, e ? strerror(e) : "stopped");
		for (int i = 0; i < f + 1; i++) {
			snprintf(path, sizeof path, "%s/fill.%d.%d", dirs[d], (int)getpid(), i);
			unlink(path);
		}
	}
	printf("\n");
	return 0;
}'
	hostile h-flood "$FIRST_RUN
int main(void) {
	static char line[1001];
	memset(line, 121, 1000); line[1000] = 0;
	if (first_run(\"h-flood\"))
		for (;;) puts(line);
	return 1;
}"
	# (the grading's stage has a name of its own: globbed)
	hostile h-reader "#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
int main(void) {	/* read what it must not: print the first bytes of each */
	const char *paths[] = { \"$KIT/solutions/$l/procinfo.c\", \"$KIT/checker/maint/mutants/lab1/setsid-unchecked.patch\",
		\"$KIT/checker/instructor/hidden/lab2/hidden.bats\", \"${STAGE_GLOB}*/kit/checker/instructor/hidden/lab1/hidden.bats\",
		\"${STAGE_GLOB}*/work/ref/src/$l/procinfo.c\", \"$SUBS/ref/labs/$l/procinfo.c\", \"/etc/shadow\" };
	char buf[40];
	printf(\"reader:\");
	for (int i = 0; i < 7; i++) {
		glob_t g;
		FILE *f = NULL;
		if (glob(paths[i], 0, NULL, &g) == 0) { f = fopen(g.gl_pathv[0], \"r\"); globfree(&g); }
		else errno = ENOENT;
		if (f == NULL) { printf(\" %s=DENIED(%s)\", paths[i], strerror(errno)); continue; }
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = 0;
		for (size_t k = 0; k < n; k++) if (buf[k] == '\\n' || buf[k] == ' ') buf[k] = '_';
		printf(\" %s=READ(%s)\", paths[i], buf);
		fclose(f);
	}
	printf(\"\\n\");
	return 0;
}"
	hostile h-include "#include \"$KIT/solutions/$l/procinfo.c\""
	hostile h-killer '#include <signal.h>
#include <stdio.h>
int main(void) {	/* kill every process it may: the tests, the grader, the class */
	printf("killer: kill(-1)=%d\n", kill(-1, SIGKILL));
	fflush(stdout);
	kill(1, SIGKILL);
	return 0;
}'
	# a listener on the host's loopback, which the submission must not reach
	HOST_PORT=$("$KIT/build/checker/freeport")
	: >"$G/listener.got"
	socat -u "TCP-LISTEN:$HOST_PORT,bind=127.0.0.1,reuseaddr,fork" "OPEN:$G/listener.got,append" 3>&- 4>&- &
	LISTENER_PID=$!
	hostile h-net "#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static void try(const char *ip, int port) {
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), e = 0;
	inet_pton(AF_INET, ip, &a.sin_addr);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == -1 && errno != EINPROGRESS) e = errno;
	else { struct pollfd p = { fd, POLLOUT, 0 }; socklen_t l = sizeof e;
		if (poll(&p, 1, 1000) != 1) e = ETIMEDOUT; else getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l); }
	if (e == 0) { write(fd, \"hello from a submission\\n\", 24); printf(\" %s:%d=CONNECTED\", ip, port); }
	else printf(\" %s:%d=refused(%s)\", ip, port, strerror(e));
	close(fd);
}
int main(void) {
	printf(\"net:\");
	try(\"127.0.0.1\", $HOST_PORT);
	try(\"1.1.1.1\", 53);
	printf(\"\\n\");
	return 0;
}"

	# the reference as a .tar.gz, every lab, and as a .zip (its test reads
	# the results): graded in the background, beside the class below, so
	# that the waits of the two overlap; teardown_file stops it if need be
	# (the .zip holds lab 1 alone: a .zip's labs 2 to 6 would prove again
	# what the .tar.gz's do, at 25 CPU-s; .zip files are in the class too)
	mkdir -p "$G/class2" "$G/r/ref/labs" "$G/rz/ref/labs"
	cp -r "$KIT"/solutions/*/ "$G/r/ref/labs/"
	cp -r "$KIT/solutions/$l" "$G/rz/ref/labs/"
	tar -czf "$G/class2/ref-tgz.tar.gz" -C "$G/r" ref
	(cd "$G/rz" && zip -qr "$G/class2/ref-zip.zip" ref)
	bg_grade class2 -j 4 --similarity -o "$G/out2" "$G/class2"

	# the class's reference and reader again, in the other kind of sandbox
	# than the class's (unshare where the class has bwrap, and the other
	# way round), if this machine can make it
	local kind other=''
	kind=$("$KIT/checker/core/sandbox" --probe 2>/dev/null)
	case $kind in bwrap) other=unshare ;; unshare) other=bwrap ;; esac
	if [[ -n $other ]] && HARNESS_SANDBOX=$other "$KIT/checker/core/sandbox" true 2>/dev/null 3>&-; then
		mkdir -p "$G/other-kind/subs"
		ln -s "$SUBS/ref" "$G/other-kind/subs/ref"
		ln -s "$SUBS/h-reader" "$G/other-kind/subs/h-reader"
		echo "$other" >"$G/other-kind/kind"
		bg_grade other-kind HARNESS_SANDBOX="$other" --labs 1 -o "$G/other-kind/out" "$G/other-kind/subs"
	fi

	# --valgrind: the reference, and the reference with an invalid read at
	# the start of main
	if command -v valgrind >/dev/null; then
		local c=$G/class-vg
		mkdir -p "$c/ref/labs/$l" "$c/vg-oob/labs/$l"
		cp "$KIT/solutions/$l/procinfo.c" "$c/ref/labs/$l/"
		awk '/^int$/ { getline nx; if (nx ~ /^main\(/) print "static int oob(void)\n{\n\tint *a = calloc(4, sizeof *a);\n\tint v = a[4];\n\n\tfree(a);\n\treturn v;\n}\n"
				print; print nx; prev = nx; next }
			/^\{$/ && !done && prev ~ /^main\(/ { print; print "\tif (oob() == 12345)\n\t\tputs(\"\");"; done = 1; next }
			{ prev = $0; print }' "$KIT/solutions/$l/procinfo.c" >"$c/vg-oob/labs/$l/procinfo.c"
		bg_grade vg --valgrind --no-hidden --labs 1 -j 2 -o "$G/out-vg" "$c"
	fi

	# grade the class: lab 1, six students at once (a grading mostly
	# waits: its programs' deadlines, its sandboxes; with four, the class
	# was the longest part of make test's longest run), a short CPU limit so
	# that the infinite loop ends soon (1 s: it burns that on its first
	# run in each test file, on a machine the rest of the self-test keeps
	# busy)
	local t0=$SECONDS
	# (the refused entries make it exit 1)
	run grade KIT_GRADE_CPU=1 --labs 1 -j 6 -o "$OUT" "$SUBS"
	echo "$((SECONDS - t0))" >"$G/seconds"
	printf '%s\n' "$output" >"$G/grade.log"
	echo "$status" >"$G/grade.status"
}

teardown_file() {
	# (this run's listener, if setup_file got that far)
	if [[ -n ${LISTENER_PID-} ]]; then kill "$LISTENER_PID" 2>/dev/null || true; fi
	# (the background gradings, if their tests did not see them end: each
	# one's timeout(1) passes the TERM on, and the grader stops its
	# sandboxes)
	local name
	for name in "${BG[@]}"; do
		if [[ -n $GRADE_SKIP || ! -f $G/$name.started || -f $G/$name.log.rc ]]; then continue; fi
		# (its pid is written by its block, just after it starts)
		poll_until 10 test -s "$G/$name.log.pid" || true
		kill "$(cat "$G/$name.log.pid" 2>/dev/null)" 2>/dev/null || true
		poll_until 30 test -f "$G/$name.log.rc" || true
	done
	return 0
}

setup() {
	[[ -z $GRADE_SKIP ]] || skip "$GRADE_SKIP"
}

teardown() {	# a grading a test started and left running, the cgroups it made (it failed)
	if [[ -f $G/int.pid ]]; then
		kill -KILL -- "-$(cat "$G/int.pid")" 2>/dev/null
		rm -f "$G/int.pid"
	fi
	if [[ -f $G/stale-cgroups ]]; then
		while read -r d; do rmdir "$d"/*/ "$d" 2>/dev/null; done <"$G/stale-cgroups"
		rm -f "$G/stale-cgroups"
	fi
	return 0
}

# score ID - the student's lab 1 score from summary.csv
score() {
	awk -F, -v id="$1" '$1 == id { print $2 }' "$OUT/summary.csv"
}
# score_in SUMMARY ID - the student's lab 1 score from that summary.csv
score_in() { awk -F, -v id="$2" '$1 == id { print $2 }' "$1"; }
max1() { awk -F, '$1 == "max" { print $2 }' "$OUT/maxima.csv"; }
# evidence ID WORD [RUN] - the lines a hostile program printed (in the TAP
# output of its runs, or of RUN: lab1-public, lab1-hidden)
evidence() {
	grep -a -rhoE "$2:[^']*" "$OUT/work/$1/${3-}" --include='*.tap' | sort -u | head -n 20
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
# total_of SUMMARY ID - the student's total, from the column named so
total_of() {
	awk -F, -v id="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "total") t = i } $1 == id { print $t }' "$1"
}

# row ID - the student's row of summary.csv, as "lab1|total|status|reason|submission"
row() {
	python3 -c 'import csv, sys
for r in csv.reader(open(sys.argv[1], encoding="utf-8")):
    if r[0] == sys.argv[2]: print("|".join(r[1:]))' "$OUT/summary.csv" "$1"
}
# lost ID [OUTDIR] - the tests the student ID did not pass, one a line,
# with their messages (what a failed comparison of scores shows)
lost() {
	jq -r --arg id "$1" '.students[] | select(.id == $id) | .labs[] |
		"lab \(.lab): \(.status) \(.build)", (.tests[] | select(.status != "pass") |
		"  \(.file): \(.name): \(.status)\n    \(.message | gsub("\n"; "\n    "))")' "${2:-$OUT}/results.json"
}
# full_marks ID - fail, saying what was lost, unless ID scored the maximum
full_marks() {
	local got
	got=$(score "$1")
	[[ $got == "$(max1)" ]] ||
		fail "$1 scored $got, not full marks ($(max1)); what it lost:
$(lost "$1")"
}
# id_of NAME - the id the grader gave the entry NAME
id_of() { jq -r --arg n "$1" '.students[] | select(.name == $n) | .id' "$OUT/results.json"; }

@test "the grader gives all 20 entries a row, writes every output, and exits 1 for the refused ones" {
	[[ $(cat "$G/grade.status") == 1 ]] ||
		fail "checker/instructor/grade exited $(cat "$G/grade.status"), not 1 (two entries refused); the end of what it said:
$(tail -n 15 "$G/grade.log")"
	run grep -F 'grade: 2 entries refused (see summary.csv)' "$G/grade.log"
	assert_success
	local n=$((3 + ${#MUTANTS[@]} + ${#HOSTILE[@]} + 3 + ${#REFUSED[@]}))
	run wc -l <"$OUT/summary.csv"
	assert_output $((1 + n))
	run jq -e ".students | length == $n" "$OUT/results.json"
	assert_success	# (jq says where results.json is not JSON)
	local id
	for id in $(jq -r '.students[].id' "$OUT/results.json"); do
		assert [ -s "$OUT/reports/$id.md" ]
		run xmllint --noout "$OUT/junit/$id.xml"
		assert_success
	done
	assert_equal "$(head -n 1 "$OUT/summary.csv")" "student,lab1,total,status,reason,submission"
	# a message with a backslash, quotes and a tab (the fork bomb's line),
	# the same in each output
	local want=$'(C:\\ "q"\tT)'
	run jq -r '.students[] | select(.id == "h-forkbomb") | .labs[].tests[].message' "$OUT/results.json"
	assert_output --partial "$want"
	run xmllint --xpath "string(//failure[contains(., 'processes (C:')])" "$OUT/junit/h-forkbomb.xml"
	assert_output --partial "$want"
	run iconv -f UTF-8 -t UTF-8 "$OUT/results.json" -o /dev/null
	assert_success	# (every byte of results.json is UTF-8)
	assert_file_contains "$OUT/reports/h-forkbomb.md" 'processes (C:\\ "q"'
	echo "# grading the class of $n took $(cat "$G/seconds") s" >&3
}

@test "the ranking: reference full marks > each known-bad variant > 0; the starter 'not started', the broken one 'does not compile', both 0" {
	local max ref m
	max=$(max1) ref=$(score ref)
	full_marks ref
	for m in "${MUTANTS[@]}"; do
		lt "$(score "$m")" "$ref" || fail "$m scored $(score "$m"), not less than the reference's $ref"
		lt 0 "$(score "$m")" || fail "$m scored $(score "$m"): it passes most tests"
	done
	run row starter
	assert_output "0.0|0.0|not started|every lab is the starter, untouched|starter"
	run grep -c 'Not started: the lab' "$OUT/reports/starter.md"
	assert_output 1
	run row broken
	assert_output "0.0|0.0|graded|lab 1: does not compile|broken"
	run grep -c 'Does not compile' "$OUT/reports/broken.md"
	assert_output 1
}

@test "what instructors' folders hold: a UTF-8 name, .ZIP and .tar, a symlinked clone are graded; an archive over the limit, a stray file are refused; a symlinked source is named, never read" {
	local id
	id=$(id_of "$JOSE")
	[[ $id =~ ^Jose_Garcia-[0-9a-f]{6}$ ]] || fail "'$JOSE' was given the id '$id'"
	full_marks "$id"
	run row "$id"
	assert_output "$(max1)|$(max1)|graded||$JOSE"
	run grep -F "Submitted as \`$JOSE\`" "$OUT/reports/$id.md"
	assert_success
	full_marks linked
	run row linked
	assert_output "$(max1)|$(max1)|graded|(a symlink in the submissions folder: grading.json names its target)|linked"
	# every variant graded, whatever its archive's kind and case
	local i
	for i in "${!MUTANTS[@]}"; do
		run row "${MUTANTS[i]}"
		assert_output --regexp "^[0-9.]+\|[0-9.]+\|graded\|\|${MUTANTS[i]}\\${MUTANT_EXT[i]}\$"
	done
	run row big
	assert_output "0.0|0.0|refused|refused: archive over 100 MiB unpacked (110 MiB)|big.tar.gz"
	run row notes.pdf
	assert_output --partial "|refused|refused: not a directory or an archive"
	run row symc
	assert_output "0.0|0.0|graded|lab 1: refused: procinfo.c is a symlink to /etc/shadow (not read)|symc"
	# the refused ones, named on stderr too
	run grep -c '^grade: refused ' "$G/grade.log"
	assert_output 2
}

@test "the reports: no path of the grading host, never an empty message for a failed test" {
	# (but h-reader's, whose output is the paths it tried)
	run grep -rlF -e "$G" -e "$STAGE_GLOB" -e "$KIT/" --exclude='h-reader.*' "$OUT/reports" "$OUT/junit"
	assert_output ''
	run jq -r '.students[] | select(.id != "h-reader") | .. | strings' "$OUT/results.json"
	refute_output --partial "$G"
	refute_output --partial "$STAGE_GLOB"
	refute_output --partial "$KIT/"
	# gcc's message, by the file's name alone
	run grep -E '^    procinfo\.c:[0-9]+:[0-9]+: error' "$OUT/reports/broken.md"
	assert_success
	run jq -r '.students[] | .id as $s | .labs[] | select(.build == "ok") | .tests[] |
		select(.status == "fail" and .group != "hidden" and (.message | test("^\\s*$"))) | "\($s): \(.name)"' "$OUT/results.json"
	assert_output ''
}

@test "OUTDIR is its owner's alone (0700): the class's grades are no other user's to read" {
	run stat -c %a "$OUT"
	assert_output 700
}

@test "a known-bad variant's report names the failing test and its message" {
	run grep -A3 'setsid in a process-group leader fails with EPERM' "$OUT/reports/setsid-unchecked.md"
	assert_output --partial FAIL
	assert_output --partial expected:
}

@test "every hostile submission scores less than the reference, with the reason in its report" {
	local h
	for h in "${HOSTILE[@]}"; do
		lt "$(score "$h")" "$(score ref)" || fail "$h scored $(score "$h")"
		grep -q 'FAIL' "$OUT/reports/$h.md" || grep -q 'Does not compile' "$OUT/reports/$h.md" ||
			fail "$h's report gives no reason"
	done
}

@test "fork bomb: held to the processes limit of its uid" {
	run evidence h-forkbomb forkbomb
	[[ -n $output ]] || fail "no trace of the fork bomb's line in its TAP files"
	local n
	for n in $(grep -oE '[0-9]+ processes' <<<"$output" | cut -d' ' -f1 | tr '\n' ' '); do
		(( n <= 512 )) || fail "the fork bomb made $n processes"
	done
}

@test "infinite loop: killed by the CPU limit (SIGXCPU), the reason in the report" {
	run grep -cE 'killed by SIGXCPU|got 152|CPU time limit exceeded' "$OUT/reports/h-loop.md"
	(( output > 0 )) || fail "no SIGXCPU ('killed by SIGXCPU', exit 152, 'CPU time limit exceeded') in h-loop's report"
}

@test "disk filler: held to the sandbox's /tmp size and 64 MiB a file; the host is read-only" {
	[[ $(cat "$OUT/.kind" 2>/dev/null || echo bwrap) != fallback ]] || skip "the fallback sandbox does not contain the disk"
	run evidence h-disk disk
	[[ -n $output ]] || fail "no trace of the disk filler's line"
	refute_output --regexp '/var/tmp=[1-9]'
	refute_output --regexp '/dev/shm=[1-9]'
	# /tmp and . (the test's directory, in /tmp): no more than the 256 MiB of the tmpfs
	refute_output --regexp '=(2[6-9][0-9]|[3-9][0-9][0-9])MiB'
}

@test "output flood: each test file's output is bounded" {
	local f size
	for f in "$OUT"/work/h-flood/lab1-public/*.tap; do
		size=$(stat -c %s "$f")
		(( size <= 65 * 1024 * 1024 )) || fail "$f is $size bytes"
	done
	run grep -c 'SIGXFSZ' "$OUT/reports/h-flood.md"
	(( output > 0 )) || fail "no SIGXFSZ in h-flood's report"
}

@test "reader: the kit's solutions, mutants and hidden tests, other students' files: none readable (but the hidden test running it)" {
	[[ $(cat "$OUT/.kind" 2>/dev/null || echo bwrap) != fallback ]] || skip "the fallback sandbox hides no path"
	run evidence h-reader reader
	[[ -n $output ]] || fail "no trace of the reader's line"
	refute_output --regexp '(solutions|mutants|hidden/lab2|work/ref|class/ref)[^ ]*=READ\('
	# the one exception, documented: the hidden test file that is running it
	run evidence h-reader reader lab1-public
	refute_output --partial '=READ('
	run grep -c 'Hidden tests of' "$OUT/reports/h-reader.md"
	assert_output 0
}

@test "the other kind of sandbox (unshare where the class had bwrap) applies the same plan: the reference has full marks, the reader reads nothing" {
	# (graded in the background from setup_file, beside the class)
	local kind other o=$G/other-kind
	kind=$(cat "$OUT/.kind" 2>/dev/null || echo bwrap)
	case $kind in bwrap | unshare) ;; *) skip "the class was graded in the $kind sandbox, which hides no path" ;; esac
	[[ -f $o/kind ]] || skip "this machine cannot make the other kind of sandbox than $kind"
	other=$(cat "$o/kind")
	[[ $other != "$kind" ]] || fail "expected: the other kind of sandbox than the class's ($kind); seen: $other"
	in_bg_ok "$G/other-kind.log"
	run cat "$G/other-kind.log"
	assert_output --partial "($other sandbox)"
	run score_in "$o/out/summary.csv" ref
	assert_output "$(max1)"
	run grep -a -rhoE "reader:[^']*" "$o/out/work/h-reader" --include='*.tap'
	[[ -n $output ]] || fail "no trace of the reader's line in the $other sandbox"
	refute_output --regexp '(solutions|mutants|hidden/lab2|work/ref|class/ref)[^ ]*=READ\('
	# (the one exception, the hidden test running it, is not in the public run)
	run grep -a -rhoE "reader:[^']*" "$o/out/work/h-reader/lab1-public" --include='*.tap'
	refute_output --partial '=READ('
}

@test "include: the reference cannot be #included at build time" {
	[[ $(cat "$OUT/.kind" 2>/dev/null || echo bwrap) != fallback ]] || skip "the fallback sandbox hides no path"
	assert_equal "$(score h-include)" 0.0
	run grep -c 'No such file or directory' "$OUT/reports/h-include.md"
	(( output > 0 )) || fail "h-include's report does not say the file is not there"
}

@test "killer: kill(-1) ends only its own tests; the class is graded normally" {
	run evidence h-killer killer
	full_marks ref
	assert_equal "$(score h-killer)" 0.0
}

@test "network: neither the host's loopback nor the outside is reachable" {
	[[ $(cat "$OUT/.kind" 2>/dev/null || echo bwrap) != fallback ]] || skip "the fallback sandbox has no network namespace"
	run evidence h-net net
	[[ -n $output ]] || fail "no trace of the network probe's line"
	refute_output --partial CONNECTED
	[[ ! -s $G/listener.got ]] || fail "the host's listener got: $(cat "$G/listener.got")"
}

@test "the reference as a .tar.gz scores full marks on every lab, as a .zip of lab 1 alone full marks on lab 1 (the rest 'not submitted', 0); --similarity pairs them" {
	# (graded in the background from setup_file, beside the class)
	local o=$G/out2
	in_bg_ok "$G/class2.log"
	local want
	want=$(awk -F, '$1 == "max" { print $NF }' "$o/maxima.csv")
	[[ $(total_of "$o/summary.csv" ref-tgz) == "$want" ]] ||
		fail "ref-tgz scored $(total_of "$o/summary.csv" ref-tgz), not full marks ($want); what it lost:
$(lost ref-tgz "$o")"
	# the .zip: lab 1's full marks, every other lab not submitted: its total is
	# lab 1's
	want=$(awk -F, '$1 == "max" { print $2 }' "$o/maxima.csv")
	[[ $(total_of "$o/summary.csv" ref-zip) == "$want" ]] ||
		fail "ref-zip scored $(total_of "$o/summary.csv" ref-zip) in all, not lab 1's full marks ($want); what it lost:
$(lost ref-zip "$o")"
	run jq -r '.students[] | select(.id == "ref-zip") | .labs[] |
		select(.build != (if .lab == 1 then "ok" else "missing" end)) | "lab \(.lab): \(.status)"' "$o/results.json"
	[[ -z $output ]] || fail "ref-zip's labs: expected lab 1 built and graded, every other one 'not submitted'; seen: $output"
	# the two are the same code: --similarity says so, for lab 1 (the one
	# lab both hold)
	if command -v sim_c >/dev/null; then
		run sed -n '/^## lab 1$/,/^## /p' "$o/similarity.txt"
		assert_line --regexp '^100% ref-[tz][gi][zp] ref-[tz][gi][zp]$'
	fi
}

@test "the cgroups and the stage of a grading killed with SIGKILL are removed by the next grading" {
	local stale=() d gone
	gone=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))	# a pid no process can have
	if [[ -f /sys/fs/cgroup/cgroup.subtree_control ]]; then
		stale=("/sys/fs/cgroup/kit-grade.$gone")
	elif [[ -d /sys/fs/cgroup/pids && -d /sys/fs/cgroup/memory ]]; then
		stale=(/sys/fs/cgroup/{pids,memory}/"kit-grade.$gone")
	fi
	for d in "${stale[@]}"; do
		mkdir -p "$d/ref" 2>/dev/null || skip "no cgroup can be made here"
		echo "$d" >>"$G/stale-cgroups"	# teardown removes them if this test fails
	done
	# and the stage it graded in (with a file of a student's uid in it)
	local stage=/var/tmp/kit-grade.selftest$gone
	mkdir -p "$stage/work/ref"
	echo "$gone" >"$stage/.pid"
	install -m 0600 -o 61000 /dev/null "$stage/work/ref/left"
	mkdir -p "$G/class-one"
	cp -r "$SUBS/ref" "$G/class-one/"
	run grade --labs 1 --no-hidden -o "$G/out-one" "$G/class-one"
	assert_success
	for d in "${stale[@]}"; do assert_dir_not_exists "$d"; done
	assert_dir_not_exists "$stage"
}

@test "nothing is left running, no cgroup, no run directory" {
	bg_all_done || true
	# (the fork bomb's last processes end 5 s after it ran)
	poll_until 10 no_strays || true
	run stray_processes
	assert_output ''
	run bash -c 'ls -d /sys/fs/cgroup/kit-grade.* /sys/fs/cgroup/*/kit-grade.* 2>/dev/null'
	assert_output ''
	run grep -F 'left their run directories' "$G/grade.log"
	assert_output ''
	run comm -13 "$G/tmp-before" <(ls /tmp)
	refute_output --partial kit-grade.
	run comm -13 "$G/var-tmp-before" <(ls /var/tmp)
	refute_output --partial kit-grade.
	# no claim of uids left by a grading that is over
	run bash -c 'for f in /run/kit-grade/claims/*; do [[ -f $f ]] || continue; ps -o args= -p "${f##*/}" | grep -q checker/instructor/grade || echo "$f"; done'
	assert_output ''
}

@test "Ctrl-C (twice) in the middle of grading: every sandbox stops, nothing is left" {
	bg_all_done || true
	ls -d /tmp/kit-grade.* /var/tmp/kit-grade.* 2>/dev/null >"$G/grade-dirs-before" || true
	# the output of an earlier grading, which must survive the interrupted one
	rm -rf "$G/out-int"
	cp -a "$OUT" "$G/out-int"
	rm -f "$G/out-int/.lock"
	# as a terminal's Ctrl-C: SIGINT to the process group of the job.  perl
	# makes that group (setpgrp: its pid, which is grade's, is the group's,
	# whatever this shell is) and restores SIGINT (a background job starts
	# with SIGINT ignored, which a terminal's foreground job does not).  No
	# timeout(1) around it (it would make a group of its own): the test
	# bounds it, and teardown kills the group if the test fails
	grade_env KIT_GRADE_CPU=1
	# shellcheck disable=SC2016 # perl's variables
	env "${GENV[@]}" perl -e '$SIG{INT} = "DEFAULT"; setpgrp(0, 0) or die "setpgrp: $!\n"; exec @ARGV or die "exec: $!\n"' \
		"$KIT/checker/instructor/grade" --labs 1 -j 2 -o "$G/out-int" "$SUBS" >"$G/int.log" 2>&1 3>&- 4>&- &
	local pid=$!
	echo "$pid" >"$G/int.pid"
	# until the class is under way: a student graded, others running (60 s at most)
	under_way() { grep -q ' [1-9][0-9]*/[0-9]* students graded' "$G/int.log" || ! kill -0 "$pid" 2>/dev/null; }
	poll_until 60 under_way || true
	kill -INT -- "-$pid" || fail "no process group $pid: $(cat "$G/int.log")"
	# and again, while it stops, as an impatient user does (unless it has
	# stopped already: seen within 0.2 s on an idle machine)
	sleep 0.2; kill -INT -- "-$pid" 2>/dev/null || true
	# it ends within 30 s (10 s for the sandboxes to stop, then SIGKILL)
	poll_until 30 proc_gone "$pid" || true
	if kill -0 "$pid" 2>/dev/null; then
		fail "grade still running 30 s after Ctrl-C: $(ps -o pid,args -g "$pid"; cat "$G/int.log")"
	fi
	local rc=0
	wait "$pid" || rc=$?
	rm -f "$G/int.pid"
	assert_equal "$rc" 130
	grep -q 'interrupted; every sandbox has been stopped.* is as it was' "$G/int.log" || fail "$(cat "$G/int.log")"
	# (a fork bomb's processes end 5 s after it ran)
	poll_until 10 no_strays "$G/out-int" || true
	run stray_processes "$G/out-int"
	assert_output ''
	run comm -13 "$G/grade-dirs-before" <(ls -d /tmp/kit-grade.* /var/tmp/kit-grade.* 2>/dev/null)
	assert_output ''
	# the earlier results, as they were
	run cmp "$OUT/summary.csv" "$G/out-int/summary.csv"
	assert_success
	run cmp "$OUT/results.json" "$G/out-int/results.json"
	assert_success
	run bash -c 'ls -d /sys/fs/cgroup/kit-grade.* /sys/fs/cgroup/*/kit-grade.* 2>/dev/null'
	assert_output ''
}

@test "--valgrind: a memory error costs the rubric's points, shown with its program, kind and file:line; the reference loses nothing" {
	command -v valgrind >/dev/null || skip "valgrind is not installed (make deps)"
	# (the reference, and the reference with an invalid read at the start
	# of main: graded in the background from setup_file, beside the class)
	local c=$G/class-vg o=$G/out-vg l=01-sessions
	# without --valgrind (the class above): no valgrind pass
	run grep -c '"valgrind": null' "$OUT/results.json"
	refute_output 0
	run grep -q '### Valgrind' "$OUT/reports/ref.md"
	assert_failure
	local line
	line=$(grep -n 'int v = a\[4\];' "$c/vg-oob/labs/$l/procinfo.c" | cut -d: -f1)
	[[ -n $line ]] || fail "the invalid read was not put in"
	in_bg_ok "$G/vg.log"
	echo "# grading with --valgrind (2 students, lab 1, public tests): $(cat "$G/vg.log.seconds") s, beside the class" >&3
	local max cost
	max=$(awk -F, '$1 == "max" { print $2 }' "$o/maxima.csv")
	cost=$(awk '$2 == "*" && $3 == "valgrind" { print $1 }' "$KIT/checker/instructor/rubric")
	[[ -n $cost ]] || fail "the kit's rubric has no '* valgrind' rule"
	assert_equal "$(awk -F, '$1 == "ref" { print $2 }' "$o/summary.csv")" "$max"
	assert_equal "$(awk -F, '$1 == "vg-oob" { print $2 }' "$o/summary.csv")" "$(awk -v m="$max" -v c="$cost" 'BEGIN { s = m + c; printf "%.1f", s < 0 ? 0 : s }')"
	# the findings: in the report and in results.json; none for the reference
	run grep -F "| procinfo | Invalid read of size 4 | procinfo.c:$line (oob), " "$o/reports/vg-oob.md"
	assert_success
	run grep -F 'No memory error and no definite leak' "$o/reports/ref.md"
	assert_success
	run jq -r '.students[] | select(.id == "vg-oob") | .labs[0].valgrind | "\(.findings) \(.points) \(.items[0].program) \(.items[0].kind) \(.items[0].where)"' "$o/results.json"
	assert_output --partial "1 $cost procinfo Invalid read of size 4 procinfo.c:$line (oob)"
	run jq -r '.students[] | select(.id == "ref") | .labs[0].valgrind | "\(.findings) \(.points)"' "$o/results.json"
	assert_output "0 0"
	# nothing of this grading left running (by its directory: another
	# grading on the machine may use the same uids), no log filesystem left
	run bash -c "ps -e -o pid=,args= | grep -F '$o/' | grep -v -e ' grep ' -e ' ps '"
	assert_output ''
	run grep -F " $o/" /proc/mounts
	assert_output ''
}

@test "a bad rubric after a good run: a clear error (the closest test named), exit 2, and the last results kept" {
	local before
	before=$(md5sum "$OUT/summary.csv" "$OUT/results.json")
	printf '10 * step*\n5 1 test: procinfo prints one line\n' >"$G/typo.rubric"
	run grade --labs 1 --rubric "$G/typo.rubric" -o "$OUT" "$SUBS"
	assert_failure 2
	assert_output --partial "typo.rubric:2: no test of lab 1 is named 'procinfo prints one line'; the closest: 'procinfo prints one line: pid ppid pgid sid tty umask cwd'"
	printf '10 * step*\n-1 * warnings\n' >"$G/word.rubric"
	run grade --labs 1 --rubric "$G/word.rubric" -o "$OUT" "$SUBS"
	assert_failure 2
	assert_output --partial "word.rubric:2: unknown rule 'warnings' (did you mean 'warning'?)"
	assert_equal "$(md5sum "$OUT/summary.csv" "$OUT/results.json")" "$before"
}

@test "--anonymise-hidden: each hidden test is 'hidden test K of lab 1', its name in no output" {
	local o=$G/out-anon names
	rm -rf "$o"
	cp -a "$OUT" "$o"
	run grade --rescore --anonymise-hidden --accept-refused -o "$o"
	assert_success
	run jq -r '[.students[] | .labs[].tests[] | select(.group == "hidden") | .name] | unique | .[]' "$o/results.json"
	assert_output --partial 'hidden test 1 of lab 1'
	while IFS= read -r n; do
		[[ $n =~ ^hidden\ test\ [0-9]+\ of\ lab\ 1$ ]] || fail "a hidden test named '$n'"
	done <<<"$output"
	# the real names: in none of the outputs
	mapfile -t names < <(sed -n 's/^@test ["'\'']\(.*\)["'\''] *{ *$/\1/p' "$KIT/checker/instructor/hidden/lab1/"*.bats)
	(( ${#names[@]} > 0 )) || fail "no hidden test of lab 1 found"
	for n in "${names[@]}"; do
		run grep -rlF -- "$n" "$o/reports" "$o/junit" "$o/results.json"
		assert_output ''
	done
	# and the scores are those of the class
	run cmp "$OUT/summary.csv" "$o/summary.csv"
	assert_success
}

# grade_small OUT [ARG...] - the class of class3 graded on lab 1's public tests,
# in the background (in_bg, its log OUT.log)
grade_small() {
	local o=$1
	shift
	grade_env
	in_bg "$o.log" "$KIT/checker/instructor/grade" --labs 1 --no-hidden -j 2 -o "$o" "$@" "$G/class3"
}

@test "the same class graded twice: the same summary.csv; --rescore after a change of points: a full regrade's, in seconds; --only grades one student again" {
	local c=$G/class3 l=01-sessions t
	rm -rf "$c" "$G"/out3*
	mkdir -p "$c/ref/labs/$l" "$c/var/labs/$l"
	cp "$KIT/solutions/$l/procinfo.c" "$c/ref/labs/$l/"
	cp "$KIT/solutions/$l/procinfo.c" "$c/var/labs/$l/"
	patch -s -d "$c/var/labs/$l" -p1 <"$KIT/checker/maint/mutants/lab1/setsid-unchecked.patch"
	# other points: step 1 worth 30, one test of step 2 worth 7 alone
	t=$(sed -n 's/^@test "\(.*\)" *{ *$/\1/p' "$KIT/labs/$l/tests/"*step2*.bats | head -n 1)
	[[ -n $t ]] || fail "no test of step 2 in labs/$l/tests"
	printf '30 1 step1\n10 * step*\n7 1 test: %s\n' "$t" >"$G/other.rubric"
	# the class graded twice (3a, 3b), and with the other points (3c), side
	# by side
	local g
	grade_small "$G/out3a"
	grade_small "$G/out3b"
	grade_small "$G/out3c" --rubric "$G/other.rubric"
	wait
	for g in 3a 3b 3c; do in_bg_ok "$G/out$g.log"; done
	run diff "$G/out3a/summary.csv" "$G/out3b/summary.csv"
	assert_success
	local t0=$EPOCHREALTIME
	run grade --rescore --rubric "$G/other.rubric" -o "$G/out3a"
	assert_success
	echo "# --rescore of 2 students: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s" >&3
	run diff "$G/out3a/summary.csv" "$G/out3c/summary.csv"
	assert_success
	run diff "$G/out3a/maxima.csv" "$G/out3c/maxima.csv"
	assert_success
	run diff "$G/out3a/summary.csv" "$G/out3b/summary.csv"
	assert_failure	# (the points did change)
	# --only: the variant fixed, graded alone; the other student's work untouched
	local ref_row inode
	ref_row=$(grep '^ref,' "$G/out3a/summary.csv")
	inode=$(stat -c %i "$G/out3a/work/ref/labs.tsv")
	cp "$KIT/solutions/$l/procinfo.c" "$c/var/labs/$l/"
	run grade --only var --rubric "$G/other.rubric" -o "$G/out3a" "$c"
	assert_success
	assert_output --partial 'grade: --only var: 2 entries'
	assert_equal "$(grep '^ref,' "$G/out3a/summary.csv")" "$ref_row"
	assert_equal "$(grep '^var,' "$G/out3a/summary.csv" | cut -d, -f2-3)" "$(cut -d, -f2-3 <<<"$ref_row")"
	assert_equal "$(stat -c %i "$G/out3a/work/ref/labs.tsv")" "$inode"
	# --only of no such entry: said, nothing changed
	run grade --only nobody -o "$G/out3a" "$c"
	assert_failure 2
	assert_output --partial "--only nobody: no entry of $c has that id or name"
}

@test "two gradings at once, started with SIGPIPE or SIGINT ignored: the SIGPIPE variant caught by each, their own uids; a third into the same OUTDIR is refused" {
	local c=$G/class4 l=04-fork-server o b d i
	rm -rf "$c" "$G"/out4*
	mkdir -p "$c/sp/labs"
	cp -r "$KIT/solutions/$l" "$c/sp/labs/"
	# (a lab 4 server that does not ignore SIGPIPE, whose child a client
	# that goes away kills: a launcher that ignores SIGPIPE would hide it)
	patch -s -d "$c/sp/labs/$l" -p1 <"$KIT/checker/maint/mutants/lab4/sigpipe-and-send-unchecked.patch"
	grade_env
	# B: from a parent that ignores SIGPIPE (a systemd unit, Python); C: a
	# script's background job that ignores SIGINT and SIGPIPE.  (Two, not
	# more: the self-test runs lab 4's own tests at the same time)
	# shellcheck disable=SC2016
	env "${GENV[@]}" timeout -k 10 1200 perl -e '$SIG{PIPE} = "IGNORE"; exec @ARGV or die "exec: $!\n"' \
		"$KIT/checker/instructor/grade" --labs 4 --no-hidden -j 1 -o "$G/out4b" "$c" >"$G/out4b.log" 2>&1 3>&- 4>&- &
	b=$!
	# shellcheck disable=SC2016
	env "${GENV[@]}" timeout -k 10 1200 perl -e '$SIG{PIPE} = $SIG{INT} = "IGNORE"; exec @ARGV or die "exec: $!\n"' \
		bash -c '"$@" & wait $!' _ "$KIT/checker/instructor/grade" --labs 4 --no-hidden -j 1 -o "$G/out4c" "$c" \
		>"$G/out4c.log" 2>&1 3>&- 4>&- &
	d=$!
	# while B holds its OUTDIR: a second grading into it is refused at once
	lock_held() { [[ -f $G/out4b/.lock ]] && ! flock -n "$G/out4b/.lock" true; }
	poll_until 30 lock_held || true
	run grade --labs 4 --no-hidden -o "$G/out4b" "$c"
	assert_failure 2
	assert_output --partial "another grading is writing to $G/out4b"
	for i in "$b:out4b" "$d:out4c"; do
		wait "${i%%:*}" || fail "the grading into ${i#*:} exited $?: $(tail -n 5 "$G/${i#*:}.log")"
	done
	# the verdict that depends on the launcher: the same in each (other
	# tests of lab 4 may differ under this load: two gradings at once)
	local o4 t='a client that closes without reading the reply: its child exits 0, not by SIGPIPE'
	for o4 in out4b out4c; do
		run jq -r --arg t "$t" '.students[] | select(.id == "sp") | .labs[0].tests[] | select(.name == $t) | .status' \
			"$G/$o4/results.json"
		[[ $output == fail ]] || fail "in $o4, the SIGPIPE variant's '$t' is '$output', not fail (a launcher's ignored SIGPIPE reached it?)"
	done
	echo "# lab 4's SIGPIPE variant scored $(for o4 in out4b out4c; do awk -F, '$1 == "sp" { printf "%s ", $2 }' "$G/$o4/summary.csv"; done)(SIGPIPE ignored, background job)" >&3
	# each grading its own uid
	o=$(stat -c %u "$G/out4b/work/sp/build" "$G/out4c/work/sp/build" | sort -u | wc -l)
	assert_equal "$o" 2
}

@test "a kit in a private directory (0700, outside /tmp) grades into its default OUTDIR: no class of zeros" {
	local p=$G/private-kit c=$G/class5 l=01-sessions
	rm -rf "$p" "$c"
	mkdir -p "$p/kit" "$c/ref/labs/$l"
	chmod 0700 "$p"
	tar -C "$KIT" --exclude=./build --exclude=./.git -cf - . | tar -C "$p/kit" -xf -
	cp "$KIT/solutions/$l/procinfo.c" "$c/ref/labs/$l/"
	grade_env
	run env "${GENV[@]}" timeout -k 10 300 "$p/kit/checker/instructor/grade" --labs 1 --no-hidden "$c" 3>&- 4>&-
	assert_success
	run awk -F, '$1 == "ref" { print $2 }' "$p/kit/build/grade/summary.csv"
	assert_output "$(awk -F, '$1 == "max" { print $2 }' "$p/kit/build/grade/maxima.csv")"
	rm -rf "$p"
}

# schema FORMAT FILE [LAB...] - FILE is valid in the platform's format, as
# its documentation gives it (platform_schema.py)
schema() {
	run python3 -B "$BATS_TEST_DIRNAME/platform_schema.py" "$@"
	assert_success
}

# variant LAB NAME DEST - the reference of LAB with known-bad variant NAME
# applied, in DEST
variant() {
	rm -rf "$3"
	cp -r "$KIT/solutions/$1" "$3"
	patch -s -d "$3" -p1 <"$KIT/checker/maint/mutants/lab${1:1:1}/$2.patch"
}

# The platforms' tests grade their three submissions side by side (in_bg),
# as a platform does (one after the other, they were the last half minute
# of make test, a core idle).

@test "make gradescope: the autograder zip grades one submission into Gradescope's results.json: the reference full marks, the starter 0 (not started), a known-bad variant loses the test that catches it; no solution in the zip" {
	local z=$G/gs/autograder.zip r=$G/gs/root l=01-sessions
	rm -rf "$G/gs"
	grade_env
	run env "${GENV[@]}" "$KIT/checker/instructor/grade-platform" gradescope "$z" 1 3>&- 4>&-
	assert_success
	run unzip -Z1 "$z"
	assert_line 'run_autograder'
	assert_line 'setup.sh'
	assert_line "checker/instructor/hidden/lab1/hidden.bats"
	refute_line --regexp '^(solutions|checker/maint)/'
	# the reference, the starter, a known-bad variant's files alone (as
	# Gradescope's upload of procinfo.c): each in a root of its own
	local k
	for k in ref starter variant; do
		mkdir -p "$r-$k/source"
		unzip -q "$z" -d "$r-$k/source"
	done
	mkdir -p "$r-ref/submission/labs" "$r-starter/submission/labs"
	cp -r "$KIT/solutions/$l" "$r-ref/submission/labs/"
	cp -r "$KIT/labs/$l" "$r-starter/submission/labs/"
	variant "$l" create-mode-0644 "$r-variant/submission"
	for k in ref starter variant; do
		grade_env AUTOGRADER_ROOT="$r-$k"
		in_bg "$G/gs/$k.log" "$r-$k/source/run_autograder"
	done
	wait
	r=$r-ref
	in_bg_ok "$G/gs/ref.log"
	schema gradescope "$r/results/results.json"
	# full marks: the score is the sum of the items' maxima (hidden ones included, shown after publishing)
	run jq -e '((.score - ([.tests[].max_score] | add)) | if . < 0 then -. else . end) < 0.01 and .score > 0' "$r/results/results.json"
	assert_success
	run jq -e '[.tests[] | select(.visibility == "after_published")] | length > 0' "$r/results/results.json"
	assert_success
	# the starter: 0, and the output says why
	r=${r%-ref}-starter
	in_bg_ok "$G/gs/starter.log"
	schema gradescope "$r/results/results.json"
	run jq -r '"\(.score) \(.output)"' "$r/results/results.json"
	assert_output --partial '0 submission: 0 of'
	assert_output --partial 'not started'
	# the known-bad variant
	r=${r%-starter}-variant
	in_bg_ok "$G/gs/variant.log"
	schema gradescope "$r/results/results.json"
	run jq -r '.tests[] | select(.status == "failed") | .name' "$r/results/results.json"
	assert_output 'lab 1 step3: a file created with mode 0666 under umask M gets 0666 & ~M'
	rm -rf "$G/gs"
}

@test "make prairielearn: run_grader grades /grade/student into PrairieLearn's results.json: the reference score 1, the starter 0 and gradable, a known-bad variant's .c alone loses the test that catches it" {
	local p=$G/pl/pkg r=$G/pl/root l=01-sessions
	rm -rf "$G/pl"
	grade_env
	run env "${GENV[@]}" "$KIT/checker/instructor/grade-platform" prairielearn "$p" 1 3>&- 4>&-
	assert_success
	assert_file_executable "$p/serverFilesCourse/syskit/run_grader"
	assert_file_not_exists "$p/serverFilesCourse/syskit/solutions"
	run jq -r '.externalGradingOptions.entrypoint' "$p/info-externalGradingOptions.json"
	assert_output /grade/serverFilesCourse/syskit/run_grader
	# PrairieLearn's layout: /grade/serverFilesCourse, /grade/student,
	# /grade/results; the reference, the starter, and a known-bad variant's
	# procinfo.c alone, as PrairieLearn's file upload gives it, each in a
	# root of its own
	local k
	for k in ref starter variant; do
		mkdir -p "$r-$k/student"
		cp -r "$p/serverFilesCourse" "$r-$k/"
	done
	cp -r "$KIT/solutions/$l" "$r-ref/student/"
	cp -r "$KIT/labs/$l" "$r-starter/student/"
	variant "$l" create-mode-0644 "$G/pl/variant"
	cp "$G/pl/variant/procinfo.c" "$r-variant/student/"
	for k in ref starter variant; do
		grade_env PL_ROOT="$r-$k"
		in_bg "$G/pl/$k.log" "$r-$k/serverFilesCourse/syskit/run_grader"
	done
	wait
	r=$r-ref
	in_bg_ok "$G/pl/ref.log"
	schema prairielearn "$r/results/results.json"
	run jq -r '"\(.gradable) \(.score) \(.points == .max_points)"' "$r/results/results.json"
	assert_output 'true 1 true'
	# the starter
	r=${r%-ref}-starter
	in_bg_ok "$G/pl/starter.log"
	schema prairielearn "$r/results/results.json"
	run jq -r '"\(.gradable) \(.score)"' "$r/results/results.json"
	assert_output 'true 0'
	# the known-bad variant
	r=${r%-starter}-variant
	in_bg_ok "$G/pl/variant.log"
	schema prairielearn "$r/results/results.json"
	run jq -r '.tests[] | select(.points < .max_points) | .name' "$r/results/results.json"
	assert_output 'lab 1 step3: a file created with mode 0666 under umask M gets 0666 & ~M'
	rm -rf "$G/pl"
}

@test "make autolab: autograde-Makefile grades the handin; its last line is Autolab's {\"scores\": ...}: the reference full marks, the starter 0, a known-bad variant loses points" {
	local p=$G/al/pkg d=$G/al/run l=01-sessions max
	rm -rf "$G/al"
	grade_env
	run env "${GENV[@]}" "$KIT/checker/instructor/grade-platform" autolab "$p" 1 3>&- 4>&-
	assert_success
	run tar -tf "$p/autograde.tar"
	assert_line syskit/checker/instructor/grade-one
	refute_line --regexp '^syskit/(solutions|checker/maint)/'
	max=$(jq '.students[0].labs[] | select(.lab == 1) | .max' "$OUT/results.json")
	# the reference, the starter, a known-bad variant, each handed in as
	# handin.tar in a fresh directory as Autolab's grader gets it, with
	# autograde.tar and the Makefile; then make in each
	local k
	tar -C "$KIT/solutions" -cf "$G/al/ref.tar" "$l"
	tar -C "$KIT/labs" -cf "$G/al/starter.tar" "$l"
	variant "$l" create-mode-0644 "$G/al/$l"
	tar -C "$G/al" -cf "$G/al/variant.tar" "$l"
	grade_env
	for k in ref starter variant; do
		mkdir -p "$d-$k"
		cp "$p/autograde.tar" "$d-$k/"
		cp "$p/autograde-Makefile" "$d-$k/Makefile"
		cp "$G/al/$k.tar" "$d-$k/handin.tar"
		in_bg "$G/al/$k.out" make -s -C "$d-$k"
	done
	wait
	in_bg_ok "$G/al/ref.out"
	schema autolab "$G/al/ref.out" 1
	run jq -e --argjson max "$max" '.scores == {lab1: $max}' <(tail -n 1 "$G/al/ref.out")
	assert_success
	in_bg_ok "$G/al/starter.out"
	schema autolab "$G/al/starter.out" 1
	run jq -e '.scores == {lab1: 0}' <(tail -n 1 "$G/al/starter.out")
	assert_success
	in_bg_ok "$G/al/variant.out"
	schema autolab "$G/al/variant.out" 1
	run jq -e --argjson max "$max" '.scores.lab1 > 0 and .scores.lab1 < $max' <(tail -n 1 "$G/al/variant.out")
	assert_success
	rm -rf "$G/al"
}
