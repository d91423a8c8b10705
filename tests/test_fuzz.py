"""Hostile damage to copies of the demo, from deterministic seeds: whatever it is, a build
answers with diagnostics and no traceback or hang; a failed build leaves the last output
exactly as it was (and no staging folder); a build that succeeds leaves output identical
to a fresh build of the damaged site, made without any cache."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
from xml.etree import ElementTree

import pytest

from conftest import ROOT, tree_digest
from generator.build import Builder, build

# Text an attacker or a slip of the keyboard puts into a file, each aimed at a class of
# fault found once: markers, escapes, control characters, costly Markdown, deep or huge
# YAML, impossible dates, long slugs, tags and templates.
INSERTS = ["\\x01", "\x01", "\x00", "\x1b[31m", "\ufffe", "&#xe000;china&#xe001;", "\ue000china\ue001",
           "[" * 3000, "<a " * 1500, "[" * 60 + "]" * 60, "9" * 5000, "0000", "9999-12-31T23:59:00-05:00",
           "a" * 150, "{{ 1/0 }}", "{% include '/etc/passwd' %}", "<script>alert(1)</script>",
           "\" onload=\"alert(1)", "![](media/none.png)", "[[zhao-lijan]]", ": ", "\t", "'", '"', "&a ", "*a",
           "!!python/object/apply:os.system ['true']", "---\n", "\n    - " * 40, "2022-02-30", "\ud800"]


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def damage_text(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:at] + rng.choice(INSERTS) + text[at:]
    if kind == 1:  # a value replaced by hostile text, as it is or in quotes
        lines = text.split("\n")
        keyed = [i for i, line in enumerate(lines) if ": " in line] or [0]
        i = rng.choice(keyed)
        key = lines[i].split(": ", 1)[0]
        value = rng.choice(INSERTS)
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines[i] = f"{key}: {rng.choice([value, quoted, quoted])}"
        return "\n".join(lines)
    if kind == 2:
        return text[:at]
    return text[:at] + text[at:][::-1][:40] + text[at + 40:]


def damage_site(root, rng: random.Random) -> None:
    kind = rng.randrange(10)
    if kind == 0:
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/article.html").write_text(
            '{% extends "base.html" %}{% block main %}' + rng.choice(INSERTS[13:17]) + "{% endblock %}")
    elif kind == 1:
        (root / ".git").mkdir(exist_ok=True)
        (root / ".git/config").write_text("[http]\n\textraheader = secret\n")
        os.symlink("../../.git/config", root / "content/media/config.txt")
    elif kind == 2:
        (root / "content/media/map.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    elif kind == 3:
        os.mkfifo(root / "content/articles/pipe.md")
    else:
        files = sorted(p for p in (root / "content").rglob("*") if p.is_file() and p.suffix in (".md", ".yaml"))
        files.append(root / "site.yaml")
        for _ in range(rng.randrange(1, 4)):
            path = rng.choice(files)
            text = damage_text(path.read_text(encoding="utf-8"), rng)
            path.write_bytes(text.encode("utf-8", errors="surrogatepass"))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """The demo's content, built once, to copy for each case."""
    base = tmp_path_factory.mktemp("pristine")
    shutil.copy(ROOT / "site.yaml", base / "site.yaml")
    shutil.copytree(ROOT / "content", base / "content")
    (base / "content/media").mkdir(exist_ok=True)
    assert build(base, output=base / "output").ok
    return base


def _alarm(signum, frame):
    raise TimeoutError("the build did not finish within a minute")


@pytest.mark.parametrize("seed", range(100))
def test_hostile_damage_is_reported_and_never_harms_the_output(seed, pristine, tmp_path):
    rng = random.Random(seed)
    root = tmp_path / "site"
    shutil.copytree(pristine, root, symlinks=True)
    before = tree_digest(root / "output")
    damage_site(root, rng)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)  # a ceiling for a hang, far above what any of these builds takes
    try:
        result = build(root, output=root / "output")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    for diagnostic in result.diagnostics.items:
        assert diagnostic.location.file and diagnostic.message and "Traceback" not in diagnostic.format()
    assert not (root / ".output.staging").exists()
    if not result.ok:
        assert tree_digest(root / "output") == before
        return
    for path in sorted((root / "output").rglob("*")):
        if path.suffix in (".html", ".xml", ".json", ".txt") and path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not CONTROL.search(text), f"{path.name} holds a control character"
            assert "alert(1)\"" not in text.replace("&#34;", '"') or 'onload="alert' not in text, path.name
            if path.suffix == ".xml":
                ElementTree.fromstring(text.encode("utf-8"))  # feed and sitemap are well-formed XML
            if path.suffix == ".json":
                json.loads(text)
    fresh = tmp_path / "fresh"
    assert Builder(root, output=fresh, cache=False).build().ok
    made = {path: digest.split(":")[0] for path, digest in tree_digest(root / "output").items()}
    expected = {path: digest.split(":")[0] for path, digest in tree_digest(fresh).items()}
    assert made == expected
