"""Jinja templates to pages, each handed to the build's staging folder as soon as it is made."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from html import unescape as html_unescape
from urllib.parse import unquote

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from . import structured
from .dates import MONTHS
from .diagnostics import Diagnostics, Location
from .load import LINK_HINT
from .markup import IMAGE_TAG
from .resolve import SiteIndex
from .structured import Urls
from .theme import OutsideSite, raised_in_template, runtime_location, template_file

SPLIT = 500  # more events (quotes) than this, and the timeline (quote index) gets a page a year (speaker)
PER_PAGE = 50  # quotes, events and articles on each page of an actor
QUOTES_PER_PAGE = 250  # quotes on each page of a speaker, once the quote index is split
ARTICLES_PER_PAGE = 100  # articles on each page of the list of articles
EVENTS_PER_PAGE = 400  # events on each page of a year, once the timeline is split


def _timeline_parts(events) -> list[tuple[str, int, int, int, list]]:
    """The timeline's pages when it is split: (path, year, page number, pages in the year, events)."""
    by_year: dict[int, list] = {}
    for event in events:
        by_year.setdefault(event.date.year, []).append(event)
    parts = []
    for year, items in by_year.items():
        count = (len(items) + EVENTS_PER_PAGE - 1) // EVENTS_PER_PAGE
        for number in range(1, count + 1):
            path = f"timeline/{year}/" + (f"page/{number}/" if number > 1 else "")
            parts.append((path, year, number, count, items[(number - 1) * EVENTS_PER_PAGE: number * EVENTS_PER_PAGE]))
    return parts


def _people(events) -> set[str]:
    """Everyone who takes part in the events: the choices of the timeline's filter."""
    return {slug for event in events for slug in event.actors}


def _timeline_groups(events):
    """[(year, [(month or None, [events])])], year-only events first within their year."""
    years: "OrderedDict[int, OrderedDict]" = OrderedDict()
    for event in events:
        months = years.setdefault(event.date.year, OrderedDict())
        months.setdefault(event.date.month, []).append(event)
    groups = []
    for year, months in years.items():
        ordered = sorted(months.items(), key=lambda item: item[0] or 0)
        groups.append((year, [(m, MONTHS[m - 1] if m else None, evs) for m, evs in ordered]))
    return groups


def _pager(base: str, number: int, count: int) -> dict | None:
    """Links between the pages of a long list: base, base/page/2/, ..."""
    if count <= 1:
        return None

    def path(n: int) -> str:
        return base if n == 1 else f"{base}page/{n}/"

    return {"number": number, "count": count, "pages": [(n, path(n)) for n in range(1, count + 1)],
            "previous": path(number - 1) if number > 1 else None,
            "next": path(number + 1) if number < count else None}


@dataclass
class Facts:
    """What planning works out that pages show. Pages read it, as they read the site, through
    the view they are given (see Pages), so that what a page read of it is known too."""

    event_pages: dict[str, str]  # event id -> its page of the timeline, once the timeline is split
    timeline: dict[str, tuple]  # path -> (year, page number, pages in the year, events), when split
    years: tuple[tuple[int, int], ...]  # (year, events in it), when the timeline is split
    events_of: dict[str, list]  # article slug -> the events it tells
    search: bool  # whether the site has a search page
    paths: tuple[str, ...] = ()  # every page planned, once all are


def _plain(value) -> bool:
    return value is None or isinstance(value, (str, int, float)) or \
        (isinstance(value, tuple) and all(map(_plain, value)))


def _share_here() -> callable:
    """share() for a plan run on its own: each piece made once for the same item."""
    made: dict = {}

    def share(key, item, make):
        found = made.get(key)
        if found is None or found[0] is not item:
            found = made[key] = (item, make())
        return found[1]
    share.clear = made.clear
    return share


class Pages:
    """The plan of the site's pages, and the making of each.

    Everything a page shows is read, while it is made, from self.index, self.facts and the
    templates, never from values kept aside when the page was planned: a planned page holds
    its address and plain values only (page() refuses anything else), so that a view that
    watches what pages read (reuse.py) sees all of it. watch(root, value) gives that view
    (by default the value itself); share(key, item, make) makes a piece that many pages show
    (a quote, an event, a card) once for each item."""

    # what every page reads through the globals its templates are given (config, search_enabled)
    EVERYWHERE = (("site", "config"), ("plan", "search"))

    def __init__(self, index: SiteIndex, env: jinja2.Environment, diags: Diagnostics, search: bool = False,
                 watch=None, share=None):
        watch = watch or (lambda root, value: value)
        self.env, self.diags, self.search = env, diags, search
        self.share = share or _share_here()
        self.index = watch("site", index)
        timeline = _timeline_parts(index.events) if len(index.events) > SPLIT else ()
        years = {}
        for path, year, number, count, events in timeline:
            years[year] = years.get(year, 0) + len(events)
        events_of: dict[str, list] = {}
        for event in index.events:
            for slug in event.articles:
                events_of.setdefault(slug, []).append(event)
        self._facts = Facts(event_pages={e.id: part[0] for part in timeline for e in part[4]},
                            timeline={part[0]: part[1:] for part in timeline},
                            years=tuple(years.items()), events_of=events_of, search=search)
        self.facts = watch("plan", self._facts)
        self.urls = Urls(index.config.prefix, index.config.origin, self.facts.event_pages)
        self.plan: list[tuple[str, object]] = []  # (path, make), make() -> the page's bytes or None
        self._first: list[str] = []
        self._claimed: set[str] = set()  # every path planned
        env.globals.update(self.common())

    def names(self, slugs) -> Markup:
        """Actor links for a list of slugs: 'A, B and C'."""
        actors, prefix = self.index.actors, self.urls.prefix
        links = [f'<a href="{escape(prefix)}actors/{s}/">{escape(actors[s].name)}</a>' for s in slugs if s in actors]
        if len(links) <= 1:
            return Markup("".join(links))
        return Markup(", ".join(links[:-1]) + " and " + links[-1])

    def common(self) -> dict:
        urls, index = self.urls, self.index
        return {
            "site": index,
            "config": index.config,
            "url": urls.path,
            "abs_url": urls.absolute,
            "article_url": lambda slug: urls.path(Urls.article(slug)),
            "actor_url": lambda slug: urls.path(Urls.actor(slug)),
            "quote_url": lambda quote: urls.path(Urls.quote(quote)),
            "event_url": lambda event: urls.path(urls.event(event)),
            "names": self.names,
            "actor_for": index.actors.get,
            "search_enabled": self.facts.search,
            "event_item": self.event_item,
            "quote_item": self.quote_item,
            "article_item": self.article_item,
            "actor_card": self.actor_card,
            "time_tag": self.time_tag,
            "image_url": lambda src: structured.image_url(src, urls),
            "image_size": self.image_size,
            "plain_summary": self.plain_summary,
            "feed_html": self.feed_html,
            "title_slide": structured.TITLE_SLIDE,
        }

    def image_size(self, src: str) -> Markup:
        """' width="W" height="H"' for a media image whose size is known, so the page does not
        shift as it loads; nothing for another."""
        size = self.index.image_sizes.get(src)
        return Markup(' width="%d" height="%d"') % size if size else Markup("")

    def sized(self, html: str) -> str:
        """An article's HTML with the size written into each of its media images (whose
        addresses markup made the site's)."""
        if "<img" not in html:
            return html
        media = f'src="{escape(self.index.config.prefix)}media/'

        def size(match) -> str:
            tag = match.group(0)
            at = tag.find(media)
            if at < 0 or " width=" in tag or " height=" in tag:
                return tag
            src = "media/" + unquote(html_unescape(tag[at + len(media):tag.index('"', at + len(media))]))
            return tag[:4] + str(self.image_size(src)) + tag[4:]

        return IMAGE_TAG.sub(size, html)

    def plain_summary(self, article) -> str | None:
        """The article's summary as plain text: for the feed, meta tags and JSON-LD."""
        summary = self.index.article_summaries.get(article.slug)
        return structured.plain_text(summary) if summary else None

    def feed_html(self, article) -> str:
        """The article's body for the feed: links absolute (a reader resolves relative ones
        against the feed), and no ids, which repeat from one article to the next."""
        return structured.absolute_links(self.index.bodies[article.slug],
                                         self.urls.absolute(Urls.article(article.slug)), ids=False)

    def _fragment(self, macro: str, item, options: dict) -> Markup:
        """A macro of _macros.html for item, made once for the item and options in a build."""
        settings = tuple(sorted((name, type(value).__name__, value) for name, value in options.items()))
        return self.share((macro, id(item), settings), item,
                          lambda: getattr(self.env.get_template("_macros.html").module, macro)(item, **options))

    def event_item(self, event, **options) -> Markup:
        return self._fragment("event_item", event, options)

    def quote_item(self, quote, **options) -> Markup:
        return self._fragment("quote_item", quote, options)

    def article_item(self, article, **options) -> Markup:
        return self._fragment("article_item", article, options)

    def actor_card(self, actor) -> Markup:
        return self._fragment("actor_card", actor, {})

    @staticmethod
    def time_tag(date) -> Markup:
        """A date as <time>, with the precision it has ("March 2022")."""
        return Markup('<time datetime="{}">{}</time>').format(date.iso(), date.display())

    def page(self, path: str, template: str, context=dict) -> None:
        """Plan a page: template rendered with context(), which reads what it shows then."""
        kept = (*(c.cell_contents for c in getattr(context, "__closure__", None) or ()),
                *(getattr(context, "__defaults__", None) or ()))
        for value in kept:
            if value is not self and not _plain(value):
                raise TypeError(f"the plan of {path} keeps a {type(value).__name__}: a page reads what it "
                                "shows from self.index and self.facts as it is made, and keeps only plain values")
        self._claim(path, lambda: self._render(path, template, **context()))

    def data(self, path: str, make) -> None:
        """Plan a JSON file whose text (with its final new line) make() returns."""
        self._claim(path, lambda: make().encode("utf-8"))

    def constant(self, path: str, data: bytes) -> None:
        self._claim(path, lambda: data)

    def _claim(self, path: str, make) -> None:
        """Plan the file at path, which no other page of the plan may claim: one would
        silently take the other's place."""
        if path in self._claimed:
            raise ValueError(f"two pages of the plan claim {path}")
        self._claimed.add(path)
        self.plan.append((path, make))

    def _render(self, path: str, template: str, **context) -> bytes | None:
        if callable(context.get("ld")):
            context["ld"] = context["ld"]()
        try:
            text = self.env.get_template(template).render(page_path=path, **context)
        except jinja2.TemplateSyntaxError as exc:
            self.diags.error(Location(template_file(exc.filename, exc.name), exc.lineno or 0),
                             f"template error: {exc.message}", "fix the template's syntax")
            return None
        except OutsideSite as exc:
            self.diags.error(Location(f"templates/{exc.name}"), str(exc), LINK_HINT)
            return None
        except jinja2.TemplateNotFound as exc:
            self.diags.error(Location(f"templates/{template}"), f"template '{exc.name}' is missing",
                             "restore it, or remove the override that includes it")
            return None
        except (jinja2.UndefinedError, TypeError, ValueError, KeyError, AttributeError) as exc:
            self.diags.error(runtime_location(exc, template), f"template error while rendering {path}: {exc}",
                             "check the names the template uses against the default theme's")
            return None
        except jinja2.sandbox.SecurityError as exc:
            changes = any(f"'{name}'" in str(exc) for name in ("append", "extend", "insert", "pop", "remove",
                                                                "update", "clear", "add", "setdefault"))
            self.diags.error(runtime_location(exc, template), f"template error while rendering {path}: {exc}",
                             "a template may not change the lists and mappings it is given or makes: "
                             "collect values in a namespace instead, {% set ns = namespace(items=[]) %} ... "
                             "{% set ns.items = ns.items + [item] %}" if changes else
                             "a template may use the values it is given, not Python's internals")
            return None
        except Exception as exc:  # noqa: BLE001 - raised by the template's own code, its mistake
            if not raised_in_template(exc):
                raise  # a bug of the generator's, not the template's
            self.diags.error(runtime_location(exc, template),
                             f"template error while rendering {path}: {type(exc).__name__}: {exc}",
                             "fix the expression at this line of the template")
            return None
        return text.encode("utf-8")

    def plan_first(self, paths) -> list:
        """The pages at paths, as (path, make), when they can be planned without the rest of
        the site (articles' pages can), or none. For the pages open in the preview."""
        slugs = []
        for path in paths:
            slug = path[len("articles/"):-len("/index.html")] if path.startswith("articles/") else ""
            if "/" in slug or not self.index.published(slug) or self.urls.article(slug) + "index.html" != path:
                return []
            slugs.append(slug)
        for slug in slugs:
            self._article_page(slug)
        first, self.plan = self.plan, []
        self._first = [path for path, _ in first]
        return first

    def plan_rest(self) -> list:
        """Every page, as (path, make), but those plan_first gave."""
        self.build(set(self._first))
        self._facts.paths = (*self._first, *(path for path, _ in self.plan))
        return self.plan

    def _article_page(self, slug: str) -> None:
        def context():
            index, urls = self.index, self.urls
            article, events = index.article(slug), self.facts.events_of.get(slug, [])
            return dict(article=article, body=Markup(self.sized(index.bodies[slug])), events=events,
                        ld=structured.article_ld(article, urls, index, events))
        self.page(self.urls.article(slug) + "index.html", "article.html", context)

    def build(self, planned=frozenset()) -> None:
        """Plan every page of the site but those at the paths planned already."""
        index = self.index
        self.page("index.html", "index.html", lambda: dict(
            key_actors=self._key_actors(),
            ld=structured.page_ld("WebPage", self.index.config.title, self.urls.absolute(), self.index, self.urls)))
        count = max(1, (len(index.articles) + ARTICLES_PER_PAGE - 1) // ARTICLES_PER_PAGE)
        for number in range(1, count + 1):
            path = "articles/" + (f"page/{number}/" if number > 1 else "")
            self.page(path + "index.html", "articles.html", lambda p=path, n=number: dict(
                articles=self.index.articles[(n - 1) * ARTICLES_PER_PAGE: n * ARTICLES_PER_PAGE],
                pager=_pager("articles/", n, max(1, -(-len(self.index.articles) // ARTICLES_PER_PAGE))),
                ld=structured.page_ld("CollectionPage", "Articles", self.urls.absolute(p), self.index, self.urls)))
        for article in index.articles:
            if self.urls.article(article.slug) + "index.html" not in planned:
                self._article_page(article.slug)
        self.page("actors/index.html", "actors.html", lambda: dict(
            ld=structured.page_ld("CollectionPage", "Who is who", self.urls.absolute("actors/"), self.index,
                                  self.urls, [structured.actor_ld(a, self.urls, self.index)
                                              for a in self.index.actors.values()])))
        for actor in index.actors.values():
            self._actor_pages(actor.slug)
        self._timeline_pages()
        self._quote_pages()
        if self.search:
            self.page("search/index.html", "search.html", lambda: dict(
                ld=structured.page_ld("SearchResultsPage", "Search", self.urls.absolute("search/"),
                                      self.index, self.urls)))
        self.page("404.html", "404.html", lambda: dict(
            ld=structured.page_ld("WebPage", "Page not found", self.urls.absolute("404.html"), self.index, self.urls)))
        self.page("feed.xml", "feed.xml", lambda: dict(updated=self._updated()))
        self.page("sitemap.xml", "sitemap.xml", lambda: dict(pages=self._sitemap()))
        self.page("robots.txt", "robots.txt")
        self.constant(".nojekyll", b"")
        if index.config.cname:
            self.constant("CNAME", (index.config.cname + "\n").encode())
        self.data("data/explainer.json", lambda: structured.explainer_json(self.index, self.urls))
        self.data("data/timeline.json", lambda: structured.timeline_json(
            self.index, self.urls, lambda slugs: str(self.names(slugs))))

    def _lists(self, slug: str) -> tuple[list, list, list]:
        index = self.index
        return (index.quotes_by_speaker.get(slug, []), index.events_by_actor.get(slug, []),
                index.articles_by_actor.get(slug, []))

    def _actor_pages(self, slug: str) -> None:
        """An actor's page; an actor with long lists gets more pages (page/2/ ...), each
        with the next PER_PAGE of their quotes, events and articles."""
        count = max(1, *((len(items) + PER_PAGE - 1) // PER_PAGE for items in self._lists(slug)))
        for number in range(1, count + 1):
            path = self.urls.actor(slug) + (f"page/{number}/" if number > 1 else "") + "index.html"
            self.page(path, "actor.html", lambda n=number: self._actor_context(slug, n))

    def _actor_context(self, slug: str, number: int) -> dict:
        lists = self._lists(slug)
        count = max(1, *((len(items) + PER_PAGE - 1) // PER_PAGE for items in lists))
        part = slice((number - 1) * PER_PAGE, number * PER_PAGE)
        actor = self.index.actors[slug]
        return dict(actor=actor, quotes=lists[0][part], events=lists[1][part], articles=lists[2][part],
                    totals=[len(items) for items in lists], pager=_pager(f"actors/{slug}/", number, count),
                    ld=self._actor_ld(actor, lists[0][part]))

    def _timeline_pages(self) -> None:
        if not self._facts.timeline:
            self.page("timeline/index.html", "timeline.html", lambda: dict(
                groups=_timeline_groups(self.index.events), years=None, year=None, pager=None,
                people=_people(self.index.events),
                ld=structured.page_ld("CollectionPage", "Timeline", self.urls.absolute("timeline/"), self.index,
                                      self.urls, [structured.event_ld(e, self.urls, self.index)
                                                  for e in self.index.events])))
            return
        self.page("timeline/index.html", "timeline-years.html", lambda: dict(
            years=list(self.facts.years), latest=self.index.events[-10:][::-1],
            ld=structured.page_ld("CollectionPage", "Timeline", self.urls.absolute("timeline/"),
                                  self.index, self.urls)))
        for path in self._facts.timeline:
            self.page(path + "index.html", "timeline.html", lambda p=path: self._year_context(p))

    def _year_context(self, path: str) -> dict:
        year, number, count, events = self.facts.timeline[path]
        return dict(groups=_timeline_groups(events), years=list(self.facts.years), year=year,
                    pager=_pager(f"timeline/{year}/", number, count), people=_people(events),
                    ld=structured.page_ld("CollectionPage", f"Timeline: {year}", self.urls.absolute(path),
                                          self.index, self.urls,
                                          [structured.event_ld(event, self.urls, self.index) for event in events]))

    def _speakers(self) -> list:
        index = self.index
        return [index.actors[s] for s in index.actors if s in index.quotes_by_speaker]

    def _quote_pages(self) -> None:
        index = self.index
        if len(index.quotes) <= SPLIT:
            self.page("quotes/index.html", "quotes.html", lambda: dict(
                speakers=self._speakers(), quotes_of=self.index.quotes_by_speaker, pager=None, speaker=None,
                ld=structured.page_ld("CollectionPage", "Who said what", self.urls.absolute("quotes/"), self.index,
                                      self.urls, [structured.quote_ld(q, self.urls, self.index)
                                                  for q in self.index.quotes])))
            return
        self.page("quotes/index.html", "quotes-speakers.html", lambda: dict(
            speakers=self._speakers(), latest=self.index.quotes[-10:][::-1],
            ld=structured.page_ld("CollectionPage", "Who said what", self.urls.absolute("quotes/"),
                                  self.index, self.urls)))
        for slug in index.actors:
            quotes = index.quotes_by_speaker.get(slug)
            if not quotes:
                continue
            count = (len(quotes) + QUOTES_PER_PAGE - 1) // QUOTES_PER_PAGE
            for number in range(1, count + 1):
                path = f"quotes/{slug}/" + (f"page/{number}/" if number > 1 else "") + "index.html"
                self.page(path, "quotes.html", lambda s=slug, n=number: self._speaker_context(s, n))

    def _speaker_context(self, slug: str, number: int) -> dict:
        index = self.index
        speaker, quotes = index.actors[slug], index.quotes_by_speaker[slug]
        count = (len(quotes) + QUOTES_PER_PAGE - 1) // QUOTES_PER_PAGE
        part = quotes[(number - 1) * QUOTES_PER_PAGE: number * QUOTES_PER_PAGE]
        return dict(speakers=[speaker], quotes_of={slug: part}, speaker=speaker,
                    pager=_pager(f"quotes/{slug}/", number, count),
                    ld=structured.page_ld("CollectionPage", f"Who said what: {speaker.name}",
                                          self.urls.absolute(f"quotes/{slug}/"), index, self.urls,
                                          [structured.quote_ld(quote, self.urls, index) for quote in part]))

    def _actor_ld(self, actor, quotes=None) -> dict:
        index, urls = self.index, self.urls
        return {"@context": "https://schema.org",
                "@graph": [{"@type": "ProfilePage", "url": urls.absolute(Urls.actor(actor.slug)),
                            "mainEntity": {"@id": urls.absolute(Urls.actor(actor.slug))}},
                           structured.actor_ld(actor, urls, index, full=True)]
                + [structured.quote_ld(q, urls, index)
                   for q in (index.quotes_by_speaker.get(actor.slug, []) if quotes is None else quotes)]}

    def _key_actors(self):
        index = self.index
        quotes, articles, events = index.quotes_by_speaker, index.articles_by_actor, index.events_by_actor
        score = {s: 3 * len(quotes.get(s, [])) + 2 * len(articles.get(s, [])) + len(events.get(s, []))
                 for s in index.actors}
        ranked = sorted(index.actors.values(), key=lambda a: (-score[a.slug], a.name.casefold(), a.slug))
        return [a for a in ranked if score[a.slug]][:8]

    def _updated(self):
        stamps = [(a.updated or a.date).as_datetime() for a in self.index.articles]
        return max(stamps).isoformat() if stamps else "1970-01-01T00:00:00+00:00"

    def _sitemap(self) -> list[tuple[str, str | None]]:
        index = self.index
        pages = [("", None), ("articles/", None), ("actors/", None), ("timeline/", None), ("quotes/", None)]
        pages += [(Urls.article(a.slug), (a.updated or a.date).iso()) for a in index.articles]
        pages += [(Urls.actor(s), None) for s in index.actors]
        known = {p for p, _ in pages}
        known.add("search/")  # search results are not for search engines
        pages += [(path[:-len("index.html")], None) for path in self.facts.paths
                  if path.endswith("/index.html") and path[:-len("index.html")] not in known]
        return [(self.urls.absolute(p), lastmod) for p, lastmod in pages]


class Superseded(Exception):
    """A build given up because a newer one is due."""
