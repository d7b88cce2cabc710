#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs the host kernel's `bench` command in QEMU and writes a Markdown table.

Usage: bench/host_kernel.py OUTPUT.md
QEMU runs with -icount shift=0,sleep=off: guest time counts instructions, so
the figures are deterministic and immune to load on the build machine.
"""
import re
import sys
import time

import pexpect

import benchlib

ICOUNT = "-icount shift=0,sleep=off"
QEMU = "scripts/qemu.sh " + ICOUNT + " -display none -monitor none -serial stdio"
PROMPT = "zvm_host:~# "
LINE = re.compile(r"bench: (.+?)\s+([\d.]+) cycles\s+(\d+) ns")


def run():
    benchlib.progress("host kernel: `bench` at the zvm_host prompt (under 1 min)")
    start = time.monotonic()
    qemu = benchlib.spawn(QEMU, timeout=300)
    qemu.expect_exact(PROMPT)
    wall_boot = time.monotonic() - start
    qemu.sendline("bench")
    qemu.expect_exact("bench: done")
    out = qemu.before
    qemu.expect_exact(PROMPT)
    qemu.sendline("poweroff")
    qemu.expect(pexpect.EOF)
    rows = LINE.findall(out)
    if len(rows) < 10:
        sys.exit("bench: expected at least 10 results, got:\n" + out)
    return rows, wall_boot


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows, wall_boot = run()
    commit = benchlib.commit()
    lines = [
        "# Host kernel latencies",
        "",
        f"Produced by `make bench` (bench/host_kernel.py) at commit `{commit}`:",
        f"`{QEMU}`, command `bench` at the zvm_host prompt.",
        "Guest time under icount: 1 instruction = 1 ns (counter: see the",
        "`cycles` column against `ns`). Means over 1000 rounds; threads pinned.",
        "The same numbers: host-kernel.csv, host-kernel.json.",
        "",
        "| item | cycles | ns |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {cyc} | {ns} |" for name, cyc, ns in rows]
    lines += ["", f"Wall-clock time from QEMU start to the first prompt (icount, "
              f"this machine): {wall_boot:.2f} s", ""]
    benchlib.write_result(sys.argv[1], lines)
    benchlib.write_data(sys.argv[1], ["item", "cycles", "ns"],
                        [[name, float(cyc), int(ns)] for name, cyc, ns in rows])


if __name__ == "__main__":
    main()
