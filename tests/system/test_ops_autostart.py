# SPDX-License-Identifier: MIT
"""Scenario ops_autostart: VMs marked `autostart = <N>` in the VM config start
at boot in that order, with nobody at the console (virt/autostart.c).

zvm boots with tests/system/configs/autostart.dts, given by absolute path
(ZVM_VMS, as `scripts/run.sh --vm FILE` and `make run VM=FILE` give it): the
mixed deployment of configs/mixed.dts (the RTOS VM with its periodic task,
then the Linux VM) with a VM between the two that cannot be made. The
broken VM is reported and the other two still start. A VM config that is
missing or too big is refused before QEMU starts.

The user's own image (scripts/image-pack.sh): `myos=/abs/path.elf` given
with ZVM_IMAGES (`scripts/run.sh --image`, `make run IMAGE=`) is packed
beside the built ones and boots from a template of the config; a missing
or empty file, a bad name, or images too big for their room are refused
before QEMU starts, in words.

On that deployment (guests/rtos/periodic.c, kernel/log.c, shell/cmd_sys.c):
- The RTOS VM's `app=periodic` is quiet: one line when it starts, no status
  line every second; its `periodic` command gives the totals.
- The host log ring: `log show` has the boot's log lines in order,
  `--level` and `--tail` filter them, bad options are refused in words.
- Attached to a VM, a host log line below wrn is not shown but kept (`log
  show`), counted in a note at detach.
- A guest flooding its console does not slow the host shell.
"""
import os
import shutil
import re
import subprocess
import time

import pytest

from zvm import LOG_DIR, PROMPT, QEMU_SH, TOP, zvm_info
from test_linux import READY

CONFIG = os.path.join(TOP, "tests", "system", "configs", "autostart.dts")
os.environ["ZVM_VMS"] = CONFIG      # the `vm` fixture's QEMU boots with it
# The user's own guest image, by absolute path (scripts/run.sh --image
# myos=PATH): an ELF zvm did not build under that name (a copy of the RTOS).
MYOS = os.path.join(TOP, "build", "test-images", "myos.elf")
os.makedirs(os.path.dirname(MYOS), exist_ok=True)
shutil.copyfile(os.path.join(TOP, "build", "rtos.elf"), MYOS)
os.environ["ZVM_IMAGES"] = "myos=" + MYOS

pytestmark = pytest.mark.time_limit(300)

QUIET = ("periodic task: 1 ms period; quiet: reports its first deadline miss after 1000 "
         "periods, `periodic` shows the totals")
LOG_USAGE = "usage: log [err|wrn|inf|dbg] | show [--tail N] [--level L]"

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
    vm.wait_for(r"^\[rtos\] %s$" % re.escape(QUIET), "the RTOS VM's periodic task starting",
                timeout=60)
    rows = zvm_info(vm)
    assert sorted(rows) == [0, 1], rows
    assert (rows[0]["name"], rows[0]["state"]) == ("rtos", "running"), rows
    assert (rows[1]["name"], rows[1]["state"]) == ("linux", "running"), rows


def test_periodic_is_quiet_and_answers_on_request(vm):
    text = vm.since(0)
    assert not re.search(r"\[rtos\] (?:rtos:~\$ )?periodic: \d+ periods", text), \
        "the quiet periodic task printed its totals unasked"
    assert len(re.findall(r"periodic: first deadline miss", text)) <= 1
    vm.attach(0)
    out = vm.guest_cmd("periodic").strip()
    m = re.fullmatch(r"periodic: (\d+) periods, (\d+) misses, max late (\d+) us", out)
    assert m and int(m.group(1)) >= 1000, out
    vm.detach()


def log_show(vm, args=""):
    """`log show ARGS`: its lines (log lines: cmd() would drop them as noise)."""
    line = ("log show " + args).strip()
    mark = vm.mark()
    vm.cmd(line)
    body = vm.since(mark).split("\n", 1)[1]
    return [l for l in body[:body.rindex(PROMPT)].split("\n") if l]


def test_host_log_ring_keeps_the_boot_lines(vm):
    shown = log_show(vm)
    at = [next(i for i, l in enumerate(shown) if re.search(p + "$", l)) for p in AUTOSTART]
    assert at == sorted(at), shown
    assert any(l.endswith("<inf> 4 CPUs online") for l in shown), shown
    errors = log_show(vm, "--level err")
    assert errors and all(" <err> " in l for l in errors), errors
    assert any("template 'broken' failed" in l for l in errors), errors
    assert log_show(vm, "--tail 2") == shown[-2:]
    assert log_show(vm, "--level err --tail 1") == errors[-1:]
    for args, why in (("--tail 0", "--tail takes a number of lines, 1..1000"),
                      ("--tail", "option '--tail' needs a value"),
                      ("--level loud", "unknown log level 'loud' (one of err, wrn, inf, dbg)"),
                      ("--since 3", "unexpected argument '--since'")):
        assert vm.lines("log show " + args) == ["error: " + why, LOG_USAGE], args


def test_attached_session_holds_host_log_lines_below_wrn(vm):
    """A guest's unknown hypercall is a <dbg> host log line: not shown in the
    attached session, kept in the ring, counted at detach. (A VM event shown
    inside a session: test_linux's poweroff, test_ops_policy's crash.)"""
    assert vm.lines("log dbg") == ["log level: dbg"]
    vm.attach(0)
    mark = vm.mark()
    vm.guest_cmd("attack hvc")
    vm.guest_cmd("attack hvc")
    session = vm.since(mark)
    vm.detach()
    assert vm.lines("log inf") == ["log level: inf"]
    assert "unknown hypercall 0x" not in session.replace("attack: unknown hypercall 0x", ""), \
        session
    note = re.search(r"^(\d+) host log lines meanwhile: log show --tail (\d+)$",
                     vm.since(mark), re.M)
    assert note and note.group(1) == note.group(2) and int(note.group(1)) >= 2, vm.since(mark)
    kept = log_show(vm, "--tail %s" % note.group(1))
    assert len([l for l in kept if re.search(r"<dbg> VM 0: unknown hypercall 0x", l)]) == 2, kept


UPTIME_MS = 100     # the host shell's answer beside a flooding guest (issue 10's bound)


def test_a_flooding_guest_does_not_slow_the_host_shell(vm):
    """The Linux VM writes 20000 lines to its console as fast as it can,
    detached: the host shell answers `uptime` within UPTIME_MS meanwhile."""
    vm.attach(1, sync=False)
    # Each line shorter than the 80 columns busybox's line editor wraps at.
    vm.type_keys("f=/dev/ttyAMA0", "Linux guest")
    vm.type_keys("(sleep 2;yes zvm-flood|head -n20000>$f;echo flood-$((40+2))>$f)&",
                 "Linux guest")
    vm.detach()
    mark = vm.mark()
    vm.wait_for(r"^\[linux\] zvm-flood$", "the flood's first line", mark, timeout=30)
    times = []
    for _ in range(10):
        t0 = time.monotonic()
        vm.cmd("uptime")
        times.append((time.monotonic() - t0) * 1000)
    vm.wait_for(r"^\[linux\] flood-42$", "the end of the flood", mark, timeout=120)
    flood = len(re.findall(r"^\[linux\] zvm-flood$", vm.since(mark), re.M))
    with open(os.path.join(LOG_DIR, "flood-uptime.txt"), "w") as f:
        f.write("uptime answered during the flood in (ms): %s; flood lines shown: %d of 20000\n"
                % (" ".join("%.1f" % t for t in times), flood))
    assert max(times) < UPTIME_MS, "the host shell answered `uptime` in %r ms" % times
    kept = vm.lines("zvm log -n 1 --tail 3")
    assert kept[-3:-1] == ["zvm-flood", "zvm-flood"] and kept[-1].startswith("flood-42"), kept


def test_users_own_image_boots(vm):
    out = vm.lines("zvm new -t myos")
    assert out == ["VM 2 created: myos (myos), 1 vCPU, 32 MiB, CPUs 3, priority 5"], out
    vm.guests.add("myos")
    mark = vm.mark()
    assert vm.lines("zvm run -n 2") == ["VM 2 running"]
    vm.wait_for(r"^\[myos\] zvm-rtos \S+: real-time guest OS, EL1$", "the banner of myos",
                mark, timeout=60)
    assert vm.lines("zvm delete -n 2") == ["VM 2 deleted"]
    vm.guests.discard("myos")


def test_image_errors_before_qemu_starts(tmp_path):
    r = qemu_sh(CONFIG, images="myos=no/such.elf", cwd=os.path.join(TOP, "tests"))
    assert (r.returncode, r.stderr.strip()) == (
        2, "qemu.sh: image 'myos': file 'no/such.elf' not found"), r
    (tmp_path / "empty.elf").write_bytes(b"")
    r = qemu_sh(CONFIG, images="e=%s" % (tmp_path / "empty.elf"))
    assert r.stderr.strip() == "qemu.sh: image 'e': file '%s' is empty" % (
        tmp_path / "empty.elf"), r
    r = qemu_sh(CONFIG, images="my.os=%s" % MYOS)
    assert r.stderr.strip() == ("qemu.sh: --image: the name 'my.os' may hold only letters, "
                                "digits, '-' and '_'"), r
    big = tmp_path / "big.img"
    with open(big, "wb") as f:
        f.truncate(160 << 20)       # sparse: 160 MiB beside the built images
    r = qemu_sh(CONFIG, images="big=%s" % big)
    assert r.returncode == 2, r
    assert re.fullmatch(r"qemu\.sh: the guest images need \d+\.\d MiB, the room for them "
                        r"holds 191\.9 MiB \(up to VM_BLOBS_END in mk/platform-qemu-virt\.mk\): "
                        r".*big 160\.0 MiB \(%s\).*" % re.escape(str(big)), r.stderr.strip()), r
    # A relative path is taken from the current directory: packed, by its full path.
    r = subprocess.run([os.path.join(TOP, "scripts", "image-pack.sh"), str(tmp_path / "m.dtb"),
                        "myos=../build/test-images/myos.elf"], cwd=os.path.join(TOP, "tests"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r
    assert re.search(r"^0x[0-9a-f]+ %s$" % re.escape(MYOS), r.stdout, re.M), r.stdout


def qemu_sh(vms, cwd=TOP, images=""):
    env = dict(os.environ, ZVM_VMS=vms, ZVM_IMAGES=images)
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
