"""The preview server: build, serve output/ under the site's path with live reload, and
rebuild on every save.

Changes are found by polling the sources (site.yaml, content/, templates/; never output/)
every few hundredths of a second; a burst of saves becomes one rebuild on one thread.
While a rebuild runs, page requests wait for it, so a browser never gets a half-built site;
after it, every connected browser is told to reload at once. A build that fails leaves the
pages on disk as they were, and the browser is shown the errors instead of a stale page
until a save fixes them.

livereload provides the browser side (its livereload.js and the WebSocket it talks to);
its own file watcher and reload throttle are not used, because the throttle drops a
change that comes within three seconds of the previous one.
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, ioloop, netutil, web

from . import search
from .build import Builder, BuildResult
from .diagnostics import Diagnostic
from .load import file_key

POLL = 0.02  # seconds between looks at the sources
QUIET = 0.03  # a burst of saves has ended when nothing changed for this long
LONGEST_BURST = 0.5  # rebuild after this long even if saves keep coming
EARLY_WAIT = 0.4  # how long the rest of a build waits for reloaded pages to come back
INDEX_AFTER = 1.5  # the search index is refreshed once saves have paused this long
STOP_WAIT = 30  # seconds a build under way may take to give up when the preview is closed
LOOK_EVERY = 0.3  # seconds between looks for a newer save while a build is under way

LIVE_SCRIPT = ('<script>(function(){var s=document.createElement("script");'
               's.src="//"+location.hostname+":"+(location.port||(location.protocol=="https:"?443:80))'
               '+"/livereload.js?port="+(location.port||(location.protocol=="https:"?443:80));'
               'document.head.appendChild(s);})();</script>')


def snapshot(root: Path) -> dict[str, tuple]:
    """Size and times of every source file (load.file_key, by path): what a save changes.
    A build is given the look that noticed a save, to take the keys from (FileCache)."""
    seen: dict[str, tuple] = {}

    def walk(folder: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    walk(entry.path)
                else:
                    info = entry.stat()
                    seen[entry.path] = file_key(info)
            except OSError:
                continue

    config = root / "site.yaml"
    try:
        info = config.stat()
        seen[str(config)] = file_key(info)
    except OSError:
        pass
    walk(str(root / "content"))
    walk(str(root / "templates"))
    return seen


class Preview:
    """The state the watcher thread and the web handlers share."""

    def __init__(self, site_root: Path, drafts: bool, out=sys.stdout):
        self.site_root = site_root
        self.builder = Builder(site_root, drafts=drafts, search=True)
        self.output = self.builder.output
        self.out = out
        self.idle = threading.Event()  # set while no build is running
        self.idle.set()
        self.errors: list[Diagnostic] = []
        self.prefix = "/"
        self.loop: ioloop.IOLoop | None = None
        self.stopping = threading.Event()
        self.early: dict[str, bytes] = {}  # pages of the build under way that are already final
        self.reloaded_early = False
        self.back = threading.Event()  # set when the reloaded pages have come back
        self.indexing = None  # the search indexing process under way, if any
        self.index_due: float | None = None  # when to refresh the search index, once saves pause
        self.warned_search = False
        self.back_count = self.back_expected = 0
        self.builds = 0

    def viewed(self) -> set[str]:
        """The output paths of the pages open in browsers right now."""
        paths = set()
        for waiter in list(LiveReloadHandler.waiters):
            path = urlsplit(getattr(waiter, "page_url", "") or "").path
            if path.startswith(self.prefix):
                rel = unquote(path[len(self.prefix):])
                paths.add(rel + "index.html" if rel == "" or rel.endswith("/") else rel)
        return paths

    def _early(self, pages: dict[str, bytes]) -> None:
        """The open pages are rendered: serve them now, reload the browsers showing them, and
        let the rest of the build wait until they are back (or EARLY_WAIT has passed), so that
        on a small machine the pages the editor is looking at get the processor first."""
        self.early, self.errors = pages, []
        self.reloaded_early = True
        waiting = len(LiveReloadHandler.waiters)
        self.back.clear()
        self.back_count = 0
        self.back_expected = waiting
        self.reload_browsers()
        if waiting:
            self.back.wait(EARLY_WAIT)

    def browser_back(self) -> None:
        """A page reconnected after reloading."""
        self.back_count += 1
        if self.back_count >= self.back_expected:
            self.back.set()

    def build(self, since: dict | None = None) -> BuildResult:
        """Build; with since (the snapshot the build starts from), give up once the open
        pages are out if another save has come meanwhile: the next build is due at once,
        and pages not yet rebuilt go on waiting for it (idle stays clear)."""
        self.idle.clear()
        self.early, self.reloaded_early = {}, False
        result = None
        try:
            started = time.perf_counter()
            result = self.builder.build(first=self.viewed(), on_first=self._early,
                                        stop=self._saved_since(since) if since is not None else None, stats=since)
            if result.superseded:
                if not self.stopping.is_set():
                    print("A newer save came: rebuilding for it.", file=self.out, flush=True)
                return result
            self.builds += 1
            self.errors = result.diagnostics.errors
            if result.index is not None:
                self.prefix = result.index.config.prefix
            took = time.perf_counter() - started
            for diagnostic in result.diagnostics.sorted():
                print(diagnostic.format(), file=self.out)
            if result.ok:
                report = result.report
                print(f"{'Rebuilt' if self.builds > 1 else 'Built'} in {took:.2f} s: {len(report.written)} written, {len(report.removed)} removed.",
                      file=self.out, flush=True)
            else:
                count = len(self.errors)
                print(f"{count} error{'' if count == 1 else 's'}: the browser shows them until they are fixed; "
                      "output/ is as it was.", file=self.out, flush=True)
            return result
        finally:
            self.early = {}
            if result is None or not result.superseded:
                self.idle.set()

    def _saved_since(self, known: dict):
        """stop() for a build: whether the sources differ from known, looked at no more than
        every LOOK_EVERY seconds (a look at a large site takes a few hundredths)."""
        due = time.monotonic() + LOOK_EVERY

        def stop() -> bool:
            nonlocal due
            if self.stopping.is_set():  # the preview is closing: leave output/ as it was
                return True
            if time.monotonic() < due:
                return False
            due = time.monotonic() + LOOK_EVERY
            return snapshot(self.site_root) != known

        return stop

    def index_search(self) -> None:
        """Refresh the search index after the pages are out, in a background process at low
        priority; a newer build stops an older indexing and starts its own."""
        self.stop_indexing()
        self.indexing = search.start_indexing(self.output)
        if self.indexing is None and not self.warned_search:
            self.warned_search = True
            print(f"warning: {search.MISSING}", file=self.out, flush=True)

    def stop_indexing(self) -> None:
        if self.indexing is not None and self.indexing.poll() is None:
            self.indexing.terminate()
            self.indexing.wait()

    def reload_browsers(self) -> None:
        if self.loop is not None:
            self.loop.add_callback(_tell_browsers_to_reload)

    def watch(self, before: dict[str, tuple]) -> None:
        """Poll the sources; rebuild once per burst of saves; never die on a bad save.
        before is the snapshot taken before the first build, so no save is missed."""
        while not self.stopping.wait(POLL):
            now = snapshot(self.site_root)
            if now == before:
                if self.index_due is not None and time.monotonic() >= self.index_due:
                    self.index_due = None
                    self.index_search()
                continue
            self.stop_indexing()  # the processor is for the rebuild now
            first = last = time.monotonic()
            while time.monotonic() - last < QUIET and time.monotonic() - first < LONGEST_BURST:
                time.sleep(POLL / 2)
                later = snapshot(self.site_root)
                if later != now:
                    now, last = later, time.monotonic()
            before = now
            try:
                result = self.build(since=now)
                if result.superseded:  # build again at the next look, whatever it finds
                    before = None
                    continue
                if not (self.reloaded_early and result.ok):
                    self.reload_browsers()
                if result.ok and result.report and (result.report.written or result.report.removed):
                    self.index_due = time.monotonic() + INDEX_AFTER
            except Exception as exc:  # a bug must not stop the preview; show it like a content error
                self.errors = [Diagnostic(_Nowhere(), f"internal error while building: {exc!r}",
                                          "please report this with the file you just saved")]
                print(self.errors[0].format(), file=self.out, flush=True)
                self.early = {}
                self.idle.set()
                self.reload_browsers()


class PageSocket(LiveReloadHandler):
    """livereload's WebSocket, remembering which page each browser has open."""

    def initialize(self, preview: Preview):
        self.preview = preview

    def on_message(self, message):
        try:
            data = json.loads(message)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("command") == "info":
            self.page_url = str(data.get("url", ""))
            self.preview.browser_back()
        super().on_message(message)


def _tell_browsers_to_reload() -> None:
    """Send livereload.js's reload command to every connected page (on the IOLoop thread)."""
    message = {"command": "reload", "path": "index.html", "liveCSS": False, "liveImg": False}
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(message)
        except Exception:  # a page that went away
            LiveReloadHandler.waiters.discard(waiter)


class _Nowhere:
    def __str__(self) -> str:
        return "explainer"

    def __lt__(self, other) -> bool:
        return True


def error_page(errors: list[Diagnostic]) -> bytes:
    items = "\n".join(
        f'<li><code class="where">{html.escape(str(d.location))}</code>'
        f'<p class="what">{html.escape(d.message)}</p>'
        + (f'<p class="hint">{html.escape(d.hint)}</p>' if d.hint else "") + "</li>"
        for d in errors)
    count = len(errors)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{count} error{'' if count == 1 else 's'} · preview</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 0; background: #fff4f4; color: #2b0b0b; }}
main {{ max-width: 50rem; margin: 0 auto; padding: 1.5rem 1rem; }}
h1 {{ font-size: 1.4rem; color: #8a0010; }}
ol {{ padding-left: 1.2rem; }}
li {{ background: #fff; border: 1px solid #e5b3b8; border-radius: 6px; padding: 0.6rem 0.9rem; margin: 0 0 0.8rem; }}
.where {{ font-weight: 700; word-break: break-all; }}
.what {{ margin: 0.3rem 0; }}
.hint {{ margin: 0; color: #4b4b4b; }}
@media (prefers-color-scheme: dark) {{
  body {{ background: #1e0d0f; color: #f6dede; }} li {{ background: #2a1417; border-color: #6b2a32; }}
  h1 {{ color: #ff8b97; }} .hint {{ color: #d0b8bb; }}
}}
</style>
</head>
<body>
<main id="explainer-errors">
<h1>The site could not be rebuilt: {count} error{'' if count == 1 else 's'}</h1>
<p>Fix the file and save: this page reloads by itself. The last good site is kept in output/.</p>
<ol>
{items}
</ol>
</main>
</body>
</html>
""".encode("utf-8")


class SiteHandler(web.StaticFileHandler):
    """Serves output/ under the site's path, with no caching, the reload script in every
    page, the errors instead of pages while the content is broken, and nothing outside."""

    preview: Preview

    def initialize(self, preview: Preview, **kwargs):
        self.preview = preview
        super().initialize(path=str(preview.output), default_filename="index.html")

    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "no-store, must-revalidate")

    def should_return_304(self) -> bool:
        return False

    def compute_etag(self):
        return None  # no validators: the preview must never be answered from a cache

    def validate_absolute_path(self, root: str, absolute_path: str):
        self._inside(absolute_path)
        return super().validate_absolute_path(root, absolute_path)

    async def get(self, path: str, include_body: bool = True):
        if "\\" in path or "\0" in path:
            raise web.HTTPError(404)
        early = self.preview.early.get(path + "index.html" if path == "" or path.endswith("/") else path)
        if early is not None and not self.preview.idle.is_set():
            self._send_page(early, 200, include_body)
            return
        await ioloop.IOLoop.current().run_in_executor(None, self.preview.idle.wait, 30)
        wants_page = path == "" or path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]
        if self.preview.errors and wants_page:
            self._send_page(error_page(self.preview.errors), 500, include_body)
            return
        if wants_page:
            target = self._inside(os.path.join(self.root, path))
            if os.path.isdir(target):
                if path and not path.endswith("/"):
                    self.redirect(self.request.path + "/", permanent=False)
                    return
                target = self._inside(os.path.join(target, "index.html"))
            if not os.path.isfile(target):
                raise web.HTTPError(404)
            with open(target, "rb") as stream:
                self._send_page(stream.read(), 200, include_body)
            return
        await super().get(path, include_body)

    def _inside(self, target: str) -> str:
        """target, when it (with links resolved) lies inside output/; a 403 otherwise."""
        real_root = os.path.realpath(self.root)
        real = os.path.realpath(target)
        if real != real_root and not real.startswith(real_root + os.sep):
            raise web.HTTPError(403)
        return real

    def _send_page(self, body: bytes, status: int, include_body: bool) -> None:
        if b"</head>" in body:
            body = body.replace(b"</head>", LIVE_SCRIPT.encode() + b"</head>", 1)
        else:  # a template of the site's own without </head>: the script still goes in
            body += LIVE_SCRIPT.encode()
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store, must-revalidate")
        if include_body:
            self.finish(body)
        else:
            self.set_header("Content-Length", str(len(body)))
            self.finish()

    def write_error(self, status_code: int, **kwargs) -> None:
        page = Path(self.preview.output) / "404.html"
        if status_code == 404 and page.is_file() and not self.preview.errors:
            self._send_page(page.read_bytes(), 404, True)
            return
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


class RootHandler(web.RequestHandler):
    def initialize(self, preview: Preview):
        self.preview = preview

    def get(self, path: str = ""):
        self.redirect(self.preview.prefix, permanent=False)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(site_root: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
          open_browser: bool = False, out=sys.stdout) -> int:
    preview = Preview(site_root, drafts, out)
    sources = snapshot(site_root)  # before the first build: a save during it still counts
    result = preview.build()
    if result.ok:
        preview.index_due = time.monotonic() + INDEX_AFTER
    if result.index is None and not (site_root / "site.yaml").is_file():
        return 1
    if any("will not write there" in d.message for d in result.diagnostics.errors):
        return 1
    if not _loopback(host):
        print(f"WARNING: listening on {host}: anyone who can reach this computer can see the preview. "
              "Use the default 127.0.0.1 unless you mean it.", file=sys.stderr, flush=True)

    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
    prefix = preview.prefix
    handlers = [
        (r"/livereload", PageSocket, {"preview": preview}),
        (r"/livereload\.js", LiveReloadJSHandler),
        (rf"{prefix}(.*)", SiteHandler, {"preview": preview}),
    ]
    if prefix != "/":
        handlers.append((r"/(.*)", RootHandler, {"preview": preview}))
    app = web.Application(handlers, debug=False, autoreload=False, compress_response=False)
    try:
        sockets = netutil.bind_sockets(port, host, family=socket.AF_INET if ":" not in host else socket.AF_UNSPEC)
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror}\n  hint: pass another --port, or --port 0 "
              "to pick a free one", file=sys.stderr)
        return 2
    server = httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{bound}{prefix}"

    loop = ioloop.IOLoop.current()
    preview.loop = loop
    watcher = threading.Thread(target=preview.watch, args=(sources,), name="explainer-watch", daemon=True)

    def started() -> None:
        watcher.start()
        print(f"Serving on {url}", file=out, flush=True)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    def stop(*_args) -> None:
        preview.stopping.set()
        loop.add_callback_from_signal(loop.stop)

    signal.signal(signal.SIGTERM, stop)
    loop.add_callback(started)
    try:
        loop.start()
    except KeyboardInterrupt:
        pass
    preview.stopping.set()
    if watcher.is_alive():  # a build under way gives up at its next page and clears its staging
        watcher.join(STOP_WAIT)
    preview.stop_indexing()
    server.stop()
    print("Stopped.", file=out, flush=True)
    return 0
