"""Reuse from one build to the next (reuse.py): a page is made again exactly when something it
read has changed, whatever the edit, in the preview and across processes; and the check that
says so fails when a dependency goes unrecorded."""

import random
import re
import shutil

import pytest

from conftest import ROOT, write_files
from generator import reuse, urls
from generator.build import Builder, build
from generator.plan import Plan
from bench.corpus import write_corpus


def files_of(folder):
    skip = {".explainer-build.json"}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name not in skip}


def fresh_build(root, folder):
    shutil.rmtree(folder, ignore_errors=True)
    assert Builder(root, output=folder, cache=False).build().ok
    return files_of(folder)


def differences(folder, fresh):
    mine = files_of(folder)
    return sorted(p for p in mine.keys() | fresh.keys() if mine.get(p) != fresh.get(p))


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


THEME = ROOT / "templates"
# the site's own card of an actor also names what the actor belongs to: other actors
OWN_MACROS = (THEME / "_macros.html").read_text(encoding="utf-8").replace(
    '<li class="actor-card">', '<li class="actor-card own">{{ names(a.affiliations | map(attribute="slug")) }}')


def test_a_sites_own_macros_show_a_renamed_actor_everywhere(demo_copy, tmp_path):
    """actors/index.html shows each actor through the site's own actor_card macro, which
    names the actor's affiliations: once one of those is renamed, the preview's page and a new
    process's page are a fresh build's."""
    write_files(demo_copy, {"templates/_macros.html": OWN_MACROS})
    preview = Builder(demo_copy, output=tmp_path / "preview")
    assert preview.build().ok
    assert build(demo_copy, output=tmp_path / "cli").ok
    assert "actor-card own" in (tmp_path / "preview/actors/index.html").read_text(encoding="utf-8")
    preview.files.RACY = -1
    edit(demo_copy / "content/actors/china.yaml", "name: China", "name: People's Republic of China")
    assert preview.build().ok
    assert build(demo_copy, output=tmp_path / "cli").ok
    fresh = fresh_build(demo_copy, tmp_path / "fresh")
    card = re.search(r'<li class="actor-card own">.*?zhao-lijian/">', (tmp_path / "fresh/actors/index.html")
                     .read_text(encoding="utf-8"), re.S).group(0)
    assert "People&#39;s Republic of China" in card or "People's Republic of China" in card
    assert differences(tmp_path / "preview", fresh) == []
    assert differences(tmp_path / "cli", fresh) == []


def test_a_new_process_makes_only_the_pages_an_edit_touched(tmp_path):
    root = write_corpus(60, tmp_path / "corpus")
    out = tmp_path / "out"
    assert build(root, output=out).ok
    edit(root / "content/articles/article-00007.md", "\n\n", "\n\nA new paragraph.\n\n")
    result = build(root, output=out)  # a new builder, as a new process makes
    assert result.ok
    assert sorted(result.rendered) == ["articles/article-00007/index.html", "feed.xml"]
    assert differences(out, fresh_build(root, tmp_path / "fresh")) == []
    assert build(root, output=out).rendered == []


def test_a_plan_that_keeps_a_model_object_is_refused(demo):
    """A page keeps its address and plain values; what it shows it reads as it is made, where
    what it reads is seen. A page planned with an object taken aside would hide what it shows."""
    index = demo[0].index
    pages = Plan(index)
    article = index.articles[0]
    with pytest.raises(TypeError, match="keeps a Article"):
        pages.page("x/index.html", "article.html", lambda: dict(article=article))
    pages.page("x/index.html", "article.html", lambda slug=article.slug: dict(slug=slug))



def test_no_two_pages_of_a_plan_claim_one_path(demo, monkeypatch):
    """Every address comes from urls.py, and a plan refuses a second page at a path it has
    planned or that a static file takes: with an actor's address made like an article's, the
    actor whose slug is an article's would silently take its place."""
    index = demo[0].index
    pages = Plan(index)
    pages.page("x/", "404.html")
    with pytest.raises(ValueError, match="claim x/index.html"):
        pages.constant("x/index.html", b"")
    with pytest.raises(ValueError, match="claim feed.xml"):
        Plan(index, taken=["feed.xml"]).rest()
    article = index.articles[0].slug
    monkeypatch.setattr(urls, "actor", lambda slug: f"articles/{article}/")
    with pytest.raises(ValueError, match=f"claim articles/{article}/index.html"):
        Plan(index).rest()

# Every kind of edit an editor makes, on a generated site. Each takes the site's root and a
# random source, and changes one thing (or does nothing when there is nothing to change).

def _article(root, rng):
    return rng.choice(sorted((root / "content/articles").glob("*.md")))


def _actor(root, rng):
    return rng.choice(sorted((root / "content/actors").glob("*.yaml")))


def _text(root, rng):
    edit(_article(root, rng), "\n\n", f"\n\nA paragraph {rng.randrange(10**6)}.\n\n")


def _quote(root, rng):
    """A quote's words, changed where the article reports them too."""
    path = _article(root, rng)
    said = re.search(r'    text: "([^"]+)"', path.read_text(encoding="utf-8"))
    if said:
        edit(path, said.group(1), f"Now {rng.randrange(100)}, " + said.group(1), -1)


def _title(root, rng):
    edit(_article(root, rng), 'title: "', f'title: "{rng.choice(["Why", "How", "When"])}: ')


def _event(root, rng):
    path = _article(root, rng)
    if "  - date: " in path.read_text(encoding="utf-8"):
        edit(path, "    title: ", f"    title: Day {rng.randrange(50)}, ")


def _actors_of_article(root, rng):
    edit(_article(root, rng), "actors: [", f"actors: [actor-{rng.randrange(1, 6)}, ")


def _actor_file(root, rng):
    path = _actor(root, rng)
    edit(path, "name: ", "name: Dr ")
    change = rng.choice([("kind: person", "kind: organisation"), ("summary: ", "summary: Newly. ")])
    if change[0] in path.read_text(encoding="utf-8"):
        edit(path, *change)


def _affiliation(root, rng):
    path = _actor(root, rng)
    if "affiliations:" not in path.read_text(encoding="utf-8"):
        edit(path, "kind: ", f"affiliations: [actor-{rng.randrange(1, 6)}]\nkind: ")


def _site_yaml(root, rng):
    edit(root / "site.yaml", "title: ", f"title: Edition {rng.randrange(100)} of ")


def _media(root, rng):
    media = root / "content/media"
    media.mkdir(exist_ok=True)
    name = media / f"chart-{rng.randrange(3)}.svg"
    if name.exists() and rng.random() < 0.5:
        name.unlink()
    else:
        name.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{rng.randrange(10, 90)}" height="9"/>',
                        encoding="utf-8")


def _static(root, rng):
    write_files(root, {"templates/static/extra.css": f"body {{ margin: {rng.randrange(9)}px }}\n"})


def _template(root, rng):
    name = rng.choice(["404.html", "actor.html", "_macros.html"])
    own = root / "templates" / name
    text = (own if own.exists() else THEME / name).read_text(encoding="utf-8")
    marker = f"<!-- own {rng.randrange(1000)} -->"
    if name == "_macros.html":
        text = text.replace('<li class="actor-card">', f'<li class="actor-card">{marker}')
    else:
        text = text.replace("{% block main %}", "{% block main %}" + marker, 1)
    write_files(root, {f"templates/{name}": text})


def _new_article(root, rng):
    number = rng.randrange(900, 999)
    source = _article(root, rng).read_text(encoding="utf-8")
    (root / f"content/articles/article-{number:05d}.md").write_text(source, encoding="utf-8")


def _removed_article(root, rng):
    articles = sorted((root / "content/articles").glob("*.md"))
    if len(articles) > 5:
        rng.choice(articles).unlink()


def _new_actor(root, rng):
    number = rng.randrange(100, 110)
    write_files(root, {f"content/actors/actor-{number}.yaml": f"name: New Actor {number}\nkind: person\n"})
    edit(_article(root, rng), "actors: [", f"actors: [actor-{number}, ")


EDITS = [_text, _quote, _title, _event, _actors_of_article, _actor_file, _affiliation, _site_yaml, _media,
         _static, _template, _new_article, _removed_article, _new_actor]


@pytest.mark.parametrize("seed", range(7))
def test_random_edits_give_what_a_fresh_build_gives(seed, tmp_path, monkeypatch):
    """After each edit of a random sequence, the preview's long-lived builder and a new
    builder with the cache of the last (as a new process) write what a fresh build writes;
    the new builder trusts the files' stamps at once (reuse.Stamps), so that it reads only
    the articles whose stamps changed, and nothing when none did."""
    monkeypatch.setattr(reuse.Stamps, "RACY", -1.0)
    rng = random.Random(seed)
    root = write_corpus(24, tmp_path / "corpus")
    if seed % 2 == 0:  # cards that show other actors than their own: each actor's affiliation
        write_files(root, {"templates/_macros.html": OWN_MACROS})
        actors = sorted((root / "content/actors").glob("*.yaml"))
        for number, path in enumerate(actors):
            edit(path, "kind: ", f"affiliations: [{actors[(number + 1) % len(actors)].stem}]\nkind: ")
    preview = Builder(root, output=tmp_path / "preview")
    assert preview.build().ok
    assert build(root, output=tmp_path / "cli").ok
    # two kinds of edit chosen for each seed, so that the seeds between them make every kind
    changes = [EDITS[(2 * seed + n) % len(EDITS)] for n in range(2)] + [rng.choice(EDITS) for _ in range(5)]
    for step, change in enumerate(changes):
        change(root, rng)
        preview.files.RACY = -1  # trust file times even for edits made a moment ago
        done = preview.build()
        assert done.ok, (seed, step, change.__name__, [d.format() for d in done.diagnostics.errors])
        assert build(root, output=tmp_path / "cli").ok
        fresh = fresh_build(root, tmp_path / "fresh")
        assert differences(tmp_path / "preview", fresh) == [], (seed, step, change.__name__)
        assert differences(tmp_path / "cli", fresh) == [], (seed, step, change.__name__)


@pytest.mark.parametrize("dropped", ["item", "call", "template"])
def test_a_dependency_left_unrecorded_is_caught(dropped, demo_copy, tmp_path, monkeypatch):
    """Break the record of one kind of read (an actor looked up by slug, an article found by
    its slug, a template loaded) and the same edit leaves a stale page behind, which the
    comparison with a fresh build finds: the tests above can fail."""
    write_files(demo_copy, {"templates/_macros.html": OWN_MACROS})
    real = reuse.Recorder.read

    def forgetful(self, path):
        forget = {"item": path[1:3] == ("actors", "item"), "call": path[2:3] == ("call",),
                  "template": path[0] == "theme"}[dropped]
        if not forget:
            real(self, path)

    monkeypatch.setattr(reuse.Recorder, "read", forgetful)
    preview = Builder(demo_copy, output=tmp_path / "preview")
    assert preview.build().ok
    preview.files.RACY = -1
    if dropped == "item":
        edit(demo_copy / "content/actors/zhao-lijian.yaml", "name: Zhao Lijian", "name: Zhao Li-jian")
    elif dropped == "call":
        edit(demo_copy / "content/articles/us-warns-china-before-rome-talks.md",
             'title: "', 'title: "Now: ')
    else:
        write_files(demo_copy, {"templates/_macros.html": OWN_MACROS.replace("actor-card own", "actor-card mine")})
    assert preview.build().ok
    monkeypatch.setattr(reuse.Recorder, "read", real)
    assert differences(tmp_path / "preview", fresh_build(demo_copy, tmp_path / "fresh")) != []


def test_a_fresh_runner_with_the_cache_writes_unchanged_pages_without_making_them(tmp_path):
    """The Pages workflow restores .explainer-cache/ on a runner with no output/: the pages
    an edit did not touch are written from the copies the cache keeps, not made again."""
    root = write_corpus(40, tmp_path / "corpus")
    out = root / "output"
    assert build(root, output=out).ok
    shutil.rmtree(out)
    edit(root / "content/articles/article-00007.md", "\n\n", "\n\nA new paragraph.\n\n")
    result = build(root, output=out)
    assert result.ok
    assert sorted(result.rendered) == ["articles/article-00007/index.html", "feed.xml"]
    assert differences(out, fresh_build(root, tmp_path / "fresh")) == []


def test_a_damaged_copy_of_a_page_is_made_again(tmp_path):
    from generator.cache import FOLDER
    root = write_corpus(12, tmp_path / "corpus")
    out = root / "output"
    assert build(root, output=out).ok
    shutil.rmtree(out)
    for copy in (root / FOLDER).glob("*/pages/*/*"):
        copy.write_bytes(b"<p>planted</p>")  # as an attacker or a broken disk would
    result = build(root, output=out)
    assert result.ok and len(result.rendered) > 20
    assert differences(out, fresh_build(root, tmp_path / "fresh")) == []


def _preview_and_fresh(root, tmp_path, change):
    """Build in a long-lived builder, make the change, build again: the differences from a
    fresh build."""
    preview = Builder(root, output=tmp_path / "preview")
    assert preview.build().ok
    preview.files.RACY = -1
    change()
    result = preview.build()
    assert result.ok, [d.format() for d in result.diagnostics.errors]
    return differences(tmp_path / "preview", fresh_build(root, tmp_path / "fresh"))


def test_what_an_imported_macro_file_reads_is_every_pages_read(demo_copy, tmp_path):
    """A module of macros is made once for all the pages; its own imports are still read by
    each page that uses it."""
    macros = OWN_MACROS.replace('{% macro span', '{% import "_marks.html" as marks %}{% macro span', 1)
    macros = macros.replace('<li class="actor-card own">', '<li class="actor-card own">{{ marks.mark() }}')
    write_files(demo_copy, {"templates/_macros.html": macros,
                            "templates/_marks.html": "{% macro mark() %}<i>one</i>{% endmacro %}"})
    assert _preview_and_fresh(demo_copy, tmp_path, lambda: write_files(
        demo_copy, {"templates/_marks.html": "{% macro mark() %}<i>two</i>{% endmacro %}"})) == []


def test_any_file_a_template_includes_is_followed(demo_copy, tmp_path):
    """Even one under templates/static/ (copied to the site as well), named in a roundabout way."""
    write_files(demo_copy, {"templates/404.html": '{% extends "base.html" %}{% block main %}'
                            '<style>{% include "./static//note.css" %}</style>{% endblock %}',
                            "templates/static/note.css": "p { margin: 0 }"})
    assert _preview_and_fresh(demo_copy, tmp_path, lambda: write_files(
        demo_copy, {"templates/static/note.css": "p { margin: 1em }"})) == []


def test_one_more_article_gives_the_list_of_articles_a_second_page(tmp_path):
    root = write_corpus(100, tmp_path / "corpus")
    old = (root / "content/articles/article-00000.md").read_text(encoding="utf-8")
    assert _preview_and_fresh(root, tmp_path, lambda: (root / "content/articles/oldest.md").write_text(
        old.replace("date: ", "date: 1990-01-01\nupdated: ", 1), encoding="utf-8")) == []
    assert (tmp_path / "preview/articles/page/2/index.html").exists()


def test_a_name_written_into_an_articles_text_relates_its_actors(tmp_path):
    """Related actors count the actors an article's text names; an edit of the text alone
    (the article's other fields the same) changes whom the others are related to."""
    root = write_corpus(30, tmp_path / "corpus")
    assert _preview_and_fresh(root, tmp_path, lambda: edit(
        root / "content/articles/article-00004.md", "\n\n", "\n\nWith [[actor-8]] and [[actor-9]].\n\n")) == []
