"""The search index in parts (search.py): every searched page in exactly one part, a build
indexing again only the parts whose pages changed, a runner with the cache but no output/
restoring the others from the cache's copies (never from a copy whose bytes are not the
recorded ones), and the search page finding what is in any part, in Chromium."""

import hashlib
import json
import shutil
from collections import Counter

import pytest

from conftest import MINIMAL, ROOT, tree_digest, write_files
from generator import cache, search
from generator.build import OneShot, build
from tools.browser import chromium_path
from tools.sitehttp import SiteServer


def article(n: int) -> str:
    return (f"---\ntitle: Story {n}\ndate: 2024-05-{n + 1:02d}\nsources:\n  - publisher: Wire\n---\n\n"
            f"[[ana-lima]] spoke about harbour number {n} and the word zebra{n}.\n")


FILES = {**MINIMAL, **{f"content/articles/story-{n}.md": article(n) for n in range(7)}}


@pytest.fixture
def parted(site, monkeypatch):
    """A site of eight articles and an actor, in parts of at most two pages; and the list of
    the parts Pagefind is started on from now on."""
    monkeypatch.setattr(search, "PART_PAGES", 2)
    launched = []
    real = search.Indexing._launch

    def counting(self, name):
        launched.append(name)
        return real(self, name)

    monkeypatch.setattr(search.Indexing, "_launch", counting)
    return site(FILES), launched


def parts(out) -> list[str]:
    return [name.rstrip("/") for name in json.loads((out / "pagefind" / search.LIST).read_text())]


def contents(folder) -> dict[str, str]:
    return {path: digest.split(":")[0] for path, digest in tree_digest(folder).items()}


def marked(out) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                  if search.MARK in p.read_bytes() and not p.relative_to(out).as_posix().startswith("pagefind/"))


def test_every_searched_page_is_in_exactly_one_part(parted, tmp_path):
    root, launched = parted
    out = tmp_path / "out"
    assert build(root, output=out, search_index=True).ok
    names = parts(out)
    pages = marked(out)
    assert len(pages) == 9 and search.part_count(9) == 8  # nine pages, in eight parts of at most two
    assert 1 < len(names) == len(set(launched)) <= 8  # (a part no page falls in is not made)
    counted = 0
    for name in names:
        entry = json.loads((out / "pagefind" / name / "pagefind-entry.json").read_text())
        counted += sum(language["page_count"] for language in entry["languages"].values())
    assert counted == len(pages)
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == sorted([*names, *search.UI, search.LIST])


def test_an_edit_indexes_again_only_the_part_of_the_page_it_changed(parted, tmp_path):
    root, launched = parted
    out = tmp_path / "out"
    assert build(root, output=out, search_index=True).ok
    before, kept = parts(out), tree_digest(out / "pagefind")
    launched.clear()
    assert build(root, output=out, search_index=True).ok and launched == []  # nothing changed
    write_files(root, {"content/articles/story-3.md": article(3) + "\nA new paragraph about quinces.\n"})
    assert build(root, output=out, search_index=True).ok
    after = parts(out)
    assert len(launched) == 1 and launched[0] in after and launched[0] not in before
    assert set(after) - set(before) == {launched[0]} and len(set(before) - set(after)) == 1
    now = tree_digest(out / "pagefind")
    for name in set(before) & set(after):  # the other parts are left as they were, not written again
        assert {p: d for p, d in now.items() if p.startswith(name)} == {p: d for p, d in kept.items() if p.startswith(name)}


def test_the_index_after_edits_is_the_index_of_a_fresh_build(parted, tmp_path):
    root, _ = parted
    out = tmp_path / "out"
    assert build(root, output=out, search_index=True).ok
    write_files(root, {"content/articles/story-3.md": article(3) + "\nQuinces.\n"})
    (root / "content/articles/story-5.md").unlink()
    write_files(root, {"content/articles/story-9.md": article(9)})
    assert build(root, output=out, search_index=True).ok
    shutil.rmtree(root / cache.FOLDER)
    fresh = tmp_path / "fresh"
    assert build(root, output=fresh, search_index=True).ok
    assert contents(out / "pagefind") == contents(fresh / "pagefind")


def test_a_damaged_part_is_put_right(parted, tmp_path):
    root, launched = parted
    out = tmp_path / "out"
    assert build(root, output=out, search_index=True).ok
    made, name = contents(out), parts(out)[1]
    fragment = next((out / "pagefind" / name / "fragment").iterdir())
    fragment.unlink()
    launched.clear()
    assert build(root, output=out, search_index=True).ok
    assert launched == [] and contents(out) == made  # from the cache's copies
    fragment.write_bytes(b"damaged")
    shutil.rmtree(root / cache.FOLDER)
    assert build(root, output=out, search_index=True).ok
    assert name in launched and contents(out) == made  # by Pagefind, with no cache


@pytest.fixture
def edited_slowly(parted, tmp_path, monkeypatch):
    """The parted site built, then an article edited, with an indexer that is still at work
    when the next build fails or is cut short: (site, output folder, the parts launched,
    output/pagefind/ as built)."""
    root, launched = parted
    out = tmp_path / "out"
    assert build(root, output=out, search_index=True).ok
    before = tree_digest(out / "pagefind")
    write_files(root, {"content/articles/story-3.md": article(3) + "\nA paragraph about medlars.\n"})
    slow = tmp_path / "slow-indexer"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setattr(search, "indexer", lambda: slow)
    launched.clear()
    return root, out, launched, before


def stopped(processes) -> bool:
    """Whether every one of processes was ended by a signal (stopped, not left to finish)."""
    return all(process.returncode is not None and process.returncode < 0 for process in processes)


def test_the_index_begins_while_the_cache_is_kept_and_a_build_that_fails_then_stops_it(edited_slowly, monkeypatch):
    root, out, launched, before = edited_slowly
    running = []

    def failing(self):  # the cache is kept after the indexing began
        running.extend(process for _, process in self.begun.running)
        raise OSError("no room left on the disk")

    monkeypatch.setattr(OneShot, "remember", failing)
    with pytest.raises(OSError):
        build(root, output=out, search_index=True)
    assert len(launched) >= 1 and len(running) >= 1  # begun before the cache was brought up to date
    assert stopped(running)
    assert tree_digest(out / "pagefind") == before  # the index is as it was: no part, no job folder


def test_a_build_cut_short_while_it_waits_for_the_index_stops_it(edited_slowly, monkeypatch):
    root, out, _, before = edited_slowly
    running = []

    def interrupted(self):  # Ctrl-C while the build waits for Pagefind
        running.extend(process for _, process in self.running)
        raise KeyboardInterrupt

    monkeypatch.setattr(search.Indexing, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(root, output=out, search_index=True)
    assert running and stopped(running)
    assert tree_digest(out / "pagefind") == before


def built_then_lost(root, out, launched) -> dict[str, str]:
    """Build the site, then remove output/ as a fresh runner lacks it: what output/ held."""
    assert build(root, output=out, search_index=True).ok
    made = contents(out)
    shutil.rmtree(out)
    launched.clear()
    return made


def test_a_runner_with_the_cache_and_no_output_restores_the_parts(parted, tmp_path):
    root, launched = parted
    out = tmp_path / "out"
    made = built_then_lost(root, out, launched)
    assert build(root, output=out, search_index=True).ok
    assert launched == [] and contents(out) == made
    restored = tree_digest(out / "pagefind")
    assert build(root, output=out, search_index=True).ok  # and the next build finds them in place
    assert launched == [] and tree_digest(out / "pagefind") == restored


def test_a_copy_that_is_not_the_recorded_bytes_is_not_used(parted, tmp_path):
    root, launched = parted
    out = tmp_path / "out"
    made = built_then_lost(root, out, launched)
    in_parts = Counter(digest for path, digest in made.items() if path.startswith(search.FOLDER + "/"))
    copies = [copy for copy in sorted((root / cache.FOLDER).glob(f"*/{search.COPIES}/*/*"))
              if in_parts[hashlib.sha256(copy.read_bytes()).hexdigest()] == 1]  # one part's own file
    assert copies
    planted = copies[0]
    planted.write_bytes(b"<script>alert(1)</script>")  # what a planted or damaged copy would hold
    assert build(root, output=out, search_index=True).ok
    assert len(launched) == 1 and contents(out) == made


needs_browser = pytest.mark.skipif(chromium_path() is None and not __import__("os").environ.get("CI"),
                                   reason="no chromium here: apt-get install chromium (CI installs it)")


@needs_browser
def test_the_search_page_finds_pages_of_every_part(tmp_path, monkeypatch, browser):
    monkeypatch.setattr(search, "PART_PAGES", 3)
    out = tmp_path / "out"
    result = build(ROOT, output=out, search_index=True)
    assert result.ok and not result.diagnostics.items
    assert len(parts(out)) >= 4
    prefix = result.index.config.prefix
    with SiteServer(out, prefix) as url:
        context = browser.new_context()
        page = context.new_page()
        fetched = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(url + "search/?q=malicious+intentions")
        wanted = [f"{prefix}articles/russia-asks-china-for-aid/", f"{prefix}actors/zhao-lijian/"]
        page.wait_for_function("wanted => wanted.every(href => [...document.querySelectorAll("
                               "'.pagefind-ui__result-link')].some(a => a.getAttribute('href') === href))",
                               arg=wanted, timeout=30000)  # the results of each part as they come
        context.close()
    # Pagefind's search program (about 70 kB) is fetched once, whatever the number of parts
    assert len([address for address in fetched if "/wasm." in address]) == 1, fetched
    count = search.part_count(len(marked(out)))  # the two pages found are indexed in different parts
    assert search._part_of("articles/russia-asks-china-for-aid/index.html", count) != \
        search._part_of("actors/zhao-lijian/index.html", count)


def test_pages_with_odd_names_are_searched_as_themselves(site, tmp_path):
    odd = "static/odd (1) $x!,{a}[b]:<c>*?.html"
    page = '<!doctype html><html lang="en"><title>Odd</title><main data-pagefind-body>quokka</main></html>'
    root = site({"templates/" + odd: page, "templates/static/back\\slash.html": page})
    out = tmp_path / "out"
    result = build(root, output=out, search_index=True)
    assert result.ok and not result.diagnostics.items, [d.format() for d in result.diagnostics.items]
    assert (out / odd).is_file()
    counted = sum(language["page_count"] for name in parts(out)
                  for language in json.loads((out / "pagefind" / name / "pagefind-entry.json").read_text())["languages"].values())
    assert counted == len(marked(out)) - 1  # all but the one whose address a browser would read otherwise


def test_a_cache_folder_that_is_a_link_is_not_used(site, tmp_path):
    root = site(FILES)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the build's")
    (root / cache.FOLDER).symlink_to(elsewhere, target_is_directory=True)
    out = tmp_path / "out"
    assert build(root, output=out, search_index=True).ok and build(root, output=out, search_index=True).ok
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
