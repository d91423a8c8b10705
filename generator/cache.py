"""What one build leaves for the next, on disk: articles read and rendered, keyed by their
text and by the generator's own code, and a record of what each output folder holds.

It lives in the site's `.explainer-cache/` folder, under a name made from the generator's
code and the versions of the libraries that shape its output, so a new version of either
starts afresh (and removes the old entries); beside those folders, records that outlive a
version (what the last published build showed, published.py). Deleting the folder at any
time is safe: the next build is a cold one, with nothing to compare what it publishes
with. A cache that cannot be read or written is ignored.

The folder is inside the site, where anyone who can add a file to the repository (or to a
zip of it) can plant one, so what it holds is trusted for nothing:
- entries are data, not objects: JSON read back by the type the build expects (records.py),
  so reading one cannot run code, and one of another shape is ignored;
- every entry is signed (HMAC-SHA256) with a key kept outside the site, in the user's own
  cache folder (or given as EXPLAINER_CACHE_KEY), so an entry this machine's builds did not
  write, such as one committed to the repository, is ignored as well, and cannot put a quote
  or a page into the site that its files do not hold."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

from . import keys, records

FOLDER = ".explainer-cache"
LIBRARIES = ("markdown", "jinja2", "markupsafe", "nh3", "pyyaml", "pillow")
SIGNED = b"explainer-cache 1\n"  # how every entry starts, before its signature


def fingerprint() -> str:
    """The generator's code, Python's version and the libraries' versions, in 16 letters."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


class DiskCache:
    """Signed records of typed values, in files named by the hash of their key, one folder per kind."""

    def __init__(self, site_root: Path, secret: bytes | None = None):
        """secret: the key to sign with, when the caller has it already (keys.signing_key)."""
        self.base = site_root / FOLDER
        self.folder = self.base / fingerprint()
        self.secret = secret if secret is not None else keys.signing_key(site_root)
        if _linked(self.base):  # planted: a build would follow it out of the site
            self.secret = None
        self.working = self.secret is not None  # False once writing fails: the build goes on without

    def path(self, kind: str, key) -> Path:
        name = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
        return self.folder / kind / name[:2] / name

    def holds(self, kind: str) -> bool:
        """Whether anything of kind may be saved (a first build need not look for each)."""
        return (self.folder / kind).is_dir()

    def _signature(self, data: bytes) -> bytes:
        return keys.sign(self.secret, data)

    def load(self, kind: str, key, type_):
        """The value of type_ saved under key, or None: when there is none, and when what is
        there was not signed with this user's key or is not a type_."""
        return self._load(self.path(kind, key), type_)

    def lasting_path(self, name: str) -> Path:
        return self.base / f"{name}.json"

    def load_lasting(self, name: str, type_):
        """Like load, a record kept beside the versions' folders, which outlives them."""
        return self._load(self.lasting_path(name), type_)

    def save_lasting(self, name: str, value, type_) -> None:
        if self.working:
            data = records.dumps(value, type_)
            self._write(self.lasting_path(name), SIGNED + self._signature(data) + data)

    def _load(self, path: Path, type_):
        if self.secret is None:
            return None
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            return None
        start = len(SIGNED) + 32
        if not data.startswith(SIGNED) or not keys.signed_by(self.secret, data[start:], data[len(SIGNED):start]):
            return None
        try:
            return records.loads(data[start:], type_)
        except records.Malformed:
            return None

    def save(self, kind: str, key, value, type_) -> None:
        if not self.working:
            return
        data = records.dumps(value, type_)
        self._write(self.path(kind, key), SIGNED + self._signature(data) + data)

    def _write(self, path: Path, data: bytes) -> None:
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            try:
                temp.write_bytes(data)
            except FileNotFoundError:  # the first entry in its folder (made only then)
                path.parent.mkdir(parents=True, exist_ok=True)
                temp.write_bytes(data)
            os.replace(temp, path)
        except OSError:
            self.working = False
            try:
                temp.unlink(missing_ok=True)
            except OSError:
                pass

    # Copies of the pages output/ holds, by the digest of their bytes, so that a build with
    # the cache but no output/ (a fresh runner of the Pages workflow) puts a page that has
    # not changed in place without making it again, as a link to the copy. A copy is a hard
    # link to the page output/ got, so keeping it costs neither time nor room, nor does
    # putting it back; the build replaces output's files, never writes into them. A copy is
    # used only when its bytes have the digest the signed record of the page names, so a
    # planted or damaged one is passed over.

    def _copy(self, digest: bytes, kind: str) -> Path:
        name = digest.hex()
        return self.folder / kind / name[:2] / name

    def keep_copies(self, output: Path, pages: dict[str, bytes], kind: str = "pages") -> None:
        """Keep a copy of each of these files of output (path -> digest of its bytes), among
        the copies of kind (the pages, or the search index's files)."""
        if not self.working:
            return
        for rel, digest in pages.items():
            copy = self._copy(digest, kind)
            try:
                try:
                    os.link(output / rel, copy)
                except FileNotFoundError:
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    os.link(output / rel, copy)
            except FileExistsError:
                continue
            except OSError:  # another file system, or no links: no copies then
                return

    def link_copy(self, digest: bytes, target: Path, kind: str = "pages") -> bytes | None:
        """Make target a link to the copy kept by keep_copies whose bytes have this digest
        (so no copy is written again), and give those bytes; None, with nothing made, when
        there is no such copy."""
        try:  # linked first, then what the link holds is read: no other file can take its place between
            os.link(self._copy(digest, kind), target, follow_symlinks=False)
        except OSError:
            return None
        try:
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with open(fd, "rb") as stream:
                data = stream.read()
            if hashlib.blake2b(data, digest_size=16).digest() == digest:
                return data
        except OSError:
            pass
        try:
            os.unlink(target)
        except OSError:
            pass
        return None

    def keep_copies_only(self, digests, kind: str = "pages") -> None:
        """Remove the copies of kind whose digests are not among these."""
        _prune(self.folder / kind, {digest.hex() for digest in digests})

    def keep_only(self, kind: str, keys) -> None:
        """Remove the entries of kind that are not under keys, and the folders of other
        versions of the generator."""
        try:
            for other in self.base.iterdir():
                if other != self.folder and other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass
        _prune(self.folder / kind, {self.path(kind, key).name for key in keys})


def _linked(base: Path) -> bool:
    """Whether a link stands for the cache folder, or for any folder in it down to the
    shards (base/version/kind/shard), where a build writes, links and removes files."""
    if base.is_symlink():
        return True
    for top, folders, _ in os.walk(base):
        if any(os.path.islink(os.path.join(top, name)) for name in folders):
            return True
        if len(Path(top).relative_to(base).parts) >= 2:  # a kind's folder: its shards were looked at
            folders[:] = []
    return False


def _prune(folder: Path, names: set[str]) -> None:
    """Remove the entries of folder's shards whose names are not among names."""
    try:
        for shard in folder.iterdir() if folder.is_dir() else ():
            for entry in shard.iterdir():
                if entry.name not in names:
                    entry.unlink()
    except OSError:
        pass
