"""The cache folder a command-line build leaves in the site (.explainer-cache/): the next
build in a new process reuses the articles it read and rendered, knows what output/ holds,
and is never made wrong by a stale, damaged or missing cache."""

import json
import os

import pytest

from conftest import MINIMAL, tree_digest, write_files
from generator import build as building
from generator import cache, keys, load, reuse
from generator.build import Builder, build
from generator.cache import DiskCache


@pytest.fixture
def prepared(monkeypatch):
    """The paths of the article files read and rendered (not taken from a cache) from now on."""
    seen = []
    real = building._prepare

    def counting(items, *args):
        seen.extend(source.rel for _, source in items)
        return real(items, *args)

    monkeypatch.setattr(building, "_prepare", counting)
    return seen


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled however lately they were saved, so that a build trusts their
    stamps (reuse.Stamps) at once, as it would a few seconds after the last save."""
    monkeypatch.setattr(reuse.Stamps, "RACY", -1.0)


@pytest.fixture
def reads(monkeypatch):
    """The paths of the source files whose text a build reads from now on."""
    seen = []
    real = load.read_text

    def counting(root, path, diags):
        seen.append(os.fspath(path))
        return real(root, path, diags)

    monkeypatch.setattr(load, "read_text", counting)
    return seen


def contents(folder):
    return {path: digest.split(":")[0] for path, digest in tree_digest(folder).items()}


def assert_as_fresh(root, out, tmp_path):
    """out holds what a fresh build of root, with no cache, writes."""
    fresh = tmp_path / "fresh"
    assert Builder(root, output=fresh, cache=False).build().ok
    assert contents(out) == contents(fresh)


def names(reads, root):
    """The files read, by their paths in the site, in name order."""
    return sorted(os.path.relpath(path, root) for path in reads)


TWO_ARTICLES = {"content/articles/second.md": MINIMAL["content/articles/first.md"].replace("title: First", "title: Second")}


def test_second_build_with_nothing_changed_reads_and_writes_nothing(site, tmp_path, prepared):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert (root / cache.FOLDER).is_dir()
    before, prepared[:] = tree_digest(out), []
    result = build(root, output=out)  # a new builder, as a new process would make
    assert result.ok and result.report.written == () and result.report.removed == ()
    assert prepared == [] and "articles" not in result.timings
    assert tree_digest(out) == before


def test_a_build_that_finds_every_file_as_the_last_one_left_it_reads_none(site, tmp_path, settled, reads):
    root = site({"content/media/map.png": b"\x89PNG\r\n\x1a\n", "templates/robots.txt": "User-agent: *\nDisallow:\n# Ours\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert len(reads) == 3  # site.yaml, the actor and the article
    before, reads[:] = tree_digest(out), []
    result = build(root, output=out)
    assert result.ok and result.report.written == () and reads == []
    assert tree_digest(out) == before


@pytest.mark.parametrize("changed", ["content/articles/first.md", "content/actors/ana-lima.yaml", "site.yaml",
                                     "templates/robots.txt", "content/media/map.png"])
def test_a_file_saved_with_its_old_size_and_times_is_still_seen(site, tmp_path, settled, changed):
    """A save moves a file's change time, which no program can set back: a file given the
    same length and its old modification time again is built again all the same."""
    root = site({"content/media/map.png": b"\x89PNG\r\n\x1a\nIHDR", "templates/robots.txt": "User-agent: *\nDisallow:\n# Ours\n",
                 "content/articles/first.md": MINIMAL["content/articles/first.md"] + "\nA line about Ours.\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    path = root / changed
    data, old = path.read_bytes(), path.stat()
    swaps = {b"Ours": b"Mine", b"Mayor": b"Major", b"Tiny": b"Tony", b"IHDR": b"IHDX"}
    edited = next(data.replace(a, b) for a, b in swaps.items() if a in data)
    path.write_bytes(edited)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert path.stat().st_size == old.st_size and path.stat().st_mtime_ns == old.st_mtime_ns
    result = build(root, output=out)
    assert result.ok and result.report.written
    assert_as_fresh(root, out, tmp_path)


def test_after_an_edit_only_the_edited_article_is_read(site, tmp_path, settled, reads):
    root = site(TWO_ARTICLES)
    out = tmp_path / "out"
    assert build(root, output=out).ok
    write_files(root, {"content/articles/first.md": MINIMAL["content/articles/first.md"] + "\nA new line.\n"})
    reads[:] = []
    assert build(root, output=out).ok
    assert names(reads, root) == ["content/actors/ana-lima.yaml", "content/articles/first.md", "site.yaml"]
    assert "A new line." in (out / "articles/first/index.html").read_text()
    assert_as_fresh(root, out, tmp_path)


def test_an_article_left_unread_is_read_after_all_when_the_cache_lost_its_record(site, tmp_path, settled, reads):
    root = site(TWO_ARTICLES)
    out = tmp_path / "out"
    assert build(root, output=out).ok
    for entry in (DiskCache(root).folder / "article").rglob("*"):
        if entry.is_file():
            entry.unlink()
    write_files(root, {"site.yaml": MINIMAL["site.yaml"] + "description: Two articles.\n"})
    reads[:] = []
    result = build(root, output=out)
    assert result.ok
    assert names(reads, root) == [
        "content/actors/ana-lima.yaml", "content/articles/first.md", "content/articles/second.md", "site.yaml"]
    assert_as_fresh(root, out, tmp_path)


def test_files_saved_a_moment_ago_are_read_whatever_their_stamps(site, tmp_path, reads, monkeypatch):
    monkeypatch.setattr(reuse.Stamps, "RACY", 10.0 ** 9)  # every file is as new as a save just made
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    reads[:] = []
    assert build(root, output=out).ok
    assert len(reads) == 3


def test_edit_in_a_new_process_reads_only_the_edited_article_and_matches_a_fresh_build(site, tmp_path, prepared):
    root = site(TWO_ARTICLES)
    out = tmp_path / "out"
    assert build(root, output=out).ok
    prepared[:] = []
    edited = MINIMAL["content/articles/first.md"].replace("\n\n", "\n\nA new paragraph.\n\n", 1)
    write_files(root, {"content/articles/first.md": edited})
    result = build(root, output=out)
    assert result.ok and prepared == ["content/articles/first.md"]
    assert "articles/first/index.html" in result.report.written
    assert "articles/second/index.html" not in result.report.written
    assert_as_fresh(root, out, tmp_path)


def test_damaged_cache_entries_are_ignored(site, tmp_path, prepared):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    expected = contents(out)
    entries = [p for p in (root / cache.FOLDER).rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x80\x05not a pickle")
    prepared[:] = []
    write_files(root, {"content/actors/ana-lima.yaml": MINIMAL["content/actors/ana-lima.yaml"] + "summary: Councillor since 2019.\n"})
    assert build(root, output=out).ok
    assert prepared == ["content/articles/first.md"]
    assert "Councillor since 2019" in (out / "actors/ana-lima/index.html").read_text()
    assert contents(out).keys() == expected.keys()


def test_a_cache_that_cannot_be_written_does_not_stop_the_build(site, tmp_path):
    root = site()
    (root / cache.FOLDER).write_text("not a folder")
    result = build(root, output=tmp_path / "out")
    assert result.ok and not result.diagnostics.items
    assert (tmp_path / "out/articles/first/index.html").exists()


def test_a_new_version_of_the_generator_starts_afresh_and_removes_the_old_entries(site, tmp_path, monkeypatch,
                                                                                 prepared):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    old = DiskCache(root).folder
    monkeypatch.setattr(cache, "fingerprint", lambda: "0123456789abcdef")
    prepared[:] = []
    assert build(root, output=out).ok
    assert prepared == ["content/articles/first.md"]
    assert not old.exists() and (root / cache.FOLDER / "0123456789abcdef").is_dir()


def test_output_changed_by_hand_is_put_right_by_the_next_build(site, tmp_path):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    expected = contents(out)
    (out / "articles/first/index.html").write_text("edited by hand")
    (out / "feed.xml").unlink()
    result = build(root, output=out)
    assert result.ok and set(result.report.written) == {"articles/first/index.html", "feed.xml"}
    assert contents(out) == expected


class _Planted:
    """A pickle that, when loaded, writes a file: what an attacker would commit."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_entries_planted_in_the_cache_folder_run_nothing_and_are_ignored(site, tmp_path, prepared):
    import pickle

    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    expected = contents(out)
    ran = tmp_path / "ran"
    entries = [p for p in (root / cache.FOLDER).rglob("*") if p.is_file()]
    assert len(entries) >= 2
    for entry in entries:  # a pickle, then the same behind the header of a signed entry
        entry.write_bytes(pickle.dumps(_Planted(ran)))
    prepared[:] = []
    result = build(root, output=out)
    assert result.ok and not ran.exists()
    assert prepared == ["content/articles/first.md"] and contents(out) == expected
    for entry in entries:
        entry.write_bytes(cache.SIGNED + b"\0" * 32 + pickle.dumps(_Planted(ran)))
    assert build(root, output=out).ok and not ran.exists()


def test_entries_signed_with_another_key_are_ignored(site, tmp_path, prepared, monkeypatch):
    """A cache made elsewhere (committed to the repository, or shipped in a zip) is not read:
    here one whose article says what the file does not."""
    root = site()
    out = tmp_path / "out"
    monkeypatch.setenv(keys.KEY_VARIABLE, "someone else's key")
    assert build(root, output=out).ok
    disk = DiskCache(root)
    for entry in (disk.folder / "article").rglob("*"):
        if entry.is_file():
            forged = entry.read_bytes().replace(b"We will build it.", b"We will sell it!!")
            data = forged[len(cache.SIGNED) + 32:]
            entry.write_bytes(cache.SIGNED + disk._signature(data) + data)  # signed with that key
    prepared[:] = []  # with the key it was signed with, the forgery would be believed
    assert build(root, output=tmp_path / "signer").ok and prepared == []
    assert "We will sell it" in (tmp_path / "signer/quotes/index.html").read_text()
    monkeypatch.setenv(keys.KEY_VARIABLE, "this user's key")
    assert build(root, output=tmp_path / "other").ok
    assert prepared == ["content/articles/first.md"]
    assert "We will sell it" not in (tmp_path / "other/quotes/index.html").read_text()


@pytest.mark.parametrize("data", [b"[]", b'{"slug": 1}', b"[[null, null], [{\"x\": 1}]]", b"[" * 100000,
                                  b"[[null, null], [" + b"9" * 5000 + b"]]", b"\xff\xfe", b"null",
                                  b'[[{"slug": "a"}, null], []]'])
def test_signed_entries_of_the_wrong_shape_are_ignored(site, tmp_path, prepared, data):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    disk = DiskCache(root)
    for entry in (disk.folder).rglob("*"):
        if entry.is_file():
            entry.write_bytes(cache.SIGNED + disk._signature(data) + data)
    prepared[:] = []
    result = build(root, output=out)
    assert result.ok and prepared == ["content/articles/first.md"]


def test_every_article_of_the_demo_comes_back_from_its_record_equal(demo):
    from generator import records
    from generator.build import ARTICLE_ENTRY
    from generator.diagnostics import Diagnostic, Location
    from generator.markup import Markup

    result, _ = demo
    markup = Markup("/p/", False)
    for article in result.index.articles:
        body = markup.body(article)
        entry = ((article, body, (b"d" * 16,) * (1 + len(article.quotes))),
                 (Diagnostic(Location("f", 1, 2), "m", "h", "warning"),))
        assert records.loads(records.dumps(entry, ARTICLE_ENTRY), ARTICLE_ENTRY) == entry


def test_a_record_of_a_class_that_checks_its_fields_is_made_through_its_init():
    """Records are made without their class's __init__ only where it does nothing but set
    the fields: a class that checks them in __post_init__ still checks what is read."""
    import dataclasses

    from generator import records

    @dataclasses.dataclass(frozen=True)
    class Checked:
        n: int

        def __post_init__(self):
            if self.n < 0:
                raise ValueError("a count cannot be negative")

    assert records.loads(records.dumps(Checked(3), Checked), Checked) == Checked(3)
    with pytest.raises(records.Malformed, match="negative"):
        records.loads(b"[-1]", Checked)


@pytest.mark.parametrize("kind, good, bad", [
    (int, b"3", [b"true", b"3.0", b'"3"', b"null", b"[3]"]),
    (bool, b"true", [b"1", b"0", b'"true"', b"null"]),
    (float, b"2.5", [b"true", b'"2.5"', b"[]"]),
    (str, b'"a"', [b"1", b"null", b'["a"]', b'{"a": 1}']),
    (tuple[int, ...], b"[1, 2]", [b'{"1": 2}', b'"12"', b"[1, true]", b"[1, null]"]),
    (tuple[str, ...], b'["a"]', [b'"ab"', b'{"a": 1}']),  # a string and an object iterate as strings
    (frozenset[str], b'["a"]', [b'"ab"', b'{"a": 1}']),
    (tuple[int, str], b'[1, "a"]', [b"[1]", b'[1, "a", 2]', b'["a", 1]', b'{"a": 1}']),
    (dict[str, int], b'{"a": 1}', [b"[1]", b'{"a": "1"}', b'"a"']),
    (type(None), b"null", [b"0", b'""', b"false"]),
])
def test_a_record_of_another_shape_than_its_type_is_refused(kind, good, bad):
    from generator import records

    assert records.dumps(records.loads(good, kind), kind) == good.replace(b" ", b"")
    for data in bad:
        with pytest.raises(records.Malformed):
            records.loads(data, kind)


def test_a_record_whose_fields_are_of_other_types_is_refused_field_by_field():
    """A record's decoder checks each field as its type says, plain fields in place and
    the others through their own decoders, however deep."""
    import dataclasses
    import typing

    from generator import records

    class Spot(typing.NamedTuple):
        file: str
        line: int | None

    @dataclasses.dataclass(frozen=True)
    class Mark:
        name: str
        spots: tuple[Spot, ...]
        shown: bool
        first: Spot | None = None

    value = Mark("a", (Spot("f", 1), Spot("g", None)), True, Spot("h", 2))
    good = records.dumps(value, Mark)
    assert records.loads(good, Mark) == value
    for bad in [b'[1, [], true, null]', b'["a", [["f", "1"]], true, null]', b'["a", [["f"]], true, null]',
                b'["a", [], 1, null]', b'["a", [], true, ["h", true]]', b'["a", [], true]',
                b'["a", {}, true, null]', b'{"name": "a"}']:
        with pytest.raises(records.Malformed):
            records.loads(bad, Mark)


def test_a_record_that_its_fields_decoders_or_its_class_refuse_is_malformed():
    """What a field's decoder or a record's class raises on data of the right shape but
    not a value (a set of unhashable records, a time beyond the calendar, a number too
    large for a float) is Malformed, as any other bad record is."""
    import dataclasses
    import datetime as dt

    from generator import records

    @dataclasses.dataclass
    class Loose:  # not frozen: its objects cannot go in a set
        n: int

    @dataclasses.dataclass(frozen=True)
    class Holder:
        loose: frozenset[Loose]
        when: dt.datetime | None
        size: float

    assert records.loads(b'[[], "2024-05-06T10:00:00+02:00[Europe/Oslo]", 1]', Holder).size == 1.0
    for bad in [b'[[[1]], null, 1]', b'[[], "9999-12-31T23:00:00+00:00[Asia/Tokyo]", 1]',
                b'[[], null, 1' + b"0" * 400 + b']']:
        with pytest.raises(records.Malformed):
            records.loads(bad, Holder)


@pytest.mark.parametrize("fast", [True, False], ids=["orjson", "json alone"])
def test_records_read_back_the_same_with_or_without_orjson(fast, monkeypatch):
    from generator import records

    if not fast:
        monkeypatch.setattr(records, "orjson", None)
    kind = tuple[tuple[int, str, float], ...]
    value = ((7, "naïve \u2028 \"quoted\"", 0.1), (-1, "", 1e300))
    assert records.loads(records.dumps(value, kind), kind) == value
    # a number beyond 64 bits is written by json; orjson reads it as a float, so the record is
    # refused (and made again), never taken for another value
    huge = ((2 ** 70, "a", 0.5),)
    data = records.dumps(huge, kind)
    assert data == json.dumps(records.to_data(huge, kind), separators=(",", ":")).encode()
    if fast:
        with pytest.raises(records.Malformed):
            records.loads(data, kind)
    else:
        assert records.loads(data, kind) == huge
    for bad in (b"[[1, 2", b"NaN", "[" * 5000 + "]" * 5000, b"\xff"):
        with pytest.raises(records.Malformed):
            records.loads(bad, kind)


def test_records_of_what_pages_read_come_back_equal_and_damaged_ones_as_none():
    from generator.reuse import EMPTY, PageRecord, Records, StoredRecords, from_stored, stored

    made = Records({("index", "articles", "item", 3): b"a" * 16, ("page", "call", ("x", 2)): b"b" * 16},
                   {"index.html": ((("index", "articles", "item", 3),), b"c" * 16)})
    assert from_stored(stored(made)) == made
    for paths in ("not JSON", '{"a": 1}', '[["only-one"]]', '["a", "b"]', "[" * 100000 + "]" * 100000):
        assert from_stored(StoredRecords(paths, (b"a" * 16,), {})) is EMPTY
    assert from_stored(StoredRecords('[["a", "b"]]', (b"a" * 16,), {"p": PageRecord((5,), b"d")})) is EMPTY


def test_records_kept_from_the_last_are_stored_as_if_spelled_anew():
    """stored(records, last) takes again the JSON of the last records' paths and the record
    of each page kept as it was: what it gives is what stored(records) gives."""
    from generator.reuse import Records, from_stored, stored

    a, b, c = ("site", "articles", "item", 3), ("site", "actors", "item", "ana"), ("plan", "paths")
    first = Records({a: b"a" * 16, b: b"b" * 16, c: b"c" * 16},
                    {"x.html": ((a, b), b"x" * 16), "y.html": ((c,), b"y" * 16), "z.html": ((b, c), b"z" * 16)})
    saved = stored(first)
    last = from_stored(saved)
    # the pages read what they read then: one kept, one made again with what it read before
    # and new bytes, and one made again that read other paths; and a value that changed
    same = Records({**last.digests, b: b"B" * 16},
                   {"x.html": last.pages["x.html"], "y.html": ((c,), b"Y" * 16), "z.html": ((c, a), b"Z" * 16)})
    again = stored(same, (last, saved))
    assert again == stored(same)
    assert again.paths is saved.paths and again.pages["x.html"] is saved.pages["x.html"]  # taken, not made anew
    assert again.pages["y.html"] is not saved.pages["y.html"]
    # other paths, in another order: spelled anew
    other = Records({c: b"c" * 16, a: b"a" * 16}, {"x.html": last.pages["y.html"], "w.html": ((a,), b"w" * 16)})
    assert stored(other, (last, saved)) == stored(other)


def test_times_in_a_named_zone_read_from_the_cache_show_as_a_fresh_build_shows_them(site, tmp_path):
    """A time written without its offset is in the site's zone: an article taken from the
    cache keeps the zone's name (CET), not only its offset (UTC+01:00)."""
    article = MINIMAL["content/articles/first.md"].replace("date: 2024-05-06", "date: 2024-01-15 10:00")
    root = site({"site.yaml": MINIMAL["site.yaml"] + "timezone: Europe/Oslo\n", "content/articles/first.md": article})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert "10:00 CET" in (out / "articles/first/index.html").read_text(encoding="utf-8")
    write_files(root, {"site.yaml": MINIMAL["site.yaml"].replace("Tiny", "Small") + "timezone: Europe/Oslo\n"})
    assert build(root, output=out).ok  # the article from the cache, every page made again
    assert "10:00 CET" in (out / "articles/first/index.html").read_text(encoding="utf-8")
    assert_as_fresh(root, out, tmp_path)


def test_a_file_that_now_leads_somewhere_it_may_not_is_refused_though_it_is_the_same_file(site, tmp_path, settled):
    """Moving the folder an article links into, and linking to it there, leaves the file
    (and so its size, times and inode) as it was: where it leads is checked again all the same."""
    root = site({"notes/first.md": MINIMAL["content/articles/first.md"]})
    article = root / "content/articles/first.md"
    article.unlink()
    os.symlink("../../notes/first.md", article)
    out = tmp_path / "out"
    assert build(root, output=out).ok
    before = os.stat(article)
    (root / "notes").rename(root / ".notes")
    article.unlink()
    os.symlink("../../.notes/first.md", article)
    assert load.file_key(os.stat(article)) == load.file_key(before)
    result = build(root, output=out)
    assert not result.ok
    assert [d.message for d in result.diagnostics.errors] == [
        "this file links to a hidden file or folder, which is never read or published"]


def test_an_output_folder_changed_by_hand_is_made_whole_again_though_no_source_changed(site, tmp_path, settled):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    expected = contents(out)
    (out / "articles/first/index.html").unlink()
    assert build(root, output=out).ok
    assert contents(out) == expected
