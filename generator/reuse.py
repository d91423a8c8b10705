"""What one build takes from the last: each page is made again exactly when something it
read while it was made has changed.

The stages know nothing of this. The pages are planned and rendered (render.py) from a
watched view of what they may read: the site's index, the facts of the plan (the address of
each event, the list of pages) and the templates. Every lookup made while a page renders,
by its template, by a macro of the site's own or by the code that fills its context, is
noted as one of the page's dependencies: a path from a root to a value (the whole list of
articles, the quotes of one speaker, the length of the list of quotes, the text of
templates/_macros.html). A page keeps these, with the digest of what each path led to, and
the digest of its own bytes.

The next build follows the same paths through its own site. A page all of whose paths lead
to values with the same digests, and which output/ still holds, is not rendered: it is the
same page. Nothing here says what a template shows, so nothing here goes stale when one
changes. This is Lektor's way (lektor/builder.py: a BuildState, and artifacts that record
their dependencies while they build), with the values a page read in place of the files.

A digest is taken of the value's content: pickled with the pickler's memo turned off, the
bytes depend on the value alone, not on which objects happen to be shared, so equal values
give equal digests in any process; the model holds no sets, whose order would vary.
The records are kept on disk (cache.py, as signed JSON), so a new process renders only the
pages an edit touched.

The stages before the pages are pure too; the builder takes their results again where they
meet (Files, Kept, CompiledTemplates): a file's text while its size and times are the same,
an article read and rendered while its text is, an article linked while it and the actors
are, a template compiled while its source is."""

from __future__ import annotations

import hashlib
import io
import operator
import os
import pickle
import time
from contextlib import contextmanager
from dataclasses import dataclass

import jinja2

from . import forked, load
from .diagnostics import Diagnostics
from .forked import give_back_free_memory
from .plan import Plan
from .records import json_bytes, json_value
from .render import Renderer, Superseded

class _Absent:
    """What a path leads to when the value is no longer there."""


ABSENT = _Absent()


class Recorder:
    """The dependencies of the pages (and of the pieces they share) being made, innermost
    last: a piece's reads are also its page's."""

    def __init__(self):
        self.open: list[set] = []

    def read(self, path: tuple) -> None:
        if self.open:
            self.open[-1].add(path)

    def add(self, paths) -> None:
        if self.open:
            self.open[-1].update(paths)

    @contextmanager
    def recording(self):
        paths: set = set()
        self.open.append(paths)
        try:
            yield paths
        finally:
            self.open.pop()
            self.add(paths)


def watch(root: str, value, recorder: Recorder):
    """value (the object at the root of some paths) as pages see it: each lookup recorded."""
    return _Watched(root, value, recorder)


class _Watched:
    """An object whose attributes are read through: a container attribute is handed out
    watched, a method's calls are recorded with their arguments, anything else is recorded
    as it is read."""

    __slots__ = ("_root", "_value", "_recorder")

    def __init__(self, root: str, value, recorder: Recorder):
        self._root, self._value, self._recorder = root, value, recorder

    def __getattr__(self, name: str):
        value = getattr(self._value, name)
        path = (self._root, name)
        if isinstance(value, dict):
            return _WatchedMapping(path, value, self._recorder)
        if isinstance(value, (list, tuple)):
            return _WatchedList(path, value, self._recorder)
        if callable(value) and getattr(value, "__self__", None) is self._value:
            return _WatchedCall(path, value, self._recorder)
        self._recorder.read(path)
        return value


class _WatchedCall:
    __slots__ = ("_path", "_call", "_recorder")

    def __init__(self, path: tuple, call, recorder: Recorder):
        self._path, self._call, self._recorder = path, call, recorder

    def __call__(self, *args):
        self._recorder.read((*self._path, "call", args))
        return self._call(*args)


class _WatchedMapping:
    """A mapping whose lookups are recorded key by key, and anything more as the whole."""

    __slots__ = ("_path", "_value", "_recorder")

    def __init__(self, path: tuple, value: dict, recorder: Recorder):
        self._path, self._value, self._recorder = path, value, recorder

    def _whole(self) -> dict:
        self._recorder.read(self._path)
        return self._value

    @property
    def __class__(self):  # a dict to isinstance, so that Jinja's sandbox knows it for one
        return type(self._value)

    def __getattr__(self, name: str):  # any other method: the whole mapping read
        return getattr(self._whole(), name)

    def __repr__(self) -> str:
        return repr(self._whole())

    def __eq__(self, other) -> bool:
        return self._whole() == other

    __hash__ = None

    def __getitem__(self, key):
        self._recorder.read((*self._path, "item", key))
        return self._value[key]

    def get(self, key, default=None):
        self._recorder.read((*self._path, "item", key))
        return self._value.get(key, default)

    def __contains__(self, key) -> bool:
        self._recorder.read((*self._path, "item", key))
        return key in self._value

    def __len__(self) -> int:
        self._recorder.read((*self._path, "len"))
        return len(self._value)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self):
        return iter(self._whole())

    def keys(self):
        return self._whole().keys()

    def values(self):
        return self._whole().values()

    def items(self):
        return self._whole().items()


class _WatchedList:
    """A list whose length, items and slices are recorded as such, and anything more as the whole."""

    __slots__ = ("_path", "_value", "_recorder")

    def __init__(self, path: tuple, value, recorder: Recorder):
        self._path, self._value, self._recorder = path, value, recorder

    def __len__(self) -> int:
        self._recorder.read((*self._path, "len"))
        return len(self._value)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, where):
        if isinstance(where, slice):
            self._recorder.read((*self._path, "slice", (where.start, where.stop, where.step)))
        else:
            self._recorder.read((*self._path, "item", where))
        return self._value[where]

    def __iter__(self):
        self._recorder.read(self._path)
        return iter(self._value)

    def __reversed__(self):
        self._recorder.read(self._path)
        return reversed(self._value)

    @property
    def __class__(self):  # a list (or tuple) to isinstance, so that Jinja's sandbox knows it for one
        return type(self._value)

    def __getattr__(self, name: str):  # any other method: the whole list read
        self._recorder.read(self._path)
        return getattr(self._value, name)

    def __repr__(self) -> str:
        self._recorder.read(self._path)
        return repr(self._value)

    def __eq__(self, other) -> bool:
        self._recorder.read(self._path)
        return self._value == other

    __hash__ = None


def lookup(roots: dict, path: tuple):
    """What path leads to among roots (name -> object), or ABSENT."""
    try:
        value = getattr(roots[path[0]], path[1])
        if len(path) == 2:
            return value
        how, *more = path[2:]
        if how == "len":
            return len(value)
        if how == "item":
            if isinstance(value, dict) or isinstance(value, _Templates):
                return value.get(more[0], ABSENT)
            return value[more[0]] if -len(value) <= more[0] < len(value) else ABSENT
        if how == "slice":
            return value[slice(*more[0])]
        if how == "call":
            return value(*more[0])
    except (KeyError, AttributeError, TypeError, IndexError, ValueError):
        pass
    return ABSENT


_CONTAINERS = (list, tuple, dict)
_FRAMES = {kind: kind.__name__.encode() + b"%d:" for kind in _CONTAINERS}
_SHORT = 256  # characters of a string spelled as its text, not kept by its identity


class Digests:
    """Digests of values. An object's is kept, with the object, while builds keep looking
    it up (the model's objects stay the same from one build to the next while their files
    do); a long list's is made of its items'."""

    def __init__(self):
        self.kept: dict[int, tuple[object, bytes]] = {}
        self.seen: dict[int, tuple[object, bytes]] = {}

    def of(self, value) -> bytes:
        kind = type(value)
        if kind in _CONTAINERS or (kind is str and len(value) < _SHORT):
            parts: list[bytes] = []
            self._spell(value, parts)
            return hashlib.blake2b(b"".join(parts), digest_size=16).digest()
        return self._kept(value)

    def _spell(self, value, parts: list[bytes]) -> None:
        """Add to parts the bytes that stand for value, each piece framed by its kind and
        length so that no two values spell the same: a list, tuple or dict as its items, made
        anew of the same items at little cost, and a short string as its text (not Markup,
        which is shown otherwise: its class is in its pickle)."""
        kind = type(value)
        if kind is str and len(value) < _SHORT:
            text = value.encode("utf-8", "surrogatepass")
            parts.append(b"s%d:" % len(text))
            parts.append(text)
        elif kind in _CONTAINERS:
            parts.append(_FRAMES[kind] % len(value))
            seen, add = self.seen, parts.append
            for item in (value.items() if kind is dict else value):
                # the items spelled here, as the branches above and below would (a list of a
                # thousand events is a thousand calls fewer), an object already looked up
                # at once
                of = type(item)
                if of in _CONTAINERS or of is str and len(item) < _SHORT:
                    self._spell(item, parts)
                    continue
                found = seen.get(id(item))
                add(b"o")
                add(found[1] if found is not None and found[0] is item else self._kept(item))
        else:
            parts.append(b"o")
            parts.append(self._kept(value))

    def _kept(self, value) -> bytes:
        """The digest of a value that is neither a container nor a short string, kept with
        the value while builds keep looking it up."""
        key = id(value)
        found = self.seen.get(key) or self.kept.get(key)
        if found is None or found[0] is not value:
            found = (value, value_digest(value) if type(value) is not str else
                     hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest())
        self.seen[key] = found
        return found[1]

    def known(self, value, digest: bytes) -> None:
        """Take digest as value's: value_digest(value), made elsewhere (in the process that
        read the value, or by the build that saved it in the cache)."""
        self.seen[id(value)] = (value, digest)

    def turn(self) -> None:
        """Keep the digests looked up since the last turn, and only those."""
        self.kept, self.seen = self.seen, {}


def value_digest(value) -> bytes:
    """The digest of a value: of its pickle, made without a memo, the same in every process."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: the bytes do not depend on which objects are shared
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
        return os.urandom(16)  # equal to no other digest: what read it is made again every time
    return hashlib.blake2b(stream.getvalue(), digest_size=16).digest()


@dataclass(frozen=True)
class Records:
    """The pages of a build, with the paths each read and the digests of the values there as
    that build found them: what the next build in this process starts from."""

    digests: dict[tuple, bytes]  # path -> digest of its value
    pages: dict[str, tuple[tuple, bytes]]  # page -> (the paths it read, the digest of its bytes)


EMPTY = Records({}, {})


@dataclass(frozen=True)
class PageRecord:
    reads: tuple[int, ...]  # numbers of paths in StoredRecords.paths
    digest: bytes


@dataclass(frozen=True)
class StoredRecords:
    """Records as the disk keeps them (cache.py): each path once, numbered, all of them in
    one JSON list (tens of thousands of paths: one text is read much faster than as many)."""

    paths: str  # a JSON list of the paths, each a list of names, numbers and lists of them
    digests: tuple[bytes, ...]  # of the value at each path
    pages: dict[str, PageRecord]


def stored(records: Records, last: tuple[Records, StoredRecords] | None = None) -> StoredRecords:
    """records as the disk keeps them. last: the records the build started from, with what
    the disk kept of them: where this build's paths are theirs, in the same order (the pages
    read what they read then), their JSON is taken again, and so is the record of each page
    kept as it was, rather than spelled and numbered anew (some tenths of a second at 10,000
    articles, for an edit that makes a page or two again)."""
    paths, kept = list(records.digests), {}
    if last is not None and paths == list(last[0].digests):
        text, before, kept = last[1].paths, last[0].pages, last[1].pages
    else:
        text, before = json_bytes(paths).decode("utf-8"), {}
    numbers = None
    pages = {}
    for page, record in records.pages.items():
        if before.get(page) is record and page in kept:
            pages[page] = kept[page]
            continue
        if numbers is None:
            numbers = {path: number for number, path in enumerate(paths)}
        reads, digest = record
        pages[page] = PageRecord(tuple(sorted(numbers[p] for p in reads)), digest)
    return StoredRecords(text, tuple(records.digests.values()), pages)


def from_stored(kept: StoredRecords) -> Records:
    """The records kept on disk, or none if they do not hold together."""
    try:
        paths = _decoded(kept.paths)
        digests = dict(zip(paths, kept.digests, strict=True))
        return Records(digests, {page: (tuple(paths[n] for n in record.reads), record.digest)
                                 for page, record in kept.pages.items()})
    except (ValueError, IndexError, TypeError, RecursionError):
        return EMPTY


def _decoded(text: str) -> list[tuple]:
    """The paths in a JSON list of them: each a tuple of at least two, its lists as tuples."""
    def tupled(value):
        return tuple([tupled(v) for v in value]) if type(value) is list else value
    found = json_value(text)
    if type(found) is not list:
        raise ValueError("not a list of paths")
    paths = [tupled(path) for path in found]
    if any(type(path) is not tuple or len(path) < 2 for path in paths):
        raise ValueError("not a path")
    return paths


COMPARED_BETWEEN_STOPS = 2000  # paths compared between two looks for a newer save (a few hundredths of a second)
READ_AGAIN_AT_MOST = 200  # pages made again whose reads are compared with their last, not united anew


class Reuse:
    """One build's view of the last one's records: which pages need no making, and the
    records of this build, page by page, as it makes or keeps them."""

    def __init__(self, last: Records, roots: dict, digests: Digests):
        self.last, self.roots, self.digests = last, roots, digests
        self.now: dict[tuple, bytes] = {}  # path -> digest of its value in this build
        self.pages: dict[str, tuple[tuple, bytes]] = {}  # page -> (paths read, digest of bytes)
        self.rendered: list[str] = []  # the pages made, not kept
        self._same: dict[tuple, bool] = {}  # path -> whether its value is what the last build found
        self._changed: set | None = None  # every path whose value is not, once all are compared

    def digest(self, path: tuple) -> bytes:
        found = self.now.get(path)
        if found is None:
            found = self.now[path] = self.digests.of(lookup(self.roots, path))
        return found

    def unchanged(self, page: str) -> bytes | None:
        """The digest of the page's bytes, if everything it read when last made is the same."""
        record = self.last.pages.get(page)
        if record is None:
            return None
        if self._changed is not None:
            return record[1] if self._changed.isdisjoint(record[0]) else None
        same, before = self._same, self.last.digests
        for path in record[0]:
            found = same.get(path)
            if found is None:
                found = same[path] = self.digest(path) == before.get(path)
            if not found:
                return None
        return record[1]

    def compare_all(self, stop=None) -> None:
        """Compare the value at every path the last build's pages read, at once: quicker than
        page by page for many pages, slower for the first few (the pages open in the preview).
        stop() is asked every COMPARED_BETWEEN_STOPS paths; when it says so, the build gives up
        (render.Superseded)."""
        if self._changed is not None:
            return
        changed = set()
        for number, (path, digest) in enumerate(self.last.digests.items()):
            if self.digest(path) != digest:
                changed.add(path)
            if stop is not None and number % COMPARED_BETWEEN_STOPS == COMPARED_BETWEEN_STOPS - 1 and stop():
                raise Superseded()
        self._changed = changed

    def _reads_as_last(self) -> bool:
        """Whether the pages are the last build's, and each made again read what it read
        then: the paths read are then the last build's, found without a union of every
        page's (some tenths of a second at 10,000 articles)."""
        last = self.last.pages
        if len(self.rendered) > READ_AGAIN_AT_MOST or self.pages.keys() != last.keys():
            return False
        return all(set(self.pages[page][0]) == set(last[page][0]) for page in self.rendered)

    def kept(self, page: str) -> None:
        self.pages[page] = self.last.pages[page]

    def made(self, page: str, reads, digest: bytes) -> None:
        self.pages[page] = (tuple(reads), digest)
        self.rendered.append(page)

    def records(self) -> Records:
        """This build's records, the digests of every path its pages read included."""
        now = self.now
        if self._reads_as_last():
            read = self.last.digests.keys()
        else:
            read = set().union(*(reads for reads, _ in self.pages.values()))
        digests = {path: now[path] if path in now else self.digest(path) for path in read}
        self.digests.turn()
        return Records(digests, dict(self.pages))


class Kept:
    """What the steps of the last build made, for the next: a step's result is taken again
    while it would be the same, found either by the identity of the objects it was made
    from (which it holds, so that no other object can take their identity meanwhile) with
    its other inputs equal, or by a key of content, with what the step reported. A builder
    that builds once keeps nothing between builds (keep=False): made and same simply run the
    step; what reported and put hold lasts until turn, within the one build."""

    def __init__(self, keep: bool = True):
        self.keep = keep
        self.previous: dict = {}
        self.current: dict = {}

    def made(self, kind: str, sources: tuple, inputs, make):
        """make(), or what it made last from the same sources with equal inputs."""
        if not self.keep:
            return make()
        key = (kind, *map(id, sources))
        found = self.current.get(key) or self.previous.get(key)
        if found is None or found[1] != inputs:
            found = (sources, inputs, make())
        self.current[key] = found
        return found[2]

    def same(self, kind: str, key, value, equal=operator.eq):
        """The last build's object for key when it equals value (equal), else value: what
        later steps found by its identity is then found again."""
        if not self.keep:
            return value
        old = self.current.get((kind, key)) or self.previous.get((kind, key))
        if old is not None and (old is value or equal(old, value)):
            value = old
        self.current[(kind, key)] = value
        return value

    def reported(self, kind: str, key, step, diags: Diagnostics):
        """step(diagnostics) for a key of content, or its result and reports kept from an
        earlier build or put earlier in this one; what it reported is reported again."""
        entry = self.current.get((kind, key)) or self.previous.get((kind, key))
        if entry is None:
            local = Diagnostics()
            entry = (step(local), tuple(local.items))
        self.current[(kind, key)] = entry
        diags.extend(entry[1])
        return entry[0]

    def has(self, kind: str, key) -> bool:
        return (kind, key) in self.current or (kind, key) in self.previous

    def put(self, kind: str, key, value, reported=()) -> None:
        """A result of a step run elsewhere (in another process), with what it reported."""
        self.current[(kind, key)] = (value, tuple(reported))

    def turn(self) -> None:
        """Keep this build's results for the next, and only them; a builder that keeps
        nothing lets them all go. A build that made nothing keeps the last build's."""
        if not self.keep:
            self.previous, self.current = {}, {}
        elif self.current:
            self.previous, self.current = self.current, {}


class Files:
    """The sources of the last read, taken again while a file's size and times are the same
    (load.read_text for the others).

    A file changed within the last RACY seconds is read again regardless, since a second
    save inside the file system's time resolution can leave the times as they were.
    stats, when set, holds the size and times of files as a look taken just before the
    read found them (the preview's), so that they need not be looked up again."""

    RACY = 2.0

    def __init__(self):
        self.entries: dict[str, tuple[tuple, object]] = {}
        self.stats: dict[str, tuple] | None = None

    def read(self, root, path, diags: Diagnostics):
        name = os.fspath(path)
        key = self.stats.get(name) if self.stats is not None else None
        if key is None:
            try:
                key = load.file_key(os.stat(name))
            except OSError:
                key = None
        entry = self.entries.get(name)
        if key is not None and entry and entry[0] == key and time.time() - key[0] / 1e9 > self.RACY:
            return entry[1]
        source = load.read_text(root, path, diags)
        if key is not None and source is not None:
            self.entries[name] = (key, source)
        return source


class Stamps:
    """A reader for load.read_site that looks at each source file without reading it: the
    Source it gives holds no text, and in place of the digest of the text, the file's size,
    times and inode. A signature of the site made from them (Builder._signature) changes
    whenever a file is saved, moved or replaced (a save always moves the change time, which
    no program can set back), so a command-line build that finds the stamps of the last
    build knows that nothing changed without reading thousands of files.

    A file changed within RACY seconds of the look makes the stamps untrusted: a second
    save inside the file system's time resolution could leave them as they were. So does a
    file the build may not read where it now leads (load.unusable). (Where the system keeps
    no change time, as Windows, whose st_ctime is the file's birth, a program that rewrote a
    file at its old length and then set its old modification time back would go unseen; a
    save from an editor moves the modification time.)"""

    RACY = Files.RACY

    def __init__(self):
        self.trusted = True
        self.now = time.time()
        self.found: dict[str, str] = {}  # path relative to the site -> stamp, for the files not racy

    def read(self, root, path, diags: Diagnostics):
        try:
            info = os.stat(path)
        except OSError:
            self.trusted = False  # a dangling link or a file just removed: read_text reports it
            return None
        key = load.file_key(info)
        rel, stamp = load.relative(root, path), repr(key)
        if self.now - max(key[0], key[1]) / 1e9 <= self.RACY or load.unusable(root, path, info):
            # (where a file leads can change while it stays the same file: a folder it links
            # into moved, or made hidden; read_text reports it)
            self.trusted = False
        else:
            self.found[rel] = stamp
        return load.Source(rel, "", stamp)


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory between builds (keyed by name and source), so that
    each build's fresh environment does not compile them again: set as its bytecode_cache."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


class _Templates:
    """Each template's text by name, as the environment's loader finds it (ABSENT if not)."""

    def __init__(self, env):
        self.env, self.texts = env, {}

    def get(self, name: str, default=None):
        if name not in self.texts:
            try:
                self.texts[name] = self.env.loader.get_source(self.env, name)[0]
            except Exception:  # noqa: BLE001 - not found, or not to be read: either way not there
                self.texts[name] = default
        return self.texts[name]


@dataclass(frozen=True)
class _Theme:
    template: _Templates


FORK_FROM = 400  # pages to make before more processes pay for themselves


class _Sharing:
    """Pieces many pages show, made once for the same item in a build, each with what it
    read, which becomes what every page that shows it read."""

    def __init__(self, recorder: Recorder):
        self.recorder, self.made = recorder, {}

    def share(self, key, item, make):
        found = self.made.get(key)
        if found is None or found[0] is not item:
            with self.recorder.recording() as reads:
                value = make()
            found = self.made[key] = (item, value, frozenset(reads))
        else:
            self.recorder.add(found[2])
        return found[1]

    def clear(self) -> None:
        self.made.clear()


def make_pages(index, env, diags, staging, last: Records, digests: Digests, theme: tuple, search: bool,
               first=(), on_first=None, stop=None, workers: int = 1,
               copy_of=None, taken=(), facts=None) -> tuple[list[str], Records, list[str]]:
    """Every page of the site into staging (see write.Staging), but those that the last
    build's records show unchanged and output/ still holds, which are kept. The pages at
    the paths in first are made before the others, and on_first({path: bytes}) is called
    with them as soon as they are ready; stop() is asked between the pages after them, and
    when it says so the build gives up (render.Superseded). With workers > 1, the pages are
    made by that many processes (see forked.py). copy_of(digest, path) links at path
    the copy of an unchanged page that output/ does not hold, when one was kept (cache.py),
    and gives its bytes, or None. No page may take a path in taken (the static files').
    facts: plan.event_facts(index.events), when the caller has it.
    The paths of the pages, this build's records, and the paths of the pages made (not kept)."""
    recorder = Recorder()
    roots = {"theme": _Theme(_Templates(env))}

    def watched(root: str, value):
        roots[root] = value
        return watch(root, value, recorder)

    env.loading = lambda name: recorder.read(("theme", "template", "item", name))
    env.recorder = recorder
    sharing = _Sharing(recorder)
    planner = Plan(index, search, watched, taken, facts)
    renderer = Renderer(planner, env, diags, sharing.share)
    reuse = Reuse(last, roots, digests)
    everywhere = renderer.EVERYWHERE

    def unchanged(path):
        """Keep the page if nothing it read changed and output/ (or the cache's copy) has it:
        as one() tells, or None."""
        digest = reuse.unchanged(path)
        if digest is not None:
            if staging.current(path, digest):
                staging.keep(path, digest)
                return path, None, digest, False, None
            data = staging.adopt(path, digest, lambda target: copy_of(digest, target)) \
                if copy_of is not None else None
            if data is not None:
                return path, data, digest, True, None
        return None

    def one(job, check=True):
        """Make or keep one page: (path, bytes made or None, digest, staged, what it read or None)."""
        path, make = job
        found = unchanged(path) if check else None
        if found is not None:
            return found
        with recorder.recording() as reads:
            reads.update(everywhere)
            data = make()
        if data is None:
            return path, None, None, False, None
        _, digest, staged = staging.put(path, data)
        return path, data, digest, staged, reads

    def note(path, digest, reads) -> None:
        if digest is None:
            return
        if reads is None:
            reuse.kept(path)
        else:
            reuse.made(path, reads, digest)

    def run(jobs: list, early_count: int) -> None:
        early = {}
        for number, job in enumerate(jobs):
            path, data, digest, _, reads = one(job)
            note(path, digest, reads)
            if number < early_count:
                if digest is not None:
                    early[path] = data if data is not None else (staging.output / path).read_bytes()
                if number + 1 == early_count and on_first is not None and early and not diags.errors:
                    on_first(early)
            elif stop is not None and stop():
                raise Superseded()

    try:
        alone = renderer.jobs(planner.first(first)) if first else []
        if alone:  # made before the rest of the site is even planned
            run(alone, len(alone))
            on_first = None
        first = set(first)
        rest = sorted(renderer.jobs(planner.rest()), key=lambda job: job[0] not in first)
        # not given up before the open pages are out: when they are not made alone, they come in rest
        pending = not alone and any(path in first for path, _ in rest)
        reuse.compare_all(None if pending else stop)
        if workers > 1:  # the pages that need making found here, where the digests are then known
            todo = []
            for job in rest:
                found = unchanged(job[0])
                if found is None:
                    todo.append(job)
                else:
                    note(found[0], found[2], None)
            if len(todo) >= FORK_FROM:
                _make_forked(todo, lambda job: one(job, check=False), note, staging, diags, sharing, workers)
            else:
                for job in todo:
                    path, _, digest, _, reads = one(job, check=False)
                    note(path, digest, reads)
        else:
            run(rest, 0 if alone else sum(1 for path, _ in rest if path in first))
        records = reuse.records()
        return sorted(reuse.pages), records, reuse.rendered
    finally:
        # The plan's pages refer to the plan, and the modules of the templates (cycles
        # within Jinja) hold the renderer, with the pieces it shared: let them go now, not
        # when Python's collector next looks, which the preview seldom lets it do (serve.py).
        planner.entries.clear()
        sharing.clear()


def _make_forked(ordered: list, one, note, staging, diags, sharing: _Sharing, workers: int) -> None:
    # the data files first: making them takes a hundred megabytes for a moment, which is
    # best spent before rendering has copied much of the site into each process
    ordered = sorted(ordered, key=lambda job: not job[0].startswith("data/"))
    start = len(diags.items)

    def done_here(job):
        path, _, digest, staged, reads = one(job)
        return path, digest, staged, reads

    def problems():
        return diags.items[start:]

    give_back_free_memory()
    for reports, found in forked.run(ordered, done_here, workers, sharing.clear, problems):
        staging.record([(path, digest, staged) for path, digest, staged, _ in reports if digest is not None])
        for path, digest, _, reads in reports:
            note(path, digest, reads)
        if found:
            diags.extend(found)
