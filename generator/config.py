"""site.yaml into a frozen SiteConfig."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .diagnostics import Diagnostics, Location
from .model import Fields, Image, read_image, typographic
from .yamlio import YamlDoc

CONFIG_FIELDS = ("title", "base_url", "description", "language", "author", "timezone", "cname", "unsafe_html",
                 "image", "key_points", "admin")
ADMIN_FIELDS = ("repo", "branch", "auth_url")  # the content manager's, at admin/ (cms.py)
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
SHARE_IMAGE_FIELDS = ("src", "alt")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str  # always ends with '/'
    description: str | None = None
    language: str = "en"
    author: str | None = None
    timezone: str = "UTC"
    cname: str | None = None
    unsafe_html: bool = False
    image: Image | None = None  # for link previews of pages without an image, and the publisher's logo
    key_points: tuple[str, ...] = ()  # "what you need to know", on the front page
    admin: "Admin | None" = None  # the content manager at admin/, when site.yaml turns it on

    @property
    def prefix(self) -> str:
        """The path part of base_url, '/' or '/repo/': the start of every internal link."""
        return urlsplit(self.base_url).path

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


def normalise_base_url(value: str) -> str | None:
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # e.g. an unbalanced '[' in the host
        return None
    if " " in value.strip():
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    # as an address must be written in a sitemap, a feed or a link: letters outside ASCII
    # and characters a path may not hold percent-encoded (what is encoded already stays so)
    path = quote(path, safe="/%!$&()*+,;=:@~-._")
    return f"{parts.scheme}://{parts.netloc}{path}"


def base_url_problem(raw: str, url: str) -> tuple[str, str] | None:
    """What makes a well-formed base_url unusable, as (message, hint): a user name or password,
    which every page would publish, or a path that browsers rewrite before they ask for it
    ('.' and '..' parts, plain or percent-encoded, and backslashes), whose links and preview
    would never lead back to it. None when there is nothing wrong. raw is the address as
    written, url as normalise_base_url made it."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        bare = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        return ("base_url holds a user name or password, which the sitemap, the feed and the links "
                "in every page would publish", f"leave them out: write {bare}")
    if not parts.netloc.isascii():
        return (f"'{raw}' has a host name outside ASCII",
                "write the host in its xn-- form, as your domain registrar shows it")
    if re.search(r"%(?![0-9A-Fa-f]{2})", raw):
        return (f"'{raw}' has a '%' that starts no %XX escape", "write %25 for a percent sign, or leave it out")
    if (odd := re.search(r"[\"'<>`{}|^\s\x00-\x1f\x7f]", raw.strip())) is not None:
        return (f"'{raw}' holds {odd.group()!r}, which may not stand in an address as it is",
                f"percent-encode it (%{ord(odd.group()):02X}) or leave it out")
    if "\\" in raw:
        return (f"'{raw}' has a backslash in its path, which browsers read as '/'",
                "write '/' between the parts of the path, or leave the backslash out")
    if any(unquote(part) in (".", "..") for part in parts.path.split("/")):
        return (f"'{raw}' has a '.' or '..' part in its path, which browsers take out",
                "write the path the site will really have, without '.' and '..' parts")
    return None


@dataclass(frozen=True)
class Admin:
    """The content manager (Decap CMS) at admin/: which GitHub repository and branch it
    edits, and the address of the OAuth service that signs editors in to GitHub."""

    repo: str | None = None
    branch: str = "main"
    auth_url: str | None = None


BASE_URL_HINT = ("write the address the site will have, e.g. https://newsroom.github.io/explainer/ "
                 "for a project site, or https://explainers.example.org/ for a custom domain")


def read_config(doc: YamlDoc, diags: Diagnostics, base_url_override: str | None = None) -> SiteConfig | None:
    fields = Fields(doc, diags, (), CONFIG_FIELDS, "site.yaml")
    if not fields.ok:
        return None
    title = fields.text("title", required=True, one_line=True)
    if base_url_override is not None:
        raw = base_url_override
        base_url = normalise_base_url(raw)
        where = Location("--base-url")
    else:
        raw = fields.text("base_url", required=True, one_line=True)
        base_url = normalise_base_url(raw) if raw else None
        where = fields.loc("base_url") if raw else None
    if where is not None and base_url is None:
        diags.error(where, f"'{raw}' is not a site address", BASE_URL_HINT)
    problem = base_url_problem(raw, base_url) if base_url else None
    if problem:
        diags.error(where, *problem)
        base_url = None
    language = fields.text("language", one_line=True) or "en"
    if not _LANGUAGE.match(language):
        diags.error(fields.loc("language"), f"'{language}' is not a language code",
                    "write a code such as en, fr or pt-BR")
        language = "en"
    timezone = fields.text("timezone", one_line=True) or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        diags.error(fields.loc("timezone"), f"'{timezone}' is not a time zone",
                    "write a zone name such as UTC, Europe/London or Asia/Singapore")
        timezone = "UTC"
    cname = fields.text("cname", one_line=True)
    if cname is not None:
        cname = cname.lower()
        if not _HOST.match(cname):
            diags.error(fields.loc("cname"), f"'{cname}' is not a domain name",
                        "write the bare domain, e.g. explainers.example.org, without https://")
            cname = None
    config = SiteConfig(
        title=title or "",
        base_url=base_url or "",
        description=typographic(fields.text("description") or "") or None,
        language=language,
        author=fields.text("author", one_line=True),
        timezone=timezone,
        cname=cname,
        unsafe_html=fields.flag("unsafe_html"),
        image=read_image(fields.sub("image", SHARE_IMAGE_FIELDS, "image"), with_caption=False),
        key_points=fields.lines("key_points"),
        admin=_read_admin(fields.sub("admin", ADMIN_FIELDS, "admin"), diags),
    )
    return config if title and base_url else None


def _read_admin(fields: Fields | None, diags: Diagnostics) -> Admin | None:
    if fields is None:
        return None
    repo = fields.text("repo", one_line=True)
    if repo is not None and not _REPO.match(repo):
        diags.error(fields.loc("repo"), f"'{repo}' is not a GitHub repository",
                    "write its owner and name, e.g. repo: newsroom/explainer")
        repo = None
    auth_url = fields.text("auth_url", one_line=True)
    if auth_url is not None and not auth_url.startswith("https://"):
        diags.error(fields.loc("auth_url"), f"'{auth_url}' is not an https:// address",
                    "write the address of the OAuth service, e.g. https://auth.example.org")
        auth_url = None
    return Admin(repo=repo, branch=fields.text("branch", one_line=True) or "main", auth_url=auth_url)
