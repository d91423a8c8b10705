"""The pages of a plan (plan.py) rendered: the Jinja environment's helpers, one page at a
time, and a template's mistakes reported at its file and line."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote
from types import SimpleNamespace

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from . import plan, structured, urls
from .diagnostics import Diagnostics, Location
from .load import LINK_HINT
from .markup import passage_style
from .plan import File, Page, Plan
from .theme import OutsideSite, raised_in_template, runtime_location, template_file


ADDRESSES = SimpleNamespace(**{f.__name__: f for f in (urls.article, urls.actor, urls.actor_feed, urls.author,
                                                         urls.author_feed, urls.year, urls.speaker,
                                                         urls.compared, urls.quote, urls.paged)})  # for url() and abs_url()


def _share_here() -> callable:
    """share() for pages rendered on their own: each piece made once for the same item."""
    made: dict = {}

    def share(key, item, make):
        found = made.get(key)
        if found is None or found[0] is not item:
            found = made[key] = (item, make())
        return found[1]
    share.clear = made.clear
    return share


def initials(name: str) -> str:
    """Up to two letters for a name's placeholder portrait: its first and last words' first
    letters ('Zhao Lijian': 'ZL'; '王小明': '王'), skipping what does not start with a letter."""
    words = [word.strip("()[]\"'“”‘’") for word in name.split()]
    letters = [word[0] for word in words if word and word[0].isalpha()]
    if letters and unicodedata.category(letters[0]) == "Lo":  # a script without capitals: one sign
        return letters[0]
    if not letters:  # a name of digits or signs alone: its first
        return name.strip()[:1].upper()
    return (letters[0] + letters[-1] if len(letters) > 1 else "".join(letters)).upper()


class Renderer:
    """Renders the pages of a plan with env, reporting to diags. Templates read the site
    and the plan's facts through the plan's views (see plan.Plan), through the globals given
    here; share(key, item, make) makes a piece that many pages show (a quote, an event, a
    card) once for each item."""

    # what every page reads through the globals its templates are given (config, search_enabled)
    EVERYWHERE = (("site", "config"), ("plan", "search"))

    def __init__(self, pages: Plan, env: jinja2.Environment, diags: Diagnostics, share=None):
        self.env, self.diags = env, diags
        self.index, self.facts, self.urls = pages.index, pages.facts, pages.urls
        self.share = share or _share_here()
        env.globals.update(self.common())

    def common(self) -> dict:
        links, index = self.urls, self.index
        return {
            "site": index,
            "config": index.config,
            "url": links.path,
            "abs_url": links.absolute,
            "article_url": lambda slug: links.path(urls.article(slug)),
            "actor_url": lambda slug: links.path(urls.actor(slug)),
            "address": ADDRESSES,
            "quote_url": lambda quote: links.path(urls.quote(quote)),
            "event_url": lambda event: links.path(links.event(event)),
            "names": lambda slugs: plan.names(self.index, links, slugs),
            "actor_for": index.actors.get,
            "authors_of": lambda article: [self.index.authors[r.slug] for r in article.authors
                                           if r.slug in self.index.authors],
            "search_enabled": self.facts.search,
            "event_item": self.event_item,
            "quote_item": self.quote_item,
            "article_item": self.article_item,
            "actor_card": self.actor_card,
            "time_tag": self.time_tag,
            "image_url": lambda src: structured.image_url(src, links),
            "image_size": lambda src: plan.image_size(self.index, src),
            "plain_summary": self.plain_summary,
            "feed_html": self.feed_html,
            "passage_style": lambda html: Markup(passage_style(str(html))),
            "initials": initials,
            "picture": self.picture,
            "title_slide": structured.TITLE_SLIDE,
        }

    def picture(self, image, sizes: str, eager: bool = False, alt: str | None = None, kind: str = "") -> Markup:
        """An <img> for a picture the content gives, in the sizes it was resized to (a
        <picture> with WebP first) so that the browser fetches the smallest that fills
        sizes (the width it is shown at, in CSS's terms); loaded only when near the screen
        unless eager. alt: in place of the picture's own (empty where the name beside it
        says all); kind: the img's class."""
        alt = image.alt if alt is None else alt
        found = self.index.pictures.get(image.src)
        loading = Markup(' fetchpriority="high"') if eager else Markup(' loading="lazy"')
        shown = Markup(' class="{}"').format(kind) if kind else Markup("")
        if found is None:
            src = image.src if image.src.startswith(("http://", "https://")) else self.urls.path(quote(image.src))
            return Markup('<img{} src="{}" alt="{}"{}{} decoding="async">').format(
                shown, src, alt, plan.image_size(self.index, image.src), loading)

        def srcset(variants) -> str:
            return ", ".join(f"{self.urls.path(quote(v.path))} {v.width}w" for v in variants)
        fallback = next((v for v in found.fallback if v.width >= 640), found.fallback[-1])
        return Markup('<picture><source type="image/webp" srcset="{}" sizes="{}"><img{} src="{}" srcset="{}" '
                      'sizes="{}" width="{}" height="{}" alt="{}"{} decoding="async"></picture>').format(
            srcset(found.webp), sizes, shown, self.urls.path(quote(fallback.path)), srcset(found.fallback), sizes,
            fallback.width, fallback.height, alt, loading)

    def plain_summary(self, article) -> str | None:
        """The article's summary as plain text: for the feed, meta tags and JSON-LD."""
        summary = self.index.article_summaries.get(article.slug)
        return structured.plain_text(summary) if summary else None

    def feed_html(self, article) -> str:
        """The article's body for the feed: links absolute (a reader resolves relative ones
        against the feed), and no ids, which repeat from one article to the next."""
        return structured.absolute_links(self.index.bodies[article.slug],
                                         self.urls.absolute(urls.article(article.slug)), ids=False)

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
        return Markup(f'<time datetime="{escape(date.iso())}">{escape(date.display())}</time>')

    def jobs(self, entries: list[Page | File]) -> list[tuple[str, object]]:
        """The entries of a plan as (path, make), make() giving the file's bytes, or None
        for a page whose template failed (and was reported)."""
        return [(entry.path, entry.make) if isinstance(entry, File) else
                (entry.path, lambda e=entry: self.render(e.path, e.template, e.context()))
                for entry in entries]

    def render(self, path: str, template: str, context: dict) -> bytes | None:
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
            self.diags.error(runtime_location(exc, template), f"template error while rendering {path}: {named(exc)}",
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


# The objects templates are given, as an error names them to whoever wrote the template.
TEMPLATE_NAMES = {"SiteIndex": "site", "_Watched": "site", "SiteConfig": "config", "Article": "article", "Actor": "actor",
                  "Author": "author", "Quote": "quote", "TimelineEvent": "event", "Claim": "claim",
                  "Facts": "the plan"}
_OBJECT = re.compile(r"'generator\.\w+\.(\w+) object'")


def named(exc: Exception) -> str:
    """An error's message with the generator's classes called what templates call them."""
    return _OBJECT.sub(lambda m: f"'{TEMPLATE_NAMES.get(m.group(1), m.group(1))}'", str(exc))


class Superseded(Exception):
    """A build given up because a newer one is due."""
