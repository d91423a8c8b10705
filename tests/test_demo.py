"""Fact checks of the demo explainer against the news report it explains."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from generator.markup import normalise

SEED = ROOT.parent / "shared" / "seeds" / "000_60d365d91f643026.txt"

ACTORS = ["russia", "china", "ukraine", "united-states", "vladimir-putin", "xi-jinping", "jake-sullivan",
          "yang-jiechi", "liu-pengyu", "zhao-lijian", "biden-administration", "financial-times", "cnn"]

# Every quotation in the report: (speaker, text as printed, date said, medium)
QUOTES = [
    ("china", "disinformation", "2022-03", None),
    ("liu-pengyu", "I’ve never heard of that.", "2022-03", None),
    ("liu-pengyu", "disconcerting", "2022-03", None),
    ("liu-pengyu", "We support and encourage all efforts that are conducive to a peaceful settlement of the crisis.",
     "2022-03", None),
    ("liu-pengyu", "utmost efforts should be made to support Russia and Ukraine in carrying forward negotiations "
                   "despite the difficult situation to produce a peaceful outcome.", "2022-03", None),
    ("zhao-lijian", "The US has been spreading disinformation targeting China on the Ukraine issue, with malicious "
                    "intentions.", "2022-03-14", None),
    ("jake-sullivan", "We are communicating directly, privately to Beijing, that there will absolutely be consequences "
                      "for large-scale sanctions evasion efforts or support to Russia to backfill them", "2022-03-13", "CNN"),
    ("jake-sullivan", "We will not allow that to go forward and allow there to be a lifeline to Russia from these "
                      "economic sanctions from any country, anywhere in the world", "2022-03-13", "CNN"),
]

EVENTS = {
    "full-scale-invasion": "2022-02-24",
    "sullivan-on-cnn": "2022-03-13",
    "zhao-briefing": "2022-03-14",
    "sullivan-meets-yang": "2022-03-14",
}


@pytest.fixture(scope="module")
def data(demo):
    _, out = demo
    return json.loads((out / "data/explainer.json").read_text())


def test_every_actor_of_the_report_has_a_page(demo, data):
    _, out = demo
    slugs = {a["slug"] for a in data["actors"]}
    for slug in ACTORS:
        assert slug in slugs
        assert (out / "actors" / slug / "index.html").exists()


def test_events_have_their_real_dates(data):
    events = {e["id"]: e for e in data["events"]}
    for event_id, date in EVENTS.items():
        assert events[event_id]["date"] == date, event_id
    assert events["sullivan-meets-yang"]["place"] == "Rome"
    assert events["zhao-briefing"]["place"] == "Beijing"


def test_every_quotation_in_the_report_is_a_quote(data):
    if SEED.exists():
        printed = re.findall(r"[“\"]([^”\"]+)[”\"]", SEED.read_text(encoding="utf-8"))
        in_data = [normalise(q["text"]) for q in data["quotes"]]
        for text in printed:
            assert normalise(text).rstrip(",") in in_data, text
    quotes = {(q["speaker"], normalise(q["text"])): q for q in data["quotes"]}
    assert len(quotes) == len(QUOTES) == len(data["quotes"])
    for speaker, text, said, via in QUOTES:
        quote = quotes[(speaker, normalise(text))]
        assert quote["said"] == said and quote["via"] == via and quote["context"]


def test_quote_index_links_each_quote_to_its_passage(demo, data):
    _, out = demo
    index = (out / "quotes/index.html").read_text()
    for quote in data["quotes"]:
        path = quote["url"].split("/russia-china-aid/", 1)[1]
        page, anchor = path.split("#")
        assert f'href="/russia-china-aid/{path}"' in index
        html = (out / page / "index.html").read_text()
        passage = re.search(rf'<span class="passage" id="{anchor}">(.*?)</span>', html, re.S).group(1)
        assert normalise(passage) in normalise(quote["text"])


def test_timeline_shows_precision_honestly(demo):
    _, out = demo
    page = (out / "timeline/index.html").read_text()
    assert '<h2 id="y2022">2022</h2>' in page  # the year once, in the heading
    assert '<time datetime="2022-03">March</time>' in page  # the day not known, so not given
    assert '<time datetime="2022-02-24">24 February – 14 March</time>' in page
    assert page.index('id="event-russia-asks-china"') < page.index('id="event-ft-reports-request"')


def test_shared_event_is_one_event_told_by_two_articles(data):
    events = [e for e in data["events"] if e["id"] == "sullivan-meets-yang"]
    assert len(events) == 1 and len(events[0]["articles"]) == 2


def test_actor_page_has_profile_quotes_events_articles_and_related(demo):
    _, out = demo
    page = (out / "actors/jake-sullivan/index.html").read_text()
    for heading in ("What Jake Sullivan said", "On the timeline", "Where Jake Sullivan appears", "Connections"):
        assert heading in page
    assert page.index("We are communicating directly") < page.index("We will not allow")
    assert 'href="/russia-china-aid/actors/yang-jiechi/"' in page
    # connections told as the content has them, each in its direction
    assert "Spoke about Russia twice" in page and "Jake Sullivan is part of United States" in page
    assert 'Together: <a href="/russia-china-aid/timeline/#event-sullivan-meets-yang">Jake Sullivan to meet Yang Jiechi' in page
    china = (out / "actors/china/index.html").read_text()
    assert "Spoken about by Jake Sullivan once" in china and "Spoken about by Liu Pengyu once" in china


def test_actors_index_is_grouped_by_kind(demo):
    _, out = demo
    page = (out / "actors/index.html").read_text()
    assert page.index('id="person"') < page.index('id="country"') < page.index('id="organisation"')


def test_feed_sitemap_and_timelinejs(demo, data):
    _, out = demo
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{atom}feed"
    assert len(feed.findall(f"{atom}entry")) == len(data["articles"]) == 2
    assert feed.find(f"{atom}link[@rel='self']").get("href") == \
        "https://newsroom-explainers.github.io/russia-china-aid/feed.xml"
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert all(loc.startswith("https://newsroom-explainers.github.io/russia-china-aid/") for loc in locs)
    timeline = json.loads((out / "data/timeline.json").read_text())
    assert timeline["title"]["text"]["headline"]
    first = timeline["events"][0]
    assert first["start_date"] == {"year": 2022, "month": 2, "day": 24}
    assert all("headline" in e["text"] and "year" in e["start_date"] for e in timeline["events"])
    month_only = [e for e in timeline["events"] if e["unique_id"] == "ft-reports-request"][0]
    assert month_only["start_date"] == {"year": 2022, "month": 3}


def test_every_page_has_json_ld_and_open_graph(demo):
    _, out = demo
    pages = list(out.rglob("*.html"))
    assert len(pages) >= 20
    for page in pages:
        html = page.read_text()
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert len(blocks) == 1, page
        graph = json.loads(blocks[0])["@graph"]
        assert graph, page
        for prop in ("og:title", "og:description", "og:url", "og:type"):
            assert f'property="{prop}"' in html, (page, prop)
    article = json.loads(re.search(r'ld\+json">(.*?)</script>',
                                   (out / "articles/russia-asks-china-for-aid/index.html").read_text(), re.S).group(1))
    types = [node["@type"] for node in article["@graph"]]
    assert types[0] == "NewsArticle" and "Quotation" in types and "Event" in types
    zhao = [n for n in article["@graph"] if n["@type"] == "Quotation" and "malicious" in n["text"]][0]
    assert zhao["creator"]["name"] == "Zhao Lijian" and zhao["creator"]["@type"] == "Person"
    china = [a for a in article["@graph"][0]["about"] if a["name"] == "China"][0]
    assert china["@type"] == "Country" and "https://www.wikidata.org/wiki/Q148" in china["sameAs"]


def test_no_page_requests_another_host(demo):
    _, out = demo
    for page in out.rglob("*.html"):
        html = page.read_text()
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html):
            url = re.search(r'(?:src|href)="([^"]*)"', tag)
            if url and "rel=\"canonical\"" not in tag and "alternate" not in tag:
                assert url.group(1).startswith("/russia-china-aid/"), (page, tag)


def test_front_page_opens_with_the_lead_story_and_what_to_know(demo):
    result, out = demo
    page = (out / "index.html").read_text()
    lead = result.index.articles[0]
    story = page[page.index('<article class="lead-story"'):page.index("</article>")]
    assert f">{lead.title}</a></h2>" in story and "<picture>" in story and 'fetchpriority="high"' in story
    points = page[page.index('id="need-to-know"'):]
    for point in result.index.config.key_points:
        assert f"<li>{point}</li>" in points
    assert page.index('class="lead-story"') < page.index('id="more-articles"') < page.index('id="key-actors"')


def test_the_map_of_connections_says_what_the_content_says(demo):
    """The actors page draws the most connected actors (an SVG made at build time, which needs
    no script), with a title, a description and the same connections as a table; an actor's
    page draws their neighbourhood. Arrows point from who is part of, or speaks about, another."""
    from generator import graph
    result, out = demo
    index = result.index
    whole = graph.whole(index)
    assert len(whole.nodes) >= 3 and all(0 <= n.x <= whole.width and 0 <= n.y <= whole.height for n in whole.nodes)
    edges = {(e.source, e.target): e.kind for e in whole.edges}
    assert edges[("zhao-lijian", "chinese-foreign-ministry")] == "part of"
    assert edges[("jake-sullivan", "russia")] == "spoke about"  # his quotes are about Russia
    page = (out / "actors/index.html").read_text()
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "<script" not in svg
    table = page[page.index('<details class="graph-table">'):]
    assert svg.count("<line") == table.count("<tr>") - 1 == len(whole.edges)
    around = graph.around(index, "jake-sullivan")
    assert around.centre == "jake-sullivan" and len(around.nodes) == len(around.edges) + 1 <= graph.AROUND + 1
    assert (out / "actors/jake-sullivan/index.html").read_text().count("<circle") == len(around.nodes)
    assert graph.whole(index) == whole  # the same site, the same drawing


def test_what_each_side_said_about_russia_side_by_side(demo):
    """Washington and Beijing on Russia's request: a page for each actor spoken about from
    two sides or more, a speaker standing with the top of their first affiliation (Zhao
    Lijian, of the foreign ministry, with China), the side with the most quotes first."""
    from generator.resolve import side_of
    result, out = demo
    index = result.index
    assert side_of(index.actors, "zhao-lijian") == "china" == side_of(index.actors, "liu-pengyu")
    assert side_of(index.actors, "jake-sullivan") == "united-states"
    sides = {subject: [(side, [q.text[:20] for q in quotes]) for side, quotes in groups]
             for subject, groups in index.compared.items()}
    assert sides["russia"] == [("china", ["I’ve never heard of ", "We support and encou", "utmost efforts shoul"]),
                               ("united-states", ["We are communicating", "We will not allow th"])]
    assert [side for side, _ in sides["china"]] == ["china", "united-states"]
    assert "united-states" not in sides  # only Beijing spoke about Washington: nothing to compare
    page = (out / "quotes/about/russia/index.html").read_text()
    assert "What each side said about" in page
    page = page[page.index("<main"):]  # the quotes are in the head's JSON-LD too
    assert page.index('id="side-china"') < page.index("never heard of that") < page.index('id="side-united-states"') \
        < page.index("backfill them")
    href = 'href="/russia-china-aid/quotes/about/russia/"'
    assert href in (out / "actors/russia/index.html").read_text() and href in (out / "quotes/index.html").read_text()
    assert not (out / "quotes/about/united-states").exists()


def test_a_circle_of_affiliations_ends_at_the_actor_it_comes_back_to():
    from generator.model import Actor, Ref
    from generator.resolve import side_of
    loc = None
    actors = {"a": Actor("a", "A", "organisation", loc, affiliations=(Ref("b", loc),)),
              "b": Actor("b", "B", "organisation", loc, affiliations=(Ref("a", loc),)),
              "c": Actor("c", "C", "person", loc, affiliations=(Ref("a", loc),))}
    assert side_of(actors, "a") == side_of(actors, "b") == side_of(actors, "c") == "a"


def test_no_name_on_the_map_covers_another_wide_or_tall(demo):
    """The map of the whole story, wide for a desktop and tall for a phone: no actor's circle
    with its name covers another's (a letter of a name is about 0.6 of its size wide)."""
    from generator import graph
    result, out = demo
    for drawing in (graph.whole(result.index), graph.whole(result.index, *graph.TALL)):
        boxes = []
        for node in drawing.nodes:
            half = 0.3 * 12 * len(node.name)
            # the circle (radius 8) and the name, written 23 below its centre or 14 above it
            top, bottom = (node.y - 8, node.y + 27) if node.anchor == "middle" else (node.y - 24, node.y + 8)
            boxes.append((node.name, node.x - half, top, node.x + half, bottom))
            assert 0 <= node.x - half and node.x + half <= drawing.width, node.name
        covered = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
        assert covered == [], (drawing.width, covered)
    page = (out / "actors/index.html").read_text()
    assert page.count("<svg") == 2 and 'class="graph-svg graph-tall"' in page and 'id="graph-tall-title"' in page
