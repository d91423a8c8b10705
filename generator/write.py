"""Put a rendered site on disk. Pages go into a staging folder beside output/ as they are
made; only when the whole build has succeeded are the changed files moved into output/
(or, for a first build, the staging folder becomes output/), and files that the new build
no longer has are removed. A build that fails leaves output/ as it was.

output/ holds a manifest, MANIFEST, of every file the builds wrote there, signed with this
user's key (keys.py). A folder is taken as an earlier build's only when it holds a manifest
signed so (or is empty), and only files the manifest lists are ever removed, never through
a linked folder: a folder of someone else's files, a checkout with its .git/, an output/
planted in a repository with a manifest of its own, is refused whatever else it holds.

Committing is finished by whichever build comes next if it is cut short (a kill, a power
cut): before the first file moves, the staging folder gets the new manifest under COMMIT,
which says that every file of the new build is staged. A build that finds a staging folder
holding COMMIT moves what is left of it into output/, removes what the old manifest lists
and the new one does not, and puts the new manifest in place: output/ is then the whole of
that build, never part old, part new."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from . import keys

MARKER = ".nojekyll"  # every build writes it, for GitHub Pages
MANIFEST = ".explainer-build.json"  # in output/: the files the builds wrote there
COMMIT = ".explainer-commit.json"  # in a staging folder whose files are all staged: the new manifest
STAGING_MARK = ".explainer-staging"  # in a staging folder, so that only ours are ever removed
GENERATOR = "explainer"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def unsafe_output(output: Path, site_root: Path, key: bytes | None) -> str | None:
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
    if out.is_dir() and any(out.iterdir()) and read_manifest(out, key) is None:
        if (out / MANIFEST).is_file():
            return (f"its list of files ({MANIFEST}) is not signed with your key, so it may not be your "
                    "build's: one made by another user or with another key, or planted")
        return f"the output folder holds files that no build of yours wrote (it has no {MANIFEST})"
    staging = staging_folder(output)
    if staging.exists() and not (staging / STAGING_MARK).exists() and (not staging.is_dir() or any(staging.iterdir())):
        return f"{staging} is in the way: the build stages its files there"
    return None


def read_manifest(folder: Path, key: bytes | None, name: str = MANIFEST) -> dict[str, str] | None:
    """The files (path -> digest) that a manifest in folder lists, or None when there is
    none, or it is not one of ours signed with key."""
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        files, signature = data["files"], bytes.fromhex(data.get("signature") or "")
    except (OSError, ValueError, RecursionError, TypeError, KeyError):
        return None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    if data.get("generator") != GENERATOR:
        return None
    if key is None:  # a machine where no key can be kept: lists are unsigned, and taken as they are
        return files if not signature else None
    return files if keys.signed_by(key, _listing(files), signature) else None


def _listing(files: dict[str, str]) -> bytes:
    """What a list's signature is made from: a label (so that no other signed thing passes
    for a list) and the list."""
    return b"explainer output list\n" + json.dumps(files, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _manifest(files: dict[str, bytes], key: bytes | None) -> bytes:
    listing = {rel: files[rel].hex() for rel in sorted(files)}
    signature = keys.sign(key, _listing(listing)).hex() if key is not None else ""
    return json.dumps({"generator": GENERATOR, "files": listing, "signature": signature}, indent=0).encode("utf-8")


def _owned(rel: str) -> bool:
    """Whether rel is a path a manifest may list: inside output/, none of the build's own marks."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "" not in parts \
        and rel not in (MANIFEST, COMMIT, STAGING_MARK)


def finish_interrupted(output: Path, key: bytes | None) -> bool:
    """Finish the commit of a build that was cut short while it moved its files into output
    (see the module's docstring); whether there was one to finish."""
    staging = staging_folder(output)
    new = read_manifest(staging, key, COMMIT) if (staging / STAGING_MARK).is_file() else None
    if new is not None:
        old = read_manifest(output, key) or {}
        output.mkdir(parents=True, exist_ok=True)
        for rel in new:
            if _owned(rel) and _unlinked(staging, rel) and os.path.lexists(staging / rel):
                _move(staging, output, rel)
        _remove(output, [rel for rel in old if rel not in new and _owned(rel)])
        os.replace(staging / COMMIT, output / MANIFEST)
        _clear(staging)
        return True
    if read_manifest(output, key, COMMIT) is not None:  # a first build's, renamed into place
        os.replace(output / COMMIT, output / MANIFEST)
        if (output / STAGING_MARK).exists():
            os.unlink(output / STAGING_MARK)
        return True
    return False


def _unlinked(folder: Path, rel: str) -> bool:
    """Whether no folder on the way from folder to folder/rel is a link (which could lead
    anywhere on the machine)."""
    path = folder
    for part in rel.split("/")[:-1]:
        path = path / part
        if path.is_symlink():
            return False
    return True


def linked_place(output: Path) -> str | None:
    """Why the output folder or the staging folder beside it cannot be used because it is a
    link (a link planted in a repository could send the build's deletions anywhere)."""
    for path in (output, staging_folder(output)):
        if path.is_symlink():
            return f"{path} is a link; the build writes and deletes only in a real folder"
    return None


def _clear(folder: Path) -> None:
    """Delete a staging folder, its mark last: a build stopped while deleting it leaves a
    folder the next build still knows as its own."""
    if folder.is_symlink():
        raise OSError(f"{folder} is a link, not a staging folder")
    for entry in os.scandir(folder):
        if entry.name != STAGING_MARK:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    shutil.rmtree(folder)


def _remove(output: Path, paths: list[str]) -> None:
    """Delete output/rel for each rel, and the folders that leaves empty."""
    folders = set()
    for rel in paths:
        path = output / rel
        if not _unlinked(output, rel):
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
        folders.update(path.parents)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if folder != output and output in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty, or gone
                pass


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

    def __init__(self, output: Path, known: dict[str, tuple], key: bytes | None):
        self.output, self.known, self.key = output, known, key
        self.folder = staging_folder(output)
        self.staged: dict[str, bytes] = {}  # path -> digest, of files written to the staging folder
        self.kept: dict[str, bytes] = {}  # path -> digest, of files output/ already holds

    def open(self) -> None:
        """Start an empty staging folder, clearing one an earlier build left (whose commit, if
        it was signed, finish_interrupted has finished by now)."""
        if (self.folder / STAGING_MARK).exists():
            _clear(self.folder)
        if self.folder.is_dir():  # empty: left by a build stopped as it deleted the last of it
            self.folder.rmdir()
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
        if not _owned(rel):
            raise ValueError(f"{rel!r} is not a path inside the output folder")
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

    def adopt(self, rel: str, expected: bytes, place) -> bytes | None:
        """Stage as output/rel the file that place(path) puts at path, a copy of a file
        whose bytes have the digest expected (cache.DiskCache.link_copy): its bytes, or None
        when place cannot."""
        if not _owned(rel):
            raise ValueError(f"{rel!r} is not a path inside the output folder")
        target = self.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = place(target)
        if data is not None:
            self.staged[rel] = expected
        return data

    def record(self, reports) -> None:
        """What put reported in other processes."""
        for rel, sum_, staged in reports:
            (self.staged if staged else self.kept)[rel] = sum_

    def _same_on_disk(self, rel: str, data: bytes) -> bool:
        """Whether output/rel is a file (not a link) that holds data: one look at it first,
        which for a new output folder (a first build) finds nothing there."""
        target = os.path.join(self.output, rel)
        try:
            info = os.lstat(target)
            if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
                return False
            with open(target, "rb") as stream:
                return stream.read() == data
        except OSError:
            return False

    def discard(self) -> None:
        """Delete the staging folder, unless its commit has begun: the next build finishes that."""
        if (self.folder / STAGING_MARK).exists() and not (self.folder / COMMIT).exists():
            _clear(self.folder)

    def commit(self) -> WriteReport:
        """Make output/ hold exactly the staged and kept files (and the search index)."""
        files = {**self.kept, **self.staged}
        output, folder = self.output, self.folder
        old = read_manifest(output, self.key) or {}
        temp = folder / (COMMIT + ".part")
        temp.write_bytes(_manifest(files, self.key))
        os.replace(temp, folder / COMMIT)  # from here on, the next build finishes what this one began
        fresh = not output.exists() or not any(output.iterdir())
        if fresh:
            if output.exists():
                output.rmdir()
            os.replace(folder, output)
            os.unlink(output / STAGING_MARK)
            os.replace(output / COMMIT, output / MANIFEST)
            removed = []
        else:
            for rel in sorted(self.staged):
                _move(folder, output, rel)
            removed = sorted(rel for rel in old if rel not in files and _owned(rel))
            _remove(output, removed)
            os.replace(folder / COMMIT, output / MANIFEST)
            _clear(folder)
        for rel in [r for r in self.known if r not in files]:
            del self.known[rel]
        for rel in self.staged:
            self.known[rel] = (stat_key(output / rel), self.staged[rel])
        for rel in self.kept:
            if rel not in self.known or self.known[rel][1] != self.kept[rel]:
                self.known[rel] = (stat_key(output / rel), self.kept[rel])
        unchanged = len(self.kept)
        return WriteReport(tuple(sorted(self.staged)), tuple(removed), unchanged)


class Discard:
    """Where a build that writes nothing (check) puts its pages."""

    output = None

    def current(self, rel: str, expected: bytes) -> bool:
        return False

    def keep(self, rel: str, expected: bytes) -> None:
        pass

    def put(self, rel: str, data: bytes) -> tuple[str, bytes, bool]:
        return rel, b"", False

    def adopt(self, rel: str, expected: bytes, place) -> bytes | None:
        return None

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
