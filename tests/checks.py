"""The checkers a newsroom's web team would run over a built site, as functions that return
the problems they find: the Nu HTML checker, a link crawler, axe-core, an Atom check."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LINKINATOR = ROOT / "node_modules" / ".bin" / "linkinator"


def tools_missing() -> str | None:
    if not VNU.exists() or not LINKINATOR.exists():
        return "node_modules is not installed: make test installs it (npm ci)"
    if shutil.which("java") is None:
        return "java is not installed (the Nu checker needs it)"
    return None


def nu_errors(*folders: Path) -> list[str]:
    """Every error the Nu HTML checker finds in the HTML files under folders."""
    done = subprocess.run(["java", "-jar", str(VNU), "--skip-non-html", "--errors-only", "--format", "json",
                           *map(str, folders)], capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    return [f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]


def broken_links(start: str) -> list[str]:
    """Every internal link, image, script, stylesheet and #fragment that does not resolve,
    crawling from start (a URL served on 127.0.0.1)."""
    origin = re.escape(f"{urlsplit(start).scheme}://{urlsplit(start).netloc}")
    done = subprocess.run([str(LINKINATOR), start, "--recurse", "--check-fragments", "--format", "json",
                           "--concurrency", "16",
                           "--skip", f"^(?!{origin})"], capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    links = report["links"]
    assert len([l for l in links if l["state"] == "OK"]) > 5, "the crawler found almost nothing"
    return [f"{l['url']} ({l['status']}) on {l.get('parent')}" for l in links if l["state"] == "BROKEN"]


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def broken_fragments(output: Path, prefix: str) -> list[str]:
    """Every link to #fragment inside the site whose page lacks that id (read from the files,
    so that no crawler's timing can hide one)."""
    pages = {}
    for path in output.rglob("*.html"):
        parser = _Anchors()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(output).as_posix()] = parser
    problems = []
    for rel, parser in sorted(pages.items()):
        here = prefix + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)
        for href in parser.hrefs:
            url = urlsplit(urljoin("http://site" + here, href))
            if url.netloc != "site" or not url.fragment or not url.path.startswith(prefix):
                continue
            target = url.path[len(prefix):]
            target = target + "index.html" if target == "" or target.endswith("/") else target
            if target not in pages:
                problems.append(f"{href} on {rel}: no page {target}")
            elif unquote(url.fragment) not in pages[target].ids:
                problems.append(f"{href} on {rel}: no id '{url.fragment}' in {target}")
    return problems


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page open in Playwright."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


ATOM = "{http://www.w3.org/2005/Atom}"


def _rfc3339(text: str | None) -> bool:
    if not text or not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", text):
        return False
    datetime.fromisoformat(text.replace("Z", "+00:00"))
    return True


def atom_problems(feed: Path, base_url: str) -> list[str]:
    """What RFC 4287 requires of a feed and its entries, checked element by element."""
    problems = []
    root = ET.parse(feed).getroot()
    if root.tag != f"{ATOM}feed":
        return [f"the root element is {root.tag}, not atom:feed"]
    for name in ("id", "title", "updated"):
        if len(root.findall(f"{ATOM}{name}")) != 1:
            problems.append(f"the feed must have exactly one atom:{name}")
    if not _rfc3339(root.findtext(f"{ATOM}updated")):
        problems.append("the feed's updated is not an RFC 3339 date")
    self_link = root.find(f"{ATOM}link[@rel='self']")
    if self_link is None or not self_link.get("href", "").startswith(base_url):
        problems.append("the feed needs a rel=self link under base_url")
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = set()
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), 1):
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"entry {number} must have exactly one atom:{name}")
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if not entry_id.startswith(base_url) or entry_id in ids:
            problems.append(f"entry {number}'s id is not a unique absolute URL under base_url")
        ids.add(entry_id)
        for name in ("updated", "published"):
            value = entry.findtext(f"{ATOM}{name}")
            if value is not None and not _rfc3339(value):
                problems.append(f"entry {number}'s {name} is not an RFC 3339 date")
        alternate = entry.find(f"{ATOM}link[@rel='alternate']")
        if alternate is None or not alternate.get("href", "").startswith(base_url):
            problems.append(f"entry {number} needs a rel=alternate link under base_url")
        content = entry.find(f"{ATOM}content")
        if content is None and entry.find(f"{ATOM}summary") is None:
            problems.append(f"entry {number} has neither content nor summary")
        if content is not None and content.get("type") not in ("html", "text", "xhtml"):
            problems.append(f"entry {number}'s content has no known type")
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append(f"entry {number} has no author, and neither has the feed")
    return problems
