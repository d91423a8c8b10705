"""The preview's web side: the site's pages from output/ (waiting for a rebuild under way,
or saying it is under way), the errors while the content is broken, the live-reload
WebSocket, and refusals for requests that name another host or come from other sites' pages.

The handlers share the watcher's state through the serve.Preview they are given.
"""

from __future__ import annotations

import html
import json
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote_to_bytes

from livereload.handlers import LiveReloadHandler
from tornado import ioloop, routing, web

from .addresses import Addresses, below, url_path
from .diagnostics import Diagnostic

WAIT_AT_MOST = 3  # seconds a request waits for a rebuild before it is told the site is being rebuilt
RETRY_AFTER = 2  # seconds after which a page that said the site is being rebuilt asks again

LIVE_SCRIPT = ('<script>(function(){var s=document.createElement("script");'
               's.src="//"+location.hostname+":"+(location.port||(location.protocol=="https:"?443:80))'
               '+"/livereload.js?port="+(location.port||(location.protocol=="https:"?443:80));'
               'document.head.appendChild(s);})();</script>')


class PageSocket(LiveReloadHandler):
    """livereload's WebSocket, remembering which page each browser has open, for the
    preview's own pages only: one whose Origin is elsewhere is refused."""

    def initialize(self, preview, addresses: Addresses):
        self.preview = preview
        self.addresses = addresses

    def prepare(self):
        origin = self.request.headers.get("Origin")
        if origin is not None and not self.addresses.accepts_origin(origin):
            _refuse(self, f"live reload is only for the preview's own pages, at {self.addresses.shown}")

    def check_origin(self, origin: str) -> bool:
        return self.addresses.accepts_origin(origin)

    def on_message(self, message):
        try:
            data = json.loads(message)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("command") == "info":
            self.page_url = str(data.get("url", ""))
            self.preview.browser_back()
        super().on_message(message)


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


def rebuilding_page() -> bytes:
    """The page a request gets when the rebuild it waited for is still under way: it asks
    again every RETRY_AFTER seconds, and live reload brings the new page when it is ready."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{RETRY_AFTER}">
<title>Rebuilding · preview</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 0; background: #f4f7ff; color: #0b1a2b; }}
main {{ max-width: 50rem; margin: 0 auto; padding: 1.5rem 1rem; }}
h1 {{ font-size: 1.4rem; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #0d141e; color: #dee8f6; }} }}
</style>
</head>
<body>
<main id="explainer-rebuilding">
<h1>The site is being rebuilt</h1>
<p>The last save is still being built. This page reloads by itself as soon as it is ready.</p>
</main>
</body>
</html>
""".encode("utf-8")


class SiteHandler(web.StaticFileHandler):
    """Serves output/ under the site's path, with no caching, the reload script in every
    page, the errors instead of pages while the content is broken, and nothing outside."""

    def initialize(self, preview, **kwargs):
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
        page = path + "index.html" if path == "" or path.endswith("/") else path
        wants_page = path == "" or path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]
        built, early = await self._wait_for_build(page)
        if early is not None:
            if wants_page:
                self._send_page(early, 200, include_body)
            else:  # a stylesheet, a script, a picture: as it is, in its own type
                self._send_file(page, early, include_body)
            return
        if not built:
            self._send_rebuilding(page, wants_page, include_body)
            return
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

    async def _wait_for_build(self, page: str) -> tuple[bool, bytes | None]:
        """Wait for the build under way, if any, on the IOLoop (no thread is held), for
        WAIT_AT_MOST seconds at most: whether it ended in time, and the page at output
        path page if the build has already made it final."""
        preview = self.preview
        deadline = ioloop.IOLoop.current().time() + WAIT_AT_MOST
        while not preview.idle.is_set():
            early = preview.early.get(page)
            if early is not None:
                return False, early
            if not await preview.progress.wait(deadline):
                return preview.idle.is_set(), None
        return True, None

    def _send_rebuilding(self, page: str, wants_page: bool, include_body: bool) -> None:
        """Say that the site is being rebuilt, and when to ask again; never the old page.
        The browser showing it is told to reload when the build ends."""
        self.set_header("Retry-After", str(RETRY_AFTER))
        if wants_page:
            self.preview.waited.add(page)
            self._send_page(rebuilding_page(), 503, include_body)
            return
        self.set_status(503)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store, must-revalidate")
        self.finish("503 The site is being rebuilt: ask again in a moment.\n" if include_body else None)

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
        self._send(body, "text/html; charset=utf-8", include_body)

    def _send_file(self, path: str, body: bytes, include_body: bool) -> None:
        kind, encoding = mimetypes.guess_type(path)
        if encoding is not None:  # a compressed file (.svgz, .gz) is sent as the archive it is, as from disk
            kind = "application/gzip" if encoding == "gzip" else None
        self._send(body, kind or "application/octet-stream", include_body)

    def _send(self, body: bytes, kind: str, include_body: bool) -> None:
        self.set_header("Content-Type", kind)
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
    """Sends a request outside the site's path to the site's home page."""

    def initialize(self, preview):
        self.preview = preview

    def get(self, path: str = ""):
        self.redirect(url_path(self.preview.prefix), permanent=False)


class UnderPrefix(routing.Matcher):
    """Matches the requests below the site's path (as the latest build has it, compared by
    below()); the rest of the path, percent-decoded, is the handler's argument."""

    def __init__(self, preview):
        self.preview = preview

    def match(self, request) -> dict | None:
        rest = below(self.preview.prefix, request.path)
        return None if rest is None else {"path_args": [unquote_to_bytes(rest)], "path_kwargs": {}}


def _refuse(handler: web.RequestHandler, why: str) -> None:
    handler.set_status(403)
    handler.set_header("Content-Type", "text/plain; charset=utf-8")
    handler.finish(f"403 Forbidden: {why}.\n")


class Misdirected(web.RequestHandler):
    """The answer to a request that names another host: the preview is not shown to pages
    of other sites that point their own names at this computer."""

    def initialize(self, addresses: Addresses):
        self.addresses = addresses

    def prepare(self):
        _refuse(self, f"this preview answers only at {self.addresses.shown}")


class Application(web.Application):
    """tornado's Application, for requests whose Host header names the preview only."""

    def __init__(self, handlers, addresses: Addresses, **settings):
        super().__init__(handlers, **settings)
        self.addresses = addresses

    def find_handler(self, request, **kwargs):
        if not self.addresses.accepts(request.headers.get("Host")):
            return self.get_handler_delegate(request, Misdirected, {"addresses": self.addresses})
        return super().find_handler(request, **kwargs)
