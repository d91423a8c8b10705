"""Jinja templates to pages: every output file as {path: bytes}, nothing written here."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import structured
from .dates import MONTHS, display_span
from .diagnostics import Diagnostics, Location
from .resolve import SiteIndex
from .structured import Urls

THEME = Path(__file__).resolve().parent.parent / "templates"


def environment(site_root: Path) -> jinja2.Environment:
    """Templates from the site's own templates/ first, then the default theme, file by file."""
    folders = [site_root / "templates", THEME] if (site_root / "templates").is_dir() else [THEME]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["jsonld"] = lambda data: Markup(structured.dump_script_json(data))
    env.globals["display_span"] = display_span
    return env


def static_files(site_root: Path) -> dict[str, Path]:
    """Theme assets under templates/static/, the site's own overriding the theme's by path."""
    files: dict[str, Path] = {}
    for folder in (THEME / "static", site_root / "templates" / "static"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files["static/" + path.relative_to(folder).as_posix()] = path
    return files


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


class Pages:
    def __init__(self, index: SiteIndex, env: jinja2.Environment, diags: Diagnostics):
        self.index, self.env, self.diags = index, env, diags
        config = index.config
        self.urls = Urls(config.prefix, config.origin)
        self.out: dict[str, bytes] = {}
        env.globals.update(self.common())

    def names(self, slugs) -> Markup:
        """Actor links for a list of slugs: 'A, B and C'."""
        links = [Markup('<a href="{}">{}</a>').format(self.urls.path(Urls.actor(s)), self.index.actors[s].name)
                 for s in slugs if s in self.index.actors]
        if len(links) <= 1:
            return Markup("").join(links)
        return Markup(", ").join(links[:-1]) + Markup(" and ") + links[-1]

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
            "event_url": lambda event: urls.path(f"timeline/#event-{event.id}"),
            "names": self.names,
            "actor_for": self.index.actors.get,
        }

    def render(self, path: str, template: str, **context) -> None:
        try:
            text = self.env.get_template(template).render(page_path=path, **context)
        except jinja2.TemplateSyntaxError as exc:
            self.diags.error(Location(_template_file(exc.filename, exc.name), exc.lineno or 0),
                             f"template error: {exc.message}", "fix the template's syntax")
            return
        except jinja2.TemplateNotFound as exc:
            self.diags.error(Location(f"templates/{template}"), f"template '{exc.name}' is missing",
                             "restore it, or remove the override that includes it")
            return
        except (jinja2.UndefinedError, TypeError, ValueError, KeyError, AttributeError) as exc:
            self.diags.error(_runtime_location(exc, template), f"template error while rendering {path}: {exc}",
                             "check the names the template uses against the default theme's")
            return
        self.out[path] = text.encode("utf-8")

    def json(self, path: str, data) -> None:
        self.out[path] = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def build(self) -> dict[str, bytes]:
        index, urls = self.index, self.urls
        self.render("index.html", "index.html", ld=structured.page_ld("WebPage", index.config.title,
                    urls.absolute(), index, urls), key_actors=self._key_actors())
        self.render("articles/index.html", "articles.html",
                    ld=structured.page_ld("CollectionPage", "Articles", urls.absolute("articles/"), index, urls))
        for article in index.articles:
            self.render(f"articles/{article.slug}/index.html", "article.html", article=article,
                        body=Markup(index.bodies[article.slug]),
                        events=[e for e in index.events if article.slug in e.articles],
                        ld=structured.article_ld(article, urls, index))
        self.render("actors/index.html", "actors.html",
                    ld=structured.page_ld("CollectionPage", "Who is who", urls.absolute("actors/"), index, urls,
                                          [structured.actor_ld(a, urls, index) for a in index.actors.values()]))
        for actor in index.actors.values():
            ld = {"@context": "https://schema.org",
                  "@graph": [{"@type": "ProfilePage", "url": urls.absolute(Urls.actor(actor.slug)),
                              "mainEntity": {"@id": urls.absolute(Urls.actor(actor.slug))}},
                             structured.actor_ld(actor, urls, index, full=True)]
                  + [structured.quote_ld(q, urls, index) for q in index.quotes_by_speaker.get(actor.slug, [])]}
            self.render(f"actors/{actor.slug}/index.html", "actor.html", actor=actor, ld=ld)
        self.render("timeline/index.html", "timeline.html", groups=_timeline_groups(index.events),
                    ld=structured.page_ld("CollectionPage", "Timeline", urls.absolute("timeline/"), index, urls,
                                          [structured.event_ld(e, urls, index) for e in index.events]))
        speakers = [index.actors[s] for s in index.actors if s in index.quotes_by_speaker]
        self.render("quotes/index.html", "quotes.html", speakers=speakers,
                    ld=structured.page_ld("CollectionPage", "Who said what", urls.absolute("quotes/"), index, urls,
                                          [structured.quote_ld(q, urls, index) for q in index.quotes]))
        self.render("404.html", "404.html", ld=structured.page_ld("WebPage", "Page not found",
                                                                  urls.absolute("404.html"), index, urls))
        self.render("feed.xml", "feed.xml", updated=self._updated())
        self.render("sitemap.xml", "sitemap.xml", pages=self._sitemap())
        self.render("robots.txt", "robots.txt")
        self.out[".nojekyll"] = b""
        if index.config.cname:
            self.out["CNAME"] = (index.config.cname + "\n").encode()
        self.json("data/explainer.json", structured.explainer_json(index, urls))
        self.json("data/timeline.json", structured.timeline_json(index, urls, lambda slugs: str(self.names(slugs))))
        return self.out

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
        return [(self.urls.absolute(p), lastmod) for p, lastmod in pages]


def _template_file(filename: str | None, name: str | None) -> str:
    if filename:
        path = Path(filename)
        for base in (THEME.parent,):
            try:
                return path.resolve().relative_to(base).as_posix()
            except ValueError:
                pass
        parts = path.parts
        if "templates" in parts:
            return "/".join(parts[len(parts) - parts[::-1].index("templates") - 1:])
        return path.name
    return f"templates/{name}"


def _runtime_location(exc: Exception, template: str) -> Location:
    """The innermost template frame of a rendering error's traceback."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith((".html", ".xml", ".txt")):
            found = Location(_template_file(code.co_filename, None), tb.tb_lineno)
        tb = tb.tb_next
    return found or Location(f"templates/{template}")


def render_pages(index: SiteIndex, env: jinja2.Environment, diags: Diagnostics) -> dict[str, bytes]:
    return Pages(index, env, diags).build()

