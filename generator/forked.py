"""A big site's pages rendered on every core, for a build made once (the command line).

The pages are planned in this process; then it forks a process for each other core, and all
of them, this one included, take parts of the plan in turn and render them straight into the
staging folder; the forked ones report back what they staged. Forking shares the planned
pages and the whole site with those processes without copying or pickling them; what they
render stays with them, so the next build in this process (there is none on the command
line) would render every page again."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing

import jinja2

from .diagnostics import Diagnostics
from .render import ELSEWHERE, PageCache, Pages
from .resolve import SiteIndex

SHARES = 16  # parts of the plan for each process: neighbouring pages share fragments, and
# processes that finish early take the next part

_SHARE = None  # in a forked process only: the arguments of _render_parts


def _start(*share) -> None:
    """In each forked process, before it renders: what it renders with, and only what it
    makes itself is to be reported."""
    global _SHARE
    _SHARE = share
    pages, staging = share[0], share[1]
    pages.fresh, pages.diags.items, pages.cache.rendered = {}, [], 0
    staging.staged, staging.kept = {}, {}
    _collect_young()


def _collect_young() -> None:
    """The collector, which the build turned off, is turned on for what rendering leaves,
    and the objects there are now are frozen, so that collecting neither scans nor writes to
    them (a written page of memory stops being shared between the processes)."""
    gc.freeze()
    gc.enable()


def _give_back_free_memory() -> None:
    """Return to the system the memory freed so far (the article texts and Markdown, once
    linked), which C's allocator would otherwise keep, and every forked process with it.
    Only the GNU C library has malloc_trim; elsewhere nothing is done."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass


def _render_parts(pages: Pages, staging, ordered: list, parts: int, counter) -> list[tuple]:
    """Parts of the plan, taken in turn until none is left: (path, digest, staged) for each
    page made."""
    size = -(-len(ordered) // parts)
    reports = []
    while True:
        with counter.get_lock():
            number = counter.value
            counter.value += 1
        if number >= parts:
            return reports
        pages.by_item.clear()  # fragments are shared by neighbouring pages: let the others go
        _give_back_free_memory()  # what the last part (the data files, say) used for a moment
        for path, key, make in ordered[number * size:(number + 1) * size]:
            pages.one(staging, path, key, make)
            if path in pages.fresh:
                reports.append((path, pages.fresh[path][1], path in staging.staged))


def _forked_share():
    """In a forked process: the pages it rendered, the problems found, how many pages."""
    pages = _SHARE[0]
    return _render_parts(*_SHARE), pages.diags.items, pages.cache.rendered


def render_pages(index: SiteIndex, env: jinja2.Environment, diags: Diagnostics, cache: PageCache, theme: tuple,
                 staging, workers: int, search: bool = False) -> list[str]:
    """Every page rendered into staging by this process and workers - 1 forked ones (see
    render.render_pages for the arguments); the paths of the site's files."""
    pages = Pages(index, env, diags, cache, theme, search)
    pages.build()
    pages.keep_inputs = False  # no next build here reuses them
    index.related  # worked out once, here, rather than in each process
    _give_back_free_memory()
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    # the data files first: making them takes a hundred megabytes for a moment, which is
    # best spent before rendering has copied much of the site into each process
    ordered = sorted(pages.plan, key=lambda item: not item[0].startswith("data/"))
    share = (pages, staging, ordered, workers * SHARES, counter)
    with context.Pool(workers - 1, initializer=_start, initargs=share) as pool:
        forked = [pool.apply_async(_forked_share) for _ in range(workers - 1)]
        enabled = gc.isenabled()
        _collect_young()
        try:
            _render_parts(*share)
        finally:
            gc.unfreeze()
            if not enabled:
                gc.disable()
        done = [result.get() for result in forked]
    for reports, problems, rendered in done:
        staging.record(reports)
        for rel, digest, _ in reports:
            pages.fresh[rel] = (ELSEWHERE, digest)
        diags.items.extend(problems)
        cache.rendered += rendered
    if not diags.errors:
        cache.pages, cache.fragments, cache.everything = pages.fresh, {}, None
    return sorted(pages.fresh)
