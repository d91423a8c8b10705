"""The built pages in real headless Chromium: filters, passages in context, no JavaScript,
phone width, and no request to another host."""

import os
import re
from urllib.parse import urlsplit

import pytest

from conftest import MINIMAL
from generator.build import build
from tools.browser import chromium_path
from tools.sitehttp import SiteServer

pytestmark = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                                reason="no chromium here: apt-get install chromium (CI installs it)")

PAGES = ["", "articles/", "articles/russia-asks-china-for-aid/", "actors/", "actors/zhao-lijian/",
         "timeline/", "quotes/", "404.html"]


@pytest.fixture(scope="module")
def base(demo):
    result, out = demo
    with SiteServer(out, result.index.config.prefix) as url:
        yield url


def test_timeline_filter_by_actor(browser, base):
    page = browser.new_page()
    page.goto(base + "timeline/")
    events = page.locator(".event")
    total = events.count()
    assert total >= 6 and page.locator("form.filters").is_visible()
    page.select_option("#filter-actor", "zhao-lijian")
    visible = page.locator(".event:visible")
    assert 0 < visible.count() < total
    for i in range(visible.count()):
        assert "zhao-lijian" in visible.nth(i).get_attribute("data-actors").split()
    assert page.locator(".filter-count").inner_text() == f"{visible.count()} of {total} shown"
    assert "actor=zhao-lijian" in page.url
    page.goto(base + "timeline/?actor=jake-sullivan")
    assert page.locator("#filter-actor").input_value() == "jake-sullivan"
    page.select_option("#filter-actor", "")
    assert page.locator(".event:visible").count() == total
    page.close()


def test_quote_filters_by_speaker_subject_and_words(browser, base):
    page = browser.new_page()
    page.goto(base + "quotes/")
    total = page.locator(".filter-item").count()
    page.select_option("#filter-speaker", "liu-pengyu")
    assert page.locator(".filter-item:visible").count() == 4
    page.select_option("#filter-speaker", "")
    page.fill("#filter-text", "LIFELINE")
    assert page.locator(".filter-item:visible").count() == 1
    assert "lifeline to Russia" in page.locator(".filter-item:visible").inner_text()
    page.fill("#filter-text", "")
    page.select_option("#filter-about", "united-states")
    assert 0 < page.locator(".filter-item:visible").count() < total
    page.close()


def test_in_context_link_lands_on_the_highlighted_passage(browser, base):
    page = browser.new_page()
    page.goto(base + "quotes/")
    link = page.locator(".filter-item", has_text="malicious intentions").get_by_role("link", name="Read it in context")
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("articles/russia-asks-china-for-aid/#quote-6")
    target = page.locator(":target")
    assert "with malicious" in target.inner_text()
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert target.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    page.close()


def test_in_context_marks_the_whole_passage_and_only_it(browser, site, tmp_path):
    """A passage across a link is in several parts, of which only the first has the quote's id:
    the link to the quote marks every part, and not the next quote's passage beside it."""
    root = site({"content/articles/first.md": (
        "---\ntitle: First\ndate: 2024-05-06\nsources:\n  - publisher: Wire\nquotes:\n"
        "  - speaker: ana-lima\n    text: \"we asked Ana Lima to build it\"\n"
        "  - speaker: ana-lima\n    text: \"and she said yes\"\n"
        "  - speaker: ana-lima\n    text: \"at once\"\n---\n\n"
        "They said: \u201cwe asked [[ana-lima|Ana Lima]] to build it\u201d \u201cand she said yes\u201d "
        "\u201cat once\u201d.\n")})
    result = build(root, output=tmp_path / "out")
    assert result.ok
    marked = "e => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)'"
    with SiteServer(tmp_path / "out", result.index.config.prefix) as url:
        page = browser.new_page()
        page.goto(url + "articles/first/")
        assert not page.locator("#quote-1").evaluate(marked)
        page.goto(url + "articles/first/#quote-1")
        parts = page.locator(".part-of-quote-1")
        assert parts.count() == 2 and "to build it" in parts.last.inner_text()
        assert page.locator("#quote-1").evaluate(marked)
        assert all(parts.nth(i).evaluate(marked) for i in range(parts.count()))
        assert not page.locator("#quote-2").evaluate(marked)
        page.goto(url + "articles/first/#quote-2")
        assert page.locator("#quote-2").evaluate(marked) and not parts.first.evaluate(marked)
        assert not page.locator("#quote-3").evaluate(marked)
        page.close()


def test_headlines_read_as_headlines_and_quote_cards_lead_with_the_words(browser, base):
    page = browser.new_page()
    page.goto(base)
    looks = page.locator(".teaser-title a").first.evaluate(
        "a => [getComputedStyle(a).textDecorationLine, getComputedStyle(a).color, getComputedStyle(document.body).color]")
    assert looks[0] == "none" and looks[1] == looks[2]
    page.goto(base + "quotes/")
    card = page.locator("figure.quote").first
    assert card.evaluate("f => f.firstElementChild.tagName") == "BLOCKQUOTE"
    sizes = card.evaluate("f => [f.querySelector('blockquote'), f.querySelector('figcaption')]"
                          ".map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes[0] >= 1.3 * sizes[1]
    assert card.locator("figcaption > *").count() == 1  # date, context, medium, passage and source: one line
    page.close()


def test_an_article_shows_each_quote_once_in_its_text(browser, base):
    """The text carries the quotes, marked; beside it each has one line that links to its passage."""
    page = browser.new_page()
    page.goto(base + "articles/russia-asks-china-for-aid/")
    assert page.locator("figure.quote").count() == 0
    links = page.locator(".story-rail .said a.said-what")
    assert links.count() == page.locator(".story-body .passage[id]").count() > 0
    for i in range(links.count()):
        anchor = links.nth(i).get_attribute("href")
        assert page.locator(f".story-body {anchor}.passage").count() == 1
    page.close()


def test_the_timeline_has_shape(browser, base):
    """A line down the events with the dates beside it; an event dated by a span is drawn as
    a bar, a key event with a larger mark and its label."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "timeline/")
    marks = page.locator(".timeline .event").evaluate_all("""events => events.map(e => {
        const mark = getComputedStyle(e.querySelector('.what'), '::before');
        return [e.id, e.classList.contains('span'), e.classList.contains('key'),
                parseFloat(mark.width), parseFloat(mark.height),
                e.querySelector('.when').getBoundingClientRect().right <= e.querySelector('.what').getBoundingClientRect().left];
    })""")
    dot = next(m for m in marks if not m[1] and not m[2])
    assert all(m[5] for m in marks)  # every date in the margin, left of the line
    for event_id, span, key, width, height, _ in marks:
        if span:
            assert height > 2.5 * dot[4], event_id
        if key:
            assert width > dot[3], event_id
            assert page.locator(f"#{event_id} .key-label").inner_text().lower() == "key event"
    assert any(m[1] for m in marks) and any(m[2] for m in marks)
    page.close()


def test_print_keeps_the_story_and_drops_the_screens_furniture(browser, base, site, tmp_path):
    """On paper: no rail, jump lists or links row with their separators, no accent colour,
    the address of every source, and an article in about the pages its text needs."""
    page = browser.new_page(color_scheme="dark")
    page.goto(base + "articles/russia-asks-china-for-aid/")
    page.emulate_media(media="print")
    hidden = "e => getComputedStyle(e).display === 'none'"
    assert page.locator(".story-rail").evaluate(hidden) and page.locator(".site-footer .links").evaluate(hidden)
    for selector in (".kicker a", "body"):
        red, green, blue = page.locator(selector).first.evaluate(
            "e => getComputedStyle(e).color.match(/\\d+/g).slice(0, 3).map(Number)")
        assert max(red, green, blue) - min(red, green, blue) < 16  # grey or black, not the accent
    assert page.locator("body").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))
    words = len(page.locator(".story-body").inner_text().split())
    assert 1 <= pages <= words // 400 + 2  # about 500 words an A4 page, and one for the headline and picture
    page.goto(base + "quotes/")
    page.emulate_media(media="print")
    assert page.locator(".toc").evaluate(hidden)
    page.close()
    root = site({"content/articles/first.md": MINIMAL["content/articles/first.md"].replace(
        "  - publisher: Wire\n", "  - publisher: Wire\n    url: https://wire.example/story\n")})
    result = build(root, output=tmp_path / "out")
    with SiteServer(tmp_path / "out", result.index.config.prefix) as url:
        page = browser.new_page()
        page.goto(url + "articles/first/")
        page.emulate_media(media="print")
        printed = page.locator(".sources a").evaluate("a => getComputedStyle(a, '::after').content")
        assert "https://wire.example/story" in printed
        page.close()


def test_pages_work_without_javascript(browser, base):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "timeline/")
    assert not page.locator("form.filters").is_visible()
    assert page.locator(".event:visible").count() == page.locator(".event").count() >= 6
    page.goto(base + "quotes/")
    assert page.locator(".filter-item:visible").count() == 8
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_width_has_no_sideways_scroll_and_no_foreign_requests(browser, base, scheme):
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme)
    page = context.new_page()
    hosts, failures = set(), []
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    page.on("requestfailed", lambda r: failures.append(r.url) if "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("response", lambda r: failures.append(r.url) if r.status >= 400 and "missing" not in r.url else None)
    for path in PAGES:
        page.goto(base + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide}px wide on a 360px phone"
    assert hosts == {urlsplit(base).netloc}
    assert failures == []
    context.close()


def test_unknown_address_gets_the_404_page(browser, base):
    page = browser.new_page()
    response = page.goto(base + "articles/no-such-story/deeper/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.locator("link[rel=stylesheet]").evaluate("l => l.sheet.cssRules.length") > 10
    page.close()


def test_keyboard_reaches_the_skip_link_first(browser, base):
    page = browser.new_page()
    page.goto(base)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip").is_visible()
    page.close()
