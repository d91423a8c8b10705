"""Shared fixtures: tiny real sites on disk, the CLI as a subprocess, the demo build."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import build  # noqa: E402


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under folder with the hash of its bytes (and its mtime, to catch rewrites)."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() + f":{p.stat().st_mtime_ns}"
            for p in sorted(folder.rglob("*")) if p.is_file()}


MINIMAL = {
    "site.yaml": "title: Tiny\nbase_url: https://example.org/tiny/\n",
    "content/actors/ana-lima.yaml": "name: Ana Lima\nkind: person\nrole: Mayor\n",
    "content/articles/first.md": (
        "---\ntitle: First\ndate: 2024-05-06\nsources:\n  - publisher: Wire\n"
        "quotes:\n  - speaker: ana-lima\n    text: \"We will build it.\"\n---\n\n"
        "[[ana-lima]] said: \u201cWe will build it.\u201d\n"
    ),
}


@pytest.fixture
def site(tmp_path):
    """A factory: site({path: text}) writes MINIMAL overlaid with those files and returns its root."""

    def make(files: dict | None = None, base: dict | None = None) -> Path:
        root = tmp_path / "site"
        write_files(root, {**(MINIMAL if base is None else base), **(files or {})})
        return root

    return make


@pytest.fixture
def demo_copy(tmp_path):
    """A copy of the demo's site.yaml and content/, to edit."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(ROOT / "site.yaml", root)
    shutil.copytree(ROOT / "content", root / "content")
    return root


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the system's), one per test module."""
    from playwright.sync_api import sync_playwright

    from tools.browser import launch

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The repository's own demo, built once into a temporary folder."""
    output = tmp_path_factory.mktemp("demo-output")
    result = build(ROOT, output=output)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics.errors)
    return result, output
