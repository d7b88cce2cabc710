# SPDX-License-Identifier: MIT
"""Scenario vm_isolation: a hostile guest next to a well-behaved one.

A bystander VM `by` (app=sync, host CPU 2) prints a turn every 500 ms for
the whole module. A VM `evil` (host CPU 1) is attached with `zvm look` and
made to misbehave with the guest's `attack` command. Contract (README,
docs/design.md, virt/vcpu_exit.c, virt/vpsci.c):
- `attack unmapped|outside`: a read of an IPA outside the VM's RAM and
  devices. zvm logs `VM <id> vCPU 0: read at IPA <ipa> (pc ...) outside its
  memory and devices: abort injected` and the guest takes a synchronous
  external abort: its own FATAL report (data abort, ESR fault status 0x10,
  FAR = the address).
- `attack undef`: the guest's own FATAL report, "unknown instruction".
- `attack hvc`: an unknown hypercall returns -1 (PSCI NOT_SUPPORTED).
- `attack storm`: 20000 self-IPIs (trapped ICC_SGI1R writes), `still alive`.
- guest `poweroff`: that VM halts (`VM <id> halted: guest powered off ...`),
  nothing else does; guest `reboot`: zvm resets that VM, which boots again.
After each: the host shell answers, all host CPUs are online, `zvm info`
works, the bystander keeps its 500 ms pace, and the hostile VM can be
deleted, giving back all its memory.
"""
import re

import pytest

from zvm import (FATAL, GUEST_PROMPT, check_sync_sequence, find, mem_stats,
                 sync_turns, zvm_info)

ALLOW_FATAL = True      # the guests' own FATAL reports (checked: guests only)

BY, EVIL = 0, 1
SYNC_MAX_GAP_MS = 750
GUEST_BANNER = r"zvm-rtos \S+: real-time guest OS, EL1"
GUEST_FATAL_RE = (r"\*\*\* FATAL: unexpected sync exception on CPU 0 in thread "
                  r"'shell': (.+)")
GUEST_FATAL_END = "*** CPU 0 stopped; the other CPUs continue"
HOST_ABORT_RE = (r"<wrn> VM %d vCPU 0: read at IPA 0x%x \(pc 0x[0-9a-f]+\) outside "
                 r"its memory and devices: abort injected")
GUEST_RAM = (0x40000000, 64 << 20)

state = {"guest_fatals": 0}


@pytest.fixture(autouse=True)
def no_leftovers(vm):
    """A failed test may leave the shell attached or a hostile VM behind:
    start each test from the host shell with only the bystander."""
    vm.home()
    for vm_id in zvm_info(vm):
        if vm_id != BY:
            assert one(vm, "zvm delete -n %d" % vm_id) == "VM %d deleted" % vm_id
    vm.guests.discard("evil")
    yield


def one(vm, line):
    out = vm.lines(line)
    assert len(out) == 1, "%r answered %r" % (line, out)
    return out[0]


LOG_SYNC_RE = r"^(thread_[ab]): turn (\d+) on CPU (\d+) at (\d+) ms$"


def by_turns(vm):
    """Every line of the bystander seen so far, in order: on the console and
    in its log (`zvm log`: those printed while `evil` was attached, not shown
    then). From the host shell."""
    seen = state.setdefault("by_turns", {})
    vm.home()
    for m in re.finditer(LOG_SYNC_RE, vm.cmd("zvm log -n %d" % BY), re.M):
        seen[(m.group(1), int(m.group(2)))] = (m.group(1),) + tuple(int(g) for g in m.groups()[1:])
    for t in sync_turns(vm.since(state["start"]), "by"):
        seen[t[:2]] = t
    return sorted(seen.values(), key=lambda t: (t[1], t[0]))


def last_turn(vm):
    turns = by_turns(vm)
    return turns[-1][1] if turns else -1


def bystander_goes_on(vm, turns=1):
    """The bystander prints a turn number it has not printed yet."""
    want = last_turn(vm) + turns
    vm.wait_for(r"\[by\] thread_[ab]: turn (%s) " % "|".join(
        str(t) for t in range(want, want + 50)),
        "the bystander's turn %d" % want, vm.mark(), timeout=20)


def host_fine(vm):
    """The host shell answers, all its CPUs are online, `zvm info` works."""
    find(r"^zvm \S+ \(.+\) aarch64 EL2$", vm.cmd("version"), "host version")
    rows = vm.lines("cpus")[1:]
    assert len(rows) == 4 and all(r.split()[1] == "online" for r in rows), \
        "host CPUs after the attack: %r" % rows
    info = zvm_info(vm)
    assert info[BY]["state"] == "running", info
    return info


def new_evil(vm, attach=True):
    """A fresh hostile VM (id 1, host CPU 1), booted (and attached)."""
    state["mem"] = mem_stats(vm)
    assert one(vm, "zvm new -t rtos -n evil --cpus 1").startswith(
        "VM %d created: evil (rtos), 1 vCPU, 64 MiB, CPUs 1" % EVIL)
    vm.guests.add("evil")
    mark = vm.mark()
    assert one(vm, "zvm run -n %d" % EVIL) == "VM %d running" % EVIL
    vm.wait_for(r"\[evil\] .*<inf> 1 CPUs online$", "the hostile guest up", mark)
    if attach:
        vm.attach(EVIL)


def delete_evil(vm):
    """Delete the hostile VM: all its memory comes back."""
    assert one(vm, "zvm delete -n %d" % EVIL) == "VM %d deleted" % EVIL
    vm.guests.discard("evil")
    info = zvm_info(vm)
    assert list(info) == [BY], info
    assert not re.search(r"^vm%d-vcpu" % EVIL, vm.cmd("threads"), re.M)
    now = mem_stats(vm)
    assert (now["pages_free"], now["heap_used"]) == \
        (state["mem"]["pages_free"], state["mem"]["heap_used"]), (state["mem"], now)


def attack(vm, what):
    """Type `attack what` into the attached guest; returns the mark before."""
    mark = vm.mark()
    vm.send("attack %s\n" % what)
    return mark


def guest_fatal(vm, mark, what):
    """Wait for the attached guest's FATAL report; returns it (other VMs'
    lines removed) and its header's reason."""
    vm.wait_for(re.escape(GUEST_FATAL_END), "the end of the guest's FATAL report (%s)" % what,
                mark, strip=True)
    text = vm.since(mark, strip=True)
    m = find(GUEST_FATAL_RE, text, "the guest's FATAL header")
    state["guest_fatals"] += 1
    return text[m.start():], m.group(1).strip()


def sysreg(text, name):
    return int(find(r"\b%s\s+([0-9a-f]{16})\b" % name, text, name).group(1), 16)


# ---- the bystander ----

def test_bystander_runs(vm):
    assert one(vm, 'zvm new -t rtos -n by --cpus 2 --args "app=sync"').startswith(
        "VM %d created: by (rtos), 1 vCPU, 64 MiB, CPUs 2" % BY)
    vm.guests.add("by")
    mark = vm.mark()
    state["start"] = mark
    assert one(vm, "zvm run -n %d" % BY) == "VM %d running" % BY
    vm.wait_for(r"\[by\] thread_b: turn 1 ", "the bystander's first turns", mark)


# ---- attacks that the guest survives ----

def test_attack_hvc_returns_not_supported(vm):
    new_evil(vm, attach=False)
    before = zvm_info(vm, EVIL)[EVIL]
    vm.attach(EVIL)
    out = vm.guest_cmd("attack hvc")
    find(r"^attack: unknown hypercall 0xc6ffff00 returned -1$", out, "attack hvc")
    vm.detach()
    after = zvm_info(vm, EVIL)[EVIL]
    hvc = [int(re.search(r"\bhvc (\d+)", "\n".join(r["detail"])).group(1))
           for r in (before, after)]
    assert hvc[1] >= hvc[0] + 1, "the hypercall was not counted: %r" % hvc
    host_fine(vm)
    bystander_goes_on(vm)
    vm.attach(EVIL)     # the guest lives on
    assert vm.guest_cmd("version").startswith("zvm-rtos ")
    vm.detach()
    delete_evil(vm)


@pytest.mark.time_limit(200)     # 20000 trapped IPIs: up to 120 s
def test_attack_storm_still_alive(vm):
    new_evil(vm, attach=False)
    before = zvm_info(vm, EVIL)[EVIL]
    vm.attach(EVIL)
    out = vm.guest_cmd("attack storm", timeout=120)
    find(r"^attack: 20000 self-IPIs in \d+ ms, still alive$", out, "attack storm")
    assert vm.guest_cmd("version").startswith("zvm-rtos ")
    vm.detach()
    after = zvm_info(vm, EVIL)[EVIL]
    sysregs = [int(re.search(r"\bsysreg (\d+)", "\n".join(r["detail"])).group(1))
               for r in (before, after)]
    assert sysregs[1] - sysregs[0] >= 20000, \
        "20000 ICC_SGI1R writes, %d trapped system register accesses" % (
            sysregs[1] - sysregs[0])
    host_fine(vm)
    bystander_goes_on(vm)
    delete_evil(vm)


# ---- attacks that kill the guest (not the host) ----

def test_attack_undef_kills_only_the_guest(vm):
    new_evil(vm)
    mark = attack(vm, "undef")
    report, reason = guest_fatal(vm, mark, "attack undef")
    assert reason == "unknown instruction", report[:300]
    esr = sysreg(report, "ESR")
    assert (esr >> 26) & 0x3f == 0, "ESR %x is not an unknown-instruction exception" % esr
    vm.detach()
    info = host_fine(vm)
    assert info[EVIL]["state"] == "running", info   # dead inside, not halted by zvm
    bystander_goes_on(vm)
    delete_evil(vm)


@pytest.mark.parametrize("what", ["unmapped", "outside"])
def test_attack_read_outside_gets_external_abort(vm, what):
    new_evil(vm)
    mark = attack(vm, what)
    vm.wait_for(r"attack: reading 0x([0-9a-f]+)$", "the address attack %s reads" % what,
                mark, strip=True)
    addr = int(find(r"attack: reading 0x([0-9a-f]+)$", vm.since(mark, strip=True),
                    "attack: reading").group(1), 16)
    assert not GUEST_RAM[0] <= addr < GUEST_RAM[0] + GUEST_RAM[1], hex(addr)
    report, reason = guest_fatal(vm, mark, "attack " + what)
    text = vm.since(mark, strip=True)
    vm.detach()
    # zvm saw the access and said so...
    find(HOST_ABORT_RE % (EVIL, addr), text, "zvm's log of the access outside the VM")
    # ... and the guest got what hardware gives: a synchronous external abort.
    assert reason == "data abort", report[:300]
    esr = sysreg(report, "ESR")
    assert (esr >> 26) & 0x3f == 0x25, "ESR %016x: not a data abort at EL1" % esr
    assert esr & 0x3f == 0x10, \
        "ESR %016x: fault status 0x%x, not a synchronous external abort (0x10)" % (
            esr, esr & 0x3f)
    assert sysreg(report, "FAR") == addr, report[:300]
    host_fine(vm)
    bystander_goes_on(vm)
    delete_evil(vm)


# ---- the guest turns itself off or resets ----

def test_guest_poweroff_halts_only_that_vm(vm):
    new_evil(vm)
    mark = vm.mark()
    vm.send("poweroff\n")
    vm.wait_for(r"VM %d halted: guest powered off \(PSCI SYSTEM_OFF\)$" % EVIL,
                "'VM %d halted: guest powered off'" % EVIL, mark, strip=True)
    vm.detach()
    assert vm.exit_status is None and vm.child.proc.poll() is None, "QEMU exited"
    info = host_fine(vm)
    assert info[EVIL]["state"] == "halted", info
    detail = zvm_info(vm, EVIL)[EVIL]["detail"]
    assert "halted: guest powered off (PSCI SYSTEM_OFF)" in detail, detail
    assert one(vm, "zvm run -n %d" % EVIL) == "error: VM %d is halted: use zvm reset" % EVIL
    assert one(vm, "zvm pause -n %d" % EVIL) == "error: VM %d is halted, not running" % EVIL
    t = zvm_info(vm)[EVIL]["uptime_s"]
    bystander_goes_on(vm)
    assert zvm_info(vm)[EVIL]["uptime_s"] == t, "a halted VM's clock moved"
    # `zvm reset` brings it back.
    mark = vm.mark()
    assert one(vm, "zvm reset -n %d" % EVIL) == "VM %d reset and running" % EVIL
    vm.wait_for(r"\[evil\] " + GUEST_BANNER + "$", "the guest banner after zvm reset", mark)
    assert zvm_info(vm)[EVIL]["state"] == "running"
    delete_evil(vm)


def test_guest_reboot_boots_it_again(vm):
    new_evil(vm)
    mark = vm.mark()
    vm.send("reboot\n")
    vm.wait_for(r"VM %d: guest asked for a reset$" % EVIL, "zvm's reset of the VM",
                mark, strip=True)
    # Still attached: the new boot comes through (raw, as while attached).
    vm.wait_for(GUEST_BANNER + "$", "the guest banner after reboot", mark)
    vm.expect(vm.tolerant(GUEST_PROMPT), "the guest prompt after reboot, still attached")
    up = float(find(r"^up (\d+\.\d{3}) s", vm.guest_cmd("uptime"), "guest uptime").group(1))
    assert up < 5, "guest uptime %.3f s just after its reboot" % up
    vm.detach()
    info = host_fine(vm)
    assert info[EVIL]["state"] == "running", info
    bystander_goes_on(vm)
    delete_evil(vm)


# ---- all along ----

def test_bystander_never_missed_a_beat(vm):
    bystander_goes_on(vm)
    turns = by_turns(vm)
    worst = check_sync_sequence(turns, SYNC_MAX_GAP_MS)
    print("bystander: %d lines, largest gap %d ms" % (len(turns), worst))
    assert zvm_info(vm)[BY]["state"] == "running"


def test_only_guests_died(vm):
    """Every FATAL report on the console was a guest's (the host's CPUs
    are all online, and there are as many reports as guests killed)."""
    host_fine(vm)
    # Without the other VMs' lines: one printed into the attached console
    # can cut a report's header in two ("*** FA[by] ...\nTAL: ...").
    n = vm.since(0, strip=True).count(FATAL)
    assert n == state["guest_fatals"], \
        "%d FATAL reports on the console, %d guest deaths provoked" % (n, state["guest_fatals"])


# ---- last: it may leave the shell stuck ----

def test_look_at_dead_guest_then_ctrl_x(vm):
    """A guest that no longer reads its UART must not keep Ctrl-X (and so
    the host shell) from the user: type more than its 32-byte FIFO holds."""
    new_evil(vm)
    mark = attack(vm, "undef")
    guest_fatal(vm, mark, "attack undef")
    vm.send("version version version version version version version\n")   # 56 bytes
    vm.detach()
    host_fine(vm)
    delete_evil(vm)
