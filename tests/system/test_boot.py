# SPDX-License-Identifier: MIT
"""Scenario boot: banner, prompt and every system command, on one boot."""
import re
import time

from zvm import find, parse_table

NCPUS = 4
COMMANDS = {"cpus", "help", "ktest", "log", "mem", "poweroff", "reboot",
            "threads", "uptime", "version"}
ZERO_ARG_COMMANDS = ["version", "uptime", "cpus", "threads", "mem",
                     "poweroff", "reboot"]
LEVELS = ["err", "wrn", "inf", "dbg"]
VERSION_RE = r"^zvm (\S+) \((.+)\) aarch64 EL2$"
UPTIME_RE = r"^up (\d+)\.(\d{3}) s, counter (\d+) Hz$"


def test_banner_and_prompt(vm):
    assert vm.banner_version, "no version in the banner"
    assert vm.boots == 1
    find(r"<inf> .*: %d CPUs, \d+ MiB RAM at 0x[0-9a-f]+" % NCPUS,
         vm.boot_output, "boot log: platform line")
    find(r"<inf> %d CPUs online$" % NCPUS, vm.boot_output, "boot log: CPUs online")
    assert "<err>" not in vm.boot_output, "error logged during boot:\n" + vm.boot_output
    # An empty line just gives the prompt again.
    assert vm.cmd("") == ""


def test_version(vm):
    out = vm.lines("version")
    assert len(out) == 1, out
    m = find(VERSION_RE, out[0], "version")
    assert m.group(2).strip(), "empty build date"
    assert m.group(1) == vm.banner_version, \
        "`version` says %r but the boot banner said %r" % (m.group(1), vm.banner_version)


def uptime(vm):
    out = vm.lines("uptime")
    assert len(out) == 1, out
    m = find(UPTIME_RE, out[0], "uptime")
    return int(m.group(1)) + int(m.group(2)) / 1000.0, int(m.group(3))


def test_uptime_increases(vm):
    t1, hz1 = uptime(vm)
    host1 = time.monotonic()
    time.sleep(0.3)      # let time pass; there is no line to wait for
    t2, hz2 = uptime(vm)
    host2 = time.monotonic()
    assert hz1 > 0 and hz1 == hz2, (hz1, hz2)
    assert t2 > t1, "uptime did not increase: %.3f then %.3f" % (t1, t2)
    # The guest clock runs at about host speed: not slower than half of it,
    # not faster than the host time between the two commands plus slack.
    assert t2 - t1 >= 0.15, "uptime advanced %.3f s in %.3f s of host time" % (
        t2 - t1, host2 - host1)
    assert t2 - t1 <= (host2 - host1) + 0.5, \
        "uptime advanced %.3f s in %.3f s of host time" % (t2 - t1, host2 - host1)


def cpus(vm):
    rows = parse_table(vm.cmd("cpus"), "CPU")
    assert len(rows) == NCPUS, "expected %d CPU rows, got %r" % (NCPUS, rows)
    table = {}
    for r in rows:
        assert len(r) == 6, "bad cpus row %r" % r
        cpu, state, thread, load, irqs, switches = r
        assert re.fullmatch(r"\d+%", load) and int(load[:-1]) <= 100, r
        table[int(cpu)] = dict(state=state, thread=thread, load=int(load[:-1]),
                               irqs=int(irqs), switches=int(switches))
    assert sorted(table) == list(range(NCPUS)), table
    return table


def test_cpus_all_online(vm):
    first = cpus(vm)
    for cpu, row in first.items():
        assert row["state"] == "online", "CPU %d is %s" % (cpu, row["state"])
    # The shell runs the command, so it is the current thread of some CPU.
    assert "shell" in [r["thread"] for r in first.values()], first
    second = cpus(vm)
    for cpu in first:
        assert second[cpu]["irqs"] >= first[cpu]["irqs"], (cpu, first, second)
        assert second[cpu]["switches"] >= first[cpu]["switches"], (cpu, first, second)


def test_threads(vm):
    rows = parse_table(vm.cmd("threads"), "NAME")
    by_name = {}
    for r in rows:
        assert len(r) == 8, "bad threads row %r" % r
        name, prio, state, cpu, aff, stack, preempted, max_wait = r
        used, size = (int(x) for x in stack.split("/"))
        assert used <= size, r
        assert name not in by_name, "thread %s listed twice" % name
        by_name[name] = dict(prio=int(prio), state=state, cpu=cpu, aff=aff,
                             used=used, size=size, preempted=int(preempted),
                             max_wait=int(max_wait))
    for i in range(NCPUS):
        idle = by_name.get("idle%d" % i)
        assert idle, "no idle%d in %r" % (i, sorted(by_name))
        assert idle["cpu"] == str(i) and idle["aff"] == str(i), idle
    shell = by_name.get("shell")
    assert shell, "no shell thread in %r" % sorted(by_name)
    assert shell["state"] == "running", shell
    assert 0 < shell["used"] < shell["size"], shell
    # Nothing more urgent than the shell runs on its CPU: never preempted.
    # It waits for its CPU only while an interrupt handler finishes.
    assert shell["preempted"] == 0, shell
    # The shell has a better (lower) priority than the idle threads.
    assert shell["prio"] < by_name["idle0"]["prio"], by_name


def mem_sections(vm):
    out = vm.cmd("mem")
    sections = {}
    cur = None
    for l in out.split("\n"):
        w = l.split()
        if not w:
            continue
        if not l.startswith(" "):
            cur = sections.setdefault(w[0], {})
            continue
        assert cur is not None, out
        if w[0] == "allocs":
            m = find(r"allocs (\d+), frees (\d+), failures (\d+)", l, "mem counters")
            cur.update(allocs=int(m.group(1)), frees=int(m.group(2)),
                       failures=int(m.group(3)))
        else:
            assert len(w) == 3, "bad mem row %r" % l
            cur[w[0]] = (int(w[1]), float(w[2]))
    assert set(sections) == {"pages", "heap"}, out
    return sections


def test_mem_consistent(vm):
    s = mem_sections(vm)
    p, h = s["pages"], s["heap"]
    mib = 1024 * 1024
    for key in ("total", "free", "used", "largest"):
        assert key in p, p
    # Pages: used = total - free; largest <= free; MiB columns agree.
    assert p["total"][0] > 0
    assert p["used"][0] == p["total"][0] - p["free"][0], p
    assert 0 < p["free"][0] <= p["total"][0], p
    assert 0 < p["largest"][0] <= p["free"][0], p
    for key in ("total", "free", "used", "largest"):
        assert abs(p[key][1] - p[key][0] * 4096 / mib) <= 0.051, (key, p[key])
    # 2 GiB of RAM; the image, the page tables and the 192 MiB blob region
    # (images, disk: mk/platform-qemu-virt.mk) are not the allocator's.
    assert 1800 <= p["total"][1] <= 2048 - 192, p
    assert p["allocs"] >= p["frees"], p
    # Heap: payload used + free + headers = total; largest <= free; peak >= used.
    for key in ("total", "used", "free", "peak", "largest"):
        assert key in h, h
        assert abs(h[key][1] - h[key][0] / mib) <= 0.051, (key, h[key])
    total, used, free = h["total"][0], h["used"][0], h["free"][0]
    overhead = total - used - free
    assert overhead > 0 and overhead % 16 == 0, \
        "heap: total %d - used %d - free %d = %d" % (total, used, free, overhead)
    assert 0 < h["largest"][0] <= free, h
    assert h["peak"][0] >= used, h
    assert h["allocs"] >= h["frees"], h
    # `mem` itself does not leak: a second read shows the same usage.
    again = mem_sections(vm)
    assert again["heap"]["used"] == h["used"], (h, again["heap"])
    assert again["pages"]["used"] == p["used"], (p, again["pages"])


LOG_USAGE = "usage: log [err|wrn|inf|dbg] | show [--tail N] [--level L]"


def test_log_level(vm):
    assert vm.lines("log") == ["log level: inf"]
    for level in LEVELS:
        assert vm.lines("log " + level) == ["log level: %s" % level]
        assert vm.lines("log") == ["log level: %s" % level]
    assert vm.lines("log bogus") == [
        "error: unknown log level 'bogus' (one of err, wrn, inf, dbg)",
        LOG_USAGE]
    assert vm.lines("log inf extra") == [
        "error: unexpected argument 'extra'", LOG_USAGE]
    # A rejected level leaves the level as it was.
    assert vm.lines("log") == ["log level: dbg"]
    assert vm.lines("log inf") == ["log level: inf"]


def test_help(vm):
    listing = vm.lines("help")
    names = [l.split()[0] for l in listing]
    assert names == sorted(names), "help is not sorted: %r" % names
    missing = COMMANDS - set(names)
    assert not missing, "help does not list %s" % sorted(missing)
    for name, line in zip(names, listing):
        assert vm.lines("help " + name) == [line], name
    assert vm.lines("help nosuch") == ["error: unknown command 'nosuch'",
                                       "usage: help [CMD]"]
    assert vm.lines("help version cpus") == ["error: unexpected argument 'cpus'",
                                             "usage: help [CMD]"]


def test_unknown_command(vm):
    assert vm.lines("frobnicate") == ["error: unknown command 'frobnicate' (type 'help')"]
    assert vm.lines("frobnicate a b c") == ["error: unknown command 'frobnicate' (type 'help')"]
    # Words are split at blanks and quotes group them.
    assert vm.lines("  'frob nicate'  x") == [
        "error: unknown command 'frob nicate' (type 'help')"]
    assert vm.lines('"abc') == ["error: unterminated quote"]
    assert vm.lines(" ".join(["w"] * 17)) == ["error: too many arguments (max 16)"]
    assert vm.lines("version")[0].startswith("zvm ")


def test_bad_arguments(vm):
    for name in ZERO_ARG_COMMANDS:
        assert vm.lines(name + " extra") == ["error: unexpected argument 'extra'",
                                            "usage: " + name], name
    assert vm.lines("ktest a b") == ["error: unexpected argument 'b'",
                                     "usage: ktest [NAME|list]"]
    # Still alive and answering after all that.
    assert vm.lines("version")[0].startswith("zvm ")
