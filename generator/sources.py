"""What the preview knows of a site's source files, and how it learns that one changed.

A look at every source file costs a stat call per file: about 0.08 s at 10,000 articles,
so the preview cannot afford one every few hundredths of a second. Where the operating
system tells of changes (inotify, FSEvents, ReadDirectoryChangesW, through watchdog), a
look re-reads only the files it was told of, and a build under way learns of a newer save
at once. Nothing depends on those notices alone: a full look every FULL_LOOK seconds catches
what a file system never tells (network shares, some container mounts), and where no
notices can be had at all, every look is a full one, as before.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from .load import file_key

FULL_LOOK = 2.0  # seconds between full looks while the system tells of changes

SOURCE_FOLDERS = ("content", "templates")


def snapshot(root: Path) -> dict[str, tuple]:
    """Size and times of every source file (load.file_key, by path): what a save changes.
    A build is given the look that noticed a save, to take the keys from (reuse.Files)."""
    seen: dict[str, tuple] = {}

    def walk(folder: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    walk(entry.path)
                else:
                    seen[entry.path] = file_key(entry.stat())
            except OSError:
                continue

    config = root / "site.yaml"
    try:
        seen[str(config)] = file_key(config.stat())
    except OSError:
        pass
    for folder in SOURCE_FOLDERS:
        walk(str(root / folder))
    return seen


class Sources:
    """The sources as last looked at (known), and whether a change has been told of since."""

    def __init__(self, root: Path, notices: bool = True):
        self.root = root
        self._absolute = os.path.abspath(root)  # the system names changed files from here
        self._config = os.path.join(self._absolute, "site.yaml")
        self._folders = tuple(os.path.join(self._absolute, folder) for folder in SOURCE_FOLDERS)
        self._lock = threading.Lock()
        self._told: set[str] | None = set()  # paths told of since the last look; None: look at all
        self.changed = threading.Event()  # set when a change is told of (cleared by whoever waits on it)
        self.last_told = 0.0  # time.monotonic() when the system last told of a change
        self._watched: dict[str, tuple] = {}  # folder -> (its watch, (device, inode) when watched)
        self._unwatched = False  # a folder that could not be watched: every look is a full one
        self._observer = self._start() if notices else None
        self.known = snapshot(root)  # after the watches start, so that no save falls between
        self._full_due = time.monotonic() + FULL_LOOK

    @property
    def telling(self) -> bool:
        """Whether the system tells of every change here."""
        observer = self._observer
        return (observer is not None and observer.is_alive() and not self._unwatched
                and all(emitter.is_alive() for emitter in list(observer.emitters)))

    def look(self) -> dict[str, tuple]:
        """The sources now: a new dict when they changed, known itself when they did not."""
        with self._lock:
            told, self._told = self._told, set()
        if told is None or not self.telling or time.monotonic() >= self._full_due:
            self._full_due = time.monotonic() + FULL_LOOK
            if self._observer is not None:
                self._watch_folders()
            now = snapshot(self.root)
            if now != self.known:
                self.known = now
            return self.known
        if told:
            now = dict(self.known)
            for path in told:
                try:
                    now[path] = file_key(os.stat(path))
                except OSError:
                    now.pop(path, None)
            if now != self.known:
                self.known = now
        return self.known

    def quiet_since(self, noticed: float) -> float:
        """When the sources last changed, as far as known, for a change noticed at noticed
        (time.monotonic()): when the system last told of one, if it tells of every change
        and told of one by then (a save told of while a build ran is older than the look
        that finds it), else noticed."""
        with self._lock:
            told = self.last_told
        return told if self.telling and 0 < told <= noticed else noticed

    def wait(self, timeout: float) -> None:
        """Return when a change is told of, or after timeout seconds, whichever is first."""
        if self.telling:
            self.changed.wait(timeout)
            self.changed.clear()  # before the look that follows, which sees what was told meanwhile
        else:
            time.sleep(timeout)

    def told(self) -> bool:
        """Whether a change may have come since the last look: at no cost, so a build under
        way can ask it often. Always true where the system does not tell of every change."""
        if not self.telling:
            return True
        with self._lock:
            return self._told is None or bool(self._told) or time.monotonic() >= self._full_due

    def close(self) -> None:
        if self._observer is not None:
            self._observer.stop()

    def _start(self):
        try:
            from watchdog.observers import Observer
        except ImportError:
            return None
        observer = Observer()
        self._observer = observer
        try:
            observer.schedule(_Teller(self), self._absolute, recursive=False, event_filter=_EVENTS)
            observer.daemon = True
            observer.start()
        except Exception:  # no notices here (a limit on watches, an unsupported file system)
            observer.stop()
            self._observer = None
            return None
        self._watch_folders()
        return observer

    def _watch_folders(self) -> None:
        """Watch content/ and templates/ from when they exist, again when one was replaced
        (deleted and made again, or another folder moved to its name)."""
        self._unwatched = False
        for folder in self._folders:
            try:
                info = os.stat(folder)
                here = (info.st_dev, info.st_ino) if os.path.isdir(folder) else None
            except OSError:
                here = None
            watched = self._watched.get(folder)
            if watched is not None and watched[1] == here and self._alive(watched[0]):
                continue
            if watched is not None:
                try:
                    self._observer.unschedule(watched[0])
                except Exception:
                    pass
                del self._watched[folder]
            if here is None:
                continue
            try:
                watch = self._observer.schedule(_Teller(self), folder, recursive=True, event_filter=_EVENTS)
            except OSError:  # gone again, or past the system's limit on watches: look at all each time
                self._unwatched = True
                continue
            self._watched[folder] = (watch, here)

    def _alive(self, watch) -> bool:
        return any(emitter.watch == watch and emitter.is_alive() for emitter in list(self._observer.emitters))

    def _tell(self, event) -> None:
        """On the observer's thread: a file or folder changed."""
        paths = [os.path.abspath(os.fsdecode(event.src_path))]
        if getattr(event, "dest_path", ""):
            paths.append(os.path.abspath(os.fsdecode(event.dest_path)))
        paths = [path for path in paths if self._is_source(path)]
        if not paths:
            return
        with self._lock:
            if event.is_directory:
                if event.event_type != "modified":  # a folder made, moved or deleted: look at all
                    self._told = None
            elif self._told is not None:
                self._told.update(self._as_known(path) for path in paths)
            self.last_told = time.monotonic()
        self.changed.set()

    def _as_known(self, path: str) -> str:
        """An absolute path as snapshot() names it, from the root it was given."""
        return str(self.root / os.path.relpath(path, self._absolute))

    def _is_source(self, path: str) -> bool:
        if path == self._config:
            return True
        for folder in self._folders:
            if path == folder or path.startswith(folder + os.sep):
                rest = path[len(folder):]
                return f"{os.sep}." not in rest  # the looks pass over hidden files and folders
        return False


class _Teller:
    """watchdog's handler: passes every event to its Sources."""

    def __init__(self, sources: Sources):
        self.sources = sources

    def dispatch(self, event) -> None:
        self.sources._tell(event)


def _event_types():
    try:
        from watchdog import events
    except ImportError:
        return None
    # Opening and reading a file are left out: the build reads the sources.
    return [events.FileCreatedEvent, events.FileDeletedEvent, events.FileModifiedEvent, events.FileMovedEvent,
            events.FileClosedEvent, events.FileAttribEvent, events.DirCreatedEvent, events.DirDeletedEvent,
            events.DirMovedEvent, events.DirModifiedEvent]


_EVENTS = _event_types()
