"""What the build may do to its output folder: remove only files its own manifest lists,
refuse a folder it did not make whatever that holds, and, when a build is killed while it
moves its files into place, leave a folder that the next build turns into one whole build."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import MINIMAL, ROOT, run_cli, tree_digest, write_files
from generator.build import build
from generator.write import MANIFEST

SECOND = MINIMAL["content/articles/first.md"].replace("title: First", "title: Second")

# Builds the site at argv[1] into argv[2] and dies (as kill -9 would: no clean-up runs)
# at the file operation numbered argv[3] of the commit, counting renames, deletions and
# removals of folders; exits 0 if the commit has fewer.
CRASH = """
import os, shutil, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from generator import write
from generator.build import build
limit, count, active = int(sys.argv[3]), [0], [False]
def crashing(operation):
    def run(*args, **kwargs):
        if active[0]:
            count[0] += 1
            if count[0] > limit:
                os._exit(9)
        return operation(*args, **kwargs)
    return run
for name in ("replace", "rename", "unlink", "rmdir", "remove"):
    setattr(os, name, crashing(getattr(os, name)))
shutil.rmtree = crashing(shutil.rmtree)
commit = write.Staging.commit
def crash_in_commit(self):
    active[0] = True
    return commit(self)
write.Staging.commit = crash_in_commit
build(Path(sys.argv[1]), output=Path(sys.argv[2]), search_index=False)
"""


def contents(folder):
    return {path: digest.split(":")[0] for path, digest in tree_digest(folder).items()}


def test_a_folder_with_a_nojekyll_but_no_manifest_is_refused_and_left_alone(site, tmp_path):
    """A gh-pages worktree or checkout holds a .nojekyll too; nothing in it is touched."""
    root = site()
    pages = write_files(tmp_path / "gh-pages", {".nojekyll": "", ".git/HEAD": "ref: refs/heads/gh-pages\n",
                                                "index.html": "theirs", "notes/readme.txt": "theirs"})
    before = tree_digest(pages)
    result = run_cli("build", "--site", str(root), "--output", str(pages), "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "will not write there: the output folder holds files that no build of yours wrote " \
        f"(it has no {MANIFEST})" in result.stderr
    assert tree_digest(pages) == before


def test_only_files_the_manifest_lists_are_removed(site, tmp_path):
    root = site({"content/articles/second.md": SECOND})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    write_files(out, {"notes.txt": "added by hand", "articles/extra/index.html": "added by hand"})
    (root / "content/articles/second.md").unlink()
    result = build(root, output=out)
    assert result.ok and "articles/second/index.html" in result.report.removed
    assert not (out / "articles/second").exists()
    assert (out / "notes.txt").read_text() == "added by hand"
    assert (out / "articles/extra/index.html").read_text() == "added by hand"


def test_a_manifest_listing_paths_outside_the_output_removes_nothing_there(site, tmp_path):
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    victim = write_files(tmp_path, {"victim.txt": "keep me"}) / "victim.txt"
    manifest = (out / MANIFEST).read_text().replace('"files": {', '"files": {\n"../victim.txt": "00",\n"/etc/hostname": "00",')
    (out / MANIFEST).write_text(manifest)
    assert build(root, output=out).ok
    assert victim.read_text() == "keep me"


def _crash_at_every_step(root, out, old_output):
    """Kill a build of root into out at each file operation of its commit in turn (out
    starting each time as old_output left it), then build normally: out must always be
    exactly a fresh build. The number of steps tried."""
    fresh = root.parent / "fresh"
    assert build(root, output=fresh).ok
    expected = contents(fresh)
    script = CRASH.format(root=str(ROOT))
    for step in range(500):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(out.parent / f".{out.name}.staging", ignore_errors=True)
        if old_output is not None:
            shutil.copytree(old_output, out, symlinks=True)
        run = subprocess.run([sys.executable, "-c", script, str(root), str(out), str(step)],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode in (0, 9), run.stderr
        result = build(root, output=out)
        assert result.ok, "\n".join(d.format() for d in result.diagnostics.items)
        assert contents(out) == expected, f"killed at step {step}"
        if run.returncode == 0:
            return step
    raise AssertionError("the commit never finished")


def test_a_build_killed_while_it_commits_is_completed_by_the_next(site, tmp_path):
    root = site({"content/articles/second.md": SECOND})
    old = tmp_path / "old"
    assert build(root, output=old).ok
    write_files(root, {"content/articles/third.md": SECOND.replace("title: Second", "title: Third"),
                       "content/actors/ana-lima.yaml": MINIMAL["content/actors/ana-lima.yaml"].replace("Mayor", "Governor")})
    (root / "content/articles/second.md").unlink()
    steps = _crash_at_every_step(root, tmp_path / "out", old)
    assert steps > 5  # the commit moved files, removed one and put the manifest in place


def test_a_first_build_killed_while_it_commits_is_completed_by_the_next(site, tmp_path):
    root = site()
    steps = _crash_at_every_step(root, tmp_path / "out", None)
    assert steps >= 2


def test_the_next_build_says_it_finished_an_interrupted_commit(site, tmp_path):
    root = site({"content/articles/second.md": SECOND})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    (root / "content/articles/second.md").unlink()
    run = subprocess.run([sys.executable, "-c", CRASH.format(root=str(ROOT)), str(root), str(out), "2"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 9
    result = run_cli("build", "--site", str(root), "--output", str(out), "--no-search")
    assert result.returncode == 0, result.stderr
    assert "the last build was cut short while it moved its files into place; its changes are now complete" \
        in result.stderr
    assert not (out / "articles/second").exists()


def test_an_output_folder_planted_with_a_manifest_of_its_own_is_refused(site, tmp_path):
    """An output/ committed to a repository (git add -f) or shipped in a zip, with a list of
    files that names a folder linking elsewhere: not signed with this user's key, so refused."""
    import json

    root = site()
    victim = write_files(tmp_path / "victim", {"keep.txt": "mine"})
    out = write_files(root / "output", {"evil.html": "<script>alert(1)</script>"})
    (out / "link").symlink_to(victim)
    (out / MANIFEST).write_text(json.dumps({"generator": "explainer", "files": {"link/keep.txt": "00"},
                                            "signature": "00" * 32}))
    result = run_cli("build", "--site", str(root), "--no-search")
    assert result.returncode == 1 and "is not signed with your key" in result.stderr
    assert (victim / "keep.txt").read_text() == "mine" and (out / "evil.html").exists()


def test_a_listed_path_through_a_linked_folder_is_never_removed(site, tmp_path):
    """Even in the builds' own output/, a file is removed only by its own path, never through
    a folder that has become a link."""
    root = site({"content/articles/second.md": SECOND})
    out = tmp_path / "out"
    assert build(root, output=out).ok
    victim = write_files(tmp_path / "victim", {"index.html": "mine"})
    shutil.rmtree(out / "articles/second")
    (out / "articles/second").symlink_to(victim)
    (root / "content/articles/second.md").unlink()
    assert build(root, output=out).ok
    assert (victim / "index.html").read_text() == "mine"


def test_a_planted_staging_folder_with_a_commit_is_not_finished(site, tmp_path):
    import json

    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    victim = write_files(tmp_path / "victim", {"keep.txt": "mine"})
    staging = write_files(tmp_path / ".out.staging", {".explainer-staging": ""})
    (staging / "a").symlink_to(victim)
    (staging / ".explainer-commit.json").write_text(json.dumps(
        {"generator": "explainer", "files": {"a/keep.txt": "00"}, "signature": "00" * 32}))
    result = build(root, output=out)
    assert result.ok and not any("cut short" in d.message for d in result.diagnostics.items)
    assert (victim / "keep.txt").read_text() == "mine" and not (out / "a").exists()


def test_a_staging_folder_or_output_that_is_a_link_is_refused_and_nothing_is_deleted(site, tmp_path):
    """A link committed as .output.staging (to the site itself) or as output/ would send the
    build's clearing and moving anywhere."""
    root = site({".git/HEAD": "ref: refs/heads/main\n", "notes.txt": "mine"})
    (root / ".output.staging").symlink_to(".", target_is_directory=True)
    (root / ".explainer-staging").write_text("")
    def site_files():  # the cache the build keeps for itself aside
        return {path: digest for path, digest in tree_digest(root).items() if not path.startswith(".explainer-cache/")}

    before = site_files()
    result = run_cli("build", "--site", str(root), "--no-search")
    assert result.returncode == 1 and "is a link; the build writes and deletes only in a real folder" in result.stderr
    assert site_files() == before
    (root / ".output.staging").unlink()
    victim = tmp_path / "victim"
    victim.mkdir()
    (root / "output").symlink_to(victim, target_is_directory=True)
    assert run_cli("build", "--site", str(root), "--no-search").returncode == 1
    assert run_cli("build", "--site", str(root), "--no-search").returncode == 1
    assert list(victim.iterdir()) == []


def test_without_a_key_the_list_goes_unsigned_and_builds_go_on(site, tmp_path, monkeypatch):
    """Where no key can be kept (a HOME that is a file, as on some build machines), the build
    still works, with an unsigned list that only such a machine accepts."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(write_files(tmp_path, {"afile": ""}) / "afile"))
    monkeypatch.delenv("EXPLAINER_CACHE_KEY", raising=False)
    root = site()
    out = tmp_path / "out"
    assert build(root, output=out).ok
    assert '"signature": ""' in (out / MANIFEST).read_text()
    write_files(root, {"content/articles/second.md": SECOND})
    assert build(root, output=out).ok and (out / "articles/second/index.html").exists()
    monkeypatch.setenv("EXPLAINER_CACHE_KEY", "a key after all")
    result = build(root, output=out)
    assert not result.ok and "is not signed with your key" in result.diagnostics.errors[0].message
