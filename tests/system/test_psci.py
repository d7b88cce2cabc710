# SPDX-License-Identifier: MIT
"""Scenario psci: PSCI CPU_ON raced and abused by an SMP guest.

A VM `race` (RTOS, 4 vCPUs on host CPUs 1-3, bootargs "maxcpus=3") starts
three CPUs; its vCPU 3 stays off. Contract (virt/vpsci.c,
virt/vcpu_power.c, the rules in include/zvm/vm.h):
- `attack cpu-on-for 60` (guests/rtos/attack_psci.c): three racer threads,
  one per running CPU, call CPU_ON on vCPU 3 at the same moment, round after
  round for a minute of guest time (the only thing this QEMU does; ~6 ms a
  round idle, ~10000 rounds; at least MIN_ROUNDS are required; each race's
  summary goes to build/test-logs/psci-race.txt), with the CPU_ON probe as
  entry point. Exactly one call per round
  gets SUCCESS (0); every other one ALREADY_ON (-4) or ON_PENDING (-5). The
  probe starts exactly once per accepted call and never while it runs.
- `attack cpu-on-bad`: CPU_ON with an entry point below the VM's RAM, just
  beyond it, or not 4-byte aligned returns INVALID_ADDRESS (-9) and the
  target stays off; a race after it still works.
Nothing reports a fatal exception, host or guest; the host's CPUs stay
online and `zvm info` shows the VM running.
"""
import os
import re

import pytest

from zvm import TOP, find, zvm_info

RACE = 0
RACERS = 3
RACE_SECONDS = 60           # guest time; the issue asks for a race of minutes
MIN_ROUNDS = 300            # a round takes ~6 ms idle, a few times that under load
RACE_TIMEOUT = 600
SUMMARY_RE = (r"^attack: cpu-on: (\d+) rounds, (\d+) racers: (\d+) SUCCESS, (\d+) ALREADY_ON, "
              r"(\d+) ON_PENDING, (\d+) other; (\d+) rounds with exactly one SUCCESS$")
STARTS_RE = r"^attack: cpu-on: the target started (\d+) times, (\d+) times while it was running$"
RACED_RE = r"^attack: cpu-on: raced for (\d+) ms of guest time$"
INVALID_ADDRESS = -9


@pytest.fixture(autouse=True)
def at_host_shell(vm):
    """A failed test may leave the console attached: start from the host shell."""
    if vm.attached is not None:
        vm.detach()
    yield


def host_fine(vm):
    rows = vm.lines("cpus")[1:]
    assert len(rows) == 4 and all(r.split()[1] == "online" for r in rows), \
        "host CPUs: %r" % rows
    assert zvm_info(vm)[RACE]["state"] == "running"


def race(vm, rounds=0, seconds=0):
    """`attack cpu-on rounds` (or `cpu-on-for seconds`) in the attached guest;
    checks every round; the number of rounds."""
    cmd = "attack cpu-on-for %d" % seconds if seconds else "attack cpu-on %d" % rounds
    out = vm.guest_cmd(cmd, timeout=RACE_TIMEOUT)
    bad = re.findall(r"^attack: cpu-on: round \d+: .*$|^error: .*$", out, re.M)
    m = find(SUMMARY_RE, out, "the race's summary")
    done, racers, success, already_on, on_pending, other, one_win = map(int, m.groups())
    raced_ms = int(find(RACED_RE, out, "the race's duration").group(1))
    if seconds:
        assert raced_ms >= seconds * 1000 and done >= MIN_ROUNDS and not bad, \
            (m.group(0), raced_ms, bad)
        rounds = done
    assert (done, racers) == (rounds, RACERS), (m.group(0), bad)
    assert one_win == rounds and success == rounds, \
        "rounds with one SUCCESS: %d of %d, %d SUCCESS in all; bad rounds: %r" % (
            one_win, rounds, success, bad)
    assert other == 0 and already_on + on_pending == rounds * (RACERS - 1), m.group(0)
    starts, restarts = map(int, find(STARTS_RE, out, "the probe's count").groups())
    assert restarts == 0, "the target was started again while it ran %d times" % restarts
    assert starts == rounds, "%d rounds, the target started %d times" % (rounds, starts)
    with open(os.path.join(TOP, "build", "test-logs", "psci-race.txt"), "a") as f:
        f.write("%s: %s in %d ms\n" % (cmd, m.group(0), raced_ms))
    return on_pending


def test_race_vm_boots_three_of_four_cpus(vm):
    created = vm.lines('zvm new -t rtos -n race --vcpus 4 --cpus 1-3 --args "maxcpus=3"')
    assert len(created) == 1 and created[0].startswith(
        "VM %d created: race (rtos), 4 vCPU, 64 MiB, CPUs 1,2,3" % RACE), created
    vm.guests.add("race")
    mark = vm.mark()
    assert vm.lines("zvm run -n %d" % RACE) == ["VM %d running" % RACE]
    vm.wait_for(r"\[race\] .*<inf> 3 CPUs online$", "the guest up on 3 CPUs", mark)


def test_cpu_on_race_has_one_winner_per_round(vm):
    vm.attach(RACE)
    race(vm, seconds=RACE_SECONDS)
    vm.detach()
    host_fine(vm)


def test_cpu_on_bad_entry_is_invalid_address(vm):
    vm.attach(RACE)
    out = vm.guest_cmd("attack cpu-on-bad")
    for what in ("below RAM", "beyond RAM", "misaligned"):
        got = int(find(r"^attack: cpu-on %s \(0x[0-9a-f]+\) returned (-?\d+)$" % what,
                       out, "CPU_ON " + what).group(1))
        assert got == INVALID_ADDRESS, "CPU_ON with an entry point %s returned %d" % (what, got)
    find(r"^attack: cpu-on: the target is off$", out, "the target after the bad calls")
    race(vm, 20)            # and it can still be started
    assert vm.guest_cmd("version").startswith("zvm-rtos ")
    vm.detach()
    host_fine(vm)
