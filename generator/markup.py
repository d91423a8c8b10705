"""Markdown to HTML: actor links, anchored quote passages, and the allow-list sanitizer.

The HTML an article body renders to depends only on the body, its quotes and the site's
path prefix, so it can be cached per article. Actor names shown by a bare ``[[slug]]`` are
left as placeholders and filled in by ``resolve``, which knows every actor.

A placeholder carries a seal: random letters drawn when the converter is made, which no
text written before that moment can know. Content can write the placeholder's characters
(as character references that the sanitizer turns into characters), but not its seal, so
``fill_names`` fills in only the placeholders the converter itself made.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
from html import escape as html_escape
from html import unescape as html_unescape
import itertools
import re
import secrets
import unicodedata
import xml.etree.ElementTree as etree
from collections import Counter
from dataclasses import dataclass, replace
from urllib.parse import unquote

import markdown
import markdown.treeprocessors
import markdown.util
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .diagnostics import Location
from .model import SLUG, Ref

NAME_OPEN, NAME_CLOSE = "\ue000", "\ue001"  # private-use marks around a seal and a slug awaiting its name
NAME_PLACEHOLDER = re.compile(f"{NAME_OPEN}([0-9a-f]{{32}}):([a-z0-9-]+){NAME_CLOSE}")
MENTION = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")

_TEXT_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "figcaption"}
_BLOCKS = _TEXT_BLOCKS | {"ul", "ol", "blockquote", "div", "table", "thead", "tbody", "tr", "dl", "pre", "hr"}

_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                           "\u00ab": '"', "\u00bb": '"'})
_CURLY = re.compile("[" + "".join(chr(c) for c in _STRAIGHT) + "]")


def _straight(text: str) -> str:
    """text.translate(_STRAIGHT), quicker for text with few curly quotes."""
    return _CURLY.sub(lambda m: _STRAIGHT[ord(m.group())], text)


def normalise(text: str) -> str:
    """The form quotes are compared in: NFKC, straight quotes, white space collapsed, and
    dashes typed as hyphens as the text shows them (smarty makes '--' an en dash, '---' an
    em dash)."""
    if "--" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    text = _straight(unicodedata.normalize("NFKC", text))
    return " ".join(text.split())


def _normalised_with_map(pieces: list[str]) -> tuple[str, list[tuple[int, int, int]]]:
    """Normalise the concatenation of pieces, remembering for each output character the
    (piece, start, end) of the source characters it came from."""
    out: list[str] = []
    where: list[tuple[int, int, int]] = []
    for number, piece in enumerate(pieces):
        i = 0
        while i < len(piece):
            j = i + 1
            while j < len(piece) and unicodedata.combining(piece[j]):
                j += 1
            for char in unicodedata.normalize("NFKC", piece[i:j]).translate(_STRAIGHT):
                if char.isspace():
                    if not out or out[-1] == " ":
                        continue
                    char = " "
                out.append(char)
                where.append((number, i, j))
            i = j
    return "".join(out), where


_SPACE_RUN = re.compile(r"\s+")
_LONG_SPACE_RUN = re.compile(r"\s{2,}")


def _source_offsets(raw: str, first: int, last: int) -> tuple[int, int]:
    """The offsets in raw of two offsets (first <= last) in raw with its white space runs
    made single spaces. An offset on such a space maps to the start of its run. Runs of one
    character drop nothing, so only longer runs are looked at."""
    dropped, found = 0, []
    targets = [first, last]
    for run in _LONG_SPACE_RUN.finditer(raw):
        at = run.start() - dropped  # where the run's one space stands in the compared text
        while targets and targets[0] <= at:
            target = targets.pop(0)
            found.append(run.start() if target == at else target + dropped)
        if not targets:
            break
        dropped += run.end() - run.start() - 1
    found += [target + dropped for target in targets]
    return found[0], found[1]


def _locate(pieces: list[str], quote: str):
    """Where the normalised quote stands in the pieces: ((piece, offset), (piece, end offset)).

    Straightening quotation marks keeps every offset, and each run of white space becomes one
    space, so offsets in the compared text map back to the source by counting the white space
    dropped before them. Only text that matches after NFKC (ligatures, full-width letters)
    needs the slower character map."""
    raw = _straight("".join(pieces))
    found = _SPACE_RUN.sub(" ", raw).find(quote) if quote else -1
    if found >= 0:
        first, last = _source_offsets(raw, found, found + len(quote) - 1)
        starts = list(itertools.accumulate((len(p) for p in pieces), initial=0))

        def place(offset: int, closing: bool) -> tuple[int, int]:
            number = (bisect.bisect_left(starts, offset) if closing else bisect.bisect_right(starts, offset)) - 1
            number = min(max(number, 0), len(pieces) - 1)
            return number, offset - starts[number]

        return place(first, False), place(last + 1, True)
    text, where = _normalised_with_map(pieces)
    found = text.find(quote)
    if found < 0:
        return None
    first, last = where[found], where[found + len(quote) - 1]
    return (first[0], first[1]), (last[0], last[2])


FINAL_MARKS = ".,;:!?…"  # what wire style may change at the end of a quotation


def house_styled(text: str) -> list[str]:
    """The wordings in which a quotation is accepted in the text, as copy editors change a
    quote to fit the sentence around it: as written, without its final punctuation mark (the
    text may end it with another, or none), and with the case of its first letter turned (a
    quote that starts a sentence in the front matter, mid-sentence in the text). Never
    another word: a wording other than the first counts only as whole words (see _as_words)."""
    core = text.rstrip(FINAL_MARKS).rstrip() if len(text.rstrip(FINAL_MARKS)) >= 2 else text
    wordings = [text, core]
    for wording in (text, core):
        if wording[:1].isalpha():
            wordings.append(wording[0].swapcase() + wording[1:])
    return list(dict.fromkeys(w for w in wordings if w))


JOINERS = "-'’.,"  # signs that join what stands on both sides into one word: 3,000  ill-prepared


def _as_words(text: str, wording: str) -> bool:
    """Whether wording stands in text as whole words: no letter or digit joined to either
    end, directly or through a sign that joins words (3,000, ill-prepared, anti-sanctions)."""
    def joined(at: int, step: int) -> bool:
        if not 0 <= at < len(text):
            return False
        if text[at].isalnum():
            return True
        return text[at] in JOINERS and 0 <= at + step < len(text) and text[at + step].isalnum()

    start = text.find(wording)
    while start >= 0:
        end = start + len(wording)
        if not joined(start - 1, -1) and not joined(end, 1):
            return True
        start = text.find(wording, start + 1)
    return False


@dataclass(frozen=True)
class QuoteCheck:
    number: int
    text: str  # normalised
    language: str | None = None  # of the words, when they are the original of a translated quote


@dataclass(frozen=True)
class BodyProblem:
    location: Location
    message: str
    hint: str | None = None
    name: str | None = None  # what a [[link]] holds that is not a slug: perhaps an actor's name


@dataclass(frozen=True)
class RenderedBody:
    html: str  # may hold name placeholders, filled in by resolve
    mentions: tuple[Ref, ...]
    anchored: frozenset[int]  # numbers of the quotes whose passage was found and anchored
    problems: tuple[BodyProblem, ...]
    summary: str | None = None  # the article's summary as HTML, with name placeholders too
    seal: str = ""  # the seal of its placeholders (see fill_names)
    images: tuple[Ref, ...] = ()  # the media/ files its images show (as slug: their path), where written


def placeholders(html: str, seal: str) -> tuple[str, ...]:
    """The slugs of the sealed name placeholders in html, each once, in order."""
    return tuple(dict.fromkeys(m.group(2) for m in NAME_PLACEHOLDER.finditer(html) if m.group(1) == seal))


def fill_names(html: str, seal: str, names) -> str:
    """html with each placeholder of this seal replaced by names(slug), escaped for text and
    for attribute values alike. Placeholders with another seal were written by content and
    stay as the text they are."""
    def name(match) -> str:
        if match.group(1) != seal:
            return match.group(0)
        return html_escape(names(match.group(2)), quote=True)

    return NAME_PLACEHOLDER.sub(name, html)


class _ActorLinks(InlineProcessor):
    def __init__(self, pattern: str, owner: "Markup"):
        super().__init__(pattern)
        self.owner = owner

    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        slug, shown = m.group(1).strip(), (m.group(2) or "").strip()
        if not SLUG.match(slug):
            return None, None, None
        element = etree.Element("a")
        element.set("href", f"{self.owner.prefix}actors/{slug}/")
        element.set("class", "actor-link")
        element.set("data-actor", slug)
        element.text = shown or f"{NAME_OPEN}{self.owner.seal}:{slug}{NAME_CLOSE}"
        return element, m.start(0), m.end(0)


# The ids the article's page gives its own parts around the text (templates/article.html and
# base.html); tests/test_markup.py reads the templates to keep this list whole. A heading in
# the text whose id would be one of them gets "-in-text" after it, so links to both still work.
PAGE_IDS = frozenset({"main", "sources", "corrections", "claims-title", "in-this-story", "what-happened",
                      "who-said-what"})
PAGE_ID_PREFIXES = ("quote-", "correction-", "claim-", "event-")


def heading_id(value: str, separator: str) -> str:
    """The id of a heading in an article's text: Python-Markdown's, unless the page uses it."""
    made = slugify(value, separator)
    return f"{made}-in-text" if made in PAGE_IDS or made.startswith(PAGE_ID_PREFIXES) else made


class _QuoteAnchors(Treeprocessor):
    """Marks each quote's passage in the text, comparing the words as a reader sees them."""

    def __init__(self, md, owner: "Markup"):
        super().__init__(md)
        self.owner = owner

    def run(self, root):
        if not self.owner.quotes:
            return None
        blocks = [el for el in root.iter() if el.tag in _TEXT_BLOCKS]
        quick: dict[int, str] = {}  # block index -> its normalised text, for a cheap first look
        for quote in self.owner.quotes:  # a translation's text first, then the words as said
            if quote.number in self.owner.anchored:
                continue
            for wording in house_styled(quote.text):
                if self._anchored(blocks, quick, replace(quote, text=wording), wording != quote.text):
                    self.owner.anchored.add(quote.number)
                    break
        return None

    def _anchored(self, blocks, quick: dict, quote: QuoteCheck, whole_words: bool) -> bool:
        """Whether the quote's words were found in a block and marked there; a house-styled
        wording (whole_words) only where it stands as whole words."""
        for number, block in enumerate(blocks):
            if number not in quick:
                quick[number] = normalise("".join(self._seen(s)[0] for s in _segments(block)))
            text = quick[number]
            if not quote.text or quote.text not in text:
                continue
            if whole_words and not _as_words(text, quote.text):
                continue
            if self._anchor(block, quote):
                return True
        return False

    def _seen(self, segment) -> tuple[str, list[int], list[int]]:
        """A text run as a reader sees it: character references and the characters they
        stand for as one, tags (which Markdown keeps aside, leaving a placeholder) as
        nothing. With, for each character seen, where its source starts and ends."""
        piece = _segment_text(segment)
        in_code = segment[0] == "text" and segment[1].tag == "code"
        marks = _REFERENCE if in_code else _KEPT_ASIDE
        if not marks.search(piece):
            return piece, list(range(len(piece))), list(range(1, len(piece) + 1))
        seen, starts, ends, at = [], [], [], 0
        for match in marks.finditer(piece):
            for i in range(at, match.start()):
                seen.append(piece[i])
                starts.append(i)
                ends.append(i + 1)
            if in_code:
                shown = html_unescape(match.group())
            else:
                kept = self.md.htmlStash.rawHtmlBlocks[int(match.group(1))]
                shown = html_unescape(kept) if isinstance(kept, str) and _REFERENCE.fullmatch(kept) else ""
            for char in shown:
                seen.append(char)
                starts.append(match.start())
                ends.append(match.end())
            at = match.end()
        for i in range(at, len(piece)):
            seen.append(piece[i])
            starts.append(i)
            ends.append(i + 1)
        return "".join(seen), starts, ends

    def _anchor(self, block, quote: QuoteCheck) -> bool:
        segments = _segments(block)
        seen = [self._seen(s) for s in segments]
        found = _locate([text for text, _, _ in seen], quote.text)
        if found is None:
            return False
        (first, a_seen), (last, b_seen) = found
        marked = False
        for number in range(last, first - 1, -1):  # right to left keeps offsets valid
            _, starts, ends = seen[number]
            a, b = 0, len(_segment_text(segments[number]))  # the whole run, unless the passage ends in it
            if number == first:
                a = starts[a_seen] if a_seen < len(starts) else b
            if number == last:
                b = ends[b_seen - 1] if b_seen > 0 else 0
            if a >= b:
                continue
            _wrap(segments[number], a, b, quote.number if number == first else None, quote.number, quote.language)
            marked = True
        return marked


# Where Python-Markdown keeps HTML aside (a tag, a character reference) until the end.
_KEPT_ASIDE = re.compile(re.escape(markdown.util.HTML_PLACEHOLDER).replace("%s", r"(\d+)"))
_REFERENCE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);")  # also how code's text is kept escaped


def _segments(block) -> list[tuple]:
    """The text runs of a block in reading order: (kind, element, parent)."""
    runs: list[tuple] = []

    def walk(element):
        if element.text:
            runs.append(("text", element, None))
        for child in list(element):
            if child.tag not in _BLOCKS:
                walk(child)
            if child.tail:
                runs.append(("tail", child, element))

    walk(block)
    return runs


def _segment_text(segment) -> str:
    kind, element, _ = segment
    return element.text if kind == "text" else element.tail


PART_OF = "part-of-quote-"  # the class of the later parts of a quote's passage, with its number
_LATER_PARTS = re.compile(r'class="passage ' + PART_OF + r'(\d+)"')


def passage_style(html: str) -> str:
    """A style sheet that marks the later parts of a quote's passage when a link targets the
    first, which alone has the quote's id, or an empty text when no passage has parts."""
    numbers = sorted(set(map(int, _LATER_PARTS.findall(html))))
    if not numbers:
        return ""
    return "<style>" + ", ".join(f":root:has(#quote-{n}:target) .{PART_OF}{n}" for n in numbers) + \
        " { background: var(--mark); box-shadow: 0 0 0 3px var(--mark); border-radius: 2px; }</style>"


def _wrap(segment, a: int, b: int, number: int | None, first: int, language: str | None = None) -> None:
    kind, element, parent = segment
    span = etree.Element("span")
    if language:  # the words as said, in another language than the page's (WCAG 3.1.2)
        span.set("lang", language)
    if number is not None:
        span.set("class", "passage")
        span.set("id", f"quote-{number}")
    else:  # a later part of the passage, across a link or emphasis: marked with the first (passage_style)
        span.set("class", f"passage {PART_OF}{first}")
    if kind == "text":
        source = element.text
        element.text = source[:a]
        span.text, span.tail = source[a:b], source[b:]
        element.insert(0, span)
    else:
        source = element.tail
        element.tail = source[:a]
        span.text, span.tail = source[a:b], source[b:]
        parent.insert(list(parent).index(element) + 1, span)


class _Extension(Extension):
    def __init__(self, owner: "Markup", anchors: bool):
        super().__init__()
        self.owner, self.anchors = owner, anchors

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.inlinePatterns.register(_ActorLinks(MENTION.pattern, self.owner), "actor_link", 175)
        if self.anchors:
            md.treeprocessors.register(_QuoteAnchors(md, self.owner), "quote_anchors", -10)


_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"figure", "figcaption", "section"}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "data-actor", "id"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "span": {"id", "class"},
    "sup": {"id"},
    "li": {"id"},
    "div": {"class"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"id", "class", "lang", "dir", "title"},
    "abbr": {"title"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}


_CLASSES = re.compile(r"[A-Za-z0-9_-]+(?: [A-Za-z0-9_-]+)*")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_:.-]*")
_ALIGNED = re.compile(r'<(t[hd]) style="text-align: (left|right|center);"')


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Classes and ids (from attr_list's {: .class #id }) as plain words only."""
    if attribute == "class":
        value = " ".join(value.split())
        return value if _CLASSES.fullmatch(value) else None
    if attribute == "id":
        return value if _ID.fullmatch(value) else None
    return value


def sanitise(html: str) -> str:
    """html with only the allowed tags and attributes, and addresses of the allowed schemes."""
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, attribute_filter=_attribute_filter,
                     url_schemes={"http", "https", "mailto", "tel", "ftp"}, link_rel=None, strip_comments=True)


# A character without which an inline pattern of Python-Markdown (3.11) cannot match: the
# first its expression requires. Patterns not named here are always tried.
_TRIGGERS = {"backtick": "`", "escape": "\\", "reference": "[", "link": "[", "image_link": "!",
             "image_reference": "!", "short_reference": "[", "short_image_ref": "!", "autolink": "<",
             "automail": "<", "linebreak": "\n", "html": "<", "entity": "&", "footnote": "[",
             "actor_link": "["}


# The same for the patterns of smarty's own inline pass, by the start of their names: what
# they cannot match without (any one of these).
_SMARTY_TRIGGERS = {"smarty-quotes": ("'", '"'), "smarty-ellipses": ("...",), "smarty-em-dashes": ("---",),
                    "smarty-en-dashes": ("--",)}


class _QuickInline(markdown.treeprocessors.InlineProcessor):
    """Python-Markdown's inline pass, which tries every inline pattern on every piece of text
    (two hundred tries an article, most of the time Markdown takes), without the tries of a
    pattern whose trigger characters are not in the text at all: they cannot match."""

    def __init__(self, md, patterns=None, triggers=None):
        super().__init__(md)
        if patterns is not None:
            self.inlinePatterns = patterns
        self.triggers = triggers if triggers is not None else {
            id(md.inlinePatterns[name]): chars for name, chars in _TRIGGERS.items() if name in md.inlinePatterns}

    def _InlineProcessor__applyPattern(self, pattern, data, patternIndex, startIndex=0):  # noqa: N802
        trigger = self.triggers.get(id(pattern))
        if trigger is not None and not any(mark in data for mark in trigger):
            return data, False, 0
        return super()._InlineProcessor__applyPattern(pattern, data, patternIndex, startIndex)


def _quick_inline(md: markdown.Markdown) -> markdown.Markdown:
    md.treeprocessors.register(_QuickInline(md), "inline", 20)
    smarty = md.treeprocessors["smarty"] if "smarty" in md.treeprocessors else None
    if smarty is not None:
        patterns = smarty.inlinePatterns
        triggers = {id(patterns[name]): chars for name in [item.name for item in patterns._priority]
                    for start, chars in _SMARTY_TRIGGERS.items() if name.startswith(start)}
        md.treeprocessors.register(_QuickInline(md, patterns, triggers), "smarty", 6)
    return md


class Markup:
    """Reusable Markdown converters for one build (one prefix, one safety setting)."""

    def __init__(self, prefix: str, unsafe_html: bool, seal: str | None = None):
        """seal: that of another process's converter, to make the same placeholders."""
        self.prefix, self.unsafe_html = prefix, unsafe_html
        self.seal = seal or secrets.token_hex(16)
        self.quotes: list[QuoteCheck] = []
        self.anchored: set[int] = set()
        self._snippets: dict[str, str] = {}
        extensions = ["tables", "footnotes", "sane_lists", "attr_list", "smarty"]
        self._body = _quick_inline(markdown.Markdown(extensions=extensions + ["toc", _Extension(self, anchors=True)],
                                                     extension_configs={"toc": {"permalink": False,
                                                                                "slugify": heading_id}}))
        self._snippet = _quick_inline(markdown.Markdown(extensions=extensions + [_Extension(self, anchors=False)]))

    def _finish(self, html: str) -> str:
        if "text-align" in html:  # a table's column alignment, as a class the theme styles
            html = _ALIGNED.sub(r'<\1 class="align-\2"', html)
        return html if self.unsafe_html else sanitise(html)

    def snippet(self, text: str) -> str:
        """A short Markdown text (a summary, a description) as HTML; remembered by text."""
        html = self._snippets.get(text)
        if html is None:
            if _PLAIN.fullmatch(text):  # one line without Markdown: what Markdown would make
                html = self._finish(f"<p>{text}</p>")
            else:
                self._snippet.reset()
                html = self._finish(self._snippet.convert(_clean_input(text)))
            self._snippets[text] = html
        return html

    def body(self, article) -> RenderedBody:
        body = _clean_input(article.body)
        checks = [QuoteCheck(q.number, normalise(text), language) for q in article.quotes if not q.paraphrase
                  for text, language in ((q.text, None), (q.original, q.language)) if text]
        self.quotes, self.anchored = checks, set()
        self._body.reset()
        try:
            html = self._finish(self._body.convert(body))
        except RecursionError:  # nesting deeper than model.markdown_problem foresaw
            where = Location(article.location.file, article.body_line)
            return RenderedBody("", (), frozenset(), (BodyProblem(
                where, "the text is nested too deeply to format", "take out some levels of lists and quotes"),),
                seal=self.seal)
        mentions, problems, images = [], [], []
        html = self._images(html, body, article, images, problems)
        for m in MENTION.finditer(_blank_code(body)):
            line = article.body_line + body.count("\n", 0, m.start())
            column = m.start() - (body.rfind("\n", 0, m.start()) + 1) + 1
            where = Location(article.location.file, line, column)
            slug = m.group(1).strip()
            if SLUG.match(slug):
                mentions.append(Ref(slug, where))
            else:
                problems.append(BodyProblem(where, f"'[[{slug}]]' does not name an actor by slug",
                                            "write [[actor-slug]] or [[actor-slug|shown text]], e.g. [[zhao-lijian|Zhao]]",
                                            slug))
        plain = normalise(html_unescape(_plain_text(body)))
        for quote in article.quotes:
            if quote.paraphrase or quote.number in self.anchored:
                continue
            hint = ("the quote must stand word for word in the article's text (curly and straight quotes "
                    "and line breaks do not matter); correct the text or the quote, or mark it paraphrase: true")
            nearest = _nearest(plain, normalise(quote.text))
            if nearest:
                line = _line_of(body, nearest)
                at = f", at line {article.body_line + line}," if line is not None else ""
                differ = _differing(normalise(quote.text), nearest)
                hint = (f"the nearest passage in the text{at} reads \u201c{nearest}\u201d"
                        + (f" ({differ})" if differ else "") + "; " + hint)
            also = f" and neither does its original ('{_short(quote.original)}')" if quote.original else ""
            problems.append(BodyProblem(quote.text_location,
                                        f"quote {quote.number} ('{_short(quote.text)}') does not occur in the article's text{also}",
                                        hint))
        summary = self.snippet(article.summary) if article.summary else None
        return RenderedBody(html, tuple(mentions), frozenset(self.anchored), tuple(problems), summary, self.seal,
                            tuple(images))

    def _images(self, html: str, body: str, article, images: list, problems: list) -> str:
        """html with its images' media/ addresses made the site's; each image without alt
        text, or from a local file outside media/, is a problem where the text shows it."""
        text = _blank_code(body)  # where the images are written: not in code
        after = [0]  # images stand in the HTML in the order of the text: look for each after the last

        def written(src: str) -> int:
            """Where in the text the image with this address is written, or -1."""
            for start in (after[0], 0):  # after the last image, else anywhere (a reference written below)
                for before, behind in (("](", ""), ('src="', '"'), ("src='", "'"), ("", "")):
                    found = text.find(before + src + behind, start)
                    if found >= 0:
                        after[0] = found + len(before + src + behind)
                        return found + len(before)
            return -1

        def image(match) -> str:
            attributes = {m.group(1).lower(): m.group(2) for m in _ATTRIBUTE.finditer(match.group(1))}
            src = html_unescape(attributes.get("src") or "")
            found = written(src) if src else -1
            if found >= 0:
                line = body.count("\n", 0, found)
                where = Location(article.location.file, article.body_line + line,
                                 found - (body.rfind("\n", 0, found) + 1) + 1)
            else:
                where = Location(article.location.file, article.body_line)
            if not (attributes.get("alt") or "").strip():
                problems.append(BodyProblem(where, f"the image '{src}' has no alt text",
                                            "say what it shows for readers who cannot see it: "
                                            "![What the picture shows](media/...)"))
            if not src or _ADDRESS.match(src):
                return match.group(0)
            if not src.startswith("media/"):
                problems.append(BodyProblem(where, f"the image '{src}' is not in content/media/",
                                            "put the file in content/media/ and write media/<file name>, "
                                            "or give a full https:// address"))
                return match.group(0)
            images.append(Ref(unquote(src), where))  # media/a%20b.gif is the file 'a b.gif'
            return match.group(0).replace(f'src="{attributes["src"]}"',
                                          f'src="{html_escape(self.prefix)}{attributes["src"]}"', 1)

        return IMAGE_TAG.sub(image, html) if "<img" in html else html


# An <img> tag as the sanitizer writes it: every value in double quotes, none holding one.
IMAGE_TAG = re.compile(r'<img((?:\s+[^\s=>"/]+(?:="[^"]*")?)*)\s*/?>', re.I)
_ATTRIBUTE = re.compile(r'([^\s=>"/]+)(?:="([^"]*)")?')
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)  # with a scheme or a host: not a local file

_CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|`[^`\n]+`", re.M | re.S)


def _blank_code(text: str) -> str:
    """The text with code blanked out (same length and lines), where [[...]] is not a link."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


# One line of words and punctuation that means nothing to Markdown or to HTML: it starts
# with a letter (not a list, a heading or indented code) and does not end in a space; no
# straight quote, '--' or '..', which smarty would make typographic.
_PLAIN = re.compile(r"[^\W\d_](?:[^\W_]|[ ,;:?!%()/\u2018-\u201f\u2013\u2014\u2026]|-(?!-)|\.(?!\.))*(?<! )")


def _clean_input(text: str) -> str:
    return text.replace(NAME_OPEN, "").replace(NAME_CLOSE, "")


def _plain_text(body: str) -> str:
    text = MENTION.sub(lambda m: m.group(2) or m.group(1), body)
    return re.sub(r"[*_`>#]", " ", text)


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _line_of(body: str, passage: str) -> int | None:
    """The line of body (0 for the first) on which passage begins, found by its first words
    as a reader sees them, or None."""
    start = " ".join(passage.split()[:4])
    for number, line in enumerate(body.split("\n")):
        if start and start in normalise(html_unescape(_plain_text(line))):
            return number
    return None


def _differing(quote: str, passage: str, most: int = 3) -> str:
    """The words in which quote and passage differ: "'town' where the text has 'city'";
    the first letter's case and the final mark, which may differ, are left out."""
    said, shown = quote.split(), passage.split()
    if said and shown:  # what house style may change is no difference (see house_styled)
        if said[0].casefold() == shown[0].casefold():
            shown[0] = said[0]
        if said[-1].rstrip(FINAL_MARKS) == shown[-1].rstrip(FINAL_MARKS):
            shown[-1] = said[-1]
    parts = []
    for op, a, b, c, d in difflib.SequenceMatcher(a=said, b=shown, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        ours, theirs = " ".join(said[a:b]), " ".join(shown[c:d])
        parts.append(f"'{ours}' where the text has '{theirs}'" if ours and theirs
                     else f"'{ours}' is not in the text" if ours else f"the text adds '{theirs}'")
    if not parts:
        return ""
    return "; ".join(parts[:most]) + (f" and {len(parts) - most} more" if len(parts) > most else "")


NEAREST_TRIES = 30  # stretches of the text compared letter by letter with a missing quote
LONGEST_COMPARED = 3000  # characters: a longer quote is reported without the nearest passage


def _nearest(plain: str, quote: str) -> str | None:
    """The stretch of the text most like the quote, to show an editor what differs.

    One pass over the text scores every stretch of the quote's length by the words it
    shares with the quote; only the best few are compared letter by letter, so the time
    grows with the length of the text, not with its square."""
    words, wanted = plain.split(" "), Counter(quote.split(" "))
    size = sum(wanted.values())
    if not quote or not words or len(quote) > LONGEST_COMPARED:
        return None
    have: Counter = Counter()
    shared, scores = 0, []
    for i, word in enumerate(words):
        if word in wanted:
            shared += have[word] < wanted[word]
            have[word] += 1
        if i >= size and (old := words[i - size]) in wanted:
            have[old] -= 1
            shared -= have[old] < wanted[old]
        if i >= size - 1 or i == len(words) - 1:
            scores.append((shared, max(0, i - size + 1)))  # (words shared, where the stretch starts)
    best, best_ratio = None, 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    for _, start in heapq.nlargest(NEAREST_TRIES, scores, key=lambda score: (score[0], -score[1])):
        window = " ".join(words[start:start + size])
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() > best_ratio and matcher.quick_ratio() > best_ratio:
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = window, ratio
    if not best or best_ratio < 0.6:
        return None
    return _short(best.strip("\"' "), 160)
