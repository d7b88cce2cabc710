# SPDX-License-Identifier: MIT
"""Scenario uboot: zvm booted the way a board boots it, by U-Boot.

Contract (docs/porting.md "Building and booting a board"):
- `make boot` lays out build/boot/: zvm.img (an arm64 Image), the DTB,
  the VM config, the manifest, the guest images and boot.scr.
- Debian's U-Boot for QEMU (u-boot-qemu) reads them from a FAT disk; at its
  prompt, `load ... boot.scr; source ...` runs the script, which loads every
  file at its address of the mk file and ends with `booti`.
- booti starts zvm through its Image header at LOAD_ADDR, with the DTB in
  x0; no QEMU loader places anything. zvm boots on 4 CPUs, and the VM
  templates and guest images it finds are the ones U-Boot loaded: an RTOS
  VM made from them runs.
"""
import os
import subprocess

import pytest

from pexpect.popen_spawn import PopenSpawn
from zvm import FATAL, TOP, Zvm, _die_with_parent, _Log

UBOOT = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"
QEMU_SYSTEM = os.path.join(TOP, "scripts", "qemu-system.sh")     # zvm's one QEMU
UBOOT_PROMPT = "=> "
SCRIPT_ADDR = "0x60000000"      # free RAM above the blob region, below U-Boot
LOAD_TIMEOUT = 300              # U-Boot reads ~70 MB from QEMU's FAT emulation


def mk(var):
    return subprocess.run(["make", "-s", "--no-print-directory", "print-" + var], cwd=TOP,
                          check=True, capture_output=True, text=True).stdout.strip()


class UbootZvm(Zvm):
    """QEMU virt with U-Boot as its firmware and build/boot/ as a FAT disk."""

    def start(self):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = _Log(self.log_path)
        cmd = [QEMU_SYSTEM, "-M", mk("QEMU_MACHINE"), "-cpu", mk("QEMU_CPU"),
               "-smp", mk("QEMU_SMP"), "-m", mk("QEMU_MEM"), "-nic", "none", "-bios", UBOOT,
               "-drive", "if=none,id=boot,format=raw,readonly=on,file=fat:build/boot",
               "-device", "virtio-blk-device,drive=boot",
               "-display", "none", "-monitor", "none", "-serial", "stdio"]
        self.child = PopenSpawn(cmd, cwd=TOP, timeout=30, encoding="latin-1",
                                codec_errors="strict", preexec_fn=_die_with_parent)
        self.child.logfile_read = self.log
        return self

    def uboot(self, line, timeout=60):
        """One U-Boot command; its output up to the next prompt."""
        self.send(line + "\n")
        self.expect(UBOOT_PROMPT, "U-Boot's prompt after %r" % line, timeout=timeout,
                    exact=True)
        return self.child.before


@pytest.fixture(scope="module")
def vm():
    assert os.path.exists(UBOOT), "no %s: scripts/setup.sh installs u-boot-qemu" % UBOOT
    made = subprocess.run(["make", "--no-print-directory", "boot"], cwd=TOP,
                          capture_output=True, text=True)
    assert made.returncode == 0, "make boot failed:\n" + made.stdout[-2000:] + made.stderr[-2000:]
    with UbootZvm("uboot", boot=False) as machine:
        machine.expect("Hit any key to stop autoboot", "U-Boot's autoboot countdown",
                       timeout=120, exact=True)
        machine.send("\n")
        machine.expect(UBOOT_PROMPT, "U-Boot's prompt", timeout=30, exact=True)
        yield machine
        assert FATAL not in machine.transcript()


def test_uboot_runs_boot_scr_and_boots_zvm(vm):
    vm.uboot("setenv devtype virtio; setenv devnum 0; setenv distro_bootpart 1")
    vm.uboot("virtio scan")
    out = vm.uboot("load virtio 0:1 %s boot.scr" % SCRIPT_ADDR)
    assert "bytes read" in out, out
    mark = vm.mark()
    vm.send("source %s\n" % SCRIPT_ADDR)
    vm.wait_for(r"zvm: loading for qemu-virt", "boot.scr's first line", mark)
    vm.wait_for(r"Starting kernel \.\.\.", "booti starting zvm", mark, timeout=LOAD_TIMEOUT)
    vm.wait_boot(timeout=120)
    script = vm.since(mark)
    # Every file of boot.cmd was read: zvm, the DTB, the config, the manifest, the images.
    n_loads = sum(1 for l in open(os.path.join(TOP, "build/boot/boot.cmd"))
                  if "run zvm_load" in l)
    assert script.count("bytes read") == n_loads, script
    assert "Flattened Device Tree blob at %s" % mk("DTB_ADDR")[2:] in script


def test_zvm_found_the_machine(vm):
    assert "4 CPUs, 2048 MiB RAM at 0x40000000, PSCI smc" in vm.boot_output, vm.boot_output
    assert "4 CPUs online" in vm.boot_output
    assert "EL2" in vm.cmd("version")


def test_blobs_uboot_loaded_run_a_vm(vm):
    vm.guests.add("rtos")
    created = vm.lines('zvm new -t rtos --args "app=hello"')
    assert created[0].startswith("VM 0 created: rtos (rtos)"), created
    mark = vm.mark()
    assert vm.lines("zvm run -n 0") == ["VM 0 running"]
    vm.wait_for(r"\[rtos\] hello: 1 CPUs said hello$", "the RTOS guest's hello", mark,
                timeout=120)
