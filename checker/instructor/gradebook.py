#!/usr/bin/env python3
"""gradebook - the data half of checker/instructor/grade: the class's entries, the
rubric, the per-test results, the scores and every file written from them.

checker/instructor/grade (bash) does what is the shell's: the sandbox, the uids, the
limits, the cgroups, the scheduling.  It leaves, per student, raw results
in WORK/ID/ (labs.tsv, labN-public/ and labN-hidden/ with run-tests'
results.tsv (each test's result and message) and the TAP output of each
file, labN.build.log, vg/labN/);
this program reads them and writes summary.csv, maxima.csv, results.json,
reports/ID.md and junit/ID.xml.  Standard library only.

Usage:
  gradebook.py entries SUBS OUT_JSON
      list SUBS: one entry per name in it, each with a safe id, a kind and a
      status (ok, or refused and why); write them with the settings (the
      GRADE_* variables checker/instructor/grade sets) to OUT_JSON (grading.json);
      print, for the shell, "id NUL kind NUL status NUL path NUL" for each
      entry to grade
  gradebook.py check-rubric RUBRIC TESTS_ROOT
      parse RUBRIC against the tests of the labs under TESTS_ROOT (a kit
      tree): exit 2 with a message per error (unknown word, unknown test
      with the closest name); nothing on success
  gradebook.py finish GRADING_DIR RUBRIC DEST [--anonymise-hidden]
      score every entry of GRADING_DIR/grading.json from GRADING_DIR/work/
      and the tests of GRADING_DIR/kit/, write the class's files to DEST;
      print "refused<TAB>ID<TAB>REASON" for each refused entry, then
      "counts<TAB>ENTRIES<TAB>GRADED<TAB>NOT_SUBMITTED<TAB>NOT_STARTED<TAB>REFUSED"
"""

import csv
import datetime
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from fractions import Fraction

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")
ARCHIVES = ((".tar.gz", "tgz"), (".tgz", "tgz"), (".tar", "tar"), (".zip", "zip"))
MSG_LINES = 40          # lines of a failure's message kept
LINE_CHARS = 500        # characters of one line kept
READ_BYTES = 1 << 20    # bytes of a file read
# what a lab's status says in the outputs
LAB_WORDS = {
    "ok": "graded",
    "missing": "not submitted",
    "build-failed": "does not compile",
    "not-started": "not started",
    "refused": "refused",
    "stopped": "stopped",
}


def die(msg, code=2):
    print(f"grade: {msg}", file=sys.stderr)
    sys.exit(code)


# --- the entries of SUBMISSIONS_DIR ------------------------------------------

def safe_id(name):
    """A student id for NAME: NAME itself when it is letters, digits and
    . _ @ + -; else its letters folded to ASCII, the rest '_', and a short
    hash of the whole name, so that two names never share an id."""
    if SAFE_ID.fullmatch(name):
        return name
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^A-Za-z0-9._@+-]+", "_", folded).strip("._-@+")
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:6]
    return f"{folded or 'student'}-{digest}"


def list_entries(subs):
    """Every name in SUBS as an entry: dict(name, id, kind, path, status, reason)."""
    entries = []
    for raw in sorted(os.listdir(os.fsencode(subs))):
        path = os.path.join(os.fsencode(subs), raw)
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("utf-8", "replace")
            entries.append(dict(name=name, id=safe_id(name), kind="", path=os.fsdecode(path),
                                status="refused", reason="refused: name: not UTF-8"))
            continue
        e = dict(name=name, kind="", path=os.fsdecode(path), status="ok", reason="", link="")
        entries.append(e)
        if os.path.islink(path):
            target = os.fsdecode(os.readlink(path))
            e["link"] = target
            if not os.path.exists(path):
                e.update(id=safe_id(name), status="refused",
                         reason=f"refused: symlink to {target}, which does not exist")
                continue
            e["path"] = os.path.realpath(os.fsdecode(path))
        base = name
        if os.path.isdir(path):
            e["kind"] = "dir"
        else:
            for ext, kind in ARCHIVES:
                if name.lower().endswith(ext) and len(name) > len(ext):
                    e["kind"], base = kind, name[: -len(ext)]
                    break
            if not e["kind"] or not os.path.isfile(path):
                e.update(id=safe_id(name), status="refused",
                         reason="refused: not a directory or an archive (.tar.gz, .tgz, .tar, .zip)")
                e["kind"] = ""
                continue
        e["id"] = safe_id(base)
    by_id = {}
    for e in entries:
        by_id.setdefault(e["id"], []).append(e)
    for same in by_id.values():
        if len(same) > 1:
            names = ", ".join(x["name"] for x in same)
            taken = {e["id"] for e in entries}
            k = 0
            for x in same:
                # each keeps a row of its own
                k += 1
                while f"{x['id']}.{k}" in taken:
                    k += 1
                x["id"] = f"{x['id']}.{k}"
                taken.add(x["id"])
                x["status"] = "refused"
                x["reason"] = f"refused: two submissions for the same student ({names})"
    return entries


def cmd_entries(subs, out_json):
    """The entries of SUBS with the grading's settings (from GRADE_*
    variables) to OUT_JSON; the records of those to grade on stdout.  With
    GRADE_ONLY, the entries are GRADE_PREVIOUS's, that one listed again."""
    env = os.environ
    stage = env.get("GRADE_STAGE", "")
    when = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    entries = list_entries(subs)
    for e in entries:
        e["stage"], e["graded_at"] = stage, when
    only = env.get("GRADE_ONLY", "")
    if only:
        with open(env["GRADE_PREVIOUS"], encoding="utf-8") as f:
            settings = json.load(f)
        mine = [e for e in entries if only in (e["id"], e["name"])]
        if not mine:
            ids = [e["id"] for e in settings["entries"]]
            close = difflib.get_close_matches(only, ids, 1, 0.5)
            die(f"--only {only}: no entry of {subs} has that id or name"
                + (f" (the closest: {close[0]})" if close else ""))
        entries = mine[:1]
        kept = [e for e in settings["entries"] if e["id"] != entries[0]["id"]]
        settings["entries"] = sorted(kept + entries, key=lambda e: e["name"])
    else:
        labs = [int(n) for n in env.get("GRADE_LABS", "").split()]
        labdirs = dict(x.split("=", 1) for x in env.get("GRADE_LABDIRS", "").split())
        settings = dict(graded_at=when, sandbox=env.get("HARNESS_SANDBOX", ""),
                        rubric_name=env.get("GRADE_RUBRIC_NAME", ""), labs=labs, labdirs=labdirs,
                        hidden=bool(env.get("GRADE_HIDDEN")), valgrind=bool(env.get("GRADE_VALGRIND")),
                        kit=env.get("GRADE_KIT", ""), submissions=os.path.abspath(subs), entries=entries)
    write_json(out_json, settings)
    out = sys.stdout.buffer
    for e in entries:
        for field in (e["id"], e["kind"], e["status"], e["path"]):
            out.write(os.fsencode(field) + b"\0")
    out.flush()


def printable(x):
    if isinstance(x, str):
        return x.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(x, dict):
        return {k: printable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [printable(v) for v in x]
    return x


def write_json(path, data):
    data = printable(data)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    os.replace(tmp, path)


# --- the tests: Bats files and their step tags -------------------------------

STEPS_AWK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "test-steps.awk")


def bats_tests(path):
    """[(group, file, name)] of a .bats file: group stepN from its tags, as
    checker/lib/test-steps.awk reads them (the kit's one reader of the tags:
    run-tests, status and the self-test use it too)."""
    r = subprocess.run(["awk", "-f", STEPS_AWK, path], capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        raise RuntimeError(f"awk -f {STEPS_AWK} {path}: {r.stderr.strip()}")
    file = os.path.basename(path)[: -len(".bats")]
    return [(step, file, name) for step, name, _ in (line.split("\t", 2) for line in r.stdout.splitlines())]


def lab_dirs(kit):
    """{number: 'NN-name'} of the labs under KIT/labs."""
    out = {}
    d = os.path.join(kit, "labs")
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        m = re.match(r"([0-9]+)-", name)
        if m and os.path.isdir(os.path.join(d, name)):
            out[int(m.group(1))] = name
    return out


def lab_tests(kit, n, ldir, hidden):
    """{'public': [...], 'hidden': [...]} of lab N in the kit tree KIT."""
    res = {"public": [], "hidden": []}
    tdir = os.path.join(kit, "labs", ldir, "tests")
    for f in sorted(os.listdir(tdir)) if os.path.isdir(tdir) else []:
        if f.endswith(".bats"):
            res["public"] += bats_tests(os.path.join(tdir, f))
    hdir = os.path.join(kit, "checker", "instructor", "hidden", f"lab{n}")
    if hidden and os.path.isdir(hdir):
        for f in sorted(os.listdir(hdir)):
            if f.endswith(".bats"):
                res["hidden"] += [("hidden", fi, na) for _, fi, na in bats_tests(os.path.join(hdir, f))]
    return res


# --- the rubric ---------------------------------------------------------------

WORDS = ("stepK", "step*", "hidden", "test:", "warning", "valgrind")


class Rubric:
    def __init__(self, path, tests_by_lab):
        """Parse PATH; TESTS_BY_LAB {n: {'public': [...], 'hidden': [...]}}
        is what rules are checked against (labs absent are checked for
        their form only).  Raises ValueError with every error found."""
        self.path, self.rules, self.tests = path, {}, {}
        errors = []
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            where = f"{path}:{i}"
            parts = s.split(None, 2)
            if len(parts) < 3:
                errors.append(f"{where}: not \"POINTS LAB WHAT\": {s}")
                continue
            pts, lab, what = parts
            if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", pts):
                errors.append(f"{where}: the points must be a number, not '{pts}': {s}")
                continue
            if lab != "*" and not lab.isdigit():
                errors.append(f"{where}: the lab must be a number or *, not '{lab}': {s}")
                continue
            labn = "*" if lab == "*" else int(lab)
            value = Fraction(pts)
            if what.startswith("test:"):
                name = what[len("test:"):].strip()
                err = self._check_test(labn, name, tests_by_lab)
                if err:
                    errors.append(f"{where}: {err}")
                    continue
                self.tests[(labn, name)] = value
                continue
            word = what.split()[0]
            if len(what.split()) > 1 or not re.fullmatch(r"step[0-9]+|step\*|hidden|warning|valgrind", word):
                close = difflib.get_close_matches(word, ["step1", "step*", "hidden", "test:", "warning", "valgrind"], 1, 0.5)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                errors.append(f"{where}: unknown rule '{what}'{hint}; a rule is one of {', '.join(WORDS)}")
                continue
            if word.startswith("step") and word != "step*" and labn != "*" and labn in tests_by_lab:
                steps = sorted({g for g, _, _ in tests_by_lab[labn]["public"] if g}, key=lambda g: int(g[4:]))
                if word not in steps:
                    errors.append(f"{where}: lab {labn} has no {word} (its steps: {' '.join(steps) or 'none'})")
                    continue
            self.rules[(labn, word)] = value
        if errors:
            raise ValueError("\n".join(errors))

    @staticmethod
    def _check_test(labn, name, tests_by_lab):
        if not name:
            return "'test:' wants the test's exact name after it"
        labs = tests_by_lab if labn == "*" else ({labn: tests_by_lab[labn]} if labn in tests_by_lab else {})
        if labn != "*" and labn not in tests_by_lab:
            return None             # a lab not graded here: its form only
        names = [t[2] for v in labs.values() for k in ("public", "hidden") for t in v[k]]
        if name in names:
            return None
        close = difflib.get_close_matches(name, names, 1, 0.4)
        where = "any lab" if labn == "*" else f"lab {labn}"
        hint = f"; the closest: '{close[0]}'" if close else ""
        return f"no test of {where} is named '{name}'{hint}"

    def lookup(self, lab, group):
        r = self.rules
        for key in ((lab, group), (lab, "step*") if group.startswith("step") else None,
                    ("*", group), ("*", "step*") if group.startswith("step") else None):
            if key and key in r:
                return r[key]
        return Fraction(0)

    def own(self, lab, name):
        for key in ((lab, name), ("*", name)):
            if key in self.tests:
                return self.tests[key]
        return None


def cmd_check_rubric(rubric, tests_root):
    tests = {n: lab_tests(tests_root, n, d, True) for n, d in lab_dirs(tests_root).items()}
    try:
        Rubric(rubric, tests)
    except ValueError as e:
        for line in str(e).splitlines():
            print(f"grade: {line}", file=sys.stderr)
        sys.exit(2)


# --- reading the raw results -------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_line(s):
    """One line of a message: no control characters but the tab, at most
    LINE_CHARS characters."""
    s = CONTROL.sub("", s.replace("\r", ""))
    return s if len(s) <= LINE_CHARS else s[:LINE_CHARS] + " (...)"


def read_text(path, limit=READ_BYTES):
    """The first LIMIT bytes of PATH as text (bytes that are not UTF-8 become
    U+FFFD); '' if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def tsv_text(field):
    """A message field of run-tests' results.tsv as text: \\n, \\t, \\r and
    \\\\ undone (run-tests' field() writes them)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), field)


def message(field):
    """The message of a failed test from its results.tsv field, as the
    report shows it: MSG_LINES lines, each cleaned (clean_line)."""
    lines = [clean_line(x) for x in tsv_text(field).split("\n")
             if not re.match(r"^ *\(.*\.bats, line [0-9]+\)$", x)]    # where in a test file: not shown
    if len(lines) > MSG_LINES:
        lines = lines[:MSG_LINES] + ["(...)"]
    return "\n".join(lines)


def read_tsv(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n").split("\t") for line in f if line.strip()]
    except OSError:
        return []


class Paths:
    """Host paths in messages, made relative: the lab's sources to their
    file name, the rest of the grading's directories to what is below."""

    def __init__(self, settings, entry, ldir=None):
        self.subs = []
        sid = entry["id"]
        stage = entry.get("stage", "")
        kit = settings.get("kit", "")
        if stage:
            w = f"{stage}/work/{sid}/"
            if ldir:
                self.subs.append((f"{w}src/{ldir}/", ""))
            self.subs += [(w, ""), (f"{stage}/kit/", ""), (f"{stage}/", "")]
        if kit:
            self.subs.append((f"{kit}/", ""))
        if settings.get("submissions"):
            self.subs.append((settings["submissions"] + "/", ""))

    def __call__(self, s):
        for a, b in self.subs:
            s = s.replace(a, b)
        return s


def lab_results(settings, work, entry, n, ldir, tests, lab):
    """The rows of one lab: [dict(group, file, name, status, message)]."""
    rows = []
    sid = entry["id"]
    rel = Paths(settings, entry, ldir)
    for kind in ("public", "hidden"):
        if not tests[kind]:
            continue
        rdir = os.path.join(work, f"lab{n}-{kind}")
        res, msgs, stopped, old = {}, {}, set(), False
        for r in read_tsv(os.path.join(rdir, "results.tsv")):
            if len(r) >= 3:
                # a grading kept from before run-tests wrote messages (three
                # columns, --rescore): the name may end in Bats' timeout
                name = r[2] if len(r) >= 4 else re.sub(r" # timeout.*$", "", r[2])
                old = old or len(r) == 3
                res[(r[1], name)] = r[0]
                msgs[(r[1], name)] = message(r[3]) if len(r) >= 4 and r[0] == "fail" else ""
                if name in ("(did not finish)", "(bats failed)"):
                    stopped.add(r[1])
        for group, file, name in tests[kind]:
            if lab["status"] != "ok":
                st, msg = "fail", lab["why"]
            elif (file, name) in res:
                st, msg = res[(file, name)], msgs.get((file, name), "")
                if st == "fail" and not msg.strip():
                    msg = (f"(the test failed without a message; its whole output is in "
                           f"work/{sid}/lab{n}-{kind}/{file}.tap)" if not old else
                           f"(its message is in work/{sid}/lab{n}-{kind}/{file}.tap: this grading's "
                           f"results were kept by an older grader, which did not copy messages; "
                           f"grade again to have them here)")
            else:
                st = "fail"
                msg = ("did not run: its file stopped early (a test hung past the time limit, "
                       "or crashed the run)" if file in stopped else "did not run")
            if st not in ("pass", "fail", "skip"):
                st = "fail"
            rows.append(dict(group=group, file=file, name=name, status=st,
                             message=rel(msg) if st == "fail" else ""))
    return rows


def read_labs(work):
    """{n: dict(status, warnings, vg, why)} from WORK/labs.tsv."""
    out = {}
    for r in read_tsv(os.path.join(work, "labs.tsv")):
        if len(r) < 5 or not r[0].isdigit():
            continue
        n = int(r[0])
        status = r[2] if r[2] in LAB_WORDS else "stopped"
        why = r[5] if len(r) > 5 else ""
        out[n] = dict(status=status, warnings=int(r[3]) if r[3].isdigit() else 0,
                      vg=int(r[4]) if r[4].isdigit() else None, why=why)
    return out


def vg_items(work, n, rel):
    items = []
    for r in read_tsv(os.path.join(work, "vg", f"lab{n}", "findings.tsv"))[:50]:
        if len(r) >= 4:
            items.append(dict(program=clean_line(r[0]), kind=clean_line(rel(r[1])),
                              where=clean_line(rel(r[2])), count=int(r[3]) if r[3].isdigit() else 1))
    return items


# --- scoring -------------------------------------------------------------------

def fmt(x, places=1):
    """A number as the outputs show it: rounded once, half away from zero."""
    q = Fraction(10) ** places
    v = (abs(Fraction(x)) * q + Fraction(1, 2)).__floor__() / q
    v = -v if x < 0 else v
    return f"{float(v):.{places}f}"


def num(x):
    """A JSON number: an int when whole, else a float of 4 places."""
    x = Fraction(x)
    return int(x) if x.denominator == 1 else round(float(x), 4)


def score_student(settings, grading_dir, entry, rubric, tests):
    """One student: dict(id, name, status, reason, labs: [...], total, max)."""
    sid = entry["id"]
    work = os.path.join(grading_dir, "work", sid)
    labs_raw = read_labs(work)
    labs = []
    refused = entry["status"] == "refused"
    for n in settings["labs"]:
        ldir = settings["labdirs"][str(n)]
        t = tests[n]
        if refused:
            lab = dict(status="refused", warnings=0, vg=None, why=entry["reason"])
        else:
            lab = labs_raw.get(n) or dict(status="stopped", warnings=0, vg=None,
                                          why="stopped: grading this student took longer than every limit allows (a step hung)")
        if lab["status"] == "stopped" and not lab["why"]:
            lab["why"] = "stopped: grading this student took longer than every limit allows (a step hung)"
        rows = lab_results(settings, work, entry, n, ldir, t, lab)
        # the shares: a group's points split equally by its tests without a rule of their own
        count = {}
        for r in rows:
            if rubric.own(n, r["name"]) is None:
                count[r["group"]] = count.get(r["group"], 0) + 1
        got = mx = Fraction(0)
        for r in rows:
            own = rubric.own(n, r["name"])
            r["max"] = own if own is not None else rubric.lookup(n, r["group"]) / count[r["group"]]
            r["points"] = r["max"] if r["status"] in ("pass", "skip") else Fraction(0)
            got += r["points"]
            mx += r["max"]
        vp = Fraction(0)
        if lab["status"] == "ok":
            got += lab["warnings"] * rubric.lookup(n, "warning")
            if lab["vg"]:
                vp = rubric.lookup(n, "valgrind")
                got += vp
        else:
            got = Fraction(0)
        got = max(got, Fraction(0))
        rel = Paths(settings, entry, ldir)
        labs.append(dict(lab=n, name=ldir, status=lab["status"], why=lab["why"], warnings=lab["warnings"],
                         vg=lab["vg"] if lab["status"] == "ok" else None, vp=vp, score=got, max=mx, tests=rows,
                         vg_items=vg_items(work, n, rel) if lab["vg"] is not None and lab["status"] == "ok" else [],
                         build_log=rel(read_text(os.path.join(work, f"lab{n}.build.log"), 64 * 1024)),
                         processes=read_text(os.path.join(work, "vg", f"lab{n}", "processes")).strip()))
    total = sum((lab["score"] for lab in labs), Fraction(0))
    mtotal = sum((lab["max"] for lab in labs), Fraction(0))
    whole = read_text(os.path.join(work, "refused")).strip()
    if not refused and whole:
        refused = True          # refused whole: its archive (checker/instructor/grade's unpack)
        entry = dict(entry, reason=whole)
    if refused:
        status, reason = "refused", entry["reason"]
    elif labs and all(lab["status"] == "missing" for lab in labs):
        status, reason = "not submitted", "no lab found in the submission"
    elif labs and all(lab["status"] in ("missing", "not-started") for lab in labs):
        status, reason = "not started", "every lab is the starter, untouched"
    else:
        status = "graded"
        reason = "; ".join(f"lab {lab['lab']}: {lab_word(lab)}" for lab in labs if lab["status"] != "ok")
    if entry.get("link") and status != "refused":
        reason = "; ".join(x for x in (reason, "(a symlink in the submissions folder: grading.json names its target)") if x)
    return dict(id=sid, name=entry["name"], status=status, reason=reason, labs=labs, total=total, max=mtotal)


def lab_word(lab):
    if lab["status"] == "refused":
        return lab["why"]
    if lab["status"] == "missing" and lab["why"]:
        return f"not submitted ({lab['why']})"
    return LAB_WORDS[lab["status"]]


def anonymise(students, labs):
    """Hidden tests named 'hidden test K of lab N' (K: their order)."""
    for s in students:
        for lab in s["labs"]:
            k = 0
            for r in lab["tests"]:
                if r["group"] == "hidden":
                    k += 1
                    r["file"], r["name"] = "hidden", f"hidden test {k} of lab {lab['lab']}"


# --- the outputs -----------------------------------------------------------------

def md_cell(s):
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def indent(text, prefix="    "):
    lines = text.split("\n") if text else [""]
    return "\n".join(prefix + clean_line(x) for x in lines)


def report(s, settings, rubric_name):
    out = [f"# Grade report: {s['id']}", ""]
    if s["name"] != s["id"]:
        out += [f"Submitted as `{md_cell(s['name'])}`.", ""]
    out += [f"Graded {settings.get('graded_at', '')} in the {settings.get('sandbox', '?')} sandbox, "
            f"rubric `{rubric_name}`.", ""]
    if s["status"] == "refused":
        out += [f"**Refused**: {s['reason'][len('refused: '):] if s['reason'].startswith('refused: ') else s['reason']}. "
                "Nothing of it was built or run; every lab scores 0.", ""]
    out += ["| lab | score | out of | status |", "|-----|------:|-------:|--------|"]
    for lab in s["labs"]:
        extra = ""
        if lab["status"] == "ok":
            extra = f", {lab['warnings']} warning(s)" if lab["warnings"] else ""
            if lab["vg"] is not None:
                extra += ", valgrind: " + (f"{lab['vg']} finding(s)" if lab["vg"] else "clean")
        out.append(f"| {lab['lab']} ({lab['name']}) | {fmt(lab['score'])} | {fmt(lab['max'])} | "
                   f"{md_cell(lab_word(lab))}{extra} |")
    out.append(f"| **total** | **{fmt(s['total'])}** | **{fmt(s['max'])}** | |")
    for lab in s["labs"]:
        n, st = lab["lab"], lab["status"]
        out += ["", f"## Lab {n} ({lab['name']}): {fmt(lab['score'])} / {fmt(lab['max'])}", ""]
        if st == "missing":
            out.append(f"Not submitted: {lab['why'] or 'no .c file in labs/' + lab['name'] + '/'}.")
        elif st == "not-started":
            out.append(f"Not started: the lab's sources are the starter, untouched; it was not run, and scores 0.")
        elif st == "refused":
            out.append(f"Refused: {lab['why'][len('refused: '):] if lab['why'].startswith('refused: ') else lab['why']}.")
        elif st == "stopped":
            out.append("Stopped: grading it took longer than every limit allows (a step hung); every test scores 0.")
        elif st == "build-failed":
            log = "\n".join(x for x in lab["build_log"].split("\n") if not x.startswith("  CC "))
            out += ["Does not compile: every test of the lab scores 0. The compiler said:", "",
                    indent("\n".join(log.rstrip("\n").split("\n")[:40]))]
        elif lab["warnings"]:
            lines = lab["build_log"].split("\n")
            idx = sorted({j for i, x in enumerate(lines) if "warning:" in x for j in range(i, min(i + 4, len(lines)))})
            keep = [lines[j] for j in idx]
            out += [f"Builds, with {lab['warnings']} warning(s):", "", indent("\n".join(keep[:30]))]
        else:
            out.append("Builds without a warning.")
        if st in ("missing", "not-started", "refused"):
            continue
        out += ["", "| result | test | points |", "|--------|------|-------:|"]
        for r in lab["tests"]:
            res = {"pass": "ok", "skip": "skipped"}.get(r["status"], "**FAIL**")
            hid = "(hidden) " if r["group"] == "hidden" else ""
            out.append(f"| {res} | {hid}{md_cell(r['name'])} | {fmt(r['points'], 2)} / {fmt(r['max'], 2)} |")
        failed = [r for r in lab["tests"] if r["status"] == "fail"]
        if st == "ok" and failed:
            out += ["", "### What failed"]
            for r in failed:
                out += ["", f"**{md_cell(r['file'])}.bats: {md_cell(r['name'])}**" if r["group"] != "hidden"
                        else f"**{md_cell(r['name'])}**", ""]
                if r["group"] == "hidden":
                    out.append("(a hidden test: its message is not shown)")
                else:
                    out.append(indent(r["message"]))
        if lab["vg"] is not None:
            out += ["", "### Valgrind", "",
                    "The public tests again, each program under valgrind (memory errors and",
                    "definite leaks; a test that fails only under valgrind costs nothing).", ""]
            procs = lab["processes"] or "0"
            if procs == "0":
                out.append(f"No program of the lab ran under valgrind (see `work/{s['id']}/vg/lab{n}/tests.log`).")
            elif lab["vg"] == 0:
                out.append(f"No memory error and no definite leak ({procs} process(es) under valgrind).")
            else:
                out += [f"{lab['vg']} finding(s) in {procs} process(es) under valgrind: {fmt(lab['vp'])} points.", "",
                        "| program | finding | where (the lab's sources) | times |",
                        "|---------|---------|-------|------:|"]
                for v in lab["vg_items"]:
                    out.append(f"| {md_cell(v['program'])} | {md_cell(v['kind'])} | {md_cell(v['where'])} | {v['count']} |")
    return "\n".join(out) + "\n"


def junit(s):
    def x(t):
        return XML_BAD.sub("", t)
    root = ET.Element("testsuites", name=x(s["id"]))
    for lab in s["labs"]:
        n = lab["lab"]
        suite = ET.SubElement(root, "testsuite", name=x(f"lab{n} {lab['name']}"), tests=str(len(lab["tests"])),
                              failures=str(sum(r["status"] == "fail" for r in lab["tests"])),
                              skipped=str(sum(r["status"] == "skip" for r in lab["tests"])))
        if lab["status"] != "ok":
            ET.SubElement(suite, "properties").append(
                ET.Element("property", name="status", value=x(lab_word(lab))))
        if lab["status"] == "build-failed":
            ET.SubElement(suite, "system-err").text = x(lab["build_log"])
        for r in lab["tests"]:
            hid = r["group"] == "hidden"
            case = ET.SubElement(suite, "testcase", classname=x(f"lab{n}.{r['file']}"),
                                 name=x(("(hidden) " if hid else "") + r["name"]))
            if r["status"] == "fail":
                ET.SubElement(case, "failure", message="failed").text = "a hidden test" if hid else x(r["message"])
            elif r["status"] == "skip":
                ET.SubElement(case, "skipped")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def student_json(s):
    labs = []
    for lab in s["labs"]:
        vg = None
        if lab["vg"] is not None:
            vg = dict(findings=lab["vg"], points=num(lab["vp"]), items=lab["vg_items"])
        labs.append(dict(
            lab=lab["lab"], name=lab["name"], status=lab_word(lab),
            build=lab["status"], warnings=lab["warnings"],
            score=num(lab["score"]), max=num(lab["max"]), valgrind=vg,
            tests=[dict(group=r["group"], file=r["file"], name=r["name"], status=r["status"],
                        points=num(r["points"]), max=num(r["max"]),
                        message="" if r["group"] == "hidden" else r["message"]) for r in lab["tests"]]))
    return dict(id=s["id"], name=s["name"], status=s["status"], reason=s["reason"], labs=labs,
                total=num(s["total"]), max=num(s["max"]))


def cmd_finish(grading_dir, rubric_path, dest, anonymise_hidden):
    with open(os.path.join(grading_dir, "grading.json"), encoding="utf-8") as f:
        settings = json.load(f)
    kit = os.path.join(grading_dir, "kit")
    tests = {n: lab_tests(kit, n, settings["labdirs"][str(n)], settings.get("hidden", True))
             for n in settings["labs"]}
    try:
        rubric = Rubric(rubric_path, tests)
    except ValueError as e:
        for line in str(e).splitlines():
            print(f"grade: {line}", file=sys.stderr)
        sys.exit(2)
    kitdir = settings.get("kit", "")
    if kitdir and rubric_path.startswith(kitdir + "/"):
        rubric_name = rubric_path[len(kitdir) + 1:]
    else:
        rubric_name = rubric_path
    students = [score_student(settings, grading_dir, e, rubric, tests) for e in settings["entries"]]
    if anonymise_hidden:
        anonymise(students, settings["labs"])
    os.makedirs(os.path.join(dest, "reports"), exist_ok=True)
    os.makedirs(os.path.join(dest, "junit"), exist_ok=True)
    labs = settings["labs"]
    with open(os.path.join(dest, "summary.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["student"] + [f"lab{n}" for n in labs] + ["total", "status", "reason", "submission"])
        for s in students:
            w.writerow([s["id"]] + [fmt(lab["score"]) for lab in s["labs"]] + [fmt(s["total"]), s["status"],
                                                                             s["reason"], s["name"]])
    with open(os.path.join(dest, "maxima.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["student"] + [f"lab{n}" for n in labs] + ["total"])
        mx = {n: Fraction(0) for n in labs}
        for n in labs:
            for s in students:
                for lab in s["labs"]:
                    if lab["lab"] == n:
                        mx[n] = max(mx[n], lab["max"])
        w.writerow(["max"] + [fmt(mx[n]) for n in labs] + [fmt(sum(mx.values(), Fraction(0)))])
    for s in students:
        with open(os.path.join(dest, "reports", f"{s['id']}.md"), "w", encoding="utf-8") as f:
            f.write(report(s, settings, rubric_name))
        with open(os.path.join(dest, "junit", f"{s['id']}.xml"), "wb") as f:
            f.write(junit(s))
    refused = [s for s in students if s["status"] == "refused"]
    doc = dict(graded_at=settings.get("graded_at", ""), sandbox=settings.get("sandbox", ""),
               rubric=rubric_name, labs=labs, hidden=bool(settings.get("hidden", True)),
               anonymised_hidden=bool(anonymise_hidden),
               counts=dict(entries=len(students), graded=sum(s["status"] == "graded" for s in students),
                           not_submitted=sum(s["status"] == "not submitted" for s in students),
                           not_started=sum(s["status"] == "not started" for s in students),
                           refused=len(refused)),
               students=[student_json(s) for s in students])
    with open(os.path.join(dest, "results.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    for s in refused:
        print(f"refused\t{s['id']}\t{s['reason']}")
    c = doc["counts"]
    print(f"counts\t{c['entries']}\t{c['graded']}\t{c['not_submitted']}\t{c['not_started']}\t{c['refused']}")


def main(argv):
    if len(argv) >= 2 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) == 4 and argv[1] == "entries":
        cmd_entries(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "check-rubric":
        cmd_check_rubric(argv[2], argv[3])
    elif len(argv) in (5, 6) and argv[1] == "finish":
        if len(argv) == 6 and argv[5] != "--anonymise-hidden":
            die(f"unknown option {argv[5]}")
        cmd_finish(argv[2], argv[3], argv[4], len(argv) == 6)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
