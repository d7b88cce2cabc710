#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The Linux guest bare and under zvm: boot time and cyclictest, side by side.

Usage: bench/linux_guest.py OUTPUT.md
Both runs boot the same build/linux/Image + initrd.cpio.gz on 2 CPUs with
-icount shift=0,sleep=off (guest time counts instructions: deterministic,
immune to load on this machine). Boot time is the kernel's own timestamp
of "Run /init as init process" (guest time since the kernel started; zvm
starts the guest's counter at 0). cyclictest runs inside the guest.
"""
import re
import sys

import pexpect

import benchlib

ICOUNT = "-icount shift=0,sleep=off"
ARGS = "console=ttyAMA0 earlycon rdinit=/init"
BARE = (benchlib.QEMU + " -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp 2 "
        "-m 512M -nic none -display none -monitor none -serial stdio " + ICOUNT +
        " -kernel build/linux/Image -initrd build/linux/initrd.cpio.gz"
        " -append '" + ARGS + "'")
ZVM = "scripts/qemu.sh " + ICOUNT + " -display none -monitor none -serial stdio"
CYCLICTEST = "cyclictest -m -p99 -i1000 -l 1000 -q -a 1"
RUN_INIT = re.compile(r"\[\s*([\d.]+)\] Run /init as init process")
CT_LINE = re.compile(r"T: 0 .*Min:\s+(\d+) Act:\s+\d+ Avg:\s+(\d+) Max:\s+(\d+)")
PROMPT = "zvm-linux:~# "



def measure(q):
    """From a booting guest: (boot seconds, cyclictest min/avg/max us)."""
    q.expect(RUN_INIT)
    boot = float(q.match.group(1))
    q.expect_exact("zvm-linux: ready")
    q.expect_exact(PROMPT)
    q.sendline(CYCLICTEST)
    q.expect(CT_LINE)
    return boot, tuple(int(v) for v in q.match.groups())


def run_bare():
    q = benchlib.spawn(BARE)
    result = measure(q)
    q.sendline("poweroff -f")
    q.expect(pexpect.EOF)
    return result


def run_zvm(static):
    """Under zvm; with `static`, CPUs 2 and 3 (the linux template's) first
    go into a static pool, where each vCPU runs alone without WFI traps."""
    q = benchlib.spawn(ZVM)
    if static:
        benchlib.isolate_cpus(q, (2, 3))
    vm = benchlib.start_vm(q, "-t linux")
    q.expect(RUN_INIT)
    boot = float(q.match.group(1))
    q.expect_exact("zvm-linux: ready")
    q.sendline("zvm look -n " + vm)
    q.expect_exact("Ctrl-X returns")
    q.sendline("")
    q.expect_exact(PROMPT)
    q.sendline(CYCLICTEST)
    q.expect(CT_LINE)
    ct = tuple(int(v) for v in q.match.groups())
    q.send("\x18")
    q.expect_exact("zvm_host:~# ")
    q.sendline("poweroff")
    q.expect(pexpect.EOF)
    return boot, ct


def verdict(ok, text):
    return ("**PASS** " if ok else "**MISS** ") + text


def targets(b_boot, b_ct, runs):
    """Issue 11's Linux targets, for each zvm run: boot <= 1.00x bare,
    cyclictest min and avg within 1 us of bare."""
    lines = ["| target | " + " | ".join(name for name, _ in runs) + " |",
             "|---|" + "---|" * len(runs)]
    boot = [verdict(round(z[0] / b_boot, 2) <= 1.0, f"{z[0] / b_boot:.2f}x") for _, z in runs]
    lines.append("| boot to /init <= 1.00x bare | " + " | ".join(boot) + " |")
    for i, what in ((0, "min"), (1, "avg")):
        cells = [verdict(z[1][i] <= b_ct[i] + 1, f"{z[1][i] - b_ct[i]:+d} us") for _, z in runs]
        lines.append(f"| cyclictest {what} <= bare + 1 us | " + " | ".join(cells) + " |")
    return lines


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    b_boot, b_ct = run_bare()
    runs = [("zvm, dynamic pool", run_zvm(False)), ("zvm, static pool", run_zvm(True))]
    commit = benchlib.commit()
    ratio = lambda z, b: f"{z / b:.2f}" if b else "n/a"
    lines = [
        "# Linux guest: bare vs under zvm",
        "",
        f"Produced by `make bench` (bench/linux_guest.py) at commit `{commit}`.",
        f"- bare: `{BARE}`",
        f"- zvm: `{ZVM}`, then `zvm new -t linux`, `zvm run`, `zvm look`; the",
        "  linux template's CPUs 2 and 3 either stay in the dynamic host pool (WFI",
        "  trapped: an idle vCPU gives its CPU back) or first go into a static pool",
        "  (`zvm pool create rt static`, `zvm pool cpu 2 rt`, `zvm pool cpu 3 rt`:",
        "  each vCPU alone on its CPU, WFI not trapped; docs/pools.md)",
        f"- cyclictest in the guest: `{CYCLICTEST}`",
        "",
        "Guest time under icount (1 instruction = 1 ns); ratio to bare in brackets.",
        "",
        "| item | bare | " + " | ".join(name for name, _ in runs) + " |",
        "|---|---:|" + "---:|" * len(runs),
        f"| boot to /init (s) | {b_boot:.3f} | "
        + " | ".join(f"{z[0]:.3f} ({ratio(z[0], b_boot)})" for _, z in runs) + " |",
    ]
    for i, what in enumerate(("min", "avg", "max")):
        lines.append(f"| cyclictest {what} (us) | {b_ct[i]} | "
                     + " | ".join(f"{z[1][i]} ({ratio(z[1][i], b_ct[i])})" for _, z in runs)
                     + " |")
    lines += [""] + targets(b_boot, b_ct, runs) + [""]
    benchlib.write_result(sys.argv[1], lines)


if __name__ == "__main__":
    main()
