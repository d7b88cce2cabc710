# SPDX-License-Identifier: MIT
"""Scenario qemu: the QEMU zvm runs on, and a guest that "disables" its
virtual timer the way an RTOS written for bare QEMU virt may: enabled, with
CNTV_CVAL_EL0 = UINT64_MAX (the RTOS guest's `attack cval-max`).

Contract (README "Which QEMU", scripts/qemu-env.sh, virt/vtimer.c):
- The harness's QEMU (scripts/qemu.sh -> scripts/qemu-system.sh) is the one
  scripts/qemu-env.sh names: Debian's bookworm-backports build, 8.2 or
  newer, with its own modules (QEMU_MODULE_DIR).
- With the guest's timer at CVAL = UINT64_MAX the machine carries on: the
  host shell and the guest answer, the idle guest does not spin through
  exits, and `zvm pause` still stops its time (`zvm info` guest uptime)
  while `zvm run` lets it go on. Under QEMU 7.2 QEMU itself freezes here
  (CNTV_CVAL + CNTVOFF wraps into the past): the first answer times out.
"""
import os
import re
import subprocess

from zvm import TOP, find, zvm_info

QEMU_SYSTEM = os.path.join(TOP, "scripts", "qemu-system.sh")
VERSION_RE = r"^QEMU emulator version (\d+)\.(\d+)\.\d+ \(Debian ([^)]+)\)$"
ATTACK_RE = (r"^attack: virtual timer enabled with CVAL 0xffffffffffffffff, "
             r"still alive at \d+ ms$")
IDLE_S = 2.0            # host time an idle guest gets, to count its exits
IDLE_EXITS_MAX = 200    # per IDLE_S: a WFI that returns at once makes ~1e5
PAUSE_S = 2.0


def host_uptime(vm):
    return float(find(r"^up (\d+\.\d{3}) s", vm.cmd("uptime"), "host uptime").group(1))


def wait_host_time(vm, seconds):
    """Waits (asking the host shell) until its uptime moved on by `seconds`;
    returns the uptime span seen."""
    t0 = host_uptime(vm)
    t = t0
    while t - t0 < seconds:
        t = host_uptime(vm)
    return t - t0


def row(vm, vm_id):
    rows = zvm_info(vm, vm_id)
    assert list(rows) == [vm_id], rows
    return rows[vm_id]


def qemu_version(argv):
    out = subprocess.run(argv + ["--version"], capture_output=True, text=True,
                         timeout=30).stdout
    return out.split("\n")[0]


def test_harness_runs_zvms_qemu(vm):
    """The QEMU process under test is the backports build the scripts name."""
    pid = vm.child.proc.pid
    exe = os.path.realpath("/proc/%d/exe" % pid)
    with open("/proc/%d/environ" % pid, "rb") as f:
        env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
    running = qemu_version([exe])
    assert running == qemu_version([QEMU_SYSTEM]), (exe, running)
    m = re.match(VERSION_RE, running)
    assert m, "not a Debian QEMU: %r" % running
    assert (int(m.group(1)), int(m.group(2))) >= (8, 2), \
        "QEMU %s.%s lacks the 8.2 fix for timer overflow: %r" % (m.group(1), m.group(2), running)
    assert "~bpo12" in m.group(3), "not the bookworm-backports build: %r" % running
    assert exe.startswith(os.path.join(TOP, "build", "deps") + os.sep), exe
    moddir = env.get(b"QEMU_MODULE_DIR", b"").decode()
    assert moddir.startswith(os.path.join(TOP, "build", "deps") + os.sep), moddir
    assert os.path.isdir(moddir), moddir


def test_cval_max_guest_keeps_machine_running(vm):
    assert vm.lines("zvm new -t rtos -n cval")[0].startswith("VM 0 created: cval (rtos)")
    vm.guests.add("cval")
    assert vm.lines("zvm run -n 0") == ["VM 0 running"]
    vm.attach(0)
    find(ATTACK_RE, vm.guest_cmd("attack cval-max").strip(), "the guest's attack line")
    g1 = float(find(r"^up (\d+\.\d{3}) s", vm.guest_cmd("uptime").strip(),
                    "guest uptime").group(1))
    vm.detach()
    assert row(vm, 0)["state"] == "running"
    exits0 = row(vm, 0)["exits"]
    wait_host_time(vm, IDLE_S)
    exits1 = row(vm, 0)["exits"]
    assert exits1 - exits0 <= IDLE_EXITS_MAX, \
        ("the idle guest made %d exits in %.1f s with its timer at CVAL = UINT64_MAX "
         "(a WFI that does not sleep)" % (exits1 - exits0, IDLE_S))
    vm.attach(0)
    g2 = float(find(r"^up (\d+\.\d{3}) s", vm.guest_cmd("uptime").strip(),
                    "guest uptime").group(1))
    vm.detach()
    assert g2 - g1 >= IDLE_S, "guest time stood still while running: %.3f -> %.3f" % (g1, g2)


def test_pause_freezes_guest_time_with_cval_max(vm):
    assert vm.lines("zvm pause -n 0") == ["VM 0 paused"]
    r1 = row(vm, 0)
    span = wait_host_time(vm, PAUSE_S)
    r2 = row(vm, 0)
    assert r2["state"] == "paused", r2
    assert r2["uptime_s"] == r1["uptime_s"], \
        "guest uptime moved while paused for %.3f s: %.3f -> %.3f" % (
            span, r1["uptime_s"], r2["uptime_s"])
    assert vm.lines("zvm run -n 0") == ["VM 0 running"]
    wait_host_time(vm, 1.0)
    r3 = row(vm, 0)
    assert r3["state"] == "running", r3
    assert r3["uptime_s"] >= r2["uptime_s"] + 1.0, \
        "guest time did not go on after zvm run: %.3f -> %.3f" % (r2["uptime_s"], r3["uptime_s"])
    vm.attach(0)
    find(ATTACK_RE, vm.guest_cmd("attack cval-max").strip(), "the attack once more")
    vm.detach()
