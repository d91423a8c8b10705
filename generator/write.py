"""Put a rendered site on disk: only changed bytes are written, each file atomically, and
files from an earlier build that the new one no longer has are removed."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

MARKER = ".nojekyll"  # every build writes it; an output folder without it is not ours
KEEP = "pagefind"  # the search index, written by the search step after the pages


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


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
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _stat_key(path: Path) -> tuple | None:
    try:
        info = path.lstat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def write_site(files: dict[str, bytes], output: Path, written: dict | None = None) -> WriteReport:
    """Make output hold exactly files. `written` remembers what an earlier call left on disk
    (path -> (stat, bytes)), so unchanged files are recognised without being read again."""
    written = {} if written is None else written
    known_before = set(written)
    changed, unchanged = [], 0
    output.mkdir(parents=True, exist_ok=True)
    for rel in sorted(files):
        target = output / rel
        data = files[rel]
        known = written.get(rel)
        if known is not None and known[1] == data and _stat_key(target) == known[0]:
            unchanged += 1
            continue
        if target.is_file() and not target.is_symlink() and target.stat().st_size == len(data) \
                and target.read_bytes() == data:
            written[rel] = (_stat_key(target), data)
            unchanged += 1
            continue
        if target.is_dir() and not target.is_symlink():
            _remove_tree(target)
        elif target.is_symlink():
            target.unlink()
        _atomic_write(target, data)
        written[rel] = (_stat_key(target), data)
        changed.append(rel)
    removed = []
    if not known_before or known_before - files.keys():
        for path in sorted(output.rglob("*"), reverse=True):
            rel = path.relative_to(output).as_posix()
            if rel == KEEP or rel.startswith(KEEP + "/"):
                continue
            if path.is_symlink() or path.is_file():
                if rel not in files:
                    path.unlink()
                    removed.append(rel)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for rel in [r for r in written if r not in files]:
        del written[rel]
    return WriteReport(tuple(changed), tuple(sorted(removed)), unchanged)


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), reverse=True):
        child.unlink() if (child.is_file() or child.is_symlink()) else child.rmdir()
    path.rmdir()
