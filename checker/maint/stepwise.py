#!/usr/bin/env python3
"""stepwise.py - the reference of a lab "up to step K", for the self-test.

    stepwise.py --starter labs/04-fork-server --reference solutions/04-fork-server \\
                --step K --out DIR

writes into DIR every file of the reference, where each top-level C
function whose TODO(step J) markers in the starter are all for steps after
K (J > K) is put back to the starter's version of that function: what a
student who has done steps 1..K right, and nothing more, has.  The tests
of steps 1..K must pass on it (DESIGN.md, "Step by step").

A function with markers of step K or before and of later steps (echo() of
lab 4: steps 2 and 5) keeps the reference's version: the student wrote it
for the earlier step, and a function cannot be split.  Each such function
is named on stdout ("mixed ..."), as is each function replaced ("starter
..."), so that what was checked is said.

The C files follow the kit's style (the solutions' and the starters'):

    static int
    name(args)
    {
            ...
    }

the return type on the line above the name, the name at the start of its
line, the braces of the body alone at the start of theirs.  A marker
belongs to the function it is in, or to the one right below the comment
it is in (echoctl.c puts them there).

Exit status: 0; 1 if a function the starter marks for a later step is not
in the reference, or a marker is outside any function (then the file is
said, and "reference up to step K" cannot be made mechanically); 2: usage.
"""
import argparse
import os
import re
import shutil
import sys

NAME = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)\(')
MARK = re.compile(r'TODO\(step ([0-9]+)\)')


def functions(lines):
    """{name: (first, last)}: the 0-based lines of each top-level function,
    from its type line (the one above the name) to its closing brace."""
    found = {}
    i = 0
    while i < len(lines):
        m = NAME.match(lines[i])
        prev = lines[i - 1].rstrip() if i > 0 else ''
        if (m and prev and not prev.endswith((';', '*/', '}', ',')) and
                not prev.startswith(('#', '/*', ' ', '\t'))):
            # the body's opening brace: within the next lines (arguments
            # may span several), alone at the start of its line
            j = i
            while j < len(lines) and j < i + 10 and lines[j].rstrip() != '{':
                if lines[j].rstrip().endswith(';'):
                    break	# a prototype, not a definition
                j += 1
            if j < len(lines) and lines[j].rstrip() == '{':
                k = j + 1
                while k < len(lines) and lines[k].rstrip() != '}':
                    k += 1
                if k == len(lines):
                    raise SystemExit('stepwise: %s: no closing brace at the start of a line'
                                     % m.group(1))
                found[m.group(1)] = (i - 1, k)
                i = k + 1
                continue
        i += 1
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--starter', required=True)
    ap.add_argument('--reference', required=True)
    ap.add_argument('--step', type=int, required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    for f in sorted(os.listdir(a.reference)):
        src = os.path.join(a.reference, f)
        if os.path.isfile(src):
            shutil.copyfile(src, os.path.join(a.out, f))

    status = 0
    for f in sorted(os.listdir(a.starter)):
        if not f.endswith('.c'):
            continue
        with open(os.path.join(a.starter, f)) as fh:
            st = fh.read().split('\n')
        ref_path = os.path.join(a.reference, f)
        if not os.path.exists(ref_path):
            print('error %s: not in the reference' % f)
            status = 1
            continue
        with open(ref_path) as fh:
            ref = fh.read().split('\n')
        st_funcs = functions(st)
        ref_funcs = functions(ref)
        steps = {}		# function: its markers' steps
        for n, line in enumerate(st):
            for m in MARK.finditer(line):
                owner = [name for name, (lo, hi) in st_funcs.items() if lo <= n <= hi]
                if not owner:	# in the comment right above a function (lab 6's style)
                    j = n
                    while j < len(st) and st[j].strip().startswith(('/*', '*')):
                        j += 1
                    owner = [name for name, (lo, hi) in st_funcs.items() if lo == j]
                if not owner:
                    print('error %s:%d: TODO(step %s) outside any function' % (f, n + 1, m.group(1)))
                    status = 1
                    continue
                steps.setdefault(owner[0], set()).add(int(m.group(1)))
        put_back = []
        for name, ss in sorted(steps.items(), key=lambda kv: st_funcs[kv[0]][0]):
            later = sorted(s for s in ss if s > a.step)
            if not later:
                continue
            if min(ss) <= a.step:
                print('mixed %s: %s(): TODO steps %s: the reference\'s (it holds step %d\'s work)'
                      % (f, name, ', '.join(map(str, sorted(ss))), min(ss)))
                continue
            if name not in ref_funcs:
                print('error %s: %s() (TODO step %s) is not in the reference'
                      % (f, name, ', '.join(map(str, later))))
                status = 1
                continue
            put_back.append(name)
            print('starter %s: %s() (TODO step %s)' % (f, name, ', '.join(map(str, later))))
        # from the bottom up, so that the earlier functions' lines stay put
        for name in sorted(put_back, key=lambda nm: ref_funcs[nm][0], reverse=True):
            lo, hi = ref_funcs[name]
            slo, shi = st_funcs[name]
            ref[lo:hi + 1] = st[slo:shi + 1]
        with open(os.path.join(a.out, f), 'w') as fh:
            fh.write('\n'.join(ref))
    return status


if __name__ == '__main__':
    sys.exit(main())
