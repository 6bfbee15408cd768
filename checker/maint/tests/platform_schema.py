#!/usr/bin/env python3
"""platform_schema - check a platform's results as its documentation
describes them (grade.bats runs it on what checker/instructor/grade-one
wrote; standard library only).

Usage: platform_schema.py gradescope|prairielearn|autolab FILE [LAB...]
  LAB...  (autolab) the labs graded: its scores name exactly lab1, lab2...
Prints each problem and exits 1; exits 0, silent, when FILE is valid.

The schemas, as the platforms' documentation gives them:
- Gradescope, "Autograder Specifications", results.json: an object with
  `score` (number; required unless every test has one), `execution_time`,
  `output`, `output_format`, `visibility`, `stdout_visibility`,
  `extra_data`, `leaderboard`, `tests`: a list of objects with `score`,
  `max_score` (numbers), `status` ("passed" or "failed"), `name`,
  `name_format`, `number`, `output`, `output_format`, `tags`,
  `visibility`, `extra_data`.  visibility is one of "hidden",
  "after_due_date", "after_published", "visible".
- PrairieLearn, "Externally graded questions", results.json: `gradable`
  (boolean, required); when true, `score` (a number from 0 to 1) is
  required; `message`, `output` (strings), `format_errors`, `images`,
  `points`, `max_points` (numbers), `tests`: objects with `name`
  (required), `description`, `points`, `max_points`, `message`, `output`,
  `images`.
- Autolab, "Autograders": the last line of the autograder's output is a
  JSON object {"scores": {PROBLEM: number, ...}} (and optionally
  "scoreboard": a list), PROBLEM being the assessment's problem names.
"""
import json
import sys

VIS = {"hidden", "after_due_date", "after_published", "visible"}
FMT = {"text", "html", "simple_format", "md", "ansi"}


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_keys(where, obj, allowed, problems):
    for k in obj:
        if k not in allowed:
            problems.append(f"{where}: unknown key '{k}'")


def gradescope(data, problems):
    if not isinstance(data, dict):
        return problems.append("results.json is not an object")
    check_keys("results", data, {"score", "execution_time", "output", "output_format", "visibility",
                                 "stdout_visibility", "extra_data", "leaderboard", "tests",
                                 "test_output_format", "test_name_format"}, problems)
    tests = data.get("tests", [])
    if not isinstance(tests, list):
        return problems.append("tests is not a list")
    if "score" in data and not num(data["score"]):
        problems.append("score is not a number")
    if "score" not in data and not all(isinstance(t, dict) and "score" in t for t in tests):
        problems.append("no top-level score, and a test without one")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in VIS:
            problems.append(f"{key} '{data[key]}' is not one of {sorted(VIS)}")
    if "output" in data and not isinstance(data["output"], str):
        problems.append("output is not a string")
    for i, t in enumerate(tests):
        w = f"tests[{i}]"
        if not isinstance(t, dict):
            problems.append(f"{w} is not an object")
            continue
        check_keys(w, t, {"score", "max_score", "status", "name", "name_format", "number", "output",
                          "output_format", "tags", "visibility", "extra_data"}, problems)
        for key in ("score", "max_score"):
            if key in t and not num(t[key]):
                problems.append(f"{w}.{key} is not a number")
        if "status" in t and t["status"] not in ("passed", "failed"):
            problems.append(f"{w}.status '{t['status']}' is not passed or failed")
        for key in ("name", "number", "output"):
            if key in t and not isinstance(t[key], str):
                problems.append(f"{w}.{key} is not a string")
        if "visibility" in t and t["visibility"] not in VIS:
            problems.append(f"{w}.visibility '{t['visibility']}' is not one of {sorted(VIS)}")
        if "output_format" in t and t["output_format"] not in FMT:
            problems.append(f"{w}.output_format '{t['output_format']}' is unknown")


def prairielearn(data, problems):
    if not isinstance(data, dict):
        return problems.append("results.json is not an object")
    check_keys("results", data, {"gradable", "score", "message", "output", "format_errors", "images",
                                 "points", "max_points", "tests", "feedback", "partial_scores"}, problems)
    if not isinstance(data.get("gradable"), bool):
        problems.append("gradable is missing or not a boolean")
    if data.get("gradable"):
        if not num(data.get("score")):
            problems.append("gradable, but score is missing or not a number")
        elif not 0 <= data["score"] <= 1:
            problems.append(f"score {data['score']} is not between 0 and 1")
    for key in ("message", "output"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{key} is not a string")
    for key in ("points", "max_points"):
        if key in data and not num(data[key]):
            problems.append(f"{key} is not a number")
    tests = data.get("tests", [])
    if not isinstance(tests, list):
        return problems.append("tests is not a list")
    for i, t in enumerate(tests):
        w = f"tests[{i}]"
        if not isinstance(t, dict):
            problems.append(f"{w} is not an object")
            continue
        check_keys(w, t, {"name", "description", "points", "max_points", "message", "output", "images"}, problems)
        if not isinstance(t.get("name"), str):
            problems.append(f"{w}.name is missing or not a string")
        for key in ("points", "max_points"):
            if key in t and not num(t[key]):
                problems.append(f"{w}.{key} is not a number")
        for key in ("description", "message", "output"):
            if key in t and not isinstance(t[key], str):
                problems.append(f"{w}.{key} is not a string")


def autolab(text, labs, problems):
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        return problems.append("no output")
    try:
        last = json.loads(lines[-1])
    except ValueError:
        return problems.append(f"the last line is not JSON: {lines[-1][:200]!r}")
    if not isinstance(last, dict) or not isinstance(last.get("scores"), dict):
        return problems.append("the last line has no object 'scores'")
    check_keys("last line", last, {"scores", "scoreboard"}, problems)
    for k, v in last["scores"].items():
        if not num(v):
            problems.append(f"scores.{k} is not a number")
    if labs and sorted(last["scores"]) != sorted(f"lab{n}" for n in labs):
        problems.append(f"scores name {sorted(last['scores'])}, not the labs graded {sorted(f'lab{n}' for n in labs)}")
    if "scoreboard" in last and not isinstance(last["scoreboard"], list):
        problems.append("scoreboard is not a list")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("gradescope", "prairielearn", "autolab"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    fmt, path, labs = argv[1], argv[2], argv[3:]
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"platform_schema: cannot read {path}: {e.strerror}", file=sys.stderr)
        return 2
    problems = []
    if fmt == "autolab":
        autolab(text, labs, problems)
    else:
        try:
            data = json.loads(text)
        except ValueError as e:
            print(f"{path}: not JSON: {e}")
            return 1
        (gradescope if fmt == "gradescope" else prairielearn)(data, problems)
    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
