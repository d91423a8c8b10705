"""The guard against silent edits: what the last published build showed of each article
(its title and its quoted words), and a warning when a published article's title or quotes
have changed since, with no new entry in its corrections.

The record is kept in the site's cache folder, outside the part a new version of the
generator starts afresh, so that the Pages workflow, which keeps that folder from one run to
the next, compares each build with the one it last published. Each command-line build that
writes the site records what it published; check and the preview compare and record
nothing. An article whose change is warned about keeps its published version in the record
until a new correction or update explains the change (or the change is undone), so the
warning is given by every build until then, not only the first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from .diagnostics import Diagnostics
from .model import Article

RECORD = "published"
SHOWN = 2  # changed passages named in a warning; the rest are counted


@dataclass(frozen=True)
class Shown:
    """What readers were shown of one article: its title, each passage quoted word for word
    (the words as said too, for a translation), sorted, and its number of corrections and
    updates. unexplained: this is the last published version, and the site's differs
    from it with no new entry."""

    title: str
    passages: tuple[str, ...]
    entries: int
    unexplained: bool = False


def shown(article: Article) -> Shown:
    passages = [words for quote in article.quotes if not quote.paraphrase
                for words in (quote.text, quote.original) if words]
    return Shown(article.title, tuple(sorted(passages)), len(article.corrections))


def _quoted(words: list[str]) -> str:
    named = ", ".join(f"“{w}”" for w in words[:SHOWN])
    return named + (f" and {len(words) - SHOWN} more" if len(words) > SHOWN else "")


def compare(articles: list[Article], last: dict[str, Shown] | None, diags: Diagnostics) -> dict[str, Shown]:
    """Warn of each published article (not a draft) whose title or quoted words differ from
    what the last published build showed, with no correction or update added since; the
    record to keep, in which such an article stays as it was published. With no record
    (a first build, or the cache folder gone) nothing can be compared."""
    record = {}
    for article in articles:
        if article.draft:
            continue
        now, before = shown(article), (last or {}).get(article.slug)
        record[article.slug] = now
        if before is None or now.entries > before.entries or (now.title, now.passages) == (before.title, before.passages):
            continue
        record[article.slug] = replace(before, unexplained=True)
        hint = ("add an entry to its corrections: (kind: correction, clarification or update) that says what "
                "changed; until one is added (or the change is undone) every build warns of it")
        if now.title != before.title:
            diags.warning(article.location, f"the title of this published article changed with no correction or "
                          f"update: it was “{before.title}” when last published", hint)
        if now.passages != before.passages:
            gone = list((Counter(before.passages) - Counter(now.passages)).elements())
            new = list((Counter(now.passages) - Counter(before.passages)).elements())
            what = "; ".join(part for part in (f"{_quoted(gone)} no longer quoted" if gone else "",
                                                f"{_quoted(new)} newly quoted" if new else "") if part)
            where = next((q.text_location for q in article.quotes if q.text in new or q.original in new),
                         article.location)
            diags.warning(where, f"the quotes of this published article changed with no correction or update: "
                          f"{what}", hint)
    return record


def pending(record: dict[str, Shown] | None) -> bool:
    """Whether a build must be made again even if nothing it is made from has changed: an
    unexplained change is warned of by every build."""
    return bool(record) and any(entry.unexplained for entry in record.values())
