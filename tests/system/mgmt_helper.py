# SPDX-License-Identifier: MIT
"""Helpers for the management tests: a zvm booted with its control channel
on a socket of its own, and tools/zvmctl run against it."""
import json
import os
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tools"))
sys.path.insert(0, os.path.dirname(__file__))

import zvm_mgmt as zm  # noqa: E402
from zvm import Zvm  # noqa: E402

ZVMCTL = os.path.join(TOP, "tools", "zvmctl")
TOKEN_RE = r"mgmt: control channel on (virtio-mmio@0x[0-9a-f]+ irq \d+); token ([0-9a-f]+)"


class MgmtZvm:
    """zvm in QEMU with the channel on build/mgmt-<scenario>.sock; .token from its boot line."""

    def __init__(self, scenario):
        self.sock = os.path.join(TOP, "build", "mgmt-%s.sock" % scenario)
        old = os.environ.get("ZVM_MGMT")
        os.environ["ZVM_MGMT"] = self.sock      # read by scripts/qemu.sh
        try:
            self.vm = Zvm(scenario).start()
        finally:
            if old is None:
                del os.environ["ZVM_MGMT"]
            else:
                os.environ["ZVM_MGMT"] = old
        found = self.vm.wait_for(TOKEN_RE, "the channel's boot line")
        self.where, self.token = found.group(1), found.group(2)

    def client(self, **kw):
        return zm.Client(self.sock, self.token, **kw)

    def zvmctl(self, *args, timeout=120, token=None):
        """Run zvmctl; (exit code, stdout, stderr)."""
        cmd = [sys.executable, ZVMCTL, "--connect", self.sock,
               "--token", self.token if token is None else token] + [str(a) for a in args]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=TOP)
        return res.returncode, res.stdout, res.stderr

    def zvmctl_json(self, *args, **kw):
        rc, out, err = self.zvmctl("--json", *args, **kw)
        assert rc == 0, "zvmctl %s: exit %d: %s" % (" ".join(map(str, args)), rc, err)
        return json.loads(out)

    def info_rows(self):
        """`zvm info` at the console: {id: {name, state, vcpus, cpus, mem}}."""
        rows = {}
        for line in self.vm.lines("zvm info")[1:]:
            f = line.split()
            if len(f) >= 8 and f[0].isdigit():     # ID NAME TYPE VCPUS CPUS PRIO MEM_MB STATE
                rows[int(f[0])] = {"name": f[1], "vcpus": int(f[3]), "cpus": f[4],
                                   "mem_mb": int(f[6]), "state": f[7]}
        return rows

    def close(self):
        self.vm.close()
