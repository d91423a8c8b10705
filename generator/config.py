"""site.yaml into a frozen SiteConfig."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .diagnostics import Diagnostics, Location
from .model import Fields, Image, read_image
from .yamlio import YamlDoc

CONFIG_FIELDS = ("title", "base_url", "description", "language", "author", "timezone", "cname", "unsafe_html",
                 "image")
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
    return f"{parts.scheme}://{parts.netloc}{path}"


BASE_URL_HINT = ("write the address the site will have, e.g. https://newsroom.github.io/explainer/ "
                 "for a project site, or https://explainers.example.org/ for a custom domain")


def read_config(doc: YamlDoc, diags: Diagnostics, base_url_override: str | None = None) -> SiteConfig | None:
    fields = Fields(doc, diags, (), CONFIG_FIELDS, "site.yaml")
    if not fields.ok:
        return None
    title = fields.text("title", required=True, one_line=True)
    if base_url_override is not None:
        base_url = normalise_base_url(base_url_override)
        if base_url is None:
            diags.error(Location("--base-url"), f"'{base_url_override}' is not a site address", BASE_URL_HINT)
    else:
        raw = fields.text("base_url", required=True, one_line=True)
        base_url = normalise_base_url(raw) if raw else None
        if raw and base_url is None:
            diags.error(fields.loc("base_url"), f"'{raw}' is not a site address", BASE_URL_HINT)
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
        description=fields.text("description"),
        language=language,
        author=fields.text("author", one_line=True),
        timezone=timezone,
        cname=cname,
        unsafe_html=fields.flag("unsafe_html"),
        image=read_image(fields.sub("image", ("src", "alt"), "image"), with_caption=False),
    )
    return config if title and base_url else None
