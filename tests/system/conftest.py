# SPDX-License-Identifier: MIT
"""Shared fixtures and per-test rules of the system tests.

- One QEMU boot per scenario (test module): the `vm` fixture.
- A time limit per test phase (setup, call, teardown): TIME_LIMIT_S, or
  @pytest.mark.time_limit(seconds) on a test or a module, times
  ZVM_TIMEOUT_SCALE. A phase that runs past it fails that test, by name,
  with the last console lines of every running QEMU.
- After a failed test the console goes back to the host prompt (leaving a
  guest's console); a QEMU that does not get there is restarted for the
  next test, and the failed test's teardown says so.
- With ZVM_RESULTS set, one line per finished test is appended to that file
  ("<node id> TAB passed|failed|skipped TAB <seconds> TAB <reason>"), at once,
  so the results of a run that is killed later still count
  (scripts/test.sh, tests/system/count_results.py).
"""
import contextlib
import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from zvm import FATAL, LIVE, SCALE, TAIL_LINES, Zvm, zvm_info  # noqa: E402

TIME_LIMIT_S = 120      # per phase of a test, on an idle machine


class TimeLimitExceeded(Exception):
    """A test phase ran past its time limit (raised from SIGALRM)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "time_limit(seconds): the time limit of each phase of a test "
        "on an idle machine (times ZVM_TIMEOUT_SCALE); default %d s" % TIME_LIMIT_S)


# ---- time limits ----

def time_limit(item):
    """The scaled time limit of each phase of item, in seconds."""
    mark = item.get_closest_marker("time_limit")
    return (mark.args[0] if mark else TIME_LIMIT_S) * SCALE


def consoles():
    """The last console lines of every running QEMU."""
    return "".join("\n--- last %d console lines (%s) ---\n%s\n--- end ---"
                   % (TAIL_LINES, m.log_path, m.tail()) for m in LIVE)


@contextlib.contextmanager
def watchdog(item, phase):
    """SIGALRM after the time limit: raises TimeLimitExceeded in the test."""
    limit = time_limit(item)

    def expired(signum, frame):
        raise TimeLimitExceeded(
            "%s: the %s did not finish within its time limit of %.0f s "
            "(ZVM_TIMEOUT_SCALE %g)%s" % (item.nodeid, phase, limit, SCALE, consoles()))

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with watchdog(item, "setup"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with watchdog(item, "test"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    with watchdog(item, "teardown"):
        yield


# ---- results, one line per test as it finishes ----

_outcomes = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item (rep_setup, rep_call)."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def reason(report):
    """The first line of a failed report's message."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash else str(report.longrepr)
    return text.strip().split("\n", 1)[0][:300]


def pytest_runtest_logreport(report):
    """Counts a test once: failed if any phase failed, skipped if one was
    skipped; writes its line after its teardown."""
    rec = _outcomes.setdefault(report.nodeid, ["passed", 0.0, ""])
    rec[1] += report.duration
    if report.failed and rec[0] != "failed":
        rec[0], rec[2] = "failed", "%s: %s" % (report.when, reason(report))
    elif report.skipped and rec[0] == "passed":
        rec[0], rec[2] = "skipped", reason(report)
    path = os.environ.get("ZVM_RESULTS")
    if report.when == "teardown" and path:
        with open(path, "a") as f:
            f.write("%s\t%s\t%.1f\t%s\n" % (report.nodeid, rec[0], rec[1],
                                            rec[2].replace("\t", " ")))


# ---- fixtures ----

@pytest.fixture(scope="module")
def vm(request):
    """A booted zvm for the whole module; its log is build/test-logs/<module>.log.

    A module that expects a fatal exception sets ALLOW_FATAL = True."""
    name = request.module.__name__.split(".")[-1]
    scenario = name[len("test_"):] if name.startswith("test_") else name
    with Zvm(scenario) as machine:
        yield machine
        if not getattr(request.module, "ALLOW_FATAL", False):
            assert FATAL not in machine.transcript(), \
                "%s: a fatal exception was reported (see %s)" % (
                    scenario, machine.log_path)


@pytest.fixture
def fresh(vm):
    """For a test that stands alone: start at the host prompt with no VMs,
    whatever a failed test before left behind."""
    vm.home()
    for vm_id in zvm_info(vm):
        assert vm.lines("zvm delete -n %d" % vm_id) == ["VM %d deleted" % vm_id]
    vm.guests.clear()
    yield


@pytest.fixture(autouse=True)
def host_prompt_after_failure(request):
    """After a test of the `vm` fixture failed: back to the host prompt
    (Zvm.recover()), so that the next test does not type into a guest."""
    yield
    node = request.node
    if "vm" not in request.fixturenames:
        return
    if not any(getattr(getattr(node, "rep_" + w, None), "failed", False)
               for w in ("setup", "call")):
        return
    try:
        machine = request.getfixturevalue("vm")
    except Exception:
        return          # it did not boot: its own error says so
    if machine.child is None:
        return
    print("after the failure: %s" % machine.recover())
