"""Scenario ktest: every kernel self-test passes on the host's 4 CPUs (none skipped)."""
import re

import pytest

KTEST_TIMEOUT = 300

pytestmark = pytest.mark.time_limit(KTEST_TIMEOUT + 60)


def test_ktest_all_pass(vm):
    out = vm.lines("ktest", timeout=KTEST_TIMEOUT)
    fails = [l for l in out if "FAIL" in l]
    summary = [l for l in out if re.fullmatch(r"ktest: \d+ passed, \d+ failed, \d+ skipped", l)]
    assert not fails, "ktest failures:\n" + "\n".join(fails)
    assert len(summary) == 1, "no (single) ktest summary in:\n" + "\n".join(out)
    assert out[-1] == summary[0], "output after the summary:\n" + "\n".join(out)
    passed, failed, skipped = (int(x) for x in re.findall(r"\d+", summary[0]))
    running = [l[len("ktest: "):-len(": running")] for l in out
               if l.startswith("ktest: ") and l.endswith(": running")]
    passes = [l[len("ktest: "):-len(": PASS")] for l in out
              if l.startswith("ktest: ") and l.endswith(": PASS")]
    assert failed == 0 and skipped == 0, summary[0]
    assert passed == len(passes) == len(running), \
        "summary %r but %d started and %d passed" % (summary[0], len(running), len(passes))
    assert running == passes, "cases started vs passed: %r vs %r" % (running, passes)
    print("ktest: %d cases passed" % passed)


def test_machine_fine_after_ktest(vm):
    rows = vm.lines("cpus")[1:]
    assert len(rows) == 4 and all(r.split()[1] == "online" for r in rows), rows
    assert vm.lines("version")[0].startswith("zvm ")
