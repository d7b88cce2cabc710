#!/usr/bin/python3
"""virtio-blk sequential throughput in the Linux guest: zvm's own virtio-blk
against QEMU's, with the same kernel and initramfs.

Usage: bench/virtio_blk.py OUTPUT.md

- zvm: `zvm new -t linux` (its disk is build/disk/linux-disk.ext4, 32 MiB,
  served by zvm from host memory).
- QEMU: the same kernel bare on QEMU virt, 2 CPUs, 512 MiB, with QEMU's
  virtio-blk on virtio-mmio (modern: force-legacy=false) backed by a copy
  of the same image (-drive file=...,if=none,id=d -device virtio-blk-device).

In the guest: `dd bs=1M iflag=direct` reads the whole raw disk ROUNDS times,
then `dd bs=1M oflag=direct` writes it ROUNDS times; elapsed guest time
comes from /proc/timer_list ("now at N nsecs"). Without -icount: guest time
is host time (see the notes written with the result for why not icount).
Each setup boots RUNS times, alternating; the best figure of each counts.
"""
import os
import re
import shutil
import sys
import tempfile

import pexpect

import benchlib

ROUNDS = 8
RUNS = 3
DISK = "build/disk/linux-disk.ext4"
DISK_MIB = 32
ICOUNT = "-icount shift=0,sleep=off"
ARGS = "console=ttyAMA0 earlycon rdinit=/init"
BARE = (benchlib.QEMU + " -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp 2 "
        "-m 512M -nic none -display none -monitor none -serial stdio {icount} "
        "-global virtio-mmio.force-legacy=false "
        "-drive file={disk},if=none,id=d,format=raw -device virtio-blk-device,drive=d "
        "-kernel build/linux/Image -initrd build/linux/initrd.cpio.gz -append '" + ARGS + "'")
ZVM = "scripts/qemu.sh {icount} -display none -monitor none -serial stdio"
PROMPT = "zvm-linux:~# "
LOG = "build/bench-virtio.log"         # the consoles of every run, for when one hangs
STEP_TIMEOUT = 300
NOW = "sed -n 's/^now at \\([0-9]*\\) nsecs$/\\1/p' /proc/timer_list | head -n1"
READ = "dd if=/dev/vda of=/dev/null bs=1M iflag=direct"
WRITE = "dd if=/dev/zero of=/dev/vda bs=1M count=%d oflag=direct" % DISK_MIB
RESULT = re.compile(r"(read|write)-ns (\d+) (\d+)\r*\n")


def script(name, cmd):
    """Shell code: time ROUNDS runs of cmd, print 'name-ns START END'."""
    return ("s=$(%s); for i in $(seq %d); do %s 2>/dev/null; done; e=$(%s); "
            "echo %s-ns $s $e" % (NOW, ROUNDS, cmd, NOW, name))


def measure(q):
    """At the guest's prompt: {'read': MB/s, 'write': MB/s}. One command line
    for both (a second long line typed into bare QEMU's PL011 was not taken)."""
    out = {}
    q.sendline(script("read", READ) + "; " + script("write", WRITE))
    for _ in range(2):
        q.expect(RESULT)
        ns = int(q.match.group(3)) - int(q.match.group(2))
        out[q.match.group(1)] = ROUNDS * DISK_MIB * 1048576 / ns * 1e3   # MB/s (10^6 B)
    q.expect_exact(PROMPT)
    return out


def spawn(cmd):
    q = benchlib.spawn(cmd, timeout=STEP_TIMEOUT)
    q.logfile_read = open(LOG, "a")
    q.logfile_read.write("\n==== " + cmd + "\n")
    return q


def run_bare(icount):
    with tempfile.TemporaryDirectory() as tmp:
        disk = tmp + "/disk.img"
        shutil.copyfile(DISK, disk)
        q = spawn(BARE.format(icount=icount, disk=disk))
        q.expect_exact("zvm-linux: ready")
        q.expect_exact(PROMPT)
        result = measure(q)
        # Killed, not powered off: bare QEMU's guest here sometimes stopped taking
        # input after the measurement (a long line typed into its PL011).
        q.terminate(force=True)
    return result


def run_zvm(icount):
    q = spawn(ZVM.format(icount=icount))
    vm = benchlib.start_vm(q, "-t linux")
    q.expect_exact("zvm-linux: ready")
    q.sendline("zvm look -n " + vm)
    q.expect_exact("Ctrl-X returns")
    q.sendline("")
    q.expect_exact(PROMPT)
    result = measure(q)
    q.send("\x18")
    q.expect_exact("zvm_host:~# ")
    q.sendline("poweroff")
    q.expect(pexpect.EOF)
    return result


def rows(label, bare, zvm):
    return [f"| {label}, {k} (MB/s) | {bare[k]:.0f} | {zvm[k]:.0f} | {zvm[k] / bare[k]:.2f} |"
            for k in ("read", "write")]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if os.path.exists(LOG):
        os.remove(LOG)
    bare, zvm = [], []
    for _ in range(RUNS):
        bare.append(run_bare(""))
        zvm.append(run_zvm(""))
    lines = [
        "# virtio-blk: zvm's device vs QEMU's",
        "",
        f"Produced by `make bench` (bench/virtio_blk.py) at commit `{benchlib.commit()}`.",
        f"- QEMU's virtio-blk: `{BARE.format(icount='', disk='COPY')}`",
        f"- zvm's virtio-blk: `{ZVM.format(icount='')}`, `zvm new -t linux`",
        f"- in the guest, {ROUNDS} rounds each of `{READ}` (the whole {DISK_MIB} MiB disk) "
        f"and `{WRITE}`; guest time from /proc/timer_list",
        "",
        "| run | QEMU | zvm | zvm / QEMU |",
        "|---|---:|---:|---:|",
    ]
    best = lambda runs: {k: max(r[k] for r in runs) for k in ("read", "write")}
    lines += rows(f"best of {RUNS}", best(bare), best(zvm))
    for i, (b, z) in enumerate(zip(bare, zvm)):
        lines += rows(f"run {i + 1}", b, z)
    lines += [
        "",
        "Target: zvm / QEMU >= 0.95. MB/s = 10^6 bytes per second of guest time.",
        "",
        "Why the target is missed here: QEMU's device copies the data with the host's",
        "native memcpy, in its own thread; zvm's device is code of the emulated machine,",
        "so every byte it copies is an emulated load and store (TCG), on a vCPU thread of",
        "a 4-CPU QEMU that shares this machine's 2 cores with the bare run's neighbours.",
        "On hardware both copies would run natively. picolibc's memcpy in this build is a",
        "byte loop; copying guest data 32 bytes per step (virt/virtio/virtqueue.c) took",
        "zvm from about 0.2 to 0.4-0.9 of QEMU (runs here vary that much).",
        "",
        "Why not -icount: under icount guest time counts the instructions the CPUs run.",
        "zvm's copies run on the guest's own vCPU (at EL2) and are counted; QEMU's device",
        "model runs in QEMU's own threads and costs no guest time, while the guest waits in",
        "WFI and, with sleep=off, its clock jumps to the next timer event. The ratio would",
        "compare zvm's copy cost with QEMU's timer granularity, not two devices (one bare",
        "run under icount: 256 MiB read in 6.6 s of guest time for 0.5 s of host time). So",
        "guest time is host time; the figures vary with the load on this 2-core machine",
        "(other QEMUs ran beside it).",
        "",
    ]
    benchlib.write_result(sys.argv[1], lines)


if __name__ == "__main__":
    main()
