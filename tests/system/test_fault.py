"""Scenario fault: a data abort on one CPU stops that CPU only.

Contract: `fault N` makes a thread pinned to CPU N take a data abort; the
console shows a block from `*** FATAL: unexpected sync exception on CPU N`
(with ESR, FAR, ELR, the registers and a backtrace) to
`*** CPU N stopped; the other CPUs continue`; then `cpus` shows CPU N not
online and the shell still answers on the other CPUs.
`fault N assert` makes that thread fail a K_ASSERT (include/zvm/assert.h):
first `*** ASSERT failed at shell/cmd_fault.c:LINE: fault_addr == 0`, then
the same FATAL block for a BRK, and CPU N stops the same way.
"""
import re
import time

from zvm import clean

ALLOW_FATAL = True
NCPUS = 4
FAULT_TIMEOUT = 30


def cpu_states(vm):
    rows = vm.lines("cpus")[1:]
    assert len(rows) == NCPUS, rows
    return {int(r.split()[0]): r.split()[1] for r in rows}


def uptime(vm):
    m = re.match(r"up (\d+\.\d{3}) s", vm.lines("uptime")[0])
    assert m, "bad uptime output"
    return float(m.group(1))


def fault(vm, cpu):
    """Run `fault cpu`; returns the fatal block (header to footer)."""
    vm.send("fault %d\n" % cpu)
    head = r"\*\*\* FATAL: unexpected sync exception on CPU (\d+)"
    i = vm.expect([head, r"error: unknown command 'fault'", r"error: [^\n]*"],
                  "the FATAL report of `fault %d`" % cpu, timeout=FAULT_TIMEOUT)
    if i == 1:
        vm.fail("the shell has no `fault` command (yet)")
    if i == 2:
        vm.fail("`fault %d` was refused: %s" % (cpu, vm.child.match.group(0).strip()))
    assert int(vm.child.match.group(1)) == cpu, vm.child.match.group(0)
    start = vm.child.match.group(0)
    foot = "*** CPU %d stopped; the other CPUs continue" % cpu
    vm.expect(foot, "the end of the FATAL report (%r)" % foot,
              timeout=FAULT_TIMEOUT, exact=True)
    block = clean(start + vm.child.before + foot)
    # The shell may print its prompt before or after the report: drain.
    vm.sync()
    return block


def check_block(block, cpu):
    assert re.search(r"^\*\*\* FATAL: unexpected sync exception on CPU %d\b" % cpu,
                     block, re.M), block
    assert "data abort" in block.split("\n")[0], \
        "the header does not name a data abort: " + block.split("\n")[0]
    for reg in ("ESR", "FAR", "ELR"):
        assert re.search(r"\b%s\s+[0-9a-f]{16}\b" % reg, block), (reg, block)
    for i in range(31):
        assert re.search(r"\bx%d\s+[0-9a-f]{16}\b" % i, block), ("x%d" % i, block)
    assert re.search(r"\bsp\s+[0-9a-f]{16}\b", block), block
    bt = block.split("backtrace:", 1)
    assert len(bt) == 2, "no backtrace: " + block
    assert re.search(r"#0 pc [0-9a-f]{16}", bt[1]), bt[1]
    assert block.rstrip().endswith("*** CPU %d stopped; the other CPUs continue" % cpu)
    # The ESR's exception class is a data abort taken at EL2 (0x25).
    esr = int(re.search(r"\bESR\s+([0-9a-f]{16})", block).group(1), 16)
    assert (esr >> 26) & 0x3f == 0x25, "ESR %x is not a data abort from EL2" % esr


def test_fault_stops_one_cpu(vm):
    assert all(s == "online" for s in cpu_states(vm).values())
    block = fault(vm, 3)
    check_block(block, 3)
    states = cpu_states(vm)
    assert states[3] != "online", "CPU 3 still online after its fault: %r" % states
    assert all(states[c] == "online" for c in (0, 1, 2)), states
    # The shell still answers, several times, with the others.
    for _ in range(3):
        assert vm.lines("version")[0].startswith("zvm ")
    assert "shell" in vm.cmd("threads")


def test_second_fault(vm):
    block = fault(vm, 1)
    check_block(block, 1)
    states = cpu_states(vm)
    assert states[1] != "online" and states[3] != "online", states
    assert states[0] == "online" and states[2] == "online", states
    # Time and scheduling still work on the CPUs left.
    up1 = uptime(vm)
    time.sleep(0.1)      # let time pass; there is no line to wait for
    up2 = uptime(vm)
    assert up2 > up1, "uptime did not increase: %.3f then %.3f" % (up1, up2)
    assert vm.lines("log")[0].startswith("log level: ")


def test_failed_assert_stops_one_cpu(vm):
    mark = vm.mark()
    vm.send("fault 2 assert\n")
    m = vm.wait_for(r"^\*\*\* ASSERT failed at ([\w/.]+):(\d+): (.+)$",
                    "the failed assertion's report", mark, timeout=FAULT_TIMEOUT)
    assert (m.group(1), m.group(3)) == ("shell/cmd_fault.c", "fault_addr == 0"), m.group(0)
    foot = "*** CPU 2 stopped; the other CPUs continue"
    vm.wait_for(re.escape(foot), "the end of the FATAL report", mark, timeout=FAULT_TIMEOUT)
    vm.sync()
    text = vm.since(mark)
    block = text[text.index("*** FATAL"):text.index(foot) + len(foot)]
    header = block.split("\n")[0]
    assert re.match(r"\*\*\* FATAL: unexpected sync exception on CPU 2 in thread 'fault': BRK$",
                    header), header
    assert re.search(r"#0 pc [0-9a-f]{16}", block), block
    assert "CPU 2 stopped by the failed assertion; 1 CPUs remain online" in text, text
    states = cpu_states(vm)
    assert states[2] != "online" and states[0] == "online", states
    assert vm.lines("version")[0].startswith("zvm ")


def test_fault_bad_cpu(vm):
    out = vm.lines("fault 99")
    assert out[0].startswith("error: ") and out[-1].startswith("usage: fault"), out
    out = vm.lines("fault")
    assert out[0].startswith("error: ") and out[-1].startswith("usage: fault"), out
    assert vm.lines("version")[0].startswith("zvm ")
