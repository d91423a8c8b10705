"""One folder per invalid input under tests/invalid/: the base site with the case's files laid
over it must fail with exactly the messages in the case's expected.txt, and leave output/ alone."""

import shutil
from pathlib import Path

import pytest

from conftest import run_cli, tree_digest

CASES = Path(__file__).parent / "invalid"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def lay_out(name: str, root: Path) -> Path:
    shutil.copytree(CASES / "_base", root)
    shutil.copytree(CASES / name, root, dirs_exist_ok=True)
    (root / "expected.txt").unlink()
    return root


def test_the_base_site_is_valid(tmp_path):
    result = run_cli("check", "--site", str(shutil.copytree(CASES / "_base", tmp_path / "s")))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", NAMES)
def test_invalid_input_is_reported_exactly(name, tmp_path):
    root = lay_out(name, tmp_path / "site")
    result = run_cli("check", "--site", str(root))
    assert result.returncode == 1
    assert result.stderr == (CASES / name / "expected.txt").read_text(encoding="utf-8")
    assert not (root / "output").exists()


@pytest.mark.parametrize("name", NAMES)
def test_invalid_input_leaves_the_last_good_output(name, tmp_path):
    root = shutil.copytree(CASES / "_base", tmp_path / "site")
    assert run_cli("build", "--site", str(root)).returncode == 0
    before = tree_digest(root / "output")
    shutil.copytree(CASES / name, root, dirs_exist_ok=True)
    result = run_cli("build", "--site", str(root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith("Nothing was written; output/ is as it was.\n")
    assert tree_digest(root / "output") == before
