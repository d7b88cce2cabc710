# SPDX-License-Identifier: MIT
"""Scenario passthrough: host devices a VM owns (docs/passthrough.md).

zvm boots with tests/system/configs/passthrough.dts (the shipped templates
plus rtos-io, steal-uart, steal-mgmt) and a QEMU monitor on a socket, so the
test can press QEMU virt's power button (`system_powerdown` pulses PL061
line 3).

- The RTOS VM `rtos-io` gets QEMU's PL031 RTC (named by host path) and PL061
  GPIO (named by address); its own drivers (guests/rtos/pl031.c, pl061.c)
  read the clock, take the RTC's alarm interrupt and the GPIO's edge
  interrupt (real interrupts of the host's devices, delivered
  hardware-linked), and drive a GPIO line.
- A second VM cannot have the same device while the first exists; deleting
  the first gives it back.
- The host's console UART and the page of its management channel are never
  given away.
"""
import os
import re
import socket

import pytest

from zvm import TOP, LOG_DIR, find, zvm_info

CONFIG = os.path.join(TOP, "tests", "system", "configs", "passthrough.dts")
MONITOR = os.path.join(LOG_DIR, "passthrough.monitor")
os.environ["ZVM_VMS"] = CONFIG
os.environ["ZVM_QEMU_EXTRA"] = "-monitor unix:%s,server=on,wait=off" % MONITOR

pytestmark = pytest.mark.time_limit(300)

EPOCH_2020 = 1577836800
state = {}


def monitor(command):
    """One command on QEMU's human monitor."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(MONITOR)
    try:
        s.recv(4096)  # the banner and prompt
        s.sendall((command + "\n").encode())
        s.recv(4096)
    finally:
        s.close()


def one(vm, line):
    out = vm.lines(line)
    assert len(out) == 1, "%r answered %r" % (line, out)
    return out[0]


def test_rtos_vm_gets_rtc_and_gpio(vm):
    mark = vm.mark()
    out = vm.cmd("zvm new -t rtos-io")
    assert "VM 0 created: rtos-io" in out, out
    out = vm.since(mark)
    assert re.search(r"<inf> VM 0 \(rtos-io\): passthrough /pl031@9010000 "
                     r"\[0x9010000, \+0x1000\)", out), out
    assert re.search(r"<inf> VM 0 \(rtos-io\): passthrough /pl061@9030000 "
                     r"\[0x9030000, \+0x1000\)", out), out
    vm.guests.add("rtos-io")
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    state["id"] = 0


def rtc_seconds(text):
    return int(find(r"rtc: (\d+) s since 1970", text, "the RTC's reading").group(1))


def test_rtos_reads_the_rtc_and_takes_its_alarm_interrupt(vm):
    vm.attach(0)
    first = rtc_seconds(vm.guest_cmd("rtc"))
    assert first > EPOCH_2020, "the PL031 reads %d: not the board's clock" % first
    out = vm.guest_cmd("rtc alarm 2", timeout=30)
    m = find(r"rtc: alarm interrupt \(INTID 34\) at (\d+) s, after (\d+) ms", out,
             "the alarm interrupt")
    assert int(m.group(1)) >= first + 2, out
    second = rtc_seconds(vm.guest_cmd("rtc"))
    assert second >= first + 2, "the clock did not advance: %d then %d" % (first, second)


def test_rtos_drives_a_gpio_line(vm):
    if vm.attached is None:
        vm.attach(0)
    assert "gpio: line 0 = 1 (data 0x01)" in vm.guest_cmd("gpio set 0 1")
    assert "gpio: data 0x01 dir 0x01" in vm.guest_cmd("gpio")
    assert "gpio: line 0 = 0 (data 0x00)" in vm.guest_cmd("gpio set 0 0")


def test_power_button_edge_reaches_the_rtos(vm):
    """QEMU's power button is PL061 line 3: a real edge of the host's device."""
    if vm.attached is None:
        vm.attach(0)
    vm.send("gpio wait 3 60\n")
    vm.expect(vm.tolerant("gpio: waiting for line 3"), "the GPIO wait to start")
    monitor("system_powerdown")
    vm.expect(vm.tolerant("gpio: line 3 rose: interrupt INTID 39"),
              "the PL061 edge interrupt in the guest", timeout=30)
    vm.guest_sync()
    vm.detach()


def test_host_devices_are_never_given(vm):
    vm.home()
    out = one(vm, "zvm new -t steal-uart")
    assert out == ("error: passthrough /pl011@9000000 [0x9000000, +0x1000): the host's own "
                   "console UART"), out
    out = one(vm, "zvm new -t steal-mgmt")
    assert re.match(r"error: passthrough /virtio_mmio@a003e00 \[0xa003000, \+0x1000\): "
                    r"the host's own management channel$", out), out


def test_a_device_belongs_to_one_vm_and_comes_back_on_delete(vm):
    vm.home()
    out = one(vm, "zvm new -t rtos-io -n other")
    assert out == ("error: passthrough /pl031@9010000 [0x9010000, +0x1000) is in use by VM 0 "
                   "(rtos-io): one VM at a time"), out
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    vm.guests.discard("rtos-io")
    out = vm.cmd("zvm new -t rtos-io -n other")
    assert "VM 0 created: other" in out, out
    vm.guests.add("other")
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.attach(0)
    # the new owner takes the alarm interrupt: the old VM's teardown left it quiet
    out = vm.guest_cmd("rtc alarm 1", timeout=30)
    assert re.search(r"rtc: alarm interrupt \(INTID 34\)", out), out
    vm.detach()
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    assert zvm_info(vm) == {}
