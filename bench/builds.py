"""Build times and memory: cold builds by the command line in a new process, a second build
by the command line, and rebuilds inside one process (as the preview server does them)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_measured(args: list[str]) -> tuple[float, float]:
    """Run a command; its seconds and its own peak memory in MiB (wait4 gives that child's
    resource use, not the maximum over all children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{errors}")
    return took, usage.ru_maxrss / 1024


def cli_build(site: Path, output: Path) -> tuple[float, float]:
    """Seconds and peak memory (MiB) of one `python -m generator build` in a new process."""
    return run_measured([sys.executable, "-m", "generator", "build", "--site", str(site), "--output", str(output),
                         "--no-search", "-q"])


def measure(site: Path, work: Path, runs: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from generator.build import Builder

    output = work / "out"
    cold, memory = [], []
    for _ in range(runs):
        shutil.rmtree(output, ignore_errors=True)
        took, peak = cli_build(site, output)
        cold.append(took)
        memory.append(peak)
    second = [cli_build(site, output)[0] for _ in range(runs)]

    builder = Builder(site, output=output)
    builder.build()
    builder.files.RACY = -1
    noop, edit = [], []
    article = site / "content/articles/article-00007.md"
    original = article.read_text(encoding="utf-8")
    for i in range(runs):
        started = time.perf_counter()
        builder.build()
        noop.append(time.perf_counter() - started)
        article.write_text(original.replace("\n\n", f"\n\nEdited paragraph {i}.\n\n", 1), encoding="utf-8")
        started = time.perf_counter()
        result = builder.build()
        edit.append(time.perf_counter() - started)
        assert result.ok and "articles/article-00007/index.html" in result.report.written
    article.write_text(original, encoding="utf-8")
    return {"cold": statistics.median(cold), "second": statistics.median(second),
            "noop": statistics.median(noop), "edit": statistics.median(edit), "memory": max(memory)}
