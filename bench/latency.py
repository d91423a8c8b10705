"""Save-to-page latency of the preview server, measured in headless Chromium.

For each edit: write the article with a new marker sentence, then time until the open page
shows it (the server notices, rebuilds, tells the browser to reload, the browser loads).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _start(site: Path):
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "PATH": "/usr/bin:/bin"})
    url, lines = None, []
    for line in proc.stdout:
        lines.append(line)
        match = re.search(r"Serving on (\S+)", line)
        if match:
            url = match.group(1)
            break
    if url is None:
        raise RuntimeError("the server did not start:\n" + "".join(lines))
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, url


def measure(site: Path, article: str, page_path: str, edits: int = 20, gap: float = 0.6) -> list[float]:
    """Seconds from each save to the page showing it."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tools.browser import launch

    path = site / article
    original = path.read_text(encoding="utf-8")
    head, sep, body = original.partition("\n---\n")
    proc, url = _start(site)
    times = []
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(url + page_path)
            page.wait_for_function("() => window.LiveReload && window.LiveReload.connector.protocol", timeout=30000)
            for i in range(edits):
                marker = f"Benchmark edit {i} saved."
                path.write_text(f"{head}{sep}{marker}\n\n{body}", encoding="utf-8")
                saved = time.time()
                page.wait_for_function(f"() => document.body && document.body.innerText.includes({marker!r})",
                                       timeout=30000, polling=5)
                # the page's own clock: when the new document first painted its content
                loaded = page.evaluate("""() => new Promise(done => {
                    const paint = () => performance.getEntriesByName('first-contentful-paint')[0];
                    const finish = () => done(performance.timeOrigin + paint().startTime);
                    if (paint()) { finish(); return; }
                    new PerformanceObserver(() => { if (paint()) finish(); }).observe({type: 'paint', buffered: true});
                })""") / 1000
                times.append(loaded - saved)
                time.sleep(gap)
            browser.close()
    finally:
        path.write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(15)
    return times


def summary(times: list[float]) -> dict:
    return {"runs": len(times), "median": statistics.median(times), "worst": max(times), "best": min(times)}


def demo_site(work: Path) -> Path:
    site = work / "demo"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", site)
    shutil.copytree(ROOT / "content", site / "content")
    return site
