# SPDX-License-Identifier: MIT
"""Driving zvm's host shell for the pools benchmarks (bench/rt_pools.py,
bench/rt_pools_trace.py): the config and icount they share, the serial
console, making a VM, booting a Linux VM with CPU hogs."""
import re
import time

import pexpect

import benchlib

ICOUNT = "-icount shift=0,sleep=off"
CONFIG = "bench/configs/rt-pools.dts"
RT_CPU = 1
HOST = "zvm_host:~# "
LINUX = "zvm-linux:~# "


class Console:
    """QEMU's serial console; everything read is kept in `text`, so a line
    is found wherever it came (between a command's echo and its answer)."""

    def __init__(self, cmd):
        self.q = benchlib.spawn(cmd)
        self.text = ""

    def wait(self, pattern, since, timeout=900):
        """The first match of pattern in text[since:], reading until it comes."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, since)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no /%s/ in %d s; last output:\n%s"
                                   % (pattern, timeout, self.text[-2000:]))
            try:
                self.text += self.q.read_nonblocking(65536, timeout=min(left, 5)).replace(
                    "\r", "")
            except pexpect.TIMEOUT:
                pass

    def cmd(self, line, expect=None, prompt=HOST, timeout=300):
        """Type line, wait for the prompt after it: the answer (checked against expect)."""
        mark = len(self.text)
        self.q.sendline(line)
        m = self.wait(re.escape(prompt), mark + len(line), timeout)
        out = self.text[mark:m.start()]
        if expect and not re.search(expect, out, re.M):
            raise RuntimeError("%r answered %r" % (line, out))
        return out


def new_vm(c, args):
    return c.cmd("zvm new " + args, r"VM (\d+) created").split("VM ")[1].split()[0]


def start_linux_hogs(c, args="", hogs=2):
    """A Linux VM (`zvm new -t linux ARGS`), booted, with `hogs` times `yes`; its id."""
    vid = new_vm(c, "-t linux " + args)
    mark = len(c.text)
    c.cmd("zvm run -n " + vid, "running")
    c.wait(r"^\[linux\] zvm-linux: ready$", mark)
    c.cmd("zvm look -n " + vid, prompt="Ctrl-X returns to the host shell")
    c.cmd("", prompt=LINUX)
    c.cmd(" ".join(["yes >/dev/null &"] * hogs), prompt=LINUX)
    c.cmd("pidof yes", r"^\d+" + r" \d+" * (hogs - 1) + "$", prompt=LINUX)
    c.q.send("\x18")
    c.wait(re.escape(HOST), len(c.text))
    return vid
