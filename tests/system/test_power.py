# SPDX-License-Identifier: MIT
"""Scenario power: `reboot` boots the machine again, `poweroff` ends QEMU with 0."""
from zvm import BOOT_TIMEOUT


def test_reboot_boots_again(vm):
    first = vm.banner_version
    vm.send("reboot\n")
    vm.expect("rebooting", "'rebooting'", exact=True)
    vm.wait_boot(timeout=BOOT_TIMEOUT)
    assert vm.boots == 2
    assert vm.banner_version == first
    assert "4 CPUs online" in vm.boot_output, vm.boot_output
    assert vm.lines("version")[0].startswith("zvm ")
    rows = vm.lines("cpus")[1:]
    assert len(rows) == 4 and all(r.split()[1] == "online" for r in rows), rows


def test_poweroff_exits_0(vm):
    status = vm.poweroff()
    assert status == 0, "QEMU exited with status %s after poweroff" % status
