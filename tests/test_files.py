"""Files the build must not read or publish: links that leave the site or lead into .git/,
pipes and other files that are not regular, loops of links, missing or misplaced folders.
Each is an error naming the file, with exit status 1, nothing published and no hang."""

from __future__ import annotations

import os

import pytest

from conftest import run_cli, tree_digest, write_files


def build_fails(root, *expected: str):
    result = run_cli("build", "--site", str(root))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    return result


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("root:x:0:0:the secret\n")
    return path


def test_a_static_file_linking_out_of_the_site_is_refused(site, secret):
    root = site()
    (root / "templates/static").mkdir(parents=True)
    os.symlink(secret, root / "templates/static/passwd.txt")
    build_fails(root, "templates/static/passwd.txt: error: this file is a link to a place outside the site")
    assert not (root / "output").exists()


def test_a_static_folder_linking_out_of_the_site_is_refused(site, secret):
    root = site()
    (root / "templates/static").mkdir(parents=True)
    os.symlink(secret.parent, root / "templates/static/elsewhere")
    build_fails(root, "templates/static/elsewhere: error: this folder is a link to a place outside the site")


def test_an_included_template_linking_out_of_the_site_is_refused(site, secret):
    root = site({"templates/article.html": '{% extends "base.html" %}{% block main %}{% include "note.html" %}{% endblock %}\n'})
    os.symlink(secret, root / "templates/note.html")
    result = build_fails(root, "templates/note.html: error: this file is a link to a place outside the site")
    assert "the secret" not in result.stderr + result.stdout


def test_media_linking_into_git_is_refused_and_nothing_is_published(site):
    root = site({".git/config": "[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n"})
    (root / "content/media").mkdir()
    os.symlink("../../.git/config", root / "content/media/config.txt")
    build_fails(root, "content/media/config.txt: error: this file is in .git/ or links there")
    assert not (root / "output").exists()


def test_media_linking_into_git_leaves_the_last_output_as_it_was(site):
    root = site({".git/HEAD": "ref: refs/heads/main\n", "content/media/ok.txt": "fine"})
    assert run_cli("build", "--site", str(root)).returncode == 0
    before = tree_digest(root / "output")
    os.symlink("../../.git", root / "content/media/git")
    build_fails(root, "content/media/git: error: this folder is in .git/ or links there")
    assert tree_digest(root / "output") == before


def test_a_link_that_stays_in_the_site_is_followed(site):
    root = site({"content/media/photo.txt": "a picture"})
    os.symlink("photo.txt", root / "content/media/same.txt")
    assert run_cli("build", "--site", str(root)).returncode == 0
    assert (root / "output/media/same.txt").read_text() == "a picture"


def test_a_loop_of_links_ends(site):
    root = site()
    (root / "content/media").mkdir()
    os.symlink(".", root / "content/media/again")  # a folder that holds itself
    os.symlink("b.txt", root / "content/media/a.txt")
    os.symlink("a.txt", root / "content/media/b.txt")
    build_fails(root, "content/media/a.txt: error: cannot read the file: Too many levels of symbolic links")


def test_a_pipe_named_like_an_article_does_not_block_the_build(site):
    root = site()
    os.mkfifo(root / "content/articles/waiting.md")
    build_fails(root, "content/articles/waiting.md:1: error: this is not a regular file")


def test_a_missing_articles_folder_is_an_error_not_an_empty_site(site):
    root = site()
    assert run_cli("build", "--site", str(root)).returncode == 0
    before = tree_digest(root / "output")
    (root / "content/articles").rename(root / "content/stories")
    build_fails(root, "content/articles: error: this site has no content/articles/ folder, so it would have no articles")
    assert tree_digest(root / "output") == before


def test_a_file_where_the_articles_folder_goes_is_an_error(site):
    root = site()
    for path in (root / "content/articles").iterdir():
        path.unlink()
    (root / "content/articles").rmdir()
    write_files(root, {"content/articles": "not a folder"})
    build_fails(root, "content/articles: error: content/articles is not a folder")


def test_an_empty_articles_folder_builds_a_site_without_articles(site):
    root = site()
    for path in (root / "content/articles").iterdir():
        path.unlink()
    assert run_cli("build", "--site", str(root)).returncode == 0


def test_a_dangling_link_in_media_is_reported(site):
    root = site()
    (root / "content/media").mkdir()
    os.symlink("gone.png", root / "content/media/photo.png")
    build_fails(root, "content/media/photo.png: error: cannot read the file: No such file or directory")


PLAIN_SVG = ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
             'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10" height="10" '
             'inkscape:version="1.2"><metadata><inkscape:note>drawn by hand</inkscape:note></metadata>'
             '<a href="https://example.org/"><rect width="10" height="10"/></a></svg>')


@pytest.mark.parametrize("name, text, problem", [
    ("page.html", "<script>alert(1)</script>", "a .html is not a picture, sound, video or document"),
    ("page.xhtml", "<html xmlns='http://www.w3.org/1999/xhtml'/>", "a .xhtml is not a picture"),
    ("feed.xml", "<?xml-stylesheet href='x.xsl'?><a/>", "a .xml is not a picture"),
    ("schema.xsd", "<h:script xmlns:h='http://www.w3.org/1999/xhtml'>alert(1)</h:script>", "a .xsd is not a picture"),
    ("README", "<script>alert(1)</script>", "a file without a suffix is not a picture"),
    ("map.svg", '<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="map.svg"?>'
     '<svg xmlns="http://www.w3.org/2000/svg"/>', "the SVG asks for a stylesheet (<?xml-stylesheet?>)"),
    ("map.svg", '<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"/>',
     "the file is not an SVG image"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "the SVG has an event handler (onload)"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "the SVG holds a <script> element"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>',
     "the SVG holds a <script> element"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe/></foreignObject></svg>',
     "the SVG holds a <foreignobject> element"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href=" java\nscript:alert(1)">x</a></svg>',
     "the SVG's href is a script or data address"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg"><a href="#"><set attributeName="href" to="javascript:alert(1)"/>x</a></svg>',
     "the SVG animates a link's address"),
    ("map.svg", '<svg xmlns="http://www.w3.org/2000/svg"><a href="#"><animate attributeName="xlink:href" values="#a;#b"/>x</a></svg>',
     "the SVG animates a link's address"),
    ("map.svg", '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "the SVG has a DOCTYPE"),
    ("map.svg", "<svg", "the SVG is not well-formed XML"),
])
def test_media_that_could_run_script_is_refused(site, name, text, problem):
    root = site({f"content/media/{name}": text})
    build_fails(root, f"content/media/{name}: error: {problem}")
    assert not (root / "output").exists()


def test_a_plain_svg_is_published(site):
    root = site({"content/media/map.svg": PLAIN_SVG})
    assert run_cli("build", "--site", str(root)).returncode == 0
    assert (root / "output/media/map.svg").read_text() == PLAIN_SVG


def test_a_site_named_through_a_link_and_dot_dot_is_checked_where_the_system_finds_it(tmp_path):
    """--site link/../site is the site beside where the link leads, as the system reads it;
    a file linking out of that site is refused, even into a folder called site beside the link."""
    real = tmp_path / "far/site"
    write_files(real, {"site.yaml": "title: T\nbase_url: https://example.org/\n", "content/actors/.keep": ""})
    (tmp_path / "far/inner").mkdir()
    os.symlink(tmp_path / "far/inner", tmp_path / "link")
    decoy = write_files(tmp_path / "site", {"secret.md": "---\ntitle: Secret\ndate: 2024-01-01\n---\n\nThe secret.\n"})
    (real / "content/articles").mkdir(parents=True)
    os.symlink(decoy / "secret.md", real / "content/articles/secret.md")
    result = run_cli("build", "--site", "link/../site", "--no-search", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "content/articles/secret.md:1: error: this file is a link to a place outside the site" in result.stderr
    assert not (real / "output").exists()


def test_an_enormous_source_file_is_refused_before_it_is_read(site):
    root = site({"content/articles/huge.md": "---\ntitle: Huge\ndate: 2024-01-01\n---\n" + "word " * 1_000_000})
    build_fails(root, "content/articles/huge.md:1: error: the file is 4.8 MB, over the 4 MB a source file may have")


def test_links_to_hidden_files_or_to_git_in_another_case_are_refused(site):
    root = site({".env": "TOKEN=secret\n", ".GIT/config": "[core]\n"})
    (root / "content/media").mkdir()
    os.symlink("../../.env", root / "content/media/env.txt")
    os.symlink("../../.GIT/config", root / "content/media/config.txt")
    build_fails(root, "content/media/env.txt: error: this file links to a hidden file or folder",
                "content/media/config.txt: error: this file is in .git/ or links there")


def test_what_editors_keep_with_pictures_is_published_or_passed_over(site):
    root = site({"content/media/Thumbs.db": "x", "content/media/desktop.ini": "x", "content/media/brief.doc": "x",
                 "content/media/font.ttf": "x", "content/media/clip.avi": "x",
                 "content/media/drawing.svg": '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
                 'xmlns:xlink="http://www.w3.org/1999/xlink"><metadata><?xpacket begin="" id="W5M0"?>'
                 '<?xpacket end="w"?></metadata><image xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>'})
    assert run_cli("build", "--site", str(root), "--no-search").returncode == 0
    out = root / "output/media"
    assert sorted(p.name for p in out.iterdir()) == ["brief.doc", "clip.avi", "drawing.svg", "font.ttf"]
