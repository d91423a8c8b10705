"""One folder per invalid input under tests/invalid/: the base site with the case's files laid
over it must fail with exactly the messages in the case's expected.txt, and leave output/ alone."""

import json
import re
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


def expected_reports(name: str) -> list[dict]:
    """The case's expected.txt read back: each report's file, line, column, severity, message and hint."""
    reports = []
    for line in (CASES / name / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("  hint: "):
            reports[-1]["hint"] = line[len("  hint: "):]
            continue
        match = re.match(r"^(.+?)(?::(\d+))?(?::(\d+))?: (error|warning): (.*)$", line)
        if match:
            file, row, column, severity, message = match.groups()
            reports.append({"file": file, "line": int(row) if row else None, "column": int(column) if column else None,
                            "severity": severity, "message": message, "hint": None})
    return reports


def workflow_command(report: dict, prefix: str) -> str:
    """A report as GitHub's documentation spells an annotation, escaped as it says."""
    def escape(text, prop=False):
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    where = f"file={escape(prefix + report['file'], True)}"
    if report["line"]:
        where += f",line={report['line']}" + (f",col={report['column']}" if report["column"] else "")
    body = report["message"] + (f"\n  hint: {report['hint']}" if report["hint"] else "")
    return f"::{report['severity']} {where}::{escape(body)}"


@pytest.mark.parametrize("name", NAMES)
def test_invalid_input_is_annotated_for_github_and_reported_as_json(name, tmp_path):
    root = lay_out(name, tmp_path / "site")
    reports = expected_reports(name)
    assert reports
    result = run_cli("check", "--site", "site", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [workflow_command(r, "site/") for r in reports]
    result = run_cli("check", "--site", str(root), "--format", "json", cwd=root)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["diagnostics"] == reports
    assert (data["errors"], data["warnings"]) == (sum(r["severity"] == "error" for r in reports),
                                                  sum(r["severity"] == "warning" for r in reports))
