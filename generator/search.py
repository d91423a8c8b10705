"""The site's search index: Pagefind indexes the written pages into output/pagefind/, and
the search page loads it in the browser, offline, with no server behind it.

Pagefind holds all it indexes in memory at once and indexes a folder whole, so the site is
indexed in parts. Each searched page (one marked data-pagefind-body, or every page when no
page is marked) belongs to one part by a hash of its path; the number of parts grows with
the site (PART_PAGES). Each part is indexed on its own into output/pagefind/<name>/, where
name is a digest of the part's pages, paths and bytes, and of the indexer, and the search
page merges the parts listed in output/pagefind/parts.json (Pagefind's mergeIndex, which
ranks the results of all parts together by score). So a build indexes again only the parts
whose pages changed; it keeps the others where they are, or, on a runner with no output/,
restores them from the cache's copies, each used only when its bytes have the digest the
signed record of the last index names (cache.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from .write import digest, stat_key

FOLDER = "pagefind"  # under output/; the build never prunes it, the index does
MARK = b"data-pagefind-body"
PART_PAGES = 750  # pages in a part, about (parts are a hash's share): Pagefind needs about 130 MB for them
LIST = "parts.json"
UI = ("pagefind-ui.js", "pagefind-ui.css")  # the same in every part; the search page loads them from FOLDER
COPIES = "search-files"  # the cache's folder of copies of the parts' files

MISSING = "the search index was not built: the pagefind package is not installed (make build installs it)"


@dataclasses.dataclass(frozen=True)
class Part:
    name: str
    files: dict[str, bytes]  # path in the part -> digest of its bytes
    placed: bytes  # digest of the paths, sizes, times and inodes of its files in output/pagefind/name/


@dataclasses.dataclass(frozen=True)
class SearchRecord:
    """What output/pagefind/ holds, for the next index of the same output folder."""

    marked: frozenset[bytes]  # digests of the bytes of pages that are marked data-pagefind-body
    unmarked: frozenset[bytes]  # and of those that are not
    parts: tuple[Part, ...]


def indexer() -> Path | None:
    """Pagefind's program, or None when the pagefind package is not installed."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    return get_executable()


def part_count(pages: int) -> int:
    """How many parts hold this many searched pages: a power of two, so that the parts, and
    what they hold, change only when the site doubles or halves."""
    count = 1
    while count * PART_PAGES < pages:
        count *= 2
    return count


def _part_of(rel: str, count: int) -> int:
    return int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=8).digest(), "big") % count


class Indexing:
    """One refresh of output/pagefind/ for the pages output/ now holds.

    pages: each HTML page of output/ -> the digest of its bytes; last: the record of the
    index output/pagefind/ held before, if known; copies: the cache, which keeps a copy of
    every file of the parts (keep_copies, link_copy), or None. start() begins indexing the
    parts that changed; poll() moves it on and says when it is over; wait() is both."""

    def __init__(self, output: Path, pages: dict[str, bytes], last: SearchRecord | None, copies=None):
        self.output, self.folder, self.copies, self.last = output, output / FOLDER, copies, last
        self.program = indexer()
        self.problem: str | None = None if self.program is not None else MISSING
        self.record: SearchRecord | None = None
        self.running: list[tuple[str, subprocess.Popen]] = []
        self.parts: dict[str, list[str]] = {}  # name -> its pages, in the order of the list
        self.done: dict[str, Part] = {}
        self.marked: set[bytes] = set()  # digests of the pages found marked, and not
        self.unmarked: set[bytes] = set()
        self.waiting: list[str] = []  # the parts to index, not yet started
        if self.program is not None:
            self._plan(pages)

    def _plan(self, pages: dict[str, bytes]) -> None:
        """Which pages are searched, the parts they fall in, and which parts to index again:
        the others are kept in place or restored from the cache's copies."""
        output, last = self.output, self.last
        marked, unmarked = (last.marked, last.unmarked) if last is not None else (frozenset(), frozenset())
        flags = {}
        for rel, sum_ in pages.items():  # whether a page is marked is a matter of its bytes
            if "\\" in rel:  # Pagefind would list it with the backslash, which browsers take for a slash: not searched
                continue
            if sum_ in marked:
                flags[rel] = True
            elif sum_ in unmarked:
                flags[rel] = False
            else:
                try:
                    flags[rel] = MARK in (output / rel).read_bytes()
                except OSError:
                    continue
            (self.marked if flags[rel] else self.unmarked).add(sum_)
        searched = sorted(rel for rel, flag in flags.items() if flag) or sorted(flags)
        count = part_count(len(searched))
        members: list[list[str]] = [[] for _ in range(count)]
        for rel in searched:
            members[_part_of(rel, count)].append(rel)
        try:
            program = os.stat(self.program)
        except OSError as error:
            self.problem = f"the search index was not built: cannot run pagefind ({error.strerror})"
            return
        recipe = repr((str(self.program), program.st_size, program.st_mtime_ns, count)).encode()
        for rels in members:
            if rels:
                name = hashlib.blake2b(recipe, digest_size=10)
                for rel in rels:
                    name.update(rel.encode() + b"\0" + pages[rel])
                self.parts[name.hexdigest()] = rels
        before = {part.name: part for part in last.parts} if last is not None else {}
        for name in self.parts:
            part = before.get(name)
            if part is not None and self._intact(name, part):
                self.done[name] = part
            elif part is None or not self._restore(name, part):  # which records the part it wrote
                self.waiting.append(name)

    def _intact(self, name: str, part: Part) -> bool:
        return bool(part.files) and _placed(self.folder / name) == part.placed

    def _restore(self, name: str, part: Part) -> bool:
        """Put the part in place from the cache's copies of its files (as links to them), when
        it has them all, each with the bytes the record names."""
        if self.copies is None or not part.files:
            return False
        temp = self.folder / f".{name}.restored"
        try:
            _remove(temp)
            if not _fill(temp, part.files, lambda rel, target: self.copies.link_copy(part.files[rel], target, COPIES)):
                _remove(temp)
                return False
            self._place(temp, name)
        except OSError:
            _remove(temp)
            return False
        self.done[name] = Part(name, part.files, _placed(self.folder / name))
        return True

    def _place(self, made: Path, name: str) -> None:
        final = self.folder / name
        _remove(final)
        os.replace(made, final)

    def start(self, jobs: int = 1, nice: bool = False) -> "Indexing":
        self.jobs, self.nice = max(1, jobs), nice
        self.poll()
        return self

    def _launch(self, name: str) -> None:
        """Start Pagefind on a folder of the part's pages alone, each a link to its file in
        output/ (a copy where the file system has no links), at its path there: so Pagefind
        gives each the address it has on the site, and neither it nor a glob walks the rest
        of output/ (some tenths of a second a part, at 10,000 articles)."""
        job, made = self.folder / f".{name}.job", self.folder / f".{name}.made"
        _remove(job)
        _remove(made)
        pages = job / "pages"
        _fill(pages, self.parts[name], lambda rel, target: _link_or_copy(self.output / rel, target))
        command = [str(self.program), "--site", str(pages.resolve()), "--output-path", str(made.resolve()), "--silent"]
        with open(job / "errors.txt", "wb") as errors:  # a file, which never fills as a pipe would
            process = subprocess.Popen(command, cwd=job, stdout=subprocess.DEVNULL, stderr=errors,
                                       preexec_fn=(lambda: os.nice(15)) if self.nice else None)
        self.running.append((name, process))

    def _finished(self, name: str, process: subprocess.Popen) -> None:
        job, made = self.folder / f".{name}.job", self.folder / f".{name}.made"
        try:
            errors = (job / "errors.txt").read_text(errors="replace").strip()[-2000:]
        except OSError:
            errors = ""
        _remove(job)
        if process.returncode != 0 or not (made / "pagefind-entry.json").is_file():
            _remove(made)
            self.problem = "the search index was not built: " + (errors or "pagefind made no index")
            return
        self._place(made, name)
        base = self.folder / name
        files = {}
        for path in sorted(base.rglob("*")):
            if path.is_file():
                files[path.relative_to(base).as_posix()] = digest(path.read_bytes())
        self.done[name] = Part(name, files, _placed(base))
        if self.copies is not None:
            self.copies.keep_copies(base, files, COPIES)

    def poll(self) -> bool:
        """Move the indexing on: collect the parts that are made, start the next ones.
        True once it is over (self.problem says whether it went well)."""
        if self.record is not None or self.problem is not None:
            self.stop()
            return True
        try:
            for name, process in list(self.running):
                if process.poll() is not None:
                    self.running.remove((name, process))
                    self._finished(name, process)
                    if self.problem is not None:
                        self.stop()
                        return True
            while self.waiting and len(self.running) < self.jobs:
                self._launch(self.waiting.pop(0))
        except OSError as error:
            self.problem = f"the search index was not built: {error}"
            self.stop()
            return True
        if self.running or self.waiting:
            return False
        self._finish()
        return True

    def wait(self) -> str | None:
        """Index to the end; a problem (a warning, not an error) or None."""
        while not self.poll():
            _wait_for_one([process for _, process in self.running])
        return self.problem

    def stop(self) -> None:
        """Stop the indexing under way; output/pagefind/ stays as it was listed."""
        for name, process in self.running:
            if process.poll() is None:
                process.terminate()
                process.wait()
            _remove(self.folder / f".{name}.job")
            _remove(self.folder / f".{name}.made")
        self.running = []

    def known(self) -> SearchRecord | None:
        """What output/pagefind/ holds: the new index once it is over; before, or when it
        was stopped, the parts of the last one and those made since."""
        if self.record is not None or self.last is None and not self.done:
            return self.record
        last = self.last or SearchRecord(frozenset(), frozenset(), ())
        parts = {part.name: part for part in last.parts} | self.done
        return SearchRecord(last.marked | self.marked, last.unmarked | self.unmarked, tuple(parts.values()))

    def _finish(self) -> None:
        """List the parts for the search page, give it the interface, and remove the rest."""
        names = list(self.parts)
        try:
            if names:
                for ui in UI:
                    _write(self.folder / ui, (self.folder / names[0] / ui).read_bytes())
            _write(self.folder / LIST, json.dumps([name + "/" for name in names]).encode())
            keep = {*names, *(UI if names else ()), LIST}
            for entry in list(self.folder.iterdir()):
                if entry.name not in keep:
                    _remove(entry)
        except OSError as error:
            self.problem = f"the search index was not built: {error}"
            return
        self.record = SearchRecord(frozenset(self.marked), frozenset(self.unmarked),
                                   tuple(self.done[name] for name in names))
        if self.copies is not None:
            self.copies.keep_copies_only([sum_ for part in self.record.parts for sum_ in part.files.values()], COPIES)


def _wait_for_one(processes: list[subprocess.Popen]) -> None:
    """Wait until one of these processes has ended, leaving it to be collected by poll."""
    if hasattr(os, "waitid"):
        try:
            os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)  # any child; it stays to be collected
        except ChildProcessError:
            return
    if all(process.poll() is None for process in processes):  # another child, or no waitid
        time.sleep(0.02)


def _placed(folder: Path) -> bytes:
    """A digest of the paths, sizes, times and inodes of the files under folder: it changes
    when any of them is written, removed or added."""
    found, base = [], os.fspath(folder)
    for top, _, names in os.walk(base):
        under = top[len(base) + 1:]  # os.walk's folders are base and paths under it
        for name in names:
            found.append((os.path.join(under, name), stat_key(os.path.join(top, name))))
    return hashlib.blake2b(repr(sorted(found)).encode(), digest_size=16).digest()


def _fill(folder: Path, rels, put) -> bool:
    """Put each of rels at folder/rel with put(rel, target), making the folders on the way;
    False as soon as put gives None."""
    made = set()
    for rel in rels:
        target = folder / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if put(rel, target) is None:
            return False
    return True


def _link_or_copy(source: Path, target: Path) -> Path:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return target


def _write(path: Path, data: bytes) -> None:
    """Put data in path, unless path holds it already."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except OSError:
        pass
    temp = path.with_name(f".{path.name}.new")
    temp.write_bytes(data)
    os.replace(temp, path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()
