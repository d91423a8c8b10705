"""Put a rendered site on disk. Pages go into a staging folder beside output/ as they are
made; only when the whole build has succeeded are the changed files moved into output/
(or, for a first build, the staging folder becomes output/), and files that the new build
no longer has are removed. A build that fails leaves output/ as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MARKER = ".nojekyll"  # every build writes it; an output folder without it is not ours
KEEP = "pagefind"  # the search index, written by the search step after the pages
STAGING_MARK = ".explainer-staging"  # in a staging folder, so that only ours are ever removed


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def unsafe_output(output: Path, site_root: Path) -> str | None:
    """Why writing (and pruning) output would harm files that are not build output, if it would."""
    out, root = output.resolve(), site_root.resolve()
    if out == root or out in root.parents:
        return "the output folder holds the site itself"
    for keep in ("content", "templates", "generator", "tests", ".git"):
        guarded = root / keep
        if out == guarded or guarded in out.parents:
            return f"the output folder is inside {keep}/"
    if out.is_file():
        return "the output path is a file"
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        return "the output folder holds files that no build wrote (it has no .nojekyll)"
    staging = staging_folder(output)
    if staging.exists() and not (staging / STAGING_MARK).exists() and (not staging.is_dir() or any(staging.iterdir())):
        return f"{staging} is in the way: the build stages its files there"
    return None


def staging_folder(output: Path) -> Path:
    """Beside output/, on the same file system, so that files move into place by renaming."""
    return output.parent / f".{output.name}.staging"


def stat_key(path: Path | str) -> tuple | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


class Staging:
    """The files of one build. `known` describes what earlier builds left in output/
    (path -> (stat key, digest)) so that a file whose bytes have not changed is recognised
    without being read; it is brought up to date when the build is committed.

    Safe to use from several processes forked after it is opened: each file is put by one of
    them, and what they report (put's return values) is given to commit by the parent."""

    def __init__(self, output: Path, known: dict[str, tuple]):
        self.output, self.known = output, known
        self.folder = staging_folder(output)
        self.staged: dict[str, bytes] = {}  # path -> digest, of files written to the staging folder
        self.kept: dict[str, bytes] = {}  # path -> digest, of files output/ already holds

    def open(self) -> None:
        self.discard()
        self.folder.mkdir(parents=True)
        (self.folder / STAGING_MARK).touch()

    def current(self, rel: str, expected: bytes) -> bool:
        """Whether output/rel holds the bytes whose digest is expected, as far as the
        record of earlier builds and the file's size, time and inode tell."""
        known = self.known.get(rel)
        return known is not None and known[1] == expected and stat_key(os.path.join(self.output, rel)) == known[0]

    def keep(self, rel: str, expected: bytes) -> None:
        self.kept[rel] = expected

    def put(self, rel: str, data: bytes) -> tuple[str, bytes, bool]:
        """Stage data as output/rel unless output/rel already holds it: (rel, digest, staged)."""
        sum_ = digest(data)
        if self.current(rel, sum_) or self._same_on_disk(rel, data):
            self.kept[rel] = sum_
            return rel, sum_, False
        target = self.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as stream:
            stream.write(data)
        self.staged[rel] = sum_
        return rel, sum_, True

    def record(self, reports) -> None:
        """What put reported in other processes."""
        for rel, sum_, staged in reports:
            (self.staged if staged else self.kept)[rel] = sum_

    def _same_on_disk(self, rel: str, data: bytes) -> bool:
        target = self.output / rel
        try:
            if target.is_symlink() or not target.is_file() or target.stat().st_size != len(data):
                return False
            return target.read_bytes() == data
        except OSError:
            return False

    def discard(self) -> None:
        """Delete the staging folder, its mark last: a build stopped while deleting it (the
        preview closed mid-build) leaves a folder the next build still knows as its own."""
        if self.folder.exists() and (self.folder / STAGING_MARK).exists():
            for entry in os.scandir(self.folder):
                if entry.name != STAGING_MARK:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)
            shutil.rmtree(self.folder)

    def commit(self) -> WriteReport:
        """Make output/ hold exactly the staged and kept files."""
        files = {**self.kept, **self.staged}
        output = self.output
        (self.folder / STAGING_MARK).unlink()
        fresh = not output.exists() or not any(output.iterdir())
        if fresh:
            if output.exists():
                output.rmdir()
            os.replace(self.folder, output)
        else:
            for rel in sorted(self.staged):
                _move(self.folder, output, rel)
            shutil.rmtree(self.folder)
        removed = [] if fresh else self._prune(files)
        for rel in [r for r in self.known if r not in files]:
            del self.known[rel]
        for rel in self.staged:
            self.known[rel] = (stat_key(output / rel), self.staged[rel])
        for rel in self.kept:
            if rel not in self.known or self.known[rel][1] != self.kept[rel]:
                self.known[rel] = (stat_key(output / rel), self.kept[rel])
        unchanged = len(self.kept)
        return WriteReport(tuple(sorted(self.staged)), tuple(removed), unchanged)

    def _prune(self, files: dict) -> list[str]:
        """Remove what earlier builds wrote that this one did not. Without a record of
        earlier builds, every file is looked at."""
        if self.known and not (self.known.keys() - files.keys()):
            return []
        removed = []
        for path in sorted(self.output.rglob("*"), reverse=True):
            rel = path.relative_to(self.output).as_posix()
            if rel == KEEP or rel.startswith(KEEP + "/"):
                continue
            if path.is_symlink() or path.is_file():
                if rel not in files:
                    path.unlink()
                    removed.append(rel)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return sorted(removed)


class Discard:
    """Where a build that writes nothing (check) puts its pages."""

    output = None

    def current(self, rel: str, expected: bytes) -> bool:
        return False

    def keep(self, rel: str, expected: bytes) -> None:
        pass

    def put(self, rel: str, data: bytes) -> tuple[str, bytes, bool]:
        return rel, b"", False

    def record(self, reports) -> None:
        pass


def _move(folder: Path, output: Path, rel: str) -> None:
    """Rename folder/rel to output/rel, clearing whatever stands in the way there (a folder
    where a file goes, a file or link where a folder goes)."""
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        parent = output.joinpath(*parts[:depth])
        if parent.is_symlink() or (parent.exists() and not parent.is_dir()):
            parent.unlink()
    target = output / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    os.replace(folder / rel, target)
