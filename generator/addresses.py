"""Where the preview answers: the Host headers and WebSocket origins it accepts, and the
site's path (base_url's) compared with a request's as a path, percent-decoded, never read
as a pattern."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import quote, unquote_to_bytes, urlsplit

_HOST_HEADER = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?")


def decoded(part: bytes) -> str:
    """One part of a path, percent-decoded; bytes that are not UTF-8 stay distinct."""
    return unquote_to_bytes(part).decode("utf-8", "surrogateescape")


def below(prefix: str, path: str) -> bytes | None:
    """The rest of path (a request's, as sent) below the site's path prefix ('/' or '/repo/',
    as base_url writes it), or None when path is not below it. The two are compared part by
    part once percent-decoded, so '/caf%C3%A9/' is below '/café/' and '/a%2Fb/' is not below
    '/a/b/'; the prefix is never read as a pattern."""
    head = prefix.encode("utf-8").rstrip(b"/").split(b"/")
    try:
        sent = path.encode("latin-1")  # tornado reads the request line as latin-1: these are its bytes
    except UnicodeEncodeError:
        return None
    parts = sent.split(b"/", len(head))
    if len(parts) <= len(head) or any(decoded(a) != decoded(b) for a, b in zip(parts, head)):
        return None
    return parts[-1]


def url_path(prefix: str) -> str:
    """The site's path prefix as a browser asks for it: each part percent-encoded once."""
    return "/".join(quote(decoded(part.encode("utf-8")), safe="!$&'()*+,;=:@~", errors="surrogateescape")
                    for part in prefix.split("/"))


class Addresses:
    """The Host headers and WebSocket origins the preview answers: the address it listens on
    with its port, and by its loopback names when that is this computer only. A page on
    another site that points its own name at this computer (DNS rebinding) sends its own
    name, and is refused. Listening on every address (0.0.0.0 or ::), any address written
    as digits is accepted too, and this computer's own names: they cannot be rebound."""

    def __init__(self, host: str, port: int):
        self.port = port
        self.every = host in ("0.0.0.0", "::", "")
        self.names = {host.lower().strip("[]")}
        if self.every or loopback(host):
            self.names |= {"localhost", "127.0.0.1", "::1"}
        if self.every:
            self.names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        shown = f"[{host}]" if ":" in host else host
        self.shown = f"http://{shown}:{port}"

    def accepts(self, host: str | None) -> bool:
        """Whether a Host header names the preview."""
        match = _HOST_HEADER.fullmatch(host or "")
        if match is None or int(match.group(2) or 80) != self.port:
            return False
        name = match.group(1).lower().strip("[]").rstrip(".")
        if name in self.names:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return self.every

    def accepts_origin(self, origin: str) -> bool:
        """Whether a WebSocket's Origin is a page the preview served."""
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        return parts.scheme == "http" and not parts.path and self.accepts(parts.netloc)


def loopback(host: str) -> bool:
    """Whether listening on host is listening to this computer only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
