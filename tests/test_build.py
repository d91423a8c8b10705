"""End-to-end builds of tiny sites written by the tests."""

import re
from html.parser import HTMLParser

import pytest

from conftest import MINIMAL, ROOT, run_cli, tree_digest, write_files
from generator.build import Builder, build


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            if name == "id":
                self.ids.add(value)


def test_every_internal_link_carries_the_base_path(site, tmp_path):
    root = site({"site.yaml": "title: Tiny\nbase_url: https://example.org/deep/path/\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    for page in out.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text())
        for url in parser.urls:
            if url.startswith("/"):
                assert url.startswith("/deep/path/"), (page, url)
            else:
                assert url.startswith(("https://", "http://", "#", "?")) or url == "", (page, url)


def test_base_url_option_overrides_site_yaml(site, tmp_path):
    out = tmp_path / "out"
    assert build(site(), output=out, base_url="https://user.github.io/other").ok
    assert 'href="/other/static/style.css"' in (out / "index.html").read_text()
    assert "<loc>https://user.github.io/other/articles/first/</loc>" in (out / "sitemap.xml").read_text()


def test_same_input_gives_byte_identical_output(site, tmp_path):
    root = site()
    a, b = tmp_path / "a", tmp_path / "b"
    assert build(root, output=a).ok and build(root, output=b).ok
    files_a = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b): p.read_bytes() for p in b.rglob("*") if p.is_file()}
    assert files_a == files_b


def test_second_build_writes_nothing_and_stale_pages_are_removed(site, tmp_path):
    root = site({"content/articles/second.md": "---\ntitle: Second\ndate: 2024-05-07\nsources: [{publisher: W}]\n---\nHi\n"})
    out = tmp_path / "out"
    first = build(root, output=out)
    assert first.ok and "articles/second/index.html" in first.report.written
    before = tree_digest(out)
    again = build(root, output=out)
    assert again.report.written == () and again.report.removed == ()
    assert tree_digest(out) == before
    (root / "content/articles/second.md").unlink()
    third = build(root, output=out)
    assert "articles/second/index.html" in third.report.removed
    assert not (out / "articles/second").exists()


def test_drafts_are_left_out_unless_asked_for(site, tmp_path):
    root = site({"content/articles/wip.md": "---\ntitle: WIP\ndate: 2024-05-08\ndraft: true\nsources: [{publisher: W}]\n---\nHi\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert not (out / "articles/wip").exists() and "WIP" not in (out / "feed.xml").read_text()
    assert build(root, output=out, drafts=True).ok
    assert (out / "articles/wip/index.html").exists()


def test_failed_build_leaves_output_exactly_as_it_was(site, tmp_path):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    before = tree_digest(out)
    write_files(root, {"content/articles/first.md": MINIMAL["content/articles/first.md"].replace("ana-lima\n", "ana-lim\n")})
    result = run_cli("build", "--site", str(root), "--output", str(out))
    assert result.returncode == 1
    assert "quote speaker 'ana-lim' is not a known actor" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(out) == before


def test_template_failing_halfway_leaves_output_and_no_staging(site, tmp_path):
    """Pages rendered before the failing one were staged, not written: output/ is untouched."""
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    before = tree_digest(out)
    write_files(root, {"content/actors/ana-lima.yaml": "name: Ana Lima (edited)\nkind: person\n",
                       "templates/timeline.html": '{% extends "base.html" %}{% block main %}{{ nope() }}{% endblock %}'})
    result = run_cli("build", "--site", str(root), "--output", str(out))
    assert result.returncode == 1 and "template error while rendering timeline/index.html" in result.stderr
    assert tree_digest(out) == before
    assert not (tmp_path / ".out.staging").exists()


def test_staging_folder_of_an_interrupted_build_is_replaced_and_a_stranger_refused(site, tmp_path):
    root = site()
    out = tmp_path / "out"
    write_files(tmp_path / ".out.staging", {".explainer-staging": "", "articles/old/index.html": "half"})
    assert build(root, output=out).ok
    assert not (tmp_path / ".out.staging").exists() and not (out / "articles/old").exists()
    write_files(tmp_path / ".out.staging", {"notes.txt": "mine"})
    result = run_cli("build", "--site", str(root), "--output", str(out))
    assert result.returncode == 1 and "the build stages its files there" in result.stderr
    assert (tmp_path / ".out.staging/notes.txt").read_text() == "mine"


def test_a_build_stopped_while_deleting_its_staging_folder_leaves_it_to_the_next(site, tmp_path, monkeypatch):
    """The preview may be closed while a build clears its staging folder; what is left must
    still carry the mark that lets the next build replace it."""
    import os
    import shutil

    from generator import write

    root = site()
    out = tmp_path / "out"
    write_files(tmp_path / ".out.staging", {".explainer-staging": "", "articles/old/index.html": "half"})
    real = shutil.rmtree

    def stopped(path, *args, **kwargs):  # deletes the mark first, if it is there, then is stopped
        mark = os.path.join(path, ".explainer-staging")
        if os.path.exists(mark):
            os.unlink(mark)
        raise KeyboardInterrupt

    monkeypatch.setattr(write.shutil, "rmtree", stopped)
    with pytest.raises(KeyboardInterrupt):
        write.Staging(out, {}, b"key").discard()
    assert (tmp_path / ".out.staging/.explainer-staging").exists()
    monkeypatch.setattr(write.shutil, "rmtree", real)
    assert build(root, output=out).ok and not (tmp_path / ".out.staging").exists()


def test_check_writes_nothing(site):
    root = site()
    result = run_cli("check", "--site", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No errors: 1 article, ")
    assert not (root / "output").exists() and not (root / ".explainer-cache").exists()


def test_site_templates_override_the_theme_file_by_file(site, tmp_path):
    root = site({"templates/404.html": '{% extends "base.html" %}{% block main %}<p>Gone fishing</p>{% endblock %}',
                 "templates/static/extra.css": "body { color: red; }\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert "Gone fishing" in (out / "404.html").read_text()
    assert "Who said what" in (out / "quotes/index.html").read_text()  # still the theme's
    assert (out / "static/extra.css").exists() and (out / "static/style.css").exists()


def test_template_mistake_is_reported_at_its_line(site):
    root = site({"templates/actor.html": '{% extends "base.html" %}\n{% block main %}\n{{ actor.nmae.upper() }}\n{% endblock %}\n'})
    result = run_cli("build", "--site", str(root))
    assert result.returncode == 1
    assert re.search(r"^templates/actor\.html:3: error: template error", result.stderr, re.M), result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_to_prune_a_folder_it_did_not_write(site, tmp_path):
    root = site()
    precious = tmp_path / "precious"
    write_files(precious, {"thesis.txt": "years of work"})
    result = run_cli("build", "--site", str(root), "--output", str(precious))
    assert result.returncode == 1 and "will not write there" in result.stderr
    assert (precious / "thesis.txt").read_text() == "years of work"
    result = run_cli("build", "--site", str(root), "--output", str(root))
    assert result.returncode == 1 and (root / "site.yaml").exists()


def test_symlink_outside_the_site_is_refused(site, tmp_path):
    root = site()
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: Secret\nkind: person\n")
    (root / "content/actors/secret.yaml").symlink_to(secret)
    result = run_cli("check", "--site", str(root))
    assert result.returncode == 1
    assert "content/actors/secret.yaml:1: error: this file is a link to a place outside the site" in result.stderr


def test_cname_and_nojekyll(site, tmp_path):
    root = site({"site.yaml": "title: T\nbase_url: https://explainers.example.org/\ncname: explainers.example.org\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert (out / "CNAME").read_text() == "explainers.example.org\n"
    assert (out / ".nojekyll").exists()


def test_content_is_escaped_where_it_lands(site, tmp_path):
    evil = '</script><script>alert(1)</script> & "quotes"'
    root = site({"content/actors/ana-lima.yaml": f"name: 'Ana {evil}'\nkind: person\nrole: Mayor\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    page = (out / "actors/ana-lima/index.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "Ana &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in page
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "</script" not in ld and "\\u003c/script\\u003e" in ld
    assert "alert(1)" in (out / "data/explainer.json").read_text()  # JSON keeps the text as text


def test_the_demo_repository_builds_with_the_cli(tmp_path):
    result = run_cli("build", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "out/index.html").exists()
    assert ROOT.joinpath("site.yaml").exists()


def test_images_in_the_text_come_from_media_under_the_base_path(site, tmp_path):
    gif = (ROOT / "tests/sites/harbour/content/media/harbour.gif").read_bytes()
    body = MINIMAL["content/articles/first.md"] + "\n![The new bridge](media/bridge.gif)\n\n<img src=\"media/bridge.gif\" alt=\"Again\">\n"
    root = site({"content/articles/first.md": body, "content/media/bridge.gif": gif})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    page = (out / "articles/first/index.html").read_text()
    assert page.count('src="/tiny/media/bridge.gif"') == 2 and (out / "media/bridge.gif").read_bytes() == gif


def test_media_images_carry_their_width_and_height_and_follow_a_replaced_file(site, tmp_path):
    import io

    from PIL import Image as Picture

    def png(width, height):
        data = io.BytesIO()
        Picture.new("RGB", (width, height), "white").save(data, "PNG")
        return data.getvalue()

    body = MINIMAL["content/articles/first.md"].replace(
        "title: First", "title: First\nimage: {src: media/lead.png, alt: The lead}")
    body += "\n![A chart](media/chart.png)\n\n<img src=\"media/chart.png\" alt=\"Again\" width=\"10\">\n"
    root = site({"content/articles/first.md": body, "content/media/lead.png": png(640, 360),
                 "content/media/chart.png": png(300, 200)})
    out = tmp_path / "out"
    builder = Builder(root, output=out)  # as the preview builds, again and again
    assert builder.build().ok
    page = (out / "articles/first/index.html").read_text()
    assert ('<img src="/tiny/pictures/lead-png-640.png" srcset="/tiny/pictures/lead-png-160.png 160w, '
            '/tiny/pictures/lead-png-320.png 320w, /tiny/pictures/lead-png-640.png 640w"') in page
    assert 'width="640" height="360" alt="The lead" fetchpriority="high"' in page
    assert '<img width="300" height="200" alt="A chart" src="/tiny/media/chart.png">' in page
    assert 'width="10"' in page and page.count('height="200"') == 1  # a size written by hand is kept
    write_files(root, {"content/media/chart.png": png(30, 20), "content/media/lead.png": png(300, 200)})
    assert builder.build().ok
    page = (out / "articles/first/index.html").read_text()
    assert '<img width="30" height="20" alt="A chart"' in page
    assert 'src="/tiny/pictures/lead-png-300.png"' in page and 'width="300" height="200" alt="The lead"' in page
    assert sorted(p.name for p in (out / "pictures").iterdir()) == [
        "lead-png-160.png", "lead-png-160.webp", "lead-png-300.png", "lead-png-300.webp"]


def test_an_image_whose_name_has_a_space_is_found_and_sized(site, tmp_path):
    gif = (ROOT / "tests/sites/harbour/content/media/harbour.gif").read_bytes()
    body = MINIMAL["content/articles/first.md"] + "\nThe file media/a b.gif is `media/a%20b.gif`.\n\n![The bay](media/a%20b.gif)\n"
    root = site({"content/articles/first.md": body, "content/media/a b.gif": gif})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert '<img width="1" height="1" alt="The bay" src="/tiny/media/a%20b.gif">' in (out / "articles/first/index.html").read_text()


def test_a_base_url_outside_ascii_is_written_percent_encoded_everywhere(site, tmp_path):
    root = site({"site.yaml": "title: T\nbase_url: https://example.org/café/[1]/\n"})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert "<loc>https://example.org/caf%C3%A9/%5B1%5D/articles/</loc>" in (out / "sitemap.xml").read_text()
    page = (out / "index.html").read_text()
    assert 'href="/caf%C3%A9/%5B1%5D/feed.xml"' in page and "café/" not in page.replace("caf%C3%A9", "")


def test_an_image_in_the_text_is_reported_where_it_is_written_even_after_a_reference(site):
    body = MINIMAL["content/articles/first.md"] + "\nSee [the map][r].\n\n![](media/b.gif)\n\n[r]: media/a.gif\n"
    root = site({"content/articles/first.md": body, "content/media/a.gif": "", "content/media/b.gif": ""})
    result = build(root, write=False)
    assert [str(d.location) for d in result.diagnostics.errors] == ["content/articles/first.md:15:5"]


def test_key_points_must_be_lines_of_text(site, tmp_path):
    root = site({"site.yaml": MINIMAL["site.yaml"] + "key_points:\n  - One thing\n  - {a: b}\n  - 3\n"})
    result = build(root, output=tmp_path / "out")
    assert not result.ok
    assert [(d.location.line, d.message) for d in result.diagnostics.errors] == [
        (5, "'key_points' must be a list of one-line texts"), (6, "'key_points' must be a list of one-line texts")]
