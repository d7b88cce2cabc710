# SPDX-License-Identifier: MIT
"""
A small harness for the zvm system tests: boots build/zvm.elf in QEMU
through scripts/qemu.sh with the console on plain pipes (no terminal, no
QEMU mux, so every byte reaches the guest UART), drives the shell and
records the whole console output in build/test-logs/<scenario>.log.

    with Zvm("boot") as vm:          # boots and waits for the prompt
        out = vm.cmd("version")      # output between the echo and the next prompt
        vm.poweroff()                # QEMU's exit status

Every wait has a timeout, multiplied by ZVM_TIMEOUT_SCALE (one factor
for every wait, so that a loaded machine gets more time); a timeout or an
unexpected exit raises ZvmError with the last console lines. QEMU is always
killed at the end.

Command output (cmd(), guest_cmd(), run()) comes without the lines other
writers put on the console meanwhile: the lines of running VMs (`[name]
...`) and timestamped log lines (the host's or the attached guest's
`[    0.053413] c0 <inf> ...`, the Linux kernel's `[   41.443273] ...`),
each written in one piece, wherever it landed.
"""
import ctypes
import os
import re
import select
import shlex
import signal
import subprocess
import time

import pexpect
from pexpect.popen_spawn import PopenSpawn

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOG_DIR = os.path.join(TOP, "build", "test-logs")
QEMU_SH = os.path.join(TOP, "scripts", "qemu.sh")

PROMPT = "zvm_host:~# "
GUEST_PROMPT = "rtos:~$ "        # the RTOS guest's shell
CTRL_X = "\x18"                  # leaves `zvm look`
CTRL_C = "\x03"                  # cancels a line (host, RTOS) or a job (Linux)
BANNER_RE = r"zvm (\S+): real-time hypervisor, EL2"
FATAL = "*** FATAL"

BOOT_TIMEOUT = float(os.environ.get("ZVM_BOOT_TIMEOUT", 60))
CMD_TIMEOUT = float(os.environ.get("ZVM_CMD_TIMEOUT", 20))
# Every wait's timeout is multiplied by this: the timeouts above and those
# the tests give are for an idle machine; 3 lets the suite pass beside two
# CPU hogs on this 2-core machine (README "Tests").
SCALE = float(os.environ.get("ZVM_TIMEOUT_SCALE", 3))
TAIL_LINES = 20
TYPE_CHUNK = 16     # keys typed into a guest at a time: half its receive FIFO
# A timestamped log line: zvm's own (host or RTOS guest) or the Linux kernel's.
# Raw, it ends in CR LF, or in CR CR LF when a guest's own line comes through
# `zvm look` (the guest's CR LF, then the host console's CR before each LF).
LOG_LINE_RE = r"\[ *\d+\.\d{6}\] [^\r\n]*\r*\n"

# The running Zvm instances (for the test time limit's report).
LIVE = []

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child: get SIGKILL if the test process dies first."""
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:
        pass


class ZvmError(AssertionError):
    """A failed wait or a broken session; the message has the console tail."""


class _Log:
    """pexpect's logfile_read: the log file plus an in-memory transcript."""

    def __init__(self, path):
        self.file = open(path, "wb")
        self.chunks = []
        self.count = 0          # characters received so far

    def write(self, s):
        self.chunks.append(s)
        self.count += len(s)
        self.file.write(s.encode("latin-1"))

    def flush(self):
        self.file.flush()

    def close(self):
        self.file.close()

    def text(self):
        return "".join(self.chunks)


def clean(s):
    """Console text as lines: CRs dropped."""
    return s.replace("\r", "")


def scaled(seconds):
    """A timeout for an idle machine, scaled by ZVM_TIMEOUT_SCALE."""
    return seconds * SCALE


class Zvm:
    def __init__(self, scenario, boot=True):
        self.scenario = scenario
        self.log_path = os.path.join(LOG_DIR, scenario + ".log")
        self.child = None
        self.log = None
        self.banner_version = None
        self.boot_output = ""   # console text before the first prompt
        self.boots = 0
        self.restarts = 0       # times recover() had to start QEMU again
        self.exit_status = None
        self._sync_seq = 0
        self._boot = boot
        # Names of running VMs: their console lines ("[name] ...\n", each
        # written in one piece) may land anywhere in the host's output, even
        # inside an echo or a prompt. cmd() and the guest helpers skip them.
        self.guests = set()
        self.attached = None    # the VM id while inside `zvm look`

    # ---- life cycle ----

    def start(self):
        os.makedirs(LOG_DIR, exist_ok=True)
        if not os.path.exists(os.path.join(TOP, "build", "zvm.elf")):
            raise ZvmError("build/zvm.elf does not exist: run `make` first")
        self.log = _Log(self.log_path)
        LIVE.append(self)
        self._spawn()
        if self._boot:
            self.wait_boot()
        return self

    def _spawn(self):
        cmd = [QEMU_SH, "-display", "none", "-monitor", "none",
               "-serial", "stdio"] + shlex.split(os.environ.get("ZVM_QEMU_EXTRA", ""))
        self.child = PopenSpawn(cmd, cwd=TOP, timeout=scaled(CMD_TIMEOUT),
                                encoding="latin-1", codec_errors="strict",
                                preexec_fn=_die_with_parent)
        self.child.logfile_read = self.log
        self.exit_status = None

    def _kill(self):
        """Kill QEMU if it still runs and collect its last output."""
        proc = self.child.proc
        if proc.poll() is None:
            proc.kill()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.exit_status is None:
            self.exit_status = proc.returncode
        try:
            # Collect what is still queued so the log is complete.
            self.child.expect(pexpect.EOF, timeout=2)
        except Exception:
            pass
        try:
            proc.stdin.close()
        except Exception:
            pass

    def restart(self):
        """Kill QEMU and boot a new one, logging on in the same log (a
        marker line between the two) so marks stay valid."""
        self._kill()
        self.restarts += 1
        self.log.write("\n=== test harness: QEMU restarted (%d) ===\n" % self.restarts)
        self.guests.clear()
        self.attached = None
        self.boots = 0
        self._spawn()
        self.wait_boot()

    def close(self):
        """Kill QEMU if it still runs; flush the log."""
        if self.child is not None:
            self._kill()
        if self.log is not None:
            self.log.close()
        if self in LIVE:
            LIVE.remove(self)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()
        return False

    # ---- diagnostics ----

    def transcript(self):
        """Everything QEMU printed so far (CRs dropped)."""
        return clean(self.log.text()) if self.log else ""

    def tail(self, n=TAIL_LINES):
        """The last n console lines."""
        return "\n".join(self.transcript().split("\n")[-n:])

    def fail(self, msg):
        raise ZvmError("%s: %s\n--- last %d console lines (%s) ---\n%s\n--- end ---"
                       % (self.scenario, msg, TAIL_LINES, self.log_path, self.tail()))

    # ---- waiting ----

    def expect(self, patterns, what, timeout=CMD_TIMEOUT, exact=False,
               stall=None):
        """Wait for one of patterns (regex, or literal if exact); returns its
        index. With stall, also fail as soon as the console has been silent
        for stall seconds (a hung guest), however long timeout is. Both are
        scaled (see SCALE)."""
        if isinstance(patterns, str):
            patterns = [patterns]
        timeout = scaled(timeout)
        stall = stall and scaled(stall)
        t0 = time.monotonic()
        deadline = t0 + timeout
        seen, last_change = self.log.count, t0
        while True:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                self.fail("timed out after %.0f s waiting for %s" % (timeout, what))
            if stall and now - last_change >= stall:
                self.fail("console silent for %.0f s (%.0f s in) while waiting "
                          "for %s: the guest stopped answering"
                          % (now - last_change, now - t0, what))
            slice_ = min(left, 1.0) if stall else left
            try:
                if exact:
                    return self.child.expect_exact(patterns, timeout=slice_)
                return self.child.expect(patterns, timeout=slice_)
            except pexpect.TIMEOUT:
                if self.log.count != seen:
                    seen, last_change = self.log.count, time.monotonic()
                continue
            except pexpect.EOF:
                pass    # failed below, outside the handler: no chained traceback
            self.exit_status = self.child.proc.wait()
            self.fail("QEMU exited (status %s) after %.1f s while waiting for %s"
                      % (self.exit_status, time.monotonic() - t0, what))

    def wait_boot(self, timeout=BOOT_TIMEOUT):
        """Wait for the banner and the first prompt; keeps the boot text."""
        self.expect(BANNER_RE, "the boot banner", timeout=timeout)
        self.banner_version = self.child.match.group(1)
        start = self.child.match.group(0)
        self.expect(PROMPT, "the first shell prompt after the banner",
                    timeout=timeout, exact=True)
        self.boot_output = clean(start + self.child.before)
        self.boots += 1
        if FATAL in self.boot_output:
            self.fail("fatal exception during boot")

    # ---- input ----

    def send(self, data, timeout=120, stall=30):
        """Write raw bytes (or latin-1 text) to the guest UART, all of them.

        Non-blocking writes with a deadline: a guest that stops reading
        (nothing taken for stall seconds, scaled) gives a failure, not a hang."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        timeout, stall = scaled(timeout), scaled(stall)
        fd = self.child.proc.stdin.fileno()
        os.set_blocking(fd, False)
        deadline = time.monotonic() + timeout
        last_progress = time.monotonic()
        view = memoryview(data)
        while view:
            now = time.monotonic()
            left = deadline - now
            if left <= 0 or now - last_progress >= stall:
                self.fail("%.0f s sending input, the last %.0f s without progress: "
                          "%d of %d bytes not taken by the guest"
                          % (timeout - left, now - last_progress, len(view), len(data)))
            if self.child.proc.poll() is not None:
                self.exit_status = self.child.proc.returncode
                self.fail("QEMU exited (status %s) while input was being sent"
                          % self.exit_status)
            _, w, _ = select.select([], [fd], [], min(left, 1.0))
            if not w:
                continue
            try:
                n = os.write(fd, view[:4096])
            except BlockingIOError:
                continue
            except BrokenPipeError:
                self.fail("QEMU closed its input")
            view = view[n:]
            last_progress = time.monotonic()

    # ---- commands ----

    def type_keys(self, line, who, timeout=CMD_TIMEOUT):
        """Type line and Enter into an attached guest, TYPE_CHUNK keys at a
        time, each chunk after the echo of the one before: `zvm look` drops
        a key the guest leaves in its full 32-byte receive FIFO for 100 ms
        (as a real UART overruns), and a vCPU of a loaded host may stall
        that long."""
        for i in range(0, len(line), TYPE_CHUNK):
            chunk = line[i:i + TYPE_CHUNK]
            self.send(chunk)
            self.expect(self.tolerant(chunk), "the %s's echo of %r (in %r)" % (who, chunk, line),
                        timeout=timeout)
        self.send("\n")

    def run(self, line, prompt, who, timeout=CMD_TIMEOUT, keys=False):
        """Type line into the shell that has the console (with keys, a guest's
        through `zvm look`: see type_keys(); else at once), wait for prompt
        and return the output: no echo, no CRs, no lines of other writers
        (see quiet()). who names the shell in a failure."""
        if keys:
            self.type_keys(line, who, timeout)
        else:
            self.send(line + "\n")
        self.expect(self.tolerant(prompt), "the %s prompt after %r" % (who, line),
                    timeout=timeout)
        out = self.quiet(self.child.before)
        first, nl, rest = out.partition("\n")
        # Typed as keys, the echo is consumed already: an empty line is left.
        if first != ("" if keys else line) or not nl:
            self.fail("the %s echoed %r for the command %r" % (who, first, line))
        return rest

    def cmd(self, line, timeout=CMD_TIMEOUT, allow_fatal=False):
        """Run one host shell command; returns its output (see run()).

        Checks the echo of the line and that no CPU died meanwhile."""
        rest = self.run(line, PROMPT, "host shell", timeout=timeout)
        if not allow_fatal and FATAL in rest:
            self.fail("a fatal exception was reported during %r" % line)
        return rest

    def lines(self, line, **kw):
        """cmd() split into non-empty lines."""
        return [l for l in self.cmd(line, **kw).split("\n") if l.strip()]

    def sync(self, timeout=CMD_TIMEOUT, stall=None):
        """Drain all earlier output: run a unique unknown command and wait for
        its error message and the prompt after it."""
        self._sync_seq += 1
        tag = "sync-%d-%d" % (os.getpid(), self._sync_seq)
        self.send(tag + "\n")
        self.expect(self.tolerant("error: unknown command '%s' (type 'help')" % tag),
                    "the answer to the sync command %r" % tag, timeout=timeout,
                    stall=stall)
        self.expect(self.tolerant(PROMPT), "the prompt after the sync command",
                    timeout=timeout)

    def recover(self):
        """After a failed test: back to the host prompt. Ctrl-C (to a guest
        command, if attached), Ctrl-X (leaves `zvm look`; the host's line
        editor ignores it), Ctrl-C (drops a half-typed host line), then
        sync(). If the host shell does not answer, QEMU is restarted and
        ZvmError says so. Returns what was done."""
        was = self.attached
        why = None
        if self.child.proc.poll() is not None:
            why = "QEMU had exited (status %s)" % self.child.proc.returncode
        else:
            try:
                self.send(CTRL_C + CTRL_X + CTRL_C)
                self.attached = None
                self.sync()
                return "back at the host prompt" + (
                    " (detached from VM %d)" % was if was is not None else "")
            except ZvmError as e:
                why = str(e).split("\n", 1)[0]
        self.restart()
        raise ZvmError("%s: after the failure the console did not return to the host "
                       "prompt (%s): QEMU was restarted for the next test (log: %s)"
                       % (self.scenario, why, self.log_path))

    # ---- VMs ----

    def guest_line_re(self):
        """A whole console line of a VM in self.guests (raw: it ends in CR LF)."""
        names = "|".join(re.escape(n) for n in sorted(self.guests))
        return r"\[(?:%s)\] [^\r\n]*\r\n" % names

    def noise_re(self):
        """A whole line of another writer: a VM in self.guests or a
        timestamped log line (see LOG_LINE_RE); raw, it ends in CR(s) LF."""
        if not self.guests:
            return LOG_LINE_RE
        return "%s|%s" % (self.guest_line_re(), LOG_LINE_RE)

    def tolerant(self, literal):
        """A regex for literal that allows other writers' lines (noise_re())
        between its characters."""
        gap = "(?:%s)*" % self.noise_re()
        return gap.join(re.escape(c) for c in literal)

    def strip_guests(self, text):
        """text without the guest lines in it (wherever they landed)."""
        return re.sub(self.guest_line_re(), "", text) if self.guests else text

    def quiet(self, text):
        """Raw console text as command output: without other writers' lines
        (guest lines first, then log lines, until none is left: a guest line
        may have landed inside a log line), CRs dropped."""
        while True:
            out = re.sub(LOG_LINE_RE, "", self.strip_guests(text))
            if out == text:
                return clean(out)
            text = out

    def mark(self):
        """A position in the transcript, for wait_for() and since()."""
        return self.log.count

    def since(self, mark, strip=False):
        """The console output after mark (CRs dropped); with strip, without
        the lines of the VMs in self.guests."""
        text = self.log.text()[mark:]
        return clean(self.strip_guests(text) if strip else text)

    def wait_for(self, pattern, what, mark=0, timeout=CMD_TIMEOUT, count=1,
                 strip=False, text=None):
        """Wait until pattern (a regex, on text without CRs) has matched count
        times in the transcript after mark (see since() for strip; `text`, a
        function of mark, gives another view of it); returns the last match.
        Consumes nothing: later cmd() calls still see all the output. The
        timeout is scaled (see SCALE)."""
        timeout = scaled(timeout)
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        text = text or (lambda m: self.since(m, strip))
        while True:
            found = list(rx.finditer(text(mark)))
            if len(found) >= count:
                return found[count - 1]
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("timed out after %.0f s waiting for %s" % (timeout, what))
            try:
                # Reads into pexpect's buffer (and the log) without matching.
                self.child.expect([pexpect.TIMEOUT], timeout=min(left, 0.2))
                continue
            except pexpect.EOF:
                pass    # failed below, outside the handler: no chained traceback
            self.exit_status = self.child.proc.wait()
            self.fail("QEMU exited (status %s) while waiting for %s"
                      % (self.exit_status, what))

    def wait_vm_log(self, vm_id, pattern, what, timeout=CMD_TIMEOUT, tail=100):
        """From the host shell: wait until pattern (a regex) matches in VM
        vm_id's console log (`zvm log -n ID --tail N`: its lines without the
        [name] prefix, also those not shown while another VM was attached);
        returns the match. The timeout is scaled (see SCALE)."""
        self.home()
        timeout = scaled(timeout)
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.cmd("zvm log -n %d --tail %d" % (vm_id, tail)))
            if m:
                return m
            if time.monotonic() >= deadline:
                self.fail("timed out after %.0f s waiting for %s in the log of VM %d"
                          % (timeout, what, vm_id))
            try:
                self.child.expect([pexpect.TIMEOUT], timeout=0.2)
            except pexpect.EOF:
                self.fail("QEMU exited while waiting for %s" % what)

    def attach(self, vm_id, sync=True, timeout=CMD_TIMEOUT):
        """`zvm look -n vm_id`. With sync, also drain the guest's shell (see
        guest_sync()), so that guest_cmd() can follow. Without, the caller
        waits for what it expects (e.g. the half-line prompt the guest printed
        earlier, which comes out at once)."""
        self.send("zvm look -n %d\n" % vm_id)
        self.expect(self.tolerant("attached to VM %d (" % vm_id),
                    "the 'attached to VM %d' line" % vm_id, timeout=timeout)
        self.expect(self.tolerant("Ctrl-X returns to the host shell\r\n"),
                    "the end of the 'attached' line", timeout=timeout)
        self.attached = vm_id
        if sync:
            self.guest_sync(timeout=timeout)

    def guest_sync(self, timeout=CMD_TIMEOUT, prompt=GUEST_PROMPT):
        """In the attached guest's shell: a unique unknown command, then its
        error and the prompt after it. Returns the output before the echo
        (without other writers' lines, see quiet())."""
        self._sync_seq += 1
        tag = "gsync-%d-%d" % (os.getpid(), self._sync_seq)
        self.send(tag + "\n")
        self.expect(self.tolerant("error: unknown command '%s' (type 'help')" % tag),
                    "the guest's answer to %r" % tag, timeout=timeout)
        out = self.quiet(self.child.before)
        self.expect(self.tolerant(prompt), "the guest prompt after %r" % tag,
                    timeout=timeout)
        return out

    def detach(self, timeout=CMD_TIMEOUT):
        """Ctrl-X: back to the host shell; returns the attached VM's output
        that came before 'detached from VM <id>'."""
        vm_id = self.attached
        self.send(CTRL_X)
        self.expect(self.tolerant("detached from VM %d\r\n" % vm_id),
                    "'detached from VM %d' after Ctrl-X" % vm_id, timeout=timeout)
        out = clean(self.strip_guests(self.child.before))
        self.expect(self.tolerant(PROMPT), "the host prompt after detaching",
                    timeout=timeout)
        self.attached = None
        return out

    def home(self, timeout=CMD_TIMEOUT):
        """Back to the host shell from wherever the console is: detach()
        if attached; returns what detach() returns, or ""."""
        return self.detach(timeout) if self.attached is not None else ""

    def guest_cmd(self, line, timeout=CMD_TIMEOUT, prompt=GUEST_PROMPT):
        """Type a line into the attached VM's shell; returns its output (see
        run())."""
        if self.attached is None:
            self.fail("guest_cmd(%r) while not attached to a VM" % line)
        return self.run(line, prompt, "guest", timeout=timeout, keys=True)

    # ---- power ----

    def wait_exit(self, timeout=CMD_TIMEOUT):
        """Wait for QEMU to exit (timeout scaled); returns its exit status."""
        timeout = scaled(timeout)
        # The failures come after the handlers: no chained tracebacks.
        closed = True
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            closed = False
        if not closed:
            self.fail("QEMU did not exit within %.0f s" % timeout)
        try:
            status = self.child.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = None
        if status is None:
            self.fail("QEMU closed its output but did not exit within %.0f s"
                      % timeout)
        self.exit_status = status
        return self.exit_status

    def poweroff(self, timeout=CMD_TIMEOUT):
        """`poweroff`; returns QEMU's exit status."""
        self.send("poweroff\n")
        self.expect("powering off", "'powering off'", timeout=timeout,
                    exact=True)
        return self.wait_exit(timeout)


def parse_table(text, header_word):
    """Rows (lists of words) of a table whose header starts with header_word."""
    rows, seen = [], False
    for l in text.split("\n"):
        if not seen:
            seen = l.split()[:1] == [header_word]
            continue
        if l.strip():
            rows.append(l.split())
    if not seen:
        raise AssertionError("no table with header %r in:\n%s" % (header_word, text))
    return rows


def find(pattern, text, what):
    """re.search or a clear failure."""
    m = re.search(pattern, text, re.M)
    if not m:
        raise AssertionError("%s: no match for /%s/ in:\n%s" % (what, pattern, text))
    return m


# ---- VM commands: parsed answers ----

INFO_FIELDS = ("id", "name", "type", "vcpus", "cpus", "prio", "mem_mb", "state",
               "uptime_s", "exits")


def zvm_info(vm, vm_id=None):
    """`zvm info [-n ID]` as {id: row dict}; with vm_id the row also has
    'detail' (the lines after it: priority, exits, halted reason)."""
    out = vm.cmd("zvm info" if vm_id is None else "zvm info -n %d" % vm_id)
    lines = [l for l in out.split("\n") if l.strip()]
    if not lines or lines[0].split()[:2] != ["ID", "NAME"]:
        raise AssertionError("zvm info: no table header in:\n" + out)
    if lines[1:] == ["(no VMs: create one with zvm new -t rtos)"]:
        return {}
    rows = {}
    for l in lines[1:]:
        w = l.split()
        if len(w) == len(INFO_FIELDS) and w[0].isdigit():
            r = dict(zip(INFO_FIELDS, w))
            for k in ("id", "vcpus", "prio", "mem_mb", "exits"):
                r[k] = int(r[k])
            r["uptime_s"] = float(r["uptime_s"])
            r["detail"] = []
            rows[r["id"]] = r
        elif rows and vm_id is not None:
            rows[vm_id]["detail"].append(l)
        else:
            raise AssertionError("zvm info: unexpected line %r in:\n%s" % (l, out))
    return rows


def mem_stats(vm):
    """`mem`: {'pages_free', 'pages_used', 'page_failures', 'heap_used',
    'heap_failures'}."""
    out = vm.cmd("mem")
    pages, _, heap = out.partition("\nheap")
    if not heap:
        raise AssertionError("mem: no heap section in:\n" + out)
    heap = "heap" + heap
    return {
        "pages_free": int(find(r"^\s*free\s+(\d+)", pages, "mem: free pages").group(1)),
        "pages_used": int(find(r"^\s*used\s+(\d+)", pages, "mem: used pages").group(1)),
        "page_failures": int(find(r"failures (\d+)", pages, "mem: page failures").group(1)),
        "heap_used": int(find(r"^\s*used\s+(\d+)", heap, "mem: heap used").group(1)),
        "heap_failures": int(find(r"failures (\d+)", heap, "mem: heap failures").group(1)),
    }


SYNC_LINE_RE = r"\[%s\] (thread_[ab]): turn (\d+) on CPU (\d+) at (\d+) ms$"


def sync_turns(text, name):
    """The lines of an `app=sync` guest named name in text, in order:
    [(thread, turn, guest cpu, guest ms)]."""
    return [(m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)))
            for m in re.finditer(SYNC_LINE_RE % re.escape(name), text, re.M)]


def check_sync_sequence(turns, max_gap_ms):
    """An app=sync guest's lines: thread_a and thread_b alternate, turns
    count up from 0 without a gap, and each line comes 500 ms (guest time)
    after the previous one, at most max_gap_ms. Returns the largest gap."""
    assert turns, "no sync lines"
    worst = 0
    for i, (thread, turn, _, ms) in enumerate(turns):
        want = ("thread_a" if i % 2 == 0 else "thread_b", i // 2)
        assert (thread, turn) == want, \
            "line %d of the sync guest is %s turn %d, expected %s turn %d" % (
                i, thread, turn, want[0], want[1])
        if i:
            gap = ms - turns[i - 1][3]
            worst = max(worst, gap)
            assert 500 <= gap <= max_gap_ms, \
                "%s turn %d came %d ms after the line before (500..%d expected)" % (
                    thread, turn, gap, max_gap_ms)
    return worst
