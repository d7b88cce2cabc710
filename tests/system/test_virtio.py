"""Scenario virtio: the virtio devices zvm emulates itself (virt/virtio/).

Contract (configs/vms.dts, docs/vm-config.md, include/zvm/virtio.h):
- The `linux` template has a virtio console (hvc0) and a virtio-blk disk
  (/dev/vda, the ext4 image the build makes from guests/disk/).
- The guest mounts the ext4 file system; what it writes survives a guest
  `reboot` and a `zvm reset` (the disk lives in host memory).
- hvc0 output reaches the host console as `[linux:hvc] ...` lines; keys
  typed in `zvm look -n ID --hvc` reach the guest's hvc0.
- A disk belongs to one VM at a time: a second VM naming it is refused,
  and the disk is free again once its VM is deleted.
- A hostile ring (the RTOS guest's `attack virtio-*`: a buffer outside the
  VM, a descriptor loop, a 4 GiB length, an available index far ahead) is
  refused: the host logs one line naming the VM and the fault, the device
  reports DEVICE_NEEDS_RESET and a configuration interrupt to the guest,
  and the host shell and the Linux VM carry on.
"""
import os
import re

import pytest

from zvm import CTRL_X, PROMPT, find, zvm_info
from test_linux import (lx, lx_lines, lx_sync, one, wait_linux_boot, wait_lx)

pytestmark = pytest.mark.time_limit(300)    # a test may boot Linux twice

LX, RT = 0, 1
TAG = "zv%d" % os.getpid()     # typed lines stay short: the guest's editor wraps at 80
README = "This file was put on the disk by the build (scripts/disk-image.sh)."


def lx_attach(vm):
    vm.attach(LX, sync=False)
    lx_sync(vm)
    lx(vm, "dmesg -n 1")        # kernel messages to the log only, not the console


def lx_here(vm):
    """Attached to the Linux VM's shell, from wherever the console is (a
    test that failed before may have left it at the host's)."""
    if vm.attached != LX:
        vm.home()
        lx_attach(vm)


def mount(vm):
    return lx_lines(vm, "mount -t ext4 /dev/vda /mnt && ls -1 /mnt")


def test_linux_sees_its_virtio_devices(vm):
    assert one(vm, "zvm new -t linux") == \
        "VM %d created: linux (linux), 2 vCPU, 512 MiB, CPUs 2,3, priority 10" % LX
    vm.guests.update({"linux", "linux:hvc"})
    mark = vm.mark()
    assert one(vm, "zvm run -n %d" % LX) == "VM %d running" % LX
    wait_linux_boot(vm, mark, "the first boot")
    find(r"virtio_blk virtio\d+: \[vda\] 65536 512-byte logical blocks",
         vm.since(mark), "the kernel finding the 32 MiB disk")
    lx_attach(vm)
    assert lx_lines(vm, "cat /sys/block/vda/size") == ["65536"]
    assert lx_lines(vm, "ls -1 /dev/hvc0 /dev/vda") == ["/dev/hvc0", "/dev/vda"]


def test_ext4_write_survives_guest_reboot(vm):
    lx_here(vm)
    files = mount(vm)
    assert "README" in files, files
    assert lx_lines(vm, "cat /mnt/README") == [README]
    assert lx_lines(vm, "echo %s-rb > /mnt/rb.txt && sync && echo synced" % TAG) == \
        ["synced"]
    mark = vm.mark()
    vm.send("reboot\n")
    wait_lx(vm, r"^VM %d: guest asked for a reset$" % LX, "the reset request", mark)
    wait_linux_boot(vm, mark, "the boot after the guest's reboot")
    lx_sync(vm)
    lx(vm, "dmesg -n 1")
    assert "rb.txt" in mount(vm)
    assert lx_lines(vm, "cat /mnt/rb.txt") == ["%s-rb" % TAG]


def test_ext4_write_survives_zvm_reset(vm):
    lx_here(vm)
    assert lx_lines(vm, "echo %s-rs > /mnt/rs.txt && sync && echo synced" % TAG) == \
        ["synced"]
    vm.detach()
    mark = vm.mark()
    assert one(vm, "zvm reset -n %d" % LX) == "VM %d reset and running" % LX
    wait_linux_boot(vm, mark, "the boot after zvm reset")
    lx_attach(vm)
    mount(vm)
    assert lx_lines(vm, "cat /mnt/rb.txt /mnt/rs.txt") == \
        ["%s-rb" % TAG, "%s-rs" % TAG]


def test_hvc_output_reaches_the_host(vm):
    lx_here(vm)
    mark = vm.mark()
    lx(vm, "echo hvc-out-$((6*7)) > /dev/hvc0")
    vm.wait_for(r"^\[linux:hvc\] hvc-out-42$", "the guest's hvc0 line on the host", mark)


def test_typing_into_hvc_from_the_host(vm):
    lx_here(vm)
    lx(vm, "head -n1 /dev/hvc0 > /tmp/hvc.txt &")
    vm.detach()
    vm.send("zvm look -n %d --hvc\n" % LX)
    vm.expect(vm.tolerant("attached to VM %d (linux) hvc0; Ctrl-X returns to the host "
                          "shell\r\n" % LX), "the 'attached ... hvc0' line")
    vm.send("typed-into-hvc-%d\r" % os.getpid())
    vm.send(CTRL_X)
    vm.expect(vm.tolerant("detached from VM %d\r\n" % LX), "'detached' after Ctrl-X")
    vm.expect(vm.tolerant(PROMPT), "the host prompt after detaching")
    vm.attach(LX, sync=False)
    lx_sync(vm)
    lx(vm, "wait")          # takes the shell's "[1]+ Done" notice, whenever it comes
    assert lx_lines(vm, "cat /tmp/hvc.txt") == ["typed-into-hvc-%d" % os.getpid()]


def test_look_hvc_needs_a_virtio_console(vm):
    vm.home()
    assert one(vm, "zvm look -n 5 --hvc") == "error: no VM with id 5"


def test_a_disk_belongs_to_one_vm(vm):
    assert one(vm, "zvm new -t linux -n other") == \
        "error: disk 'linux-disk' is in use by VM %d (linux): one VM at a time" % LX
    assert list(zvm_info(vm)) == [LX]


def test_hostile_rings_are_refused(vm):
    attacks = [
        ("virtio-addr", r"descriptor 0 \[0x[0-9a-f]+, \+64\) is not readable RAM of the VM"),
        ("virtio-loop", r"descriptor chain from 0 loops back to 0"),
        ("virtio-len", r"descriptor 0 \[0x[0-9a-f]+, \+4294967295\) is not readable RAM "
                       r"of the VM"),
        ("virtio-index", r"available index jumped from 0 to 1000 \(queue size 8\)"),
    ]
    assert one(vm, "zvm new -t rtos").startswith("VM %d created: rtos (rtos)" % RT)
    vm.guests.add("rtos")
    assert one(vm, "zvm run -n %d" % RT) == "VM %d running" % RT
    vm.attach(RT)
    for mode, why in attacks:
        mark = vm.mark()
        out = vm.guest_cmd("attack " + mode)
        # The guest sees NEEDS_RESET (64) and the config-change interrupt (2); nothing used.
        find(r"^attack: %s: device 3 status 0x4f \(NEEDS_RESET\), interrupt status 0x2, "
             r"used 0$" % mode, out, "the guest's view of attack " + mode)
        vm.wait_for(r"<wrn> VM %d \(rtos\) virtio-console@0xa000000: %s: device needs "
                    r"reset$" % (RT, why), "the host's line about attack " + mode, mark)
        assert len(re.findall("device needs reset", vm.since(mark))) == 1
    vm.detach()
    rows = zvm_info(vm)
    assert (rows[LX]["state"], rows[RT]["state"]) == ("running", "running"), rows
    lx_attach(vm)
    assert lx_lines(vm, "echo alive-$((1+1))") == ["alive-2"]
    assert lx_lines(vm, "cat /mnt/rs.txt") == ["%s-rs" % TAG]


def test_disk_is_free_after_delete(vm):
    vm.home()
    assert one(vm, "zvm delete -n %d" % LX) == "VM %d deleted" % LX
    vm.guests.difference_update({"linux", "linux:hvc"})
    assert one(vm, "zvm new -t linux").startswith("VM %d created: linux (linux)" % LX)
    assert one(vm, "zvm delete -n %d" % LX) == "VM %d deleted" % LX
    assert one(vm, "zvm delete -n %d" % RT) == "VM %d deleted" % RT
    vm.guests.discard("rtos")
