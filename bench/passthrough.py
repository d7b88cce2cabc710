#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Passthrough: QEMU's own virtio-blk and virtio-net driven by the Linux guest,
bare on QEMU vs passed through by zvm (docs/passthrough.md); and the latency
of a passed-through interrupt (the PL061's) in the RTOS guest, under icount.

Usage: bench/passthrough.py OUTPUT.md

Interrupt latency (-icount shift=0,sleep=off: guest time counts instructions,
1 instruction = 1 ns, deterministic and immune to this machine's load):
`gpio latency 1000` in the RTOS (guests/rtos/pl061.c): the guest reads the
counter, drives PL061 line 0 (an output and a high-level interrupt) high;
QEMU's PL061 raises its SPI at once; the handler reads the counter first.
- bare: build/rtos.elf directly on QEMU virt (1 CPU);
- zvm: the `rtos-io` VM of tests/system/configs/passthrough.dts (the PL061
  passed through, its SPI hardware-linked) on CPU 1 made a static pool first
  (`zvm pool create rt static; zvm pool cpu 1 rt`), as a real-time deployment
  would (docs/pools.md); the SPI is routed to the VM's first host CPU, which
  the run checks (CPU 1's IRQS grow by the samples).

Throughput (no -icount: QEMU's devices run in QEMU's threads and cost no
guest time under icount, bench/results/virtio.md says why). Both sides use
QEMU's devices (virtio-mmio bus 8: net, bus 16: blk, each in a 4 KiB page of
its own), the same kernel and initramfs, 2 CPUs, 512 MiB:
- bare: the kernel on QEMU virt directly;
- zvm dynamic: `zvm new -t linux-pt` (the devices passed through, RAM
  identity-mapped), its vCPUs on CPUs 2-3 of the dynamic host pool (WFI
  trapped: an idle vCPU blocks and the host wakes it);
- zvm static: the same after CPUs 2-3 went into a static pool (each vCPU
  alone on its CPU, WFI sleeps in hardware).
So the ratio is zvm's overhead only: stage 2, the vGIC and the interrupt path.
In the guest: `dd bs=1M iflag=direct` reads the whole 32 MiB raw disk ROUNDS
times, `dd oflag=direct` writes it ROUNDS times; `nc` sends NET_MIB MiB to a sink
this script runs on 127.0.0.1 (QEMU user networking, the guest sees it as
10.0.2.2); elapsed guest time from /proc/timer_list. Each run boots the three
sides one after the other (interleaved, so a change of this machine's load
falls on all three); every run and the median are reported.
"""
import os
import re
import socket
import statistics
import sys
import tempfile
import threading

import benchlib
import passthrough_trace

ROUNDS = 8
RUNS = int(os.environ.get("PT_RUNS", 5))
DISK_MIB = 32
NET_MIB = 8
LAT_SAMPLES = 1000
LAT_RATIO_TARGET = 2.0   # zvm mean / bare mean
LAT_MAX_TARGET = 2000    # ns, zvm's worst sample
TPUT_TARGET = 0.95       # zvm / bare, on the median
ICOUNT = "-icount shift=0,sleep=off"
CONFIG = "tests/system/configs/passthrough.dts"
ARGS = "console=ttyAMA0 earlycon rdinit=/init"
DEVICES = ("-netdev user,id=n0 -device virtio-net-device,netdev=n0,bus=virtio-mmio-bus.8 "
           "-drive file={disk},if=none,id=d0,format=raw "
           "-device virtio-blk-device,drive=d0,bus=virtio-mmio-bus.16")
BARE = (benchlib.QEMU + " -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp 2 -m 512M "
        "-nic none -display none -monitor none -serial stdio "
        "-global virtio-mmio.force-legacy=false " + DEVICES + " "
        "-kernel build/linux/Image -initrd build/linux/initrd.cpio.gz -append '" + ARGS + "'")
ZVM = ("ZVM_VMS=" + CONFIG + " scripts/qemu.sh -display none -monitor none -serial stdio " +
       DEVICES)
RTOS_BARE = (benchlib.QEMU + " -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp 1 -m 64M "
             "-nic none -display none -monitor none -serial stdio " + ICOUNT +
             " -kernel build/rtos.elf -append app=shell")
RTOS_ZVM = ("ZVM_VMS=" + CONFIG + " scripts/qemu.sh " + ICOUNT +
            " -display none -monitor none -serial stdio")
RTOS_CPU = 1  # the rtos-io template's CPU
PROMPT = "zvm-linux:~# "
RTOS_PROMPT = "rtos:~$ "
HOST_PROMPT = "zvm_host:~# "
LOG = "build/bench-passthrough.log"
NOW = "sed -n 's/^now at \\([0-9]*\\) nsecs$/\\1/p' /proc/timer_list | head -n1"
READ = "dd if=/dev/vda of=/dev/null bs=1M iflag=direct"
WRITE = "dd if=/dev/zero of=/dev/vda bs=1M count=%d oflag=direct" % DISK_MIB
SEND = "dd if=/dev/zero bs=64k count=%d 2>/dev/null | nc 10.0.2.2 {port}" % (NET_MIB * 16)
RESULT = re.compile(r"(read|write|net)-ns (\d+) (\d+)\r*\n")
LATENCY = re.compile(r"gpio: irq latency line 0: (\d+) samples, min (\d+) mean (\d+) p99 (\d+) "
                     r"max (\d+) ns \(INTID (\d+), (\d+) interrupts\)")
SIDES = ("bare", "zvm dynamic", "zvm static")
KINDS = ("read", "write", "net")


def timed(name, cmd, rounds):
    return ("s=$(%s); for i in $(seq %d); do %s 2>/dev/null; done; e=$(%s); "
            "echo %s-ns $s $e" % (NOW, rounds, cmd, NOW, name))


def sink():
    """A TCP sink on 127.0.0.1: reads NET_MIB MiB per connection, then closes it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        while True:
            c, _ = srv.accept()
            left = NET_MIB << 20
            while left > 0:
                b = c.recv(min(left, 1 << 16))
                if not b:
                    break
                left -= len(b)
            c.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1]


def measure(q, port):
    """At the guest's prompt: MB/s of read, write and net (10^6 B per guest second)."""
    q.sendline("ip addr flush dev eth0; ip addr add 10.0.2.15/24 dev eth0")
    q.expect_exact(PROMPT)
    q.sendline(timed("read", READ, ROUNDS) + "; " + timed("write", WRITE, ROUNDS))
    out = {}
    for _ in range(2):
        q.expect(RESULT)
        ns = int(q.match.group(3)) - int(q.match.group(2))
        out[q.match.group(1)] = ROUNDS * DISK_MIB * 1048576 / ns * 1e3
    q.expect_exact(PROMPT)
    q.sendline(timed("net", SEND.format(port=port), 1))
    q.expect(RESULT)
    out["net"] = NET_MIB * 1048576 / (int(q.match.group(3)) - int(q.match.group(2))) * 1e3
    q.expect_exact(PROMPT)
    return out


def spawn(cmd):
    q = benchlib.spawn(cmd, timeout=600)
    q.logfile_read = open(LOG, "a")
    q.logfile_read.write("\n==== " + cmd + "\n")
    return q


def run_bare(port, disk):
    q = spawn(BARE.format(disk=disk))
    q.expect_exact("zvm-linux: ready")
    q.expect_exact(PROMPT)
    result = measure(q, port)
    q.terminate(force=True)
    return result


def run_zvm(port, disk, static):
    """`static`: CPUs 2-3 (the linux-pt template's) into a static pool first."""
    q = spawn(ZVM.format(disk=disk))
    if static:
        benchlib.isolate_cpus(q, (2, 3))
    vm = benchlib.start_vm(q, "-t linux-pt")
    q.expect_exact("zvm-linux: ready")
    benchlib.look(q, vm, PROMPT)
    result = measure(q, port)
    q.terminate(force=True)
    return result


def gpio_latency(q):
    """`gpio latency` at the RTOS prompt: [min, mean, p99, max] ns."""
    q.sendline("gpio latency %d" % LAT_SAMPLES)
    q.expect(LATENCY, timeout=120)
    n, lo, mean, p99, hi, _, irqs = (int(g) for g in q.match.groups())
    if n != LAT_SAMPLES or irqs != LAT_SAMPLES:
        sys.exit("passthrough: %d samples, %d interrupts: %s" % (n, irqs, q.match.group(0)))
    q.expect_exact(RTOS_PROMPT)
    return [lo, mean, p99, hi]


def cpu_irqs(q):
    """At the host prompt: {cpu: (IRQS, HOST_IRQS)} from `zvm pool list`."""
    q.sendline("zvm pool list")
    q.expect(r"CPU +POOL +BOUND[^\n]*\n((?:\s*\d+ [^\n]*\n)+)")
    rows = [l.split() for l in q.match.group(1).strip().split("\n")]
    q.expect_exact(HOST_PROMPT)
    return {int(r[0]): (int(r[4]), int(r[5])) for r in rows}


def latencies():
    """(bare, zvm, irqs by CPU during zvm's run) of the PL061 interrupt, under icount."""
    q = spawn(RTOS_BARE)
    q.expect_exact(RTOS_PROMPT)
    bare = gpio_latency(q)
    q.terminate(force=True)
    q = spawn(RTOS_ZVM)
    benchlib.isolate_cpu(q, RTOS_CPU)
    vm = benchlib.start_vm(q, "-t rtos-io")
    q.expect_exact(HOST_PROMPT)
    before = cpu_irqs(q)
    benchlib.look(q, vm, RTOS_PROMPT)
    zvm = gpio_latency(q)
    q.send("\x18")  # Ctrl-X: back to the host shell
    q.expect_exact(HOST_PROMPT)
    after = cpu_irqs(q)
    q.terminate(force=True)
    return bare, zvm, {c: tuple(a - b for a, b in zip(after[c], before.get(c, (0, 0))))
                       for c in after}


def pass_miss(ok):
    return "PASS" if ok else "MISS"


def latency_lines(bare, zvm, irqs):
    ratio = zvm[1] / max(bare[1], 1)
    landed = irqs.get(RTOS_CPU, (0, 0))[0] >= LAT_SAMPLES
    return [
        "## Interrupt latency of a passed-through interrupt (PL061 GPIO, RTOS guest, icount)",
        "",
        f"`gpio latency {LAT_SAMPLES}` (guests/rtos/pl061.c): counter read, PL061 line 0 "
        "(output, high-level interrupt) driven high by the guest, QEMU's PL061 raises",
        "its SPI at once; the handler's first counter read minus the first. Guest time "
        "under `-icount shift=0,sleep=off`: 1 instruction = 1 ns, the same every run.",
        f"- bare: `{RTOS_BARE}`",
        f"- zvm: `{RTOS_ZVM}`, CPU {RTOS_CPU} made a static pool, `zvm new -t rtos-io` "
        f"({CONFIG}: the PL061 passed through, SPI 7 = INTID 39 hardware-linked)",
        "",
        "| | min ns | mean ns | p99 ns | max ns |",
        "|---|---:|---:|---:|---:|",
        "| bare | %d | %d | %d | %d |" % tuple(bare),
        "| zvm | %d | %d | %d | %d |" % tuple(zvm),
        "| zvm / bare | %.1f | %.1f | %.1f | %.1f |" % tuple(
            z / max(b, 1) for z, b in zip(zvm, bare)),
        "",
        f"- {pass_miss(ratio <= LAT_RATIO_TARGET)}: zvm / bare (mean) = {ratio:.1f}, "
        f"target <= {LAT_RATIO_TARGET:.0f}",
        f"- {pass_miss(zvm[3] <= LAT_MAX_TARGET)}: zvm max = {zvm[3]} ns, "
        f"target <= {LAT_MAX_TARGET} ns",
        f"- the SPI was taken on the vCPU's CPU: IRQS (of them HOST_IRQS) during the zvm "
        "run " + ", ".join("CPU %d +%d (%d)" % (c, n, h) for c, (n, h) in sorted(irqs.items())) +
        f" ({'yes' if landed else 'NO'}, {LAT_SAMPLES} samples; on CPU {RTOS_CPU} they are "
        "the guest's, not the host's)",
        "",
        "Bare, the guest's own path: the exception entry (free under icount), its",
        "vector, the GIC acknowledge and the handler's dispatch. Under zvm the physical",
        "interrupt exits the guest to EL2, which forwards it as a hardware-linked",
        "virtual SPI and enters the guest again.",
        "",
    ]


def trace_lines(result):
    return [
        "### Where zvm's instructions go (bench/passthrough_trace.py)",
        "",
        "Every instruction of CPU 1 from the guest's write to its handler's first one,",
        "logged by QEMU (`one-insn-per-tb`, `log exec,nochain`, icount) and named:",
        "",
    ] + passthrough_trace.table(result) + [""]


def mbs(v):
    """MB/s as shown: two decimals below 10 (the network's figures here)."""
    return f"{v:.2f}" if v < 10 else f"{v:.0f}"


def median(runs, side, kind):
    return statistics.median(r[side][kind] for r in runs)


def throughput_lines(runs):
    lines = [
        "## Throughput: QEMU's virtio-blk and virtio-net, bare vs passed through",
        "",
        f"- bare: `{BARE.format(disk='DISK')}`",
        f"- zvm: `{ZVM.format(disk='DISK')}`, `zvm new -t linux-pt` (vCPUs on CPUs 2-3); "
        "zvm static: first `zvm pool create rt static; zvm pool cpu 2 rt; zvm pool cpu 3 rt`",
        f"- in the guest, {ROUNDS} rounds each of `{READ}` ({DISK_MIB} MiB raw disk) and "
        f"`{WRITE}`; `{SEND.format(port='PORT')}` to a sink on 127.0.0.1; MB/s = 10^6 B "
        "per second of guest time (host time: no icount)",
        f"- {len(runs)} runs, each booting bare, zvm dynamic, zvm static in turn",
        "",
        "| MB/s | " + " | ".join(SIDES) + " | dynamic / bare | static / bare |",
        "|---|" + "---:|" * (len(SIDES) + 2),
    ]
    for kind in KINDS:
        for i, r in enumerate(runs):
            lines.append(f"| run {i + 1}, {kind} | " +
                         " | ".join(mbs(r[s][kind]) for s in SIDES) +
                         f" | {r['zvm dynamic'][kind] / r['bare'][kind]:.2f}"
                         f" | {r['zvm static'][kind] / r['bare'][kind]:.2f} |")
        med = {s: median(runs, s, kind) for s in SIDES}
        lines.append(f"| **median, {kind}** | " + " | ".join(f"**{mbs(med[s])}**" for s in SIDES) +
                     f" | **{med['zvm dynamic'] / med['bare']:.2f}**"
                     f" | **{med['zvm static'] / med['bare']:.2f}** |")
    lines += ["", f"Target: zvm / bare >= {TPUT_TARGET} on the median:"]
    for kind in KINDS:
        b = median(runs, "bare", kind)
        for side in SIDES[1:]:
            ratio = median(runs, side, kind) / b
            lines.append(f"- {pass_miss(ratio >= TPUT_TARGET)}: {kind}, {side} / bare = "
                         f"{ratio:.2f}")
    spread = {k: (min(r[s][k] for r in runs for s in SIDES),
                  max(r[s][k] for r in runs for s in SIDES)) for k in KINDS}
    lines += [
        "",
        "Noise: guest time here is host time, on a 2-core machine that other QEMUs",
        "share; the same side varies between runs by as much as the sides differ (all",
        "sides, this run: " + ", ".join(f"{k} {mbs(lo)}-{mbs(hi)} MB/s"
                                        for k, (lo, hi) in spread.items()) + ").",
        "Read the medians as a direction, not a measurement of zvm's overhead: that is",
        "the interrupt latency above (icount, deterministic).",
        "",
    ]
    return lines


def throughput(port, disk):
    runs = []
    for i in range(RUNS):
        run = {}
        benchlib.progress("passthrough run %d of %d: bare" % (i + 1, RUNS))
        run["bare"] = run_bare(port, disk)
        benchlib.progress("passthrough run %d of %d: zvm, dynamic pool" % (i + 1, RUNS))
        run["zvm dynamic"] = run_zvm(port, disk, False)
        benchlib.progress("passthrough run %d of %d: zvm, static pool" % (i + 1, RUNS))
        run["zvm static"] = run_zvm(port, disk, True)
        runs.append(run)
    return runs


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if os.path.exists(LOG):
        os.remove(LOG)
    benchlib.progress("passthrough: interrupt latency (icount)")
    lat = latencies()
    benchlib.progress("passthrough: tracing one interrupt's instructions under zvm")
    traced = passthrough_trace.trace()
    port = sink()
    with tempfile.TemporaryDirectory() as tmp:
        disk = tmp + "/disk.raw"
        with open(disk, "wb") as f:
            f.truncate(DISK_MIB << 20)
        runs = throughput(port, disk) if RUNS else []
    lines = [
        "# Passthrough: interrupt latency and QEMU's virtio devices, bare vs zvm",
        "",
        f"Produced by `BENCH=passthrough make bench` (bench/passthrough.py) at commit "
        f"`{benchlib.commit()}`.",
        "",
    ]
    lines += latency_lines(*lat)
    lines += trace_lines(traced)
    if runs:
        lines += throughput_lines(runs)
    benchlib.write_result(sys.argv[1], lines)


if __name__ == "__main__":
    main()
