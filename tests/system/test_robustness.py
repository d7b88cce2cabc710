"""Scenario robustness: over-long lines, piped stdin (garbage: test_garbage.py)."""
import os
import subprocess

from zvm import LOG_DIR, PROMPT, TOP, clean, find, scaled

TOO_LONG_RE = r"error: line too long \(max (\d+) characters\)"


def line_max():
    """SHELL_LINE_MAX from include/zvm/shell_line.h."""
    with open(os.path.join(TOP, "include", "zvm", "shell_line.h")) as f:
        return int(find(r"^#define\s+SHELL_LINE_MAX\s+(\d+)", f.read(),
                        "shell_line.h").group(1))


def test_4k_line_rejected(vm):
    line = "version " + "x" * (4096 - len("version "))
    vm.send(line + "\n")
    vm.expect(TOO_LONG_RE, "the 'line too long' error for a 4 KiB line")
    before = clean(vm.child.before)
    n = int(vm.child.match.group(1))
    vm.expect(PROMPT, "the prompt after the 'line too long' error", exact=True)
    assert "unexpected argument" not in before and "usage:" not in before, \
        "the over-long line was run:\n" + before[-500:]
    assert n == line_max(), "the error says max %d, SHELL_LINE_MAX is %d" % (n, line_max())
    assert vm.cmd("version").startswith("zvm ")


def test_line_max_boundary(vm):
    n = line_max()
    # Exactly the limit is accepted and run (trailing blanks split away).
    assert vm.lines("log" + " " * (n - 3)) == ["log level: inf"]
    # One more character is not.
    vm.send("log" + " " * (n - 2) + "\n")
    vm.expect(TOO_LONG_RE, "the 'line too long' error for %d characters" % (n + 1))
    vm.expect(PROMPT, "the prompt after the error", exact=True)
    assert vm.lines("log") == ["log level: inf"]


def test_run_sh_with_piped_stdin():
    """`printf 'version\\npoweroff\\n' | scripts/run.sh` exits 0 after the version."""
    os.makedirs(LOG_DIR, exist_ok=True)
    log = os.path.join(LOG_DIR, "run_pipe.log")
    limit = scaled(100)
    try:
        p = subprocess.run([os.path.join(TOP, "scripts", "run.sh")], cwd=TOP,
                           input=b"version\npoweroff\n", stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=limit)
    except subprocess.TimeoutExpired as e:
        out = (e.output or b"").decode("latin-1")
        with open(log, "w") as f:
            f.write(out)
        raise AssertionError("scripts/run.sh did not exit within %.0f s; output:\n%s"
                             % (limit, clean(out)[-2000:]))
    out = clean(p.stdout.decode("latin-1"))
    with open(log, "w") as f:
        f.write(out)
    assert p.returncode == 0, "run.sh exited %d; output:\n%s" % (p.returncode, out[-2000:])
    find(r"^zvm_host:~# version\nzvm \S+ \(.+\) aarch64 EL2$", out, "run.sh output")
    find(r"^zvm_host:~# poweroff\npowering off$", out, "run.sh output")
