# SPDX-License-Identifier: MIT
"""Scenario probe: the hostile-guest probe (guests/probe/) beside a bystander.

The probe guest asks the CPU what a hostile guest would ask and prints one
line per answer: every register class fresh (what a new CPU shows) and after
it wrote a mark, a sweep of every op0=2/3 system register encoding (which
fault, and how), exceptions from EL1h, EL1t, EL0 AArch64 and EL0 AArch32,
loads and stores to an emulated device with and without an instruction
syndrome (ISV = 0: pairs, writeback, SIMD&FP registers), interrupts (both timers, the three SGI registers), PSCI and SMCCC, and a
3-second loop of aborts. One QEMU boot for the file; the same image also
runs bare (scripts/qemu-system.sh, `-cpu max` without SVE and SME, which
zvm hides), and every line must agree, except the documented
differences of EXPECTED (docs/design.md, "Isolation").
The bystander VM `by` (app=sync) shares host CPU 1 with the probe VMs and
keeps its 500 ms pace; a first probe VM writes its marks and powers off,
is deleted (memory back to what it was), and a second one on the same
CPU must find nothing of the first: its answers are the bare ones.
"""
import os
import re
import statistics
import subprocess
import time

import pytest

from zvm import SCALE, TOP, check_sync_sequence, mem_stats, sync_turns, zvm_info

BY = 0
PROBE_ELF = os.path.join(TOP, "build", "probe.elf")
QEMU = os.path.join(TOP, "scripts", "qemu-system.sh")
BARE_ARGS = ["-M", "virt,gic-version=3", "-cpu", "max,pauth-impdef=on,sve=off,sme=off",
             "-smp", "1", "-m", "64M", "-nographic", "-net", "none", "-kernel", PROBE_ELF]
ANSWER_RE = r"^(?:c1|probe|irq|sgi|reg|set|sweep|exc|t32-store|mmio|psci|fault-loop)\b.*$"
ABORT_LOG_LINES = 5
# The host shell during the fault loop (issue 10: "answering within 100 ms"):
# round trips of `uptime`, each the wall time from sending the line to the
# shell's prompt after its answer (pexpect on the serial console: QEMU's
# emulation and the PC's scheduler included). 9 in 10 answers (the 90th
# percentile) must come within UPTIME_MS. On a loaded 2-core PC a single
# answer can wait for the QEMU thread a few scheduler slices (the idle
# baseline taken before the loop shows the same: up to ~50 ms at load 9,
# and 230-280 ms once in ~150 answers during the loop), so the slowest one
# gets UPTIME_MAX_MS. Before issue 10 every answer took 0.5-3.3 s: both
# bounds catch that.
# The samples span at least UPTIME_WINDOW_S of the loop's 3 s, in which zvm
# must count at least LOOP_MIN_ABORTS aborts: the loop really ran meanwhile
# (idle ~18000/s; on a loaded PC the emulated CPU can fall to ~200/s).
UPTIME_MS = 100
UPTIME_MAX_MS = 1000
UPTIME_SAMPLES = 20
UPTIME_WINDOW_S = 1.0
LOOP_MIN_ABORTS = 50

# Where zvm's answer is not bare QEMU's, on purpose: {line prefix: zvm's answer}.
PMU_UNDEF = "undef ec 0x0"
ISV0 = "ec 0x25 dfsc 0x10 far 0x9000%03x, x2 %s, base +0"
ISV0_LOAD = ISV0.replace("%s", "0xdead x3 0xdead")
EXPECTED = {
    # The PMU is refused (MDCR_EL2.TPM): ID_AA64DFR0_EL1.PMUVer says none.
    "reg pmu.pmcr": PMU_UNDEF, "reg pmu.pmccfiltr": PMU_UNDEF, "reg pmu.pmccntr": PMU_UNDEF,
    "reg pmu.pmevtyper0": PMU_UNDEF, "reg pmu.pmuserenr": PMU_UNDEF, "reg pmu.pmselr": PMU_UNDEF,
    "set pmu.pmcr": PMU_UNDEF, "set pmu.pmccfiltr": PMU_UNDEF, "set pmu.pmccntr": PMU_UNDEF,
    "set pmu.pmevtyper0": PMU_UNDEF, "set pmu.pmuserenr": PMU_UNDEF, "set pmu.pmselr": PMU_UNDEF,
    "sweep 3 0 9": "ffffffffffffffffffffffffffffffff",      # PMINTEN*, PMMIR
    "sweep 3 3 9": "ffffffffffffffffffffffffffffffff",      # PMCR ... PMOVSSET
    "sweep 3 3 14": "fffffffffffffffffffffffff8f8ff98",     # PMEVCNTR/TYPER, PMCCFILTR
    # IMPLEMENTATION DEFINED registers refused (HCR_EL2.TIDCP): QEMU's CPU has L2CTLR etc.
    "sweep 3 1 11": "ffffffffffffffffffffffffffffffff",
    "sweep 3 1 15": "ffffffffffffffffffffffffffffffff",
    # A CPU with EL2 has no RVBAR_EL1/RMR_EL1 (bare QEMU here has no EL2).
    "sweep 3 0 12": "ffffff02f7ffdee2fffffffffffffcfe",
    # QEMU reports WnR = 1 for this 16-bit T32 load; zvm injects a read's syndrome.
    "exc a32-abort": "vector 0x600 ec 0x24 il 1 iss 0x10 far 0xc000000",
    # An access to an emulated device with no instruction syndrome (ESR.ISV = 0:
    # a pair, a writeback, a SIMD&FP register) is refused with a synchronous
    # external abort, as KVM with QEMU does: no writeback, the device unchanged.
    # The single-register forms (ldr, ldar, str) are emulated and agree.
    "mmio ldp": ISV0_LOAD % 0xfe0, "mmio ldr-post": ISV0_LOAD % 0xfe0,
    "mmio ldr-pre": ISV0_LOAD % 0xfe0, "mmio ldr-simd": ISV0_LOAD % 0xfe0,
    "mmio stp": ISV0 % (0x24, "0x27 x3 0x4"), "mmio stp then": "ibrd 0x0 fbrd 0x0",
    "mmio str-post": ISV0 % (0x24, "0x13 x3 0x0"), "mmio str-post then": "ibrd 0x0",
    # FEAT_WFxT hidden (ID_AA64ISAR2_EL1.WFxT = 0): zvm's WFI trap has no timeout.
    "reg id.wfxt": "0x0",
    # zvm implements SMCCC 1.1 discovery; QEMU's built-in PSCI does not.
    "psci features 0x80000000": "0", "psci smccc-version": "65537",
    "psci arch-features version": "0",
    # SMC32: zvm ignores the upper halves (target = vCPU 0: ALREADY_ON); QEMU does not.
    "psci cpu-on32 self high bits": "-4",
}
C1_BARE = "c1: \xc2\x9b[31mred\xc2\x85|\xc2\xa9|\xc3\xa9"   # console bytes as latin-1
C1_ZVM = "c1: [31mred|\xc2\xa9|\xc3\xa9"     # C2 9B and C2 85 dropped, (c) and e-acute kept
IGNORED = ("probe: start",   # may share a console line with `VM n running`
           "c1",             # test_guest_c1_controls_are_filtered
           "reg ptimer.cval")


def answers(text, prefix=""):
    """The probe's answer lines in text (under zvm: the `[probe] ` ones)."""
    out = []
    for line in text.replace("\r", "").split("\n"):
        if prefix:
            # the host's prompt may have been printed just before the line began
            line = line.removeprefix("zvm_host:~# ")
            if not line.startswith(prefix):
                continue
            line = line[len(prefix):]
        if re.match(ANSWER_RE, line):
            out.append(line.strip())
    return out


def key(line):
    """What a line answers: the text before its first colon (the whole line
    for the probe's progress lines, which say the same every time)."""
    k = line.split(":")[0]
    return line if k in ("probe", "fault-loop") else k


@pytest.fixture(scope="module")
def bare():
    """The probe on bare QEMU: its answers."""
    out = subprocess.run([QEMU] + BARE_ARGS, capture_output=True,
                         timeout=120 * SCALE, stdin=subprocess.DEVNULL)
    text = out.stdout.decode("latin-1")     # as the zvm console is read (zvm.py)
    lines = answers(text)
    assert lines and lines[-1] == "probe: done", text[-2000:] + out.stderr.decode("latin-1")
    return lines


state = {}


def compare(zvm_lines, bare_lines):
    """Every answer as bare QEMU gives it, except EXPECTED; the differences."""
    bad = []
    zmap = {key(l): l for l in zvm_lines}
    for b in bare_lines:
        k = key(b)
        z = zmap.get(k)
        want = "%s: %s" % (k, EXPECTED[k]) if k in EXPECTED else b
        if EXPECTED.get(k, "") is None:
            want = None
        if z != want and not k.startswith(IGNORED):
            bad.append("%s\n    bare: %s\n    zvm:  %s" % (k, b, z))
    extra = [l for l in zvm_lines if key(l) not in {key(b) for b in bare_lines}
             and "%s: %s" % (key(l), EXPECTED.get(key(l))) != l]
    return bad + ["only under zvm: %s" % l for l in extra]


def uptime_ms(vm, n, window_s=0):
    """Round trips of `uptime` at the host shell, in ms of wall time: n of
    them, and more until window_s seconds have passed."""
    out = []
    start = time.monotonic()
    while len(out) < n or time.monotonic() - start < window_s:
        t0 = time.monotonic()
        answer = vm.lines("uptime")
        out.append((time.monotonic() - t0) * 1000)
        assert answer and answer[0].startswith("up "), answer
    return out


def aborts(vm, vm_id):
    """The guest aborts zvm counted for the VM (`zvm info -n ID`)."""
    detail = " ".join(zvm_info(vm, vm_id)[1]["detail"])
    return int(re.search(r"\babort (\d+)", detail).group(1))


def time_fault_loop(vm, vm_id, mark):
    """The shell's answers while the probe loops on faults: the loop must run
    (its abort count grows) and not be over before the last answer."""
    vm.wait_for(r"\[probe\] fault-loop: start", "the fault loop", mark, timeout=120)
    before = aborts(vm, vm_id)
    state["uptime_ms"] = uptime_ms(vm, UPTIME_SAMPLES, UPTIME_WINDOW_S)
    state["aborts_while_timed"] = aborts(vm, vm_id) - before
    state["loop_over_while_timed"] = "[probe] fault-loop: done" in vm.since(mark)


def run_probe(vm, vm_id, time_uptime=False):
    created = vm.lines("zvm new -t probe")
    assert created and created[0].startswith("VM %d created: probe" % vm_id), created
    vm.guests.add("probe")
    mark = vm.mark()
    assert vm.lines("zvm run -n %d" % vm_id) == ["VM %d running" % vm_id]
    if time_uptime:
        time_fault_loop(vm, vm_id, mark)
    vm.wait_for(r"VM %d halted: guest powered off" % vm_id, "the probe's power-off", mark,
                timeout=300)
    vm.sync()   # the halt line is the host's: read past it before the next command
    return vm.since(mark)


def test_bystander_and_first_probe(vm, bare):
    assert vm.lines('zvm new -t rtos -n by --args "app=sync"')[0].startswith("VM 0 created")
    vm.guests.add("by")
    assert vm.lines("zvm run -n 0") == ["VM 0 running"]
    vm.wait_for(r"\[by\] thread_b: turn 1 ", "the bystander's turns", 0, timeout=30)
    state["mem"] = mem_stats(vm)
    state["uptime_idle_ms"] = uptime_ms(vm, UPTIME_SAMPLES)
    text = run_probe(vm, 1, time_uptime=True)
    state["first"] = answers(text, "[probe] ")
    diff = compare(state["first"], bare)
    assert not diff, "the probe's answers under zvm differ from bare QEMU:\n" + "\n".join(diff)


def test_guest_c1_controls_are_filtered(bare):
    """The probe's C1 line reaches the host console without its C1 controls."""
    assert C1_BARE in bare, "bare QEMU passes the bytes through: %r" % [
        l for l in bare if l.startswith("c1")]
    assert C1_ZVM in state["first"], [l for l in state["first"] if l.startswith("c1")]


def test_fault_loop_is_rate_limited(vm):
    text = vm.since(0)
    logged = re.findall(r"VM 1 vCPU 0: read at IPA 0xc000000 ", text)
    assert 1 <= len(logged) <= ABORT_LOG_LINES, "abort lines logged: %d" % len(logged)
    assert len(re.findall(r"VM 1: further guest aborts are counted, not logged", text)) == 1
    assert aborts(vm, 1) > 100


def test_shell_answers_beside_the_fault_loop():
    """See UPTIME_MS: the host shell's answers while the probe loops on faults."""
    during, idle = state["uptime_ms"], state["uptime_idle_ms"]
    text = " ".join("%.1f" % t for t in during)
    with open(os.path.join(TOP, "build", "test-logs", "probe-uptime.txt"), "w") as f:
        f.write("uptime answered before the fault loop in (ms): %s\n"
                % " ".join("%.1f" % t for t in idle))
        f.write("uptime answered during the fault loop in (ms): %s (%d aborts meanwhile; "
                "median %.1f, 90%% %.1f, max %.1f)\n"
                % (text, state["aborts_while_timed"], statistics.median(during),
                   sorted(during)[int(len(during) * 0.9)], max(during)))
    assert state["aborts_while_timed"] >= LOOP_MIN_ABORTS and \
        not state["loop_over_while_timed"], \
        "the fault loop was not running while the shell was timed (%d aborts)" % \
        state["aborts_while_timed"]
    p90 = sorted(during)[int(len(during) * 0.9)]
    assert p90 < UPTIME_MS and max(during) < UPTIME_MAX_MS, \
        "the host shell answered `uptime` in %s ms during the fault loop (90%%: %.1f)" % (
            text, p90)


def test_second_probe_sees_nothing_of_the_first(vm, bare):
    assert vm.lines("zvm delete -n 1") == ["VM 1 deleted"]
    assert mem_stats(vm) == state["mem"], "host memory after the delete"
    text = run_probe(vm, 1)
    second = answers(text, "[probe] ")
    diff = compare(second, bare)
    assert not diff, "a second probe on the same CPU:\n" + "\n".join(diff)
    assert vm.lines("zvm delete -n 1") == ["VM 1 deleted"]
    # Its CPU is shared with a guest that loops on faults: a turn may wait a
    # few time slices, and the emulated CPU itself waits under host load.
    check_sync_sequence(sync_turns(vm.since(0), "by"), int(500 + 250 * SCALE))
