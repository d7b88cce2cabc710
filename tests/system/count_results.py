# SPDX-License-Identifier: MIT
"""Counts one system test file's run for scripts/test.sh.

    count_results.py IDS RESULTS STATUS LIMIT

IDS: the output of `pytest --collect-only -q FILE` (one node id a line);
RESULTS: the lines conftest.py wrote as each test finished (ZVM_RESULTS);
STATUS: pytest's exit status (124 or 137: killed by `timeout` after LIMIT s;
NOT_RUN: not started, the suite's time budget of LIMIT s was spent).
Every collected test counts once: passed if its line says so, failed if it
failed or was skipped, and failed by name if it has no line (the run was
killed, or ended, before it). Prints a line per failed test, then
"counts P F".
"""
import sys

KILLED = (124, 137)
NOT_RUN = 255


def collected(path):
    with open(path) as f:
        return [l.strip() for l in f if "::" in l and not l.startswith(" ")]


def results(path):
    """{node id: (outcome, seconds, reason)}; no file: none finished."""
    out = {}
    try:
        with open(path) as f:
            for l in f:
                nodeid, outcome, secs, why = (l.rstrip("\n").split("\t", 3) + [""])[:4]
                out[nodeid] = (outcome, float(secs), why)
    except FileNotFoundError:
        pass
    return out


def main(ids_path, results_path, status, limit):
    status = int(status)
    ids, done = collected(ids_path), results(results_path)
    ids += [n for n in done if n not in ids]
    if status == NOT_RUN:
        missing = "not run: the suite's time budget of %s s was spent before this file" % limit
    elif status in KILLED:
        missing = "no result: the file's run was killed after its limit of %s s" % limit
    else:
        missing = "no result: pytest exited with status %d before it finished" % status
    passed = failed = 0
    for nodeid in ids:
        outcome, secs, why = done.get(nodeid, ("missing", 0.0, missing))
        if outcome == "passed":
            passed += 1
            continue
        failed += 1
        if outcome == "skipped":
            why = "skipped (a skip counts as a failure): " + why
        print("system: FAILED %s (%.0f s): %s" % (nodeid, secs, why))
    if not ids:
        print("system: %s: no tests collected" % ids_path)
        failed += 1
    elif status != 0 and failed == 0:
        print("system: pytest exited with status %d without a failing test" % status)
        failed = 1
    print("counts %d %d" % (passed, failed))


if __name__ == "__main__":
    main(*sys.argv[1:5])
