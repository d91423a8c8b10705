"""The pipeline: config -> load -> model -> markup -> resolve -> render -> write."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import multiprocessing
import os
import pickle
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import load as loader
from . import cms, pictures, published, search, yamlio
from .cache import DiskCache
from .config import SiteConfig, read_config
from .diagnostics import Diagnostic, Diagnostics, Location
from .keys import signing_key
from .markup import Markup, RenderedBody
from .model import SLUG, SLUG_HINT, Actor, Article, Author, actor_from_file, article_from_file, author_from_file
from .plan import event_facts
from .render import Superseded
from .reuse import (EMPTY, CompiledTemplates, Digests, Files, Kept, Records, Stamps, StoredRecords, from_stored,
                    make_pages, stored, value_digest)
from .theme import environment, static_files, theme_key
from . import resolve
from .resolve import SiteIndex, check_images
from .write import (MANIFEST, Discard, Staging, WriteReport, finish_interrupted, linked_place, stat_key,
                    staging_folder, unsafe_output)

SHOWN = dict[str, published.Shown]  # the type of published.RECORD's record


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    index: SiteIndex | None = None
    paths: list[str] = field(default_factory=list)  # of the site's files
    report: WriteReport | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    superseded: bool = False  # given up for a newer build: nothing written, nothing wrong
    rendered: list[str] = field(default_factory=list)  # pages made again, not kept from the last build
    drafts_left_out: int = 0  # articles marked draft: true, not built

    def lap(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = now - started
        return now

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


# An article file read and rendered, with the digests of the article and of each of its
# quotes (reuse.Digests), and what reading it reported: what the disk cache keeps.
ARTICLE_ENTRY = tuple[tuple[Article | None, RenderedBody | None, tuple[bytes, ...]], tuple[Diagnostic, ...]]


@dataclass(frozen=True)
class OutputRecord:
    """What the last command-line build left in an output folder, for the next one."""

    written: dict[str, tuple[tuple[int, int, int] | None, bytes]]  # path -> (stat key, digest)
    signature: str  # of everything the build was made from (Builder._signature)
    paths: tuple[str, ...]
    drafts_left_out: int
    stamped: str | None  # the signature made of the sources' stamps (reuse.Stamps), if trusted


# the files whose texts need not be read when the cache holds what was made of them
ARTICLES = "content/articles/"
KNOWN = dict[str, tuple[str, str]]  # an article file's path -> its stamp (reuse.Stamps) and its text's digest

READS = "reads"  # the cache's kind for what each page read (its page copies are kind "pages")
PARALLEL_FROM = 200  # articles to read before a second process pays for itself


def _prepare(items: list, timezone: str, markup: Markup | tuple, disk: DiskCache | None) -> list[bytes]:
    """Articles read and their Markdown rendered, for items of (key, source): each as the
    pickled (article or None, rendered body or None) with what reading reported (to hand to
    the process that asked), also saved in disk under its key. markup is a Markup, or its (prefix, unsafe_html, seal) in another process."""
    if isinstance(markup, tuple):
        markup = Markup(*markup)
    done = []
    for key, source in items:
        diags = Diagnostics()
        article = article_from_file(source, timezone, diags)
        body, marks = None, ()
        if article is not None:
            body = markup.body(article)
            article = dataclasses.replace(article, body="")  # its text lives on as body.html
            # (an article is plain data, and pickles, as its entry must below to reach the main
            # process: value_digest's stand-in for a value that cannot be pickled, which the
            # cache would keep, cannot arise here)
            marks = (value_digest(article), *(value_digest(quote) for quote in article.quotes))
        entry = ((article, body, marks), tuple(diags.items))
        if disk is not None:
            disk.save("article", key, entry, ARTICLE_ENTRY)
        done.append(pickle.dumps(entry, pickle.HIGHEST_PROTOCOL))
    return done


def _merged(published: list) -> tuple[list, tuple[Diagnostic, ...]]:
    """resolve.merge_events, with what it reported."""
    local = Diagnostics()
    return resolve.merge_events(published, local), tuple(local.items)


def _cores() -> int:
    """How many processes a job split over every core gets."""
    return max(1, min(os.cpu_count() or 1, 8))


class _PreparingInParallel:
    """_prepare for many articles on every core, started at once; iterating gives the
    results in the items' order, as they come, and closes the processes' pool."""

    def __init__(self, items: list, timezone: str, markup: Markup, disk: DiskCache | None):
        workers = _cores()
        size = max(1, -(-len(items) // (workers * 16)))
        options = (markup.prefix, markup.unsafe_html, markup.seal)
        # fork is quick, but unsafe once other threads run (the preview server's); then forkserver
        method = "fork" if threading.active_count() == 1 else "forkserver"
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
        self.parts = [self.pool.submit(_prepare, items[i:i + size], timezone, options, disk)
                      for i in range(0, len(items), size)]

    def __iter__(self):
        for part in self.parts:
            yield from part.result()
        self.close()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _file_key(path: Path) -> tuple | None:
    """A file's size and times, or None once it is gone."""
    try:
        return loader.file_key(path.stat())
    except OSError:
        return None


@contextlib.contextmanager
def collector_off():
    """Python's cycle collector kept away: it would pause a big build again and again to scan
    the millions of objects the model and the caches keep (at 10,000 articles a full pass
    takes most of a second), and the build makes few cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Builder:
    """Builds one site again and again (the preview), redoing only what its changed inputs
    require: files are read again when they change, parsed and rendered again when their
    text does, linked again when they or the actors change, pages rendered again when what
    they read does (reuse.py), and written when their bytes do. What it keeps lives in
    this process; OneShot is the command line's builder.

    The stages run in the order of _build; the ways the two builders differ are keeps and
    the few methods they each define: how files are read, how the site is linked (step by
    step here, with what the last build linked; by resolve.resolve in OneShot), on how many
    cores pages are rendered, and what is kept for the next build (OneShot also starts
    from the record of output/ it left in the cache folder)."""

    keeps = True  # what reading and linking made is kept in memory for the next build

    def __init__(self, site_root: Path, output: Path | None = None, base_url: str | None = None,
                 drafts: bool = False, search: bool = False, cache: bool = True):
        """cache: keep what can be reused in the site's cache folder (see cache.py)."""
        self.site_root, self.base_url, self.drafts, self.search = site_root, base_url, drafts, search
        self.output = output or site_root / "output"
        self.files: Files | None = Files() if self.keeps else None  # the texts of the files last read
        self.read, self.linking = Kept(self.keeps), Kept(self.keeps)
        self.key = signing_key(site_root)  # signs the cache and the output's list; None if none can be kept
        self.disk = DiskCache(site_root, self.key) if cache else None
        self.records: Records | None = EMPTY  # what each page of the last build read (reuse.py)
        self.unsaved = False  # whether records holds what the disk does not yet
        self.digests = Digests()
        self.written: dict[str, tuple] = {}
        self._markup: Markup | None = None
        self.compiled = CompiledTemplates()
        self._last: tuple | None = None  # (signature, index, paths, drafts left out) of the last build that wrote
        self.stamped: str | None = None  # its signature made of the files' stamps (_stamped), if any
        self.looked: Stamps | None = None  # this build's look at the files' stamps, if it took one
        self.searching: search.SearchRecord | None = None  # what output/pagefind/ holds, once known
        self._loaded: tuple[Records, StoredRecords] | None = None  # the records read from the disk, as kept there
        self.begun: search.Indexing | None = None  # the indexing of output/ a build began, to be waited for
        self.resized: list[tuple] = []  # the keys of the pictures' sizes the last build published
        self._shown: tuple | None = None  # (what the last published build showed, its file's stamp) (published.py)
        self.showing: dict | None = None  # what this build shows of each article, for the record

    def markup(self, config: SiteConfig | None) -> Markup:
        prefix, unsafe = (config.prefix, config.unsafe_html) if config else ("/", False)
        if self._markup is None or (self._markup.prefix, self._markup.unsafe_html) != (prefix, unsafe):
            self._markup = Markup(prefix, unsafe)
        return self._markup

    def build(self, write: bool = True, first=(), on_first=None, stop=None, stats=None) -> BuildResult:
        """Build the site. The pages in first (output paths) are rendered before the rest,
        and on_first({path: bytes}) is called with them as soon as they are ready. stop()
        is asked now and then once those are out; if it returns True, the build gives up,
        leaving output/ and what the next build will reuse as they were (superseded).
        stats: the sizes and times of the source files as a look just taken found them
        (absolute path -> key, see reuse.Files), which the build then need not look up."""
        with collector_off():
            try:
                if self.files is not None:
                    self.files.stats = stats
                return self._build(write, first, on_first, stop)
            finally:
                if self.files is not None:
                    self.files.stats = None

    def _build(self, write: bool, first, on_first, stop) -> BuildResult:
        """The stages in order: read the files, read and render the articles and actors,
        link them, open output/, then render the pages into it and commit them."""
        diags = Diagnostics()
        result = BuildResult(diags)
        clock = time.perf_counter()
        theme = theme_key(self.site_root)  # the templates' texts, read once a build
        statics = static_files(self.site_root, diags)
        stamped = self._stamped(theme, statics) if not diags.items else None
        if stamped is not None and stamped == self.stamped and self._intact():
            # The files are as the last build found them, and output/ holds its pages.
            return self._as_last(result, write, clock)
        sources = loader.read_site(self.site_root, diags, self._read_file)
        clock = result.lap("read", clock)
        signature = self._signature(sources, theme, statics)
        if self._last is not None and self._last[0] == signature and not diags.items and self._intact():
            # Nothing the site is made from has changed (a file was saved as it was), and
            # output/ holds the last build's pages.
            if stamped is not None and stamped != self.stamped:
                self.stamped = stamped
                self.remember()
            return self._as_last(result, write, clock)

        config = self._config(sources, diags)
        if config is not None and config.admin:
            statics = {**statics, **self._admin_files(diags, write)}
        markup = self.markup(config)
        people, articles, bodies = self._content(sources, config, markup, diags)
        media = {rel: path for rel, path in sources.media}
        image_sizes = self._image_sizes(media, diags)
        self.read.turn()  # kept for the next build, or let go (OneShot) now that they are used
        sources = None
        clock = result.lap("articles", clock)
        if config is None:
            return result

        index = result.index = self._resolve(config, people, articles, bodies, markup, diags)
        index.image_sizes = image_sizes
        result.drafts_left_out = 0 if self.drafts else sum(article.draft for article in articles)
        bodies = None  # index.bodies holds the finished HTML
        check_images(index, {f"media/{rel}" for rel in media}, diags)
        clock = result.lap("resolve", clock)
        if diags.errors:
            return result

        staging = self._staging(diags) if write else Discard()
        if staging is None:
            return result
        try:
            if write:
                staging.open()
            records = self._pages(index, theme, {**statics, **{f"media/{r}": p for r, p in media.items()}},
                                  staging, result, first, on_first, stop)
            if not result.superseded:  # after the pages open in the preview: it only warns
                self.showing = published.compare(index.articles, self.last_shown(), diags)
            diags.merge_repeated()
            clock = result.lap("render", clock)
            if records is None or diags.errors or not write:
                return result
            result.report = staging.commit()
        except OSError as exc:
            diags.error(Location(str(exc.filename or self.output)), f"cannot write the site: {exc.strerror or exc}",
                        "make room on the disk, or make the folder writable, and build again: "
                        "the next build completes or discards what this one began")
            return result
        finally:
            if write and not result.report:
                staging.discard()
        self.records, self.unsaved = records, True
        # a change the build warned of as unexplained is warned of again by the next build,
        # which must then not take this one's result as its own
        unexplained = published.pending(self.showing)
        self._last = (signature + "+unexplained" if unexplained else signature, index, result.paths,
                      result.drafts_left_out)
        self.stamped = None if unexplained else stamped
        self._written(records)
        result.lap("write", clock)
        return result

    def _as_last(self, result: BuildResult, write: bool, clock: float) -> BuildResult:
        """The result of a build that found nothing changed: the last build's."""
        _, result.index, result.paths, result.drafts_left_out = self._last
        if write:
            result.report = WriteReport((), (), len(result.paths))
        result.lap("write", clock)
        return result

    def _stamped(self, theme: tuple, statics: dict[str, Path]) -> str | None:
        """The signature of the site made from its files' stamps (reuse.Stamps), for a builder
        that keeps nothing in memory; None when the stamps cannot be trusted, or when a look
        at the site finds anything to report (a full read reports it)."""
        self.looked = None
        if self.keeps or self.disk is None:
            return None
        stamps = self.looked = Stamps()
        diags = Diagnostics()
        sources = loader.read_site(self.site_root, diags, stamps.read)
        return self._signature(sources, theme, statics) if stamps.trusted and not diags.items else None

    def _admin_files(self, diags: Diagnostics, write: bool) -> dict[str, Path]:
        """The content manager's files, when site.yaml turns it on (cms.py); a check, which
        writes nothing, does not need them."""
        folder = cms.distribution(self.site_root)
        if folder is None and write:
            diags.error(Location("site.yaml"), "'admin' turns on the content manager, which is not installed",
                        "run make cms (it installs Decap CMS into cms/node_modules), or remove 'admin'")
        return cms.files(folder) if folder is not None else {}

    def last_shown(self) -> dict | None:
        """What the last build that published the site showed of each article, from the
        cache folder (read, never written, by check and the preview), or None."""
        disk = self.disk or (DiskCache(self.site_root, self.key) if self.key else None)
        # read again when a command-line build (beside the preview) has recorded another
        stamp = _file_key(disk.lasting_path(published.RECORD)) if disk is not None else None
        if self._shown is None or self._shown[1] != stamp:
            self._shown = (disk.load_lasting(published.RECORD, SHOWN) if disk is not None else None, stamp)
        return self._shown[0]

    def _config(self, sources, diags: Diagnostics) -> SiteConfig | None:
        if sources.config is None:
            return None
        doc = yamlio.load(sources.config.text, sources.config.rel, diags)
        return read_config(doc, diags, self.base_url) if doc is not None else None

    def _content(self, sources, config: SiteConfig | None, markup: Markup, diags: Diagnostics):
        """The actors, every actor slug there is, the articles and their rendered bodies (by
        slug): each article read and rendered again only when its text changed, many of
        them in other processes while this one reads the actors."""
        timezone = config.timezone if config else "UTC"
        # an article is its file's text, read in a time zone and rendered with these links
        keys = [(s.rel, s.digest, timezone, markup.prefix, markup.unsafe_html) for s in sources.articles]
        todo = [(key, s) for key, s in zip(keys, sources.articles) if not self.read.has("article", key)]
        if self.disk is not None and self.disk.holds("article"):
            missing = []
            for key, source in todo:
                entry = self.disk.load("article", key, ARTICLE_ENTRY)
                if entry is None:
                    missing.append((key, source))
                else:
                    self.read.put("article", key, *entry)
            todo = missing
        if any(source.text is None for _, source in todo):
            todo, keys = self._read_unread(todo, keys, diags)
        preparing = _PreparingInParallel(todo, timezone, markup, self.disk) if len(todo) >= PARALLEL_FROM else None
        try:
            actors, known = self._read_actors(sources, diags)
            writers = self._read_authors(sources, diags)
            done = preparing if preparing is not None else _prepare(todo, timezone, markup, self.disk)
            for number, data in enumerate(done):
                self.read.put("article", todo[number][0], *pickle.loads(data))
        finally:
            if preparing is not None:
                preparing.close()

        articles, bodies = [], {}
        media_paths = {f"media/{rel}" for rel, _ in sources.media}
        keys = [key for key in keys if key is not None]
        for key in keys:
            article, body, marks = self.read.reported("article", key, None, diags)
            if article is not None:
                # the last build's object while only the text changed: what was worked out
                # from it is found by its identity (not its events or quotes alone, whose
                # pages show the article's title)
                article = self.read.same("as before", article.location.file, article)
                # their digests, made where they were read: no need to make them again here
                if len(marks) == 1 + len(article.quotes):
                    self.digests.known(article, marks[0])
                    for quote, mark in zip(article.quotes, marks[1:]):
                        self.digests.known(quote, mark)
                articles.append(article)
                bodies[article.slug] = body
            for image in body.images if body is not None else ():
                if image.slug not in media_paths:
                    diags.error(image.location, f"the image '{image.slug}' is not in content/media/",
                                "put the file in content/media/, or correct the file name")
        if not diags.errors:
            self._articles_read(keys)
        return (actors, known, writers), articles, bodies

    def _read_unread(self, todo: list, keys: list, diags: Diagnostics) -> tuple[list, list]:
        """todo and keys, with the articles that were not read (their stamps were as the last
        build recorded: OneShot._read_file) read now, since the cache lacks their records;
        a file that cannot be read now (reported) leaves None in keys."""
        where = {key: number for number, key in enumerate(keys)}
        keys, ready = list(keys), []
        for key, source in todo:
            if source.text is None:
                number = where[key]
                source = loader.read_text(self.site_root, self.site_root / source.rel, diags)
                if source is None:
                    keys[number] = None
                    continue
                key = keys[number] = (source.rel, source.digest, *key[2:])
            ready.append((key, source))
        return ready, keys

    def _staging(self, diags: Diagnostics) -> Staging | None:
        """The staging folder beside output/ (not yet opened), once output/ is known to be
        this site's build and any commit cut short is finished; None (with the error) if not."""
        key = self.key  # None where no key can be kept: then the list goes unsigned
        here = Location(str(self.output))
        problem = linked_place(self.output)
        if problem:
            diags.error(here, f"will not write there: {problem}",
                        "remove the link, or choose a real folder with --output")
            return None
        try:
            if finish_interrupted(self.output, key):
                diags.warning(here, "the last build was cut short while it moved its files into place; "
                              "its changes are now complete")
        except OSError as exc:
            diags.error(here, f"cannot finish the last build's changes: {exc}",
                        "delete the output folder and the staging folder beside it, then build again")
            return None
        problem = unsafe_output(self.output, self.site_root, key)
        if problem:
            diags.error(here, f"will not write there: {problem}",
                        "if the folder is a build of this site (by you as another user, before your "
                        "~/.cache was cleared, or by an older version of the generator), delete it once "
                        "and build again; otherwise choose an empty folder with --output")
            return None
        return Staging(self.output, self.written, key)

    def _pages(self, index: SiteIndex, theme: tuple, files: dict[str, Path], staging, result: BuildResult,
               first, on_first, stop) -> Records | None:
        """The static and media files, then the pages, put into staging; what the pages read,
        or None when a file cannot be read or the build is given up for a newer one."""
        diags, assets = result.diagnostics, {}
        for rel, path in files.items():
            try:
                assets[rel] = path.read_bytes()
            except OSError as exc:
                root = self.site_root
                where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
                diags.error(Location(where), f"cannot read the file: {exc.strerror}",
                            "check that the file can be read, or remove it")
        if diags.errors:
            return None
        assets.update(self._pictures(index, assets, diags, resize=not isinstance(staging, Discard)))
        for rel, data in assets.items():
            staging.put(rel, data)
        env = environment(self.site_root)
        env.bytecode_cache = self.compiled  # fresh, with the templates compiled earlier
        early = (lambda pages: on_first({**assets, **pages})) if on_first else None
        try:
            made, records, result.rendered = make_pages(index, env, diags, staging, self._last_records(),
                                                        self.digests, theme, self.search, first, early, stop,
                                                        self._workers(len(index.articles)), self._copy_of(),
                                                        taken=assets, facts=self.linking.made(
                                                            "event facts", (index.events,), None,
                                                            lambda: event_facts(index.events)))
        except Superseded:
            result.superseded = True
            return None
        result.paths = sorted({*assets, *made})
        return records

    def _pictures(self, index: SiteIndex, files: dict[str, bytes], diags: Diagnostics, resize: bool) -> dict[str, bytes]:
        """Every picture the content gives (a lead image, a portrait), resized (pictures.py),
        with their plans in index.pictures for the pages to show: the resized files' bytes
        by path (none when not resize: a check plans them only). A picture that cannot be
        resized is shown as it is, with a warning."""
        shown = {item.image.src for item in (*index.articles, *index.actors.values(), *index.authors.values())
                 if item.image}
        found, made, self.resized = {}, {}, []
        for src in sorted(src for src in shown if src in files):
            data = files[src]
            digest = hashlib.sha256(data).hexdigest()
            entry = self.read.reported("pictures", (src, digest, resize),
                                       lambda local, s=src, d=data, h=digest: self._resized(s, d, h, resize, local), diags)
            if entry is None:
                continue
            picture, sizes = entry
            if any(variant.path in made for variant in picture.variants):
                diags.warning(Location("content/" + src), "another picture's resized files have the same names, "
                              "so this one is shown as it is", "rename one of the two files")
                continue
            found[src] = picture
            made.update(zip((variant.path for variant in picture.variants), sizes))
        index.pictures = found
        return made

    def _resized(self, src: str, data: bytes, digest: str, resize: bool, diags: Diagnostics):
        """The picture's plan and its resized files' bytes (none when not resize), taken from
        the cache folder when a build resized it before; None, with a warning, when it cannot
        be resized, and None for a kind that is shown as it is."""
        where = Location("content/" + src)
        try:
            picture = pictures.plan(src, data)
            if picture is None or not resize:
                return (picture, []) if picture is not None else None
            keys = [(digest, v.path, v.width, v.kind, pictures.VERSION) for v in picture.variants]
            sizes = [self.disk.load("picture", key, bytes) for key in keys] if self.disk is not None else [None]
            if None in sizes:
                sizes = pictures.resize(data, picture.variants)
                if self.disk is not None:
                    for key, size in zip(keys, sizes):
                        self.disk.save("picture", key, size, bytes)
            self.resized.extend(keys)
            return picture, sizes
        except pictures.TooLarge as exc:
            diags.warning(where, f"the picture is not resized: {exc}", "save a smaller copy of it in content/media/")
        except Exception as exc:  # noqa: BLE001 - what a damaged file makes Pillow raise varies
            diags.warning(where, f"the picture cannot be resized ({type(exc).__name__}: {exc}), so it is shown as "
                          "it is, at its full size", "save it again as a JPEG or PNG")
        return None

    def _image_sizes(self, media: dict[str, Path], diags: Diagnostics) -> dict[str, tuple[int, int]]:
        """The width and height of every media image (by its media/ path), read again only
        from files whose size or times changed."""
        sizes = {}
        for rel, path in media.items():
            key = _file_key(path)
            if key is not None:
                size = self.read.reported("image size", (rel, key), lambda _, p=path: loader.image_size(p), diags)
                if size:
                    sizes[f"media/{rel}"] = size
        return sizes

    def _resolve(self, config: SiteConfig, read: tuple, articles: list[Article],
                 bodies: dict, markup: Markup, diags: Diagnostics) -> SiteIndex:
        """resolve.resolve, step by step, each step's result taken from the last build while
        what it is made from is the same."""
        kept = self.linking
        actors, known, (authors, author_slugs) = read
        people = kept.same("cast", markup, resolve.cast(actors, known), resolve.Cast.same_as)
        linked = []
        for article in articles:
            body = bodies.get(article.slug)
            told = kept.made("told", (article, markup), None, lambda a=article: resolve.told(a, markup))
            linked.append(kept.made("link", (article, body, told), people,
                                    lambda a=article, b=body, t=told: resolve.link(a, b, t, people, markup)))
        summaries = {slug: kept.made("summary", (actor, markup), people,
                                     lambda a=actor: resolve.actor_summary(a, people, markup))
                     for slug, actor in people.actors.items()}
        bios = {author.slug: kept.made("bio", (author, markup), people,
                                       lambda a=author: resolve.author_bio(a, people, markup))
                for author in authors}
        staff = resolve.staff(authors, author_slugs, bios)
        published = resolve.publish(people, articles, linked, self.drafts, diags, staff)
        events, problems = kept.made("events", self._tellings(published), None, lambda: _merged(published))
        diags.extend(problems)
        index = resolve.assemble(config, people, published, events, summaries, staff)
        # what connects the actors, as the last build worked it out while what it is made of is equal
        index.connections = kept.same("connections", None, index.connections)
        kept.turn()
        return index

    def _tellings(self, published: list) -> tuple:
        """What the merged events are made of: each published article, in order, and its
        events as linking told them, the last build's tuple while they are equal. An edit
        to an article's text keeps its Article object (see _content), and so finds the
        last merge again; an edit to its front matter makes a new one, and merges anew."""
        same = self.linking.same
        return (*(article for article, _ in published),
                *(same("tellings", article.slug, made.events) for article, made in published))

    def _read_actors(self, sources, diags: Diagnostics) -> tuple[list[Actor], set[str]]:
        """The actors read (again only if their file changed), and every actor slug there is,
        those of files that could not be read included."""
        return self._read_people(sources.actors, "actor", actor_from_file, diags)

    def _read_authors(self, sources, diags: Diagnostics) -> tuple[list[Author], set[str]]:
        """The authors, as _read_actors reads the actors."""
        return self._read_people(sources.authors, "author", author_from_file, diags)

    def _read_people(self, files, kind: str, reader, diags: Diagnostics) -> tuple[list, set[str]]:
        found, known, seen = [], set(), {}
        for source in files:
            slug = Path(source.rel).stem
            if not SLUG.match(slug):
                diags.error(Location(source.rel, 1), f"'{Path(source.rel).name}' cannot be an {kind} file name: "
                            f"the file name is the {kind}'s slug", "rename it, " + SLUG_HINT)
                continue
            if slug in seen:
                diags.error(Location(source.rel, 1), f"the {kind} slug '{slug}' is already used by {seen[slug]}",
                            f"keep one file per {kind}")
                continue
            seen[slug] = source.rel
            known.add(slug)
            made = self.read.reported(kind, (source.rel, source.digest), lambda d, s=source: reader(s, d), diags)
            if made is not None:
                found.append(made)
        known |= {slug for slug in loader.failed_actor_slugs(self.site_root, kind + "s") if SLUG.match(slug)}
        return found, known

    def remember(self) -> None:
        """Record in the disk cache what output/ now holds, for the next command-line build."""
        if self.disk is not None and self._last is not None:
            signature, _, paths, left_out = self._last
            self.disk.save("output", str(self.output.resolve()),
                           OutputRecord(self.written, signature, tuple(paths), left_out, self.stamped), OutputRecord)
            if self.unsaved and self.records is not None:  # apart, as a build with nothing changed needs none
                self.disk.save(READS, str(self.output.resolve()), stored(self.records, self._loaded), StoredRecords)
                self.unsaved = False

    def _last_records(self) -> Records:
        """What each page of the last build read: kept in memory, or on disk for a new process."""
        if self.records is None:
            saved = self.disk.load(READS, str(self.output.resolve()), StoredRecords) if self.disk else None
            self.records = from_stored(saved) if saved is not None else EMPTY
            self._loaded = (self.records, saved) if saved is not None and self.records is not EMPTY else None
        return self.records

    # How the preview's builder does what the command line's does otherwise.

    def _read_file(self, root: Path, path, diags: Diagnostics):
        """A source file as load.read_text reads it (taken from the last read while unchanged)."""
        return self.files.read(root, path, diags)

    def _articles_read(self, keys: list) -> None:
        """Called with the key of every article once they are read, when nothing so far is
        wrong: the keys that the cache folder's article entries may keep."""

    def _workers(self, articles: int) -> int:
        """How many processes render the pages: this one, whose pages the next build reuses."""
        return 1

    def _copy_of(self):
        """Where the pages of the last build can be copied from when output/ lost them, if anywhere."""
        return None

    def _written(self, records: Records) -> None:
        """Called once output/ holds what a build made, with what its pages read."""

    def _intact(self) -> bool:
        """Whether output/ holds the files the last build left there, by size, time and inode,
        with its list of them, and no commit of another build waits beside it."""
        written, output = self.written, self.output
        return (output / MANIFEST).is_file() and not staging_folder(output).exists() and \
            all(rel in written and stat_key(os.path.join(output, rel)) == written[rel][0] for rel in self._last[2])

    def _signature(self, sources, theme: tuple, statics: dict[str, Path]) -> str:
        """A digest of everything a build is made from: source texts, media, templates
        (theme, their theme_key) and options."""
        texts = tuple((s.rel, s.digest) for s in (sources.config, *sources.articles, *sources.actors, *sources.authors) if s)
        media = tuple((rel, _file_key(path)) for rel, path in sources.media)
        assets = tuple((rel, _file_key(path)) for rel, path in statics.items())
        manager = cms.distribution(self.site_root)  # its script, copied when site.yaml turns it on
        assets += (("cms", _file_key(manager / "decap-cms.js") if manager else None),)
        made_from = (texts, media, theme, assets, self.base_url, self.drafts, self.search)
        return hashlib.blake2b(pickle.dumps(made_from, pickle.HIGHEST_PROTOCOL), digest_size=16).hexdigest()

    def indexing(self) -> search.Indexing:
        """A refresh of the search index for the pages output/ holds (not yet started)."""
        if self.searching is None and self.disk is not None:
            self.searching = self.disk.load("search", str(self.output.resolve()), search.SearchRecord)
        pages = {rel: sum_ for rel, (_, sum_) in self.written.items() if rel.endswith(".html")}
        return search.Indexing(self.output, pages, self.searching, self.disk)

    def indexed(self, indexing: search.Indexing) -> None:
        """Called when an indexing is over or stopped: what output/pagefind/ holds now."""
        self.searching = indexing.known()
        if indexing.record is not None and self.disk is not None:
            self.disk.save("search", str(self.output.resolve()), indexing.record, search.SearchRecord)

    def index_search(self) -> str | None:
        """Index the written site for search, on every core (carrying on with the indexing
        the build began, if it began one); a problem (a warning, not an error) or None."""
        with collector_off():  # the model is still alive: see collector_off
            if self.begun is None:
                self.begun = self.indexing()
                self.begun.start(jobs=_cores())
            problem = self.begun.wait()  # stopped by stop_search if cut short (Ctrl-C)
            indexing, self.begun = self.begun, None
            self.indexed(indexing)
        return problem

    def stop_search(self) -> None:
        """Stop the indexing the build began, if any, leaving output/pagefind/ as it was."""
        if self.begun is not None:
            self.begun.stop()
            self.begun = None


class OneShot(Builder):
    """Builds a site one time (the command line): nothing is kept in memory, a big site's
    pages are rendered on every core, and what the next command-line build can reuse is
    kept in the site's cache folder: each article read and rendered, what each page read,
    and a copy of each page, so that a runner with the cache but no output/ writes the
    unchanged pages without rendering them (cache.py)."""

    keeps = False

    def __init__(self, *args, **options):
        super().__init__(*args, **options)
        self.known: KNOWN = {}
        self.digests_read: dict[str, str] = {}  # an article file's path -> its text's digest, once all are read
        if self.disk is not None:
            saved = self.disk.load("output", str(self.output.resolve()), OutputRecord)
            # the stamps and digests of the article files the last build read
            self.known = self.disk.load("sources", str(self.site_root.resolve()), KNOWN) or {}
            if saved is not None:  # what the last command-line build left in output/
                self.written = saved.written
                self.records = None  # read from the disk when a build needs them (_last_records)
                self._last = (saved.signature, None, list(saved.paths), saved.drafts_left_out)
                self.stamped = saved.stamped

    def _read_file(self, root: Path, path, diags: Diagnostics):
        """The file's text, checked (load.read_text); for an article whose stamp (reuse.Stamps)
        is the one the last build recorded with its digest, a Source with no text (None), to
        be read only if the cache lacks what was made of it (Builder._read_unread)."""
        if self.looked is not None and self.known:
            rel = loader.relative(root, path)
            known = self.known.get(rel)
            if known is not None and rel.startswith(ARTICLES) and self.looked.found.get(rel) == known[0]:
                return loader.Source(rel, None, known[1])
        return loader.read_text(root, path, diags)

    def _resolve(self, config: SiteConfig, read: tuple, articles: list[Article],
                 bodies: dict, markup: Markup, diags: Diagnostics) -> SiteIndex:
        actors, known, authors = read
        return resolve.resolve(config, actors, known, articles, bodies, markup, self.drafts, diags, authors)

    def _articles_read(self, keys: list) -> None:
        if self.disk is not None:
            self.disk.keep_only("article", keys)
        self.digests_read = {key[0]: key[1] for key in keys}

    def _workers(self, articles: int) -> int:
        """All cores for a big site, when forking is safe (no other threads, whose locks a
        forked process would inherit)."""
        return _cores() if articles >= PARALLEL_FROM and threading.active_count() == 1 else 1

    def _copy_of(self):
        return self.disk.link_copy if self.disk is not None else None

    def _written(self, records: Records) -> None:
        if self.search:  # begun now, so that Pagefind runs while the cache is brought up to date
            self.begun = self.indexing()  # known before it starts anything, for stop_search
            self.begun.start(jobs=_cores())
        if self.disk is not None and self.showing is not None and self.showing != self.last_shown():
            self.disk.save_lasting(published.RECORD, self.showing, SHOWN)
            self._shown = None  # read again, with the file's new stamp
        if self.disk is not None:  # for a build with this cache and no output/
            pages = {path: digest for path, (_, digest) in records.pages.items()}
            self.disk.keep_copies(self.output, pages)
            self.disk.keep_copies_only(pages.values())
            self.disk.keep_only("picture", self.resized)
            found = self.looked.found if self.looked is not None else {}
            known = {rel: (found[rel], digest) for rel, digest in self.digests_read.items() if rel in found}
            if known != self.known:
                self.disk.save("sources", str(self.site_root.resolve()), known, KNOWN)
                self.known = known
        self.remember()


def build(site_root: Path, output: Path | None = None, base_url: str | None = None,
          drafts: bool = False, write: bool = True, search_index: bool = False) -> BuildResult:
    """Build the site at site_root once; write to output only when nothing is wrong, and
    index it for search when asked to."""
    # check (write=False) writes nothing at all, not even the cache
    builder = OneShot(site_root, output, base_url, drafts, search=search_index, cache=write)
    try:
        result = builder.build(write)
        if search_index and result.ok and write:
            problem = builder.index_search()
            if problem:
                result.diagnostics.warning(Location("output/" + search.FOLDER), problem)
    finally:
        builder.stop_search()  # one the build began and nothing waited for
    return result
