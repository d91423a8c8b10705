"""Machine-readable views of the site: JSON-LD, data/explainer.json and TimelineJS JSON."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

from .dates import PartialDate, display_span
from .model import Actor, Article, Quote
from .resolve import SiteIndex, TimelineEvent
from .urls import Urls

SCHEMA_TYPES = {"person": "Person", "country": "Country", "organisation": "Organization",
                "group": "Organization", "other": "Thing"}
TITLE_SLIDE = "timeline_start"  # the title slide's id: no event's (an id is a slug, without '_')
NO_PLACE = "Place not given"  # the timeline row of events without a place, when others have one


def image_url(src: str, urls: Urls) -> str:
    """An image's absolute address: a file under media/ is in the site."""
    return src if src.startswith(("http://", "https://")) else urls.absolute(src)


_BREAKS = {"p", "br", "li", "ul", "ol", "dl", "dt", "dd", "div", "blockquote", "pre", "hr", "table", "tr",
           "td", "th", "figure", "figcaption", "section", "h1", "h2", "h3", "h4", "h5", "h6"}


class _Text(HTMLParser):
    """The text of an HTML fragment, as a reader sees it: blocks apart, scripts unread."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden.append(tag)
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if self.hidden and tag == self.hidden[-1]:
            self.hidden.pop()
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def plain_text(fragment: str) -> str:
    """HTML (a rendered summary) as one line of plain text: tags dropped, entities read,
    white space collapsed. An actor link becomes the name or words it shows."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())


# A start tag, its attributes quoted either way or not at all; and one attribute in it
_TAG = re.compile(r"<[a-zA-Z][^\s/>]*(?:\s+[^\s\"'<>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?>")
_ATTRIBUTE = re.compile(r"\s+([^\s\"'<>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
_TAG_NAME = re.compile(r"<[^\s/>]+")
_LINK_ATTRIBUTES = ("href", "src", "cite")


def absolute_links(fragment: str, base: str, ids: bool = True) -> str:
    """HTML shown on the page at base, for another place (a feed, an embed): every href,
    src and cite made absolute as the page resolves it; without ids, no id attributes (ids
    made for one page repeat when pages are put together)."""

    def attribute(match) -> str:
        name, value = match.group(1).lower(), match.group(2)
        if name == "id" and not ids:
            return ""
        if name not in _LINK_ATTRIBUTES or value is None:
            return match.group(0)
        raw = html.unescape(value[1:-1] if value[0] in "\"'" else value)
        lead = match.group(0)[:match.start(2) - match.start(0)]
        return f'{lead}"{html.escape(urljoin(base, raw.strip()))}"'

    def tag(match) -> str:
        text = match.group(0)
        head = _TAG_NAME.match(text).end()
        return text[:head] + _ATTRIBUTE.sub(attribute, text[head:])

    return _TAG.sub(tag, fragment)


def dump_script_json(data) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' that HTML could read."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def actor_ld(actor: Actor, urls: Urls, index: SiteIndex, full: bool = False) -> dict:
    data = {"@type": SCHEMA_TYPES[actor.kind], "@id": urls.absolute(Urls.actor(actor.slug)),
            "name": actor.name, "url": urls.absolute(Urls.actor(actor.slug))}
    if actor.links:
        data["sameAs"] = [url for _, url in actor.links]
    if full:
        if actor.role and actor.kind == "person":
            data["jobTitle"] = actor.role
        if actor.role:
            data["description"] = actor.role
        if actor.aliases:
            data["alternateName"] = list(actor.aliases)
        if actor.image:
            data["image"] = image_url(actor.image.src, urls)
        # schema.org: a person's affiliation is an Organization
        affiliations = [agent_ld(index.actors[r.slug], urls, index) for r in actor.affiliations
                        if r.slug in index.actors and index.actors[r.slug].kind != "person"]
        if affiliations and actor.kind == "person":
            data["affiliation"] = [a for a in affiliations if a]
    return data


def author_ld(author, urls: Urls, full: bool = False) -> dict:
    """An author as a schema.org Person, by the address of their page."""
    url = urls.absolute(Urls.author(author.slug))
    data = {"@type": "Person", "@id": url, "name": author.name, "url": url}
    if author.role:
        data["jobTitle"] = author.role
    if author.links:
        data["sameAs"] = [href for _, href in author.links]
    if full and author.image:
        data["image"] = image_url(author.image.src, urls)
    return data


def agent_ld(actor: Actor, urls: Urls, index: SiteIndex) -> dict | None:
    """The actor where schema.org wants a Person or an Organization (who made a quote, what
    a person is part of): a country acts and employs through its government, which serves
    the country; an actor of kind other is neither, and None."""
    if actor.kind == "country":
        return {"@type": "GovernmentOrganization", "name": actor.name, "url": urls.absolute(Urls.actor(actor.slug)),
                "areaServed": actor_ld(actor, urls, index)}
    return None if actor.kind == "other" else actor_ld(actor, urls, index)


def quote_ld(quote: Quote, urls: Urls, index: SiteIndex) -> dict:
    data = {"@type": "Quotation", "text": quote.text, "url": urls.absolute(Urls.quote(quote)),
            "dateCreated": quote.said.iso()}
    speaker = index.actors.get(quote.speaker.slug)
    creator = agent_ld(speaker, urls, index) if speaker and not quote.misattributed else None
    if creator:
        data["creator"] = creator
    if quote.status != "verified":  # the words' standing, said in words: schema.org has no term for it
        data["description"] = f"{quote.status.capitalize()}" + (f": {quote.status_note}" if quote.status_note else "")
    about = [actor_ld(index.actors[r.slug], urls, index) for r in quote.about if r.slug in index.actors]
    if about:
        data["about"] = about
    if quote.language:  # the text is a translation, of words said in quote.language
        data["inLanguage"] = index.config.language
        data["translationOfWork"] = {"@type": "Quotation", "inLanguage": quote.language,
                                     **({"text": quote.original} if quote.original else {})}
    data["isPartOf"] = {"@id": urls.absolute(Urls.article(quote.article))}
    return data


def event_ld(event: TimelineEvent, urls: Urls, index: SiteIndex) -> dict:
    data = {"@type": "Event", "name": event.title, "startDate": event.date.iso(),
            "url": urls.absolute(urls.event(event))}
    if event.end:
        data["endDate"] = event.end.iso()
    if event.place:
        data["location"] = {"@type": "Place", "name": event.place}
    about = [actor_ld(index.actors[s], urls, index) for s in event.actors if s in index.actors]
    if about:
        data["about"] = about
    return data


def article_ld(article: Article, urls: Urls, index: SiteIndex, events: list[TimelineEvent]) -> dict:
    url = urls.absolute(Urls.article(article.slug))
    main = {"@type": "NewsArticle", "@id": url, "url": url, "mainEntityOfPage": url,
            "headline": article.title, "datePublished": article.date.iso(),
            "dateModified": (article.updated or article.date).iso(),
            "inLanguage": index.config.language,
            "publisher": {"@type": "Organization", "name": index.config.author or index.config.title}}
    if index.config.image:
        main["publisher"]["logo"] = image_url(index.config.image.src, urls)
    writers = [index.authors[r.slug] for r in article.authors if r.slug in index.authors]
    if writers:
        main["author"] = [author_ld(a, urls) for a in writers]
    elif index.config.author:
        main["author"] = {"@type": "Organization", "name": index.config.author}
    if article.slug in index.article_summaries:
        main["description"] = plain_text(index.article_summaries[article.slug])
    if article.image:
        main["image"] = image_url(article.image.src, urls)
    actors = [index.actors[s] for s in index.article_actors.get(article.slug, [])]
    if actors:
        main["about"] = [actor_ld(a, urls, index) for a in actors]
    cited = [{"@type": "CreativeWork", "publisher": {"@type": "Organization", "name": s.publisher},
              **({"url": s.url} if s.url else {}), **({"name": s.title} if s.title else {})}
             for s in article.sources]
    if cited:
        main["citation"] = cited
    if article.corrections:
        texts = index.article_corrections.get(article.slug, ())
        main["correction"] = [{"@type": "CorrectionComment", "datePublished": entry.date.iso(),
                               "url": f"{url}#correction-{number}", "text": plain_text(text)}
                              for number, (entry, text) in enumerate(zip(article.corrections, texts), 1)]
    graph = [main]
    graph += [claim_review_ld(c, url, urls, index) for c in article.claims
              if c.reviewer and c.latest.verdict in ("confirmed", "false")]
    graph += [quote_ld(q, urls, index) for q in article.quotes]
    graph += [event_ld(e, urls, index) for e in events]
    return {"@context": "https://schema.org", "@graph": graph}


def claim_review_ld(claim, article_url: str, urls: Urls, index: SiteIndex) -> dict:
    """A fact-check of a claim with a verdict (confirmed or false) and a reviewer."""
    verdict = claim.latest
    reviewed = {"@type": "Claim", "text": claim.claim}
    authors = [agent for r in claim.asserted_by if r.slug in index.actors
               if (agent := agent_ld(index.actors[r.slug], urls, index))]
    if authors:
        reviewed["author"] = authors
    return {"@type": "ClaimReview", "url": f"{article_url}#claim-{claim.id}", "claimReviewed": claim.claim,
            "datePublished": verdict.date.iso(), "author": {"@type": "Organization", "name": claim.reviewer},
            "reviewRating": {"@type": "Rating", "alternateName": verdict.verdict.capitalize(),
                             "ratingValue": 5 if verdict.verdict == "confirmed" else 1, "bestRating": 5, "worstRating": 1},
            "itemReviewed": reviewed}


def page_ld(kind: str, name: str, url: str, index: SiteIndex, urls: Urls, parts: list | None = None) -> dict:
    site = {"@type": "WebSite", "@id": urls.absolute(), "name": index.config.title, "url": urls.absolute()}
    main = {"@type": kind, "name": name, "url": url, "isPartOf": {"@id": urls.absolute()}}
    if index.config.language:
        main["inLanguage"] = index.config.language
    return {"@context": "https://schema.org", "@graph": [site, main] + (parts or [])}


def _date_parts(date: PartialDate) -> dict:
    parts = {"year": date.year}
    if date.month:
        parts["month"] = date.month
    if date.day:
        parts["day"] = date.day
    if date.moment is not None:
        parts["hour"], parts["minute"] = date.moment.hour, date.moment.minute
    return parts


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dump_json(data) -> str:
    """The data files' JSON: UTF-8 as is, no spaces."""
    return _ENCODER.encode(data)


def _json_object(fields: list[tuple[str, str]], end: str = "") -> str:
    """An object from (name, JSON text) pairs, as dump_json would write it, then end (one
    join: the data files run to tens of megabytes, and each copy counts)."""
    parts = ["{"]
    for number, (name, text) in enumerate(fields):
        parts += [",", dump_json(name), ":", text] if number else [dump_json(name), ":", text]
    parts.append("}" + end)
    return "".join(parts)


def _json_list(texts) -> str:
    return "[" + ",".join(texts) + "]"


def _shown_text(text: str) -> str:
    """A text for the fields TimelineJS reads as HTML, keeps the text of, and writes as HTML
    again (a slide's group and display_date): escaped twice, so that it shows as written."""
    return html.escape(html.escape(text, quote=False), quote=False)


def _slide(event: TimelineEvent, index: SiteIndex, urls: Urls, names: str, page: str, grouped: bool) -> dict:
    """An event's slide. TimelineJS shows its headline and text as HTML, on pages of other
    hosts too: text is escaped and links are absolute (as on page, the event's page of the
    timeline). Its bookmark (#event-<unique_id>) is the event's anchor on that page."""
    text = event.description or ""
    if names:
        text += f"<p>With {names}.</p>"
    links = ", ".join(f'<a href="{urls.absolute(Urls.article(a))}">{html.escape(index.article(a).title)}</a>'
                      for a in event.articles)
    text += f"<p>Read: {links}</p>"
    slide = {"unique_id": event.id, "start_date": _date_parts(event.date),
             "text": {"headline": html.escape(event.title, quote=False), "text": absolute_links(text, urls.absolute(page))},
             "display_date": _shown_text(display_span(event.date, event.end))}
    if event.end:
        slide["end_date"] = _date_parts(event.end)
    if event.place or grouped:
        slide["group"] = _shown_text(event.place or NO_PLACE)
    return slide


def _section(items, entry, extra=None) -> str:
    """The JSON list of entry(item), or of entry(item, extra(item)), for items."""
    return _json_list([dump_json(entry(item, extra(item)) if extra else entry(item)) for item in items])


def timeline_json(index: SiteIndex, urls: Urls, render_names) -> str:
    """Knight Lab TimelineJS's JSON text, ending in a new line: a title slide and one slide
    an event."""
    grouped = any(e.place for e in index.events)
    slides = _section(index.events, lambda e, page: _slide(e, index, urls, render_names(e.actors), page, grouped),
                      lambda e: urls.event(e).partition("#")[0])
    config = index.config
    title = {"unique_id": TITLE_SLIDE,
             "text": {"headline": html.escape(config.title, quote=False),
                      "text": f"<p>{html.escape(config.description, quote=False)}</p>" if config.description else ""}}
    return _json_object([("title", dump_json(title)), ("events", slides)], "\n")


def _actor_entry(a: Actor, urls: Urls) -> dict:
    return {"slug": a.slug, "name": a.name, "kind": a.kind, "role": a.role,
            "affiliations": [r.slug for r in a.affiliations], "aliases": list(a.aliases),
            "links": {label: url for label, url in a.links},
            "url": urls.absolute(Urls.actor(a.slug))}


def _article_entry(a: Article, actors: list[str], urls: Urls) -> dict:
    return {"slug": a.slug, "title": a.title, "date": a.date.iso(),
            "updated": a.updated.iso() if a.updated else None, "summary": a.summary,
            "authors": [r.slug for r in a.authors], "actors": actors,
            "sources": [{"publisher": s.publisher, "url": s.url, "title": s.title,
                         "date": s.date.iso() if s.date else None} for s in a.sources],
            "corrections": [{"date": c.date.iso(), "kind": c.kind, "text": c.text} for c in a.corrections],
            "claims": [{"id": c.id, "claim": c.claim, "asserted_by": [r.slug for r in c.asserted_by],
                        "denied_by": [r.slug for r in c.denied_by],
                        "quotes": [f"{a.slug}-quote-{n}" for n in c.quotes],
                        "sources": [{"publisher": s.publisher, "url": s.url} for s in c.sources],
                        "status": [{"date": s.date.iso(), "verdict": s.verdict, "note": s.note} for s in c.standings],
                        "reviewer": c.reviewer} for c in a.claims],
            "url": urls.absolute(Urls.article(a.slug))}


def _author_entry(a, urls: Urls) -> dict:
    return {"slug": a.slug, "name": a.name, "role": a.role, "bio": a.bio,
            "links": {label: url for label, url in a.links},
            "image": image_url(a.image.src, urls) if a.image else None,
            "url": urls.absolute(Urls.author(a.slug))}


def _event_entry(e: TimelineEvent, url: str) -> dict:
    return {"id": e.id, "date": e.date.iso(), "precision": e.date.precision,
            "end": e.end.iso() if e.end else None, "title": e.title, "place": e.place, "key": e.key,
            "actors": list(e.actors), "articles": list(e.articles), "url": url}


def _quote_entry(q: Quote, urls: Urls) -> dict:
    return {"id": f"{q.article}-{q.anchor}", "speaker": q.speaker.slug, "text": q.text,
            "said": q.said.iso(), "context": q.context, "via": q.via,
            "about": [r.slug for r in q.about], "topics": list(q.topics),
            "paraphrase": q.paraphrase, "language": q.language, "article": q.article,
            "original": q.original, "translated_by": q.translated_by,
            "status": q.status, "status_note": q.status_note,
            "status_source": {"publisher": q.status_source.publisher, "url": q.status_source.url}
            if q.status_source else None,
            "url": urls.absolute(Urls.quote(q))}


def explainer_json(index: SiteIndex, urls: Urls) -> str:
    """data/explainer.json's text, ending in a new line: the site, its actors, authors,
    articles, events and quotes."""
    site = {"title": index.config.title, "url": urls.absolute(), "language": index.config.language}
    actors = _section(index.actors.values(), lambda a: _actor_entry(a, urls))
    authors = _section(index.authors.values(), lambda a: _author_entry(a, urls))
    articles = _section(index.articles, lambda a: _article_entry(a, index.article_actors.get(a.slug, []), urls))
    events = _section(index.events, _event_entry, lambda e: urls.absolute(urls.event(e)))
    quotes = _section(index.quotes, lambda q: _quote_entry(q, urls))
    return _json_object([("site", dump_json(site)), ("actors", actors), ("authors", authors), ("articles", articles),
                         ("events", events), ("quotes", quotes)], "\n")
