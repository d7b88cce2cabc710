#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""virtio-net throughput between two Linux VMs on zvm's switch.

Usage: bench/virtio_net.py OUTPUT.md

`zvm new -t linux` (VM A, 2 vCPUs on host CPUs 2-3) and `zvm new -t linux2`
(VM B, 1 vCPU on host CPUs 2-3), addresses 10.0.0.1 and 10.0.0.2. B runs
`nc -l -p 5000 > /dev/null`; A sends MIB MiB of /dev/zero with busybox nc
and times it with /proc/timer_list (guest time = host time: no icount, see
bench/results/virtio.md for why). Ping round trips come from busybox ping.
There is no bare baseline: QEMU has no switch between two guests of one
machine to compare with.
"""
import re
import sys

import benchlib

MIB = 16
ZVM = "scripts/qemu.sh -display none -monitor none -serial stdio"
PROMPT = "zvm-linux:~# "
NOW = "sed -n 's/^now at \\([0-9]*\\) nsecs$/\\1/p' /proc/timer_list | head -n1"
RESULT = re.compile(r"tx-ns (\d+) (\d+)\r*\n")
PING = re.compile(r"round-trip min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms")


def shell(q, vm, lines):
    """Attach to vm, run lines (each waits for the prompt), detach."""
    q.sendline("zvm look -n " + vm)
    q.expect_exact("Ctrl-X returns")
    q.sendline("")
    q.expect_exact(PROMPT)
    for line in lines:
        q.sendline(line)
        q.expect_exact(PROMPT)
    q.send("\x18")
    q.expect_exact("zvm_host:~# ")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    q = benchlib.spawn(ZVM, timeout=600)
    a = benchlib.start_vm(q, "-t linux")
    q.expect_exact("zvm-linux: ready")
    q.sendline("")                          # a fresh host prompt for start_vm
    b = benchlib.start_vm(q, "-t linux2")
    q.expect_exact("zvm-linux: ready")
    q.sendline("")
    q.expect_exact("zvm_host:~# ")
    shell(q, b, ["ip addr add 10.0.0.2/24 dev eth0 && ip link set eth0 up",
                 "nc -l -p 5000 > /dev/null &"])
    q.sendline("zvm look -n " + a)
    q.expect_exact("Ctrl-X returns")
    q.sendline("ip addr add 10.0.0.1/24 dev eth0 && ip link set eth0 up")
    q.expect_exact(PROMPT)
    q.sendline("ping -c 10 -i 0.2 10.0.0.2")
    q.expect(PING)
    rtt = [float(v) for v in q.match.groups()]
    q.expect_exact(PROMPT)
    q.sendline("s=$(%s); dd if=/dev/zero bs=1M count=%d 2>/dev/null | nc 10.0.0.2 5000; "
               "e=$(%s); echo tx-ns $s $e" % (NOW, MIB, NOW))
    q.expect(RESULT)
    ns = int(q.match.group(2)) - int(q.match.group(1))
    q.send("\x18")
    q.expect_exact("zvm_host:~# ")
    q.sendline("poweroff")
    q.expect_exact("powering off")
    mbps = MIB * 1048576 * 8 / ns * 1e3             # Mbit/s
    lines = [
        "# virtio-net: two Linux VMs on zvm's switch",
        "",
        f"Produced by `make bench` (bench/virtio_net.py) at commit `{benchlib.commit()}`.",
        f"- `{ZVM}`, `zvm new -t linux` (A) and `zvm new -t linux2` (B)",
        f"- A sends {MIB} MiB of zeros to B with busybox nc over TCP; guest time from "
        "/proc/timer_list (host time)",
        "",
        "| item | value |",
        "|---|---:|",
        f"| TCP throughput A -> B (Mbit/s) | {mbps:.0f} |",
        f"| ping A -> B min/avg/max (ms) | {rtt[0]:.3f} / {rtt[1]:.3f} / {rtt[2]:.3f} |",
        "",
        "No bare baseline (QEMU has no switch between two guests of one machine).",
        "No offloads (checksum, TSO) are offered, so every segment is at most one MTU.",
        "",
    ]
    benchlib.write_result(sys.argv[1], lines)


if __name__ == "__main__":
    main()
