"""The harbour test site (unicode names, a base path, a draft, every date precision) against its
committed output. Refresh deliberately: UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"""

import os
import shutil
from pathlib import Path

from generator.build import build
from generator.write import MANIFEST

SITE = Path(__file__).parent / "sites" / "harbour"
GOLDEN = Path(__file__).parent / "golden" / "harbour"


def pages(folder: Path) -> dict[str, bytes]:
    """The site's files, less the theme's static assets and the list of files the builds
    wrote (signed with the key of whoever builds)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("static/") and p.name != MANIFEST}


def test_harbour_site_matches_golden_output(tmp_path):
    out = tmp_path / "out"
    result = build(SITE, output=out)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN, ignore=shutil.ignore_patterns("static", MANIFEST))
    built, golden = pages(out), pages(GOLDEN)
    assert sorted(built) == sorted(golden)
    for path in built:
        assert built[path] == golden[path], f"{path} differs from tests/golden/harbour/{path}"


def test_harbour_facts(tmp_path):
    out = tmp_path / "out"
    build(SITE, output=out)
    assert not (out / "articles/draft-ferry").exists()
    timeline = (out / "timeline/index.html").read_text()
    # each date's precision said once: the year in its heading, the rest beside the event
    assert '<h2 id="y1998">1998</h2>' in timeline and '<time datetime="1998">During the year</time>' in timeline
    assert '<time datetime="2024-05">May</time>' in timeline
    assert '<time datetime="2024-03-01">1 March – 30 April</time>' in timeline
    assert '<time datetime="2024-06-12T18:30:00+02:00">12 June, 18:30 UTC+02:00</time>' in timeline
    actor = (out / "actors/wang-xiaoming/index.html").read_text()
    assert "王小明 (Wang Xiaoming)" in actor and "In other words:" in actor
    summary = (out / "actors/friends-of-the-harbour/index.html").read_text()
    assert "<script>alert" not in summary
    article = (out / "articles/bridge-vote/index.html").read_text()
    assert 'href="/news/harbour/media/harbour.gif"' not in article  # images are src, not href
    assert 'src="/news/harbour/pictures/harbour-gif-1.png"' in article  # the lead image, resized (pictures.py)
    assert 'srcset="/news/harbour/pictures/harbour-gif-1.webp 1w"' in article
    assert "onclick" not in article and "javascript:" not in article
    assert (out / "media/harbour.gif").read_bytes().startswith(b"GIF89a")
    assert "Lost at sea" in (out / "404.html").read_text()
    assert '<html lang="en-GB">' in article
