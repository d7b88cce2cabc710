#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Where a passed-through interrupt's time goes under zvm: the instructions
between the RTOS guest's write that raises the PL061's interrupt and the
first instruction of its handler, each one named, counted by section.

Usage: bench/passthrough_trace.py          (prints the table)
       import passthrough_trace; passthrough_trace.trace()  (bench/passthrough.py)

How: zvm on QEMU under -icount shift=0,sleep=off with the RTOS VM `rtos-io`
alone on a static CPU 1, as in bench/passthrough.py; after a warm-up
`gpio latency 20`, QEMU's monitor turns on `one-insn-per-tb` and
`log exec,nochain` (every executed instruction logged with its PC, its
translation flags and zvm's symbol), the guest runs `gpio latency 3`, the log
is turned off. CPU 1's instructions are split by exception level (the MMU
index in the flags: 6 = EL2, 2 = EL1) and named from build/zvm.elf (QEMU's
symbol) or build/rtos.elf (EL1: both images are linked at 0x40200000, so the
level decides). The last sample is the steady state (the first finds no LR
of a previous one to take back). No code of zvm changes for this.
"""
import collections
import os
import sys

import benchlib
import qemu_trace

CONFIG = "tests/system/configs/passthrough.dts"
MONITOR = "build/bench-passthrough.monitor"
EXEC_LOG = "build/bench-passthrough-exec.log"
ZVM = ("ZVM_VMS=" + CONFIG + " ZVM_MGMT=none scripts/qemu.sh -icount shift=0,sleep=off "
       "-display none -monitor unix:" + MONITOR + ",server=on,wait=off -serial stdio -D " +
       EXEC_LOG)
# Section of the EL2 path: a function that starts it (as QEMU names it), in path order.
SECTIONS = {
    "guest_irq_fast": "exit fast path (guest.S: ICC_HPPIR1_EL1, the SPI's slot, its "
                      "GICD_ISACTIVER/ICPENDR, the LR, eret)",
    "vgic_sync": "vgic_sync (LRs read back, the last sample's LR pruned)",
    "vcpu_exit_fast": "dispatch + inject (exit kind, host IRQ handler, pt_irq, "
                      "vgic_inject_hw, EOI, scheduler check)",
    "vgic_flush": "vgic_flush (the ap_list into the LRs)",
    "vgic_fast_arm": "vgic_fast_arm (the vector fast path's PPI and 16 SGI slots)",
}
LOOP = "world switch and vCPU loop (vectors, register save/restore, FP, WFI trap choice)"
LOOP_FUNCS = ("vcpu_thread", "")


def record():
    """Run the traced samples; the exec log's lines of CPU 1 as (el, pc, zvm symbol)."""
    for f in (MONITOR, EXEC_LOG):
        if os.path.exists(f):
            os.remove(f)
    q = benchlib.spawn(ZVM, timeout=600)
    benchlib.isolate_cpu(q, 1)
    vm = benchlib.start_vm(q, "-t rtos-io")
    benchlib.look(q, vm, "rtos:~$ ")
    q.sendline("gpio latency 20")
    q.expect(r"gpio: irq latency line 0: 20 samples")
    q.expect_exact("rtos:~$ ")
    mon = qemu_trace.Monitor(MONITOR)
    mon.trace(True)
    q.sendline("gpio latency 3")
    q.expect(r"gpio: irq latency line 0: 3 samples.*?interrupts\)")
    traced = q.match.group(0)
    q.expect_exact("rtos:~$ ")
    mon.trace(False)
    q.terminate(force=True)
    lines = qemu_trace.exec_lines(EXEC_LOG, 1)
    os.remove(EXEC_LOG)
    return lines, traced


def split(lines, start, end, gname):
    """Instructions after `start` up to `end` (the handler's first): {section: count}."""
    counts = collections.Counter()
    section = LOOP
    for el, pc, sym in lines[start + 1:end]:
        if el == 1:
            counts["guest: its vector to the handler (as bare)"] += 1
            continue
        if sym in SECTIONS:
            section = SECTIONS[sym]
        elif sym in LOOP_FUNCS:
            section = LOOP
        counts[section] += 1
    return counts


def trace():
    """(traced line, total, [(section, instructions)], {function: instructions}) of the
    last traced sample."""
    lines, traced = record()
    addrs, names = qemu_trace.elf_symbols("build/rtos.elf")
    gname = qemu_trace.namer("build/rtos.elf")
    handler = addrs[names.index("gpio_irq")]
    hits = [i for i, (el, pc, _) in enumerate(lines) if el == 1 and pc == handler]
    if len(hits) != 3:
        sys.exit("passthrough_trace: %d handler entries traced, not 3" % len(hits))
    end = hits[-1]
    start = end - 1
    while not (lines[start][0] == 1 and gname(lines[start][1]) == "cmd_gpio"):
        start -= 1  # the guest's write that raised the line (gpio_latency is inlined there)
    counts = split(lines, start, end, gname)
    funcs = collections.Counter(s or "(vectors, guest.S)" for el, _, s in lines[start + 1:end]
                                if el == 2)
    order = [LOOP] + list(SECTIONS.values()) + ["guest: its vector to the handler (as bare)"]
    return traced, end - start, [(s, counts[s]) for s in order if counts[s]], funcs


def table(result):
    traced, total, sections, funcs = result
    el2 = sum(n for s, n in sections if not s.startswith("guest"))
    lines = [
        "| section (in path order, from the exit) | instructions |",
        "|---|---:|",
    ]
    lines += ["| %s | %d |" % s for s in sections]
    lines += [
        "| **EL2 in all** | **%d** |" % el2,
        "| **write to handler entry** | **%d** |" % total,
        "",
        "Traced: `%s` (the last sample counted). By function (EL2):" % traced.strip(),
        "",
        ", ".join("%s %d" % kv for kv in funcs.most_common()),
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(table(trace())))
