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
        self._config = str(root / "site.yaml")
        self._folders = tuple(str(root / folder) for folder in SOURCE_FOLDERS)
        self._lock = threading.Lock()
        self._told: set[str] | None = set()  # paths told of since the last look; None: look at all
        self._watched: set[str] = set()
        self._observer = None
        self.known = snapshot(root)
        self._full_due = time.monotonic() + FULL_LOOK
        if notices:
            self._observer = self._start()

    @property
    def telling(self) -> bool:
        """Whether the system tells of changes here."""
        return self._observer is not None and self._observer.is_alive()

    def look(self) -> dict[str, tuple]:
        """The sources now: a new dict when they changed, known itself when they did not."""
        if not self.telling:
            self.known = snapshot(self.root)
            return self.known
        with self._lock:
            told, self._told = self._told, set()
        if told is None or time.monotonic() >= self._full_due:
            self._full_due = time.monotonic() + FULL_LOOK
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

    def told(self) -> bool:
        """Whether a change may have come since the last look: at no cost, so a build under
        way can ask it often. Always true where the system tells of no changes."""
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
            observer.schedule(_Teller(self), str(self.root), recursive=False, event_filter=_EVENTS)
            self._watch_folders()
            observer.daemon = True
            observer.start()
        except Exception:  # no notices here (a limit on watches, an unsupported file system)
            self._observer = None
            return None
        return observer

    def _watch_folders(self) -> None:
        """Watch content/ and templates/ from when they exist."""
        for folder in self._folders:
            if folder not in self._watched and os.path.isdir(folder):
                self._observer.schedule(_Teller(self), folder, recursive=True, event_filter=_EVENTS)
                self._watched.add(folder)

    def _tell(self, event) -> None:
        """On the observer's thread: a file or folder changed."""
        paths = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", ""):
            paths.append(os.fsdecode(event.dest_path))
        paths = [path for path in paths if self._is_source(path)]
        if not paths:
            return
        with self._lock:
            if event.is_directory:
                if event.event_type != "modified":  # a folder made, moved or deleted: look at all
                    self._told = None
            elif self._told is not None:
                self._told.update(paths)

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
