# SPDX-License-Identifier: MIT
"""What the benchmark scripts share: starting QEMU, naming the commit, writing a result
(Markdown, plus CSV and JSON of the same rows, and a plot made with gnuplot)."""
import csv
import json
import os
import shutil
import subprocess
import sys

import pexpect

# QEMU for a run without zvm: the same QEMU as scripts/qemu.sh (which QEMU:
# scripts/qemu-env.sh). A command line starts with it; the bench runs in the top folder.
QEMU = "scripts/qemu-system.sh"


def progress(msg):
    """A line on stderr before each long step (a benchmark is silent for minutes)."""
    print("bench: " + msg, file=sys.stderr, flush=True)


def spawn(cmd, timeout=1200):
    """Run a shell command (a QEMU) under pexpect."""
    return pexpect.spawn("/bin/sh", ["-c", cmd], encoding="utf-8", timeout=timeout)


def commit():
    """The commit the figures belong to."""
    return subprocess.run(["git", "describe", "--always", "--dirty"],
                          capture_output=True, text=True).stdout.strip()


def write_result(path, lines):
    """Write the Markdown table and show it."""
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


def write_data(path, header, rows):
    """The rows of a result also as PATH.csv and PATH.json (PATH without .md)."""
    base = os.path.splitext(path)[0]
    with open(base + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    with open(base + ".json", "w") as f:
        json.dump([dict(zip(header, r)) for r in rows], f, indent=1)
        f.write("\n")


def plot_bars(path, title, ylabel, labels, series, logscale=False):
    """PATH.png: grouped bars, one group per label, one bar per (name, values) in
    series. Made with gnuplot (Debian's gnuplot-nox, which scripts/bench.sh
    installs); without it the plot is skipped with a note on stderr."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        progress("no gnuplot: %s.png not drawn" % os.path.splitext(path)[0])
        return
    base = os.path.splitext(path)[0]
    data = base + ".plot.dat"
    with open(data, "w") as f:
        for label, *vals in zip(labels, *[v for _, v in series]):
            f.write('"%s" %s\n' % (label, " ".join(str(v) for v in vals)))
    plots = ", ".join('"%s" using %d:xtic(1) title "%s"' % (data, i + 2, name)
                      for i, (name, _) in enumerate(series))
    script = "\n".join([
        "set terminal pngcairo size 1100,600 noenhanced" if _has_cairo(gnuplot)
        else "set terminal png size 1100,600 noenhanced",
        'set output "%s.png"' % base,
        'set title "%s"' % title,
        'set ylabel "%s"' % ylabel,
        "set style data histogram", "set style histogram cluster gap 1",
        "set style fill solid 0.8 border -1", "set boxwidth 0.9",
        "set xtics rotate by -35", "set grid ytics", "set key top left",
        "set logscale y\nset yrange [0.5:*]" if logscale else "set yrange [0:*]",
        "set bmargin 10",
        "plot " + plots, ""])
    subprocess.run([gnuplot], input=script, text=True, check=True)
    os.remove(data)


def _has_cairo(gnuplot):
    out = subprocess.run([gnuplot, "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in out.stdout + out.stderr


def isolate_cpu(q, cpu):
    """At the zvm host prompt: CPU `cpu` into a static pool of its own
    (docs/pools.md), where a VM's one vCPU runs alone without WFI traps."""
    isolate_cpus(q, (cpu,))


def isolate_cpus(q, cpus):
    """At the zvm host prompt: CPUs `cpus` into one static pool `rt`."""
    q.expect_exact("zvm_host:~# ")
    q.sendline("zvm pool create rt static")
    for cpu in cpus:
        q.expect_exact("zvm_host:~# ")
        q.sendline("zvm pool cpu %d rt" % cpu)
        q.expect_exact("CPU %d: in pool rt" % cpu)


def start_vm(q, new_args):
    """At the zvm host prompt: create a VM (`zvm new NEW_ARGS`) and run it; its id."""
    q.expect_exact("zvm_host:~# ")
    q.sendline("zvm new " + new_args)
    q.expect(r"VM (\d+) created")
    vm = q.match.group(1)
    q.expect_exact("zvm_host:~# ")
    q.sendline("zvm run -n " + vm)
    return vm


def look(q, vm, prompt):
    """From the host prompt (already seen) into VM vm's shell."""
    q.sendline("zvm look -n " + vm)
    q.expect_exact("Ctrl-X returns to the host shell")
    q.sendline("")
    q.expect_exact(prompt)
