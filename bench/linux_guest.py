#!/usr/bin/python3
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


def run_zvm():
    q = benchlib.spawn(ZVM)
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


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    b_boot, b_ct = run_bare()
    z_boot, z_ct = run_zvm()
    commit = benchlib.commit()
    ratio = lambda z, b: f"{z / b:.2f}" if b else "n/a"
    lines = [
        "# Linux guest: bare vs under zvm",
        "",
        f"Produced by `make bench` (bench/linux_guest.py) at commit `{commit}`.",
        f"- bare: `{BARE}`",
        f"- zvm: `{ZVM}`, then `zvm new -t linux`, `zvm run`, `zvm look`",
        f"- cyclictest in the guest: `{CYCLICTEST}`",
        "",
        "Guest time under icount (1 instruction = 1 ns).",
        "",
        "| item | bare | zvm | ratio |",
        "|---|---:|---:|---:|",
        f"| boot to /init (s) | {b_boot:.3f} | {z_boot:.3f} | {ratio(z_boot, b_boot)} |",
        f"| cyclictest min (us) | {b_ct[0]} | {z_ct[0]} | {ratio(z_ct[0], b_ct[0])} |",
        f"| cyclictest avg (us) | {b_ct[1]} | {z_ct[1]} | {ratio(z_ct[1], b_ct[1])} |",
        f"| cyclictest max (us) | {b_ct[2]} | {z_ct[2]} | {ratio(z_ct[2], b_ct[2])} |",
        "",
        "Targets: boot ratio <= 1.10, cyclictest max ratio <= 1.10.",
        "",
    ]
    benchlib.write_result(sys.argv[1], lines)


if __name__ == "__main__":
    main()
