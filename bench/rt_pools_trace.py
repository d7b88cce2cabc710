#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What CPU 1 itself executes for each timer interrupt of the RT guest, alone
and during the deployment (issue 12), counted instruction by instruction.

Usage: bench/rt_pools_trace.py          (prints the table)
       import rt_pools_trace; rt_pools_trace.trace()  (bench/rt_pools.py)

Why: under -icount QEMU runs its emulated CPUs one at a time in one thread,
so the guest-time latency on CPU 1 also holds the time other CPUs ran before
CPU 1's turn came (bench/rt_pools.py shows this bare, without zvm). What
zvm decides is what CPU 1 executes: if nothing from the other pools reaches
CPU 1, each timer interrupt costs CPU 1 the same instructions during the
deployment as alone, and no other instruction of zvm runs there.

How: zvm on QEMU (-icount shift=0,sleep=off, bench/configs/rt-pools.dts), an
RTOS VM on the static CPU 1 sampling its timer (`app=bench timer-rounds=N`);
once it samples, the monitor turns on `one-insn-per-tb` and `log exec,nochain`
(every instruction with its CPU, PC and exception level; -dfilter keeps the
log to zvm's and the RTOS's code) until SAMPLES handler entries are logged.
A sample's path is CPU 1's instructions from the guest's WFI (the vCPU
sleeps there: a static pool does not trap it) to the first instruction of
the guest's timer handler (timer_probe): zvm's EL2 share and the guest's EL1
share. Between two paths the guest works on its own; any EL2 instruction
there is counted too. The same with the Linux VM and its two `yes` on
CPUs 2-3 beside it, and with a Linux VM running `yes` on CPU 0 (the host's).
No code of zvm changes for this.
"""
import collections
import os
import re
import sys
import time

import benchlib
import pools_session
import qemu_trace

MONITOR = "build/bench-rt-pools.monitor"
EXEC_LOG = "build/bench-rt-pools-%s.log"  # one per phase
# -dfilter: only zvm's and the RTOS's code (both linked at 0x40200000) is logged.
ZVM = ("ZVM_VMS=" + pools_session.CONFIG + " scripts/qemu.sh " + pools_session.ICOUNT +
       " -display none -monitor unix:" + MONITOR + ",server=on,wait=off -serial stdio"
       " -D /dev/null -dfilter 0x40000000+0x10000000")
SAMPLES = 40  # handler entries logged per phase
ROUNDS = 20000  # the VM samples until it is deleted
GUEST = "build/rtos.elf"
HANDLER = "timer_probe"


def probe_address():
    addrs, names = qemu_trace.elf_symbols(GUEST)
    return addrs[names.index(HANDLER)]


def wait_handler_entries(path, n, timeout=600):
    """Wait until the log at path holds n handler entries of CPU 1."""
    needle = re.compile(r"^Trace 1: \S+ \[[0-9a-f]+/0*%x/" % probe_address(), re.M)
    seen, pos, rest = 0, 0, ""
    deadline = time.monotonic() + timeout
    while seen < n:
        if time.monotonic() > deadline:
            raise TimeoutError("%d of %d handler entries logged in %d s" % (seen, n, timeout))
        with open(path) as f:
            f.seek(pos)
            chunk = f.read()
            pos = f.tell()
        text = rest + chunk
        cut = text.rfind("\n") + 1
        seen += len(needle.findall(text, 0, cut))
        rest = text[cut:]
        if seen < n:
            time.sleep(0.05)


def record(c, mon, phase):
    """CPU 1's instructions while an RTOS VM samples its timer: (el, pc, sym) list.
    Each phase logs to a file of its own (the monitor's `logfile`), closed (so
    complete) before it is read."""
    path = EXEC_LOG % phase.replace(" ", "-")
    vid = pools_session.new_vm(c, '-t rtos --args "app=bench timer-rounds=%d"' % ROUNDS)
    mark = len(c.text)
    c.cmd("zvm run -n " + vid, "running")
    c.wait(r"\[rtos\] bench: timer irq latency: %d samples" % ROUNDS, mark)
    mon.cmd("logfile " + path)
    mon.trace(True)
    wait_handler_entries(path, SAMPLES + 1)
    mon.trace(False)
    mon.cmd("logfile /dev/null")
    c.cmd("zvm delete -n " + vid, "deleted")
    lines = qemu_trace.exec_lines(path, pools_session.RT_CPU)
    os.remove(path)
    return lines


def paths(lines):
    """Per complete sample: (EL2, EL1) instructions from the WFI to the handler;
    and the EL2 instructions between samples (from a handler entry to the
    next WFI), and the samples whose wake-up was not at a WFI."""
    handler, wfis = probe_address(), qemu_trace.wfi_addresses(GUEST)
    hits = [i for i, (el, pc, _) in enumerate(lines) if el == 1 and pc == handler]
    samples, between, no_wfi = [], 0, 0
    for prev, hit in zip(hits, hits[1:]):
        wfi = next((i for i in range(hit - 1, prev, -1)
                    if lines[i][0] == 1 and lines[i][1] in wfis), None)
        if wfi is None:
            no_wfi += 1
            between += sum(1 for el, _, _ in lines[prev:hit] if el == 2)
            continue
        path = collections.Counter(el for el, _, _ in lines[wfi + 1:hit])
        samples.append((path[2], path[1]))
        between += sum(1 for el, _, _ in lines[prev:wfi] if el == 2)
    return samples, between, no_wfi


def summary(lines):
    samples, between, no_wfi = paths(lines)
    if not samples:
        sys.exit("rt_pools_trace: no complete sample in %d instructions of CPU 1" % len(lines))
    el2 = collections.Counter(s[0] for s in samples)
    el1 = collections.Counter(s[1] for s in samples)
    return {"samples": len(samples), "el2": el2, "el1": el1, "between_el2": between,
            "no_wfi": no_wfi}


def trace():
    """{phase: summary} for "alone", "deployment" and "cpu0 load" (as in
    bench/rt_pools.py) in one QEMU."""
    c = pools_session.Console(ZVM)
    c.wait(re.escape(pools_session.HOST), 0)
    mon = qemu_trace.Monitor(MONITOR)
    progress = benchlib.progress
    progress("rt pools trace: alone")
    result = {"alone": summary(record(c, mon, "alone"))}
    progress("rt pools trace: booting Linux, its hogs")
    linux = pools_session.start_linux_hogs(c)
    progress("rt pools trace: deployment")
    result["deployment"] = summary(record(c, mon, "deployment"))
    c.cmd("zvm delete -n " + linux, "deleted")
    progress("rt pools trace: booting Linux on CPU 0, its hog")
    linux = pools_session.start_linux_hogs(c, "--vcpus 1 --cpus 0 --prio 20", 1)
    progress("rt pools trace: load on CPU 0")
    result["cpu0 load"] = summary(record(c, mon, "cpu0 load"))
    c.cmd("zvm delete -n " + linux, "deleted")
    c.q.terminate(force=True)
    return result


def counts(counter):
    """'N' when every sample had N, else 'N x k, M x j'."""
    return ", ".join("%d x %d" % kv if len(counter) > 1 else "%d" % kv[0]
                     for kv in sorted(counter.items()))


def differ(result):
    """The phases whose samples are not alone's, or where zvm ran between them:
    CPU 1's instructions from the WFI to the handler the same in every sample
    (zvm's and the guest's), every wake-up at a WFI, no zvm instruction
    between samples (on an isolated CPU zvm runs only for the guest's exits)."""
    a = result["alone"]
    return [p for p, r in result.items()
            if set(r["el2"]) != set(a["el2"]) or set(r["el1"]) != set(a["el1"])
            or r["between_el2"] or r["no_wfi"] > a["no_wfi"]]


def table(result):
    lines = [
        "| phase | samples | EL2 (zvm) per sample | EL1 (guest) per sample | "
        "EL2 between samples | wake-ups not at a WFI |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for phase, r in result.items():
        lines.append("| %s | %d | %s | %s | %d | %d |" % (
            phase, r["samples"], counts(r["el2"]), counts(r["el1"]), r["between_el2"],
            r["no_wfi"]))
    return lines


def own_path(result):
    """Alone's path in words: 'N instructions (zvm M, the guest's K)'."""
    a = result["alone"]
    el2, el1 = sorted(a["el2"]), sorted(a["el1"])
    if len(el2) == 1 and len(el1) == 1:
        return "%d instructions from the WFI to the handler (zvm's %d, the guest's %d)" % (
            el2[0] + el1[0], el2[0], el1[0])
    return "zvm's %s and the guest's %s instructions from the WFI to the handler" % (
        counts(a["el2"]), counts(a["el1"]))


def verdict(result):
    """The benchmark's line: PASS when every phase's samples are alone's."""
    bad = differ(result)
    return ("- %s CPU 1's own work per timer interrupt during each load equal to alone "
            "(instruction trace: in every sample %s; no zvm instruction between samples)%s"
            % ("**MISS**" if bad else "**PASS**", own_path(result),
               ": differ " + ", ".join(bad) if bad else ""))


if __name__ == "__main__":
    r = trace()
    print("\n".join(table(r)))
    print(verdict(r))
