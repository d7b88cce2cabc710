"""Scenario garbage: 64 KiB of raw binary input, then the shell still answers.

Every byte value is sent (fixed seed), raw, through a pipe: no terminal and
no QEMU mux in between, so 0x01 (Ctrl-A), 0x03 (Ctrl-C), ESC sequences,
NUL and 8-bit bytes all reach the guest UART.
"""
import random
import re

import pytest

from zvm import FATAL

GARBAGE_SEED = 20240601
GARBAGE_BYTES = 64 * 1024


@pytest.mark.time_limit(400)      # its waits allow 300 s each for 64 KiB
def test_binary_garbage(vm):
    garbage = random.Random(GARBAGE_SEED).randbytes(GARBAGE_BYTES)
    vm.send(garbage, timeout=300, stall=30)
    vm.send(b"\x03\n")
    vm.sync(timeout=300, stall=30)
    out = vm.lines("version")
    assert len(out) == 1 and re.match(r"zvm \S+ \(.+\) aarch64 EL2$", out[0]), out
    assert FATAL not in vm.transcript(), "a CPU died while taking the garbage"
    # Everything still works: the CPUs are up, the commands answer.
    rows = [l for l in vm.lines("cpus")[1:]]
    assert len(rows) == 4 and all(r.split()[1] == "online" for r in rows), rows
    assert vm.lines("log")[0].startswith("log level: ")
    # The editor's output is printable ASCII, BS, CR and LF only, whatever came in.
    raw = vm.log.text()
    bad = sorted({c for c in raw if not (" " <= c <= "~" or c in "\b\r\n")})
    assert not bad, "the console printed control/8-bit bytes %r" % bad
