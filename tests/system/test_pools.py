# SPDX-License-Identifier: MIT
"""Scenario pools: the mixed deployment in CPU pools (docs/pools.md).

zvm boots with configs/mixed.dts (through tests/system/configs/pools.dts,
which makes the periodic task report every second): CPU 1 is the static pool `rt`, where the
RTOS VM's one vCPU (its 1 ms periodic task) runs alone; CPUs 0, 2 and 3 are
the dynamic host pool with the Linux VM and zvm's own threads. While Linux
runs CPU hogs and hackbench, another VM is made, moved between pools, re-pinned and
deleted, and a CPU moves to a new static pool and back, for at least 60 s
of the periodic task's reports, the isolated CPU takes no host interrupt
and no guest exit a host interrupt caused, and the RT vCPU is never
preempted.
"""
import os
import re
import time

import pytest

from zvm import TOP, parse_table, scaled, zvm_info
from test_linux import HOG, PERIODIC_RE, READY, lx, lx_attach, periodic

os.environ["ZVM_VMS"] = os.path.join(TOP, "tests", "system", "configs", "pools.dts")

pytestmark = pytest.mark.time_limit(600)

RT_ID, LX_ID, EXTRA_ID = 0, 1, 2
RT_CPU = 1
RUN_REPORTS = 60  # the periodic task reports once a second
HACKBENCH = "hackbench -g 2 -l 100000000 >/dev/null 2>&1 &"


def pools(vm):
    """`zvm pool list`: ({pool: (kind, cpus)}, {cpu: row dict})."""
    out = vm.cmd("zvm pool list")
    head = parse_table(out.split("\nCPU")[0], "POOL")
    rows = parse_table(out, "CPU")
    cpus = {}
    for r in rows:
        cpus[int(r[0])] = {"pool": r[1], "bound": r[2], "load": int(r[3].rstrip("%")),
                           "irqs": int(r[4]), "host_irqs": int(r[5]), "exits": int(r[6]),
                           "host_exits": int(r[7]), "el2_ns": int(r[8])}
    return {r[0]: (r[1], r[2]) for r in head}, cpus


def ok(vm, line, expect):
    out = vm.cmd(line)
    assert re.search(expect, out, re.M), "%r answered %r" % (line, out)
    return out


def rt_vcpu(vm):
    """The RT vCPU's CPU, preemptions and longest wait (us), from zvm info -n 0."""
    detail = "\n".join(zvm_info(vm, RT_ID)[RT_ID]["detail"])
    m = re.search(r"vcpu0: CPU (\d+), preempted (\d+), max wait (\d+) us", detail)
    assert m, detail
    return tuple(int(g) for g in m.groups())


def rt_guard(vm, vid):
    """VM vid's guard line in `zvm info -n`: (CPU, reaction, overruns, worst us)."""
    detail = "\n".join(zvm_info(vm, vid)[vid]["detail"])
    m = re.search(r"^rt guard: budget \d+ us per \d+ us on CPU (\d+), reaction (\w+); "
                  r"overruns (\d+), worst (\d+) us", detail, re.M)
    assert m, detail
    return int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))


def test_deployment_comes_up_in_pools(vm):
    vm.guests.update({"rtos", "linux", "extra"})
    vm.wait_for(r"<inf> autostart: done", "the autostart thread's last line", timeout=120)
    vm.wait_for(r"^\[linux\] %s$" % re.escape(READY), "the Linux VM's ready line",
                timeout=180, strip=False)
    vm.wait_for(PERIODIC_RE, "a report of the RTOS VM's periodic task", timeout=60)
    names, cpus = pools(vm)
    assert names == {"host": ("dynamic", "0,2-3"), "rt": ("static", "1")}, names
    assert cpus[RT_CPU]["pool"] == "rt" and cpus[RT_CPU]["bound"] == "vm0-vcpu0", cpus
    assert [cpus[c]["pool"] for c in (0, 2, 3)] == ["host"] * 3, cpus
    # configs/mixed.dts gives the RTOS VM an RT guard (warn) in its template.
    vm.wait_for(r"<inf> rt guard: VM %d \(rtos\): budget 200 us per 1000 us from its template, "
                r"reaction warn" % RT_ID, "the RTOS VM's guard from its template")


def test_static_cpu_refuses_a_second_vcpu(vm):
    ok(vm, "zvm new -t rtos -n rtos2",
       r"static pool 'rt' takes one vCPU per CPU: 1 vCPUs, 0 free CPUs of those given")
    ok(vm, "zvm new -t rtos -n rtos2 --cpus 1-2",
       r"CPUs of two pools \('rt' and 'host'\)|CPUs of two pools \('host' and 'rt'\)")
    ok(vm, "zvm pool cpu 1 host", r"CPU 1 runs vm0-vcpu0 in static pool 'rt'")
    ok(vm, "zvm pool create bad fast", r"pool kind 'fast': static or dynamic")
    assert sorted(zvm_info(vm)) == [RT_ID, LX_ID]


def test_isolated_cpu_untouched_for_a_minute(vm):
    mark = vm.mark()
    _, before = pools(vm)
    rt_before = rt_vcpu(vm)
    assert rt_before[0] == RT_CPU and rt_before[1] == 0, rt_before
    # Load the dynamic pool: two hogs in Linux (2 vCPUs on CPUs 2-3) ...
    lx_attach(vm)
    assert lx(vm, HOG + " " + HOG) is not None
    # and hackbench (rt-tests): 2 groups of message-passing tasks, for the minute.
    assert lx(vm, HACKBENCH) is not None
    assert re.search(r"\d", lx(vm, "pidof hackbench")), "hackbench did not start"
    vm.detach()
    # Another VM in the dynamic pool, run, then moved around and deleted.
    ok(vm, "zvm new -t rtos -n extra --cpus 2-3", r"VM %d" % EXTRA_ID)
    ok(vm, "zvm run -n %d" % EXTRA_ID, r"running")
    ok(vm, "zvm pool create rt2 static", r"pool rt2: created")
    ok(vm, "zvm pool cpu 3 rt2", r"CPU 3: in pool rt2")
    ok(vm, "zvm pool pin %d 3" % EXTRA_ID, r"VM %d: vCPUs on CPUs 3" % EXTRA_ID)
    names, cpus = pools(vm)
    assert names["rt2"] == ("static", "3") and cpus[3]["bound"] == "vm2-vcpu0", (names, cpus)
    ok(vm, "zvm pool vm %d host" % EXTRA_ID, r"VM %d: vCPUs on CPUs host" % EXTRA_ID)
    _, cpus = pools(vm)
    assert cpus[3]["bound"] == "-", cpus
    ok(vm, "zvm pool cpu 3 host", r"CPU 3: in pool host")
    ok(vm, "zvm pool delete rt2", r"pool rt2: deleted")
    ok(vm, "zvm delete -n %d" % EXTRA_ID, r"deleted")
    # The rest of the minute: the periodic task's reports, one a second.
    vm.wait_for(PERIODIC_RE, "%d reports of the periodic task" % RUN_REPORTS, mark,
                timeout=300, count=RUN_REPORTS)
    _, after = pools(vm)
    rt_after = rt_vcpu(vm)
    reports = periodic(vm, mark)
    d = {k: after[RT_CPU][k] - before[RT_CPU][k] for k in ("irqs", "host_irqs", "exits",
                                                           "host_exits")}
    print("isolated CPU %d over %d reports: %s, EL2 ns/exit %d; RT vCPU %s -> %s; "
          "periodic misses %d, max late %d us; dynamic CPU 2: irqs +%d, host +%d"
          % (RT_CPU, len(reports), d, after[RT_CPU]["el2_ns"], rt_before, rt_after,
             reports[-1][1] - reports[0][1], max(r[2] for r in reports),
             after[2]["irqs"] - before[2]["irqs"],
             after[2]["host_irqs"] - before[2]["host_irqs"]))
    assert d["host_irqs"] == 0, d
    assert d["host_exits"] == 0, d
    assert d["exits"] > 0, d  # the guest ran and left for its own reasons
    assert rt_after[:2] == (RT_CPU, 0), rt_after
    assert rt_after[2] == rt_before[2], "the RT vCPU waited for its CPU: %s" % (rt_after,)
    # Its RT guard (from the template, on its CPU) saw no period over budget.
    guard = rt_guard(vm, RT_ID)
    assert guard[:2] == (RT_CPU, "warn") and guard[2] == 0, guard
    # The dynamic pool did take host interrupts meanwhile (the proof is not idle).
    assert after[2]["host_irqs"] > before[2]["host_irqs"], (before[2], after[2])


GUARD_WRN = (r"<wrn> rt guard: VM %d \(guarded\): host interference \d+ us in one 1000 us "
             r"period on CPU 2, over its budget of 200 us; reaction isolate")


def test_rt_guard_isolates_a_vm_over_its_budget(vm):
    """An RT VM (1 ms periodic task) on dynamic CPU 2 at the priority of
    Linux's hogging vCPU waits behind its time slices: the guard (at most
    200 us of interference per 1 ms) reports the overrun once and isolates
    CPU 2 as a static pool with the VM alone there; with nothing left to
    interfere, the episode ends."""
    vm.guests.add("guarded")
    out = ok(vm, 'zvm new -t rtos -n guarded --cpus 2 --prio 10 '
             '--args "app=periodic report=1"',
             r"VM \d+ created: guarded")
    vid = int(re.search(r"VM (\d+) created", out).group(1))
    ok(vm, "zvm run -n %d" % vid, r"running")
    vm.wait_for(r"\[guarded\] periodic: ", "the guarded VM's first report")
    mark = vm.mark()
    ok(vm, "zvm pool guard %d 200 1000 isolate" % vid, r"VM %d: guarded" % vid)
    vm.wait_for(GUARD_WRN % vid, "the guard's report", mark, timeout=60)
    vm.wait_for(r"<inf> rt guard: VM %d: CPU 2 is now static pool guard2, its vCPU alone there"
                % vid, "the guard's reaction", mark)
    names, cpus = pools(vm)
    assert names["guard2"] == ("static", "2"), names
    assert cpus[2]["bound"] == "vm%d-vcpu0" % vid, cpus
    vm.wait_for(r"<inf> rt guard: VM %d within its budget again" % vid, "the episode's end",
                mark, timeout=120)
    detail = "\n".join(zvm_info(vm, vid)[vid]["detail"])
    m = re.search(r"^rt guard: budget 200 us per 1000 us on CPU 2, reaction isolate; "
                  r"overruns (\d+), worst (\d+) us$", detail, re.M)
    assert m and int(m.group(1)) >= 1 and int(m.group(2)) > 200, detail
    print("rt guard: %s overruns, worst %s us in one period" % m.groups())
    assert len(re.findall(GUARD_WRN % vid, vm.since(mark))) == 1  # reported once
    ok(vm, "zvm pool guard %d off" % vid, r"VM %d: not guarded" % vid)
    ok(vm, "zvm delete -n %d" % vid, r"deleted")
    ok(vm, "zvm pool cpu 2 host", r"CPU 2: in pool host")
    ok(vm, "zvm pool delete guard2", r"pool guard2: deleted")


def test_rt_guard_from_the_template_follows_its_vcpu(vm):
    """Template `guarded` (tests/system/configs/pools.dts) declares an RT
    guard, warn only: its VM on dynamic CPU 2 meets the Linux hogs' time
    slices there, the overrun is logged once and counted; re-pinned to
    CPU 3 (`zvm pool pin`), the guard measures there."""
    vm.guests.add("tguard")
    mark = vm.mark()
    out = ok(vm, "zvm new -t guarded -n tguard", r"VM \d+ created: tguard")
    vid = int(re.search(r"VM (\d+) created", out).group(1))
    vm.wait_for(r"<inf> rt guard: VM %d \(tguard\): budget 200 us per 1000 us from its "
                r"template, reaction warn" % vid, "the guard from the template", mark)
    ok(vm, "zvm run -n %d" % vid, r"running")
    vm.wait_for(r"<wrn> rt guard: VM %d \(tguard\): host interference \d+ us in one 1000 us "
                r"period on CPU 2, over its budget of 200 us; reaction warn" % vid,
                "the guard's report", mark, timeout=60)
    on2 = rt_guard(vm, vid)
    assert on2[:2] == (2, "warn") and on2[2] >= 1 and on2[3] > 200, on2
    ok(vm, "zvm pool pin %d 3" % vid, r"VM %d: vCPUs on CPUs 3" % vid)
    deadline = time.monotonic() + scaled(10)
    while rt_guard(vm, vid)[0] != 3:  # the guard's poller moves it (every 100 ms)
        assert time.monotonic() < deadline, rt_guard(vm, vid)
    vm.wait_for(r"\[tguard\] (?:rtos:~\$ )?periodic: ", "two reports from CPU 3", vm.mark(),
                count=2)
    on3 = rt_guard(vm, vid)
    print("template guard: on CPU 2 %s; re-pinned, on CPU 3 %s" % (on2, on3))
    assert on3[1] == "warn" and on3[2] > on2[2], (on2, on3)  # still counting, beside a hog
    assert len(re.findall(r"<wrn> rt guard: VM %d " % vid, vm.since(mark))) == 1
    ok(vm, "zvm delete -n %d" % vid, r"deleted")


def test_privileged_guest_sees_the_host_load(vm):
    """The RTOS VM is `privileged` (configs/mixed.dts): its `cpuload` asks zvm
    for each host CPU's idle time (ZVM_HC_CPU_IDLE) and shows the load: its
    own isolated CPU busy (the idle thread never runs there), the two CPUs of
    Linux's hogs busy, CPU 0 (the host's threads) mostly idle."""
    vm.attach(RT_ID)
    out = vm.guest_cmd("cpuload")
    vm.detach()
    loads = {int(c): int(p) for c, p in re.findall(r"cpuload: host cpu(\d) (\d+)%", out)}
    print("host CPU load seen by the privileged guest: %s" % loads)
    assert sorted(loads) == [0, 1, 2, 3], out
    assert loads[RT_CPU] >= 90 and loads[2] >= 80 and loads[3] >= 80, loads
    assert loads[0] < 50, loads


def test_idle_guest_leaves_its_cpu_idle(vm):
    """In the dynamic pool a guest's WFI traps: an RTOS VM idle at its prompt,
    alone on CPU 0 beside the idle host threads, leaves `cpus` LOAD low (an
    untrapped WFI kept the vCPU thread on the CPU: LOAD 100 %)."""
    vm.guests.add("idle")
    out = ok(vm, "zvm new -t rtos -n idle --cpus 0 --args app=shell", r"VM \d+ created: idle")
    vid = int(re.search(r"VM (\d+) created", out).group(1))
    mark = vm.mark()
    ok(vm, "zvm run -n %d" % vid, r"running")
    vm.wait_for(r"\[idle\] zvm-rtos .*real-time guest OS", "the idle VM's banner", mark)
    vm.cmd("cpus")  # the load is measured from here ...
    mark = vm.mark()
    vm.wait_for(PERIODIC_RE, "two reports of the periodic task (2 s)", mark, count=2)
    rows = {int(r[0]): r for r in parse_table(vm.cmd("cpus"), "CPU")}  # ... to here
    load = int(rows[0][3].rstrip("%"))
    print("CPU 0 with an idle RTOS VM alone: LOAD %d%%" % load)
    assert load < 50, rows[0]
    ok(vm, "zvm delete -n %d" % vid, r"deleted")
