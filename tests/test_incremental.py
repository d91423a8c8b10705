"""A Builder that rebuilds after edits must produce exactly what a fresh build produces, and
write only the files whose bytes changed."""

import shutil

from conftest import write_files
from generator.build import Builder, build
from bench.corpus import write_corpus


def files_of(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ARTICLE = "content/articles/russia-asks-china-for-aid.md"
OTHER = "content/articles/us-warns-china-before-rome-talks.md"

EDITS = [
    ("actor name", lambda r: edit(r / "content/actors/zhao-lijian.yaml", "name: Zhao Lijian", "name: Zhao Lijian (赵立坚)")),
    ("body text", lambda r: edit(r / ARTICLE, "Weeks into the war", "Some weeks into the war")),
    ("shared event", lambda r: edit(r / OTHER, "title: Jake Sullivan to meet Yang Jiechi in Rome",
                                    "title: Jake Sullivan to meet Yang Jiechi in Rome for talks")),
    ("quote context", lambda r: edit(r / OTHER, "context: Interview on Sunday", "context: A television interview on Sunday")),
    ("new article", lambda r: write_files(r, {"content/articles/extra.md":
                                              "---\ntitle: Extra\ndate: 2022-03-15\nsources: [{publisher: W}]\n"
                                              "actors: [cnn]\n---\nAbout [[cnn]].\n"})),
    ("removed article", lambda r: (r / "content/articles/extra.md").unlink()),
    ("own template", lambda r: write_files(r, {"templates/404.html":
                                               '{% extends "base.html" %}{% block main %}Nope{% endblock %}'})),
    ("site title", lambda r: edit(r / "site.yaml", 'title: "Russia, China', 'title: "Russia, China, US')),
    ("summary", lambda r: edit(r / "content/actors/cnn.yaml", "summary: \"", "summary: \"Network. ")),
    # Liu Pengyu goes over to Washington's side: no one speaks for China about Russia any more
    ("side changed", lambda r: edit(r / "content/actors/liu-pengyu.yaml", "affiliations: [china]",
                                    "affiliations: [united-states]")),
    ("side changed back", lambda r: edit(r / "content/actors/liu-pengyu.yaml", "affiliations: [united-states]",
                                         "affiliations: [china]")),
]


def test_rebuilds_match_fresh_builds_after_every_edit(demo_copy, tmp_path):
    builder = Builder(demo_copy, output=tmp_path / "incremental")
    assert builder.build().ok
    for name, change in EDITS:
        builder.files.RACY = -1  # trust file times even for edits made a moment ago
        change(demo_copy)
        result = builder.build()
        assert result.ok, (name, [d.format() for d in result.diagnostics.errors])
        # the records hold a digest for every path a page read, and for no other
        pages = builder.records.pages.values()
        assert set(builder.records.digests) == set().union(*(reads for reads, _ in pages)), name
        fresh = tmp_path / f"fresh-{name.replace(' ', '-')}"
        assert build(demo_copy, output=fresh).ok
        assert files_of(tmp_path / "incremental") == files_of(fresh), name


def test_an_edit_rewrites_only_the_pages_that_show_it(demo_copy, tmp_path):
    builder = Builder(demo_copy, output=tmp_path / "out")
    builder.build()
    builder.files.RACY = -1
    assert builder.build().report.written == ()
    edit(demo_copy / OTHER, "He did not mention possible", "He did not name possible")
    written = set(builder.build().report.written)
    assert "articles/us-warns-china-before-rome-talks/index.html" in written
    assert "actors/zhao-lijian/index.html" not in written
    assert "articles/russia-asks-china-for-aid/index.html" not in written
    assert written <= {"articles/us-warns-china-before-rome-talks/index.html", "feed.xml"}


def test_rendering_reuses_pages_whose_inputs_are_equal(tmp_path):
    root = write_corpus(60, tmp_path / "corpus")
    builder = Builder(root, output=tmp_path / "out")
    assert builder.build().ok
    builder.files.RACY = -1
    edit(root / "content/articles/article-00007.md", "\n\n", "\n\nA new paragraph.\n\n")
    result = builder.build()
    assert result.ok
    # the article and the feed, which holds its text: nothing else shows the text
    assert sorted(result.rendered) == ["articles/article-00007/index.html", "feed.xml"], result.rendered
    assert "articles/article-00007/index.html" in result.report.written
    fresh = tmp_path / "fresh"
    assert build(root, output=fresh).ok
    assert files_of(tmp_path / "out") == files_of(fresh)


def test_edits_that_change_who_appears_with_whom_match_fresh_builds(tmp_path):
    """Linking and related actors are redone only for what changed; after each kind of
    edit the whole site must still be what a fresh build makes."""
    root = write_corpus(120, tmp_path / "corpus")
    articles, actors = root / "content/articles", root / "content/actors"
    edits = [
        ("article's text", lambda: edit(articles / "article-00030.md", "\n\n", "\n\nA new first paragraph.\n\n")),
        ("one quote's context", lambda: edit(articles / "article-00030.md", "    context: ", "    context: Asked, ")),
        ("article's title", lambda: edit(articles / "article-00030.md", 'title: "', 'title: "Now: ')),
        ("article's actors", lambda: edit(articles / "article-00003.md", "actors: [", "actors: [actor-1, ")),
        ("event's actors", lambda: edit(articles / "article-00020.md", "    actors: [", "    actors: [actor-3, ")),
        ("removed article", lambda: (articles / "article-00005.md").unlink()),
        ("copied article", lambda: (articles / "article-00999.md").write_text(
            (articles / "article-00010.md").read_text(encoding="utf-8"), encoding="utf-8")),
        ("affiliation", lambda: edit(actors / "actor-5.yaml", "kind: person", "kind: person\naffiliations: [actor-7]")),
        ("event naming an actor", lambda: edit(articles / "article-00020.md", "events:\n  - date: ",
                                               "events:\n  - description: As [[actor-2]] said.\n    date: ")),
        # the article is as it was; the event's description, as linking fills it in, is not
        ("actor's name", lambda: edit(actors / "actor-2.yaml", "name: ", "name: Dr ")),
    ]
    builder = Builder(root, output=tmp_path / "out")
    assert builder.build().ok
    for name, change in edits:
        builder.files.RACY = -1
        change()
        assert builder.build().ok, name
        fresh = tmp_path / f"fresh-{name.replace(' ', '-')}"
        assert build(root, output=fresh).ok
        assert files_of(tmp_path / "out") == files_of(fresh), name


def test_a_broken_save_then_a_fix_brings_the_site_back(demo_copy, tmp_path):
    builder = Builder(demo_copy, output=tmp_path / "out")
    builder.build()
    before = files_of(tmp_path / "out")
    builder.files.RACY = -1
    edit(demo_copy / ARTICLE, "speaker: zhao-lijian", "speaker: zhao-lijan")
    broken = builder.build()
    assert not broken.ok and files_of(tmp_path / "out") == before
    edit(demo_copy / ARTICLE, "speaker: zhao-lijan", "speaker: zhao-lijian")
    assert builder.build().ok and files_of(tmp_path / "out") == before


def test_a_mistake_in_an_article_left_alone_is_reported_again_until_fixed(demo_copy, tmp_path):
    """An article that did not change is linked by what the last build made of it, its
    mistakes included; and an actor created later makes its reference good."""
    builder = Builder(demo_copy, output=tmp_path / "out")
    builder.files.RACY = -1
    edit(demo_copy / ARTICLE, "speaker: zhao-lijian", "speaker: zhao-lijan")
    first = builder.build()
    assert [d.message for d in first.diagnostics.errors] == ["quote speaker 'zhao-lijan' is not a known actor"]
    edit(demo_copy / OTHER, "actors: [united-states, china]", "actors: [united-states, china, russia]")
    again = builder.build()
    assert [d.format() for d in again.diagnostics.errors] == [d.format() for d in first.diagnostics.errors]
    write_files(demo_copy, {"content/actors/zhao-lijan.yaml": "name: Zhao Lijan\nkind: person\n"})
    assert builder.build().ok


def test_the_page_open_in_the_preview_comes_before_the_related_actors_are_worked_out(demo_copy, tmp_path,
                                                                                     monkeypatch):
    """Ranking related actors and listing each actor's quotes, events and articles look at
    the whole site; an article's page needs neither, nor the plan of the other pages, so it
    is handed over first. The actor pages made afterwards still show them."""
    from generator import plan, resolve

    events = []
    real_related, real_lists, real_build = resolve._related_actors, resolve._by_actor, plan.Plan.build
    monkeypatch.setattr(resolve, "_related_actors", lambda *args: events.append("related") or real_related(*args))
    monkeypatch.setattr(resolve, "_by_actor", lambda *args: events.append("lists") or real_lists(*args))
    monkeypatch.setattr(plan.Plan, "build", lambda *args: events.append("plan") or real_build(*args))
    builder = Builder(demo_copy, output=tmp_path / "out")
    page = "articles/russia-asks-china-for-aid/index.html"
    result = builder.build(first=[page], on_first=lambda pages: events.append(sorted(p for p in pages
                                                                                      if p.endswith(".html"))))
    assert result.ok and events[0] == [page] and {"related", "lists", "plan"} == set(events[1:])
    assert 'id="related"' in (tmp_path / "out/actors/zhao-lijian/index.html").read_text()


def test_a_build_given_up_for_a_newer_one_leaves_everything_as_it_was(demo_copy, tmp_path):
    """The preview gives up a rebuild once the open page is out if another save came; the
    output, the staging folder and what the next build reuses are as before it started."""
    out = tmp_path / "out"
    builder = Builder(demo_copy, output=out)
    assert builder.build().ok
    before = files_of(out)
    builder.files.RACY = -1
    edit(demo_copy / ARTICLE, "Weeks into the war", "Some weeks into the war")
    page = "articles/russia-asks-china-for-aid/index.html"
    early, asked = [], []
    result = builder.build(first=[page], on_first=early.append, stop=lambda: asked.append(1) or True)
    assert result.superseded and result.ok and result.report is None and asked == [1]
    assert b"Some weeks into the war" in early[0][page]
    assert files_of(out) == before and not (tmp_path / ".out.staging").exists()
    assert builder.build().ok
    fresh = tmp_path / "fresh"
    assert build(demo_copy, output=fresh).ok
    assert files_of(out) == files_of(fresh)


def test_a_link_kept_whatever_the_actors_would_show_the_old_name(tmp_path, monkeypatch):
    """The preview links an article again when the actors change: reuse.Kept takes a step's
    result again only while the step's other inputs (here the cast) are the same. A Kept
    that looked at the sources alone would leave the old name in the articles that name the
    actor, and the comparison with a fresh build would see it."""
    from generator import reuse

    def careless(self, kind, sources, inputs, make):
        key = (kind, *map(id, sources))
        found = self.current.get(key) or self.previous.get(key)
        if found is None:
            found = (sources, inputs, make())
        self.current[key] = found
        return found[2]

    root = write_corpus(60, tmp_path / "corpus")
    results = {}
    for name, made in (("kept", reuse.Kept.made), ("careless", careless)):
        monkeypatch.setattr(reuse.Kept, "made", made)
        site = tmp_path / name
        shutil.copytree(root, site)
        builder = Builder(site, output=tmp_path / f"out-{name}")
        assert builder.build().ok
        builder.files.RACY = -1
        edit(site / "content/actors/actor-2.yaml", "name: ", "name: Dr ")
        assert builder.build().ok
        fresh = tmp_path / f"fresh-{name}"
        assert build(site, output=fresh).ok
        results[name] = files_of(tmp_path / f"out-{name}") == files_of(fresh)
    assert results == {"kept": True, "careless": False}


def test_what_connects_the_actors_is_kept_only_while_what_it_is_made_of_is_equal(tmp_path, monkeypatch):
    """The preview takes the last build's Connections (each actor's lists, related actors)
    while the five fields they are made of are equal. Connections that were taken while the
    actors alone were equal would leave an event off the page of an actor it was given to,
    and the comparison with a fresh build would see it."""
    from generator import resolve

    root = write_corpus(60, tmp_path / "corpus")
    results = {}
    for name, equal in (("kept", resolve.Connections.__eq__), ("careless", lambda a, b: a.actors == b.actors)):
        monkeypatch.setattr(resolve.Connections, "__eq__", equal)
        site = tmp_path / name
        shutil.copytree(root, site)
        builder = Builder(site, output=tmp_path / f"out-{name}")
        assert builder.build().ok
        builder.files.RACY = -1
        edit(site / "content/articles/article-00020.md", "    actors: [", "    actors: [actor-3, ")
        assert builder.build().ok
        fresh = tmp_path / f"fresh-{name}"
        assert build(site, output=fresh).ok
        results[name] = files_of(tmp_path / f"out-{name}") == files_of(fresh)
    assert results == {"kept": True, "careless": False}


def test_an_open_actor_page_is_out_before_a_rebuild_is_given_up(demo_copy, tmp_path, monkeypatch):
    """An actor page open in the preview is made with the rest of the site (it needs the
    actors' lists), not alone before it: a newer save gives the rebuild up only once that
    page has been handed over, not while what the pages read is compared (here between
    every two paths)."""
    from generator import reuse

    monkeypatch.setattr(reuse, "COMPARED_BETWEEN_STOPS", 2)
    out = tmp_path / "out"
    builder = Builder(demo_copy, output=out)
    assert builder.build().ok
    builder.files.RACY = -1
    edit(demo_copy / ARTICLE, "Weeks into the war", "Some weeks into the war")
    page = "actors/zhao-lijian/index.html"
    early = []
    result = builder.build(first=[page], on_first=early.append, stop=lambda: True)
    assert result.superseded and [sorted(p for p in pages if p.endswith(".html")) for pages in early] == [[page]]


def test_a_rebuild_leaves_its_plan_and_shared_pieces_to_be_freed_at_once(demo_copy, tmp_path):
    """The preview keeps Python's collector away from what it holds (serve._set_aside), so
    what a build lets go of must be freed without it: no page of the plan, and no piece the
    pages shared, may be left in a cycle only the collector finds. Jinja's templates are
    cycles of their own, which hold what their build's pages were given (the renderer, the
    site's index of that build), and wait for the preview's collection (serve._collect)."""
    import gc
    from generator import plan

    builder = Builder(demo_copy, output=tmp_path / "out")
    assert builder.build().ok
    builder.files.RACY = -1
    edit(demo_copy / OTHER, "context: Interview on Sunday", "context: A television interview on Sunday")
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert builder.build().ok
        gc.collect()
        left = [type(thing) for thing in gc.garbage]
        pieces = [thing for thing in gc.garbage if type(thing) is frozenset and thing]  # what a piece read
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert [kind.__name__ for kind in (plan.Page, plan.Plan) if kind in left] == []
    assert not pieces, f"{len(pieces)} shared pieces left in cycles"
