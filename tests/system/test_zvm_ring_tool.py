"""Scenario zvm_ring_tool: the Linux guest's /usr/bin/zvm-ring, off target.

guests/linux/zvm-ring.c built for this host, with ZVM_RING_DT pointing at a
devicetree directory made here (what /sys/firmware/devicetree/base shows in
the guest: a "zvm,shmem" node with reg, zvm,name, zvm,peer-index and maybe
read-only) and ZVM_RING_MEM at a sparse file standing for physical memory
(offset = address). Two directories, peer 0 and peer 1, map the same file:
two VMs sharing one region. No QEMU; the end-to-end run in the Linux guest
is tests/system/test_shm.py.
"""
import os
import re
import struct
import subprocess

import pytest

from zvm import TOP, scaled

BASE, SIZE = 0x30000000, 0x10000
TOOL = os.path.join(TOP, "build", "zvm-ring-host")


@pytest.fixture(scope="module")
def machine(tmp_path_factory):
    """(run, env, memory file): run(peer, *args) -> CompletedProcess; env(peer)
    -> the environment that makes the tool see peer's devicetree."""
    subprocess.run(["gcc", "-std=gnu11", "-O1", "-Wall", "-Wextra", "-Werror",
                    "-I", os.path.join(TOP, "include"), "-o", TOOL,
                    os.path.join(TOP, "guests/linux/zvm-ring.c"),
                    os.path.join(TOP, "lib/shm_ring.c")], check=True)
    root = tmp_path_factory.mktemp("zvm-ring")
    mem = root / "mem"
    with open(mem, "wb") as f:
        f.truncate(0x30100000 + SIZE + 0x1000)
    for peer in (0, 1):
        dt = root / ("dt%d" % peer)
        dt.mkdir()
        (dt / "#address-cells").write_bytes(struct.pack(">I", 2))
        (dt / "#size-cells").write_bytes(struct.pack(">I", 2))
        node(dt / "zvm-shm@30000000", "ring", peer, ro=False)
        node(dt / "zvm-shm@30100000", "ro-ring", peer, ro=peer == 1,
             base=0x30100000)

    def env(peer):
        return dict(os.environ, ZVM_RING_DT=str(root / ("dt%d" % peer)), ZVM_RING_MEM=str(mem))

    def run(peer, *args):
        return subprocess.run([TOOL] + list(args), env=env(peer), capture_output=True,
                              text=True, timeout=scaled(60))
    return run, env, mem


def node(path, name, peer, ro, base=BASE):
    path.mkdir()
    (path / "compatible").write_bytes(b"zvm,shmem\0")
    # #address-cells = #size-cells = 2: the region, then its doorbell page.
    (path / "reg").write_bytes(struct.pack(">4Q", base, SIZE, base + SIZE, 0x1000))
    (path / "zvm,name").write_bytes(name.encode() + b"\0")
    (path / "zvm,peer-index").write_bytes(struct.pack(">I", peer))
    if ro:
        (path / "read-only").write_bytes(b"")


def doorbell(mem, base=BASE):
    with open(mem, "rb") as f:
        f.seek(base + SIZE)
        return struct.unpack("<I", f.read(4))[0]


def test_list(machine):
    run, _, _ = machine
    for peer, ro in ((0, "rw"), (1, "ro")):
        r = run(peer, "list")
        assert (r.returncode, r.stdout.splitlines()) == (0, [
            "ring 0x30000000 65536 rw peer %d" % peer,
            "ro-ring 0x30100000 65536 %s peer %d" % (ro, peer)]), r


def test_send_rings_the_doorbell_and_the_peer_receives(machine):
    run, _, mem = machine
    assert doorbell(mem) == 0
    assert run(0, "send", "ring", "hello peer").returncode == 0
    assert doorbell(mem) == 1
    r = run(1, "recv", "ring", "1000")
    assert (r.returncode, r.stdout) == (0, "hello peer\n"), r
    assert run(1, "send", "ring", "and back").returncode == 0
    assert run(0, "recv", "ring").stdout == "and back\n"


def test_errors(machine):
    run, _, _ = machine
    r = run(1, "recv", "ring", "100")
    assert (r.returncode, r.stderr.strip()) == \
        (1, "zvm-ring: ring: no message within 100 ms"), r
    r = run(0, "send", "nope", "x")
    assert (r.returncode, r.stderr.strip()) == \
        (1, "zvm-ring: no shared-memory region nope (have: ring ro-ring)"), r
    r = run(1, "send", "ro-ring", "x")
    assert r.returncode == 1 and "read-only for this VM" in r.stderr, r
    r = run(0, "send", "ring", "x" * 253)
    assert r.returncode == 1 and r.stderr.startswith("zvm-ring: "), r
    r = run(0, "frobnicate")
    assert r.returncode == 1 and "usage" in (r.stderr + r.stdout).lower(), r


def test_read_only_peer_sees_pending_messages(machine):
    run, _, _ = machine
    assert run(0, "send", "ro-ring", "t-1").returncode == 0
    r = run(1, "pending", "ro-ring")
    assert (r.returncode, r.stdout.strip()) == (0, "ro-ring: 1 messages pending"), r


def test_ping_and_echo_between_two_processes(machine):
    run, env, _ = machine
    echo = subprocess.Popen([TOOL, "echo", "ring", "200"], env=env(1),
                            stdout=subprocess.PIPE, text=True)
    r = run(0, "ping", "ring", "200")
    out, _ = echo.communicate(timeout=scaled(60))
    assert echo.returncode == 0 and out.strip() == "zvm-ring: echoed 200 messages", out
    m = re.match(r"^ping: 200 round trips, mean (\d+) ns, p99 (\d+) ns, max (\d+) ns$",
                 r.stdout.strip())
    assert r.returncode == 0 and m, r
    mean, p99, mx = (int(g) for g in m.groups())
    assert 0 < mean <= mx and p99 <= mx, r.stdout
