"""The plan of a site's pages: which pages there are, at which paths, how long lists are
split into pages, and what each page's template is given. Rendering them is render.py's."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from html import unescape as html_unescape
from typing import Callable
from urllib.parse import unquote

from markupsafe import Markup, escape

from . import cms, graph, structured, urls
from .dates import MONTHS
from .markup import IMAGE_TAG
from .resolve import SiteIndex
from .urls import Claims, Urls, pager

SPLIT = 500  # more events (quotes) than this, and the timeline (quote index) gets a page a year (speaker)
PER_PAGE = 50  # quotes, events and articles on each page of an actor
QUOTES_PER_PAGE = 250  # quotes on each page of a speaker, once the quote index is split
ARTICLES_PER_PAGE = 100  # articles on each page of the list of articles
EVENTS_PER_PAGE = 400  # events on each page of a year, once the timeline is split
SIDES = 4  # sides side by side on a page of what each side said about an actor, the most quoted
PER_SIDE = 8  # the latest quotes of each side there
COMPARED_LISTED = 12  # such pages listed on the quote index
FEED_ENTRIES = 20  # articles in an actor's or an author's feed, the newest


def _pages_for(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def _timeline_parts(events) -> list[tuple[str, int, int, int, list]]:
    """The timeline's pages when it is split: (address, year, page number, pages in the year, events)."""
    by_year: dict[int, list] = {}
    for event in events:
        by_year.setdefault(event.date.year, []).append(event)
    parts = []
    for year, items in by_year.items():
        count = _pages_for(len(items), EVENTS_PER_PAGE)
        for number in range(1, count + 1):
            parts.append((urls.paged(urls.year(year), number), year, number, count,
                          items[(number - 1) * EVENTS_PER_PAGE: number * EVENTS_PER_PAGE]))
    return parts


def _people(events) -> set[str]:
    """Everyone who takes part in the events: the choices of the timeline's filter."""
    return {slug for event in events for slug in event.actors}


def _claimants(claims) -> set[str]:
    """Everyone who asserts or denies the claims: on the timeline's filter too."""
    return {ref.slug for claim in claims for ref in (*claim.asserted_by, *claim.denied_by)}


@dataclass(frozen=True)
class ClaimChange:
    """One dated standing of a claim, as the timeline shows it beside the events: the
    claim's number-th standing (1 for the first), and the one before it."""

    date: object  # a PartialDate
    claim: object  # a model.Claim
    number: int
    before: object = None  # the standing before, if any

    @property
    def standing(self):
        return self.claim.standings[self.number - 1]

    def order(self) -> str:
        """Its place in time among the events: after every event of its day (or moment)."""
        return self.date.sort_key() + "~"


def claim_changes(claims) -> list[ClaimChange]:
    """Every dated standing of the claims, in the order of time."""
    changes = [ClaimChange(s.date, claim, n, claim.standings[n - 2] if n > 1 else None)
               for claim in claims for n, s in enumerate(claim.standings, 1)]
    changes.sort(key=ClaimChange.order)
    return changes


def _timeline_groups(events, changes=()):
    """[(year, [(month or None, [events and claim changes])])], year-only ones first within
    their year; a claim's change after the events of its day."""
    years: "OrderedDict[int, OrderedDict]" = OrderedDict()
    items = sorted([*events, *changes], key=lambda item: item.order() if isinstance(item, ClaimChange)
                   else item.date.sort_key()) if changes else events
    for event in items:
        months = years.setdefault(event.date.year, OrderedDict())
        months.setdefault(event.date.month, []).append(event)
    groups = []
    for year, months in sorted(years.items()):
        ordered = sorted(months.items(), key=lambda item: item[0] or 0)
        groups.append((year, [(m, MONTHS[m - 1] if m else None, evs) for m, evs in ordered]))
    return groups


@dataclass
class Facts:
    """What planning works out that pages show. Pages read it, as they read the site, through
    the view they are given (see Plan), so that what a page read of it is known too."""

    event_pages: dict[str, str]  # event id -> its page of the timeline, once the timeline is split
    timeline: dict[str, tuple]  # address -> (year, page number, pages in the year, events), when split
    years: tuple[tuple[int, int], ...]  # (year, events in it), when the timeline is split
    events_of: dict[str, list]  # article slug -> the events it tells
    search: bool  # whether the site has a search page
    paths: tuple[str, ...] = ()  # every page planned, once all are


@dataclass(frozen=True)
class Page:
    """A page of the plan: template rendered with context(), which reads what the page shows
    when it is called."""

    path: str
    template: str
    context: Callable[[], dict]


@dataclass(frozen=True)
class File:
    """A file of the plan that no template makes: make() gives its bytes."""

    path: str
    make: Callable[[], bytes]


def _plain(value) -> bool:
    return value is None or isinstance(value, (str, int, float)) or \
        (isinstance(value, tuple) and all(map(_plain, value)))


def event_facts(events) -> dict:
    """The facts of a plan that come of the events alone (see Facts)."""
    parts = _timeline_parts(events) if len(events) > SPLIT else ()
    years = {}
    for _, year, _, _, items in parts:
        years[year] = years.get(year, 0) + len(items)
    events_of: dict[str, list] = {}
    for event in events:
        for slug in event.articles:
            events_of.setdefault(slug, []).append(event)
    return dict(event_pages={e.id: part[0] for part in parts for e in part[4]},
                timeline={part[0]: part[1:] for part in parts}, years=tuple(years.items()), events_of=events_of)


class Plan:
    """The pages of a site, in the order they are planned.

    Everything a page shows is read, while its context is made, from self.index and
    self.facts, never from values kept aside when the page was planned: a planned page holds
    its address and plain values only (page() refuses anything else), so that a view that
    watches what pages read (reuse.py) sees all of it. watch(root, value) gives that view
    (by default the value itself)."""

    def __init__(self, index: SiteIndex, search: bool = False, watch=None, taken=(), facts=None):
        """facts: event_facts(index.events), when the caller has it."""
        watch = watch or (lambda root, value: value)
        self.search = search
        self.index = watch("site", index)
        self._facts = Facts(**(facts or event_facts(index.events)), search=search)
        self.facts = watch("plan", self._facts)
        self.urls = Urls(index.config.prefix, index.config.origin, self.facts.event_pages)
        self.entries: list[Page | File] = []
        self._first: list[str] = []
        self._claims = Claims(taken)

    # The making of a plan.

    def page(self, address: str, template: str, context=dict) -> None:
        """Plan the page at address (its file, for one that is not a folder's index)."""
        path = urls.file(address)
        kept = (*(c.cell_contents for c in getattr(context, "__closure__", None) or ()),
                *(getattr(context, "__defaults__", None) or ()))
        for value in kept:
            if value is not self and not _plain(value):
                raise TypeError(f"the plan of {path} keeps a {type(value).__name__}: a page reads what it "
                                "shows from self.index and self.facts as it is made, and keeps only plain values")
        self._claims.claim(path)
        self.entries.append(Page(path, template, context))

    def data(self, path: str, make) -> None:
        """Plan a file whose text (with its final new line) make() returns."""
        self._claims.claim(path)
        self.entries.append(File(path, lambda: make().encode("utf-8")))

    def constant(self, path: str, data: bytes) -> None:
        self._claims.claim(path)
        self.entries.append(File(path, lambda: data))

    def first(self, paths) -> list[Page | File]:
        """The pages at paths, when they can be planned without the rest of the site (articles'
        pages can), or none. For the pages open in the preview."""
        slugs = []
        for path in paths:
            address = urls.page_address(path)
            slug = address[len(urls.ARTICLES):-1] if address and address.startswith(urls.ARTICLES) else ""
            if not slug or "/" in slug or not self.index.published(slug) or urls.article(slug) != address:
                return []
            slugs.append(slug)
        for slug in slugs:
            self._article_page(slug)
        first, self.entries = self.entries, []
        self._first = [entry.path for entry in first]
        return first

    def rest(self) -> list[Page | File]:
        """Every page but those first() gave."""
        self.build(set(self._first))
        self._facts.paths = (*self._first, *(entry.path for entry in self.entries))
        return self.entries

    def build(self, planned=frozenset()) -> None:
        """Plan every page of the site but those at the paths planned already."""
        index, search = self.index, self.search
        self.page(urls.HOME, "index.html", lambda: dict(
            key_actors=self._key_actors(), ld=self._collection("WebPage", self.index.config.title, urls.HOME)))
        count = _pages_for(len(index.articles), ARTICLES_PER_PAGE)
        for number in range(1, count + 1):
            self.page(urls.paged(urls.ARTICLES, number), "articles.html",
                      lambda n=number: self._articles_context(n))
        for article in index.articles:
            if urls.file(urls.article(article.slug)) not in planned:
                self._article_page(article.slug)
        self.page(urls.ACTORS, "actors.html", lambda: dict(
            graph=graph.whole(self.index), tall_graph=graph.whole(self.index, *graph.TALL),
            ld=self._collection("CollectionPage", "Who is who", urls.ACTORS,
                                [structured.actor_ld(a, self.urls, self.index) for a in self.index.actors.values()])))
        for actor in index.actors.values():
            self._actor_pages(actor.slug)
        if index.authors:
            self.page(urls.AUTHORS, "authors.html", lambda: dict(
                ld=self._collection("CollectionPage", "Authors", urls.AUTHORS,
                                    [structured.author_ld(a, self.urls) for a in self.index.authors.values()])))
        for author in index.authors.values():
            self._author_pages(author.slug)
        self._timeline_pages()
        self._quote_pages()
        if search:
            self.page(urls.SEARCH, "search.html", lambda: dict(
                ld=self._collection("SearchResultsPage", "Search", urls.SEARCH)))
        self.page("404.html", "404.html", lambda: dict(ld=self._collection("WebPage", "Page not found", "404.html")))
        self.page("feed.xml", "feed.xml", lambda: dict(updated=self._updated()))
        if index.claims:
            self.page(urls.CLAIMS, "claims.html", lambda: dict(
                ld=self._collection("CollectionPage", "What we know, and what we don’t", urls.CLAIMS)))
        if any(article.corrections for article in index.articles):
            self.page(urls.CORRECTIONS, "corrections.html", lambda: dict(
                entries=self._corrections(),
                ld=self._collection("CollectionPage", "Corrections and updates", urls.CORRECTIONS)))
            self.page(urls.CORRECTIONS + "feed.xml", "corrections-feed.xml", lambda: dict(entries=self._corrections()[:50]))
        self.page("sitemap.xml", "sitemap.xml", lambda: dict(pages=self._sitemap()))
        self.page("robots.txt", "robots.txt")
        self.constant(".nojekyll", b"")
        if index.config.cname:
            self.constant("CNAME", (index.config.cname + "\n").encode())
        if index.config.admin:  # the content manager's page and configuration (its script is copied)
            self.constant(f"{cms.FOLDER}/index.html", cms.page(index.config))
            self.data(f"{cms.FOLDER}/config.yml", lambda: cms.config_yml(self.index.config))
        self.data("data/explainer.json", lambda: structured.explainer_json(self.index, self.urls))
        self.data("data/timeline.json", lambda: structured.timeline_json(
            self.index, self.urls, lambda slugs: str(names(self.index, self.urls, slugs))))

    # What each page is given.

    def _collection(self, kind: str, name: str, address: str, parts: list | None = None) -> dict:
        return structured.page_ld(kind, name, self.urls.absolute(address), self.index, self.urls, parts)

    def _articles_context(self, number: int) -> dict:
        articles = self.index.articles
        return dict(articles=articles[(number - 1) * ARTICLES_PER_PAGE: number * ARTICLES_PER_PAGE],
                    pager=pager(urls.ARTICLES, number, _pages_for(len(articles), ARTICLES_PER_PAGE)),
                    ld=self._collection("CollectionPage", "Articles", urls.paged(urls.ARTICLES, number)))

    def _article_page(self, slug: str) -> None:
        def context():
            index = self.index
            article, events = index.article(slug), self.facts.events_of.get(slug, [])
            return dict(article=article, body=Markup(sized(index, index.bodies[slug])), events=events,
                        ld=structured.article_ld(article, self.urls, index, events))
        self.page(urls.article(slug), "article.html", context)

    def _lists(self, slug: str) -> tuple[list, list, list]:
        index = self.index
        return (index.quotes_by_speaker.get(slug, []), index.events_by_actor.get(slug, []),
                index.articles_by_actor.get(slug, []))

    def _actor_pages(self, slug: str) -> None:
        """An actor's page; an actor with long lists gets more pages (page/2/ ...), each
        with the next PER_PAGE of their quotes, events and articles."""
        count = max(_pages_for(len(items), PER_PAGE) for items in self._lists(slug))
        for number in range(1, count + 1):
            self.page(urls.paged(urls.actor(slug), number), "actor.html",
                      lambda n=number: self._actor_context(slug, n))
        if self.index.articles_by_actor.get(slug):  # the articles they appear in, as a feed
            self.page(urls.actor_feed(slug), "actor-feed.xml", lambda: self._feed_context(slug))

    def _actor_context(self, slug: str, number: int) -> dict:
        lists = self._lists(slug)
        count = max(_pages_for(len(items), PER_PAGE) for items in lists)
        part = slice((number - 1) * PER_PAGE, number * PER_PAGE)
        actor = self.index.actors[slug]
        wrongly = [quote for quote in self.index.attributed.get(slug, ()) if quote.misattributed]
        return dict(actor=actor, quotes=lists[0][part], events=lists[1][part], articles=lists[2][part],
                    wrongly=wrongly if number == 1 else [],
                    totals=[len(items) for items in lists], pager=pager(urls.actor(slug), number, count),
                    neighbourhood=graph.around(self.index, slug) if number == 1 else None,
                    ld=self._actor_ld(actor, lists[0][part]))

    def _author_pages(self, slug: str) -> None:
        """An author's page, with their articles, newest first (ARTICLES_PER_PAGE a page),
        and the feed of them."""
        count = _pages_for(len(self.index.articles_by_author.get(slug, ())), ARTICLES_PER_PAGE)
        for number in range(1, count + 1):
            self.page(urls.paged(urls.author(slug), number), "author.html",
                      lambda n=number: self._author_context(slug, n))
        if self.index.articles_by_author.get(slug):
            self.page(urls.author_feed(slug), "author-feed.xml", lambda: self._author_feed_context(slug))

    def _author_context(self, slug: str, number: int) -> dict:
        index, links = self.index, self.urls
        author, articles = index.authors[slug], index.articles_by_author.get(slug, [])
        address = urls.author(slug)
        ld = {"@context": "https://schema.org",
              "@graph": [{"@type": "ProfilePage", "url": links.absolute(urls.paged(address, number)),
                          "mainEntity": {"@id": links.absolute(address)}},
                         structured.author_ld(author, links, full=True)]}
        return dict(author=author, articles=articles[(number - 1) * ARTICLES_PER_PAGE: number * ARTICLES_PER_PAGE],
                    total=len(articles), ld=ld,
                    pager=pager(address, number, _pages_for(len(articles), ARTICLES_PER_PAGE)))

    def _author_feed_context(self, slug: str) -> dict:
        articles = self.index.articles_by_author[slug][:FEED_ENTRIES]
        return dict(author=self.index.authors[slug], articles=articles, updated=self._updated(articles))

    def _timeline_pages(self) -> None:
        if not self._facts.timeline:
            self.page(urls.TIMELINE, "timeline.html", lambda: dict(
                groups=_timeline_groups(self.index.events, claim_changes(self.index.claims)), years=None,
                year=None, pager=None, people=_people(self.index.events) | _claimants(self.index.claims),
                ld=self._collection("CollectionPage", "Timeline", urls.TIMELINE,
                                    [structured.event_ld(e, self.urls, self.index) for e in self.index.events])))
            return
        self.page(urls.TIMELINE, "timeline-years.html", lambda: dict(
            years=list(self.facts.years), latest=self.index.events[-10:][::-1],
            ld=self._collection("CollectionPage", "Timeline", urls.TIMELINE)))
        for address in self._facts.timeline:
            self.page(address, "timeline.html", lambda a=address: self._year_context(a))

    def _year_context(self, address: str) -> dict:
        year, number, count, events = self.facts.timeline[address]
        changes = [change for change in claim_changes(self.index.claims) if self._page_of(change) == address]
        claims = [change.claim for change in changes]
        return dict(groups=_timeline_groups(events, changes), years=list(self.facts.years), year=year,
                    pager=pager(urls.year(year), number, count), people=_people(events) | _claimants(claims),
                    ld=self._collection("CollectionPage", f"Timeline: {year}", address,
                                        [structured.event_ld(event, self.urls, self.index) for event in events]))

    def _page_of(self, change: ClaimChange) -> str:
        """The page of a split timeline that shows a claim's change: of the pages of its year
        (or, in a year without events, of all), the last whose events begin before it, or
        the first."""
        parts = [(address, part) for address, part in self.facts.timeline.items() if part[0] == change.date.year] \
            or list(self.facts.timeline.items())
        chosen = parts[0][0]
        for address, part in parts:
            if part[3][0].date.sort_key() <= change.order():
                chosen = address
        return chosen

    def _speakers(self) -> list:
        index = self.index
        return [index.actors[s] for s in index.actors if s in index.attributed]

    def _quote_pages(self) -> None:
        index = self.index
        for subject in index.compared:
            self.page(urls.compared(subject), "quotes-compare.html", lambda s=subject: self._compare_context(s))
        if len(index.quotes) <= SPLIT:
            self.page(urls.QUOTES, "quotes.html", lambda: dict(
                speakers=self._speakers(), quotes_of=self.index.attributed, pager=None, speaker=None,
                compared=self._most_compared(),
                ld=self._collection("CollectionPage", "Who said what", urls.QUOTES,
                                    [structured.quote_ld(q, self.urls, self.index) for q in self.index.quotes])))
            return
        self.page(urls.QUOTES, "quotes-speakers.html", lambda: dict(
            speakers=self._speakers(), latest=self.index.quotes[-10:][::-1], compared=self._most_compared(),
            ld=self._collection("CollectionPage", "Who said what", urls.QUOTES)))
        for slug in index.actors:
            quotes = index.attributed.get(slug)
            if not quotes:
                continue
            for number in range(1, _pages_for(len(quotes), QUOTES_PER_PAGE) + 1):
                self.page(urls.paged(urls.speaker(slug), number), "quotes.html",
                          lambda s=slug, n=number: self._speaker_context(s, n))

    def _most_compared(self) -> list:
        """The actors whom the most quotes from two sides or more are about, for the quote index."""
        compared = self.index.compared
        ranked = sorted(compared, key=lambda s: (-sum(len(q) for _, q in compared[s]), self.index.actors[s].name.casefold(), s))
        return [(slug, compared[slug]) for slug in ranked[:COMPARED_LISTED]]

    def _compare_context(self, slug: str) -> dict:
        index = self.index
        subject = index.actors[slug]
        sides = [(index.actors[side], quotes[-PER_SIDE:], len(quotes)) for side, quotes in index.compared[slug][:SIDES]]
        title = f"What each side said about {subject.name}"
        return dict(subject=subject, sides=sides, more_sides=len(index.compared[slug]) - len(sides),
                    ld=self._collection("CollectionPage", title, urls.compared(slug),
                                        [structured.quote_ld(q, self.urls, index) for _, quotes, _ in sides
                                         for q in quotes]))

    def _speaker_context(self, slug: str, number: int) -> dict:
        index = self.index
        speaker, quotes = index.actors[slug], index.attributed[slug]
        part = quotes[(number - 1) * QUOTES_PER_PAGE: number * QUOTES_PER_PAGE]
        return dict(speakers=[speaker], quotes_of={slug: part}, speaker=speaker, compared=(),
                    pager=pager(urls.speaker(slug), number, _pages_for(len(quotes), QUOTES_PER_PAGE)),
                    ld=self._collection("CollectionPage", f"Who said what: {speaker.name}", urls.speaker(slug),
                                        [structured.quote_ld(quote, self.urls, index) for quote in part]))

    def _actor_ld(self, actor, quotes) -> dict:
        index, links = self.index, self.urls
        return {"@context": "https://schema.org",
                "@graph": [{"@type": "ProfilePage", "url": links.absolute(urls.actor(actor.slug)),
                            "mainEntity": {"@id": links.absolute(urls.actor(actor.slug))}},
                           structured.actor_ld(actor, links, index, full=True)]
                + [structured.quote_ld(q, links, index) for q in quotes]}

    def _key_actors(self):
        index = self.index
        quotes, articles, events = index.quotes_by_speaker, index.articles_by_actor, index.events_by_actor
        score = {s: 3 * len(quotes.get(s, [])) + 2 * len(articles.get(s, [])) + len(events.get(s, []))
                 for s in index.actors}
        ranked = sorted(index.actors.values(), key=lambda a: (-score[a.slug], a.name.casefold(), a.slug))
        return [a for a in ranked if score[a.slug]][:8]

    def _corrections(self) -> list:
        """Every correction and update of the published articles, newest first:
        (article, its number in the article, the entry, its HTML)."""
        index, found = self.index, []
        for article in index.articles:
            texts = index.article_corrections.get(article.slug, ())
            found += [(article, number, entry, text)
                      for number, (entry, text) in enumerate(zip(article.corrections, texts), 1)]
        found.sort(key=lambda item: (item[2].date.sort_key(), item[0].date.sort_key(), item[0].slug, item[1]),
                   reverse=True)
        return found

    def _updated(self, articles=None):
        stamps = [(a.updated or a.date).as_datetime() for a in (self.index.articles if articles is None else articles)]
        return max(stamps).isoformat() if stamps else "1970-01-01T00:00:00+00:00"

    def _feed_context(self, slug: str) -> dict:
        articles = self.index.articles_by_actor[slug][:FEED_ENTRIES]
        return dict(actor=self.index.actors[slug], articles=articles, updated=self._updated(articles))

    def _sitemap(self) -> list[tuple[str, str | None]]:
        index = self.index
        pages = [(address, None) for address in urls.SECTIONS]
        pages += [(urls.article(a.slug), (a.updated or a.date).iso()) for a in index.articles]
        pages += [(urls.actor(s), None) for s in index.actors]
        known = {p for p, _ in pages}
        known.add(urls.SEARCH)  # search results are not for search engines
        known.add(cms.FOLDER + "/")  # nor is the content manager
        for path in self.facts.paths:
            address = urls.page_address(path)
            if address is not None and address not in known:
                pages.append((address, None))
        return [(self.urls.absolute(p), lastmod) for p, lastmod in pages]


def names(index: SiteIndex, links: Urls, slugs) -> Markup:
    """Actor links for a list of slugs: 'A, B and C'."""
    actors = index.actors
    found = [f'<a href="{escape(links.path(urls.actor(s)))}">{escape(actors[s].name)}</a>'
             for s in slugs if s in actors]
    if len(found) <= 1:
        return Markup("".join(found))
    return Markup(", ".join(found[:-1]) + " and " + found[-1])


def image_size(index: SiteIndex, src: str) -> Markup:
    """' width="W" height="H"' for a media image whose size is known, so the page does not
    shift as it loads; nothing for another."""
    size = index.image_sizes.get(src)
    return Markup(' width="%d" height="%d"') % size if size else Markup("")


def sized(index: SiteIndex, html: str) -> str:
    """An article's HTML with the size written into each of its media images (whose addresses
    markup made the site's)."""
    if "<img" not in html:
        return html
    media = f'src="{escape(index.config.prefix)}media/'

    def size(match) -> str:
        tag = match.group(0)
        at = tag.find(media)
        if at < 0 or " width=" in tag or " height=" in tag:
            return tag
        src = "media/" + unquote(html_unescape(tag[at + len(media):tag.index('"', at + len(media))]))
        return tag[:4] + str(image_size(index, src)) + tag[4:]

    return IMAGE_TAG.sub(size, html)
