"""This user's key, kept outside every site, for signing what a build leaves inside a site
for the next one (the cache's entries, the output folder's manifest): anyone who can add a
file to a repository or a zip of it can plant such a file, but not sign it."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_VARIABLE = "EXPLAINER_CACHE_KEY"


def key_file() -> Path:
    """Where this user's key is kept: under $XDG_CACHE_HOME or ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "explainer" / "cache-key"


def signing_key(site_root: Path) -> bytes | None:
    """EXPLAINER_CACHE_KEY, else the key in the user's key file, made on first use. None
    when the file would lie inside the site (a key the repository could carry is no key)
    or cannot be read or made."""
    given = os.environ.get(KEY_VARIABLE)
    if given:
        return hashlib.sha256(given.encode()).digest()
    path = key_file()
    try:
        if Path(os.path.realpath(path)).is_relative_to(os.path.realpath(site_root)):
            return None
        try:
            return bytes.fromhex(path.read_text().strip())
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another build made it meanwhile
                return bytes.fromhex(path.read_text().strip())
            key = secrets.token_bytes(32)
            with os.fdopen(descriptor, "w") as stream:
                stream.write(key.hex() + "\n")
            return key
    except (OSError, ValueError):
        return None


def sign(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def signed_by(key: bytes | None, data: bytes, signature: bytes) -> bool:
    return key is not None and hmac.compare_digest(sign(key, data), signature)
