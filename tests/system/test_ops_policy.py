# SPDX-License-Identifier: MIT
"""Scenario ops_policy: guests that power off, reboot, panic or hang, and the
policy per VM that answers (virt/vmm.c, docs/vm-config.md "Failure policy").

- An RTOS VM made with `--on-reboot halt`: its `reboot` halts it (state
  halted, its memory released) instead of booting it again.
- A Linux VM (the `linux` template: panic=-1 reboot=panic_warm, an SP805
  watchdog fed by the guest's /init every 2 s, timeout zvm.watchdog=10) with
  `--restart-limit 1/600`: `echo c > /proc/sysrq-trigger` panics the kernel,
  which resets with PSCI SYSTEM_RESET2 (warm): zvm shows it crashed, logs it
  once and boots it again (on-crash restart); the second panic is over the
  limit: the VM stays crashed and its memory goes back to the host.
- `zvm policy` changes the policy of a VM at run time; bad values are
  refused with the accepted ones.
- A kernel that loops after its panic (panic=0) stops feeding its watchdog:
  the SP805 expires, zvm shows it crashed (watchdog) and restarts it.
- on-crash preserve: the crashed VM keeps its memory.
"""
import re

import pytest

from zvm import mem_stats, zvm_info
from test_linux import lx_sync, wait_linux_boot, wait_lx

pytestmark = pytest.mark.time_limit(300)    # a test may boot Linux twice

RT = LX = 0    # the RTOS VM is deleted before the Linux VM is made
LX_ARGS = "console=ttyAMA0 earlycon rdinit=/init panic=-1 reboot=panic_warm zvm.watchdog=10"
PANIC_REASON = "guest kernel panic (a warm reset: PSCI SYSTEM_RESET2)"
MIB_PAGES = 256     # 4 KiB pages

state = {}


def one(vm, line):
    out = vm.lines(line)
    assert len(out) == 1, "%r answered %r" % (line, out)
    return out[0]


def detail(vm, vm_id):
    return zvm_info(vm, vm_id)[vm_id]["detail"]


def line_starting(lines, prefix):
    found = [l for l in lines if l.startswith(prefix)]
    assert len(found) == 1, "no single line %r in %s" % (prefix, lines)
    return found[0]


def events(vm, vm_id):
    """`events: poweroff N reboot N crash N watchdog N, restarts N` as a dict."""
    ev = line_starting(detail(vm, vm_id), "events:")
    return {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", ev)}


def panic(vm):
    """In the attached Linux guest: panic its kernel."""
    vm.type_keys("echo c > /proc/sysrq-trigger", "Linux guest")


def boot_and_attach(vm, op, answer, what):
    """`zvm run|reset` the Linux VM, wait for its shell and its watchdog daemon, attach."""
    mark = vm.mark()
    assert one(vm, "zvm %s -n %d" % (op, LX)) == answer
    wait_linux_boot(vm, mark, what)
    wait_lx(vm, r"zvm-linux: watchdog fed every 2 s, timeout 10 s", "the watchdog daemon", mark)
    vm.attach(LX, sync=False)
    lx_sync(vm)


def test_rtos_reboot_halts_by_policy(vm):
    before = mem_stats(vm)
    assert one(vm, "zvm new -t rtos --on-reboot halt").startswith("VM %d created: rtos" % RT)
    vm.guests.add("rtos")
    assert one(vm, "zvm run -n %d" % RT) == "VM %d running" % RT
    vm.attach(RT)
    mark = vm.mark()
    vm.send("reboot\n")
    vm.wait_for(r"^VM %d halted: guest asked for a reset \(PSCI SYSTEM_RESET\)$" % RT,
                "the RTOS VM halted by its reboot", mark, strip=True)
    vm.wait_for(r"^VM %d: reboot, on-reboot halt$" % RT, "the policy line", mark, strip=True)
    vm.detach()
    assert zvm_info(vm)[RT]["state"] == "halted"
    lines = detail(vm, RT)
    assert "halted: guest asked for a reset (PSCI SYSTEM_RESET)" in lines, lines
    assert "state: halted since" in line_starting(lines, "state:")
    assert events(vm, RT) == {"poweroff": 0, "reboot": 1, "crash": 0, "watchdog": 0,
                              "restarts": 0}
    # Halted: its memory and devices went back to the host.
    assert mem_stats(vm)["pages_free"] == before["pages_free"]
    assert one(vm, "zvm run -n %d" % RT) == "error: VM %d is halted: use zvm reset" % RT
    # Logged once: one "halted" line, however long we look.
    assert len(re.findall(r"VM %d halted:" % RT, vm.since(mark, strip=True))) == 1
    assert one(vm, "zvm delete -n %d" % RT) == "VM %d deleted" % RT
    vm.guests.discard("rtos")


def test_linux_panic_is_a_crash_restarted_by_policy(vm):
    state["mem"] = mem_stats(vm)
    out = one(vm, 'zvm new -t linux --restart-limit 1/600 --args "%s"' % LX_ARGS)
    assert out.startswith("VM %d created: linux" % LX), out
    vm.guests.add("linux")
    lines = detail(vm, LX)
    assert ("policy: on-poweroff halt on-reboot restart on-crash restart on-watchdog restart,"
            " restart limit 1 in 600 s") in lines, lines
    assert "watchdog: SP805 at 0x9030000, SPI 2" in lines, lines
    boot_and_attach(vm, "run", "VM %d running" % LX, "the first boot")
    mark = vm.mark()
    panic(vm)
    wait_lx(vm, r"^VM %d crashed: %s$" % (LX, re.escape(PANIC_REASON)), "the crash", mark)
    wait_lx(vm, r"^VM %d: crash, on-crash restart \(restart 1, limit 1 in 600 s\)$" % LX,
            "the restart by policy", mark)
    wait_linux_boot(vm, mark, "the boot after the panic")
    lx_sync(vm)
    vm.detach()
    assert zvm_info(vm)[LX]["state"] == "running"
    assert events(vm, LX) == {"poweroff": 0, "reboot": 0, "crash": 1, "watchdog": 0,
                              "restarts": 1}
    assert line_starting(detail(vm, LX), "last event at").endswith(
        ": crash, on-crash restart (restart 1, limit 1 in 600 s)")


def test_second_panic_is_over_the_restart_limit(vm):
    vm.attach(LX, sync=False)
    lx_sync(vm)
    mark = vm.mark()
    panic(vm)
    wait_lx(vm, r"^VM %d crashed: %s$" % (LX, re.escape(PANIC_REASON)), "the crash", mark)
    wait_lx(vm, r"^VM %d: crash, on-crash restart: restart limit reached \(1 in 600 s\), halted$"
            % LX, "the restart limit", mark)
    vm.detach()
    rows = zvm_info(vm)
    assert rows[LX]["state"] == "crashed", rows
    lines = detail(vm, LX)
    assert "crashed: " + PANIC_REASON in lines, lines
    assert events(vm, LX)["crash"] == 2 and events(vm, LX)["restarts"] == 1
    # Halted: the 512 MiB are the host's again; the clock stands still.
    assert mem_stats(vm)["pages_free"] == state["mem"]["pages_free"]
    assert zvm_info(vm)[LX]["uptime_s"] == rows[LX]["uptime_s"]
    assert one(vm, "zvm run -n %d" % LX) == "error: VM %d is crashed: use zvm reset" % LX
    assert "Booting Linux" not in vm.since(mark)


def test_policy_changes_at_run_time_and_bad_values_are_refused(vm):
    assert one(vm, "zvm policy -n %d --on-crash preserve --restart-limit 3/60" % LX) == (
        "VM %d policy: on-poweroff halt, on-reboot restart, on-crash preserve, "
        "on-watchdog restart, restart limit 3 in 60 s" % LX)
    assert ("policy: on-poweroff halt on-reboot restart on-crash preserve on-watchdog restart,"
            " restart limit 3 in 60 s") in detail(vm, LX)
    out = vm.lines("zvm policy -n %d --on-crash reboot" % LX)
    assert out[0] == "error: --on-crash takes halt, restart or preserve", out
    assert one(vm, "zvm policy -n %d --restart-limit 99/60" % LX) == \
        "error: --restart-limit 99/60: restarts 0..16, seconds 1..86400"
    out = vm.lines("zvm policy -n %d --restart-limit 3" % LX)
    assert out[0] == "error: --restart-limit takes N/SECONDS, e.g. 3/60: '3'", out
    assert one(vm, "zvm policy -n 7 --on-crash halt") == "error: no VM with id 7"


def test_hung_guest_is_caught_by_its_watchdog(vm):
    boot_and_attach(vm, "reset", "VM %d reset and running" % LX, "the boot after zvm reset")
    # panic=0: the kernel loops after its panic and feeds nothing.
    vm.type_keys("echo 0 > /proc/sys/kernel/panic", "Linux guest")
    lx_sync(vm)
    mark = vm.mark()
    panic(vm)
    wait_lx(vm, r"Kernel panic - not syncing", "the panic", mark)
    m = wait_lx(vm, r"^VM %d crashed: watchdog expired \(SP805: not fed for (\d+)\.\d{3} s\)$"
                % LX, "the watchdog expiry", mark, timeout=60)
    assert int(m.group(1)) == 10, m.group(0)
    wait_lx(vm, r"^VM %d: watchdog, on-watchdog restart \(restart 2, limit 3 in 60 s\)$" % LX,
            "the restart by policy", mark)
    wait_linux_boot(vm, mark, "the boot after the watchdog")
    lx_sync(vm)
    vm.detach()
    assert zvm_info(vm)[LX]["state"] == "running"
    ev = events(vm, LX)
    assert (ev["crash"], ev["watchdog"], ev["restarts"]) == (2, 1, 2), ev


def test_preserve_keeps_the_crashed_vm_and_its_memory(vm):
    before = mem_stats(vm)
    vm.attach(LX, sync=False)
    lx_sync(vm)
    mark = vm.mark()
    panic(vm)
    wait_lx(vm, r"^VM %d crashed: %s$" % (LX, re.escape(PANIC_REASON)), "the crash", mark)
    wait_lx(vm, r"^VM %d: crash, on-crash preserve$" % LX, "the policy line", mark)
    vm.detach()
    assert zvm_info(vm)[LX]["state"] == "crashed"
    assert mem_stats(vm)["pages_free"] == before["pages_free"]   # still the VM's
    assert one(vm, "zvm delete -n %d" % LX) == "VM %d deleted" % LX
    vm.guests.discard("linux")
    assert mem_stats(vm)["pages_free"] == state["mem"]["pages_free"]
