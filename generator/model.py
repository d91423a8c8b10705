"""The content model: frozen objects that remember where they came from, and their readers.

Readers take a parsed YAML document and report every field problem; they never raise for
a content mistake. Cross-references (actor slugs) are kept as ``Ref`` and checked later, in
``resolve``, once every file is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from . import dates, yamlio
from .dates import PartialDate
from .diagnostics import Diagnostics, Location, did_you_mean
from .yamlio import YamlDoc

SLUG_LONGEST = 100  # characters: an address stays readable, and a file name is far from its limit
SLUG = re.compile(r"^(?=.{1,%d}$)[a-z0-9]+(-[a-z0-9]+)*$" % SLUG_LONGEST)
SLUG_HINT = f"use lower-case letters, digits and single hyphens, at most {SLUG_LONGEST} in all, e.g. zhao-lijian"
KINDS = ("person", "country", "organisation", "group", "other")

# A straight quote opens where it starts the text or follows a space, an opening bracket,
# a dash or an opening quote; any other closes (an apostrophe is a closing single quote).
_OPENS = re.compile(r"""(?:(?<=^)|(?<=[\s(\[{\u2013\u2014\u2018\u201c]))(["'])""")
_DECADE = re.compile(r"'(?=\d\ds)")
_CURLED = {('"', True): "\u201c", ('"', False): "\u201d", ("'", True): "\u2018", ("'", False): "\u2019"}


def typographic(text: str) -> str:
    """One line of plain text (a title) with the punctuation Markdown's smarty gives the
    articles' text: curly quotes, '--' an en dash, '---' an em dash, '...' an ellipsis."""
    if not any(mark in text for mark in ("'", '"', "--", "...")):
        return text
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    text = _DECADE.sub("\u2019", text)  # '90s
    text = _OPENS.sub(lambda m: _CURLED[(m.group(1), True)], text)
    return text.replace('"', _CURLED[('"', False)]).replace("'", _CURLED[("'", False)])
WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")


class Ref(NamedTuple):
    """A reference to an actor by slug, with the place it was written (a tuple, like
    Location, for its size)."""

    slug: str
    location: Location


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True)
class Source:
    publisher: str
    url: str | None = None
    date: PartialDate | None = None
    title: str | None = None


@dataclass(frozen=True)
class Actor:
    slug: str
    name: str
    kind: str
    location: Location
    role: str | None = None
    affiliations: tuple[Ref, ...] = ()
    aliases: tuple[str, ...] = ()
    summary: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, absolute URL)
    image: Image | None = None


@dataclass(frozen=True)
class Author:
    """Someone who writes the explainer's articles: content/authors/<slug>.yaml."""

    slug: str
    name: str
    location: Location
    role: str | None = None
    bio: str | None = None  # Markdown
    links: tuple[tuple[str, str], ...] = ()  # (label, absolute URL)
    image: Image | None = None


@dataclass(frozen=True)
class Event:
    id: str
    date: PartialDate
    title: str
    article: str
    location: Location
    end: PartialDate | None = None
    description: str | None = None
    actors: tuple[Ref, ...] = ()
    place: str | None = None
    key: bool = False  # one of the story's key events, which the timeline makes stand out


@dataclass(frozen=True)
class Quote:
    number: int  # 1-based position in its article
    speaker: Ref
    text: str
    said: PartialDate
    article: str
    location: Location
    text_location: Location
    context: str | None = None
    via: str | None = None
    about: tuple[Ref, ...] = ()
    topics: tuple[str, ...] = ()
    paraphrase: bool = False
    source: Source | None = None
    language: str | None = None
    original: str | None = None  # the words as said, in language, when text is a translation
    translated_by: str | None = None
    status: str = "verified"  # one of QUOTE_STATUSES
    status_note: str | None = None  # why, for a status other than verified
    status_source: Source | None = None  # the evidence for it

    @property
    def misattributed(self) -> bool:
        return self.status == "misattributed"

    @property
    def anchor(self) -> str:
        return f"quote-{self.number}"


CORRECTION_KINDS = ("correction", "clarification", "update", "editor's note")
VERDICTS = ("confirmed", "unconfirmed", "disputed", "false")  # of a claim


@dataclass(frozen=True)
class Standing:
    """Where a claim stood on a date."""

    date: PartialDate
    verdict: str  # one of VERDICTS
    note: str | None
    location: Location


@dataclass(frozen=True)
class Claim:
    """What an article says is claimed: one sentence, who asserts and who denies it, the
    evidence, and how its standing changed over time (oldest first; the last is the latest)."""

    id: str
    article: str
    claim: str
    location: Location
    standings: tuple[Standing, ...]
    asserted_by: tuple[Ref, ...] = ()
    denied_by: tuple[Ref, ...] = ()
    quotes: tuple[int, ...] = ()  # numbers of the article's quotes that bear on it
    quote_locations: tuple[Location, ...] = ()
    sources: tuple[Source, ...] = ()
    reviewer: str | None = None  # who gave the verdict, for a fact-check (ClaimReview)

    @property
    def latest(self) -> Standing:
        return self.standings[-1]


@dataclass(frozen=True)
class Correction:
    """A dated entry in an article's record of changes: a correction, a clarification, an
    update or an editor's note."""

    date: PartialDate
    kind: str  # one of CORRECTION_KINDS
    text: str  # Markdown
    location: Location


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    date: PartialDate
    location: Location
    body: str  # the Markdown text; "" once rendered (build.py keeps the RenderedBody)
    body_line: int
    updated: PartialDate | None = None
    summary: str | None = None
    draft: bool = False
    sources: tuple[Source, ...] = ()
    image: Image | None = None
    actors: tuple[Ref, ...] = ()
    events: tuple[Event, ...] = ()
    quotes: tuple[Quote, ...] = ()
    slug_location: Location | None = None  # where an explicit 'slug:' was written
    corrections: tuple[Correction, ...] = ()  # oldest first
    claims: tuple[Claim, ...] = ()
    authors: tuple[Ref, ...] = ()  # who wrote it, by author slug, in byline order


class Fields:
    """Typed access to one YAML mapping, reporting each problem at its line."""

    def __init__(self, doc: YamlDoc, diags: Diagnostics, path: tuple, known: tuple[str, ...], what: str):
        self.doc, self.diags, self.path, self.what = doc, diags, path, what
        data = _get(doc.data, path)
        self.ok = isinstance(data, dict)
        self.data = data if self.ok else {}
        if not self.ok:
            shown = "nothing" if data is None else f"{_a(_kind(data))} {_kind(data)}"
            diags.error(doc.loc(*path), f"{what} must be a set of 'key: value' lines, not {shown}",
                        f"write the fields of the {what.split(' ', 1)[1] if what.startswith(('a ', 'an ', 'the ')) else what}"
                        " as key: value lines")
            return
        for key in self.data:
            if key not in known:
                guess = did_you_mean(key, known)
                diags.warning(doc.key_loc(*path, key), f"unknown field '{key}' in {what} is ignored",
                              f"did you mean '{guess}'?" if guess else "known fields: " + ", ".join(known))

    def loc(self, key) -> Location:
        return self.doc.loc(*self.path, key)

    def has(self, key) -> bool:
        return self.data.get(key) is not None

    def text(self, key, required: bool = False, one_line: bool = False, hint: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                where = self.loc(key) if key in self.data else self.doc.loc(*self.path)
                self.diags.error(where, f"{self.what} needs {_a(key)} '{key}'", hint or f"add a line '{key}: ...'")
            return None
        if isinstance(value, (bool, int, float)):
            value = self.doc.raw.get(self.path + (key,), str(value))
        if not isinstance(value, str):
            self.diags.error(self.loc(key), f"'{key}' must be text, not a {_kind(value)}",
                             "write it on one line after the colon, in quotes if it holds a colon")
            return None
        value = value.strip()
        if one_line and "\n" in value:
            self.diags.error(self.loc(key), f"'{key}' must be one line", "join the lines into one")
            return None
        return value

    def markdown(self, key) -> str | None:
        """Text that is formatted as Markdown: refused when formatting it would take too long."""
        value = self.text(key)
        problem = markdown_problem(value) if value else None
        if problem:
            self.diags.error(self.loc(key), f"'{key}': {problem[1]}", problem[2])
            return None
        return value

    def flag(self, key, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.diags.error(self.loc(key), f"'{key}' must be true or false, not '{value}'",
                             f"write {key}: true or {key}: false")
            return default
        return value

    def date(self, key, timezone: str, required: bool = False) -> PartialDate | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.diags.error(self.doc.loc(*self.path), f"{self.what} needs {_a(key)} '{key}'",
                                 f"add a line '{key}: YYYY-MM-DD'")
            return None
        if isinstance(value, int) and not isinstance(value, bool):  # a year, as it was written
            value = self.doc.raw.get(self.path + (key,), str(value))
        try:
            return dates.parse(value, timezone)
        except dates.DateProblem as problem:
            self.diags.error(self.loc(key), f"'{key}': {problem.message}", problem.hint)
            return None

    def items(self, key) -> list:
        """The list under key as (index, value) pairs; a single value counts as a list of one."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return list(enumerate(value))
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return [(None, value)]
        self.diags.error(self.loc(key), f"'{key}' must be a list", f"write {key}: [first, second]")
        return []

    def refs(self, key, what: str = "an actor") -> tuple[Ref, ...]:
        refs = []
        for index, value in self.items(key):
            where = self.doc.loc(*self.path, key, index) if index is not None else self.loc(key)
            if not isinstance(value, str) or not SLUG.match(value):
                self.diags.error(where, f"'{value}' in '{key}' is not {what} slug", SLUG_HINT)
                continue
            refs.append(Ref(value, where))
        return tuple(refs)

    def words(self, key) -> tuple[str, ...]:
        words = []
        for index, value in self.items(key):
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
                words.append(str(value).strip())
            else:
                where = self.doc.loc(*self.path, key, index) if index is not None else self.loc(key)
                self.diags.error(where, f"'{key}' must be a list of words", f"write {key}: [first, second]")
        return tuple(words)

    def lines(self, key) -> tuple[str, ...]:
        """A list of one-line texts (the front page's key points), with the titles' punctuation."""
        found = []
        for index, value in self.items(key):
            if isinstance(value, str) and value.strip() and "\n" not in value.strip():
                found.append(typographic(" ".join(value.split())))
            else:
                where = self.doc.loc(*self.path, key, index) if index is not None else self.loc(key)
                self.diags.error(where, f"'{key}' must be a list of one-line texts",
                                 f"write each on its own line under {key}: as '- text'")
        return tuple(found)

    def sub(self, key, known: tuple[str, ...], what: str) -> "Fields | None":
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and known[:2] == ("src", "alt"):
            written = str(value).strip()
            self.diags.error(self.loc(key), f"'{key}' needs its fields ({', '.join(known)}), not only a text",
                             f'write {key}: {{src: {written or "media/photo.jpg"}, alt: "what the picture shows"}}')
            return None
        fields = Fields(self.doc, self.diags, self.path + (key,), known, what)
        return fields if fields.ok else None

    def each(self, key, known: tuple[str, ...], what: str) -> list[tuple[int, "Fields"]]:
        result = []
        for index, _ in self.items(key):
            if index is None:
                self.diags.error(self.loc(key), f"'{key}' must be a list of entries starting with '- '",
                                 f"write each entry under {key}: as '- field: value'")
                return []
            fields = Fields(self.doc, self.diags, self.path + (key, index), known, what)
            if fields.ok:
                result.append((index, fields))
        return result


def _get(data, path):
    for step in path:
        if isinstance(data, dict) and step in data:
            data = data[step]
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return None
    return data


def _kind(value) -> str:
    return {dict: "set of fields", list: "list", bool: "true/false value", str: "text", int: "number",
            float: "number"}.get(type(value), type(value).__name__)


def _a(key: str) -> str:
    """'a' or 'an' before a field's name in quotes: "an 'alt'", "a 'kind'"."""
    return "an" if key[:1] in "aeiou" else "a"


def _url(fields: Fields, key: str, required: bool = False) -> str | None:
    value = fields.text(key, required=required, one_line=True)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced '[' in the host
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        fields.diags.error(fields.loc(key), f"'{value}' is not a web address",
                           "write the full address, starting with https://")
        return None
    return value


def read_image(fields: Fields | None, with_caption: bool) -> Image | None:
    if fields is None:
        return None
    src = fields.text("src", required=True, one_line=True)
    alt = fields.text("alt", required=True)
    if src and src.lower().startswith(("javascript:", "data:", "vbscript:")):
        fields.diags.error(fields.loc("src"), "an image must be a web address or a file under content/media/",
                           "write https://... or media/photo.jpg")
        return None
    if src is None or alt is None:
        return None
    return Image(src, alt, fields.text("caption") if with_caption else None, fields.text("credit"))


def read_source(fields: Fields, timezone: str) -> Source | None:
    publisher = fields.text("publisher", required=True, one_line=True)
    url = _url(fields, "url")
    date = fields.date("date", timezone)
    title = fields.text("title", one_line=True)
    return Source(publisher, url, date, title and typographic(title)) if publisher else None


# Python-Markdown looks, for every '[' (and every '<' that may open a tag), for where it
# closes through the rest of the passage: text with n of them costs n * n steps. A passage
# is the run of lines Markdown formats as one (a paragraph; each list item, table row or
# heading alone). Over MARKDOWN_WORK such steps in one text, it is refused: a few seconds'
# work, thousands of times what any real article needs.
MARKDOWN_WORK = 2_000_000
DEEPEST_INDENT = 120  # columns: lists nested some thirty levels; deeper nesting overflows Markdown
_OWN_PASSAGE = re.compile(r"\s*(?:[-*+]\s|\d+[.)]\s|\||>|#)")
_DEEP_INDENT = re.compile(r"^[ \t]{%d,}\S" % (DEEPEST_INDENT + 1), re.M)


def markdown_problem(text: str) -> tuple[int, str, str] | None:
    """Where (0-based line) and why text would take Markdown too long, or too deep, to
    format: (line, message, hint); None for text of any ordinary kind."""
    if (deep := _DEEP_INDENT.search(text)) is not None:
        return (text.count("\n", 0, deep.start()), f"this line is indented more than {DEEPEST_INDENT} columns",
                "lists nest a few levels at most; take out the extra indentation")
    if text.count("[") + text.count("<") < 1400:
        return None  # 1400 squared is below the limit
    work, worst, start, brackets, tags = 0, (0, 0), 0, 0, 0
    for number, line in enumerate(text.split("\n") + [""]):
        if not line.strip() or _OWN_PASSAGE.match(line):
            cost = brackets * brackets + tags * tags
            work += cost
            worst = max(worst, (cost, start))
            start, brackets, tags = number, 0, 0
        brackets += line.count("[")
        tags += line.count("<")
        if work > MARKDOWN_WORK:
            return (worst[1], "this passage has so many '[' or '<' that formatting it would take minutes",
                    "write \\[ for a bracket that opens no link and &lt; for a '<' that opens no tag, "
                    "or split the passage into paragraphs")
    return None


PORTRAIT_FIELDS = ("src", "alt", "credit")  # an actor's or author's image
PICTURE_FIELDS = ("src", "alt", "caption", "credit")  # an article's lead image
ACTOR_FIELDS = ("name", "kind", "role", "affiliations", "aliases", "summary", "links", "image")
LINK_LABELS = {"wikipedia": "Wikipedia", "wikidata": "Wikidata", "website": "Website", "twitter": "X (Twitter)"}


def read_actor(doc: YamlDoc, slug: str, diags: Diagnostics) -> Actor | None:
    fields = Fields(doc, diags, (), ACTOR_FIELDS, "an actor")
    if not fields.ok:
        return None
    name = fields.text("name", required=True, one_line=True)
    kind = fields.text("kind", required=True, one_line=True,
                       hint="add a line 'kind: person' (or one of: " + ", ".join(KINDS) + ")")
    if kind is not None and kind not in KINDS:
        guess = did_you_mean(kind, KINDS)
        diags.error(fields.loc("kind"), f"'{kind}' is not a kind of actor",
                    (f"did you mean '{guess}'? " if guess else "") + "use one of: " + ", ".join(KINDS))
        kind = None
    actor = Actor(
        slug=slug,
        name=name or slug,
        kind=kind or "other",
        location=doc.loc(),
        role=fields.text("role", one_line=True),
        affiliations=fields.refs("affiliations"),
        aliases=fields.words("aliases"),
        summary=fields.markdown("summary"),
        links=_read_links(fields),
        image=read_image(fields.sub("image", PORTRAIT_FIELDS, "image"), with_caption=False),
    )
    return actor if name and kind else None


def _read_links(fields: Fields) -> tuple[tuple[str, str], ...]:
    """An actor's or an author's links elsewhere: (label, address), in the order written."""
    links = []
    link_fields = fields.sub("links", tuple(LINK_LABELS), "links")
    if link_fields is not None:
        for key in link_fields.data:
            if key == "wikidata":
                qid = link_fields.text("wikidata", one_line=True)
                if qid and not WIKIDATA.match(qid):
                    fields.diags.error(link_fields.loc("wikidata"), f"'{qid}' is not a Wikidata id",
                                       "write the Q-number only, e.g. wikidata: Q7747")
                elif qid:
                    links.append((LINK_LABELS["wikidata"], f"https://www.wikidata.org/wiki/{qid}"))
            elif key in LINK_LABELS:
                url = _url(link_fields, key)
                if url:
                    links.append((LINK_LABELS[key], url))
    return tuple(links)


AUTHOR_FIELDS = ("name", "role", "bio", "image", "links")


def read_author(doc: YamlDoc, slug: str, diags: Diagnostics) -> Author | None:
    fields = Fields(doc, diags, (), AUTHOR_FIELDS, "an author")
    if not fields.ok:
        return None
    name = fields.text("name", required=True, one_line=True)
    author = Author(
        slug=slug,
        name=name or slug,
        location=doc.loc(),
        role=fields.text("role", one_line=True),
        bio=fields.markdown("bio"),
        links=_read_links(fields),
        image=read_image(fields.sub("image", PORTRAIT_FIELDS, "image"), with_caption=False),
    )
    return author if name else None


ARTICLE_FIELDS = ("title", "date", "updated", "summary", "draft", "slug", "authors", "sources", "image",
                  "actors", "events", "quotes", "corrections", "claims")
CLAIM_FIELDS = ("id", "claim", "asserted_by", "denied_by", "evidence", "status", "reviewer")
EVIDENCE_FIELDS = ("quotes", "sources")
STANDING_FIELDS = ("date", "verdict", "note")
CORRECTION_FIELDS = ("date", "kind", "text")
EVENT_FIELDS = ("id", "date", "end", "title", "description", "actors", "place", "key")
QUOTE_FIELDS = ("speaker", "text", "said", "context", "via", "about", "topics", "paraphrase",
                "source", "language", "original", "translated_by", "status", "status_note", "status_source")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # BCP 47, as lang attributes take it
QUOTE_STATUSES = ("verified", "disputed", "misattributed", "unverified")
SOURCE_FIELDS = ("publisher", "url", "date", "title")


def read_article(doc: YamlDoc, default_slug: str, body: str, body_line: int,
                 timezone: str, diags: Diagnostics) -> Article | None:
    fields = Fields(doc, diags, (), ARTICLE_FIELDS, "the front matter")
    if not fields.ok:
        return None
    title = fields.text("title", required=True, one_line=True)
    title = title and typographic(title)
    date = fields.date("date", timezone, required=True)
    slug = fields.text("slug", one_line=True) or default_slug
    if not SLUG.match(slug):
        where = fields.loc("slug") if fields.has("slug") else doc.loc()
        shown = f"'{slug}'" if len(slug) <= SLUG_LONGEST else f"'{slug[:40]}…' ({len(slug)} characters)"
        diags.error(where, f"{shown} cannot be an article slug (it becomes the page's address)", SLUG_HINT)
        return None
    updated = fields.date("updated", timezone)
    if date and updated and updated.last_day() < date.first_day():
        diags.error(fields.loc("updated"), f"'updated' ({updated.iso()}) is before the date ({date.iso()})",
                    "an update comes after publication: check both dates")
    corrections = sorted((c for _, f in fields.each("corrections", CORRECTION_FIELDS, "a correction")
                          if (c := _read_correction(f, date, timezone))), key=lambda c: c.date.sort_key())
    if corrections:
        latest = corrections[-1]
        if updated is None:
            updated = latest.date  # the latest entry says when the article last changed
        elif _before(updated, latest.date):
            diags.error(fields.loc("updated"),
                        f"'updated' ({updated.iso()}) is before the latest {latest.kind} ({latest.date.iso()}, "
                        f"line {latest.location.line})",
                        f"set 'updated' to {latest.date.iso()} or later, or leave it out: the article is then "
                        "updated on the date of its latest entry")
    sources = tuple(s for _, f in fields.each("sources", SOURCE_FIELDS, "a source")
                    if (s := read_source(f, timezone)))
    events = []
    for index, event_fields in fields.each("events", EVENT_FIELDS, "an event"):
        event = _read_event(event_fields, slug, index, timezone)
        if event:
            events.append(event)
    quotes = []
    for index, quote_fields in fields.each("quotes", QUOTE_FIELDS, "a quote"):
        quote = _read_quote(quote_fields, slug, index, date, sources, timezone)
        if quote:
            quotes.append(quote)
    if not body.strip():
        diags.warning(doc.loc(), "the article has no text after the front matter",
                      "write the explainer below the closing ---")
    if (problem := markdown_problem(body)) is not None:
        diags.error(Location(doc.file, body_line + problem[0], 1), problem[1], problem[2])
        return None
    article = Article(
        slug=slug,
        title=title or slug,
        date=date or PartialDate(1970, 1, 1),
        location=Location(doc.file, 1, 1),
        body=body,
        body_line=body_line,
        updated=updated,
        summary=fields.markdown("summary"),
        draft=fields.flag("draft"),
        sources=sources,
        image=read_image(fields.sub("image", PICTURE_FIELDS, "image"), with_caption=True),
        actors=fields.refs("actors"),
        events=tuple(events),
        quotes=tuple(quotes),
        slug_location=fields.loc("slug") if fields.has("slug") else None,
        corrections=tuple(corrections),
        claims=_read_claims(fields, slug, len(fields.items("quotes")), timezone),
        authors=_unrepeated(fields.refs("authors", "an author"), fields.diags, "author"),
    )
    return article if title and date else None


def _read_claims(fields: Fields, article: str, quote_count: int, timezone: str) -> tuple[Claim, ...]:
    claims, seen = [], {}
    for index, claim_fields in fields.each("claims", CLAIM_FIELDS, "a claim"):
        claim = _read_claim(claim_fields, article, index, quote_count, timezone)
        if claim is None:
            continue
        if claim.id in seen:
            fields.diags.error(claim_fields.loc("id") if claim_fields.has("id") else claim.location,
                               f"claim '{claim.id}' is listed twice (also at line {seen[claim.id].line})",
                               "give each claim of an article its own id")
            continue
        seen[claim.id] = claim.location
        claims.append(claim)
    return tuple(claims)


def _read_claim(fields: Fields, article: str, index: int, quote_count: int, timezone: str) -> Claim | None:
    claim_id = fields.text("id", one_line=True) or f"claim-{index + 1}"
    if not SLUG.match(claim_id):
        fields.diags.error(fields.loc("id"), f"'{claim_id}' cannot be a claim id", SLUG_HINT)
        return None
    text = fields.text("claim", required=True, one_line=True)
    standings = []
    for _, entry in fields.each("status", STANDING_FIELDS, "a claim's status"):
        date = entry.date("date", timezone, required=True)
        verdict = entry.text("verdict", required=True, one_line=True)
        if verdict is not None and verdict not in VERDICTS:
            guess = did_you_mean(verdict.lower(), VERDICTS)
            entry.diags.error(entry.loc("verdict"), f"'{verdict}' is not a verdict on a claim",
                              f"did you mean '{guess}'?" if guess else "use one of: " + ", ".join(VERDICTS))
            verdict = None
        if date and verdict:
            if standings and _before(date, standings[-1].date):
                entry.diags.error(entry.loc("date"), f"the status of {date.iso()} is listed after a later one "
                                  f"({standings[-1].date.iso()}, line {standings[-1].location.line})",
                                  "list a claim's statuses oldest first, the latest last")
                return None
            note = entry.text("note")
            standings.append(Standing(date, verdict, note and typographic(note), entry.doc.loc(*entry.path)))
    if not fields.has("status") or fields.data.get("status") == []:
        fields.diags.error(fields.doc.loc(*fields.path), "a claim needs a 'status'",
                           "add 'status: [{date: YYYY-MM-DD, verdict: unconfirmed}]': confirmed, unconfirmed, "
                           "disputed or false, as of a date")
    evidence = fields.sub("evidence", EVIDENCE_FIELDS, "a claim's evidence")
    numbers, where = [], []
    if evidence:
        for position, value in evidence.items("quotes"):
            at = evidence.doc.loc(*evidence.path, "quotes", position) if position is not None else evidence.loc("quotes")
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= quote_count:
                evidence.diags.error(at, f"'{value}' is not one of the article's quotes",
                                     f"the article's quotes are numbered 1 to {quote_count}, in the order of its quotes: list"
                                     if quote_count else "this article has no quotes: add them under quotes:")
                continue
            numbers.append(value)
            where.append(at)
    sources = tuple(s for _, f in (evidence.each("sources", SOURCE_FIELDS, "a source") if evidence else [])
                    if (s := read_source(f, timezone)))
    if not (text and standings):
        return None
    return Claim(id=claim_id, article=article, claim=typographic(text), location=fields.doc.loc(*fields.path),
                 standings=tuple(standings), asserted_by=fields.refs("asserted_by"), denied_by=fields.refs("denied_by"),
                 quotes=tuple(numbers), quote_locations=tuple(where), sources=sources,
                 reviewer=fields.text("reviewer", one_line=True))


def _before(a: PartialDate, b: PartialDate) -> bool:
    """Whether a is surely earlier than b: a day before it, or, both with a time, an earlier moment."""
    if a.last_day() < b.first_day():
        return True
    return a.moment is not None and b.moment is not None and a.moment < b.moment


def _read_correction(fields: Fields, article_date: PartialDate | None, timezone: str) -> Correction | None:
    date = fields.date("date", timezone, required=True)
    kind = fields.text("kind", required=True, one_line=True)
    if kind is not None:
        kind = " ".join(kind.replace("\u2019", "'").lower().split())
        if kind not in CORRECTION_KINDS:
            guess = did_you_mean(kind, CORRECTION_KINDS)
            fields.diags.error(fields.loc("kind"), f"'{kind}' is not a kind of correction",
                               f"did you mean '{guess}'?" if guess else "use one of: " + ", ".join(CORRECTION_KINDS))
            kind = None
    text = fields.markdown("text")
    if not text and (not fields.has("text") or not str(fields.data.get("text")).strip()):
        fields.diags.error(fields.loc("text") if "text" in fields.data else fields.doc.loc(*fields.path),
                           "a correction needs a 'text'", "add 'text: ...' saying what was wrong and what is right now")
    if date and date.day is None:
        fields.diags.error(fields.loc("date"), f"a correction is dated to the day, not '{date.iso()}'",
                           "write the day it was made: YYYY-MM-DD, or a date and time")
        return None
    if date and article_date and _before(date, article_date):
        fields.diags.error(fields.loc("date"), f"the {kind or 'correction'} ({date.iso()}) is dated before the "
                           f"article ({article_date.iso()})", "a correction comes after publication: check both dates")
        return None
    if not (date and kind and text):
        return None
    return Correction(date=date, kind=kind, text=text, location=fields.doc.loc(*fields.path))


def _read_event(fields: Fields, article: str, index: int, timezone: str) -> Event | None:
    event_id = fields.text("id", one_line=True)
    if event_id is not None and not SLUG.match(event_id):
        fields.diags.error(fields.loc("id"), f"'{event_id}' cannot be an event id", SLUG_HINT)
        event_id = None
    date = fields.date("date", timezone, required=True)
    end = fields.date("end", timezone)
    title = fields.text("title", required=True, one_line=True)
    title = title and typographic(title)
    if date and end and end.last_day() < date.first_day():
        fields.diags.error(fields.loc("end"), f"the event ends ({end.iso()}) before it starts ({date.iso()})",
                           "check both dates; 'end' is for events that span several days")
        return None
    if not (date and title):
        return None
    return Event(
        id=event_id or f"{article}-{index + 1}",
        date=date,
        end=end,
        title=title,
        article=article,
        location=fields.doc.loc(*fields.path),
        description=fields.markdown("description"),
        actors=fields.refs("actors"),
        place=fields.text("place", one_line=True),
        key=fields.flag("key"),
    )


def _read_quote(fields: Fields, article: str, index: int, article_date: PartialDate | None,
                article_sources: tuple[Source, ...], timezone: str) -> Quote | None:
    speaker = fields.refs("speaker") if fields.has("speaker") else ()
    if not fields.has("speaker"):
        fields.diags.error(fields.doc.loc(*fields.path), "a quote needs a 'speaker'",
                           "add 'speaker: <actor slug>' to say who said it")
    elif isinstance(fields.data.get("speaker"), list) and len(fields.data["speaker"]) != 1:
        fields.diags.error(fields.loc("speaker"), "a quote has one speaker",
                           "give each speaker's words a quote of their own; for words said together, "
                           "use the group's actor as the speaker")
        speaker = ()
    text = fields.text("text", required=True)
    # not said when the article was published: on its day, as far as anyone can tell
    said = fields.date("said", timezone) or (replace(article_date, moment=None) if article_date else None)
    source_fields = fields.sub("source", SOURCE_FIELDS, "a quote's source")
    source = read_source(source_fields, timezone) if source_fields else None
    if source is None and not article_sources and not fields.has("source"):
        fields.diags.error(fields.doc.loc(*fields.path), "the quote has no source",
                           "add 'source: {publisher: ..., url: ...}' to the quote, or 'sources:' to the article")
    language = fields.text("language", one_line=True)
    if language is not None and not LANGUAGE_TAG.fullmatch(language):
        fields.diags.error(fields.loc("language"), f"'{language}' is not a language tag",
                           "write the language's code: zh, es, pt-BR (BCP 47)")
        language = None
    original = fields.text("original")
    translated_by = fields.text("translated_by", one_line=True)
    if (original or translated_by) and not language and not fields.has("language"):
        key = "original" if original else "translated_by"
        fields.diags.error(fields.loc(key), f"a quote with '{key}' needs the 'language' it was said in",
                           "add 'language: ...' with the language's code (zh, es, pt-BR)")
    status = fields.text("status", one_line=True) or "verified"
    if status not in QUOTE_STATUSES:
        guess = did_you_mean(status.lower(), QUOTE_STATUSES)
        fields.diags.error(fields.loc("status"), f"'{status}' is not a status of a quote",
                           f"did you mean '{guess}'?" if guess else "use one of: " + ", ".join(QUOTE_STATUSES))
        status = "verified"
    status_note = fields.text("status_note")
    status_source_fields = fields.sub("status_source", SOURCE_FIELDS, "a quote's status source")
    status_source = read_source(status_source_fields, timezone) if status_source_fields else None
    if status == "misattributed" and not status_note:
        fields.diags.error(fields.loc("status"), "a misattributed quote needs a 'status_note'",
                           "add 'status_note: ...' saying who said it, or why it is not theirs")
    if not (speaker and text and said):
        return None
    return Quote(
        number=index + 1,
        speaker=speaker[0],
        text=text,
        said=said,
        article=article,
        location=fields.doc.loc(*fields.path),
        text_location=fields.loc("text"),
        context=fields.text("context"),
        via=fields.text("via", one_line=True),
        about=fields.refs("about"),
        topics=fields.words("topics"),
        paraphrase=fields.flag("paraphrase"),
        source=source,
        language=language,
        original=original,
        translated_by=translated_by,
        status=status,
        status_note=status_note,
        status_source=status_source,
    )


def _unrepeated(refs: tuple[Ref, ...], diags: Diagnostics, what: str) -> tuple[Ref, ...]:
    """refs with any slug named twice reported, and kept once."""
    kept, seen = [], set()
    for ref in refs:
        if ref.slug in seen:
            diags.error(ref.location, f"the {what} '{ref.slug}' is named twice",
                        f"remove this '{ref.slug}': each {what} is named once, in byline order")
            continue
        seen.add(ref.slug)
        kept.append(ref)
    return tuple(kept)


def author_from_file(source, diags: Diagnostics) -> Author | None:
    """The author of an author file (a load.Source), or None when it cannot be read."""
    slug = PurePosixPath(source.rel).stem
    if not source.text.strip():
        diags.error(Location(source.rel, 1), "the author file is empty", "write at least 'name: ...'")
        return None
    doc = yamlio.load(source.text, source.rel, diags)
    return read_author(doc, slug, diags) if doc is not None else None


def actor_from_file(source, diags: Diagnostics) -> Actor | None:
    """The actor of an actor file (a load.Source), or None when it cannot be read."""
    slug = PurePosixPath(source.rel).stem
    if not source.text.strip():
        diags.error(Location(source.rel, 1), "the actor file is empty",
                    "write at least 'name: ...' and 'kind: person' (or country, organisation, group, other)")
        return None
    doc = yamlio.load(source.text, source.rel, diags)
    return read_actor(doc, slug, diags) if doc is not None else None


def article_from_file(source, timezone: str, diags: Diagnostics) -> Article | None:
    """The article of an article file (a load.Source), its text not yet rendered, or None."""
    if not source.text.strip():
        diags.error(Location(source.rel, 1), "the article file is empty",
                    "start it with front matter: ---, title: ..., date: YYYY-MM-DD, ---, then the text")
        return None
    front = yamlio.split_front_matter(source.text, source.rel, diags)
    if front is None:
        return None
    doc = yamlio.load(front.yaml_text, source.rel, diags, line_offset=front.yaml_line - 1)
    if doc is None:
        return None
    if doc.data is None:
        diags.error(Location(source.rel, 1), "the front matter is empty",
                    "add at least title: and date: between the --- lines")
        return None
    return read_article(doc, PurePosixPath(source.rel).stem, front.body, front.body_line, timezone, diags)
