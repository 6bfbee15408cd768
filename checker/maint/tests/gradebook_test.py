#!/usr/bin/env python3
"""gradebook_test - tests of checker/instructor/gradebook.py, the data half of
checker/instructor/grade (make test runs them; standard library only).

  python3 checker/maint/tests/gradebook_test.py -v        (from anywhere)

* FinishTest: a synthetic grading directory, as checker/instructor/grade leaves one
  (grading.json, kit/ with the labs' tests and the hidden ones, work/ID/
  with labs.tsv, results.tsv, the TAP of each file, the build logs, the
  valgrind pass), built in a temporary directory: a student for each case
  (a full pass, hostile messages, messages missing, a file that stopped
  early, a build failure, warnings, valgrind findings, not started, not
  submitted, a lab refused, an entry refused whole or by its name, a
  student stopped).  `gradebook.py finish` scores it with
  fixtures/gradebook/rubric; each output is compared with its golden file
  in fixtures/gradebook/expected/ (a failure shows a unified diff), and
  checked for what must hold whatever the class (valid UTF-8, JSON and
  XML; no host path; no empty message; exact scores; a row per entry; no
  hidden test's message).
* EntriesTest: `gradebook.py entries` on a submissions directory of every
  kind of name.
* RubricTest: `gradebook.py check-rubric` on rubrics with mistakes.
* BugTest: bugs this test found in gradebook.py (fixed), each described
  at its test, kept so that they stay fixed.

The golden files are written again, from what gradebook.py makes now, with
  KIT_UPDATE_GOLDEN=1 python3 checker/maint/tests/gradebook_test.py
(then read the diff of fixtures/gradebook/expected/ before committing it).
KIT_GRADEBOOK=/path/to/gradebook.py tests another copy of it (to show that
a broken one fails these tests).
"""

import csv
import difflib
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
KIT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
FIXTURES = os.path.join(HERE, "fixtures", "gradebook")
EXPECTED = os.path.join(FIXTURES, "expected")
GRADEBOOK = os.path.abspath(os.environ.get("KIT_GRADEBOOK") or os.path.join(KIT, "checker", "instructor", "gradebook.py"))
UPDATE = os.environ.get("KIT_UPDATE_GOLDEN", "") not in ("", "0")
GRADED_AT = "2025-03-14T09:26:53+01:00"
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")


def run_gradebook(*args, env=None):
    """gradebook.py ARGS as checker/instructor/grade runs it: its own process, the
    GRADE_* variables only those given."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("GRADE_")}
    e.update(env or {})
    return subprocess.run([sys.executable, GRADEBOOK, *args], capture_output=True, env=e, timeout=120)


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.chmod(path, mode)


def b(s):
    return s.encode("utf-8") if isinstance(s, str) else s


class Case(unittest.TestCase):
    maxDiff = None

    def shortDescription(self):
        return None     # (one line a test in -v's output: checker/maint/selftest reads it)


# --- the synthetic kit: two labs, hidden tests for lab 1 -------------------------

L1, L2 = "01-demo", "02-more"
PUBLIC1 = {
    "step1-basics": ["prints hello", "prints the pid", "exits 0"],
    "step2-errors": ["rejects a bad flag", "says why on stderr", "cleans up its temp files", "handles a signal"],
    "step3-more": ["survives a full disk", "is quick"],
}
HIDDEN1 = {"hidden": ["an empty input is refused", "a huge input is streamed", "SIGPIPE ends it quietly"]}
PUBLIC2 = {"step1-count": ["counts to three", "stops at three", "prints nothing else"]}
SECRET = "SECRET-OF-A-HIDDEN-TEST"

BATS = {
    f"labs/{L1}/tests/step1-basics.bats": """#!/usr/bin/env bats
# Step 1: demo says hello.
# bats file_tags=step1

load '../../../checker/lib/kit'

@test "prints hello" {
	run -0 bounded demo
}

@test "prints the pid" {
	run -0 bounded demo --pid
}

@test 'exits 0' {
	run -0 bounded demo
}
""",
    f"labs/{L1}/tests/step2-errors.bats": """#!/usr/bin/env bats
# Step 2: errors.
# bats file_tags=step2

load '../../../checker/lib/kit'

@test "rejects a bad flag" {
	run -2 bounded demo --bad
}

@test "says why on stderr" {
	run --separate-stderr bounded demo --bad
}

# bats test_tags=step3
@test "cleans up its temp files" {
	run -0 bounded demo --tmp
}

@test "handles a signal"   {
	run -0 bounded demo --signal
}
""",
    f"labs/{L1}/tests/step3-more.bats": """#!/usr/bin/env bats
# bats file_tags=step3

load '../../../checker/lib/kit'

@test "survives a full disk" {
	skip "the sandbox cannot make a full disk"
}

@test "is quick" {
	run -0 bounded demo --quick
}
""",
    f"labs/{L1}/tests/demo.bash": "# not a test file\n",
    "checker/instructor/hidden/lab1/hidden.bats": f"""#!/usr/bin/env bats
load '../../../../checker/lib/kit'

@test "an empty input is refused" {{
	: # {SECRET}
}}

@test "a huge input is streamed" {{
	:
}}

@test "SIGPIPE ends it quietly" {{
	:
}}
""",
    f"labs/{L2}/tests/step1-count.bats": """#!/usr/bin/env bats
# bats file_tags=step1

@test "counts to three" {
	run -0 bounded count
}

@test "stops at three" {
	run -0 bounded count
}

@test "prints nothing else" {
	run -0 bounded count
}
""",
}


def make_kit(root):
    """The kit's tests under ROOT (a kit tree: labs/, checker/instructor/hidden/)."""
    for rel, text in BATS.items():
        write(os.path.join(root, rel), text)


# --- what run-tests leaves: TAP and results.tsv (with each test's message) ---------------------------------

def ok(*names):
    return [("ok", n, []) for n in names]


class Run:
    """A lab's run (public or hidden) in WORK/labN-KIND/, as run-tests leaves
    it: FILE.tap (Bats' TAP) and results.tsv."""

    def __init__(self, work, n, kind, stage):
        self.dir = os.path.join(work, f"lab{n}-{kind}")
        self.stage, self.n, self.kind = stage, n, kind
        self.rows = []
        os.makedirs(self.dir, exist_ok=True)

    def file(self, name, tests, planned=None, stack=True):
        """TESTS: [(ok|fail|skip, name, comment lines)]; PLANNED, when more
        than were run: the file stopped early."""
        src = (f"{self.stage}/kit/labs/{L1 if self.n == 1 else L2}/tests/{name}.bats" if self.kind == "public"
               else f"{self.stage}/kit/checker/instructor/hidden/lab{self.n}/{name}.bats")
        out = [b"1..%d" % (planned or len(tests))]
        for i, (st, t, lines) in enumerate(tests, 1):
            if st == "ok":
                out.append(b"ok %d %s" % (i, b(t)))
                self.rows.append(b(f"pass\t{name}\t{t}\t"))
            elif st == "skip":
                out.append(b"ok %d %s # skip %s" % (i, b(t), b(lines[0])))
                self.rows.append(b(f"skip\t{name}\t{t}\t") + field(b(lines[0])))
            else:
                out.append(b"not ok %d %s" % (i, b(t)))
                msg = []
                m = re.match(r"^(.*) # (timeout after [0-9]+s)$", t)
                if m:       # run-tests: the name without Bats' suffix, the suffix said
                    t, msg = m.group(1), [b(f" stopped: {m.group(2)} (BATS_TEST_TIMEOUT)")]
                if stack:
                    out.append(b"# (in test file %s, line %d)" % (b(src), 4 * i + 3))
                    msg.append(b(f"  ({src}, line {4 * i + 3})"))
                out += [b"#" + (b" " + b(x) if x else b"") for x in lines]
                for x in map(b, lines):     # Bats' stack trace, as run-tests shortens it
                    if re.search(rb"from function |`.*' failed( due to timeout)?$", x):
                        continue
                    msg.append(b"  (" + x.split(b"in test file ", 1)[1] if b"in test file " in x else x)
                self.rows.append(b(f"fail\t{name}\t{t}\t") + field(b"\n".join(msg)))
        if planned and planned > len(tests):
            self.rows.append(b(f"fail\t{name}\t(did not finish)\t"))
        write(os.path.join(self.dir, f"{name}.tap"), b"\n".join(out) + b"\n")
        write(os.path.join(self.dir, f"{name}.rc"), "0\n" if all(t[0] != "fail" for t in tests) else "1\n")
        write(os.path.join(self.dir, "results.tsv"), b"".join(r + b"\n" for r in self.rows))
        return self


def field(text):
    """TEXT as run-tests writes a message into results.tsv (its field())."""
    return text.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\r", b"\\r").replace(b"\n", b"\\n")


def passes(work, stage, n):
    """Every test of lab N passed (the hidden ones too)."""
    if n == 1:
        r = Run(work, 1, "public", stage)
        for f, names in PUBLIC1.items():
            r.file(f, ok(*names))
        h = Run(work, 1, "hidden", stage)
        h.file("hidden", ok(*HIDDEN1["hidden"]))
    else:
        Run(work, 2, "public", stage).file("step1-count", ok(*PUBLIC2["step1-count"]))


def labs_tsv(work, *rows):
    """labs.tsv: (n, status, warnings, vg, why) a row, as grade_student writes it."""
    text = "".join(f"{n}\t{L1 if n == 1 else L2}\t{st}\t{w}\t{vg}\t{why}\n" for n, st, w, vg, why in rows)
    write(os.path.join(work, "labs.tsv"), text)


MISSING2 = (2, "missing", 0, "-", f"no .c file in the submission's labs/{L2}/")


def gcc(stage, sid, src, line, col, kind, what, code, mark):
    """gcc's three lines for one diagnostic, the path as the stage has it."""
    p = f"{stage}/work/{sid}/src/{L1}/{src}"
    return [f"{p}:{line}:{col}: {kind}: {what}", f"{line:5d} | {code}", f"      | {mark}"]


def build_class(root):
    """The synthetic grading directory ROOT/grading (from a kit ROOT/kit and a
    stage ROOT/stage, which exist only as paths in it); returns a dict of
    the paths."""
    kit = os.path.join(root, "kit")
    stage = os.path.join(root, "stage")
    subs = os.path.join(root, "submissions")
    g = os.path.join(root, "grading")
    os.makedirs(os.path.join(kit, "checker", "instructor"))
    shutil.copy(os.path.join(FIXTURES, "rubric"), os.path.join(kit, "checker", "instructor", "rubric"))
    make_kit(os.path.join(g, "kit"))
    entries = []

    def entry(sid, name=None, kind="dir", status="ok", reason="", link="", path=None):
        name = sid if name is None else name
        e = dict(name=name, kind=kind, path=path or os.path.join(subs, name), status=status, reason=reason,
                 link=link, id=sid, stage=stage, graded_at=GRADED_AT)
        entries.append(e)
        w = os.path.join(g, "work", sid)
        if status == "ok":
            os.makedirs(w, exist_ok=True)
        return w

    # José García: every test passes (one is skipped: it earns its share),
    # valgrind ran on lab 1 and found nothing; a name that is not an id
    jid = "Jose_Garcia-" + hashlib.sha256("José García".encode()).hexdigest()[:6]
    w = entry(jid, "José García")
    labs_tsv(w, (1, "ok", 0, 0, ""), (2, "ok", 0, "-", ""))
    r = Run(w, 1, "public", stage)
    r.file("step1-basics", ok(*PUBLIC1["step1-basics"]))
    r.file("step2-errors", ok(*PUBLIC1["step2-errors"]))
    r.file("step3-more", [("skip", "survives a full disk", ["the sandbox cannot make a full disk"]),
                          ("ok", "is quick", [])])
    Run(w, 1, "hidden", stage).file("hidden", ok(*HIDDEN1["hidden"]))
    passes(w, stage, 2)
    write(os.path.join(w, "lab1.build.log"), f"  CC      {stage}/work/{jid}/src/{L1}/demo.c\n")
    write(os.path.join(w, "vg", "lab1", "findings.tsv"), "")
    write(os.path.join(w, "vg", "lab1", "processes"), "12\n")

    # mallory: failures whose messages are hostile, or missing
    w = entry("mallory")
    labs_tsv(w, (1, "ok", 0, "-", ""), (2, "ok", 2, "-", ""))
    r = Run(w, 1, "public", stage)
    r.file("step1-basics", [
        ("ok", "prints hello", []),
        ("fail", "prints the pid", [
            "  `[[ $output == pid=* ]]' failed",
            "  expected: a line like 'pid=12 \"ppid\"=7' (a backslash: C:\\temp\\new\\)",
            b"  actual:   'tab:\there' \x01\x1b[31mred\x1b[0m bell\x07 nul\x00 cr\r bytes:\xff\xfe\xc3( end",
            f"  see {kit}/labs/{L1}/README.md, step 1, and {stage}/kit/notes/demo.md#pids",
            f"  the program: {stage}/work/mallory/build/lab1/demo, its source: "
            f"{stage}/work/mallory/src/{L1}/demo.c:12",
            f"  the tests: {stage}/kit/labs/{L1}/tests/step1-basics.bats",
        ]),
        ("fail", "exits 0", [
            "  `run -0 bounded demo' failed, expected exit code 0, got 1",
            "  output: " + "A" * 5000,
            "  (after the long line)",
        ]),
    ])
    r.file("step2-errors", [
        ("fail", "rejects a bad flag", [f"  line {i} of 45 the program printed" for i in range(1, 46)]),
        ("fail", "says why on stderr", []),
        ("ok", "cleans up its temp files", []),
        ("fail", "handles a signal", [
            f"(from function `explain' in file {stage}/kit/checker/lib/kit.bash, line 40,",
            f" in test file {stage}/kit/labs/{L1}/tests/step2-errors.bats, line 30)",
            "", "  ",
        ]),
    ])
    r.file("step3-more", [
        ("fail", "survives a full disk", [
            "  | a table | in it | **bold** `code` <b>tag</b> &amp; ]]> <![CDATA[ x",
            "  a line ending in a backslash \\",
        ]),
        ("ok", "is quick", []),
    ])
    Run(w, 1, "hidden", stage).file("hidden", [
        ("fail", HIDDEN1["hidden"][0], [f"  {SECRET}: it reads /etc/hidden-fixture"]),
        ("ok", HIDDEN1["hidden"][1], []),
        ("fail", HIDDEN1["hidden"][2], []),
    ])
    Run(w, 2, "public", stage).file("step1-count", [
        ("fail", "counts to three", ["  expected '1 2 3', got ''"]),
        ("fail", "stops at three", ["  expected 3 lines, got 0"]),
        ("fail", "prints nothing else", ["  expected nothing on stderr, got 'count: oops'"]),
    ])
    write(os.path.join(w, "lab1.build.log"), f"  CC      {stage}/work/mallory/src/{L1}/demo.c\n")
    write(os.path.join(w, "lab2.build.log"), "\n".join(
        [f"  CC      {stage}/work/mallory/src/{L2}/count.c",
         f"{stage}/work/mallory/src/{L2}/count.c: In function ‘main’:",
         f"{stage}/work/mallory/src/{L2}/count.c:5:13: warning: unused variable ‘i’ [-Wunused-variable]",
         "    5 |         int i;",
         "      |             ^",
         f"{stage}/work/mallory/src/{L2}/count.c: At top level:",
         f"{stage}/work/mallory/src/{L2}/count.c:2:12: warning: ‘n’ defined but not used [-Wunused-variable]",
         "    2 | static int n;",
         "      |            ^"]) + "\n")

    # sam: step2-errors.bats stopped after its second test (the file's
    # time limit): its last two tests never reported
    w = entry("sam")
    labs_tsv(w, (1, "ok", 0, "-", ""), MISSING2)
    r = Run(w, 1, "public", stage)
    r.file("step1-basics", ok(*PUBLIC1["step1-basics"]))
    r.file("step2-errors", [("ok", "rejects a bad flag", []),
                            ("fail", "says why on stderr", ["  expected an error message on stderr, got ''"])],
           planned=4)
    r.file("step3-more", ok(*PUBLIC1["step3-more"]))
    Run(w, 1, "hidden", stage).file("hidden", ok(*HIDDEN1["hidden"]))

    # bob: lab 1 does not compile (gcc's messages with the stage's paths);
    # lab 2 passes two tests of three
    w = entry("bob", "bob.tgz", kind="tgz")
    labs_tsv(w, (1, "build-failed", 1, "-", "does not compile"), (2, "ok", 0, "-", ""))
    log = ([f"  CC      {stage}/work/bob/src/{L1}/demo.c",
            f"{stage}/work/bob/src/{L1}/demo.c: In function ‘main’:"]
           + gcc(stage, "bob", "demo.c", 9, 13, "warning", "unused variable ‘x’ [-Wunused-variable]", "    int x;", "    ^")
           + gcc(stage, "bob", "procinfo.c", 12, 5, "error", "‘pid’ undeclared (first use in this function)",
                 "    pid = getpid();", "    ^~~")
           + [f"{stage}/work/bob/src/{L1}/procinfo.c:12:5: note: each undeclared identifier is reported only once"
              " for each function it appears in",
              f"make: {stage}/work/bob/src/{L1}/procinfo.c does not compile. Fix the first error above"
              " (file:line: error: ...), then run the command again.",
              f"make: *** [{stage}/kit/Makefile:91: {stage}/work/bob/build/lab1/procinfo] Error 1"])
    write(os.path.join(w, "lab1.build.log"), "\n".join(log) + "\n")
    Run(w, 2, "public", stage).file("step1-count", [("ok", "counts to three", []), ("ok", "stops at three", []),
                                                    ("fail", "prints nothing else", ["  got 'debug: 3'"])])

    # wendy: two warnings, every test passes; her entry is a symlink to a
    # directory outside the submissions (checker/instructor/grade follows it)
    w = entry("wendy", link="/srv/elsewhere/wendy", path="/srv/elsewhere/wendy")
    labs_tsv(w, (1, "ok", 2, "-", ""), MISSING2)
    passes(w, stage, 1)
    log = ([f"  CC      {stage}/work/wendy/src/{L1}/demo.c",
            f"{stage}/work/wendy/src/{L1}/demo.c: In function ‘parse’:"]
           + gcc(stage, "wendy", "demo.c", 8, 13, "warning", "unused variable ‘n’ [-Wunused-variable]", "    int n;", "    ^")
           + [f"{stage}/work/wendy/src/{L1}/demo.c: In function ‘main’:"]
           + gcc(stage, "wendy", "demo.c", 20, 9, "warning",
                 "implicit declaration of function ‘sleepx’ [-Wimplicit-function-declaration]",
                 "    sleepx(1);", "    ^~~~~~"))
    write(os.path.join(w, "lab1.build.log"), "\n".join(log) + "\n")

    # nora: both labs are the starter, untouched
    w = entry("nora")
    labs_tsv(w, (1, "not-started", 0, "-", "the starter, untouched"), (2, "not-started", 0, "-", "the starter, untouched"))
    write(os.path.join(w, "lab1.build.log"), "the starter, untouched\n")
    write(os.path.join(w, "lab2.build.log"), "the starter, untouched\n")

    # mia: no lab at all
    w = entry("mia", "mia.zip", kind="zip")
    labs_tsv(w, (1, "missing", 0, "-", f"no .c file in the submission's labs/{L1}/"), MISSING2)

    # lee: lab 1 refused (a source is a symlink), lab 2 passes
    w = entry("lee")
    why = "refused: demo.c is a symlink to /etc/shadow (not read)"
    labs_tsv(w, (1, "refused", 0, "-", why), (2, "ok", 0, "-", ""))
    write(os.path.join(w, "lab1.build.log"), why + "\n")
    passes(w, stage, 2)

    # zed: refused whole (the archive, once unpacked, is too big)
    w = entry("zed", "zed.zip", kind="zip")
    why = "refused: archive over 100 MiB unpacked (110 MiB)"
    write(os.path.join(w, "refused"), why + "\n")
    labs_tsv(w, (1, "refused", 0, "-", why), (2, "refused", 0, "-", why))

    # a name that is not UTF-8: refused by its name, never unpacked
    # (its id: the name's letters folded to ASCII, and a hash of the name)
    name = b"caf\xe9.zip".decode("utf-8", "replace")
    entry("caf.zip-" + hashlib.sha256(name.encode()).hexdigest()[:6], name, kind="", status="refused",
          reason="refused: name: not UTF-8", path=os.path.join(subs, name))
    del entries[-1]["link"]

    # vlad: every test passes, valgrind found two things in lab 1
    w = entry("vlad")
    labs_tsv(w, (1, "ok", 0, 2, ""), MISSING2)
    passes(w, stage, 1)
    write(os.path.join(w, "vg", "lab1", "findings.tsv"),
          "demo\tInvalid read of size 4\tdemo.c:12 (main)\t3\n"
          f"demo\t16 bytes in 1 blocks are definitely lost\tdemo.c:30 (make_buf), demo.c:14 (main)\t1\n")
    write(os.path.join(w, "vg", "lab1", "processes"), "7\n")

    # sleepy: stopped by the student's time bound during lab 2 (no row for it)
    w = entry("sleepy")
    labs_tsv(w, (1, "ok", 0, "-", ""))
    passes(w, stage, 1)
    os.makedirs(os.path.join(w, "lab2-public"))

    settings = dict(graded_at=GRADED_AT, sandbox="bwrap", rubric_name="", labs=[1, 2],
                    labdirs={"1": L1, "2": L2}, hidden=True, valgrind=True, kit=kit,
                    submissions=subs, entries=sorted(entries, key=lambda e: e["name"]))
    write(os.path.join(g, "grading.json"), json.dumps(settings, ensure_ascii=False, indent=1) + "\n")
    return dict(root=root, kit=kit, stage=stage, grading=g, rubric=os.path.join(kit, "checker", "instructor", "rubric"),
                entries=settings["entries"])


OUTPUTS = ("finish.out", "summary.csv", "maxima.csv", "results.json")


def outputs(dest, finish_out):
    """{relative name: bytes} of what finish wrote in DEST (and its stdout)."""
    out = {"finish.out": finish_out}
    for name in OUTPUTS[1:]:
        with open(os.path.join(dest, name), "rb") as f:
            out[name] = f.read()
    for sub in ("reports", "junit"):
        for name in sorted(os.listdir(os.path.join(dest, sub))):
            with open(os.path.join(dest, sub, name), "rb") as f:
                out[f"{sub}/{name}"] = f.read()
    return out


def normalise(data, root):
    """What may differ between two runs: the temporary directory, the time."""
    text = data.decode("utf-8", "replace").replace(root, "$TMP")
    text = re.sub(r'("graded_at": )"[^"]*"', r'\1"GRADED_AT"', text)
    return re.sub(r"^Graded .* in the ", "Graded GRADED_AT in the ", text, flags=re.M)


def golden_diff(name, got):
    """'' if GOT is the golden file NAME, else a unified diff."""
    path = os.path.join(EXPECTED, name)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            want = f.read()
    except FileNotFoundError:
        return f"--- {name}: no golden file (KIT_UPDATE_GOLDEN=1 writes it)\n"
    if want == got:
        return ""
    d = difflib.unified_diff(want.split("\n"), got.split("\n"), f"expected/{name}", f"gradebook.py's {name}",
                             lineterm="", n=2)
    # (control characters shown as \xNN: a log stays readable)
    lines = [re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}",
                    x if len(x) < 300 else x[:300] + "...") for x in d]
    return "\n".join(lines[:150] + (["(... the rest of the diff)"] if len(lines) > 150 else [])) + "\n"


class FinishTest(Case):
    """gradebook.py finish on the synthetic class."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="gradebook-test.")
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.c = build_class(cls.root)
        g = cls.c["grading"]
        cls.proc = run_gradebook("finish", g, cls.c["rubric"], g)
        cls.out = outputs(g, cls.proc.stdout) if cls.proc.returncode == 0 else {}
        if cls.out:
            cls.json = json.loads(cls.out["results.json"])
            cls.students = {s["id"]: s for s in cls.json["students"]}

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, f"gradebook.py finish failed: {self.proc.stderr.decode(errors='replace')}")

    def golden(self, names):
        diffs = []
        for name in names:
            got = normalise(self.out[name], self.root)
            if UPDATE:
                write(os.path.join(EXPECTED, name), got)
            else:
                diffs.append(golden_diff(name, got))
        # a golden file the outputs no longer have
        for sub in sorted({n.split("/")[0] for n in names if "/" in n}):
            for f in sorted(os.listdir(os.path.join(EXPECTED, sub))):
                if f"{sub}/{f}" in self.out:
                    continue
                if UPDATE:
                    os.remove(os.path.join(EXPECTED, sub, f))
                else:
                    diffs.append(f"--- expected/{sub}/{f}: gradebook.py wrote no such file\n")
        if UPDATE:
            return
        diffs = [d for d in diffs if d]
        if diffs:
            self.fail("the outputs differ from their golden files "
                      "(KIT_UPDATE_GOLDEN=1 writes them again, once you know the new ones are right):\n"
                      + "".join(diffs))

    def summary(self):
        return list(csv.reader(io.StringIO(self.out["summary.csv"].decode("utf-8"), newline="")))

    # the golden files
    def test_golden_summary_csv(self):
        self.golden(["summary.csv"])

    def test_golden_maxima_csv(self):
        self.golden(["maxima.csv"])

    def test_golden_results_json(self):
        self.golden(["results.json"])

    def test_golden_reports(self):
        self.golden(sorted(n for n in self.out if n.startswith("reports/")))

    def test_golden_junit(self):
        self.golden(sorted(n for n in self.out if n.startswith("junit/")))

    def test_golden_finish_stdout(self):
        # what checker/instructor/grade reads: a refused line per refused entry, the counts
        self.golden(["finish.out"])

    # what must hold whatever the class
    def test_every_output_is_utf8_and_results_json_parses(self):
        for name, data in self.out.items():
            try:
                data.decode("utf-8", "strict")
            except UnicodeDecodeError as e:
                self.fail(f"{name} is not UTF-8: {e}")
        doc = json.loads(self.out["results.json"].decode("utf-8"))
        self.assertEqual(doc["labs"], [1, 2])

    def test_every_junit_file_parses(self):
        names = [n for n in self.out if n.startswith("junit/")]
        self.assertEqual(len(names), len(self.c["entries"]))
        for name in names:
            try:
                root = ET.fromstring(self.out[name])
            except ET.ParseError as e:
                self.fail(f"{name} does not parse: {e}")
            self.assertEqual(root.tag, "testsuites")
            for suite in root.iter("testsuite"):
                cases = suite.findall("testcase")
                self.assertEqual(int(suite.get("tests")), len(cases), name)
                self.assertEqual(int(suite.get("failures")), len([c for c in cases if c.find("failure") is not None]), name)
        if shutil.which("xmllint"):
            files = [os.path.join(self.c["grading"], n) for n in names]
            p = subprocess.run(["xmllint", "--noout", *files], capture_output=True)
            self.assertEqual(p.returncode, 0, f"xmllint: {p.stderr.decode(errors='replace')}")

    def test_no_host_path_in_any_output(self):
        for name, data in self.out.items():
            for what, path in (("the grading's temporary directory (stage, kit, submissions)", self.root),
                               ("this kit's directory", KIT)):
                self.assertNotIn(os.fsencode(path), data, f"{name} has {what}: {path}")
        # and the paths of mallory's messages came out relative
        msgs = {t["name"]: t["message"] for lab in self.students["mallory"]["labs"] for t in lab["tests"]}
        m = msgs["prints the pid"]
        for rel in (f"see labs/{L1}/README.md, step 1, and notes/demo.md#pids",
                    "the program: build/lab1/demo, its source: demo.c:12",
                    f"the tests: labs/{L1}/tests/step1-basics.bats"):
            self.assertIn(rel, m)
        report = self.out["reports/bob.md"].decode()
        self.assertIn("    procinfo.c:12:5: error: ‘pid’ undeclared", report)
        self.assertIn("    make: *** [Makefile:91: build/lab1/procinfo] Error 1", report)

    def test_no_failed_public_test_without_a_message(self):
        n = 0
        for s in self.json["students"]:
            for lab in s["labs"]:
                for t in lab["tests"]:
                    if t["status"] == "fail" and t["group"] != "hidden":
                        n += 1
                        self.assertTrue(t["message"].strip(), f"{s['id']} lab {lab['lab']}: '{t['name']}' has no message")
        self.assertGreater(n, 50)
        for name in (n for n in self.out if n.startswith("junit/")):
            for f in ET.fromstring(self.out[name]).iter("failure"):
                self.assertTrue((f.text or "").strip(), f"{name}: a failure without a text")
        # the two of mallory's failures that said nothing point to their TAP
        msgs = {t["name"]: t["message"] for lab in self.students["mallory"]["labs"] for t in lab["tests"]}
        for t, f in (("says why on stderr", "step2-errors"), ("handles a signal", "step2-errors")):
            self.assertIn(f"work/mallory/lab1-public/{f}.tap", msgs[t])

    def test_hostile_messages_are_bounded_and_clean(self):
        msgs = {t["name"]: t["message"] for lab in self.students["mallory"]["labs"] for t in lab["tests"]}
        pid = msgs["prints the pid"]
        self.assertIn("C:\\temp\\new\\", pid)                 # backslashes kept, as they are
        self.assertIn("\"ppid\"", pid)
        self.assertIn("tab:\there", pid)                      # a tab kept
        self.assertIn("\ufffd", pid)                          # bytes not UTF-8: U+FFFD
        self.assertIsNone(re.search(r"[\x00-\x08\x0b-\x1f\x7f]", pid), repr(pid))
        self.assertNotIn("`[[ $output", pid)                  # Bats' own stack lines left out
        lines = msgs["rejects a bad flag"].split("\n")
        self.assertEqual(len(lines), 41)                       # 40 lines kept, and a mark
        self.assertEqual(lines[-1], "(...)")
        self.assertTrue(all(len(x) <= 600 for m in msgs.values() for x in m.split("\n")))
        self.assertIn("A" * 400, msgs["exits 0"])
        self.assertIn("(after the long line)", msgs["exits 0"])

    def test_hidden_messages_are_never_shown(self):
        for name, data in self.out.items():
            self.assertNotIn(SECRET.encode(), data, name)

    def test_scores_are_exact(self):
        jid = [s for s in self.json["students"] if s["name"] == "José García"][0]
        self.assertEqual(jid["status"], "graded")
        # a full pass, with thirds (7/3, 10/3, 20/3) and a quarter: exactly the max
        for lab in jid["labs"]:
            self.assertEqual(lab["score"], lab["max"], f"lab {lab['lab']}")
        self.assertEqual((jid["labs"][0]["max"], jid["labs"][1]["max"], jid["total"]), (46.25, 10, 56.25))
        # each lab's tests: their maxima add up to the lab's (to 4 places a test)
        for s in self.json["students"]:
            for lab in s["labs"]:
                self.assertAlmostEqual(sum(t["max"] for t in lab["tests"]), lab["max"], places=3)
            self.assertAlmostEqual(sum(lab["score"] for lab in s["labs"]), s["total"], places=3)
        rows = {r[0]: r for r in self.summary()[1:]}
        self.assertEqual(rows[jid["id"]][1:4], ["46.3", "10.0", "56.3"])      # 46.25: half away from zero
        self.assertEqual(self.out["maxima.csv"].decode(), "student,lab1,lab2,total\nmax,46.3,10.0,56.3\n")
        # a lab never below 0: mallory's lab 2 fails every test and has 2 warnings
        self.assertEqual(self.students["mallory"]["labs"][1]["score"], 0)

    def test_every_entry_has_a_row(self):
        rows = self.summary()
        ids = [e["id"] for e in self.c["entries"]]
        self.assertEqual(rows[0], ["student", "lab1", "lab2", "total", "status", "reason", "submission"])
        self.assertEqual([r[0] for r in rows[1:]], ids)
        self.assertEqual(len(rows) - 1, len(self.c["entries"]))
        self.assertEqual([s["id"] for s in self.json["students"]], ids)
        self.assertEqual(sorted(n for n in self.out if n.startswith("reports/")), sorted(f"reports/{i}.md" for i in ids))
        status = {r[0]: r[4] for r in rows[1:]}
        counts = self.json["counts"]
        self.assertEqual(counts["entries"], len(ids))
        for key, word in (("graded", "graded"), ("not_submitted", "not submitted"),
                          ("not_started", "not started"), ("refused", "refused")):
            self.assertEqual(counts[key], sum(v == word for v in status.values()), key)
        self.assertEqual(counts["refused"], 2)

    def test_scoring_again_gives_the_same_files(self):
        # (grade --rescore scores a grading directory again)
        g = self.c["grading"]
        p = run_gradebook("finish", g, self.c["rubric"], g)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        again = outputs(g, p.stdout)
        self.assertEqual(sorted(again), sorted(self.out))
        for name in self.out:
            self.assertEqual(again[name], self.out[name], name)

    def test_anonymised_hidden_tests(self):
        d = os.path.join(self.root, "anonymised")
        shutil.copytree(self.c["grading"], d, symlinks=True)
        p = run_gradebook("finish", d, self.c["rubric"], d, "--anonymise-hidden")
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        out = outputs(d, p.stdout)
        for name, data in out.items():
            for hidden in HIDDEN1["hidden"]:
                self.assertNotIn(hidden.encode(), data, name)
        self.assertIn(b"hidden test 3 of lab 1", out["reports/mallory.md"])
        self.assertEqual(out["summary.csv"], self.out["summary.csv"])
        self.assertTrue(json.loads(out["results.json"])["anonymised_hidden"])


class RoundingTest(Case):
    """gradebook.fmt and num, in this process (no __pycache__ is written)."""

    @classmethod
    def setUpClass(cls):
        sys.dont_write_bytecode = True
        spec = importlib.util.spec_from_file_location("gradebook_under_test", GRADEBOOK)
        cls.gb = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.gb)

    def test_fmt_rounds_once_half_away_from_zero(self):
        fmt, F = self.gb.fmt, Fraction
        for x, places, want in ((F(1, 4), 1, "0.3"), (F(5, 2), 0, "3"), (F(-5, 2), 0, "-3"), (F("0.15"), 1, "0.2"),
                                (F("49.25"), 1, "49.3"), (F(10, 3), 1, "3.3"), (F(20, 3), 1, "6.7"),
                                (F(7, 3), 2, "2.33"), (F(0), 1, "0.0"), (F(10, 3) * 3, 1, "10.0")):
            self.assertEqual(fmt(x, places), want, f"fmt({x}, {places})")

    def test_num(self):
        self.assertEqual(self.gb.num(Fraction(20, 3) * 3), 20)
        self.assertIsInstance(self.gb.num(Fraction(20, 3) * 3), int)
        self.assertEqual(self.gb.num(Fraction(10, 3)), 3.3333)


# --- gradebook.py entries -----------------------------------------------------

class EntriesTest(Case):
    ENV = dict(GRADE_LABS="1", GRADE_LABDIRS="1=01-demo", GRADE_STAGE="/x", GRADE_KIT="/k")

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="gradebook-test.")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.subs = os.path.join(self.root, "subs")
        os.makedirs(os.path.join(self.root, "elsewhere", "linked-target"))
        for d in ("José García", "alice"):
            os.makedirs(os.path.join(self.subs, d))
        for f in ("alice.zip", "BOB.ZIP", "carol.tar", "dave.tgz", "erin.tar.gz", "notes.pdf"):
            write(os.path.join(self.subs, f), b"")
        os.symlink(os.path.join(self.root, "elsewhere", "linked-target"), os.path.join(self.subs, "linked"))
        os.symlink(os.path.join(self.root, "nowhere"), os.path.join(self.subs, "dangling"))

    def entries(self):
        out = os.path.join(self.root, "grading.json")
        p = run_gradebook("entries", self.subs, out, env=self.ENV)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        with open(out, encoding="utf-8") as f:
            settings = json.load(f)
        fields = p.stdout.split(b"\0")
        self.assertEqual(fields[-1], b"", "the records end with a NUL")
        records = [fields[i:i + 4] for i in range(0, len(fields) - 1, 4)]
        return settings, records

    def check(self, settings, records, want):
        es = settings["entries"]
        self.assertEqual(settings["labs"], [1])
        self.assertEqual(settings["labdirs"], {"1": "01-demo"})
        self.assertEqual((settings["kit"], settings["submissions"]), ("/k", self.subs))
        self.assertEqual({e["stage"] for e in es}, {"/x"})
        ids = [e["id"] for e in es]
        self.assertEqual(len(set(ids)), len(ids), f"ids not unique: {ids}")
        for i in ids:
            self.assertRegex(i, r"\A[A-Za-z0-9][A-Za-z0-9._@+-]*\Z")
        got = {e["name"]: (e["id"], e["kind"], e["status"], e["reason"]) for e in es}
        for name, (sid, kind, status, reason) in want.items():
            self.assertIn(name, got)
            gid, gkind, gstatus, greason = got[name]
            if sid.endswith("-*"):
                self.assertRegex(gid, r"\A" + re.escape(sid[:-1]) + r"[0-9a-f]{6}\Z", name)
            else:
                self.assertEqual(gid, sid, name)
            self.assertEqual((gkind, gstatus, greason), (kind, status, reason), name)
        self.assertEqual(sorted(got), sorted(want))
        # the records: one per entry, as in grading.json
        self.assertEqual(len(records), len(es))
        # (a record has the path's bytes as they are; grading.json, bytes that
        # are not UTF-8 as U+FFFD)
        for r, e in zip(records, es):
            self.assertEqual([x.decode("utf-8", "replace") for x in r], [e["id"], e["kind"], e["status"], e["path"]])
        return {e["name"]: e for e in es}

    WANT = {
        "José García": ("Jose_Garcia-*", "dir", "ok", ""),
        "alice": ("alice.1", "dir", "refused", "refused: two submissions for the same student (alice, alice.zip)"),
        "alice.zip": ("alice.2", "zip", "refused", "refused: two submissions for the same student (alice, alice.zip)"),
        "BOB.ZIP": ("BOB", "zip", "ok", ""),
        "carol.tar": ("carol", "tar", "ok", ""),
        "dave.tgz": ("dave", "tgz", "ok", ""),
        "erin.tar.gz": ("erin", "tgz", "ok", ""),
        "notes.pdf": ("notes.pdf", "", "refused",
                      "refused: not a directory or an archive (.tar.gz, .tgz, .tar, .zip)"),
        "linked": ("linked", "dir", "ok", ""),
    }

    def want(self):
        w = dict(self.WANT)
        w["dangling"] = ("dangling", "", "refused",
                         f"refused: symlink to {os.path.join(self.root, 'nowhere')}, which does not exist")
        return w

    def test_entries_of_every_kind(self):
        settings, records = self.entries()
        e = self.check(settings, records, self.want())
        self.assertEqual(e["linked"]["link"], os.path.join(self.root, "elsewhere", "linked-target"))
        self.assertEqual(e["linked"]["path"], os.path.join(self.root, "elsewhere", "linked-target"))
        self.assertEqual(e["dangling"]["link"], os.path.join(self.root, "nowhere"))
        self.assertEqual(e["carol.tar"]["path"], os.path.join(self.subs, "carol.tar"))
        # the same names, the same ids (a grading again, --only, --rescore)
        settings2, _ = self.entries()
        self.assertEqual([x["id"] for x in settings2["entries"]], [x["id"] for x in settings["entries"]])

    # Was a bug, now fixed (gradebook.py list_entries/cmd_entries): a name in SUBS that is not
    # UTF-8 crashes `gradebook.py entries` (UnicodeEncodeError: surrogates
    # not allowed, in write_json), so checker/instructor/grade stops with a traceback
    # instead of refusing that entry: its "path" is os.fsdecode(path), a str
    # with a lone surrogate (\udce9 for the byte \xe9), which json.dump with
    # ensure_ascii=False writes to a file opened as UTF-8.  (grading.json.tmp
    # is left behind.)  Fix: keep such an entry's path printable in the JSON
    # (e.g. path=os.fsdecode(path).encode("utf-8", "surrogateescape")
    # .decode("utf-8", "replace"); it is refused, nothing reads it).
    def test_entries_with_a_name_not_utf8(self):
        write(os.path.join(os.fsencode(self.subs), b"caf\xe9.zip"), b"")
        settings, records = self.entries()
        w = self.want()
        w["caf\ufffd.zip"] = ("caf.zip-*", "", "refused", "refused: name: not UTF-8")
        self.check(settings, records, w)

    # Was a bug, now fixed (the same, in list_entries): a symlink whose target is not UTF-8
    # crashes `gradebook.py entries` too: e["link"] = os.fsdecode(readlink)
    # (and, when the target exists, e["path"] = its realpath) carry lone
    # surrogates into write_json.  Fix: record the link (and the path in the
    # JSON) with the bytes that are not UTF-8 replaced (U+FFFD), while the
    # record on stdout keeps the real path (os.fsencode of the original).
    def test_entries_with_a_symlink_whose_target_is_not_utf8(self):
        target = os.path.join(os.fsencode(self.root), b"elsewhere", b"t\xff")
        os.makedirs(target)
        os.symlink(target, os.path.join(os.fsencode(self.subs), b"odd"))
        settings, records = self.entries()
        w = self.want()
        w["odd"] = ("odd", "dir", "ok", "")
        e = self.check(settings, records, w)
        self.assertIn("\ufffd", e["odd"]["link"])

    # Was a bug, now fixed (list_entries): the ids given to two entries of the same student
    # (ID.1, ID.2) are not checked against the other ids: with "alice",
    # "alice.zip" and a directory "alice.1", two entries get the id
    # "alice.1" (one work/alice.1/, one report, one summary row for two
    # entries).  Fix: give the refused duplicates an id no other entry has
    # (e.g. count up from .1 while f"{id}.{k}" is taken, over every entry's
    # id), or refuse them under safe_id(name) of the whole name (alice.zip)
    # and check again.
    def test_ids_of_duplicates_stay_unique(self):
        os.makedirs(os.path.join(self.subs, "alice.1"))
        settings, records = self.entries()
        ids = [e["id"] for e in settings["entries"]]
        self.assertEqual(len(set(ids)), len(ids), f"ids not unique: {ids}")


# --- gradebook.py check-rubric ------------------------------------------------

class RubricTest(Case):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="gradebook-test.")
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.kit = os.path.join(cls.root, "kit")
        make_kit(cls.kit)

    def check(self, text):
        path = os.path.join(self.root, "rubric")
        write(path, text)
        p = run_gradebook("check-rubric", path, self.kit)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def bad(self, text, *want):
        rc, out, err = self.check(text)
        self.assertEqual(rc, 2, f"exit status {rc}, stderr: {err}")
        self.assertEqual(out, "")
        for w in want:
            self.assertIn(w, err)
        return err

    def test_a_good_rubric(self):
        with open(os.path.join(FIXTURES, "rubric"), encoding="utf-8") as f:
            self.assertEqual(self.check(f.read()), (0, "", ""))
        self.assertEqual(self.check("# nothing but comments\n\n"), (0, "", ""))
        # the kit's own rubric, against the kit's labs
        p = run_gradebook("check-rubric", os.path.join(KIT, "checker", "instructor", "rubric"), KIT)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"", b""))

    def test_a_misspelled_test_name(self):
        err = self.bad("10 * step*\n5 1 test: prints the pidd\n",
                       "rubric:2: no test of lab 1 is named 'prints the pidd'; the closest: 'prints the pid'")
        self.assertEqual(len(err.strip().split("\n")), 1, err)
        self.bad("3 * test: counts to tree\n", "no test of any lab is named 'counts to tree'; the closest: 'counts to three'")
        self.bad("3 1 test: an empty input is refusd\n", "the closest: 'an empty input is refused'")   # a hidden one
        self.bad("3 1 test:\n", "'test:' wants the test's exact name after it")

    def test_an_unknown_word(self):
        self.bad("5 1 tset: prints the pid\n", "rubric:1: unknown rule 'tset: prints the pid' (did you mean 'test:'?)")
        self.bad("20 * hiden\n", "unknown rule 'hiden' (did you mean 'hidden'?)")
        self.bad("-1 * warnings\n", "(did you mean 'warning'?)")

    def test_a_step_the_lab_does_not_have(self):
        self.bad("10 1 step4\n", "rubric:1: lab 1 has no step4 (its steps: step1 step2 step3)")
        self.bad("10 2 step2\n", "lab 2 has no step2 (its steps: step1)")

    def test_a_bad_number(self):
        self.bad("ten 1 step1\n", "rubric:1: the points must be a number, not 'ten'")
        self.bad("1,5 1 step1\n", "the points must be a number, not '1,5'")
        self.bad("10 one step1\n", "the lab must be a number or *, not 'one'")
        self.bad("10 1\n", "not \"POINTS LAB WHAT\"")

    def test_every_error_is_said(self):
        err = self.bad("10 1 step9\n# fine\n5 1 tset: x\nten * hidden\n", "rubric:1:", "rubric:3:", "rubric:4:")
        self.assertEqual(len(err.strip().split("\n")), 3, err)


# --- known bugs seen on classes smaller than FinishTest's ------------------------

def small_class(root, sid, lab1):
    """A grading directory of one student, SID, whose lab 1 LAB1(work, stage) writes."""
    kit = os.path.join(root, "kit")
    stage = os.path.join(root, "stage")
    g = os.path.join(root, "grading")
    os.makedirs(os.path.join(kit, "checker", "instructor"))
    shutil.copy(os.path.join(FIXTURES, "rubric"), os.path.join(kit, "checker", "instructor", "rubric"))
    make_kit(os.path.join(g, "kit"))
    w = os.path.join(g, "work", sid)
    os.makedirs(w)
    lab1(w, stage)
    e = dict(name=sid, kind="dir", path=f"{root}/submissions/{sid}", status="ok", reason="", link="", id=sid,
             stage=stage, graded_at=GRADED_AT)
    settings = dict(graded_at=GRADED_AT, sandbox="bwrap", rubric_name="", labs=[1], labdirs={"1": L1},
                    hidden=True, valgrind=False, kit=kit, submissions=f"{root}/submissions", entries=[e])
    write(os.path.join(g, "grading.json"), json.dumps(settings, indent=1) + "\n")
    p = run_gradebook("finish", g, os.path.join(kit, "checker", "instructor", "rubric"), g)
    if p.returncode != 0:
        raise AssertionError(f"gradebook.py finish failed: {p.stderr.decode(errors='replace')}")
    with open(os.path.join(g, "results.json"), encoding="utf-8") as f:
        doc = json.load(f)
    with open(os.path.join(g, "reports", f"{sid}.md"), encoding="utf-8") as f:
        report = f.read()
    return doc["students"][0], report


class BugTest(Case):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="gradebook-test.")
        self.addCleanup(shutil.rmtree, self.root, True)

    # Was a bug, now fixed: a test cut by Bats' per-test timeout
    # (BATS_TEST_TIMEOUT) was reported as "did not run", its message lost:
    # Bats writes "not ok 2 prints the pid # timeout after 30s", and the
    # name with that suffix was not the test's.  run-tests now writes the
    # name without it into results.tsv, and "stopped: timeout after 30s
    # (BATS_TEST_TIMEOUT)" first in the message (the fixture, Run, does
    # what run-tests does).
    def test_a_test_cut_by_the_per_test_timeout_keeps_its_message(self):
        def lab1(w, stage):
            labs_tsv(w, (1, "ok", 0, "-", ""))
            r = Run(w, 1, "public", stage)
            r.file("step1-basics", [("ok", "prints hello", []),
                                    ("fail", "prints the pid # timeout after 30s",
                                     ["  `run -0 bounded demo --pid' failed due to timeout", "Terminated"]),
                                    ("ok", "exits 0", [])])
            r.file("step2-errors", ok(*PUBLIC1["step2-errors"]))
            r.file("step3-more", ok(*PUBLIC1["step3-more"]))
            Run(w, 1, "hidden", stage).file("hidden", ok(*HIDDEN1["hidden"]))
        s, report = small_class(self.root, "tim", lab1)
        t = [t for t in s["labs"][0]["tests"] if t["name"] == "prints the pid"][0]
        self.assertEqual(t["status"], "fail")
        self.assertAlmostEqual(s["labs"][0]["score"], float(Fraction("46.25") - Fraction(7, 3)), places=3)
        self.assertNotIn("did not run", t["message"])
        self.assertIn("stopped: timeout after 30s (BATS_TEST_TIMEOUT)", t["message"])

    # A grading kept from before run-tests wrote messages (results.tsv of
    # three columns, names with Bats' timeout suffix), scored again with
    # --rescore: the scores as before, and each failure says where its
    # message is, rather than that the test failed without one.
    def test_a_grading_kept_from_before_messages_is_rescored_and_says_where_they_are(self):
        def lab1(w, stage):
            labs_tsv(w, (1, "ok", 0, "-", ""))
            r = Run(w, 1, "public", stage)
            r.file("step1-basics", [("ok", "prints hello", []),
                                    ("fail", "prints the pid # timeout after 30s", ["Terminated"]),
                                    ("ok", "exits 0", [])])
            r.file("step2-errors", ok(*PUBLIC1["step2-errors"]))
            r.file("step3-more", ok(*PUBLIC1["step3-more"]))
            Run(w, 1, "hidden", stage).file("hidden", ok(*HIDDEN1["hidden"]))
            # as the older run-tests wrote it: three columns, Bats' name
            with open(os.path.join(w, "lab1-public", "results.tsv"), "wb") as f:
                f.write(b"pass\tstep1-basics\tprints hello\n"
                        b"fail\tstep1-basics\tprints the pid # timeout after 30s\n"
                        b"pass\tstep1-basics\texits 0\n")
        s, report = small_class(self.root, "old", lab1)
        t = [t for t in s["labs"][0]["tests"] if t["name"] == "prints the pid"][0]
        self.assertEqual(t["status"], "fail")
        self.assertNotIn("did not run", t["message"])
        self.assertIn("work/old/lab1-public/step1-basics.tap", t["message"])
        self.assertIn("grade again", t["message"])

    # Was a bug, now fixed (gradebook.py report): with warnings, the report quotes each
    # warning line and the 3 lines after it (lines[i:i + 4]); gcc's
    # diagnostics are 3 lines each (the warning, the source line, the
    # caret), so a warning that follows another is quoted twice: once as
    # the 4th line of the one before, once for itself.  Fix: keep each line
    # once, e.g. idx = sorted({j for i, x in enumerate(lines) if "warning:"
    # in x for j in range(i, min(i + 4, len(lines)))}); keep = [lines[j]
    # for j in idx].
    def test_the_report_quotes_each_warning_once(self):
        def lab1(w, stage):
            labs_tsv(w, (1, "ok", 2, "-", ""))
            passes(w, stage, 1)
            log = ([f"  CC      {stage}/work/wes/src/{L1}/demo.c",
                    f"{stage}/work/wes/src/{L1}/demo.c: In function ‘main’:"]
                   + gcc(stage, "wes", "demo.c", 5, 13, "warning", "unused variable ‘y’ [-Wunused-variable]",
                         "    int y;", "    ^")
                   + gcc(stage, "wes", "demo.c", 4, 13, "warning", "unused variable ‘x’ [-Wunused-variable]",
                         "    int x;", "    ^"))
            write(os.path.join(w, "lab1.build.log"), "\n".join(log) + "\n")
        s, report = small_class(self.root, "wes", lab1)
        self.assertEqual(s["labs"][0]["score"], 44.25)
        self.assertEqual(report.count("demo.c:5:13: warning: unused variable ‘y’"), 1, report)
        self.assertEqual(report.count("demo.c:4:13: warning: unused variable ‘x’"), 1, report)


EXPORT = os.path.join(KIT, "checker", "instructor", "grade-export")


def run_export(*args):
    return subprocess.run([sys.executable, EXPORT, *args], capture_output=True, timeout=60)


class ExportTest(Case):
    """checker/instructor/grade-export: the synthetic class's results.json in the
    formats of Gradescope, PrairieLearn, Autolab and Canvas."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="grade-export-test.")
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        c = build_class(cls.root)
        g = c["grading"]
        cls.proc = run_gradebook("finish", g, c["rubric"], g)
        cls.results = os.path.join(g, "results.json")
        with open(cls.results, encoding="utf-8") as f:
            cls.data = json.load(f)
        cls.students = {s["id"]: s for s in cls.data["students"]}

    def export(self, *args, rc=0):
        p = run_export(*args)
        self.assertEqual(p.returncode, rc, f"grade-export {' '.join(args)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        return p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    def test_gradescope_scores_tests_and_deductions(self):
        for sid, s in self.students.items():
            out, _ = self.export("gradescope", self.results, sid)
            r = json.loads(out)
            self.assertEqual(r["score"], round(float(s["total"]), 4), sid)
            for t in r["tests"]:
                self.assertEqual(set(t), {"name", "number", "score", "max_score", "status", "output", "visibility"}, sid)
                self.assertIn(t["status"], ("passed", "failed"))
            # the items add up to the score, to the rounding of each test's share
            if s["total"] > 0:
                self.assertAlmostEqual(sum(t["score"] for t in r["tests"]), float(s["total"]), delta=0.01, msg=sid)
        # hidden tests: shown after the grades are published, never with a message
        r = json.loads(self.export("gradescope", self.results, "José García")[0])
        hidden = [t for t in r["tests"] if t["visibility"] == "after_published"]
        self.assertTrue(hidden)
        self.assertTrue(all(t["output"] == "" for t in hidden))
        # deductions are items of their own: wendy's 2 warnings, vlad's valgrind findings
        w = json.loads(self.export("gradescope", self.results, "wendy")[0])
        self.assertIn(("lab 1: 2 compiler warning(s)", -2.0), [(t["name"], t["score"]) for t in w["tests"]])
        v = json.loads(self.export("gradescope", self.results, "vlad")[0])
        self.assertTrue([t for t in v["tests"] if "valgrind" in t["name"] and t["score"] == -5.0], v["tests"])
        # a lab that does not compile says so
        bob = json.loads(self.export("gradescope", self.results, "bob")[0])
        self.assertIn("lab 1: does not compile", [t["name"] for t in bob["tests"]])

    def test_prairielearn_gradable_score_points(self):
        for sid, s in self.students.items():
            r = json.loads(self.export("prairielearn", self.results, sid)[0])
            self.assertEqual(r["points"], round(float(s["total"]), 4) if s["status"] != "refused" else 0, sid)
            self.assertTrue(0 <= r["score"] <= 1, sid)
            self.assertEqual(r["gradable"], s["status"] != "refused", sid)
            if s["status"] == "refused":
                self.assertIn(s["reason"], r["message"])
            for t in r["tests"]:
                self.assertLessEqual({"name", "points", "max_points", "message"}, set(t))
        # a hidden test is named by its number: PrairieLearn shows names at once
        r = json.loads(self.export("prairielearn", self.results, "José García")[0])
        hidden_names = {t["name"] for lab in self.students["Jose_Garcia-978edf"]["labs"]
                        for t in lab["tests"] if t["group"] == "hidden"}
        self.assertTrue(hidden_names)
        self.assertFalse(hidden_names & {t["name"].split(": ", 1)[-1] for t in r["tests"]})

    def test_autolab_last_line_is_the_scores(self):
        out, _ = self.export("autolab", self.results, "sam")
        last = json.loads(out.rstrip("\n").split("\n")[-1])
        self.assertEqual(last, {"scores": {"lab1": 36.1667, "lab2": 0.0}})

    def test_canvas_csv_from_a_roster(self):
        roster = os.path.join(self.root, "roster.csv")
        write(roster, "Student,ID,SIS User ID,SIS Login ID,Section,Submission\n"
                      "    Points Possible,,,,,\n"
                      '"García, José",101,s101,jgarcia,A,José García\n'
                      "Sam Stone,102,s102,sstone,A,sam\n"
                      "Zed Zo,103,s103,zzo,B,zed\n"
                      "Ann Absent,104,s104,aabsent,B,ann\n")
        out, err = self.export("canvas", self.results, roster, "--column", "1=Lab 1: sessions (4711)")
        rows = list(csv.reader(io.StringIO(out)))
        self.assertEqual(rows[0], ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1: sessions (4711)", "Lab 2"])
        self.assertEqual(rows[1][0].strip(), "Points Possible")
        self.assertEqual(rows[2], ["García, José", "101", "s101", "jgarcia", "A", "46.25", "10"])
        self.assertEqual(rows[3][5:], ["36.1667", "0"])
        # who has no grade keeps empty cells, and stderr says why
        self.assertEqual(rows[4][5:], ["", ""])
        self.assertEqual(rows[5][5:], ["", ""])
        self.assertIn("Zed Zo: no grade (", err)
        self.assertIn("Ann Absent: no grade (no entry 'ann' in results.json)", err)
        self.assertIn("entry bob (bob.tgz) is no student's of the roster", err)

    def test_bad_input_is_named(self):
        _, err = self.export("gradescope", self.results, "nobody", rc=2)
        self.assertIn("no student 'nobody' in results.json", err)
        bad = os.path.join(self.root, "bad.json")
        write(bad, "{not json")
        _, err = self.export("autolab", bad, "sam", rc=2)
        self.assertIn("is not checker/instructor/grade's results.json", err)
        _, err = self.export("canvas", self.results, os.path.join(self.root, "nowhere.csv"), rc=2)
        self.assertIn("cannot read", err)
        roster = os.path.join(self.root, "thin.csv")
        write(roster, "Student,ID\nA,1\n")
        _, err = self.export("canvas", self.results, roster, rc=2)
        self.assertIn("has no column SIS User ID", err)
        good = os.path.join(self.root, "good.csv")
        write(good, "Student,ID,SIS User ID,SIS Login ID,Section,Submission\nSam,1,s1,sam,A,sam\n")
        _, err = self.export("canvas", self.results, good, "--column", "9=Lab 9", rc=2)
        self.assertIn("--column wants N=TITLE with N one of the labs graded (1, 2), not '9=Lab 9'", err)
        _, err = self.export("moodle", self.results, "sam", rc=2)
        self.assertIn("unknown format 'moodle'", err)


if __name__ == "__main__":
    unittest.main()
