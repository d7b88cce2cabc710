#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The RT guest's timer latency in its static pool, alone and while the other
pools work (issue 12), with a bare-QEMU control.

Usage: bench/rt_pools.py OUTPUT.md
One QEMU under -icount shift=0,sleep=off (guest time counts instructions)
boots zvm with bench/configs/rt-pools.dts: CPU 1 is the static pool `rt`,
the RTOS VM runs there alone, Linux's template is on CPUs 2-3 of the dynamic
host pool. In each phase an RTOS VM measures its timer interrupt latency
(`app=bench timer-rounds=N`: handler entry minus the programmed deadline),
and zvm's counters of CPU 1 (`zvm pool list`) are read when the measurement
has started and when it has ended:
  alone       nothing else runs
  deployment  the Linux VM (2 vCPUs, CPUs 2-3) runs two `yes >/dev/null`
  churn       the same, and meanwhile, in cycles until the measurement ends,
              a VM is made, run, moved into a new static pool on CPU 3,
              re-pinned, moved back, deleted, and Linux is re-pinned
  skew tick   the deployment again, Linux booted with `skew_tick=1` (its
              CPUs' ticks no longer at the same instants): nothing changes
              for CPU 1, only when the other emulated CPUs have timer events
  cpu0 load   Linux deleted; a Linux VM of 1 vCPU on CPU 0 (the host's CPU,
              priority 20: less urgent than the host shell) running `yes`
The control: the same RTOS image bare on QEMU (-smp 4, same icount), the
same measurement on CPU 1, with CPU hogs (`hog-cpus=`) on other CPUs.
"""
import re
import sys
import textwrap

import pexpect

import benchlib
import rt_pools_trace
from pools_session import (CONFIG, HOST, ICOUNT, LINUX, RT_CPU, Console, new_vm,
                           start_linux_hogs)

ZVM = ("ZVM_VMS=" + CONFIG + " scripts/qemu.sh " + ICOUNT +
       " -display none -monitor none -serial stdio")
BARE = (benchlib.QEMU + " -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp 4 -m 64M "
        "-nic none -display none -monitor none -serial stdio " + ICOUNT +
        " -kernel build/rtos.elf -append '%s'")
SAMPLES = 3000  # 200 us apart: 0.6 s of guest time alone
# Bare RTOS runs: (label, bootargs beside app=bench, samples). A hog with a
# 4 ms tick is the shape of a Linux `yes` (HZ=250); one without a timer lets
# QEMU run its CPU for tens of ms: fewer samples, so the run stays short.
TICK = " hog-tick-us=4000"
BARE_RUNS = [("alone", "", SAMPLES),
             ("hog on CPU 3, 4 ms tick", "hog-cpus=3" + TICK, SAMPLES),
             ("hogs on CPUs 2, 3, 4 ms tick", "hog-cpus=2,3" + TICK, SAMPLES),
             ("hog on CPU 0, 4 ms tick", "hog-cpus=0" + TICK, SAMPLES),
             ("hogs on CPUs 2, 3, no timer", "hog-cpus=2,3", 200)]
# Each zvm phase beside the bare run of the same load.
SAME_LOAD = [("deployment", "hogs on CPUs 2, 3, 4 ms tick"),
             ("churn", "hogs on CPUs 2, 3, 4 ms tick"),
             ("skew tick", "hogs on CPUs 2, 3, 4 ms tick"),
             ("cpu0 load", "hog on CPU 0, 4 ms tick")]
# The same bare, with the Debian kernel: cyclictest (rt-tests, in the initrd)
# on CPU 1, the same period and count, beside `yes` pinned with taskset.
BARE_LINUX = (benchlib.QEMU + " -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp 4 "
              "-m 512M -nic none -display none -monitor none -serial stdio " + ICOUNT +
              " -kernel build/linux/Image -initrd build/linux/initrd.cpio.gz"
              " -append 'console=ttyAMA0 earlycon rdinit=/init'")
CYCLICTEST = "cyclictest -m -p99 -i200 -l %d -q -a 1" % SAMPLES
CYCLICTEST_LINE = r"T: 0 .*Min:\s+(\d+) Act:\s+\d+ Avg:\s+(\d+) Max:\s+(\d+)"
YES = "taskset -c %d yes >/dev/null &"
BARE_LINUX_RUNS = [("alone", ""), ("yes on CPU 3", YES % 3), ("yes on CPUs 2, 3", YES % 2),
                   ("yes on CPU 0", "killall yes; " + YES % 0)]
# The Linux template's command line (configs/vms.dts) and skew_tick=1.
SKEW_TICK = ('--args "console=ttyAMA0 earlycon rdinit=/init panic=-1 reboot=panic_warm '
             'skew_tick=1"')
DIST = (r"bench: timer irq latency (\d+) samples: min (\d+) mean (\d+) p99 (\d+) "
        r"max (\d+) ns")
STATS = ("min", "mean", "p99", "max")
SAMPLES_STATS = ("samples",) + STATS
EQUAL_PCT, EQUAL_NS = 5, 50  # "equal": every statistic within 5 % or 50 ns of alone
COUNTERS = ("irqs", "host_irqs", "exits", "host_exits")
LOG = "build/bench/rt-pools.log"  # the zvm run's console


def cpu_counters(c, cpu):
    """CPU cpu's row of `zvm pool list`: {irqs, host_irqs, exits, host_exits, el2_ns}."""
    out = c.cmd("zvm pool list")
    m = re.search(r"^ *%d +\S+ +\S+ +\d+%% +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) *$" % cpu, out,
                  re.M)
    if not m:
        raise RuntimeError("no CPU %d row in:\n%s" % (cpu, out))
    return dict(zip(COUNTERS + ("el2_ns",), (int(v) for v in m.groups())))


def measure(c, during=None):
    """An RTOS VM on CPU 1 measures; during(c, mark) runs meanwhile. Returns
    ({min, mean, p99, max}, CPU 1 counter increments, during's answer)."""
    vid = new_vm(c, '-t rtos --args "app=bench timer-rounds=%d"' % SAMPLES)
    mark = len(c.text)
    c.cmd("zvm run -n " + vid, "running")
    c.wait(r"\[rtos\] bench: timer irq latency: %d samples" % SAMPLES, mark)
    before = cpu_counters(c, RT_CPU)
    extra = during(c, mark) if during else None
    m = c.wait(r"\[rtos\] (?:rtos:~\$ )?" + DIST, mark)
    after = cpu_counters(c, RT_CPU)
    c.cmd("zvm delete -n " + vid, "deleted")
    dist = dict(zip(STATS, (int(v) for v in m.groups()[1:])))
    benchlib.progress("  %s; CPU 1 %s" % (dist, {k: after[k] - before[k] for k in COUNTERS}))
    return dist, {k: after[k] - before[k] for k in COUNTERS}, extra


def churn(linux):
    """Cycles of VM and pool operations until the measurement since mark ends;
    each cycle is finished. Returns the number of cycles done."""
    ops = [("zvm new -t rtos -n extra --cpus 2-3 --args app=shell", r"VM (\d+) created"),
           ("zvm run -n {x}", "running"),
           ("zvm pool create rt2 static", "pool rt2: created"),
           ("zvm pool cpu 3 rt2", "CPU 3: in pool rt2"),
           ("zvm pool pin {x} 3", "VM {x}: vCPUs on CPUs 3"),
           ("zvm pool pin {lx} 2", "VM {lx}: vCPUs on CPUs 2"),
           ("zvm pool vm {x} host", "VM {x}: vCPUs on CPUs host"),
           ("zvm pool cpu 3 host", "CPU 3: in pool host"),
           ("zvm pool pin {lx} 2-3", "VM {lx}: vCPUs on CPUs 2"),
           ("zvm pool delete rt2", "pool rt2: deleted"),
           ("zvm delete -n {x}", "deleted")]

    def run(c, mark):
        done = re.compile(DIST)
        cycles = 0
        while not done.search(c.text, mark):
            x = None
            for line, expect in ops:
                out = c.cmd(line.format(x=x, lx=linux), expect.format(x=x, lx=linux))
                x = x or re.search(r"VM (\d+) created", out).group(1)
            cycles += 1
        return cycles
    return run


def run_zvm():
    """The five phases in one QEMU: {phase: (dist, counters)}, churn cycles."""
    benchlib.progress("rt pools: zvm, 5 phases in one QEMU (about 3 min)")
    c = Console(ZVM)
    c.wait(re.escape(HOST), 0)
    phases = {}
    benchlib.progress("rt pools: alone")
    phases["alone"] = measure(c)[:2]
    benchlib.progress("rt pools: booting Linux, its hogs")
    linux = start_linux_hogs(c)
    benchlib.progress("rt pools: deployment")
    phases["deployment"] = measure(c)[:2]
    benchlib.progress("rt pools: churn")
    dist, counts, cycles = measure(c, churn(linux))
    phases["churn"] = (dist, counts)
    c.cmd("zvm delete -n " + linux, "deleted")
    benchlib.progress("rt pools: booting Linux with skew_tick=1, its hogs")
    linux = start_linux_hogs(c, SKEW_TICK)
    benchlib.progress("rt pools: deployment, skew_tick=1")
    phases["skew tick"] = measure(c)[:2]
    c.cmd("zvm delete -n " + linux, "deleted")
    benchlib.progress("rt pools: booting Linux on CPU 0, its hog")
    hog = start_linux_hogs(c, "--vcpus 1 --cpus 0 --prio 20", 1)
    benchlib.progress("rt pools: load on CPU 0")
    phases["cpu0 load"] = measure(c)[:2]
    c.cmd("zvm delete -n " + hog, "deleted")
    c.q.sendline("poweroff")
    c.q.expect(pexpect.EOF)
    with open(LOG, "w") as f:
        f.write(c.text)
    return phases, cycles


def run_bare():
    """The control: {run: dist} of the bare RTOS, -smp 4, measuring on CPU 1."""
    runs = {}
    for label, hogs, samples in BARE_RUNS:
        benchlib.progress("rt pools: bare, " + label)
        args = "app=bench timer-rounds=%d %s" % (samples, hogs)
        c = Console(BARE % args)
        m = c.wait(r"^" + DIST, 0)
        c.wait(r"^bench: done", 0)
        c.q.sendline("poweroff")
        c.q.expect(pexpect.EOF)
        runs[label] = dict(zip(SAMPLES_STATS, (int(v) for v in m.groups())))
        benchlib.progress("  %s" % runs[label])
    return runs


def run_bare_linux():
    """The second control: cyclictest on CPU 1 of the bare Debian kernel (-smp 4,
    same icount) beside `yes` pinned to other CPUs: {run: {min, mean, max}} in ns."""
    benchlib.progress("rt pools: bare Linux, cyclictest")
    c = Console(BARE_LINUX)
    c.wait(r"^zvm-linux: ready", 0)
    c.wait(re.escape(LINUX), 0)
    runs = {}
    for label, start in BARE_LINUX_RUNS:
        if start:
            c.cmd(start, prompt=LINUX)
        m = re.search(CYCLICTEST_LINE, c.cmd(CYCLICTEST, prompt=LINUX))
        if not m:
            raise RuntimeError("no cyclictest result: " + c.text[-1000:])
        runs[label] = dict(zip(("min", "mean", "max"), (int(v) * 1000 for v in m.groups())))
        benchlib.progress("  %s: %s" % (label, runs[label]))
    c.q.sendline("poweroff -f")
    c.q.expect(pexpect.EOF)
    return runs


def equal(value, alone):
    return abs(value - alone) <= max(EQUAL_NS, alone * EQUAL_PCT / 100)


def verdicts(phases, traced):
    alone = phases["alone"][0]
    unequal = [(p, s) for p, (d, _) in phases.items() for s in STATS if not equal(d[s], alone[s])]
    noisy = [(p, k) for p, (_, n) in phases.items() for k in ("host_irqs", "host_exits") if n[k]]
    eq = "**PASS**" if not unequal else "**MISS**"
    quiet = "**PASS**" if not noisy else "**MISS**"
    why = ", ".join("%s %s %d ns" % (p, s, phases[p][0][s]) for p, s in unequal)
    return [
        rt_pools_trace.verdict(traced),
        "- %s CPU 1: 0 host IRQs, 0 host exits in every phase%s"
        % (quiet, ": " + ", ".join("%s %s" % x for x in noisy) if noisy else ""),
        "- %s latency in guest time during each phase equal to alone (every statistic "
        "within %d %% or %d ns of alone's; guest time also runs while QEMU executes the "
        "other emulated CPUs, see Why)%s" % (eq, EQUAL_PCT, EQUAL_NS,
                                              ": differ " + why if why else ""),
    ]


def why(phases, bare, quiet, own_path):
    """The paragraph that says where the latency comes from."""
    alone = phases["alone"][0]
    mean = lambda p: "%s ns" % phases[p][0]["mean"] if p in phases else "n/a"
    return (
        "Under icount QEMU runs every emulated CPU in one thread, round-robin, a "
        "turn ending at the machine's next timer event (without one, after tens of "
        "ms): while another emulated CPU executes, CPU 1 does not, and a timer "
        "interrupt that fell due meanwhile waits for CPU 1's turn, while guest time "
        "runs on (it counts every CPU's instructions). So even bare, without any "
        "hypervisor, a busy emulated CPU delays CPU 1's timer interrupt: by tens of "
        "ms beside threads that spin and set no timer, by up to about 2 ms beside "
        "hogs with a 4 ms tick (the shape of Linux's `yes`). How long depends on "
        "the other CPUs' timer events: the same deployment with Linux booted with "
        "`skew_tick=1` (its two CPUs' ticks no longer at the same instants) has "
        f"a mean of {mean('skew tick')} against {mean('deployment')}, though nothing "
        "changed for CPU 1. What zvm decides is what "
        "CPU 1 itself executes, and the instruction trace shows it the same during "
        f"every load as alone: {own_path}, no other zvm instruction there. " +
        ("zvm's counters agree: 0 host interrupts and 0 host-caused exits on CPU 1 in "
         "every phase; its exits are the guest's own (its timer interrupts, its "
         "console lines)." if quiet else
         "zvm's counters show host interrupts or host-caused exits on CPU 1 "
         "(above): some of the delay is zvm's.") +
        " On a board, whose CPUs run in parallel, CPU 1's own path is its latency. "
        f"Alone, zvm's guest-time figure is {alone['mean']} ns against bare alone "
        f"{bare.get('alone', {}).get('mean', 'n/a')} ns (the exit path to the "
        "guest's handler).")


def report(phases, cycles, bare, bare_linux, traced):
    commit = benchlib.commit()
    quiet = all(not n["host_irqs"] and not n["host_exits"] for _, n in phases.values())
    lines = [
        "# RT guest timer latency in its static pool (issue 12)",
        "",
        f"Produced by `BENCH=pools make bench` (bench/rt_pools.py) at commit `{commit}`.",
        f"- zvm: `{ZVM}`; an RTOS VM (`zvm new -t rtos --args \"app=bench "
        f"timer-rounds={SAMPLES}\"`) alone on CPU 1, the static pool `rt`",
        f"- bare control: `{BARE % '...'}` with `app=bench timer-rounds=N` "
        "and `hog-cpus=LIST` (a spinning thread pinned to each CPU named), "
        "`hog-tick-us=4000` (beside each, a timer every 4 ms, as Linux's tick)",
        "",
        "Guest time under icount (1 instruction = 1 ns). Latency: handler entry minus",
        "the programmed deadline, one sample every 200 us. CPU 1 counters: increments of",
        "`zvm pool list` from the measurement's start line to its result line",
        "(docs/pools.md \"Counters\").",
        "",
        "## Under zvm",
        "",
        "| phase | beside the RT VM | min ns | mean ns | p99 ns | max ns | CPU 1 IRQs | "
        "host IRQs | exits | host exits |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    beside = {"alone": "nothing",
              "deployment": "Linux VM (CPUs 2-3) running 2 `yes`",
              "churn": f"the same, and {cycles} cycles of VM make/run/move/re-pin/delete, "
                       "CPU 3 into a static pool and back, Linux re-pinned",
              "skew tick": "the deployment, Linux booted with `skew_tick=1`",
              "cpu0 load": "a 1-vCPU Linux VM on CPU 0 (the host's) running `yes`"}
    for p, (d, n) in phases.items():
        lines.append(f"| {p} | {beside[p]} | " + " | ".join(str(d[s]) for s in STATS) +
                     " | " + " | ".join(str(n[k]) for k in COUNTERS) + " |")
    lines += ["", "## Verdicts", ""] + verdicts(phases, traced) + [
        "",
        "## CPU 1's own instructions per timer interrupt (bench/rt_pools_trace.py)",
        "",
        "QEMU's instruction log of CPU 1 while the RTOS VM samples its timer, alone and",
        "beside the loads (one QEMU of its own, same config and icount): per sample the",
        "instructions from the guest's WFI to its handler's first one, zvm's (EL2) and",
        "the guest's (EL1); zvm's instructions on CPU 1 between samples.",
        "",
    ] + rt_pools_trace.table(traced) + [
        "",
        "## Control: the same measurement bare (no zvm), what QEMU itself does",
        "",
        "| bare run | samples | min ns | mean ns | p99 ns | max ns |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, d in bare.items():
        lines.append(f"| RTOS, {label} | " + " | ".join(str(d[s]) for s in SAMPLES_STATS)
                     + " |")
    for label, d in bare_linux.items():
        lines.append(f"| Linux cyclictest, {label} | {SAMPLES} | {d['min']} | {d['mean']} | "
                     f"n/a | {d['max']} |")
    lines += [
        "",
        "RTOS: the same image and measurement on CPU 1 of 4, beside threads spinning",
        "on the CPUs named. Linux cyclictest: "
        f"`{CYCLICTEST}` (us, shown in ns) in the bare Debian kernel, 4 CPUs, beside",
        "`yes` pinned with taskset.",
        "",
        "The same load, under zvm and bare (mean / p99 / max, ns):",
        "",
        "| zvm phase | zvm | bare run | bare | zvm / bare (mean, max) |",
        "|---|---:|---|---:|---:|",
    ]
    for phase, run in SAME_LOAD:
        if phase in phases and run in bare:
            z, b = phases[phase][0], bare[run]
            lines.append(f"| {phase} | {z['mean']} / {z['p99']} / {z['max']} | {run} | "
                         f"{b['mean']} / {b['p99']} / {b['max']} | "
                         f"{z['mean'] / max(b['mean'], 1):.2f}, "
                         f"{z['max'] / max(b['max'], 1):.2f} |")
    lines += [
        "",
        "## Why",
        "",
        ] + textwrap.wrap(why(phases, bare, quiet, rt_pools_trace.own_path(traced)), 78,
                          break_on_hyphens=False) + [
        "",
    ]
    return lines


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bare = run_bare()
    bare_linux = run_bare_linux()
    phases, cycles = run_zvm()
    traced = rt_pools_trace.trace()
    lines = report(phases, cycles, bare, bare_linux, traced)
    benchlib.write_result(sys.argv[1], lines)
    rows = [["zvm", p] + [d[s] for s in STATS] + [n[k] for k in COUNTERS]
            for p, (d, n) in phases.items()]
    rows += [["bare rtos", label] + [d[s] for s in STATS] + [""] * len(COUNTERS)
             for label, d in bare.items()]
    rows += [["bare linux cyclictest", label] + [d.get(s, "") for s in STATS] +
             [""] * len(COUNTERS) for label, d in bare_linux.items()]
    benchlib.write_data(sys.argv[1], ["run", "phase"] + [s + "_ns" for s in STATS] +
                        ["cpu1_" + k for k in COUNTERS], rows)
    labels = ["zvm " + p for p in phases] + ["bare " + b for b in bare]
    dists = [d for d, _ in phases.values()] + list(bare.values())
    benchlib.plot_bars(sys.argv[1], "RT guest timer latency on CPU 1 (%s)" % benchlib.commit(),
                       "ns (guest time, icount; log)", labels,
                       [(s, [max(d[s], 1) for d in dists]) for s in ("mean", "p99", "max")],
                       logscale=True)


if __name__ == "__main__":
    main()
