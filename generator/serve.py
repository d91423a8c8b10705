"""The preview server: build, serve output/ under the site's path with live reload, and
rebuild on every save.

Changes to the sources (site.yaml, content/, templates/; never output/) are found by
looking at them every few hundredths of a second, a look that re-reads only the files the
system told of (sources.py); a burst of saves becomes one rebuild on one thread.
While a rebuild runs, page requests wait for it (on the IOLoop, holding no thread), so a
browser never gets a half-built site or the site as it was: after a few seconds it is
answered with a page that says the site is being rebuilt and reloads by itself. After the
rebuild, every connected browser is told to reload at once. A build that fails leaves the
pages on disk as they were, and the browser is shown the errors instead of a stale page
until a save fixes them. The requests are answered in handlers.py.

It answers only requests that name it (the Host header) and live-reload connections from
its own pages (the Origin header), so that a page elsewhere cannot read the preview by
pointing its own name at this computer (DNS rebinding): see addresses.py.

livereload provides the browser side (its livereload.js and the WebSocket it talks to);
its own file watcher and reload throttle are not used, because the throttle drops a
change that comes within three seconds of the previous one.
"""

from __future__ import annotations

import gc
import logging
import signal
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, ioloop, locks, netutil

from .addresses import Addresses, below, decoded, loopback, url_path
from .build import Builder, BuildResult
from .diagnostics import Diagnostic
from .handlers import Application, PageSocket, RootHandler, SiteHandler, UnderPrefix
from .sources import Sources
POLL = 0.02  # seconds between looks at the sources
QUIET = 0.03  # a burst of saves has ended when nothing changed for this long
LONGEST_BURST = 0.5  # rebuild after this long even if saves keep coming
EARLY_WAIT = 0.4  # how long the rest of a build waits for reloaded pages to come back
INDEX_AFTER = 1.5  # the search index is refreshed once saves have paused this long
STOP_WAIT = 30  # seconds a build under way may take to give up when the preview is closed
LOOK_EVERY = 0.3  # seconds between full looks for a newer save during a build, where no change is told
GIVE_UP_AT_MOST = 3  # builds given up in a row for newer saves, after which one is finished anyway
GIVE_UP_FOR = 10  # seconds of builds given up for newer saves, after which one is finished anyway
COLLECT_AFTER = 20  # builds after which Python's collector looks at all the preview holds, once saves pause
COLLECT_IDLE = 5.0  # seconds with no save before it does
COLLECT_LONG_IDLE = 30.0  # after this long with no save, it looks after any number of builds
COLLECT_AT_MOST = 50  # builds after which it looks at the next moment between saves, pause or not


class Preview:
    """The state the watcher thread and the web handlers share."""

    def __init__(self, site_root: Path, drafts: bool, out=sys.stdout):
        self.site_root = site_root
        self.sources: Sources | None = None  # set by serve() before the first build
        self.builder = Builder(site_root, drafts=drafts, search=True)
        self.output = self.builder.output
        self.out = out
        self.idle = threading.Event()  # set while no build is running
        self.idle.set()
        self.errors: list[Diagnostic] = []
        self.prefix = "/"
        self.url = ""  # where the preview answers, without the site's path: http://127.0.0.1:8000
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
        self.progress = locks.Condition()  # notified on the IOLoop when pages are out or a build ends
        self.waited: set[str] = set()  # pages answered "being rebuilt" since browsers last reloaded
        self.given_up = 0  # builds given up in a row for newer saves
        self.giving_up_since: float | None = None  # when the first of them started
        self.uncollected = 0  # builds since the collector last looked at everything (_collect)
        self.built_at = time.monotonic()  # when the last build ended

    def page_of(self, url: str) -> str | None:
        """The output path of the page at url (a browser's), when it is in the site."""
        rest = below(self.prefix, urlsplit(url).path)
        if rest is None:
            return None
        rel = decoded(rest)
        return rel + "index.html" if rel == "" or rel.endswith("/") else rel

    def viewed(self) -> set[str]:
        """The output paths of the pages open in browsers right now."""
        paths = {self.page_of(getattr(waiter, "page_url", "") or "") for waiter in list(LiveReloadHandler.waiters)}
        return paths - {None}

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
        self.tell_waiting()
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
        and pages not yet rebuilt go on waiting for it (idle stays clear). A build is not
        given up for a save once GIVE_UP_AT_MOST in a row have been, or saves have kept
        coming for GIVE_UP_FOR seconds, so that a stream of saves still shows its pages."""
        self.idle.clear()
        self.early, self.reloaded_early = {}, False
        result = None
        try:
            started = time.perf_counter()
            stop = None
            if since is not None:
                may_give_up = self._may_give_up()
                if not may_give_up:
                    print("Saves keep coming: this rebuild goes on to the end, then the next one starts.",
                          file=self.out, flush=True)
                stop = self._saved_since(since, may_give_up)
            gc.disable()
            try:
                result = self.builder.build(first=self.viewed(), on_first=self._early, stop=stop, stats=since)
            finally:
                _set_aside()
                self.uncollected += 1
                self.built_at = time.monotonic()
            if result.superseded:
                if not self.stopping.is_set():
                    self.given_up += 1
                    if self.giving_up_since is None:
                        self.giving_up_since = time.monotonic() - (time.perf_counter() - started)
                    print("A newer save came: rebuilding for it.", file=self.out, flush=True)
                return result
            self.builds += 1
            self.given_up, self.giving_up_since = 0, None
            self.errors = result.diagnostics.errors
            if result.index is not None and result.index.config.prefix != self.prefix:
                if self.builds > 1:
                    print(f"The site's address changed: it is now at {self.url}{url_path(result.index.config.prefix)}",
                          file=self.out, flush=True)
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
                self.settle()

    def settle(self) -> None:
        """No build is under way: the waiting requests are answered."""
        self.idle.set()
        self.tell_waiting()

    def tell_waiting(self) -> None:
        """Wake the requests waiting for the build (on the IOLoop), to look again."""
        if self.loop is not None:
            self.loop.add_callback(self.progress.notify_all)

    def _may_give_up(self) -> bool:
        """Whether the next build may be given up for a newer save."""
        if self.given_up == 0:
            return True
        return self.given_up < GIVE_UP_AT_MOST and time.monotonic() - self.giving_up_since < GIVE_UP_FOR

    def _saved_since(self, known: dict, for_saves: bool = True):
        """stop() for a build: whether the preview is closing, or (with for_saves) whether
        the sources differ from known. Where the system tells of changes that costs nothing
        until one is told; elsewhere a full look (a few hundredths at a large site) is taken
        no more than every LOOK_EVERY seconds."""
        due = time.monotonic() + LOOK_EVERY

        def stop() -> bool:
            nonlocal due
            if self.stopping.is_set():  # the preview is closing: leave output/ as it was
                return True
            if not for_saves:
                return False
            if self.sources.telling:
                return self.sources.told() and self.sources.look() != known
            if time.monotonic() < due:
                return False
            due = time.monotonic() + LOOK_EVERY
            return self.sources.look() != known

        return stop

    def index_search(self) -> None:
        """Refresh the search index after the pages are out, the parts whose pages changed,
        one background process at a time at low priority. A save stops the indexing under
        way (the parts it finished stay), and another starts once saves pause again."""
        self.stop_indexing()
        try:
            self.indexing = self.builder.indexing().start(jobs=1, nice=True)
        except Exception as exc:  # the preview goes on without a fresh index
            self.warn_search(f"the search index was not refreshed: {exc!r}")
            return
        self.indexed()

    def indexed(self) -> None:
        """Move the indexing under way on, and take what it made once it is over."""
        try:
            if self.indexing is not None and self.indexing.poll():
                indexing, self.indexing = self.indexing, None
                self.builder.indexed(indexing)
                if indexing.problem:
                    self.warn_search(indexing.problem)
        except Exception as exc:
            self.indexing = None
            self.warn_search(f"the search index was not refreshed: {exc!r}")

    def warn_search(self, problem: str) -> None:
        if not self.warned_search:
            self.warned_search = True
            print(f"warning: {problem}", file=self.out, flush=True)

    def stop_indexing(self) -> None:
        """Stop the indexing under way; one that was not over is started again once saves pause."""
        if self.indexing is not None:
            over = self.indexing.record is not None or self.indexing.problem is not None
            self.indexing.stop()
            self.builder.indexed(self.indexing)
            self.indexing = None
            if not over:
                self.index_due = time.monotonic() + INDEX_AFTER

    def _collect_due(self) -> bool:
        """Whether to free the cycles builds set aside (_collect) now, between saves: once
        saves pause after many builds, after a long pause whatever their number, and in any
        case after COLLECT_AT_MOST, so that what they hold cannot grow without end."""
        idle = time.monotonic() - self.built_at
        return self.uncollected > 0 and (idle >= COLLECT_LONG_IDLE or self.uncollected >= COLLECT_AT_MOST
                                         or (self.uncollected >= COLLECT_AFTER and idle >= COLLECT_IDLE))

    def reload_browsers(self, everyone: bool = True) -> None:
        """Tell the browsers to reload: every one, or those that were told the site is
        being rebuilt."""
        if self.loop is not None:
            self.loop.add_callback(self._reload, everyone)

    def _reload(self, everyone: bool) -> None:
        """On the IOLoop: send livereload.js's reload command to the pages."""
        waited, self.waited = self.waited, set()
        message = {"command": "reload", "path": "index.html", "liveCSS": False, "liveImg": False}
        for waiter in list(LiveReloadHandler.waiters):
            if not everyone and self.page_of(getattr(waiter, "page_url", "") or "") not in waited:
                continue
            try:
                waiter.write_message(message)
            except Exception:  # a page that went away
                LiveReloadHandler.waiters.discard(waiter)

    def watch(self, before: dict[str, tuple]) -> None:
        """Look at the sources; rebuild once per burst of saves; never die on a bad save.
        before is the look taken before the first build, so no save is missed."""
        while not self.stopping.is_set():
            self.sources.wait(POLL)  # at once when the system tells of a change
            if self.stopping.is_set():
                break
            now = self.sources.look()
            if now is before or now == before:
                if self.index_due is not None and time.monotonic() >= self.index_due:
                    self.index_due = None
                    self.index_search()
                self.indexed()
                if self._collect_due():
                    self.uncollected = 0
                    _collect()  # between saves, at the moment least likely to delay one
                continue
            self.stop_indexing()  # the processor is for the rebuild now
            first = time.monotonic()
            last = self.sources.quiet_since(first)  # a burst of saves ends QUIET after the last of them
            while time.monotonic() - last < QUIET and time.monotonic() - first < LONGEST_BURST:
                self.sources.wait(max(0.0, min(QUIET - (time.monotonic() - last), POLL / 2)))
                later = self.sources.look()
                if later != now:
                    now, last = later, self.sources.quiet_since(time.monotonic())
            before = now
            try:
                result = self.build(since=now)
                if result.superseded:  # build again at the next look, whatever it finds
                    before = None
                    continue
                self.reload_browsers(everyone=not (self.reloaded_early and result.ok))
                if result.ok and result.report and (result.report.written or result.report.removed):
                    self.index_due = time.monotonic() + INDEX_AFTER
            except Exception as exc:  # a bug must not stop the preview; show it like a content error
                self.errors = [Diagnostic(_Nowhere(), f"internal error while building: {exc!r}",
                                          "please report this with the file you just saved")]
                print(self.errors[0].format(), file=self.out, flush=True)
                self.early = {}
                self.settle()
                self.reload_browsers()


def _set_aside() -> None:
    """After a build: what the preview now holds (the site's model, what each page read,
    a few million objects at 10,000 articles) is set aside from Python's collector, which
    would otherwise look through it all, a second or more with every other thread waiting,
    at moments of its own choosing, such as just after the next save. The build frees what
    it let go of as it goes; only objects that refer to each other in a cycle, and what they
    alone hold, wait for _collect (Jinja's templates are such cycles, and they hold what
    their build's pages were given: about a megabyte a rebuild at 10,000 articles)."""
    gc.freeze()
    gc.enable()


def _collect() -> None:
    """Free the cycles that builds set aside (when Preview._collect_due says)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class _Nowhere:
    def __str__(self) -> str:
        return "explainer"

    def __lt__(self, other) -> bool:
        return True


def serve(site_root: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = True,
          open_browser: bool = False, out=sys.stdout) -> int:
    preview = Preview(site_root, drafts, out)
    preview.sources = Sources(site_root)  # before the first build: a save during it still counts
    sources = preview.sources.known
    result = preview.build()
    if result.ok:
        preview.index_due = time.monotonic() + INDEX_AFTER
    if result.index is None and not (site_root / "site.yaml").is_file():
        return 1
    if any("will not write there" in d.message for d in result.diagnostics.errors):
        return 1
    if not loopback(host):
        print(f"WARNING: listening on {host}: anyone who can reach this computer can see the preview. "
              "Use the default 127.0.0.1 unless you mean it.", file=sys.stderr, flush=True)

    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
    try:
        sockets = netutil.bind_sockets(port, host, family=socket.AF_INET if ":" not in host else socket.AF_UNSPEC)
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror}\n  hint: pass another --port, or --port 0 "
              "to pick a free one", file=sys.stderr)
        return 2
    addresses = Addresses(host, sockets[0].getsockname()[1])
    handlers = [
        (r"/livereload", PageSocket, {"preview": preview, "addresses": addresses}),
        (r"/livereload\.js", LiveReloadJSHandler),
        (UnderPrefix(preview), SiteHandler, {"preview": preview}),
        (r"/(.*)", RootHandler, {"preview": preview}),
    ]
    app = Application(handlers, addresses, debug=False, autoreload=False, compress_response=False)
    server = httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    preview.url = addresses.shown
    url = addresses.shown + url_path(preview.prefix)

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
    preview.sources.close()
    server.stop()
    print("Stopped.", file=out, flush=True)
    return 0
