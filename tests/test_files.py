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
    build_fails(root, "content/media/git: error: this folder links into .git/")
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
