"""A big site's pages rendered on every core, for a build made once (the command line).

The pages are planned in this process, then processes forked from it render parts of the
plan, each straight into the staging folder, and report back what they staged. Forking
shares the planned pages and the whole site with those processes without copying or
pickling them; what they render stays with them, so the next build in this process (there
is none on the command line) would render every page again."""

from __future__ import annotations

import gc
import multiprocessing

import jinja2

from .diagnostics import Diagnostics
from .render import ELSEWHERE, PageCache, Pages
from .resolve import SiteIndex

SHARES = 8  # parts of the plan for each process: neighbouring pages share fragments, and
# processes that finish early take the next part

_PART = None  # in a forked process only: (pages, staging, ordered plan, parts)


def _start(pages: Pages, staging, ordered: list, parts: int) -> None:
    """In each forked process, before its first part: what it renders. The collector, which
    the build turned off, is turned on for what rendering leaves, and the objects the fork
    brought are frozen, so that collecting neither scans nor writes to them (written pages
    stop being shared with the parent)."""
    global _PART
    _PART = (pages, staging, ordered, parts)
    pages.keep_inputs = False
    gc.freeze()
    gc.enable()


def _render_part(number: int):
    """In a forked process: the number-th part of the plan. (path, digest, staged) for each
    page, the problems found, and how many pages were rendered."""
    pages, staging, ordered, parts = _PART
    pages.fresh, pages.diags.items, pages.cache.rendered = {}, [], 0
    staging.staged, staging.kept = {}, {}
    size = -(-len(ordered) // parts)
    reports = []
    for path, key, make in ordered[number * size:(number + 1) * size]:
        pages.one(staging, path, key, make)
        if path in pages.fresh:
            reports.append((path, pages.fresh[path][1], path in staging.staged))
    return reports, pages.diags.items, pages.cache.rendered


def render_pages(index: SiteIndex, env: jinja2.Environment, diags: Diagnostics, cache: PageCache, theme: tuple,
                 staging, workers: int, search: bool = False) -> list[str]:
    """Every page rendered into staging by workers forked processes (see render.render_pages
    for the arguments); the paths of the site's files."""
    pages = Pages(index, env, diags, cache, theme, search)
    pages.build()
    index.related  # worked out once, here, rather than in each process
    parts = workers * SHARES
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start, initargs=(pages, staging, pages.plan, parts)) as pool:
        done = pool.map(_render_part, range(parts), chunksize=1)
    for reports, problems, rendered in done:
        staging.record(reports)
        for rel, digest, _ in reports:
            pages.fresh[rel] = (ELSEWHERE, digest)
        diags.items.extend(problems)
        cache.rendered += rendered
    if not diags.errors:
        cache.pages, cache.fragments, cache.everything = pages.fresh, {}, None
    return sorted(pages.fresh)
