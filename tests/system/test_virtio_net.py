# SPDX-License-Identifier: MIT
"""Scenario virtio_net: two Linux VMs on zvm's virtual switch.

Contract (configs/vms.dts, virt/virtio/virtio_net.c, virt/virtio/vswitch.c):
- `linux` and `linux2` each have a virtio-net device (eth0) with the MAC
  02:5a:56:<vm id>:00:<device index>, all on one switch inside zvm.
- The switch learns MACs and floods broadcasts (ARP), so the VMs ping each
  other and move data with busybox nc; the data arrives intact.
- Each comes up with eth0 at 10.0.0.<VM id + 1>/24, its prompt zvm-<VM name>.
"""
import re
import time

import pytest

from zvm import find, zvm_info
from test_linux import (LINUX_CMD_TIMEOUT, PROMPTS, lx, lx_lines, lx_sync, one, wait_lx)

A, B = 0, 1
IP = {A: "10.0.0.1", B: "10.0.0.2"}
MAC = {A: "02:5a:56:00:00:02", B: "02:5a:56:01:00:01"}
KIB = 2048
PROMPTS[B] = "zvm-linux2:~# \x1b[6n"    # zvm-<VM name>

pytestmark = pytest.mark.time_limit(300)    # two Linux boots


def use(vm, vm_id):
    """Attach to vm_id's PL011 shell (detaching from the other first)."""
    if vm.attached == vm_id:
        return
    vm.home()
    vm.attach(vm_id, sync=False)
    lx_sync(vm)


def test_two_linux_vms_boot(vm):
    assert one(vm, "zvm new -t linux").startswith("VM %d created: linux (linux)" % A)
    assert one(vm, "zvm new -t linux2").startswith("VM %d created: linux2 (linux2)" % B)
    vm.guests.update({"linux", "linux2", "linux:hvc", "linux2:hvc"})
    mark = vm.mark()
    assert one(vm, "zvm run -n %d" % A) == "VM %d running" % A
    assert one(vm, "zvm run -n %d" % B) == "VM %d running" % B
    for name in ("linux", "linux2"):
        # Not anchored at the line start: a VM's line may follow the host prompt.
        wait_lx(vm, r"\[%s\] zvm-linux: ready$" % name, "%s's ready line" % name, mark)
        wait_lx(vm, r"\[%s\] Enter 'help' for a list of built-in commands\.$" % name,
                "%s's shell" % name, mark)
    for vm_id in (A, B):
        use(vm, vm_id)
        lx(vm, "dmesg -n 1")
        assert lx_lines(vm, "cat /sys/class/net/eth0/address") == [MAC[vm_id]]
        # Up at boot with 10.0.0.<VM id + 1>/24 (guests/linux/init).
        assert lx_lines(vm, "ip addr show dev eth0 | grep -o 'inet [0-9./]*'") == \
            ["inet %s/24" % IP[vm_id]]
        assert "UP" in lx(vm, "ip link show eth0")


def test_ping_both_ways(vm):
    for src, dst in ((B, A), (A, B)):
        use(vm, src)
        out = lx(vm, "ping -c 3 %s" % IP[dst], timeout=LINUX_CMD_TIMEOUT)
        find(r"^3 packets transmitted, 3 packets received, 0% packet loss$", out,
             "ping from VM %d to VM %d" % (src, dst))


def test_nc_transfer(vm):
    use(vm, B)
    lx(vm, "nc -l -p 5000 | md5sum > /tmp/rx.md5 &")
    use(vm, A)
    lx(vm, "dd if=/dev/urandom of=/tmp/tx bs=1k count=%d 2>/dev/null" % KIB)
    sent = lx_lines(vm, "md5sum < /tmp/tx")
    t0 = time.monotonic()
    assert lx_lines(vm, "nc %s 5000 < /tmp/tx && echo sent" % IP[B],
                    timeout=LINUX_CMD_TIMEOUT) == ["sent"]
    elapsed = time.monotonic() - t0
    print("nc: %d KiB from VM %d to VM %d in %.2f s of host time" % (KIB, A, B, elapsed))
    use(vm, B)
    # The shell's "[1]+ Done ..." notice comes out with the next command,
    # whenever the job ended: let `wait` take it, then read the sum.
    lx(vm, "wait")
    assert lx_lines(vm, "cat /tmp/rx.md5") == sent


def test_switch_learned_and_vms_fine(vm):
    vm.home()
    rows = zvm_info(vm)
    assert (rows[A]["state"], rows[B]["state"]) == ("running", "running"), rows
    assert one(vm, "zvm delete -n %d" % B) == "VM %d deleted" % B
    vm.guests.difference_update({"linux2", "linux2:hvc"})
    # With B gone, its MAC is forgotten: A's ping gets no answer, and A carries on.
    use(vm, A)
    out = lx(vm, "ping -c 1 -W 1 %s; echo rc=$?" % IP[B], timeout=LINUX_CMD_TIMEOUT)
    assert re.search(r"^rc=1$", out, re.M), out
    vm.detach()
    assert one(vm, "zvm delete -n %d" % A) == "VM %d deleted" % A
    vm.guests.difference_update({"linux", "linux:hvc"})
