"""The README's first steps, followed from a fresh clone by tools/newcomer.sh, end with the
editor's own first article in the preview, marked as the draft it is."""

import os
import re
import signal
import subprocess
import urllib.request

from conftest import ROOT

SCRIPT = ROOT / "tools" / "newcomer.sh"


def test_every_step_the_script_takes_is_written_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    steps = re.findall(r"# README: (.+)$", SCRIPT.read_text(encoding="utf-8"), re.M)
    assert len(steps) >= 5
    for step in steps:
        assert step.strip() in readme, step


def test_a_newcomer_gets_from_a_fresh_clone_to_their_own_article_in_the_preview(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    done = subprocess.run(["sh", str(SCRIPT), str(ROOT), str(tmp_path)], capture_output=True, text=True,
                          timeout=1200, env=env)
    clone = tmp_path / "explainer"
    pid_file = clone / "serve.pid"
    try:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "1 draft left out: check with --drafts to include it." in done.stdout  # make check said why
        address = done.stdout.strip().splitlines()[-1]
        assert address.startswith("http://127.0.0.1:") and address.endswith("/harbour/articles/russia-asks-china-for-aid/")
        with urllib.request.urlopen(address, timeout=120) as response:
            page = response.read().decode("utf-8")
        assert "<strong>DRAFT</strong>" in page
        assert "<h1>Russia asks China for aid</h1>" in page
        assert '<span class="passage" id="quote-1">We said what we said.</span>' in page
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)  # a job started by sh ignores SIGINT
