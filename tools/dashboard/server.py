# SPDX-License-Identifier: MIT
"""The web dashboard's server (`zvmctl dashboard`): serves the page on
127.0.0.1, forwards the page's requests to zvm over the control channel and
pushes live statistics and zvm's events to the page over a WebSocket.

HTTP and WebSocket come from Debian's python3-aiohttp; the charts are
Debian's libjs-chart.js, served from /usr/share/javascript. One channel
session is shared by all pages; its blocking calls run in a worker thread,
one at a time (zvm answers requests in order anyway).
"""
import asyncio
import json
import os
import sys
import tempfile
import threading

from aiohttp import web, WSMsgType

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC = os.path.join(HERE, "static")
sys.path.insert(0, os.path.dirname(HERE))
import zvm_mgmt as zm  # noqa: E402

CHART_JS = "/usr/share/javascript/chart.js/chart.min.js"
STATS_PERIOD = 1.0


class Zvm:
    """The one session with zvm; reconnects after the link fails."""

    def __init__(self, addr, token):
        self.addr, self.token = addr, token
        self.cli = None
        self.lock = threading.Lock()

    def _client(self):
        if self.cli is None:
            self.cli = zm.Client(self.addr, self.token, timeout=30)
        return self.cli

    def call(self, line, data=b"", timeout=None):
        """One request; the reply dict (ok or not), or a link error as a reply."""
        with self.lock:
            try:
                return self._client().call(line, data, timeout)
            except zm.LinkError as e:
                if self.cli:
                    self.cli.close()
                self.cli = None
                return {"ok": False, "error": str(e), "link": False}

    def events(self):
        with self.lock:
            if self.cli is None:
                return []
            out = list(self.cli.events)
            self.cli.events.clear()
            return out

    def new_from_upload(self, image_name, image, config_name, config, extra):
        """Push an image and a config (DTB or DTS), then create the VM."""
        with self.lock:
            try:
                cli = self._client()
                if image:
                    cli.upload(image_name, image)
                if config_name.endswith(".dts"):
                    with tempfile.NamedTemporaryFile(suffix=".dts") as f:
                        f.write(config)
                        f.flush()
                        config = zm.compile_dts(f.name)
                name = os.path.splitext(config_name)[0]
                cli.upload(name, config, config=True)
                return cli.request(zm.quote("new", "--config", name, *extra))
            except (zm.ZvmError, ValueError) as e:
                return {"ok": False, "error": str(e)}
            except zm.LinkError as e:
                self.cli = None
                return {"ok": False, "error": str(e), "link": False}


async def in_thread(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


async def api_request(request):
    body = await request.json()
    line = str(body.get("line", ""))
    timeout = float(body.get("timeout", 30))
    return web.json_response(await in_thread(request.app["zvm"].call, line, b"", timeout))


async def api_upload(request):
    """multipart: image (file), image_name, config (file), args (optional)."""
    form = await request.post()
    image, config = form.get("image"), form.get("config")
    if config is None or not hasattr(config, "file"):
        return web.json_response({"ok": False, "error": "choose a VM config (.dts or .dtb)"})
    image_name = str(form.get("image_name") or (image.filename if image is not None and
                                                 hasattr(image, "file") else ""))
    image_data = image.file.read() if image is not None and hasattr(image, "file") else b""
    extra = ["--args", str(form["args"])] if form.get("args") else []
    reply = await in_thread(request.app["zvm"].new_from_upload, image_name, image_data,
                            config.filename, config.file.read(), extra)
    return web.json_response(reply)


async def ws_handler(request):
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    request.app["sockets"].add(ws)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.ERROR:
                break
    finally:
        request.app["sockets"].discard(ws)
    return ws


async def pusher(app):
    """Every STATS_PERIOD: stats and the events since, to every open page."""
    zvm = app["zvm"]
    while True:
        if app["sockets"]:
            stats = await in_thread(zvm.call, "stats")
            msg = json.dumps({"stats": stats, "events": await in_thread(zvm.events)})
            for ws in list(app["sockets"]):
                try:
                    await ws.send_str(msg)
                except ConnectionError:
                    app["sockets"].discard(ws)
        await asyncio.sleep(STATS_PERIOD)


async def start_pusher(app):
    app["pusher"] = asyncio.get_running_loop().create_task(pusher(app))


async def stop_pusher(app):
    app["pusher"].cancel()


async def index(_request):
    return web.FileResponse(os.path.join(STATIC, "index.html"))


def make_app(addr, token):
    app = web.Application(client_max_size=256 << 20)
    app["zvm"] = Zvm(addr, token)
    app["sockets"] = set()
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/vendor/chart.min.js", lambda r: web.FileResponse(CHART_JS))
    app.router.add_post("/api/request", api_request)
    app.router.add_post("/api/upload", api_upload)
    app.router.add_get("/ws", ws_handler)
    app.on_startup.append(start_pusher)
    app.on_cleanup.append(stop_pusher)
    return app


def main(args):
    """`zvmctl dashboard [--port P]`: serve until Ctrl-C."""
    if not os.path.exists(CHART_JS):
        print("zvmctl dashboard: %s is missing: run scripts/setup.sh (libjs-chart.js)"
              % CHART_JS, file=sys.stderr)
        return 1
    addr = args.connect or zm.default_addr()
    token = args.token if args.token is not None else zm.default_token()
    print("zvm dashboard on http://127.0.0.1:%d/ (zvm at %s)" % (args.port, addr), flush=True)
    web.run_app(make_app(addr, token), host="127.0.0.1", port=args.port, print=None)
    return 0
