#!/usr/bin/python3
"""
Boots the Linux guest's images (build/linux/Image, build/linux/initrd.cpio.gz)
bare on QEMU, without zvm, and checks them: the ready line, the shell, the
CPU count, cyclictest, Ctrl-C, and that powering off ends QEMU. Prints the
console transcript and the wall time from QEMU's start to the ready line.

    /usr/bin/python3 tests/system/linux_bare_check.py [--smp N] [--off CMD]

--off takes the command that ends the run: "poweroff -f" (default),
"poweroff", "reboot -f" or "reboot" (QEMU runs with -no-reboot, so a
reset ends it too). Not part of `make test`: the system tests boot zvm.
"""
import argparse
import os
import re
import sys
import time

import pexpect

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
QEMU = os.path.join(TOP, "scripts", "qemu-system.sh")   # zvm's QEMU
READY = "zvm-linux: ready"
PROMPT = "zvm-linux:~# "


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--off", default="poweroff -f")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--append", default="console=ttyAMA0 earlycon rdinit=/init")
    a = ap.parse_args()

    image = os.path.join(TOP, "build", "linux", "Image")
    initrd = os.path.join(TOP, "build", "linux", "initrd.cpio.gz")
    argv = ["-M", "virt,gic-version=3", "-cpu", "max,pauth-impdef=on",
            "-smp", str(a.smp), "-m", a.mem, "-nographic", "-nic", "none",
            "-no-reboot", "-kernel", image, "-initrd", initrd, "-append", a.append]
    print("$ scripts/qemu-system.sh " + " ".join(
        f'"{x}"' if " " in x else x for x in argv), flush=True)
    t0 = time.monotonic()
    q = pexpect.spawn(QEMU, argv, encoding="utf-8",
                      codec_errors="replace", timeout=a.timeout)
    q.logfile_read = sys.stdout
    failures = []
    ready = prompt = summary = None

    def cmd(line, timeout=None):
        q.sendline(line)
        q.expect_exact(PROMPT, timeout=timeout or a.timeout)
        return q.before

    try:
        q.expect_exact(READY)
        ready = time.monotonic() - t0
        q.expect_exact(PROMPT)
        prompt = time.monotonic() - t0

        out = cmd("cat /proc/cpuinfo | grep -c processor")
        if not re.search(rf"^{a.smp}\r*$", out, re.M):
            failures.append(f"expected {a.smp} processors")

        out = cmd("cyclictest -m -p99 -i1000 -l 100 -q")
        summary = re.search(r"^T: *0 .*Max: *\d+.*$", out, re.M)
        if not summary:
            failures.append("no cyclictest summary")

        # Ctrl-C reaches the foreground job: the shell has a controlling tty.
        q.sendline("sleep 100")
        q.expect_exact("sleep 100")
        time.sleep(1)
        q.sendcontrol("c")
        q.expect_exact(PROMPT, timeout=10)
        out = cmd("echo status=$?")
        if "status=130" not in out:
            failures.append("Ctrl-C did not interrupt sleep")

        q.sendline(a.off)
        q.expect(pexpect.EOF)
        q.close()
        if q.exitstatus != 0:
            failures.append(f"QEMU exited with {q.exitstatus} after {a.off!r}")
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        failures.append(f"{type(e).__name__}: {e}".splitlines()[0])
    finally:
        if q.isalive():
            q.terminate(force=True)

    print()
    if ready is not None:
        print(f"linux_bare_check: ready line after {ready:.2f} s (wall, from QEMU's start)")
    if prompt is not None:
        print(f"linux_bare_check: prompt after {prompt:.2f} s")
    if summary:
        print(f"linux_bare_check: cyclictest: {summary.group(0).strip()}")
    for f in failures:
        print(f"linux_bare_check: FAILED: {f}")
    print("linux_bare_check: " + ("ok" if not failures else "failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
