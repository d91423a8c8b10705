"""Damage the demo's files in many small ways an editor might: the build must always answer
with diagnostics, never with a traceback. Deterministic: the same damage every run."""

import random
import shutil

import pytest

from conftest import ROOT
from generator.build import build

NOISE = [":", ": ", "\t", '"', "'", " #", "[", "]", "{", "}", "- ", "&a ", "*a", "!!python/name:os.system ",
         "|", ">", "\x00", "\ufeff", "é", "\u2019", "---\n", "[[", "]]", "\n", "  ", "2022-02-30", "zhao-lijan"]


def damage(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    kind = rng.randrange(6)
    if kind == 0 and lines:
        del lines[rng.randrange(len(lines))]
    elif kind == 1 and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == 2:
        return text[: rng.randrange(len(text) + 1)]
    elif kind == 3:
        words = sorted(set(w for w in text.replace("\n", " ").split(" ") if "-" in w and w.isascii()))
        if words:
            word = rng.choice(words)
            return text.replace(word, word[:-1], 1)
    else:
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice(NOISE) + text[at:]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(300))
def test_damaged_content_never_crashes(seed, tmp_path):
    rng = random.Random(seed)
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(ROOT / "content", root / "content")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for _ in range(rng.randrange(1, 4)):
        path = rng.choice(files)
        path.write_bytes(damage(path.read_text(encoding="utf-8", errors="replace"), rng)
                         .encode("utf-8", errors="surrogatepass"))
    result = build(root, output=tmp_path / "out")
    for diagnostic in result.diagnostics.items:
        assert diagnostic.location.file and diagnostic.message
        diagnostic.format()
    if not result.ok:
        assert not (tmp_path / "out").exists()
