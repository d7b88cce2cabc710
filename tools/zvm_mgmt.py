# SPDX-License-Identifier: MIT
"""Client side of zvm's management protocol (docs/management.md).

A frame is a 16-byte header ('ZM', version, type, id, length, CRC-32 of
header bytes 0..11 and the body) and a body. Requests are command lines
(the zvm shell's syntax), optionally followed by a NUL and binary data;
replies and events are JSON. Used by tools/zvmctl, the dashboard server
and the system tests. Python standard library only.
"""
import json
import os
import random
import socket
import struct
import time
import zlib
from collections import deque

VERSION = 1
HDR = struct.Struct("<2sBBIII")
HDR_LEN = HDR.size
BODY_MAX = 8192
REQUEST, REPLY, EVENT = 1, 2, 3
CHUNK = 4096
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ADDR = os.path.join(TOP, "build", "mgmt.sock")
TOKEN_FILE = os.path.join(TOP, "build", "mgmt-token")


class ZvmError(Exception):
    """zvm answered a request with an error (the message is zvm's)."""


class LinkError(Exception):
    """The channel failed: no connection, a timeout, or a broken frame."""


def frame(ftype, fid, body):
    """One frame as bytes."""
    head = struct.pack("<2sBBII", b"ZM", VERSION, ftype, fid, len(body))
    return head + struct.pack("<I", zlib.crc32(head + body) & 0xFFFFFFFF) + body


def default_token():
    """$ZVM_TOKEN, else the build's token file (build/mgmt-token)."""
    if os.environ.get("ZVM_TOKEN"):
        return os.environ["ZVM_TOKEN"]
    try:
        with open(TOKEN_FILE) as f:
            return f.read().strip()
    except OSError:
        return ""


def default_addr():
    return os.environ.get("ZVM_MGMT") or DEFAULT_ADDR


def quote(*words):
    """A request line from words, quoted the way zvm's shell parser reads them."""
    out = []
    for w in words:
        w = str(w)
        if w and not any(c in w for c in " \t\"'\\"):
            out.append(w)
        else:
            out.append('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


class Parser:
    """Streaming frame parser: feed bytes, take complete, checked frames."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data

    def frames(self):
        """Yield (type, id, body); skips damaged frames by hunting for the magic."""
        while True:
            at = self.buf.find(b"ZM")
            if at < 0:
                del self.buf[:-1]
                return
            del self.buf[:at]
            if len(self.buf) < HDR_LEN:
                return
            _, ver, ftype, fid, length, crc = HDR.unpack_from(self.buf)
            if ver != VERSION or length > BODY_MAX:
                del self.buf[:2]
                continue
            if len(self.buf) < HDR_LEN + length:
                return
            body = bytes(self.buf[HDR_LEN:HDR_LEN + length])
            if zlib.crc32(bytes(self.buf[:12]) + body) & 0xFFFFFFFF != crc:
                del self.buf[:2]
                continue
            del self.buf[:HDR_LEN + length]
            yield ftype, fid, body


class Client:
    """A session with zvm's agent: connect, flush, hello, then requests."""

    def __init__(self, addr=None, token=None, timeout=30.0, hello=True):
        self.addr = addr or default_addr()
        self.timeout = timeout
        self.parser = Parser()
        self.events = deque(maxlen=10000)
        self.next_id = random.randrange(1, 1 << 30)
        self.sock = self._connect(self.addr)
        # A frame the previous client left half-sent would swallow our
        # first bytes: fill it up with zeros (zvm then skips the rest).
        self.send_raw(bytes(HDR_LEN + BODY_MAX))
        self.hello = self.request(quote("hello", token if token is not None
                                        else default_token())) if hello else None

    @staticmethod
    def _connect(addr):
        try:
            if str(addr).isdigit() or ":" in str(addr):
                host, _, port = str(addr).rpartition(":")
                s = socket.create_connection((host or "127.0.0.1", int(port)), timeout=5)
            else:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(addr)
        except (OSError, ValueError) as e:
            raise LinkError("cannot connect to zvm at %s: %s (is it running? "
                            "`make run` starts it)" % (addr, e)) from e
        return s

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise LinkError("lost the connection to zvm: %s" % e) from e

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise LinkError("no answer from zvm within %.0f s" % self.timeout)
        self.sock.settimeout(min(left, 0.5))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        except OSError as e:
            raise LinkError("lost the connection to zvm: %s" % e) from e
        if not data:
            raise LinkError("zvm closed the connection")
        self.parser.feed(data)

    def send(self, line, data=b""):
        """Send one request; returns its id (the reply is read by wait_reply)."""
        body = line.encode() + ((b"\0" + data) if data else b"")
        fid = self.next_id
        self.next_id = (self.next_id + 1) & 0xFFFFFFFF or 1
        self.send_raw(frame(REQUEST, fid, body))
        return fid

    def wait_reply(self, fid, timeout=None):
        """The reply to request fid as a dict (ok true or false); events are kept."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for ftype, rid, body in self.parser.frames():
                msg = json.loads(body.decode())
                if ftype == EVENT:
                    self.events.append(msg)
                elif ftype == REPLY and rid == fid:
                    return msg
            self._read(deadline)

    def call(self, line, data=b"", timeout=None):
        """Request and reply as a dict, whether ok or not."""
        return self.wait_reply(self.send(line, data), timeout)

    def request(self, line, data=b"", timeout=None):
        """Request; the reply dict, or ZvmError with zvm's message."""
        reply = self.call(line, data, timeout)
        if not reply.get("ok"):
            raise ZvmError(reply.get("error", "failed"))
        return reply

    def next_event(self, timeout):
        """The next pushed event (dict), or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not self.events:
            for ftype, _, body in self.parser.frames():
                if ftype == EVENT:
                    self.events.append(json.loads(body.decode()))
            if self.events or time.monotonic() >= deadline:
                break
            try:
                self._read(deadline)
            except LinkError:
                if time.monotonic() >= deadline:
                    break
                raise
        return self.events.popleft() if self.events else None

    def upload(self, name, data, config=False, progress=None):
        """Push an image (or a VM config DTB) under name; committed only when whole."""
        crc = zlib.crc32(data) & 0xFFFFFFFF
        self.request(quote("upload", name, len(data), "0x%08x" % crc,
                           *(["config"] if config else [])))
        for off in range(0, len(data), CHUNK):
            self.request(quote("chunk", name, off), data[off:off + CHUNK])
            if progress:
                progress(min(off + CHUNK, len(data)), len(data))
        return self.request(quote("commit", name))


def compile_dts(path):
    """A .dts compiled with dtc (bytes), or ValueError with dtc's message."""
    import subprocess
    res = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", "-", path],
                         capture_output=True)
    if res.returncode != 0:
        raise ValueError("dtc could not compile %s:\n%s" % (path, res.stderr.decode().strip()))
    return res.stdout


def vm_options(args):
    """zvm `new`/`update` options from parsed arguments (argparse namespace)."""
    words = []
    for opt, attr in (("-n", "name"), ("--vcpus", "vcpus"), ("--mem", "mem"),
                      ("--cpus", "cpus"), ("--prio", "prio"), ("--args", "args")):
        v = getattr(args, attr, None)
        if v is not None:
            words += [opt, v]
    return words


def split_image_arg(spec):
    """--image FILE or NAME=FILE: (name, path)."""
    name, eq, path = spec.partition("=")
    if not eq:
        path, name = spec, os.path.basename(spec)
    return name, path


def new_from_files(cli, images, config, template=None, extra=(), progress=None):
    """Upload images and a VM config (.dts or .dtb), then create the VM; reply dict."""
    for spec in images:
        name, path = split_image_arg(spec)
        with open(path, "rb") as f:
            cli.upload(name, f.read(), progress=progress)
    if config.endswith(".dts"):
        blob = compile_dts(config)
    else:
        with open(config, "rb") as f:
            blob = f.read()
    cfg_name = os.path.splitext(os.path.basename(config))[0]
    cli.upload(cfg_name, blob, config=True)
    words = ["new", "--config", cfg_name] + (["-t", template] if template else [])
    return cli.request(quote(*words, *extra))
