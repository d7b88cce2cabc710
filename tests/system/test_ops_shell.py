# SPDX-License-Identifier: MIT
"""Scenario ops_shell: the shell of issue 14 (shell/cmd_zvm.c, shell/shell.c).

- `--help` on every command and every zvm subcommand, and `zvm help`, answer
  with what it does and the usage (and do nothing else: `reboot --help`
  does not reboot).
- `zvm templates` lists the templates with type, vCPUs, memory, CPUs, priority.
- A second VM of a template made without -n gets a name of its own
  (`rtos-2`): names grant shared memory, so it gets none of the first's.
- `--mem 96` is 96 MiB; a negative (cooperative) priority is taken with a
  warning.
- `zvm log -n ID [--tail N]`: the VM's console output, kept across a reset.
"""
import re

from zvm import zvm_info
from test_vm_lifecycle import USAGE

SYNC_RE = r"^thread_([ab]): turn (\d+) on CPU \d+ at \d+ ms$"


def one(vm, line):
    out = vm.lines(line)
    assert len(out) == 1, "%r answered %r" % (line, out)
    return out[0]


def host_commands(vm):
    return [l.split()[0] for l in vm.lines("help")]


def test_help_on_every_command_does_nothing_else(vm):
    cmds = host_commands(vm)
    assert {"zvm", "reboot", "poweroff", "ktest", "log", "mem"} <= set(cmds), cmds
    for cmd in cmds:
        if cmd == "zvm":
            continue
        for flag in ("--help", "-h"):
            out = vm.lines("%s %s" % (cmd, flag))
            assert out[0].startswith(cmd + ": ") and len(out[0]) > len(cmd) + 5, out
            assert out[1].startswith("usage: " + cmd), out
            assert len(out) == 2, out


def test_zvm_help_and_every_subcommand_help(vm):
    for line in ("zvm help", "zvm --help", "zvm -h"):
        assert vm.lines(line) == USAGE, line
    for sub in ("new", "run", "pause", "stop", "reset", "delete", "info", "update", "policy", "look",
                "log", "templates", "pool"):
        out = vm.lines("zvm %s --help" % sub)
        assert re.fullmatch(r"zvm %s: \S.{20,}" % sub, out[0]), out
        assert out[1:] == USAGE, out
        assert vm.lines("zvm help %s" % sub) == out
    # --help wins over the options around it.
    assert vm.lines("zvm new -t rtos --help")[0].startswith("zvm new: ")
    assert zvm_info(vm) == {}


def test_templates_are_listed(vm):
    out = vm.lines("zvm templates")
    assert out[0].split() == ["TEMPLATE", "TYPE", "VCPUS", "MEM_MB", "CPUS", "PRIO"], out
    rows = {l.split()[0]: l.split()[1:] for l in out[1:]}
    assert rows["rtos"] == ["rtos", "1", "64", "1", "2"], rows
    assert rows["linux"] == ["linux", "2", "512", "2,3", "10"], rows
    assert "linux2" in rows, rows


def test_second_vm_of_a_template_gets_its_own_name(vm):
    assert one(vm, "zvm new -t rtos").startswith("VM 0 created: rtos (rtos)")
    assert one(vm, "zvm new -t rtos").startswith("VM 1 created: rtos-2 (rtos)")
    assert one(vm, "zvm new -t rtos").startswith("VM 2 created: rtos-3 (rtos)")
    detail = zvm_info(vm, 1)[1]["detail"]
    assert not [l for l in detail if l.startswith("shm ")], detail      # no grants by name
    assert [l for l in zvm_info(vm, 0)[0]["detail"] if l.startswith("shm rtos-linux")]
    for i in range(3):
        assert one(vm, "zvm delete -n %d" % i) == "VM %d deleted" % i


def test_bare_mem_is_mib(vm):
    assert one(vm, "zvm new -t rtos --mem 96").startswith(
        "VM 0 created: rtos (rtos), 1 vCPU, 96 MiB")
    assert one(vm, "zvm update -n 0 --mem 48") == "VM 0 updated"
    assert zvm_info(vm)[0]["mem_mb"] == 48
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"


def test_cooperative_priority_is_taken_with_a_warning(vm):
    warning = ("warning: priority %d is cooperative: its vCPUs are never preempted on their "
               "CPUs, not even by the time slice; 0..31 share a CPU fairly")
    out = vm.lines("zvm new -t rtos --prio -2")
    assert out[0].startswith("VM 0 created: rtos (rtos)") and out[0].endswith("priority -2")
    assert out[1:] == [warning % -2], out
    assert vm.lines("zvm update -n 0 --prio -3") == ["VM 0 updated", warning % -3]
    assert zvm_info(vm)[0]["prio"] == -3            # a column of the table
    assert vm.lines("zvm update -n 0 --prio 4") == ["VM 0 updated"]
    assert zvm_info(vm)[0]["prio"] == 4
    assert vm.lines("zvm info")[0].split()[:6] == ["ID", "NAME", "TYPE", "VCPUS", "CPUS", "PRIO"]
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"


def sync_lines(text):
    return [(m.group(1), int(m.group(2))) for m in re.finditer(SYNC_RE, text, re.M)]


def test_log_keeps_a_vms_console_output(vm):
    assert one(vm, 'zvm new -t rtos -n logger --args "app=sync"').startswith("VM 0 created")
    vm.guests.add("logger")
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.wait_for(r"\[logger\] thread_b: turn 2 ", "three turns of the sync guest", mark)
    full = vm.cmd("zvm log -n 0")
    assert re.search(r"^zvm-rtos \S+: real-time guest OS, EL1$", full, re.M), full
    turns = sync_lines(full)
    assert turns[:6] == [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("a", 2), ("b", 2)], turns
    tail = [l for l in vm.cmd("zvm log -n 0 --tail 2").split("\n") if l.strip()]
    assert len(tail) == 2 and len(sync_lines("\n".join(tail))) == 2, tail
    # The log outlives a reset: the first boot's lines are still there.
    mark = vm.mark()
    assert one(vm, "zvm reset -n 0") == "VM 0 reset and running"
    vm.wait_for(r"\[logger\] thread_a: turn 1 ", "the sync guest again", mark)
    after = vm.cmd("zvm log -n 0")
    assert len(re.findall(r"^zvm-rtos \S+: real-time guest OS", after, re.M)) == 2, after
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    vm.guests.discard("logger")


def test_ktest_refuses_beside_running_vms(vm):
    refusal = ("error: ktest needs every CPU to itself and 1 VM is running or paused: its "
               "scheduler tests would fail beside the vCPUs and disturb them (zvm delete "
               "them first)")
    assert one(vm, "zvm new -t rtos").startswith("VM 0 created")
    assert vm.lines("ktest sched_migrate") != [refusal]    # a made VM runs nothing yet
    vm.guests.add("rtos")
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    assert one(vm, "ktest") == refusal
    assert one(vm, "zvm pause -n 0") == "VM 0 paused"
    assert one(vm, "ktest sched") == refusal
    assert "sched_migrate" in vm.cmd("ktest list")      # listing runs nothing
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    vm.guests.discard("rtos")
    out = vm.lines("ktest sched_migrate", timeout=120)
    assert re.fullmatch(r"ktest: 1 passed, 0 failed, 0 skipped", out[-1]), out


def test_stop_keeps_the_config_and_run_boots_it_again(vm):
    from zvm import mem_stats
    before = mem_stats(vm)
    assert one(vm, 'zvm new -t rtos -n stopper --args "app=sync"').startswith("VM 0 created")
    vm.guests.add("stopper")
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.wait_for(r"\[stopper\] thread_a: turn 1 ", "the sync guest", mark)
    assert one(vm, "zvm update -n 0 --mem 32M") == \
        "error: VM 0 is running: stop it first (zvm stop -n 0)"
    assert one(vm, "zvm stop -n 0") == "VM 0 stopped"
    assert zvm_info(vm)[0]["state"] == "stopped"
    assert mem_stats(vm)["pages_free"] == before["pages_free"]     # memory released
    assert one(vm, "zvm pause -n 0") == "error: VM 0 is stopped, not running"
    # It keeps its config: run boots it again, as it was.
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.wait_for(r"\[stopper\] thread_a: turn 0 ", "the sync guest booted again", mark)
    assert zvm_info(vm)[0]["mem_mb"] == 64
    # update works on a stopped VM.
    assert one(vm, "zvm stop -n 0") == "VM 0 stopped"
    assert one(vm, "zvm update -n 0 --mem 32M") == "VM 0 updated"
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    vm.wait_for(r"\[stopper\] thread_a: turn 0 ", "the updated guest booted", mark)
    r = zvm_info(vm)[0]
    assert (r["state"], r["mem_mb"]) == ("running", 32), r
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    vm.guests.discard("stopper")
    assert mem_stats(vm)["pages_free"] == before["pages_free"]


def test_a_guest_prompt_shows_without_waiting_for_its_newline(vm):
    assert one(vm, "zvm new -t rtos -n prompter").startswith("VM 0 created")
    vm.guests.add("prompter")
    mark = vm.mark()
    assert one(vm, "zvm run -n 0") == "VM 0 running"
    # The prompt has no newline: zvm shows it after a short wait, on a line of its own.
    vm.wait_for(r"^\[prompter\] rtos:~\$ $", "the RTOS prompt, not attached", mark, timeout=10)
    # Attached, the half line comes again, raw, and the shell answers.
    vm.attach(0, sync=False)
    vm.expect(vm.tolerant("rtos:~$ "), "the prompt again on attaching")
    vm.guest_sync()
    vm.detach()
    assert one(vm, "zvm delete -n 0") == "VM 0 deleted"
    vm.guests.discard("prompter")
