# SPDX-License-Identifier: MIT
"""QEMU's own instruction trace, for the benchmarks that count instructions
(bench/passthrough_trace.py, bench/rt_pools_trace.py): its human monitor on a
UNIX socket, which turns `one-insn-per-tb` and `log exec,nochain` on and off
while the guest runs, and the reader of the log that this writes (-D FILE):
one line per executed instruction, with the CPU, its PC, its translation
flags (the MMU index in them gives the exception level) and zvm's symbol.
"""
import bisect
import re
import socket
import subprocess
import time

TRACE_LINE = re.compile(
    r"^Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/[0-9a-f]+\] ?(\S*)")
# QEMU's line when the block just logged was left before its first instruction
# (under icount: the CPU's budget ran out there); it runs again, logged again.
STOPPED_LINE = re.compile(r"^Stopped execution of TB chain before \S+ \[([0-9a-f]+)\]")
MMU_IDX_EL2 = 6  # in the flags: 6 = EL2 (non-secure, E2H off), 2 = EL1


class Monitor:
    """QEMU's human monitor on a UNIX socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        for _ in range(100):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.read_prompt()

    def read_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            buf += self.sock.recv(4096)

    def cmd(self, line):
        self.sock.sendall((line + "\n").encode())
        self.read_prompt()

    def trace(self, on):
        """Every instruction into the log (on) or nothing (off)."""
        self.cmd("one-insn-per-tb " + ("on" if on else "off"))
        self.cmd("log " + ("exec,nochain" if on else "none"))


def exec_lines(path, cpu):
    """CPU cpu's executed instructions in the log at path, in order:
    (el, pc, zvm symbol). A block logged and then stopped before it ran is
    not counted (one thread logs for all CPUs: the stop is the last line's)."""
    lines, last_cpu = [], None
    with open(path) as f:
        for l in f:
            m = TRACE_LINE.match(l)
            if m:
                last_cpu = int(m.group(1))
                if last_cpu == cpu:
                    el = 2 if (int(m.group(3), 16) >> 4) & 0xf == MMU_IDX_EL2 else 1
                    lines.append((el, int(m.group(2), 16), m.group(4)))
                continue
            m = STOPPED_LINE.match(l)
            if m and last_cpu == cpu and lines and lines[-1][1] == int(m.group(1), 16):
                lines.pop()
                last_cpu = None
    return lines


def elf_symbols(elf):
    """The function symbols of elf: (sorted addresses, names)."""
    out = subprocess.run(["aarch64-linux-gnu-nm", "-n", elf], capture_output=True,
                         text=True, check=True).stdout
    syms = [(int(p[0], 16), p[2]) for p in (l.split() for l in out.split("\n"))
            if len(p) == 3 and p[1] in "tTwW"]
    return [a for a, _ in syms], [n for _, n in syms]


def namer(elf):
    """A function naming a PC of elf's code."""
    addrs, names = elf_symbols(elf)
    return lambda pc: names[bisect.bisect_right(addrs, pc) - 1]


def wfi_addresses(elf):
    """The addresses of elf's WFI instructions."""
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", elf], capture_output=True,
                         text=True, check=True).stdout
    return {int(m.group(1), 16) for m in re.finditer(r"^\s*([0-9a-f]+):\s+d503207f\s", out,
                                                     re.M)}
