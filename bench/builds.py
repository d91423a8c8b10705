"""Build times and memory: cold builds by the command line in a new process, second builds
by the command line (nothing changed, and one article edited), and rebuilds inside one
process (as the preview server does them)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ".explainer-cache"
SAMPLE = 0.05  # seconds between two looks at the memory of a running build


def _tree(pid: int) -> list[int]:
    """pid and every process below it."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            pass
    return found


def _pss(pid: int) -> int:
    """The proportional set size of a process in KiB (its share of the memory it shares)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(args: list[str], sample: bool = False) -> tuple[float, float, float]:
    """Run a command: its seconds, the peak resident set of its largest process in MiB (as
    wait4 reports it), and, with sample, the peak of its processes' proportional set sizes
    added up in MiB (looked at every SAMPLE seconds, which costs time: so not in timed
    runs). Forked processes share most of their parent's memory: the first number counts
    that once per process, the second once."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    total = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG if sample else 0)
        if pid:
            break
        total = max(total, sum(_pss(p) for p in _tree(proc.pid)))
        time.sleep(SAMPLE)
    took = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{errors}")
    return took, usage.ru_maxrss / 1024, total / 1024


def cli_build(site: Path, output: Path, sample: bool = False) -> tuple[float, float, float]:
    """Seconds and memory (see run_measured) of one `python -m generator build` in a new
    process: the default build, the search index included, as `make build` and the Pages
    workflow run it."""
    return run_measured([sys.executable, "-m", "generator", "build", "--site", str(site), "--output", str(output),
                         "-q"], sample)


def cold_build(site: Path, work: Path, number: int, sample: bool = False) -> tuple[float, float, float, Path]:
    """A build with no cache into a folder never used before. Old outputs and caches are moved
    aside, not deleted, because deleting hundreds of megabytes slows the file system's next
    writes for a while on some machines; the caller deletes work at the end."""
    cache = site / CACHE
    if cache.exists():
        cache.rename(work / f"old-cache-{number}")
    output = work / f"cold-{number}"
    return (*cli_build(site, output, sample), output)


def measure(site: Path, work: Path, runs: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from generator.build import Builder

    work.mkdir(parents=True, exist_ok=True)
    cold = []
    for number in range(runs):
        took, _, _, output = cold_build(site, work, number)
        cold.append(took)
    _, largest, total, output = cold_build(site, work, runs, sample=True)
    second = [cli_build(site, output)[0] for _ in range(runs)]

    article = site / "content/articles/article-00007.md"
    original = article.read_text(encoding="utf-8")
    second_edit = []
    for i in range(runs):
        article.write_text(original.replace("\n\n", f"\n\nEdited in a new process {i}.\n\n", 1), encoding="utf-8")
        second_edit.append(cli_build(site, output)[0])
    ci_path = []  # as on a fresh runner of the Pages workflow: the cache restored, no output/ there
    for i in range(runs):
        output.rename(work / f"gone-{i}")
        article.write_text(original.replace("\n\n", f"\n\nEdited on a fresh runner {i}.\n\n", 1), encoding="utf-8")
        ci_path.append(cli_build(site, output)[0])
    article.write_text(original, encoding="utf-8")

    builder = Builder(site, output=output)
    builder.build()
    builder.files.RACY = -1
    noop, edit = [], []
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
            "second_edit": statistics.median(second_edit), "ci_path": statistics.median(ci_path), "noop": statistics.median(noop),
            "edit": statistics.median(edit), "memory": total, "largest": largest}
