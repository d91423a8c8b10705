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


HANDLER = re.compile(r"<[^<>]*\son(load|error)=[^<>]*>")  # an injected handler, unescaped in a tag
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


PAYLOAD = "Zhao\" onload=\"alert(1)\" onerror=\"alert(1)\" x=\""  # a name that closes an attribute
FORGED = '<img src="media/dot.gif" alt="&#xe000;zhao-lijian&#xe001;"> [x](https://example.org/ "&#xE000;zhao-lijian&#xE001;")'
VALUES = ['"a \\x01 b"', '"\\0"', '"\\e[31m"', '"\\uFFFE"', "0000", "9999-12-31T23:59:00-05:00", "0001-01-01T00:00:00+05:00",
          "9" * 5000, "[" * 80 + "]" * 80, "{a: " * 60 + "1" + "}" * 60, '"' + "a" * 150 + '"', "[a, b]",
          '"' + "[" * 3000 + '"', "&x *x", "!!python/object/apply:os.system ['true']", f'"{PAYLOAD}"']
BODY = [FORGED, "[" * 3000, "<a " * 1500, "\n".join("    " * i + "- a" for i in range(40)), "\x00", "\x1b",
        '<svg><script>alert(1)</script></svg>', "![](media/dot.gif)", "![x](media/none.png)", "[[zhao-lijan]]",
        "`if a < b && c > d`", "```\n" * 50]


def _one(root, rng: random.Random) -> None:
    articles = sorted(p for p in (root / "content/articles").glob("*.md") if p.is_file())  # not a pipe made before
    actors = sorted((root / "content/actors").glob("*.yaml"))
    kind = rng.randrange(9)
    if kind == 0:  # a hostile value in quotes or plain, where a field was
        path = rng.choice(articles + actors + [root / "site.yaml"])
        lines = path.read_text(encoding="utf-8").split("\n")
        keyed = [i for i, line in enumerate(lines) if re.match(r"\s*(- )?[a-z_]+: \S", line)]
        if keyed:
            i = rng.choice(keyed)
            lines[i] = lines[i].split(": ", 1)[0] + ": " + rng.choice(VALUES)
            path.write_text("\n".join(lines), encoding="utf-8")
    elif kind == 1:  # hostile Markdown or HTML in an article's text
        path = rng.choice(articles)
        text = path.read_text(encoding="utf-8")
        at = text.index("\n---\n", 4) + 5
        at = rng.randrange(at, len(text) + 1)
        path.write_text(text[:at] + "\n\n" + rng.choice(BODY) + "\n\n" + text[at:], encoding="utf-8")
    elif kind == 2:  # an actor's name that breaks out of an attribute, where the text forges its placeholder
        path = root / "content/actors/zhao-lijian.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^name: .*$", f'name: "{PAYLOAD}"', text, count=1, flags=re.M), encoding="utf-8")
        path = rng.choice(articles)
        path.write_text(path.read_text(encoding="utf-8") + "\n" + FORGED + "\n", encoding="utf-8")
    elif kind == 3:
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/article.html").write_text('{% extends "base.html" %}{% block main %}' + rng.choice(
            ["{{ 1/0 }}", "{{ cycler.__init__.__globals__.os.system('true') }}", "{% include 'loop.html' %}",
             "{{ article.title }}"]) + "{% endblock %}")
        os.symlink("/etc/hostname", root / "templates/loop.html")
    elif kind == 4:
        (root / ".git").mkdir(exist_ok=True)
        (root / ".git/config").write_text("[http]\n\textraheader = secret\n")
        os.symlink("../../.git/config", root / "content/media/config.txt")
    elif kind == 5:
        (root / "content/media" / rng.choice(["map.svg", "page.html"])).write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    elif kind == 6:
        os.mkfifo(root / "content/articles" / f"pipe{rng.randrange(100)}.md")
    else:  # the keyboard: a piece inserted, cut or reversed anywhere
        path = rng.choice(articles + actors + [root / "site.yaml"])
        text = damage_text(path.read_text(encoding="utf-8"), rng)
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))


def damage_site(root, rng: random.Random) -> None:
    for _ in range(rng.randrange(1, 3)):
        try:
            _one(root, rng)
        except FileExistsError:  # the same link or pipe twice
            pass


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """The demo's content, built once, to copy for each case."""
    base = tmp_path_factory.mktemp("pristine")
    shutil.copy(ROOT / "site.yaml", base / "site.yaml")
    shutil.copytree(ROOT / "content", base / "content")
    (base / "content/media").mkdir(exist_ok=True)
    (base / "content/media/dot.gif").write_bytes((ROOT / "tests/sites/harbour/content/media/harbour.gif").read_bytes())
    assert build(base, output=base / "output").ok
    return base


class Hang(BaseException):
    """Raised when a build runs past the ceiling; no handler of the build's can catch it."""


def _alarm(signum, frame):
    raise Hang("the build did not finish within a minute")


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
            assert not HANDLER.search(text), f"{path.name}: {HANDLER.search(text).group()}"
            if path.suffix == ".xml":
                ElementTree.fromstring(text.encode("utf-8"))  # feed and sitemap are well-formed XML
            if path.suffix == ".json":
                json.loads(text)
    fresh = tmp_path / "fresh"
    assert Builder(root, output=fresh, cache=False).build().ok
    made = {path: digest.split(":")[0] for path, digest in tree_digest(root / "output").items()}
    expected = {path: digest.split(":")[0] for path, digest in tree_digest(fresh).items()}
    assert made == expected
