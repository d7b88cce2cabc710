#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Round trips over a shared-memory ring with doorbells, between VMs.

Usage: bench/shm.py OUTPUT.md
One zvm run under -icount shift=0,sleep=off (guest time counts
instructions). VMs: linux (CPUs 2-3), rtos (CPU 1), rtos2 (CPU 3); the
regions rtos-rtos2 and rtos-linux of configs/vms.dts. Each round trip is
one 64-byte message out and back; the pinging side measures with its
virtual counter.
- RTOS<->RTOS: rtos2 runs `ring echo`, rtos `ring ping`; both sides wait
  for the doorbell interrupt.
- RTOS<->Linux: Linux runs `zvm-ring echo` (user space, polling: Linux takes
  no doorbell interrupt), rtos `ring ping`; then rtos echoes and
  `zvm-ring ping` measures from Linux.
"""
import re
import sys

import benchlib

ICOUNT = "-icount shift=0,sleep=off"
ZVM = "scripts/qemu.sh " + ICOUNT + " -display none -monitor none -serial stdio"
HOST = "zvm_host:~# "
RTOS = "rtos:~$ "
LINUX = "zvm-linux:~# "
PING = re.compile(r"ping: (\d+) round trips, mean (\d+) ns, p99 (\d+) ns, max (\d+) ns")
OTHER_VM_LINE = re.compile(r"\[\w+\] [^\r\n]*\r*\n")
ROUNDS = 1000


look = benchlib.look


def leave(q, vm):
    q.send("\x18")
    q.expect_exact("detached from VM " + vm)
    q.expect_exact(HOST)


def round_trips(q, echo_vm, echo_prompt, echo_cmd, ping_vm, ping_prompt, ping_cmd):
    """Start the echo side, then ping from the other; (mean, p99, max) ns."""
    look(q, echo_vm, echo_prompt)
    q.sendline(echo_cmd)
    q.expect_exact(echo_cmd)
    leave(q, echo_vm)
    look(q, ping_vm, ping_prompt)
    q.sendline(ping_cmd)
    q.expect_exact(ping_cmd)
    q.expect_exact(ping_prompt)
    # Another VM's whole lines may land inside the attached guest's output.
    m = PING.search(OTHER_VM_LINE.sub("", q.before))
    if not m:
        sys.exit("bench: no ping result in %r" % q.before)
    count, mean, p99, mx = (int(g) for g in m.groups())
    leave(q, ping_vm)
    return count, mean, p99, mx


def run():
    q = benchlib.spawn(ZVM)
    q.logfile_read = open("build/bench-shm.log", "w")
    lx = benchlib.start_vm(q, "-t linux")
    q.expect_exact("zvm-linux: ready")
    q.sendline("")			# a fresh host prompt for start_vm
    rt = benchlib.start_vm(q, "-t rtos")
    rt2 = benchlib.start_vm(q, "-t rtos -n rtos2 --cpus 3")
    q.expect_exact(HOST)
    n = str(ROUNDS)
    rows = [("RTOS -> RTOS (rtos pings, rtos2 echoes)",) + round_trips(
        q, rt2, RTOS, "ring echo rtos-rtos2 " + n, rt, RTOS, "ring ping rtos-rtos2 " + n)]
    rows.append(("RTOS -> Linux (rtos pings, Linux user space echoes)",) + round_trips(
        q, lx, LINUX, "zvm-ring echo rtos-linux " + n + " &", rt, RTOS,
        "ring ping rtos-linux " + n))
    rows.append(("Linux -> RTOS (Linux user space pings, rtos echoes)",) + round_trips(
        q, rt, RTOS, "ring echo rtos-linux " + n, lx, LINUX, "zvm-ring ping rtos-linux " + n))
    q.sendline("poweroff")
    q.expect_exact("poweroff")
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = run()
    lines = [
        "# Shared-memory rings with doorbells: round trips between VMs",
        "",
        f"Produced by `make bench` (bench/shm.py) at commit `{benchlib.commit()}`.",
        f"- zvm: `{ZVM}`; VMs linux (CPUs 2-3), rtos (CPU 1), rtos2 (CPU 3)",
        "",
        "Guest time under icount (1 instruction = 1 ns); 64-byte messages.",
        "",
        "| path | round trips | mean ns | p99 ns | max ns |",
        "|---|---:|---:|---:|---:|",
    ] + [f"| {name} | {c} | {mean} | {p99} | {mx} |" for name, c, mean, p99, mx in rows] + [""]
    benchlib.write_result(sys.argv[1], lines)


if __name__ == "__main__":
    main()
