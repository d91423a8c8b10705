"""The pipeline: config -> load -> model -> markup -> resolve -> render -> write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import load as loader
from . import yamlio
from .config import SiteConfig, read_config
from .diagnostics import Diagnostics, Location
from .markup import Markup, RenderedBody
from .model import SLUG, SLUG_HINT, Actor, Article, read_actor, read_article
from .render import environment, render_pages, static_files
from .resolve import SiteIndex, resolve
from .write import WriteReport, unsafe_output, write_site


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    index: SiteIndex | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    report: WriteReport | None = None

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


def read_actors(sources, diags: Diagnostics) -> tuple[list[Actor], set[str]]:
    actors, known, seen = [], set(), {}
    for source in sources:
        slug = Path(source.rel).stem
        if not SLUG.match(slug):
            diags.error(Location(source.rel, 1), f"'{Path(source.rel).name}' cannot be an actor file name: "
                        "the file name is the actor's slug", "rename it, " + SLUG_HINT)
            continue
        if slug in seen:
            diags.error(Location(source.rel, 1), f"the actor slug '{slug}' is already used by {seen[slug]}",
                        "keep one file per actor")
            continue
        seen[slug] = source.rel
        known.add(slug)
        if not source.text.strip():
            diags.error(Location(source.rel, 1), "the actor file is empty",
                        "write at least 'name: ...' and 'kind: person' (or country, organisation, group, other)")
            continue
        doc = yamlio.load(source.text, source.rel, diags)
        if doc is not None:
            actor = read_actor(doc, slug, diags)
            if actor is not None:
                actors.append(actor)
    return actors, known


def read_articles(sources, timezone: str, diags: Diagnostics) -> list[Article]:
    articles = []
    for source in sources:
        if not source.text.strip():
            diags.error(Location(source.rel, 1), "the article file is empty",
                        "start it with front matter: ---, title: ..., date: YYYY-MM-DD, ---, then the text")
            continue
        front = yamlio.split_front_matter(source.text, source.rel, diags)
        if front is None:
            continue
        doc = yamlio.load(front.yaml_text, source.rel, diags, line_offset=front.yaml_line - 1)
        if doc is None:
            continue
        if doc.data is None:
            diags.error(Location(source.rel, 1), "the front matter is empty",
                        "add at least title: and date: between the --- lines")
            continue
        article = read_article(doc, Path(source.rel).stem, front.body, front.body_line, timezone, diags)
        if article is not None:
            articles.append(article)
    return articles


def _check_images(index: SiteIndex, media: set[str], diags: Diagnostics) -> None:
    items = [(a.image, a.location) for a in index.articles] + [(a.image, a.location) for a in index.actors.values()]
    for image, where in items:
        if image and not image.src.startswith(("http://", "https://")) and image.src not in media:
            diags.error(where, f"the image '{image.src}' is not in content/",
                        "put the file in content/media/ and write src: media/<file name>, or give a full https:// address")


def build(site_root: Path, output: Path | None = None, base_url: str | None = None,
          drafts: bool = False, write: bool = True) -> BuildResult:
    """Build the site at site_root; write to output only when nothing is wrong."""
    diags = Diagnostics()
    result = BuildResult(diags)
    sources = loader.read_site(site_root, diags)

    config: SiteConfig | None = None
    if sources.config is not None:
        doc = yamlio.load(sources.config.text, sources.config.rel, diags)
        if doc is not None:
            config = read_config(doc, diags, base_url)
    timezone = config.timezone if config else "UTC"

    actors, known = read_actors(sources.actors, diags)
    known |= {slug for slug in loader.failed_actor_slugs(site_root) if SLUG.match(slug)}
    articles = read_articles(sources.articles, timezone, diags)

    markup = Markup(config.prefix if config else "/", config.unsafe_html if config else False)
    bodies: dict[str, RenderedBody] = {a.slug: markup.body(a) for a in articles}
    if config is None:
        return result
    index = resolve(config, actors, known, articles, bodies, markup, drafts, diags)
    result.index = index
    media = {rel: path for rel, path in sources.media}
    _check_images(index, {f"media/{rel}" for rel in media}, diags)
    if diags.errors:
        return result

    files = render_pages(index, environment(site_root), diags)
    for rel, path in {**static_files(site_root), **{f"media/{r}": p for r, p in media.items()}}.items():
        files[rel] = path.read_bytes()
    result.files = files
    if diags.errors or not write:
        return result

    output = output or site_root / "output"
    problem = unsafe_output(output, site_root)
    if problem:
        diags.error(Location(str(output)), f"will not write there: {problem}",
                    "choose an empty folder, or the output/ folder of a previous build, with --output")
        return result
    result.report = write_site(files, output)
    return result
