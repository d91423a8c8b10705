"""The site's search index: Pagefind indexes the written pages into output/pagefind/, and
the search page loads it in the browser, offline, with no server behind it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

FOLDER = "pagefind"  # under output/; the build never prunes it


def available() -> bool:
    return importlib.util.find_spec("pagefind") is not None


MISSING = "the search index was not built: the pagefind package is not installed (make build installs it)"


def command(output: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(output), "--output-subdir", FOLDER, "--silent"]


def start_indexing(output: Path) -> subprocess.Popen | None:
    """Index in the background, at low priority (for the preview, which must stay quick)."""
    if not available():
        return None
    return subprocess.Popen(command(output), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: os.nice(15))


def index_site(output: Path) -> str | None:
    """Index the pages under output; a problem to report, or None when all went well."""
    if not available():
        return MISSING
    done = subprocess.run(command(output), capture_output=True, text=True)
    if done.returncode != 0:
        return "the search index was not built: " + (done.stderr.strip() or done.stdout.strip() or "pagefind failed")
    return None
