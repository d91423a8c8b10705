"""Large sites stay usable: past 500 events the timeline gets a page a year, past 500 quotes
the quote index a page a speaker (paginated), and actors with long lists get more pages.
Small sites, like the demo, keep their single pages."""

import json
import os
import re

import pytest

from bench.corpus import write_corpus
from conftest import tree_digest
from checks import broken_fragments, broken_links, nu_errors, tools_missing
from generator.build import Builder, OneShot, build
from tools.sitehttp import SiteServer


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(300, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def big(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = build(corpus, output=out)
    assert result.ok, [d.format() for d in result.diagnostics.errors]
    return out, result.index


def test_pages_rendered_in_several_processes_equal_those_rendered_in_one(corpus, big, tmp_path):
    """The command line renders a big site's pages on every core; the preview, in one process."""
    out, _ = big
    single = tmp_path / "single"
    builder = Builder(corpus, output=single)
    assert builder._workers(300) == 1 and OneShot(corpus)._workers(300) > 1
    assert builder.build().ok
    def contents(folder):
        return {path: digest.split(":")[0] for path, digest in tree_digest(folder).items()}

    assert contents(single) == contents(out)


def test_timeline_has_a_page_a_year(big):
    out, index = big
    years = sorted({e.date.year for e in index.events})
    front = (out / "timeline/index.html").read_text()
    for year in years:
        assert f'href="/bench/timeline/{year}/"' in front
        page = (out / f"timeline/{year}/index.html").read_text()
        ids = re.findall(r'<li class="event[^"]*" id="event-([^"]+)"', page)
        assert ids == [e.id for e in index.events if e.date.year == year]
    data = json.loads((out / "data/explainer.json").read_text())
    first = data["events"][0]
    assert first["url"].endswith(f"/timeline/{first['date'][:4]}/#event-{first['id']}")


def test_quote_index_has_a_page_a_speaker(big):
    out, index = big
    front = (out / "quotes/index.html").read_text()
    total = 0
    for slug, quotes in index.quotes_by_speaker.items():
        assert f'href="/bench/quotes/{slug}/"' in front
        pages = [out / f"quotes/{slug}/index.html"] + sorted((out / f"quotes/{slug}/page").glob("*/index.html"))
        shown = sum(p.read_text().count('class="filter-item"') for p in pages if p.exists())
        assert shown == len(quotes)
        total += shown
    assert total == len(index.quotes) > 500


def test_popular_actors_paginate_and_every_item_is_on_one_page(big):
    out, index = big
    articles = index.articles_by_actor["actor-0"]
    assert len(articles) > 50
    pages = [out / "actors/actor-0/index.html"] + [out / f"actors/actor-0/page/{n}/index.html"
                                                    for n in range(2, (len(articles) + 49) // 50 + 1)]
    text = "".join(p.read_text() for p in pages)
    for article in articles:
        assert text.count(f'class="teaser-title"><a href="/bench/articles/{article.slug}/"') == 1
    assert 'rel="next"' in pages[0].read_text() and 'aria-current="page"' in pages[1].read_text()


def test_no_page_is_too_large(big):
    out, _ = big
    for page in out.rglob("*.html"):
        assert page.stat().st_size < 1_000_000, page


@pytest.mark.skipif(tools_missing() is not None and not os.environ.get("CI"), reason=str(tools_missing()))
def test_split_pages_are_valid_and_their_links_resolve(big):
    out, _ = big
    assert nu_errors(out) == []
    assert broken_fragments(out, "/bench/") == []
    with SiteServer(out, "/bench/") as url:
        assert broken_links(url) == []
