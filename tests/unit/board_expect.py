# SPDX-License-Identifier: MIT
"""Expectations for tests/unit/test_board_dtb.c, read from the boards' DTS.

For each board DTB of Debian's kernel packages (build/dtbs/rockchip/), this
writes a copy with the memory U-Boot would add when it boots the board
(Debian's DTBs have no memory node: the bootloader fills it in), turns the
copy back into source with `dtc -I dtb -O dts`, and reads from that text,
without libfdt and without zvm's parser, what the parser must find: GIC
bases, the console UART, timer interrupts, CPUs, PSCI, memory banks and the
RAM window around zvm's image. The result is a C header.

Usage: board_expect.py DTB_DIR OUT_DIR HEADER IMAGE_BASE
"""
import os
import re
import shutil
import subprocess
import sys

GIB = 1 << 30
# DRAM as U-Boot describes it (one memory node, one reg entry per bank):
# an 8 GiB RK3568 board, and a 16 GiB RK3588 board with its holes above 4 GiB.
RK3568_8G = [(0x00200000, 0xf0000000 - 0x00200000), (0x100000000, 4 * GIB)]
RK3588_16G = [(0x00200000, 0xf0000000 - 0x00200000),
              (0x100000000, 0x3fc000000 - 0x100000000),
              (0x3fc500000, 0x3fff00000 - 0x3fc500000),
              (0x4f0000000, 0x500000000 - 0x4f0000000)]
RK3399_4G = [(0x00200000, 0xf8000000 - 0x00200000)]
# name, DTB, banks, fixup form: "one" node, "nodes" (one per bank), or
# "optee" (one node, and a reserved-memory region below the image).
BOARDS = [
    ("rk3568-rock-3a", "rk3568-rock-3a.dtb", RK3568_8G, "one"),
    ("rk3568-evb1-v10", "rk3568-evb1-v10.dtb", RK3568_8G, "optee"),
    ("rk3568-odroid-m1", "rk3568-odroid-m1.dtb", RK3568_8G, "nodes"),
    ("rk3568-bpi-r2-pro", "rk3568-bpi-r2-pro.dtb", RK3568_8G, "one"),
    ("rk3588-rock-5b", "rk3588-rock-5b.dtb", RK3588_16G, "one"),
    ("rk3588-evb1-v10", "rk3588-evb1-v10.dtb", RK3588_16G, "nodes"),
    ("rk3588-orangepi-5-plus", "rk3588-orangepi-5-plus.dtb", RK3588_16G, "optee"),
    ("rk3588-nanopc-t6", "rk3588-nanopc-t6.dtb", RK3588_16G, "one"),
    ("rk3588s-rock-5a", "rk3588s-rock-5a.dtb", RK3588_16G, "one"),
    ("rk3588s-orangepi-5", "rk3588s-orangepi-5.dtb", RK3588_16G, "one"),
    # docs/porting.md's third board
    ("rk3399-rock-pi-4b", "rk3399-rock-pi-4b.dtb", RK3399_4G, "one"),
]
# Boards zvm must refuse, given memory too so that the parser gets past it.
REFUSED = [("rk3328-rock64", "rk3328-rock64.dtb", [(0x00200000, 0xfee00000)], "one")]
OPTEE = (0x08400000, 0x02000000)    # where Rockchip's OP-TEE lives
UART_TYPES = [("arm,pl011", "UART_PL011"), ("snps,dw-apb-uart", "UART_DW_APB"),
              ("ns16550a", "UART_NS16550"), ("ns16550", "UART_NS16550")]


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def cells64(pairs):
    """fdtput arguments for (base, size) pairs in 2+2 cells."""
    out = []
    for base, size in pairs:
        out += [hex(base >> 32), hex(base & 0xffffffff), hex(size >> 32), hex(size & 0xffffffff)]
    return out


def add_memory(path, banks, form):
    """The memory (and reservation) U-Boot would add, with fdtput."""
    nodes = [("/memory", banks)] if form != "nodes" else \
        [("/memory@%x" % b, [(b, s)]) for b, s in banks]
    for node, regs in nodes:
        run("fdtput", "-c", path, node)
        run("fdtput", "-t", "s", path, node, "device_type", "memory")
        run("fdtput", "-t", "x", path, node, "reg", *cells64(regs))
    if form == "optee":
        rm = "/reserved-memory"
        run("fdtput", "-c", "-p", path, rm + "/optee@8400000")
        for prop, val in (("#address-cells", "2"), ("#size-cells", "2")):
            run("fdtput", "-t", "x", path, rm, prop, val)
        run("fdtput", "-t", "x", path, rm + "/optee@8400000", "reg", *cells64([OPTEE]))
        run("fdtput", "-t", "s", path, rm + "/optee@8400000", "status", "okay")


class Node:
    def __init__(self, name, parent):
        self.name, self.parent, self.props, self.children = name, parent, {}, []

    def path(self):
        if self.parent is None:
            return "/"
        up = self.parent.path()
        return (up if up != "/" else "") + "/" + self.name


def parse_dts(text):
    """The node tree of dtc's output: one property or node line each."""
    root = cur = None
    reserve = []
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"/memreserve/\s+(\S+)\s+(\S+);", line)
        if m:
            reserve.append((int(m.group(1), 16), int(m.group(2), 16)))
        elif line.endswith("{"):
            node = Node(line[:-1].strip(), cur)
            if cur is None:
                root = node
            else:
                cur.children.append(node)
            cur = node
        elif line == "};":
            cur = cur.parent
        elif cur is not None and line.endswith(";"):
            name, _, value = line[:-1].partition(" = ")
            cur.props[name.strip()] = value
    return root, reserve


def cells(value):
    return [int(c, 16) for group in re.findall(r"<([^>]*)>", value) for c in group.split()]


def strings(value):
    return [s.strip('"') for s in re.findall(r'"(?:[^"\\]|\\.)*"', value)
            for s in s.strip('"').split("\\0")]


def walk(node):
    yield node
    for c in node.children:
        yield from walk(c)


class Tree:
    def __init__(self, text):
        self.root, self.reserve = parse_dts(text)
        self.nodes = list(walk(self.root))

    def by_path(self, path):
        return next((n for n in self.nodes if n.path() == path), None)

    def by_compatible(self, compat):
        return next((n for n in self.nodes
                     if compat in strings(n.props.get("compatible", ""))), None)

    def by_phandle(self, ph):
        return next(n for n in self.nodes if cells(n.props.get("phandle", "")) == [ph])

    def reg(self, node):
        ac = cells(node.parent.props.get("#address-cells", "<0x2>"))[0]
        sc = cells(node.parent.props.get("#size-cells", "<0x1>"))[0]
        c, out = cells(node.props["reg"]), []
        for i in range(0, len(c), ac + sc):
            base = sum(v << (32 * (ac - 1 - j)) for j, v in enumerate(c[i:i + ac]))
            size = sum(v << (32 * (sc - 1 - j)) for j, v in enumerate(c[i + ac:i + ac + sc]))
            out.append((base, size))
        return out

    def intids(self, node):
        n = node
        while "interrupt-parent" not in n.props:
            n = n.parent
        gic = self.by_phandle(cells(n.props["interrupt-parent"])[0])
        ncells = cells(gic.props["#interrupt-cells"])[0]
        c = cells(node.props["interrupts"])
        return [c[i + 1] + (16 if c[i] == 1 else 32) for i in range(0, len(c), ncells)]


def uart_of(t):
    path = strings(t.by_path("/chosen").props["stdout-path"])[0]
    name, _, opts = path.partition(":")
    if not name.startswith("/"):
        name = strings(t.by_path("/aliases").props[name])[0]
    node = t.by_path(name)
    compat = strings(node.props["compatible"])
    kind = next(k for c, k in UART_TYPES if c in compat)
    shift = cells(node.props.get("reg-shift", "<0x0>"))[0]
    width = cells(node.props.get("reg-io-width", "<0x1>"))[0]
    baud = int(re.match(r"\d*", opts).group(0) or 0)
    clock = cells(node.props["clock-frequency"])[0] if "clock-frequency" in node.props else 0
    return dict(base=t.reg(node)[0][0], type=kind, shift=shift, width=width,
                intid=t.intids(node)[0], baud=baud, clock=clock)


def ram_window(t, image_base):
    """The bank holding the image, less the reservations on either side of it."""
    banks = [r for n in t.nodes if n.props.get("device_type") == '"memory"' for r in t.reg(n)]
    reserved = list(t.reserve)
    rm = t.by_path("/reserved-memory")
    for n in (rm.children if rm else []):
        if "reg" in n.props and n.props.get("status", '"okay"') == '"okay"':
            reserved += t.reg(n)
    base, size = next((b, s) for b, s in banks if b <= image_base < b + s)
    lo, hi = base, base + size
    for rb, rs in reserved:
        if rb + rs <= lo or rb >= hi:
            continue
        if rb + rs <= image_base:
            lo = rb + rs
        else:
            hi = min(hi, rb)
    return banks, lo, hi - lo


def expect(name, path, image_base):
    t = Tree(run("dtc", "-q", "-I", "dtb", "-O", "dts", path))
    gic = t.by_compatible("arm,gic-v3")
    its = t.by_compatible("arm,gic-v3-its")
    timer = t.by_compatible("arm,armv8-timer")
    psci = next(t.by_compatible(c) for c in ("arm,psci-1.0", "arm,psci-0.2", "arm,psci")
                if t.by_compatible(c))
    cpus = [t.reg(n)[0][0] for n in t.by_path("/cpus").children
            if n.props.get("device_type") == '"cpu"']
    banks, ram_base, ram_size = ram_window(t, image_base)
    timer_ids = t.intids(timer)
    return dict(name=name, path=path, gicd=t.reg(gic)[0][0], gicr=t.reg(gic)[1],
                its=t.reg(its)[0][0] if its else 0, maint=t.intids(gic)[0],
                uart=uart_of(t), timer=(timer_ids[1], timer_ids[2], timer_ids[3]),
                cpus=cpus, psci="PSCI_HVC" if strings(psci.props["method"])[0] == "hvc"
                else "PSCI_SMC", banks=banks, ram=(ram_base, ram_size),
                model=strings(t.root.props.get("model", '"unknown"'))[0])


def c_case(e):
    u = e["uart"]
    banks = ", ".join("{ 0x%xull, 0x%xull }" % b for b in e["banks"])
    cpus = ", ".join("0x%x" % c for c in e["cpus"])
    return f"""\t{{ .name = "{e['name']}", .dtb = "{e['path']}", .model = "{e['model']}",
\t  .gicd = 0x{e['gicd']:x}, .gicr = 0x{e['gicr'][0]:x}, .gicr_size = 0x{e['gicr'][1]:x},
\t  .its = 0x{e['its']:x}, .maint = {e['maint']},
\t  .uart = {{ .type = {u['type']}, .base = 0x{u['base']:x}, .intid = {u['intid']},
\t\t    .reg_shift = {u['shift']}, .reg_io_width = {u['width']}, .clock_hz = {u['clock']},
\t\t    .baud = {u['baud']} }},
\t  .timer_phys = {e['timer'][0]}, .timer_virt = {e['timer'][1]}, .timer_hyp = {e['timer'][2]},
\t  .ncpus = {len(e['cpus'])}, .mpidr = {{ {cpus} }}, .psci = {e['psci']},
\t  .nbanks = {len(e['banks'])}, .banks = {{ {banks} }},
\t  .ram_base = 0x{e['ram'][0]:x}ull, .ram_size = 0x{e['ram'][1]:x}ull }},
"""


def main():
    dtb_dir, out_dir, header, image_base = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4], 0)
    os.makedirs(out_dir, exist_ok=True)
    cases = []
    for name, dtb, banks, form in BOARDS:
        path = os.path.join(out_dir, name + ".dtb")
        shutil.copyfile(os.path.join(dtb_dir, dtb), path)
        add_memory(path, banks, form)
        cases.append(expect(name, path, image_base))
    for name, dtb, banks, form in REFUSED:
        path = os.path.join(out_dir, name + ".dtb")
        shutil.copyfile(os.path.join(dtb_dir, dtb), path)
        add_memory(path, banks, form)
    with open(header + ".tmp", "w") as f:
        f.write("/* Generated by tests/unit/board_expect.py from `dtc -I dtb -O dts`. */\n")
        f.write("#define BOARD_IMAGE_BASE 0x%xull\n" % image_base)
        f.write("static const struct board_case board_cases[] = {\n")
        f.write("".join(c_case(e) for e in cases))
        f.write("};\n")
    os.replace(header + ".tmp", header)


if __name__ == "__main__":
    main()
