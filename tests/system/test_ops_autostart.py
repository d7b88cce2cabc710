# SPDX-License-Identifier: MIT
"""Scenario ops_autostart: VMs marked `autostart = <N>` in the VM config start
at boot in that order, with nobody at the console (virt/autostart.c).

zvm boots with tests/system/configs/autostart.dts, given by absolute path
(ZVM_VMS, as `scripts/run.sh --vm FILE` and `make run VM=FILE` give it): the
mixed deployment of configs/mixed.dts (the RTOS VM with its periodic task,
then the Linux VM) with a VM between the two that cannot be made. The
broken VM is reported and the other two still start. A VM config that is
missing or too big is refused before QEMU starts.
"""
import os
import re
import subprocess

import pytest

from zvm import QEMU_SH, TOP, zvm_info
from test_linux import PERIODIC_RE, READY

CONFIG = os.path.join(TOP, "tests", "system", "configs", "autostart.dts")
os.environ["ZVM_VMS"] = CONFIG      # the `vm` fixture's QEMU boots with it

pytestmark = pytest.mark.time_limit(300)

AUTOSTART = [
    r"<inf> autostart: 3 VMs in order: rtos broken linux",
    r"<inf> autostart: VM 0 \(rtos\) running",
    r"<err> autostart: template 'broken' failed: memory must be 16\.\.1024 MiB \(got 8 MiB\)",
    r"<inf> autostart: VM 1 \(linux\) running",
    r"<inf> autostart: done",
]


def test_mixed_deployment_comes_up_without_typing(vm):
    vm.guests.update({"rtos", "linux"})
    ends = []
    for line in AUTOSTART:
        m = vm.wait_for(r"\[ *\d+\.\d{6}\] c\d %s$" % line, line, timeout=120, strip=True)
        ends.append(m.end())
    assert ends == sorted(ends), "the autostart lines came out of order: %s" % ends
    vm.wait_for(r"^\[linux\] %s$" % re.escape(READY), "the Linux VM's ready line", timeout=180,
                strip=False)
    vm.wait_for(PERIODIC_RE, "a report of the RTOS VM's periodic task", timeout=60)
    rows = zvm_info(vm)
    assert sorted(rows) == [0, 1], rows
    assert (rows[0]["name"], rows[0]["state"]) == ("rtos", "running"), rows
    assert (rows[1]["name"], rows[1]["state"]) == ("linux", "running"), rows


def qemu_sh(vms, cwd=TOP):
    env = dict(os.environ, ZVM_VMS=vms)
    return subprocess.run([QEMU_SH, "-display", "none"], cwd=cwd, env=env, timeout=60,
                          capture_output=True, text=True)


def test_missing_vm_config_is_refused_before_qemu_starts():
    r = qemu_sh("no/such/vms.dts", cwd=os.path.join(TOP, "tests"))
    assert r.returncode == 2, r
    assert r.stderr.strip() == "qemu.sh: VM config 'no/such/vms.dts' not found", r.stderr


def test_vm_config_too_big_is_refused_before_qemu_starts(tmp_path):
    big = tmp_path / "big.dts"
    big.write_text("/dts-v1/;\n/ { blob = [%s]; };\n" % ("00 " * 70000))
    r = qemu_sh(str(big))
    assert r.returncode == 2, r
    assert re.fullmatch(r"qemu\.sh: VM config '.*big\.dts' is \d+ bytes compiled: more than "
                        r"its room of 65536 bytes", r.stderr.strip()), r.stderr
