# SPDX-License-Identifier: MIT
"""Scenario migrate: vCPUs of the dynamic pool move to an idle CPU of their
pool, and what each vCPU and CPU gets is counted honestly (docs/pools.md).

zvm boots with the default configs (every CPU in the dynamic pool `host`,
no VM started). The guests are RTOS VMs running `app=spin` (a thread at
the guest's lowest priority that never idles, beside a shell that still
answers) or `app=shell` (idle at its prompt: its WFI traps, it gives its
CPU back). VM A has one vCPU allowed on CPUs 2-3:

- alone, it takes ~100 % of one CPU and the other stays idle, while an
  idle guest takes ~0 %; `zvm info -n` shows run time, steal time and
  migrations per vCPU and the VM's CPU use;
- a more urgent CPU hog pinned to A's CPU takes it: A moves to the other,
  idle CPU at once (its migration count grows, its steal time stays small,
  its run time keeps growing);
- with both of its CPUs taken by more urgent hogs, A waits: its steal time
  grows as fast as the time goes and its run time stands still; when one
  CPU is free again it runs there;
- a hog of A's own priority pinned to A's CPU does not share it: A goes to
  the idle CPU;
- preempted while a less urgent hog runs on its other CPU, A takes that CPU
  (fixed priorities across the pool); when its first CPU idles again, that
  CPU asks for A back so the less urgent hog runs too.
And a guest of a template without `privileged` asking for the host's
per-CPU load is refused and keeps running.
"""
import re
import time

import pytest

from zvm import find, scaled, zvm_info

pytestmark = pytest.mark.time_limit(300)

WINDOW_S = 3.0   # each measurement: host time the figures are compared with
A_PRIO = 10      # the vCPU that moves
HOG_PRIO = 5     # more urgent than A


def uptime_ms(vm):
    """zvm's own clock (the counter the scheduler accounts with), in ms."""
    m = find(r"up (\d+)\.(\d{3}) s", vm.cmd("uptime"), "uptime")
    return int(m.group(1)) * 1000 + int(m.group(2))


def vcpu0(vm, vid):
    """VM vid's vCPU 0 from `zvm info -n`: CPU, run/steal ms, migrations, preempted."""
    detail = "\n".join(zvm_info(vm, vid)[vid]["detail"])
    where = find(r"^vcpu0: CPU (\d+), preempted (\d+), max wait \d+ us$", detail, "vcpu0 line")
    use = find(r"^vcpu0 use: run (\d+) ms, steal (\d+) ms, migrations (\d+)$", detail,
               "vcpu0 use line")
    return {"cpu": int(where.group(1)), "preempted": int(where.group(2)),
            "run": int(use.group(1)), "steal": int(use.group(2)),
            "migrations": int(use.group(3))}


def cpu_use(vm, vid):
    """The VM's `cpu use` line: run ms, steal ms, % of one CPU over its uptime."""
    detail = "\n".join(zvm_info(vm, vid)[vid]["detail"])
    m = find(r"^cpu use: run (\d+) ms, steal (\d+) ms \(its vCPUs together\), (\d+) % of one "
             r"CPU over its uptime$", detail, "cpu use line")
    return tuple(int(g) for g in m.groups())


def new_vm(vm, name, cpus, prio, app="spin"):
    """Make and run an RTOS VM; returns its id once its app has started."""
    vm.guests.add(name)
    out = vm.cmd('zvm new -t rtos -n %s --cpus %s --prio %d --args "app=%s"'
                 % (name, cpus, prio, app))
    vid = int(find(r"VM (\d+) created: %s" % name, out, "zvm new's answer").group(1))
    mark = vm.mark()
    assert re.search(r"running", vm.cmd("zvm run -n %d" % vid))
    started = (r"\[%s\] spin: keeping the vCPU busy" % name if app == "spin"
               else r"\[%s\] zvm-rtos .*real-time guest OS" % name)
    vm.wait_for(started, "VM %s's start" % name, mark, timeout=60)
    return vid


def delete(vm, vid):
    assert re.search(r"deleted", vm.cmd("zvm delete -n %d" % vid))


def measure(vm, vids):
    """vCPU 0 of each VM and zvm's clock, before and after WINDOW_S (the
    figures are rates over host time: no console line marks the window)."""
    t0, before = uptime_ms(vm), {v: vcpu0(vm, v) for v in vids}
    time.sleep(WINDOW_S)
    t1, after = uptime_ms(vm), {v: vcpu0(vm, v) for v in vids}
    span = t1 - t0
    d = {v: {k: after[v][k] - before[v][k] for k in ("run", "steal", "migrations")}
         for v in vids}
    return span, before, after, d


def wait_cpu(vm, vid, cpu, what, timeout=10):
    """Poll `zvm info -n` until VM vid's vCPU 0 is on cpu (scaled timeout)."""
    end = time.monotonic() + scaled(timeout)
    while True:
        v = vcpu0(vm, vid)
        if v["cpu"] == cpu:
            return v
        if time.monotonic() > end:
            raise AssertionError("%s: vCPU still on CPU %d: %s" % (what, v["cpu"], v))


def other(cpu):
    return 5 - cpu   # CPUs 2 and 3


def vm_named(vm, name):
    return [v for v, r in zvm_info(vm).items() if r["name"] == name][0]


def hog_beside(vm, a, name, prio, what):
    """Start hog `name` pinned to the CPU VM a's vCPU is on; wait until that
    vCPU runs on the other CPU. Returns (a before, the hog's id, a after)."""
    start = vcpu0(vm, a)
    hog = new_vm(vm, name, str(start["cpu"]), prio)
    moved = wait_cpu(vm, a, other(start["cpu"]), "%s on CPU %d" % (what, start["cpu"]))
    assert moved["migrations"] > start["migrations"], (start, moved)
    return start, hog, moved


def test_a_hog_takes_one_cpu_and_an_idle_guest_none(vm):
    a = new_vm(vm, "a", "2-3", A_PRIO)
    idle = new_vm(vm, "idle", "0", A_PRIO, app="shell")
    vm.cmd("cpus")  # LOAD is measured from here ...
    span, before, after, d = measure(vm, [a, idle])
    loads = {int(c): int(l) for c, l in re.findall(r"^\s*(\d+)\s+online\s+\S+\s+(\d+)%",
                                                    vm.cmd("cpus"), re.M)}  # ... to here
    acpu = after[a]["cpu"]
    print("over %d ms: hog run +%d ms steal +%d ms on CPU %d; idle guest run +%d ms; "
          "LOAD %s" % (span, d[a]["run"], d[a]["steal"], acpu, d[idle]["run"], loads))
    assert acpu in (2, 3) and before[a]["cpu"] == acpu, (before[a], after[a])
    assert d[a]["run"] >= 0.85 * span, d[a]
    assert d[a]["steal"] <= 0.05 * span, d[a]
    assert d[idle]["run"] <= 0.10 * span, d[idle]
    assert loads[acpu] >= 85 and loads[other(acpu)] <= 30, loads
    run, steal, pct = cpu_use(vm, a)
    assert run >= after[a]["run"] and pct >= 80, (run, steal, pct)
    assert cpu_use(vm, idle)[2] <= 20
    delete(vm, idle)


def test_preempted_vcpu_moves_to_the_idle_cpu_of_its_pool(vm):
    a = vm_named(vm, "a")
    start, b, moved = hog_beside(vm, a, "b", HOG_PRIO, "A after B took its CPU")
    home = start["cpu"]
    span, before, after, d = measure(vm, [a, b])
    print("B (prio %d) took CPU %d: A moved to CPU %d, migrations %d -> %d, steal %d -> %d ms; "
          "then over %d ms A run +%d ms steal +%d ms, B run +%d ms"
          % (HOG_PRIO, home, moved["cpu"], start["migrations"], moved["migrations"],
             start["steal"], moved["steal"], span, d[a]["run"], d[a]["steal"], d[b]["run"]))
    assert moved["steal"] - start["steal"] <= 200, (start, moved)  # promptly, not a slice
    assert after[a]["cpu"] == other(home) and after[b]["cpu"] == home, after
    assert d[a]["run"] >= 0.85 * span and d[a]["steal"] <= 0.05 * span, d[a]
    assert d[b]["run"] >= 0.85 * span, d[b]
    assert d[a]["migrations"] == 0, d[a]  # it stays where it can run


def test_with_both_cpus_taken_it_waits_and_steal_grows(vm):
    a, b = vm_named(vm, "a"), vm_named(vm, "b")
    there = vcpu0(vm, a)["cpu"]
    c = new_vm(vm, "c", str(there), HOG_PRIO)
    span, before, after, d = measure(vm, [a, c])
    print("both CPUs taken by more urgent hogs: over %d ms A run +%d ms steal +%d ms"
          % (span, d[a]["run"], d[a]["steal"]))
    assert d[a]["run"] <= 0.10 * span, d[a]
    assert d[a]["steal"] >= 0.85 * span, d[a]
    # One CPU free again: A runs there.
    delete(vm, b)
    span, before, after, d = measure(vm, [a])
    print("B deleted: A on CPU %d, run +%d ms steal +%d ms over %d ms"
          % (after[a]["cpu"], d[a]["run"], d[a]["steal"], span))
    assert after[a]["cpu"] == other(there) and d[a]["run"] >= 0.85 * span, (after[a], d[a])
    delete(vm, c)


def test_an_equal_vcpu_on_its_cpu_sends_it_to_the_idle_one(vm):
    a = vm_named(vm, "a")
    start, e, moved = hog_beside(vm, a, "e", A_PRIO, "A beside an equal vCPU")
    home = start["cpu"]
    span, before, after, d = measure(vm, [a, e])
    print("equal vCPU on CPU %d: A to CPU %d (steal %d -> %d ms), E waited %d ms in all; "
          "over %d ms A run +%d, E run +%d ms"
          % (home, moved["cpu"], start["steal"], moved["steal"], after[e]["steal"], span,
             d[a]["run"], d[e]["run"]))
    assert d[a]["run"] >= 0.85 * span and d[e]["run"] >= 0.85 * span, d
    delete(vm, e)
    delete(vm, a)


def test_a_preempted_vcpu_takes_a_cpu_from_less_urgent_work(vm):
    """Fixed priorities across the pool: A, preempted on its CPU, does not
    wait while a less urgent hog (L, pinned to A's other CPU) runs; it takes
    L's CPU and L waits. When A's first CPU is free again, that idle CPU
    pulls A back (L could run nowhere else) and both run."""
    a = new_vm(vm, "a2", "2-3", A_PRIO)
    home = vcpu0(vm, a)["cpu"]
    low = new_vm(vm, "low", str(other(home)), A_PRIO + 10)
    _, b, moved = hog_beside(vm, a, "b2", HOG_PRIO, "A beside a less urgent hog")
    span, before, after, d = measure(vm, [a, low, b])
    print("B took CPU %d: A to CPU %d (migrations %d), over %d ms A run +%d steal +%d ms, "
          "less urgent L run +%d steal +%d ms"
          % (home, moved["cpu"], moved["migrations"], span, d[a]["run"], d[a]["steal"],
             d[low]["run"], d[low]["steal"]))
    assert d[a]["run"] >= 0.85 * span and d[a]["steal"] <= 0.05 * span, d[a]
    assert d[low]["steal"] >= 0.85 * span and d[low]["run"] <= 0.10 * span, d[low]
    # B gone, its CPU idles: it asks the other to send A over, and L runs again.
    delete(vm, b)
    back = wait_cpu(vm, a, home, "A once CPU %d is free again" % home)
    span, before, after, d = measure(vm, [a, low])
    print("B deleted: A back to CPU %d (migrations %d); over %d ms A run +%d, L run +%d ms"
          % (back["cpu"], back["migrations"], span, d[a]["run"], d[low]["run"]))
    assert d[a]["run"] >= 0.85 * span and d[low]["run"] >= 0.85 * span, d
    delete(vm, low)
    delete(vm, a)


def test_a_starved_vcpu_is_deleted_at_once(vm):
    """A vCPU that more urgent work keeps from its only CPU (S pinned to
    CPU 2 beside hog H) is deleted without waiting for that work: zvm delete
    boosts it for its last steps; H keeps running."""
    s = new_vm(vm, "starved", "2", A_PRIO)
    h = new_vm(vm, "h", "2", HOG_PRIO)
    span, before, after, d = measure(vm, [s])
    assert d[s]["run"] <= 0.10 * span, d[s]  # starved indeed
    t0 = time.monotonic()
    out = vm.cmd("zvm delete -n %d" % s)
    took = time.monotonic() - t0
    print("starved VM deleted in %.0f ms: %r" % (took * 1000, out.strip()))
    assert re.search(r"deleted", out), out
    assert took < scaled(1.0), took  # not the hog's whole run (before: until it stopped)
    assert s not in zvm_info(vm) and zvm_info(vm)[h]["state"] == "running"
    span, before, after, d = measure(vm, [h])
    assert d[h]["run"] >= 0.85 * span, d[h]
    delete(vm, h)


def test_an_unprivileged_guest_is_refused_the_host_load(vm):
    """The per-CPU load hypercall is for `privileged` templates only
    (docs/pools.md): an RTOS VM of the default rtos template asking for it
    (`cpuload`) gets PSCI_DENIED, says why, and keeps running."""
    vid = new_vm(vm, "plain", "0", A_PRIO, app="shell")
    vm.attach(vid)
    out = vm.guest_cmd("cpuload")
    after = vm.guest_cmd("uptime")
    vm.detach()
    assert re.search(r"cpuload: refused by the hypervisor \(-3\): this VM is not privileged",
                     out), out
    assert not re.search(r"host cpu\d", out), out
    assert re.search(r"up \d+\.\d{3} s", after), after  # its shell still answers
    assert zvm_info(vm)[vid]["state"] == "running"
    delete(vm, vid)
