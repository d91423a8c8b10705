"""Jinja templates to pages, each handed to the build's staging folder as soon as it is made."""

from __future__ import annotations

import functools
from collections import OrderedDict
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
from .resolve import Identical, Reuse, SiteIndex
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


EVERYTHING = object()  # the key of pages that may show anything in the site


def _pager(base: str, number: int, count: int) -> dict | None:
    """Links between the pages of a long list: base, base/page/2/, ..."""
    if count <= 1:
        return None

    def path(n: int) -> str:
        return base if n == 1 else f"{base}page/{n}/"

    return {"number": number, "count": count, "pages": [(n, path(n)) for n in range(1, count + 1)],
            "previous": path(number - 1) if number > 1 else None,
            "next": path(number + 1) if number < count else None}


class PageCache:
    """The digest of each page's bytes with the inputs they were rendered from, for the next
    build.

    Inputs are the model objects themselves, compared with ==, so a page is reused only when
    everything it shows is equal (and output/ still holds it); inputs are not hashed."""

    def __init__(self):
        self.everything: object = None  # the last build's whole-site key
        self.pages: dict[str, tuple[object, bytes]] = {}  # path -> (inputs, digest)
        self.fragments: dict[object, Markup] = {}  # pieces many pages share: quotes, events, cards
        self.json = Reuse()  # the JSON of the data files' entries
        self.inputs = Reuse()  # the inputs of pages and fragments, by the objects they show
        self.theme: object = None
        self.rendered = 0
        self.reused = 0


class Pages:
    def __init__(self, index: SiteIndex, env: jinja2.Environment, diags: Diagnostics, cache: PageCache,
                 theme: tuple, search: bool = False):
        self.index, self.env, self.diags = index, env, diags
        config = index.config
        self.timeline = _timeline_parts(index.events) if len(index.events) > SPLIT else None
        self.urls = Urls(config.prefix, config.origin,
                         {e.id: path for path, _, _, _, events in self.timeline or () for e in events})
        self.plan: list[tuple[str, object, object]] = []  # (path, inputs key, make)
        self.cache = cache
        self.fresh: dict[str, tuple[object, bytes]] = {}
        theme, own_templates = theme
        self.search = search
        self.common_key = (theme, config, search, tuple(sorted(index.image_sizes.items())))
        self.own_templates = own_templates
        if self.cache.theme != self.common_key:
            self.cache.fragments, self.cache.theme = {}, self.common_key
        self.fragments: dict[object, Markup] = {}
        self.by_item: dict[tuple, Markup] = {}
        self.keep_inputs = True  # work out the inputs of pages and fragments, for the next build
        env.globals.update(self.common())

    @functools.cached_property
    def everything(self) -> tuple:
        """Everything a page could show: the key of the pages that list the whole site, and of
        every page when the site has templates of its own, which may show anything. Worked
        out when the first such page is planned to be made, after the pages opened first."""
        index = self.index
        return (self.common_key, tuple(index.articles), tuple(index.actors.values()),
                tuple(index.events), tuple(index.quotes), tuple(index.bodies.items()),
                tuple(index.actor_summaries.items()), tuple(index.article_summaries.items()),
                tuple((k, tuple(v)) for k, v in index.related.items()))

    @functools.cached_property
    def nothing_changed(self) -> bool:
        """Compared once, not once a page: the pages keyed by it are many at scale."""
        return self.cache.everything == self.everything

    def names(self, slugs) -> Markup:
        """Actor links for a list of slugs: 'A, B and C'."""
        actors, prefix = self.index.actors, self.urls.prefix
        links = [f'<a href="{escape(prefix)}actors/{s}/">{escape(actors[s].name)}</a>' for s in slugs if s in actors]
        if len(links) <= 1:
            return Markup("".join(links))
        return Markup(", ".join(links[:-1]) + " and " + links[-1])

    def common(self) -> dict:
        urls = self.urls
        return {
            "site": self.index,
            "config": self.index.config,
            "url": urls.path,
            "abs_url": urls.absolute,
            "article_url": lambda slug: urls.path(Urls.article(slug)),
            "actor_url": lambda slug: urls.path(Urls.actor(slug)),
            "quote_url": lambda quote: urls.path(Urls.quote(quote)),
            "event_url": lambda event: urls.path(urls.event(event)),
            "names": self.names,
            "actor_for": self.index.actors.get,
            "search_enabled": self.search,
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
        if "<img" not in html or not self.index.image_sizes:
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

    def _fragment(self, macro: str, item, inputs, options: dict) -> Markup:
        """A macro of _macros.html for item, rendered once per distinct input and reused
        across pages and builds. Within a build the item itself tells (the model does not
        change while pages are made); across builds, its inputs(item) compared with ==."""
        settings = tuple(sorted(options.items())) if options else ()
        quick = (macro, id(item), settings)
        html = self.by_item.get(quick)
        if html is not None:
            return html
        key = (macro, inputs(item), settings) if self.keep_inputs else None  # no next build to reuse it
        if key is not None:
            html = self.fragments.get(key) or self.cache.fragments.get(key)
        if html is None:
            html = getattr(self.env.get_template("_macros.html").module, macro)(item, **options)
        if key is not None:
            self.fragments[key] = html
        self.by_item[quick] = html
        return html

    def _same(self, kind: str, shown: tuple, make, more=None):
        """The inputs make() works out for the objects shown, as the last build worked them
        out while those are the same objects, the actors are the same (actors_now) and more
        is equal: an article, event or quote object is replaced when it changes (see
        Builder._as_before)."""
        return self.cache.inputs.get(kind, shown, (self.index.actors_now, more), make)

    def _shown(self, items) -> tuple:
        """What a page listing these events or quotes shows of them: as _event_key or
        _quote_key tell, which stay the same while the objects and the actors do."""
        return (self.index.actors_now, Identical(items))

    def _event_key(self, event) -> tuple:
        """What is shown of an event: the event, its actors, the titles of its articles."""
        return self._same("event", (event,), lambda: (
            event, self._actors(event.actors), tuple(self.index.article(a).title for a in event.articles)))

    def _quote_key(self, quote) -> tuple:
        """What is shown of a quote: the quote, its speaker and subjects, its article."""
        return self._same("quote", (quote,), lambda: (
            quote, self.index.actors.get(quote.speaker.slug), self._actors(r.slug for r in quote.about),
            self._card(self.index.article(quote.article))))

    def event_item(self, event, **options) -> Markup:
        return self._fragment("event_item", event, self._event_key, options)

    def quote_item(self, quote, **options) -> Markup:
        return self._fragment("quote_item", quote, self._quote_key, options)

    def article_item(self, article, **options) -> Markup:
        return self._fragment("article_item", article, self._card, options)

    def actor_card(self, actor) -> Markup:
        return self._fragment("actor_card", actor, lambda a: a, {})

    @staticmethod
    def time_tag(date) -> Markup:
        """A date as <time>, with the precision it has ("March 2022")."""
        return Markup('<time datetime="{}">{}</time>').format(date.iso(), date.display())

    def page(self, path: str, template: str, inputs=None, context=dict) -> None:
        """Plan a page: rendered from template with context() unless its inputs are those of
        the page the last build made, whose bytes are then reused. Without inputs, a page may
        show anything in the site."""
        key = EVERYTHING if inputs is None or self.own_templates else inputs
        self.plan.append((path, key, lambda: self._render(path, template, **context())))

    def data(self, path: str, make) -> None:
        """Plan a JSON file whose text (with its final new line) make() returns, remade when
        anything in the site changed."""
        self.plan.append((path, EVERYTHING, lambda: make().encode("utf-8")))

    def constant(self, path: str, data: bytes) -> None:
        self.plan.append((path, ("constant", data), lambda: data))

    def run(self, staging, first=(), on_first=None, stop=None) -> None:
        """Render the plan into staging, the paths in first before the others; on_first(pages)
        is called with those pages once they are ready, while the rest are still being made.
        stop() is asked between the pages after the first ones: when it says so, the build
        gives up (Superseded), as a newer one is due."""
        first = set(first)
        ordered = sorted(self.plan, key=lambda item: item[0] not in first)
        early = {}
        for number, (path, key, make) in enumerate(ordered):
            data, key = self.one(staging, path, key, make)
            if path in first and path in self.fresh:
                early[path] = data if data is not None else (staging.output / path).read_bytes()
            if on_first is not None and (number + 1 == len(ordered) or ordered[number + 1][0] not in first):
                if early and not self.diags.errors:
                    on_first(early)
                on_first = None
            elif on_first is None and stop is not None and stop():
                raise Superseded()

    def one(self, staging, path: str, key, make):
        """Render one planned page into staging unless output/ holds it as the last build
        made it: (its bytes or None when reused, its inputs). Without keep_inputs, the inputs
        of a page that the last build did not make are not worked out."""
        previous = self.cache.pages.get(path)
        if previous is None and not self.keep_inputs:
            key = ELSEWHERE
        elif key is not EVERYTHING:  # inputs are worked out only now, so the first pages come quickly
            key = (self.common_key, key() if callable(key) else key)
        if previous is not None and (previous[0] is key and self.nothing_changed
                                     if key is EVERYTHING else previous[0] == key) \
                and staging.current(path, previous[1]):
            staging.keep(path, previous[1])
            self.fresh[path] = previous
            self.cache.reused += 1
            return None, key
        data = make()
        self.cache.rendered += 1
        if data is not None:
            _, sum_, _ = staging.put(path, data)
            self.fresh[path] = (key, sum_)
        return data, key

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

    def plan_alone(self, paths) -> bool:
        """Plan the pages at paths, when they can be planned without the rest of the site
        (articles' pages can): whether they were. For the pages open in the preview."""
        index, alone = self.index, []
        for path in paths:
            slug = path[len("articles/"):-len("/index.html")] if path.startswith("articles/") else ""
            if not path.endswith("/index.html") or "/" in slug or not index.published(slug):
                return False
            alone.append(index.article(slug))
        for article in alone:
            self._article_page(article, [e for e in index.events if article.slug in e.articles])
        return True

    def _article_page(self, article, events: list) -> None:
        index, urls = self.index, self.urls
        self.page(f"articles/{article.slug}/index.html", "article.html",
                  lambda: self._article_inputs(article, events),
                  lambda: dict(article=article, body=Markup(self.sized(index.bodies[article.slug])), events=events,
                               ld=structured.article_ld(article, urls, index, events)))

    def build(self, planned=frozenset()) -> None:
        """Plan every page of the site but those at the paths planned already."""
        index, urls = self.index, self.urls
        self.page("index.html", "index.html", context=lambda: dict(
            key_actors=self._key_actors(),
            ld=structured.page_ld("WebPage", index.config.title, urls.absolute(), index, urls)))
        count = max(1, (len(index.articles) + ARTICLES_PER_PAGE - 1) // ARTICLES_PER_PAGE)
        for number in range(1, count + 1):
            part = index.articles[(number - 1) * ARTICLES_PER_PAGE: number * ARTICLES_PER_PAGE]
            path = "articles/" + (f"page/{number}/" if number > 1 else "")
            self.page(path + "index.html", "articles.html", ("articles", number, count, tuple(map(self._card, part))),
                      lambda p=path, a=part, n=number: dict(
                          articles=a, pager=_pager("articles/", n, count),
                          ld=structured.page_ld("CollectionPage", "Articles", urls.absolute(p), index, urls)))
        events_of = {}
        for event in index.events:
            for slug in event.articles:
                events_of.setdefault(slug, []).append(event)
        for article in index.articles:
            if f"articles/{article.slug}/index.html" not in planned:
                self._article_page(article, events_of.get(article.slug, []))
        self.page("actors/index.html", "actors.html", context=lambda: dict(
            ld=structured.page_ld("CollectionPage", "Who is who", urls.absolute("actors/"), index, urls,
                                  [structured.actor_ld(a, urls, index) for a in index.actors.values()])))
        for actor in index.actors.values():
            self._actor_pages(actor)
        self._timeline_pages()
        self._quote_pages()
        if self.search:
            self.page("search/index.html", "search.html", ("search",), lambda: dict(
                ld=structured.page_ld("SearchResultsPage", "Search", urls.absolute("search/"), index, urls)))
        self.page("404.html", "404.html", ("404",), lambda: dict(
            ld=structured.page_ld("WebPage", "Page not found", urls.absolute("404.html"), index, urls)))
        self.page("feed.xml", "feed.xml", context=lambda: dict(updated=self._updated()))
        sitemap = functools.lru_cache(maxsize=1)(self._sitemap)
        self.page("sitemap.xml", "sitemap.xml", lambda: ("sitemap", tuple(sitemap())), lambda: dict(pages=sitemap()))
        self.page("robots.txt", "robots.txt", ("robots",))
        self.constant(".nojekyll", b"")
        if index.config.cname:
            self.constant("CNAME", (index.config.cname + "\n").encode())
        # what the data files are made of is kept for a next build only by one that has one
        self.data("data/explainer.json", lambda: structured.explainer_json(
            index, urls, self.cache.json if self.keep_inputs else None))
        self.data("data/timeline.json", lambda: structured.timeline_json(
            index, urls, lambda slugs: str(self.names(slugs)), self.cache.json if self.keep_inputs else None))

    def _actor_pages(self, actor) -> None:
        """An actor's page; an actor with long lists gets more pages (page/2/ ...), each
        with the next PER_PAGE of their quotes, events and articles."""
        index = self.index
        lists = (index.quotes_by_speaker.get(actor.slug, []), index.events_by_actor.get(actor.slug, []),
                 index.articles_by_actor.get(actor.slug, []))
        count = max(1, *((len(items) + PER_PAGE - 1) // PER_PAGE for items in lists))
        inputs = functools.lru_cache(maxsize=1)(lambda: self._actor_inputs(actor))
        for number in range(1, count + 1):
            part = slice((number - 1) * PER_PAGE, number * PER_PAGE)
            path = f"actors/{actor.slug}/" + (f"page/{number}/" if number > 1 else "") + "index.html"
            self.page(path, "actor.html", lambda n=number: (inputs(), n, count),
                      lambda a=actor, p=part, n=number: dict(
                          actor=a, quotes=lists[0][p], events=lists[1][p], articles=lists[2][p],
                          totals=[len(items) for items in lists],
                          pager=_pager(f"actors/{a.slug}/", n, count),
                          ld=self._actor_ld(a, lists[0][p])))

    def _timeline_pages(self) -> None:
        index, urls = self.index, self.urls
        if self.timeline is None:
            self.page("timeline/index.html", "timeline.html", context=lambda: dict(
                groups=_timeline_groups(index.events), years=None, year=None, pager=None,
                people=_people(index.events),
                ld=structured.page_ld("CollectionPage", "Timeline", urls.absolute("timeline/"), index, urls,
                                      [structured.event_ld(e, urls, index) for e in index.events])))
            return
        years = []
        for path, year, number, count, events in self.timeline:
            if number == 1:
                years.append((year, sum(len(part[4]) for part in self.timeline if part[1] == year)))
        self.page("timeline/index.html", "timeline-years.html", context=lambda: dict(
            years=years, latest=index.events[-10:][::-1],
            ld=structured.page_ld("CollectionPage", "Timeline", urls.absolute("timeline/"), index, urls)))
        for path, year, number, count, events in self.timeline:
            inputs = (lambda y=year, n=number, c=count, e=events:
                      ("year", tuple(years), y, n, c, self._shown(e)))
            self.page(path + "index.html", "timeline.html", inputs, lambda p=path, y=year, n=number, c=count, e=events: dict(
                groups=_timeline_groups(e), years=years, year=y, pager=_pager(f"timeline/{y}/", n, c),
                people=_people(e),
                ld=structured.page_ld("CollectionPage", f"Timeline: {y}", urls.absolute(p), index,
                                      urls, [structured.event_ld(event, urls, index) for event in e])))

    def _quote_pages(self) -> None:
        index, urls = self.index, self.urls
        speakers = [index.actors[s] for s in index.actors if s in index.quotes_by_speaker]
        if len(index.quotes) <= SPLIT:
            self.page("quotes/index.html", "quotes.html", context=lambda: dict(
                speakers=speakers, quotes_of=index.quotes_by_speaker, pager=None, speaker=None,
                ld=structured.page_ld("CollectionPage", "Who said what", urls.absolute("quotes/"), index, urls,
                                      [structured.quote_ld(q, urls, index) for q in index.quotes])))
            return
        self.page("quotes/index.html", "quotes-speakers.html", context=lambda: dict(
            speakers=speakers, latest=index.quotes[-10:][::-1],
            ld=structured.page_ld("CollectionPage", "Who said what", urls.absolute("quotes/"), index, urls)))
        for speaker in speakers:
            quotes = index.quotes_by_speaker[speaker.slug]
            count = (len(quotes) + QUOTES_PER_PAGE - 1) // QUOTES_PER_PAGE
            for number in range(1, count + 1):
                part = quotes[(number - 1) * QUOTES_PER_PAGE: number * QUOTES_PER_PAGE]
                path = f"quotes/{speaker.slug}/" + (f"page/{number}/" if number > 1 else "") + "index.html"
                inputs = (lambda a=speaker, t=len(quotes), n=number, c=count, q=part:
                          ("speaker", a, t, n, c, self._shown(q)))
                self.page(path, "quotes.html", inputs, lambda a=speaker, q=part, n=number, c=count: dict(
                    speakers=[a], quotes_of={a.slug: q}, speaker=a, pager=_pager(f"quotes/{a.slug}/", n, c),
                    ld=structured.page_ld("CollectionPage", f"Who said what: {a.name}",
                                          urls.absolute(f"quotes/{a.slug}/"), index, urls,
                                          [structured.quote_ld(quote, urls, index) for quote in q])))

    def _actor_ld(self, actor, quotes=None) -> dict:
        index, urls = self.index, self.urls
        return {"@context": "https://schema.org",
                "@graph": [{"@type": "ProfilePage", "url": urls.absolute(Urls.actor(actor.slug)),
                            "mainEntity": {"@id": urls.absolute(Urls.actor(actor.slug))}},
                           structured.actor_ld(actor, urls, index, full=True)]
                + [structured.quote_ld(q, urls, index)
                   for q in (index.quotes_by_speaker.get(actor.slug, []) if quotes is None else quotes)]}

    def _actors(self, slugs) -> tuple:
        return tuple(self.index.actors.get(s) for s in slugs)

    def _article_inputs(self, article, events) -> tuple:
        """Everything the article page shows: the article, its actors, its events (as merged
        from every article that tells them) and the titles of those articles."""
        # the body is rendered from the article's text, which the article object does not hold
        return self._same("article", (article, *events), lambda: self._article_shows(article, events),
                          self.index.bodies[article.slug])

    def _article_shows(self, article, events) -> tuple:
        index = self.index
        slugs = list(index.article_actors.get(article.slug, []))
        for quote in article.quotes:
            slugs += [quote.speaker.slug] + [r.slug for r in quote.about]
        for event in events:
            slugs += list(event.actors)
        told_by = [index.article(a).title for e in events for a in e.articles]
        return ("article", article, index.bodies[article.slug], index.article_summaries.get(article.slug),
                tuple(index.article_actors.get(article.slug, [])), self._actors(slugs), tuple(events), tuple(told_by))

    def _actor_inputs(self, actor) -> tuple:
        """Everything the actor page shows: the actor, its quotes with their articles, its
        events with their actors and articles, its articles, its related actors."""
        index = self.index
        quotes = tuple(index.quotes_by_speaker.get(actor.slug, []))
        events = tuple(index.events_by_actor.get(actor.slug, []))
        articles = tuple(index.articles_by_actor.get(actor.slug, []))
        related = tuple(index.related.get(actor.slug, []))
        return self._same("actor", (actor,), lambda: self._actor_shows(actor, quotes, events, articles, related),
                          (quotes, events, articles, related))

    def _actor_shows(self, actor, quotes, events, articles, related) -> tuple:
        index = self.index
        slugs = [r.slug for r in actor.affiliations] + [s for s, _ in related]
        slugs += [r.slug for q in quotes for r in q.about] + [s for e in events for s in e.actors]
        shown = {q.article for q in quotes} | {a for e in events for a in e.articles} | {a.slug for a in articles}
        return ("actor", actor, index.actor_summaries.get(actor.slug), quotes, events, related,
                self._actors(slugs), tuple(self._card(index.article(a)) for a in sorted(shown)))

    def _card(self, article) -> tuple:
        """What a page that lists an article shows of it."""
        return self._same("card", (article,), lambda: (
            article.slug, article.title, article.date, article.updated, article.draft, article.sources,
            article.image, self.index.article_summaries.get(article.slug)))

    def _key_actors(self):
        index = self.index
        score = {s: 3 * len(index.quotes_by_speaker.get(s, [])) + 2 * len(index.articles_by_actor.get(s, []))
                 + len(index.events_by_actor.get(s, [])) for s in index.actors}
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
        pages += [(path[:-len("index.html")], None) for path, _, _ in self.plan
                  if path.endswith("/index.html") and path[:-len("index.html")] not in known]
        return [(self.urls.absolute(p), lastmod) for p, lastmod in pages]


class Superseded(Exception):
    """A build given up because a newer one is due."""


ELSEWHERE = object()  # the inputs of a page rendered in another process: equal to nothing


def render_pages(index: SiteIndex, env: jinja2.Environment, diags: Diagnostics, cache: PageCache, theme: tuple,
                 staging, first=(), on_first=None, search: bool = False, stop=None) -> list[str]:
    """Render every page into staging (see write.Staging); pages whose inputs equal those in
    cache, and which output/ still holds, are kept as they are. theme is theme_key() of the
    templates env reads; pages in first are made first, and on_first is called with them
    (see Pages.run, also for stop). The paths of the site's files."""
    pages = Pages(index, env, diags, cache, theme, search)
    planned = set()
    if first and pages.plan_alone(first):  # made before the rest of the site is even planned
        pages.run(staging, first, on_first)
        planned, on_first, pages.plan = set(first), None, []
    pages.build(planned)
    pages.run(staging, first, on_first, stop)
    if not diags.errors:
        cache.pages, cache.fragments, cache.everything = pages.fresh, pages.fragments, pages.everything
        cache.json.turn()
        cache.inputs.turn()
    return sorted(pages.fresh)
