# SPDX-License-Identifier: MIT
"""Scenario vm_lifecycle: one RTOS VM through every `zvm` subcommand, every
error a user can make, and a thousand-ish new/run/delete cycles that must
leave the host's memory where it was.

Contract (README "Running a guest", shell/cmd_zvm.c, virt/vm.c):
- `zvm new -t rtos ...` prints `VM <id> created: <name> (rtos), N vCPU, M MiB,
  CPUs L, priority P`; the id is the lowest free slot.
- `zvm run -n ID` prints `VM <id> running`; the guest's lines then come out
  prefixed `[<name>] `; `zvm look -n ID` attaches (raw output, keys to the
  guest, its prompt `rtos:~$ `) until Ctrl-X (`detached from VM <id>`).
- `zvm pause` stops the guest and its clock; `zvm run` resumes it;
  `zvm reset` boots it again; `zvm delete` frees it and its id.
- `zvm update -n ID` changes a VM that is created or halted, and refuses a
  running or paused one, naming its state.
- Every mistake is an `error: ...` line (plus the usage for syntax errors)
  and changes nothing.
"""
import os
import re
import time

import pytest

from zvm import GUEST_PROMPT, TOP, find, mem_stats, zvm_info

GUEST_BANNER = r"zvm-rtos (\S+): real-time guest OS, EL1"
USAGE = ["usage: zvm new -t rtos|linux [-n NAME] [--vcpus N] [--mem SIZE] "
         "[--cpus LIST] [--prio P] [--args \"ARGS\"]",
         "       zvm run|pause|stop|reset|delete|look -n ID",
         "       zvm look -n ID --hvc",
         "       zvm info [-n ID]",
         "       zvm update -n ID [--vcpus N] [--mem SIZE] [--cpus LIST] "
         "[--prio P] [--args \"ARGS\"]",
         "       zvm policy -n ID [--on-poweroff|--on-reboot|--on-crash|--on-watchdog "
         "halt|restart|preserve] [--restart-limit N/SECONDS]",
         "       zvm log -n ID [--tail N]",
         "       zvm templates",
         "       zvm pool list|create|delete|cpu|pin|vm|guard ... (zvm pool --help)"]
NO_VMS = "(no VMs: create one with zvm new -t rtos)"
PAUSE_S = 2.0

# The memory cycles: as many as fit in the budget, up to the 1000.
CYCLES_MAX = int(os.environ.get("ZVM_VM_CYCLES", 1000))
CYCLES_BUDGET_S = float(os.environ.get("ZVM_VM_CYCLES_BUDGET", 70))
CYCLES_MIN = 100

boot_mem = {}
mem_before_errors = {}


def one(vm, line):
    """A command whose whole answer is one line; returns it."""
    out = vm.lines(line)
    assert len(out) == 1, "%r answered %r" % (line, out)
    return out[0]


def guest_uptime(vm):
    """`uptime` in the attached guest, in seconds."""
    out = vm.guest_cmd("uptime").strip()
    return float(find(r"^up (\d+\.\d{3}) s, counter \d+ Hz$", out, "guest uptime").group(1))


def host_uptime(vm):
    return float(find(r"^up (\d+\.\d{3}) s", vm.cmd("uptime"), "host uptime").group(1))


def row(vm, vm_id):
    rows = zvm_info(vm, vm_id)
    assert list(rows) == [vm_id], rows
    return rows[vm_id]


# ---- the life of one VM ----

def test_no_vms_at_boot(vm):
    out = vm.lines("zvm info")
    assert out[1:] == [NO_VMS], out
    assert zvm_info(vm) == {}
    boot_mem.update(mem_stats(vm))


def test_new_prints_id(vm):
    assert one(vm, "zvm new -t rtos -n life") == \
        "VM 0 created: life (rtos), 1 vCPU, 64 MiB, CPUs 1, priority 2"
    r = row(vm, 0)
    assert (r["name"], r["type"], r["vcpus"], r["cpus"], r["mem_mb"], r["state"],
            r["uptime_s"], r["exits"]) == ("life", "rtos", 1, "1", 64, "created", 0.0, 0), r
    find(r"^priority 2, RAM at IPA 0x40000000, VMID \d+$", "\n".join(r["detail"]),
         "zvm info -n 0")
    find(r"^exits: irq 0 wfi 0 hvc 0 smc 0 sysreg 0 mmio 0 abort 0 other 0$",
         "\n".join(r["detail"]), "zvm info -n 0")
    assert not any(l.startswith("halted:") for l in r["detail"]), r


def test_run_shows_prefixed_banner(vm):
    vm.guests.add("life")
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    m = vm.wait_for(r"\[life\] " + GUEST_BANNER + "$", "the guest banner, prefixed", mark)
    assert m.group(1) == vm.banner_version, \
        "guest %s, host %s: one tree, one version" % (m.group(1), vm.banner_version)
    vm.wait_for(r"\[life\] \[ *\d+\.\d+\] c0 <inf> 1 CPUs online$",
                "the guest's 'CPUs online', prefixed", mark)
    r = row(vm, 0)
    assert r["state"] == "running" and r["exits"] > 0, r
    # Nothing of the guest came out without its prefix.
    text = vm.since(mark)
    assert not re.search(r"^zvm-rtos", text, re.M), text


def test_look_runs_guest_commands(vm):
    # The prompt the guest printed at boot (a half line) comes out at once.
    vm.attach(0, sync=False)
    vm.expect(vm.tolerant(GUEST_PROMPT), "the guest prompt, as soon as attached")
    out = vm.guest_cmd("version").strip()
    m = find(r"^zvm-rtos (\S+) \((.+)\) aarch64 EL1$", out, "guest version")
    assert m.group(1) == vm.banner_version
    assert "attack unmapped|outside|undef|hvc|storm|read ADDR" in vm.guest_cmd("help")
    # Ctrl-X goes back to the host; its shell answers, not the guest's.
    vm.detach()
    find(r"^zvm \S+ \(.+\) aarch64 EL2$", vm.cmd("version"), "host version")
    assert row(vm, 0)["state"] == "running"


def test_look_twice_keeps_guest_shell(vm):
    """Detaching and attaching again finds the same guest shell."""
    vm.attach(0)
    assert vm.guest_cmd("") == ""
    g = guest_uptime(vm)
    vm.detach()
    vm.attach(0)
    assert guest_uptime(vm) >= g
    vm.detach()


def test_pause_stops_guest_time(vm):
    h0 = host_uptime(vm)
    vm.attach(0)
    g1 = guest_uptime(vm)
    vm.detach()

    assert one(vm, "zvm pause -n 0") == "VM 0 paused"
    p1 = host_uptime(vm)
    r1 = row(vm, 0)
    assert r1["state"] == "paused", r1
    time.sleep(PAUSE_S)          # host time passes; nothing to wait for
    r2 = row(vm, 0)
    p2 = host_uptime(vm)
    assert p2 - p1 >= PAUSE_S, (p1, p2)
    assert r2["state"] == "paused", r2
    assert r2["uptime_s"] == r1["uptime_s"], \
        "guest uptime moved while paused: %.3f -> %.3f" % (r1["uptime_s"], r2["uptime_s"])
    assert r2["exits"] == r1["exits"], "a paused VM exited: %r -> %r" % (r1, r2)
    assert one(vm, "zvm pause -n 0") == "error: VM 0 is paused, not running"

    assert one(vm, "zvm run -n 0") == "VM 0 running"
    assert row(vm, 0)["state"] == "running"
    vm.attach(0)
    g2 = guest_uptime(vm)
    vm.detach()
    h1 = host_uptime(vm)
    host_span, paused, guest_span = h1 - h0, p2 - p1, g2 - g1
    assert guest_span > 0, (g1, g2)
    # The guest saw the host time around it minus the pause (at least).
    assert guest_span <= host_span - paused + 0.05, \
        ("guest uptime advanced %.3f s over %.3f s of host time that included "
         "a %.3f s pause" % (guest_span, host_span, paused))
    # ... and the guest clock ran again after `zvm run`.
    r3 = row(vm, 0)
    assert r3["uptime_s"] >= r2["uptime_s"], (r2, r3)


def test_run_of_running_vm_refused(vm):
    assert one(vm, "zvm run -n 0") == "error: VM 0 is running"
    assert row(vm, 0)["state"] == "running"


def test_update_of_running_or_paused_vm_refused(vm):
    before = row(vm, 0)
    assert one(vm, "zvm update -n 0 --vcpus 2") == \
        "error: VM 0 is running: stop it first (zvm stop -n 0)"
    assert one(vm, "zvm pause -n 0") == "VM 0 paused"
    assert one(vm, "zvm update -n 0 --mem 32M") == \
        "error: VM 0 is paused: stop it first (zvm stop -n 0)"
    after = row(vm, 0)
    for k in ("vcpus", "cpus", "mem_mb"):
        assert after[k] == before[k], (before, after)
    assert one(vm, "zvm run -n 0") == "VM 0 running"


def test_reset_boots_again(vm):
    before = row(vm, 0)
    mark = vm.mark()
    t0 = time.monotonic()
    assert one(vm, "zvm reset -n 0") == "VM 0 reset and running"
    vm.wait_for(r"\[life\] " + GUEST_BANNER + "$", "the guest banner after the reset", mark)
    vm.wait_for(r"\[life\] .*<inf> 1 CPUs online$", "'CPUs online' after the reset", mark)
    after = row(vm, 0)
    assert after["state"] == "running", after
    # Guest time started again at the reset: at most the wall time since
    # (the guest may have run less than that before it, when the host is fast).
    assert after["uptime_s"] <= time.monotonic() - t0, (before, after)
    assert after["exits"] < before["exits"], (before, after)
    vm.attach(0)
    assert guest_uptime(vm) <= time.monotonic() - t0
    vm.detach()


def test_reset_of_paused_vm_runs_it(vm):
    assert one(vm, "zvm pause -n 0") == "VM 0 paused"
    mark = vm.mark()
    assert one(vm, "zvm reset -n 0") == "VM 0 reset and running"
    vm.wait_for(r"\[life\] " + GUEST_BANNER + "$", "the banner after resetting a paused VM",
                mark)
    assert row(vm, 0)["state"] == "running"


def test_delete_frees_vm_and_id(vm):
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    vm.guests.discard("life")
    assert zvm_info(vm) == {}
    assert one(vm, "zvm run -n 0") == "error: no VM with id 0"
    assert one(vm, "zvm delete -n 0") == "error: no VM with id 0"
    # The id is free again.
    assert one(vm, "zvm new -t rtos -n again").startswith("VM 0 created: again (rtos)")
    assert one(vm, "zvm new -t rtos -n second").startswith("VM 1 created: second (rtos)")
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    assert one(vm, "zvm new -t rtos -n third").startswith("VM 0 created: third (rtos)")
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    assert one(vm, "zvm delete -n 1") == "VM 1 deleted"
    assert zvm_info(vm) == {}
    # Everything since boot (run, look, pause, reset, delete) gave its memory back.
    now = mem_stats(vm)
    assert (now["pages_free"], now["heap_used"]) == \
        (boot_mem["pages_free"], boot_mem["heap_used"]), (boot_mem, now)
    mem_before_errors.update(now)


# ---- errors ----

ERRORS = [
    # (command, the lines of the answer: regexes)
    ("zvm", ["error: zvm needs a subcommand"] + USAGE),
    ("zvm frob", ["error: unknown subcommand 'frob'"] + USAGE),
    ("zvm frob -n 0", ["error: unknown subcommand 'frob'"] + USAGE),
    ("zvm run -n 0 --frob 1", ["error: unknown option '--frob'"] + USAGE),
    ("zvm new -t rtos --frob 1", ["error: unknown option '--frob'"] + USAGE),
    ("zvm new -t rtos -x", ["error: option '-x' needs a value"] + USAGE),
    ("zvm new -t rtos -n abcdefghijklmnop",
     ["error: a VM name has 1 to 15 characters: 'abcdefghijklmnop'"] + USAGE),
    ("zvm run -n 7", ["error: no VM with id 7"]),
    ("zvm pause -n 7", ["error: no VM with id 7"]),
    ("zvm reset -n 7", ["error: no VM with id 7"]),
    ("zvm delete -n 7", ["error: no VM with id 7"]),
    ("zvm look -n 7", ["error: no VM with id 7"]),
    ("zvm info -n 7", ["error: no VM with id 7"]),
    ("zvm update -n 7 --prio 3", ["error: no VM with id 7"]),
    ("zvm run -n 8", [r"error: bad value '8' for -n: out of range \(VM ids 0\.\.7\)"]),
    ("zvm run -n -1", [r"error: bad value '-1' for -n: out of range \(VM ids 0\.\.7\)"]),
    ("zvm run -n x", ["error: bad value 'x' for -n: not a number"]),
    ("zvm run", ["error: zvm run needs -n ID", "usage: zvm run -n ID"]),
    ("zvm pause", ["error: zvm pause needs -n ID", "usage: zvm pause -n ID"]),
    ("zvm reset", ["error: zvm reset needs -n ID", "usage: zvm reset -n ID"]),
    ("zvm delete", ["error: zvm delete needs -n ID", "usage: zvm delete -n ID"]),
    ("zvm look", ["error: zvm look needs -n ID", "usage: zvm look -n ID"]),
    ("zvm update --prio 3", ["error: zvm update needs -n ID", "usage: zvm update -n ID"]),
    ("zvm run -n", ["error: option '-n' needs a value"] + USAGE),
    ("zvm new", ["error: zvm new needs -t rtos\\|linux"] + USAGE),
    ("zvm new -t", ["error: option '-t' needs a value"] + USAGE),
    ("zvm new -t rtos -n", ["error: option '-n' needs a value"] + USAGE),
    ("zvm new -t bogus", ["error: no template 'bogus'"]),
    ("zvm new -t rtos --vcpus 9", [r"error: bad value '9' for --vcpus: out of range \(1\.\.4\)"]),
    ("zvm new -t rtos --vcpus 0", [r"error: bad value '0' for --vcpus: out of range \(1\.\.4\)"]),
    ("zvm new -t rtos --vcpus two", ["error: bad value 'two' for --vcpus: not a number"]),
    ("zvm new -t rtos --mem 1K", [r"error: memory must be 16\.\.1024 MiB \(got 0 MiB\)"]),
    ("zvm new -t rtos --mem 15M", [r"error: memory must be 16\.\.1024 MiB \(got 15 MiB\)"]),
    ("zvm new -t rtos --mem 2G", [r"error: memory must be 16\.\.1024 MiB \(got 2048 MiB\)"]),
    ("zvm new -t rtos --mem 17M", [r"error: memory must be a multiple of 2 MiB \(got .*\)"]),
    ("zvm new -t rtos --mem lots", ["error: bad value 'lots' for --mem: not a number"]),
    ("zvm new -t rtos --cpus 7",
     [r"error: bad value '7' for --cpus: out of range \(host CPUs 0\.\.3\)"]),
    ("zvm new -t rtos --cpus 4",
     [r"error: bad value '4' for --cpus: out of range \(host CPUs 0\.\.3\)"]),
    ("zvm new -t rtos --cpus 1-9",
     [r"error: bad value '1-9' for --cpus: out of range \(host CPUs 0\.\.3\)"]),
    ("zvm new -t rtos --cpus 3-1",
     ["error: bad value '3-1' for --cpus: CPU range ends before it starts"]),
    ("zvm new -t rtos --prio 99",
     [r"error: bad value '99' for --prio: out of range \(-16\.\.31\)"]),
    ("zvm new -t rtos --prio -17",
     [r"error: bad value '-17' for --prio: out of range \(-16\.\.31\)"]),
    ("zvm new -t rtos --prio high", ["error: bad value 'high' for --prio: not a number"]),
    # issue 14: a bare --mem number is MiB; every out of range says the range.
    ("zvm new -t rtos --mem 8", [r"error: memory must be 16\.\.1024 MiB \(got 8 MiB\)"]),
    ("zvm new -t rtos --mem 99999999",
     [r"error: bad value '99999999' for --mem: out of range \(16M\.\.1024M; a bare number is MiB\)"]),
    ("zvm log -n 0 --tail 0",
     [r"error: bad value '0' for --tail: out of range \(1\.\.16384 lines\)"]),
    ("zvm log -n 7", ["error: no VM with id 7"]),
    ("zvm log", ["error: zvm log needs -n ID", "usage: zvm log -n ID"]),
    ("zvm policy -n 7 --on-crash halt", ["error: no VM with id 7"]),
]


@pytest.mark.parametrize("line,expected", ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_error(vm, line, expected):
    out = vm.lines(line)
    assert len(out) == len(expected), "%r answered:\n%s" % (line, "\n".join(out))
    for got, want in zip(out, expected):
        # The error lines are regexes; the usage lines are literal.
        want_re = want if want.startswith("error: ") else re.escape(want)
        assert re.fullmatch(want_re, got), "%r answered %r, expected /%s/" % (line, got, want_re)


def test_errors_changed_nothing(vm):
    assert zvm_info(vm) == {}, "a refused command left a VM behind"
    now = mem_stats(vm)
    assert (now["pages_free"], now["heap_used"]) == \
        (mem_before_errors["pages_free"], mem_before_errors["heap_used"]), \
        (mem_before_errors, now)


def test_new_linux(vm, fresh):
    """Without a Linux image built, a clear error; with one, a VM."""
    if os.path.exists(os.path.join(TOP, "build", "linux", "Image")):
        # Built: then the template works like the RTOS one.
        out = one(vm, "zvm new -t linux")
        m = find(r"^VM (\d) created: \S+ \(linux\)", out, "zvm new -t linux")
        assert one(vm, "zvm delete -n %s" % m.group(1)) == "VM %s deleted" % m.group(1)
        return
    assert one(vm, "zvm new -t linux") == \
        "error: image 'linux-image' is not loaded (not in the manifest: was it built?)"
    assert zvm_info(vm) == {}


def test_state_errors(vm, fresh):
    assert one(vm, "zvm new -t rtos -n st").startswith("VM 0 created: st (rtos)")
    assert one(vm, "zvm pause -n 0") == "error: VM 0 is created, not running"
    assert one(vm, "zvm reset -n 0") == "error: VM 0 has not run yet: use zvm run"
    assert row(vm, 0)["state"] == "created"
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"


# ---- update ----

def test_update_created_vm(vm, fresh):
    assert one(vm, "zvm new -t rtos -n upd").startswith("VM 0 created: upd (rtos), 1 vCPU")
    assert one(vm, 'zvm update -n 0 --vcpus 2 --mem 32M --cpus 2-3 --prio 5 '
                   '--args "app=hello"') == "VM 0 updated"
    r = row(vm, 0)
    assert (r["vcpus"], r["cpus"], r["mem_mb"], r["state"]) == (2, "2,3", 32, "created"), r
    find(r"^priority 5, RAM at IPA 0x40000000, VMID \d+$", "\n".join(r["detail"]),
         "zvm info -n 0 after update")
    # A bad value changes nothing.
    assert one(vm, "zvm update -n 0 --vcpus 9") == \
        "error: bad value '9' for --vcpus: out of range (1..4)"
    assert re.fullmatch(r"error: memory must be a multiple of 2 MiB \(got .*\)",
                        one(vm, "zvm update -n 0 --mem 17M"))
    r2 = row(vm, 0)
    assert (r2["vcpus"], r2["cpus"], r2["mem_mb"]) == (2, "2,3", 32), r2
    # The guest runs with the new settings: 2 vCPUs, 32 MiB, app=hello.
    vm.guests.add("upd")
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.wait_for(r"\[upd\] .*<inf> zvm-vm: 2 CPUs, 32 MiB RAM at 0x40000000",
                "the guest's platform line with 2 CPUs and 32 MiB", mark)
    vm.wait_for(r"\[upd\] hello: 2 CPUs said hello$", "app=hello's summary", mark)
    threads = vm.cmd("threads")
    for i, cpu in ((0, (2, 3)), (1, (2, 3))):
        m = find(r"^vm0-vcpu%d\s+(\d+)\s+\S+\s+(\d+)\s+(\S+)" % i, threads, "threads")
        assert m.group(1) == "5", "vCPU %d runs at priority %s, not 5" % (i, m.group(1))
        assert int(m.group(2)) in cpu, "vCPU %d on CPU %s" % (i, m.group(2))
    assert one(vm, "zvm update -n 0 --prio 3") == \
        "error: VM 0 is running: stop it first (zvm stop -n 0)"
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    vm.guests.discard("upd")
    assert "vm0-vcpu" not in vm.cmd("threads")


def test_largest_vm_fits_on_a_fresh_host(vm, fresh):
    """docs/vm-config.md: RAM 16 MiB..1 GiB. The host has ~1.8 GiB free."""
    free_mib = mem_stats(vm)["pages_free"] * 4096 >> 20
    assert free_mib > 1024 + 64, "only %d MiB free" % free_mib
    out = one(vm, "zvm new -t rtos -n big --mem 1G")
    try:
        assert out == "VM 0 created: big (rtos), 1 vCPU, 1024 MiB, CPUs 1, priority 2", \
            "a 1 GiB VM (the documented maximum) with %d MiB free: %r" % (free_mib, out)
    finally:
        if out.startswith("VM 0 created"):
            assert one(vm, "zvm delete -n 0") == "VM 0 deleted"


# ---- memory: nothing leaks ----

def variety(vm):
    """Once each: every path that builds or tears down a VM."""
    vm.guests.add("v")
    assert one(vm, "zvm new -t rtos -n v --vcpus 4 --cpus 1-3 --mem 16M").startswith("VM 0")
    assert one(vm, "zvm update -n 0 --vcpus 2 --prio 4") == "VM 0 updated"
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.wait_for(r"\[v\] .*<inf> 2 CPUs online$", "the 2-vCPU guest up", mark)
    assert one(vm, "zvm pause -n 0") == "VM 0 paused"
    assert one(vm, "zvm reset -n 0") == "VM 0 reset and running"
    assert one(vm, "zvm reset -n 0") == "VM 0 reset and running"
    assert one(vm, "zvm new -t rtos -n v --mem 16M").startswith("VM 1")
    assert one(vm, "zvm run -n 1") == "VM 1 running"
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    assert one(vm, "zvm delete -n 1") == "VM 1 deleted"
    # Refused creations give back what they took.
    for bad in ("--mem 1024M", "--mem 1022M", "--mem 600M"):
        out = one(vm, "zvm new -t rtos -n v " + bad)
        if out.startswith("VM 0"):
            assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
        else:
            assert out.startswith("error: not enough host memory"), out
    vm.guests.discard("v")


def test_new_run_delete_cycles_leak_nothing(vm, fresh):
    assert zvm_info(vm) == {}
    before = mem_stats(vm)
    variety(vm)
    vm.guests.add("m")
    t0 = time.monotonic()
    n = 0
    while n < CYCLES_MAX and time.monotonic() - t0 < CYCLES_BUDGET_S:
        assert one(vm, "zvm new -t rtos -n m --mem 16M") == \
            "VM 0 created: m (rtos), 1 vCPU, 16 MiB, CPUs 1, priority 2"
        mark = vm.mark()
        assert one(vm, "zvm run -n 0") == "VM 0 running"
        if n % 100 == 0:
            # Now and then, let the guest boot to its shell first.
            vm.wait_for(r"\[m\] .*<inf> 1 CPUs online$", "cycle %d: guest up" % n, mark)
        assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
        n += 1
    took = time.monotonic() - t0
    vm.guests.discard("m")
    print("%d new/run/delete cycles in %.1f s" % (n, took))
    after = mem_stats(vm)
    assert zvm_info(vm) == {}
    assert after["pages_free"] == before["pages_free"], \
        "free pages %d before %d cycles, %d after" % (before["pages_free"], n, after["pages_free"])
    assert after["heap_used"] == before["heap_used"], \
        "heap used %d bytes before %d cycles, %d after" % (before["heap_used"], n,
                                                           after["heap_used"])
    assert after["heap_failures"] == before["heap_failures"], (before, after)
    assert n >= CYCLES_MIN, "only %d cycles in %.0f s" % (n, took)
    assert "vm0-vcpu" not in vm.cmd("threads")


@pytest.mark.parametrize("first,then", [("64M", "32M"), ("16M", "18M")])
def test_update_of_memory_size_gives_memory_back(vm, fresh, first, then):
    before = mem_stats(vm)
    assert one(vm, "zvm new -t rtos -n um --mem %s" % first).startswith("VM 0 created: um")
    assert one(vm, "zvm update -n 0 --mem %s" % then) == "VM 0 updated"
    assert row(vm, 0)["mem_mb"] == int(then[:-1])
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    after = mem_stats(vm)
    assert after["pages_free"] == before["pages_free"], \
        ("new --mem %s, update --mem %s, delete: %d pages free before, %d after"
         % (first, then, before["pages_free"], after["pages_free"]))
    assert after["heap_used"] == before["heap_used"], (before, after)


def test_update_that_cannot_be_built_keeps_vm(vm, fresh):
    """An update that fails for want of host memory leaves the VM as it was."""
    before = mem_stats(vm)
    big = one(vm, "zvm new -t rtos -n big --mem 1G")
    assert big.startswith("VM 0 created: big (rtos), 1 vCPU, 1024 MiB"), big
    assert one(vm, "zvm new -t rtos -n keep --mem 32M").startswith("VM 1 created: keep")
    # Nothing is left for a second GiB.
    out = one(vm, "zvm update -n 1 --mem 1G --prio 7")
    # Not enough free at all (the 1 GiB VM has it), so no word about contiguity.
    assert re.fullmatch(r"error: not enough host memory for 1024 MiB: \d+ MiB are free", out), out
    r = row(vm, 1)
    assert (r["name"], r["mem_mb"], r["state"]) == ("keep", 32, "created"), r
    find(r"^priority 2,", "\n".join(r["detail"]), "zvm info -n 1 after a failed update")
    vm.guests.add("keep")
    mark = vm.mark()
    assert one(vm, "zvm run -n 1") == "VM 1 running"
    vm.wait_for(r"\[keep\] .*<inf> zvm-vm: 1 CPUs, 32 MiB RAM", "the VM boots as it was",
                mark)
    assert one(vm, "zvm delete -n 1") == "VM 1 deleted"
    vm.guests.discard("keep")
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    after = mem_stats(vm)
    assert (after["pages_free"], after["heap_used"]) == \
        (before["pages_free"], before["heap_used"]), (before, after)


# ---- last: it may leave the shell stuck ----

def test_look_at_paused_vm_then_ctrl_x(vm, fresh):
    """Keys typed into a paused VM (more than its 32-byte FIFO) must not
    keep Ctrl-X from bringing the host shell back."""
    vm.guests.add("pz")
    mark = vm.mark()
    assert one(vm, "zvm new -t rtos -n pz").startswith("VM 0 created: pz")
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.wait_for(r"\[pz\] .*<inf> 1 CPUs online$", "the guest up", mark)
    assert one(vm, "zvm pause -n 0") == "VM 0 paused"
    vm.attach(0, sync=False)
    vm.send("uptime uptime uptime uptime uptime uptime uptime uptime")   # 55 bytes
    vm.detach()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
