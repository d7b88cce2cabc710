# SPDX-License-Identifier: MIT
"""Scenario dashboard: `zvmctl dashboard` against zvm in QEMU, driven in
Debian's chromium by playwright-core (tests/browser/dashboard.js): create,
run, pause, reset, the devices, an image and config pushed from the page,
the lifecycle and interrupts tests from their buttons (made from zvm's
`tests` list), live charts (CPU, exits, interrupts, RT guard, steal time per
vCPU, virtio requests, doorbells, time sync per VM), delete. Every state the
page shows is checked against `zvm info` at zvm's console at that moment.
The screenshot is build/test-logs/dashboard.png."""
import json
import os
import re
import select
import socket
import subprocess
import sys
import time

import pytest

from mgmt_helper import TOP, ZVMCTL, MgmtZvm

NODE_SCRIPT = os.path.join(TOP, "tests", "browser", "dashboard.js")
SHOT = os.path.join(TOP, "build", "test-logs", "dashboard.png")
RTOS_ELF = os.path.join(TOP, "build", "rtos.elf")
CONFIG = os.path.join(TOP, "configs", "example-pushed.dts")
TIMEOUT = 600


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dash():
    mz = MgmtZvm("dashboard")
    mz.vm.guests.update({"web1", "myvm", "mgmt-selftest"})
    port = free_port()
    server = subprocess.Popen([sys.executable, ZVMCTL, "--connect", mz.sock, "--token",
                               mz.token, "dashboard", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = server.stdout.readline()
    assert "zvm dashboard on http://127.0.0.1:%d/" % port in line, line
    yield mz, "http://127.0.0.1:%d/" % port
    server.terminate()
    server.wait(timeout=30)
    mz.close()


def check_against_console(mz, what):
    """'' when what the page shows matches zvm's console, else why not."""
    rows = mz.info_rows()
    if what.get("deleted"):
        return "" if what["id"] not in rows else "VM %d still in zvm info" % what["id"]
    if "state" in what:
        row = rows.get(what["id"], {})
        got = (row.get("name"), row.get("state"))
        return "" if got == (what["name"], what["state"]) else "zvm info says %r" % (got,)
    if "devices" in what:
        vid = [i for i, r in rows.items() if r["name"] == what["name"]][0]
        shm = [l for l in mz.vm.lines("zvm info -n %d" % vid) if l.startswith("shm ")]
        kinds = [tuple(d) for d in what["devices"]]
        want = [("pl011", "emulated"), ("virtio-console", "virtio")] + \
            [("shm", "shared memory")] * len(shm)
        return "" if kinds == want else "devices %r, expected %r" % (kinds, want)
    if "test" in what:
        ok = re.fullmatch(r"test %s: [1-9]\d* passed, 0 failed" % what["test"],
                          what["message"]) and \
            what["steps"] and set(what["steps"]) == {"PASS"}
        left = [r for r in rows.values() if r["name"] == "mgmt-selftest"]
        return "" if ok and not left else "result %r, test VMs left %r" % (what, left)
    if "charts" in what:
        cpus = [l for l in mz.vm.lines("cpus")[1:] if l.strip()]
        series = dict(what["charts"])
        vcpus = ["%d %s/vcpu0" % (i, r["name"]) for i, r in sorted(rows.items())
                 if r["state"] == "running"]
        running = ["%d %s" % (i, r["name"]) for i, r in sorted(rows.items())
                   if r["state"] == "running"]
        ok = len(series) == 8 and series["chart-cpu"] == ["cpu%d" % i for i in range(len(cpus))] \
            and set(vcpus) <= set(series["chart-steal"]) and "all regions" in series["chart-shm"] \
            and set(running) <= set(series["chart-time"])
        return "" if ok and what["cores"] == len(cpus) else "charts %r, %d CPUs" % (
            what, len(cpus))
    return "unknown check %r" % what


def test_dashboard_in_chromium(dash):
    mz, url = dash
    os.makedirs(os.path.dirname(SHOT), exist_ok=True)
    if os.path.exists(SHOT):
        os.remove(SHOT)
    node = subprocess.Popen(["node", NODE_SCRIPT, url, SHOT, RTOS_ELF, CONFIG],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    checks, done, transcript = 0, False, []
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([node.stdout], [], [], 5)
            if not ready:
                continue
            line = node.stdout.readline()
            if not line:
                break
            transcript.append(line.rstrip())
            assert not line.startswith(("PAGEERROR", "ERROR")), "\n".join(transcript)
            if line.startswith("CHECK "):
                why = check_against_console(mz, json.loads(line[6:]))
                node.stdin.write("OK\n" if not why else "FAIL %s\n" % why)
                node.stdin.flush()
                assert not why, why + "\n" + "\n".join(transcript)
                checks += 1
            done = done or line.strip() == "DONE"
    finally:
        if node.poll() is None:
            node.kill()
        node.wait(timeout=30)
    assert done and node.returncode == 0, "\n".join(transcript)
    assert checks == 13, "\n".join(transcript)
    assert os.path.getsize(SHOT) > 10000
