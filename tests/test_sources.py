"""How the preview learns that a source changed (sources.py): a look that re-reads only the
files the system told of must always equal a full look at every file."""

import os
import shutil
import time
from pathlib import Path

import pytest

from generator import sources as sources_module
from generator.sources import Sources, snapshot

CEILING = 60  # seconds; only a broken watch waits this long


def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content/articles").mkdir(parents=True)
    (root / "content/actors").mkdir()
    (root / "site.yaml").write_text("title: A\n", encoding="utf-8")
    (root / "content/articles/one.md").write_text("one\n", encoding="utf-8")
    (root / "content/actors/a.yaml").write_text("name: A\n", encoding="utf-8")
    (root / "output").mkdir()
    return root


def until_seen(sources: Sources, root: Path) -> None:
    """Wait until a look shows the sources as a full look does."""
    deadline = time.monotonic() + CEILING
    while sources.look() != snapshot(root):
        assert time.monotonic() < deadline, "the look never showed the change"
        time.sleep(0.01)


def changes(root: Path):
    """One of each kind of change an editor or a program makes to the sources."""
    articles = root / "content/articles"
    yield "an article saved in place", lambda: (articles / "one.md").write_text("one, longer\n", encoding="utf-8")
    yield "an article added", lambda: (articles / "two.md").write_text("two\n", encoding="utf-8")

    def saved_by_rename():  # how many editors save: a new file put in the old one's place
        (articles / "two.md.tmp").write_text("two, again\n", encoding="utf-8")
        os.replace(articles / "two.md.tmp", articles / "two.md")
    yield "an article saved by renaming a new file over it", saved_by_rename
    yield "an article renamed", lambda: os.replace(articles / "two.md", articles / "three.md")
    yield "an article removed", lambda: (articles / "three.md").unlink()
    yield "an article touched", lambda: os.utime(articles / "one.md", ns=(1, 10**18))

    def folder_made():
        (articles / "2026").mkdir()
        (articles / "2026/four.md").write_text("four\n", encoding="utf-8")
    yield "a folder made with an article in it", folder_made
    yield "an article in the new folder saved", lambda: (articles / "2026/four.md").write_text("4\n", encoding="utf-8")
    yield "a folder moved", lambda: os.replace(articles / "2026", articles / "2027")
    yield "a folder removed", lambda: shutil.rmtree(articles / "2027")
    yield "site.yaml saved", lambda: (root / "site.yaml").write_text("title: B\n", encoding="utf-8")

    def templates_made():
        (root / "templates").mkdir()
        (root / "templates/page.html").write_text("{{ page }}\n", encoding="utf-8")
    yield "templates/ made", templates_made
    yield "a template saved", lambda: (root / "templates/page.html").write_text("{{ x }}\n", encoding="utf-8")

    def content_made_again():
        shutil.rmtree(root / "content")
        (root / "content/articles").mkdir(parents=True)
        (root / "content/articles/five.md").write_text("five\n", encoding="utf-8")
    yield "content/ deleted and made again", content_made_again
    yield "an article in the new content/ saved", lambda: (root / "content/articles/five.md").write_text(
        "5\n", encoding="utf-8")

    def templates_swapped():
        (root / "new-templates").mkdir()
        (root / "new-templates/page.html").write_text("{{ y }}\n", encoding="utf-8")
        shutil.rmtree(root / "templates")
        os.replace(root / "new-templates", root / "templates")
    yield "templates/ swapped for another folder", templates_swapped
    yield "a template in the swapped folder saved", lambda: (root / "templates/page.html").write_text(
        "{{ z }}\n", encoding="utf-8")


@pytest.fixture
def no_full_looks(monkeypatch):
    """Full looks only at the start: what the looks show comes from the notices alone."""
    monkeypatch.setattr(sources_module, "FULL_LOOK", 10**9)


@pytest.fixture
def telling(tmp_path, no_full_looks):
    """A site, and its Sources, on a system that tells of changes (skipped elsewhere)."""
    root = site(tmp_path)
    sources = Sources(root)
    try:
        if not sources.telling:
            pytest.skip("this system tells of no changes")
        yield root, sources
    finally:
        sources.close()


def test_what_the_system_tells_brings_every_kind_of_change_to_the_look(telling):
    root, sources = telling
    for what, change in changes(root):
        before = sources.look()
        change()
        until_seen(sources, root)
        assert sources.look() != before, what
        assert sources.telling, f"after {what}, the system no longer tells of changes"


def test_a_site_given_as_a_relative_path_is_told_of_too(tmp_path, no_full_looks, monkeypatch):
    """serve's default --site is '.': the system names the changed files from there."""
    root = site(tmp_path)
    monkeypatch.chdir(root)
    sources = Sources(Path("."))
    try:
        if not sources.telling:
            pytest.skip("this system tells of no changes")
        for what, change in changes(Path(".")):
            before = sources.look()
            change()
            until_seen(sources, Path("."))
            assert sources.look() != before, what
    finally:
        sources.close()


def test_a_folder_that_cannot_be_watched_is_looked_at_in_full_every_time(tmp_path, monkeypatch):
    from watchdog.observers.api import BaseObserver
    root = site(tmp_path)
    schedule = BaseObserver.schedule

    def refusing(self, handler, path, **options):
        if str(path).endswith("content"):
            raise OSError(28, "inotify watch limit reached")
        return schedule(self, handler, path, **options)

    monkeypatch.setattr(BaseObserver, "schedule", refusing)
    monkeypatch.setattr(sources_module, "FULL_LOOK", 10**9)
    sources = Sources(root)
    try:
        assert not sources.telling and sources.told()
        (root / "content/articles/one.md").write_text("changed at once\n", encoding="utf-8")
        assert sources.look() == snapshot(root)
    finally:
        sources.close()


def test_reading_the_sources_and_writing_output_tell_nothing(telling):
    """The build reads every source and writes output/: neither is a change to rebuild for."""
    root, sources = telling
    (root / "content/articles/one.md").read_text(encoding="utf-8")
    (root / "output/index.html").write_text("page\n", encoding="utf-8")
    (root / "content/articles/.one.md.swp").write_text("swap\n", encoding="utf-8")
    # told after the others, by the watch of content/ and by that of the site's folder
    sentinels = {str(root / "content/actors/a.yaml"), str(root / "site.yaml")}
    (root / "content/actors/a.yaml").write_text("name: B\n", encoding="utf-8")
    (root / "site.yaml").write_text("title: B\n", encoding="utf-8")
    deadline = time.monotonic() + CEILING
    while True:
        with sources._lock:
            told = set(sources._told)
        if sentinels <= told:
            break
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert told == sentinels


def test_a_change_the_system_never_tells_is_found_by_a_full_look(tmp_path, monkeypatch):
    """A network share or a container's mount may send no notices: the full looks still
    find its changes."""
    monkeypatch.setattr(sources_module, "FULL_LOOK", 0.2)
    root = site(tmp_path)
    sources = Sources(root)
    try:
        sources._tell = lambda event: None  # every notice lost
        before = sources.look()
        (root / "content/articles/one.md").write_text("one, changed\n", encoding="utf-8")
        until_seen(sources, root)
        assert sources.look() != before
    finally:
        sources.close()


def test_without_notices_every_look_is_a_full_one(tmp_path):
    root = site(tmp_path)
    sources = Sources(root, notices=False)
    assert not sources.telling and sources.told()
    for what, change in changes(root):
        change()
        assert sources.look() == snapshot(root), what


def test_a_told_change_wakes_a_waiter_and_dates_the_burst_from_itself(telling):
    root, sources = telling
    noticed = time.monotonic()
    assert sources.quiet_since(noticed) == noticed  # nothing told yet: from the look that noticed
    sources.changed.clear()
    saved = time.monotonic()
    (root / "content/articles/one.md").write_text("one, saved again\n", encoding="utf-8")
    sources.wait(CEILING)  # returns when told, long before its timeout
    later = time.monotonic()
    assert later - saved < CEILING / 2, "the save was never told of"
    assert saved <= sources.quiet_since(later) < later  # from the save, not from when it was found
    assert sources.quiet_since(saved - 1) == saved - 1  # a change told after the look is not its date
