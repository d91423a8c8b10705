"""The record of trust: corrections and updates, shown on the article, listed site-wide with
their own feed, and carried in the JSON-LD and data/explainer.json."""

import json
import re

import feedparser
import pytest

from conftest import ROOT
from generator import reuse
from generator.build import build

HARBOUR = ROOT / "tests" / "sites" / "harbour"


def ld_graph(page: str) -> list:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))["@graph"]


def test_an_article_shows_its_corrections_at_the_top_and_in_full_at_its_foot(tmp_path):
    out = tmp_path / "out"
    assert build(HARBOUR, output=out).ok
    page = (out / "articles/bridge-vote/index.html").read_text()
    notice = re.search(r'<p class="notice[^"]*"[^>]*>(.*?)</p>', page).group(1)
    assert "<strong>Update</strong>" in notice and "14 June 2024" in notice and 'href="#correction-2"' in notice
    assert "1 earlier entry" in notice
    foot = page[page.index('<section class="corrections"'):page.index("</section>", page.index('class="corrections"'))]
    assert foot.index('id="correction-2"') < foot.index('id="correction-1"')  # newest first
    assert "by two votes. It was one." in foot
    assert 'href="/news/harbour/actors/wang-xiaoming/"' in foot  # names in an entry are linked, as in the text
    assert page.index('class="notice') < page.index('class="story-body"') < page.index('class="corrections"')
    main = next(node for node in ld_graph(page) if node["@type"] == "NewsArticle")
    assert main["dateModified"] == "2024-06-14"
    assert [(c["@type"], c["datePublished"], c["url"].rsplit("/", 1)[1]) for c in main["correction"]] == [
        ("CorrectionComment", "2024-06-13", "#correction-1"), ("CorrectionComment", "2024-06-14", "#correction-2")]
    data = json.loads((out / "data/explainer.json").read_text())
    entry = next(a for a in data["articles"] if a["slug"] == "bridge-vote")
    assert [c["kind"] for c in entry["corrections"]] == ["correction", "update"]


def test_every_correction_is_listed_newest_first_with_a_feed_readers_can_follow(tmp_path):
    out = tmp_path / "out"
    assert build(HARBOUR, output=out).ok
    page = (out / "corrections/index.html").read_text()
    listed = re.findall(r'href="/news/harbour/articles/bridge-vote/#correction-(\d)"', page)
    assert listed == ["2", "1"]
    assert 'type="application/atom+xml"' in page and "corrections/feed.xml" in page
    home = (out / "index.html").read_text()
    assert 'href="/news/harbour/corrections/">Corrections</a>' in home
    feed_url = "https://example.org/news/harbour/corrections/feed.xml"
    feed = feedparser.parse((out / "corrections/feed.xml").read_bytes(),
                            response_headers={"content-location": feed_url, "content-type": "application/atom+xml"})
    assert not feed.bozo, feed.bozo_exception
    assert [e.title.split(":")[0] for e in feed.entries] == ["Update", "Correction"]
    assert [e.link for e in feed.entries] == [
        "https://example.org/news/harbour/articles/bridge-vote/#correction-2",
        "https://example.org/news/harbour/articles/bridge-vote/#correction-1"]
    assert "by two votes. It was one." in feed.entries[1].content[0].value
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://example.org/news/harbour/corrections/</loc>" in sitemap


def test_a_site_without_corrections_has_no_corrections_page(demo):
    _, out = demo
    assert not (out / "corrections").exists()
    assert "/corrections/" not in (out / "index.html").read_text()


def test_the_latest_entry_dates_an_article_that_gives_no_updated_date(site, tmp_path):
    root = site({"content/articles/first.md": (
        "---\ntitle: First\ndate: 2024-05-06\nsources:\n  - publisher: Wire\n"
        "corrections:\n  - date: 2024-05-09\n    kind: clarification\n    text: Makes clear which bridge.\n"
        "  - date: 2024-05-07\n    kind: \"Editor’s note\"\n    text: Written with the council's figures.\n"
        "---\n\nText.\n")})
    result = build(root, output=tmp_path / "out")
    assert result.ok and not result.diagnostics.items
    article = result.index.article("first")
    assert article.updated.iso() == "2024-05-09"
    assert [c.kind for c in article.corrections] == ["editor's note", "clarification"]  # oldest first
    page = (tmp_path / "out/articles/first/index.html").read_text()
    assert "Updated <time" in page and "<strong>Clarification</strong>" in page and "Editor’s note" in page


def test_a_misattributed_quote_is_shown_apart_and_not_claimed_for_its_speaker(tmp_path):
    out = tmp_path / "out"
    result = build(HARBOUR, output=out)
    assert result.ok
    index = result.index
    wrong = next(q for q in index.quotes if q.status == "misattributed")
    assert wrong not in index.quotes_by_speaker.get("zoe-angstrom", [])  # not what she said
    assert wrong in index.attributed["zoe-angstrom"]  # but the quote index lists it, marked
    page = (out / "actors/zoe-angstrom/index.html").read_text()
    body = page[page.index("<main"):]
    said = body[body.index('id="said"'):body.index('id="wrongly"')]
    assert "Build it and they will cross" not in said
    apart = body[body.index('id="wrongly"'):]
    assert "Build it and they will cross" in apart and "Wrongly attributed to Zoë Ångström" in apart
    quote = next(n for n in ld_graph((out / "articles/history/index.html").read_text())
                 if n["@type"] == "Quotation")
    assert "creator" not in quote and quote["description"].startswith("Misattributed: No record")
    index_page = (out / "quotes/index.html").read_text()
    assert index_page.count('class="quote-status status-misattributed"') == 1
    data = json.loads((out / "data/explainer.json").read_text())
    entry = next(q for q in data["quotes"] if q["text"] == "Build it and they will cross")
    assert entry["status"] == "misattributed" and entry["status_source"]["publisher"] == "Ålesby Tidende"


def test_a_disputed_quote_is_marked_wherever_it_is_shown(tmp_path):
    out = tmp_path / "out"
    assert build(HARBOUR, output=out).ok
    for path in ("quotes/index.html", "actors/jose-nunez/index.html"):
        page = (out / path).read_text()
        page = page[page.index("<main"):]  # the quotes are in the head's JSON-LD too
        card = page[page.index("Ferries carried us"):]
        card = card[:card.index("</figure>")]
        assert '<p class="quote-status status-disputed"><strong>Disputed</strong>: The council' in card, path
    article = (out / "articles/bridge-vote/index.html").read_text()
    rail = article[article.index('<ul class="said">'):]
    assert '“Ferries carried us for a century”</a> <span class="said-status status-disputed">(disputed)</span>' in rail
    quote = next(n for n in ld_graph(article) if n["@type"] == "Quotation" and n["text"].startswith("Ferries"))
    assert quote["creator"]["name"] == "José Núñez"  # disputed, not taken away


def test_a_translated_quote_shows_the_words_as_said_and_is_found_by_either(tmp_path):
    """The translation is the quote's text; the original, marked with its language, may be
    what the article's text holds instead, and is then the passage that is marked."""
    out = tmp_path / "out"
    result = build(HARBOUR, output=out)
    assert result.ok
    quote = next(q for q in result.index.quotes if q.original == "Un puente cambia un pueblo")
    assert quote.text == "A bridge changes a town" and quote.translated_by == "Ålesby Tidende"
    article = (out / "articles/history/index.html").read_text()
    assert '«<span class="passage" id="quote-2" lang="es">Un puente cambia un pueblo</span>»' in article
    cards = (out / "quotes/index.html").read_text()
    assert '<p>“A bridge changes a town”</p><p class="quote-original" lang="es">“Un puente cambia un pueblo”</p>' in cards
    assert "translated by Ålesby Tidende (said in es, as above)" in cards
    ld = next(n for n in ld_graph(article) if n["@type"] == "Quotation" and n["text"] == "A bridge changes a town")
    assert ld["inLanguage"] == "en-GB"
    assert ld["translationOfWork"] == {"@type": "Quotation", "inLanguage": "es", "text": "Un puente cambia un pueblo"}


def test_the_demo_says_what_is_claimed_and_where_it_stands(demo):
    """US officials say Russia asked China for help; Beijing did not address it: as the
    report leaves it on 14 March 2022, not confirmed."""
    result, out = demo
    claim = next(c for c in result.index.claims if c.id == "russia-asked-china-for-help")
    assert [r.slug for r in claim.asserted_by] == ["us-officials"] and not claim.denied_by
    assert (claim.latest.verdict, claim.latest.date.iso()) == ("unconfirmed", "2022-03-14")
    page = (out / "articles/russia-asks-china-for-aid/index.html").read_text()
    box = page[page.index('<section class="claims-box"'):page.index('<div class="story-body">')]
    assert "What we don’t yet know" in box and "What we know</h3>" not in box
    assert '<span class="verdict verdict-unconfirmed">Not confirmed</span>, as of <time datetime="2022-03-14">' in box
    assert 'Claimed by <a href="/russia-china-aid/actors/us-officials/">US officials</a>' in box
    assert 'href="/russia-china-aid/articles/russia-asks-china-for-aid/#quote-2">“I’ve never heard of that.”' in box
    assert "#quote-6" in box
    assert not any(n["@type"] == "ClaimReview" for n in ld_graph(page))  # no verdict to review
    listing = (out / "claims/index.html").read_text()
    assert 'href="/russia-china-aid/articles/russia-asks-china-for-aid/#claim-russia-asked-china-for-help"' in listing
    actor = (out / "actors/us-officials/index.html").read_text()
    assert "Claims made by US officials" in actor and "asked China for military equipment" in actor
    data = json.loads((out / "data/explainer.json").read_text())
    entry = next(a for a in data["articles"] if a["slug"] == "russia-asks-china-for-aid")["claims"][0]
    assert entry["quotes"] == ["russia-asks-china-for-aid-quote-2", "russia-asks-china-for-aid-quote-6"]
    assert entry["status"] == [{"date": "2022-03-14", "verdict": "unconfirmed", "note": claim.latest.note}]


def test_a_claim_with_a_verdict_and_a_reviewer_is_a_claim_review(tmp_path):
    out = tmp_path / "out"
    assert build(HARBOUR, output=out).ok
    page = (out / "articles/bridge-vote/index.html").read_text()
    review = next(n for n in ld_graph(page) if n["@type"] == "ClaimReview")
    assert review["claimReviewed"] == "The bridge will cost the town nothing."
    assert review["reviewRating"]["alternateName"] == "False" and review["datePublished"] == "2024-06-13"
    assert review["author"] == {"@type": "Organization", "name": "Ålesby Tidende fact desk"}
    assert review["itemReviewed"]["author"][0]["name"] == "Zoë Ångström"
    box = page[page.index('<section class="claims-box"'):]
    assert "What is not true" in box and "How its standing changed" in box
    history = box[box.index("How its standing changed"):]
    assert history.index("2024-06-12") < history.index("2024-06-13")  # oldest first
    assert "Denied by" not in box and "; denied by" in box
    friends = (out / "actors/friends-of-the-harbour/index.html").read_text()
    assert "Claims denied by Friends of the Harbour" in friends
    assert ", by Ålesby Tidende fact desk." in box  # who gave the verdict, on the page too


def test_each_actor_has_a_feed_of_the_articles_they_appear_in(demo):
    result, out = demo
    base = result.index.config.base_url
    for slug, articles in result.index.articles_by_actor.items():
        feed_url = f"{base}actors/{slug}/feed.xml"
        feed = feedparser.parse((out / f"actors/{slug}/feed.xml").read_bytes(),
                                response_headers={"content-location": feed_url, "content-type": "application/atom+xml"})
        assert not feed.bozo, (slug, feed.bozo_exception)
        assert [e.link for e in feed.entries] == [f"{base}articles/{a.slug}/" for a in articles[:20]]
        assert feed.feed.links[1].href == feed_url  # rel=self
        page = (out / f"actors/{slug}/index.html").read_text()
        assert f'<link rel="alternate" type="application/atom+xml" title="{result.index.actors[slug].name}' in page
    quiet = [s for s in result.index.actors if s not in result.index.articles_by_actor]
    assert all(not (out / f"actors/{slug}/feed.xml").exists() for slug in quiet)


def test_entries_of_one_day_are_ordered_by_their_time(site, tmp_path):
    root = site({"content/articles/first.md": (
        "---\ntitle: First\ndate: 2024-05-06T08:00:00+02:00\nsources:\n  - publisher: Wire\n"
        "corrections:\n  - date: 2024-05-07T10:00:00+02:00\n    kind: correction\n    text: The later one.\n"
        "  - date: 2024-05-07T09:00:00+02:00\n    kind: update\n    text: The earlier one.\n"
        "---\n\nText.\n")})
    result = build(root, output=tmp_path / "out")
    assert result.ok
    article = result.index.article("first")
    assert [c.text for c in article.corrections] == ["The earlier one.", "The later one."]
    assert article.updated.iso() == "2024-05-07T10:00:00+02:00"
    page = (tmp_path / "out/articles/first/index.html").read_text()
    assert '<strong>Correction</strong>, <time datetime="2024-05-07T10:00:00+02:00">' in page[:page.index("story-body")]


def test_an_article_names_its_authors_who_each_have_a_page_and_a_feed(tmp_path):
    out = tmp_path / "out"
    result = build(HARBOUR, output=out)
    assert result.ok
    page = (out / "articles/bridge-vote/index.html").read_text()
    byline = re.search(r'<p class="byline"[^>]*>(.*?)</p>', page).group(1)
    assert re.sub(r"<[^>]+>", "", byline) == "By Ingrid Solberg and Tomás Eide"
    assert 'rel="author" href="/news/harbour/authors/ingrid-solberg/"' in byline
    assert page.index('class="byline"') < page.index('class="meta"') < page.index('class="story-body"')
    single = (out / "articles/history/index.html").read_text()
    assert re.sub(r"<[^>]+>", "", re.search(r'<p class="byline"[^>]*>(.*?)</p>', single).group(1)) == \
        "By Ingrid Solberg, Harbour reporter"  # one author: with their role
    main = next(node for node in ld_graph(page) if node["@type"] == "NewsArticle")
    assert [(a["@type"], a["name"], a["url"]) for a in main["author"]] == [
        ("Person", "Ingrid Solberg", "https://example.org/news/harbour/authors/ingrid-solberg/"),
        ("Person", "Tomás Eide", "https://example.org/news/harbour/authors/tomas-eide/")]

    profile = (out / "authors/ingrid-solberg/index.html").read_text()
    listed = re.findall(r'<h3 class="teaser-title"><a href="/news/harbour/articles/([^/]+)/"', profile)
    assert listed == ["bridge-vote", "history"]  # newest first
    assert 'href="/news/harbour/actors/alesby-council/">Ålesby town council</a>' in profile  # names in the bio linked
    person = next(node for node in ld_graph(profile) if node["@type"] == "Person")
    assert person["jobTitle"] == "Harbour reporter" and person["sameAs"] == ["https://example.org/staff/ingrid-solberg"]
    drafted = (out / "authors/tomas-eide/index.html").read_text()  # his draft is not listed
    assert re.findall(r'class="teaser-title"><a href="/news/harbour/articles/([^/]+)/"', drafted) == ["bridge-vote"]
    everyone = (out / "authors/index.html").read_text()
    assert everyone.index("Ingrid Solberg") < everyone.index("Tomás Eide")
    assert 'href="/news/harbour/authors/">Authors</a>' in (out / "index.html").read_text()

    feed_url = "https://example.org/news/harbour/authors/ingrid-solberg/feed.xml"
    feed = feedparser.parse((out / "authors/ingrid-solberg/feed.xml").read_bytes(),
                            response_headers={"content-location": feed_url, "content-type": "application/atom+xml"})
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.author_detail.name == "Ingrid Solberg"
    assert [e.link for e in feed.entries] == ["https://example.org/news/harbour/articles/bridge-vote/",
                                              "https://example.org/news/harbour/articles/history/"]
    assert [a.name for a in feed.entries[0].authors] == ["Ingrid Solberg", "Tomás Eide"]
    assert 'type="application/atom+xml" title="Ingrid Solberg: ' in profile
    site_feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert [a.name for a in next(e for e in site_feed.entries if e.link.endswith("/history/")).authors] == \
        ["Ingrid Solberg"]

    data = json.loads((out / "data/explainer.json").read_text())
    assert [a["slug"] for a in data["authors"]] == ["ingrid-solberg", "tomas-eide"]
    assert next(a for a in data["articles"] if a["slug"] == "bridge-vote")["authors"] == ["ingrid-solberg", "tomas-eide"]


def test_a_site_without_authors_credits_its_publisher_as_before(demo):
    result, out = demo
    assert not (out / "authors").exists()
    page = (out / "articles" / result.index.articles[0].slug / "index.html").read_text()
    assert 'class="byline"' not in page
    main = next(node for node in ld_graph(page) if node["@type"] == "NewsArticle")
    assert main.get("author", {"@type": "Organization"})["@type"] == "Organization"


def test_an_edit_to_an_author_shows_on_every_page_that_names_them(tmp_path):
    from test_incremental import edit, files_of
    from generator.build import Builder
    import shutil

    root = shutil.copytree(HARBOUR, tmp_path / "site")
    builder = Builder(root, output=tmp_path / "out")
    assert builder.build().ok
    builder.files.RACY = -1
    edit(root / "content/authors/tomas-eide.yaml", "name: Tomás Eide", "name: Tomás Eide-Berg")
    assert builder.build().ok
    assert "Tomás Eide-Berg</a>" in (tmp_path / "out/articles/bridge-vote/index.html").read_text()
    assert build(root, output=tmp_path / "fresh").ok
    assert files_of(tmp_path / "out") == files_of(tmp_path / "fresh")


def silent_edit_warnings(result) -> list[str]:
    return [d.format() for d in result.diagnostics.warnings if "of this published article changed" in d.message]


@pytest.mark.parametrize("settled", [False, True], ids=["just saved", "settled"])
def test_a_published_article_changed_with_no_correction_is_warned_of_until_one_explains_it(tmp_path, monkeypatch,
                                                                                          settled):
    if settled:  # the files' stamps are trusted at once (reuse.Stamps): a build may find nothing changed unread
        monkeypatch.setattr(reuse.Stamps, "RACY", -1.0)
    import shutil
    from test_incremental import edit

    root = shutil.copytree(HARBOUR, tmp_path / "site")
    history = root / "content/articles/history.md"
    assert silent_edit_warnings(build(root)) == []  # the first build records what it published
    edit(history, 'title: "A short history of the harbour plan"', 'title: "A long history of the harbour plan"')
    edit(history, 'text: "A bridge changes a town"', 'text: "A bridge changes a city"')
    checked = build(root, write=False)
    assert silent_edit_warnings(checked) == [
        "content/articles/history.md:1:1: warning: the title of this published article changed with no correction "
        "or update: it was “A short history of the harbour plan” when last published\n"
        "  hint: add an entry to its corrections: (kind: correction, clarification or update) that says what "
        "changed; until one is added (or the change is undone) every build warns of it",
        "content/articles/history.md:20:11: warning: the quotes of this published article changed with no "
        "correction or update: “A bridge changes a town” no longer quoted; “A bridge changes a city” newly quoted\n"
        "  hint: add an entry to its corrections: (kind: correction, clarification or update) that says what "
        "changed; until one is added (or the change is undone) every build warns of it"]
    assert checked.ok  # a warning: the site still builds
    assert len(silent_edit_warnings(build(root))) == 2
    assert len(silent_edit_warnings(build(root))) == 2  # nothing changed, and it is still unexplained
    edit(history, "\nsources:", "\ncorrections:\n  - date: 2024-06-02\n    kind: update\n"
                                "    text: A new headline, and the quote in a better translation.\nsources:")
    assert silent_edit_warnings(build(root)) == []
    assert silent_edit_warnings(build(root)) == []
    edit(history, 'title: "A long history', 'title: "A longer history')  # changed again: the entry is old now
    assert len(silent_edit_warnings(build(root))) == 1
    edit(history, 'title: "A longer history', 'title: "A long history')  # undone
    assert silent_edit_warnings(build(root)) == []


def test_without_the_last_build_s_record_no_edit_can_be_told_apart(tmp_path):
    import shutil
    from test_incremental import edit

    root = shutil.copytree(HARBOUR, tmp_path / "site")
    assert build(root).ok
    shutil.rmtree(root / ".explainer-cache")  # a fresh clone, or a runner that lost its cache
    edit(root / "content/articles/history.md", 'title: "A short', 'title: "A long')
    assert silent_edit_warnings(build(root)) == []
    edit(root / "content/articles/history.md", 'title: "A long', 'title: "A short')
    assert len(silent_edit_warnings(build(root))) == 1  # the record is back: the first build made it


def test_a_record_not_written_by_this_machine_s_builds_is_not_trusted(tmp_path):
    import shutil
    from test_incremental import edit

    root = shutil.copytree(HARBOUR, tmp_path / "site")
    assert build(root).ok
    record = root / ".explainer-cache/published.json"
    data = record.read_bytes()
    record.write_bytes(data.replace(b"A short history", b"A forged history"))  # the signature no longer fits
    edit(root / "content/articles/history.md", 'title: "A short', 'title: "A long')
    assert silent_edit_warnings(build(root)) == []


def test_the_timeline_shows_when_a_claim_s_standing_changed(tmp_path):
    out = tmp_path / "out"
    assert build(HARBOUR, output=out).ok
    page = (out / "timeline/index.html").read_text()
    changes = re.findall(r'<li class="event claim-change" id="([^"]+)" data-actors="([^"]*)">.*?'
                         r'<time datetime="([^"]+)">.*?<p class="claim-standing">(.*?)</p>', page, re.S)
    assert [(i, a, d, re.sub(r"<[^>]+>", "", s).split(".")[0]) for i, a, d, s in changes] == [
        ("claim-bridge-vote-free-bridge-1", "zoe-angstrom friends-of-the-harbour", "2024-06-12", "Disputed"),
        ("claim-bridge-vote-free-bridge-2", "zoe-angstrom friends-of-the-harbour", "2024-06-13", "False (before: disputed)")]
    assert page.index('id="event-the-vote"') < page.index("claim-bridge-vote-free-bridge-1")  # after the day's vote
    assert 'href="/news/harbour/articles/bridge-vote/#claim-free-bridge"' in page
    assert '<option value="friends-of-the-harbour">' in page  # who denies it is on the filter


def test_a_split_timeline_puts_a_claim_s_change_on_the_page_of_its_days(tmp_path, monkeypatch):
    from generator import plan

    monkeypatch.setattr(plan, "SPLIT", 1)
    monkeypatch.setattr(plan, "EVENTS_PER_PAGE", 1)
    out = tmp_path / "out"
    assert build(HARBOUR, output=out).ok
    pages = {p.relative_to(out).as_posix(): p.read_text() for p in (out / "timeline").rglob("index.html")}
    holding = sorted(path for path, html in pages.items() if "claim-bridge-vote-free-bridge" in html)
    assert holding == ["timeline/2024/page/3/index.html"]  # the page that begins with 12 June's vote
    assert pages[holding[0]].count('class="event claim-change"') == 2


def test_a_claim_s_change_in_a_year_without_events_is_still_on_a_split_timeline(site, tmp_path, monkeypatch):
    from generator import plan

    monkeypatch.setattr(plan, "SPLIT", 0)
    article = ("---\ntitle: First\ndate: 2024-05-06\nsources: [{publisher: Wire}]\n"
               "events:\n  - {date: 2024-05-01, title: A vote}\n"
               "claims:\n  - id: later\n    claim: It will be cheap.\n"
               "    status: [{date: 2024-05-06, verdict: unconfirmed}, {date: 2025-02-01, verdict: false}]\n"
               "---\n\nText.\n")
    out = tmp_path / "out"
    assert build(site({"content/articles/first.md": article}), output=out).ok
    shown = "".join(p.read_text() for p in (out / "timeline").rglob("index.html"))
    assert shown.count('id="claim-first-later-') == 2  # its 2025 verdict on the last page before it
