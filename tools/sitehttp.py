"""A static file server for built sites under their base path, for tests and screenshots.

It serves output/ at /PREFIX/ exactly as GitHub Pages does: directory URLs get their
index.html, unknown paths get 404.html with status 404.
"""

from __future__ import annotations

import functools
import http.server
import posixpath
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    root = Path(".")

    def log_message(self, *args):
        pass

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        if not path.startswith(self.prefix):
            return str(self.root / ".missing" / "none")
        rel = posixpath.normpath(path[len(self.prefix):] or ".")
        if rel.startswith("..") or "\\" in rel:
            return str(self.root / ".missing" / "none")
        return str(self.root / rel)

    def send_error(self, code, message=None, explain=None):
        page = self.root / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # a crawler opens many connections at once
    daemon_threads = True


class SiteServer:
    """`with SiteServer(output, "/repo/") as base:` gives http://127.0.0.1:PORT/repo/."""

    def __init__(self, root: Path, prefix: str = "/"):
        handler = type("Handler", (_Handler,), {"prefix": prefix, "root": Path(root).resolve()})
        self.httpd = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        self.prefix = prefix

    def __enter__(self) -> str:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
