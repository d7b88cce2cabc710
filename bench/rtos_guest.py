#!/usr/bin/python3
"""The RTOS guest's latency benchmark bare and under zvm, side by side.

Usage: bench/rtos_guest.py OUTPUT.md
Both runs boot the same build/rtos.elf with `app=bench` under
-icount shift=0,sleep=off (guest time counts instructions: deterministic,
immune to load on this machine). Bare: QEMU virt without virtualization, so
the guest starts at EL1 on 1 CPU with 64 MiB, as the VM template gives it.
Under zvm: the host boots as in `make run` and runs the guest in a VM made
from the rtos template.
"""
import math
import re
import sys

import pexpect

import benchlib

ICOUNT = "-icount shift=0,sleep=off"
BARE = (benchlib.QEMU + " -M virt,gic-version=3 -cpu max,pauth-impdef=on "
        "-smp 1 -m 64M -nic none -display none -monitor none -serial stdio "
        + ICOUNT + " -kernel build/rtos.elf -append app=bench")
ZVM = "scripts/qemu.sh " + ICOUNT + " -display none -monitor none -serial stdio"
LINE = re.compile(r"bench: (.+?)\s+([\d.]+) cycles\s+(\d+) ns")
# Items whose ratio makes the kernel-object geometric mean (as the issue defines).
KERNEL_OBJECTS = ["thread switch (yield)", "sem give + preempt switch",
                  "sem give (no waiter)", "sem take (available)",
                  "mutex lock + unlock", "heap alloc + free",
                  "thread create+start+abort"]



def results(text):
    return {name.strip(): (float(cyc), int(ns)) for name, cyc, ns in LINE.findall(text)}


def run_bare():
    q = benchlib.spawn(BARE)
    q.expect_exact("bench: done")
    out = q.before
    q.expect_exact("rtos:~$ ")
    q.sendline("poweroff")
    q.expect(pexpect.EOF)
    return results(out)


def run_zvm():
    q = benchlib.spawn(ZVM)
    vm = benchlib.start_vm(q, '-t rtos --args "app=bench"')
    q.expect_exact("bench: done")
    out = q.before
    q.sendline("zvm info -n " + vm)
    q.expect(r"exits:[^\n]*")
    exits = q.match.group(0).strip()
    q.sendline("poweroff")
    q.expect(pexpect.EOF)
    return results(out), exits


def table(bare, virt):
    rows, ratios = [], {}
    for name, (_, ns_virt) in virt.items():
        ns_bare = bare.get(name, (0, 0))[1]
        ratio = ns_virt / ns_bare if ns_bare else None
        ratios[name] = ratio
        shown = f"{ratio:.2f}" if ratio else "n/a"
        rows.append(f"| {name} | {ns_bare if name in bare else 'n/a'} | {ns_virt} | {shown} |")
    return rows, ratios


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else 0


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bare = run_bare()
    virt, exits = run_zvm()
    if len(bare) < 10 or len(virt) < 10:
        sys.exit(f"bench: too few results (bare {len(bare)}, zvm {len(virt)})")
    rows, ratios = table(bare, virt)
    gm = geomean([ratios.get(k) for k in KERNEL_OBJECTS])
    commit = benchlib.commit()
    timer = ratios.get("timer irq latency mean") or 0
    lines = [
        "# RTOS guest: bare vs under zvm",
        "",
        f"Produced by `make bench` (bench/rtos_guest.py) at commit `{commit}`.",
        f"- bare: `{BARE}`",
        f"- zvm: `{ZVM}`, then `zvm new -t rtos --args \"app=bench\"`, `zvm run`",
        "",
        "Guest time under icount (1 instruction = 1 ns); means over 1000 rounds,",
        "timer latency over 1000 samples (handler entry minus the programmed deadline).",
        "`boot to shell prompt` is not comparable (under zvm the app runs before the prompt).",
        "",
        "| item | bare ns | zvm ns | ratio |",
        "|---|---:|---:|---:|",
    ] + rows + [
        "",
        f"Geometric-mean ratio over the kernel-object items: **{gm:.3f}** (target <= 1.02)",
        f"Timer interrupt latency ratio (mean): **{timer:.2f}** (target <= 3)",
        "",
        f"VM exits during the run ({exits}).",
        "",
    ]
    benchlib.write_result(sys.argv[1], lines)


if __name__ == "__main__":
    main()
