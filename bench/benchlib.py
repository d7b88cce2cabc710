"""What the benchmark scripts share: starting QEMU, naming the commit, writing a result."""
import subprocess

import pexpect

# QEMU for a run without zvm: the same QEMU as scripts/qemu.sh (which QEMU:
# scripts/qemu-env.sh). A command line starts with it; the bench runs in the top folder.
QEMU = "scripts/qemu-system.sh"


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


def start_vm(q, new_args):
    """At the zvm host prompt: create a VM (`zvm new NEW_ARGS`) and run it; its id."""
    q.expect_exact("zvm_host:~# ")
    q.sendline("zvm new " + new_args)
    q.expect(r"VM (\d+) created")
    vm = q.match.group(1)
    q.expect_exact("zvm_host:~# ")
    q.sendline("zvm run -n " + vm)
    return vm
