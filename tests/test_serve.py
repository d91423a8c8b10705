"""The preview server for real: a subprocess on a free port, raw HTTP, and headless Chromium
watching pages reload after edits on disk."""

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, tree_digest
from tools.browser import chromium_path, launch


class Server:
    """`python -m generator serve` in a subprocess; its output is collected as it comes."""

    def __init__(self, site: Path, *args: str):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0",
                                      *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines: list[str] = []
        self.url = None
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                match = re.match(r"Serving on (http://\S+)$", line.strip())
                if match:
                    self.url = match.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(30) and self.url, "\n".join(self.lines)
        parts = self.url.split("/", 3)
        self.host, self.port = parts[2].split(":")[0], int(parts[2].split(":")[1])
        self.prefix = "/" + parts[3]

    def raw(self, path: str) -> tuple[int, dict, bytes]:
        """GET path exactly as written, with no normalisation by the client."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def stop(self, sig=signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(15)


@pytest.fixture
def demo_site(demo_copy):
    return demo_copy


@pytest.fixture
def server(demo_site):
    running = Server(demo_site)
    yield running
    running.stop()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ARTICLE = "content/articles/us-warns-china-before-rome-talks.md"


def test_serves_the_site_under_its_base_path(server):
    assert server.url.startswith("http://127.0.0.1:") and server.prefix == "/russia-china-aid/"
    status, headers, body = server.raw("/russia-china-aid/")
    assert status == 200 and b"<title>Russia, China and the war in Ukraine</title>" in body
    assert b"/livereload.js?port=" in body and body.index(b"livereload.js") < body.index(b"</head>")
    assert "no-store" in headers["cache-control"] and "etag" not in headers
    status, headers, _ = server.raw("/")
    assert status == 302 and headers["location"] == "/russia-china-aid/"
    status, headers, _ = server.raw("/russia-china-aid/static/style.css")
    assert status == 200 and "no-store" in headers["cache-control"]
    status, _, body = server.raw("/russia-china-aid/no/such/page/")
    assert status == 404 and b"Page not found" in body


@pytest.mark.parametrize("path", [
    "/russia-china-aid/../site.yaml", "/russia-china-aid/%2e%2e/site.yaml", "/russia-china-aid/..%2fsite.yaml",
    "/russia-china-aid/%2E%2E%2F%2E%2E%2Fetc/passwd", "/russia-china-aid/..%5csite.yaml",
    "/russia-china-aid/..\\site.yaml", "/russia-china-aid/static/../../site.yaml", "/russia-china-aid/leak.txt",
    "/russia-china-aid/leak.html", "/russia-china-aid/leak-dir/passwd", "/../../etc/passwd",
])
def test_nothing_outside_the_output_folder_is_served(server, demo_site, path):
    output = demo_site / "output"
    (output / "leak.txt").symlink_to(demo_site / "site.yaml")
    (output / "leak.html").symlink_to(demo_site / "site.yaml")
    (output / "leak-dir").symlink_to("/etc")
    status, _, body = server.raw(path)
    assert status in (302, 403, 404), (path, status)
    assert b"base_url" not in body and b"root:" not in body


def test_an_edit_to_an_actor_reaches_every_page_that_shows_the_actor(server, demo_site):
    edit(demo_site / "content/actors/liu-pengyu.yaml", "name: Liu Pengyu", "name: Liu Pengyu (刘鹏宇)")
    pages = ["actors/liu-pengyu/", "articles/russia-asks-china-for-aid/", "quotes/", "actors/china/"]

    def shown():
        return all("Liu Pengyu (刘鹏宇)" in server.raw(server.prefix + p)[2].decode() for p in pages)

    assert wait_for(shown), server.lines


def test_a_burst_of_saves_gives_one_rebuild(server, demo_site):
    before = server.count("Rebuilt in")
    path = demo_site / ARTICLE
    text = path.read_text()
    for i in range(6):  # as fast as an editor's "save all" or a git checkout
        path.write_text(text.replace("## The warning", f"## The warning\n\nSave {i}."))
    assert wait_for(lambda: server.count("Rebuilt in") > before)
    time.sleep(0.5)
    assert server.count("Rebuilt in") == before + 1
    assert b"Save 5." in server.raw(server.prefix + "articles/us-warns-china-before-rome-talks/")[2]


def test_broken_content_shows_errors_then_recovers_and_the_server_lives_on(server, demo_site):
    path = demo_site / ARTICLE
    good = path.read_text()
    path.write_text(good.replace("speaker: jake-sullivan", "speaker: jake-sulivan", 1))
    assert wait_for(lambda: server.raw(server.prefix)[0] == 500)
    status, _, body = server.raw(server.prefix + "timeline/")
    assert status == 500 and b"quote speaker &#x27;jake-sulivan&#x27; is not a known actor" in body
    assert f"{ARTICLE}:".encode() in body and b"did you mean" in body
    assert any("jake-sulivan" in line for line in server.lines)
    path.write_text(good)
    assert wait_for(lambda: server.raw(server.prefix)[0] == 200)
    assert server.proc.poll() is None


def test_ctrl_c_stops_cleanly(demo_site):
    running = Server(demo_site)
    assert running.stop(signal.SIGINT) == 0
    assert running.lines[-1] == "Stopped."
    assert not any("Traceback" in line for line in running.lines)


def test_listening_beyond_this_computer_warns(demo_site):
    running = Server(demo_site, "--host", "0.0.0.0")
    try:
        assert any(line.startswith("WARNING: listening on 0.0.0.0") for line in running.lines)
    finally:
        running.stop()


needs_browser = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                                   reason="no chromium here: apt-get install chromium (CI installs it)")


@needs_browser
def test_the_browser_reloads_on_every_save(server, demo_site):
    from playwright.sync_api import sync_playwright

    path = demo_site / ARTICLE
    good = path.read_text()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(server.url + "articles/us-warns-china-before-rome-talks/")
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector.protocol", timeout=10000)
        for i in range(6):  # six edits a second apart: each one shows, none is dropped
            marker = f"Edit number {i} is on the page."
            path.write_text(good.replace("## The warning", f"## The warning\n\n{marker}"))
            page.wait_for_function(f"() => document.body.innerText.includes({marker!r})", timeout=5000)
            time.sleep(1.0 if i % 2 else 0.5)
        path.write_text(good.replace("title: \"What", "title: \"What\" broken \"", 1))
        page.wait_for_selector("#explainer-errors", timeout=5000)
        assert f"{ARTICLE}:2:" in page.locator("#explainer-errors").inner_text()
        path.write_text(good)
        page.wait_for_function("() => !document.getElementById('explainer-errors')", timeout=5000)
        assert page.locator("h1").inner_text() == "What Washington told Beijing before the Rome talks"
        browser.close()


def test_a_save_during_a_long_rebuild_starts_the_next_one_at_once(tmp_path):
    """A rebuild of every page (the site's title changed) is given up when another save comes,
    and one rebuild then shows both saves; pages wait for it rather than show the old site."""
    from bench.corpus import write_corpus

    site = write_corpus(1000, tmp_path / "corpus")
    running = Server(site)
    try:
        page = running.prefix + "articles/article-00007/"
        before = running.count("Rebuilt in")
        edit(site / "site.yaml", "title: Benchmark explainer", "title: Benchmark explainer, retitled")
        time.sleep(0.5)
        path = site / "content/articles/article-00007.md"
        path.write_text(path.read_text().replace("\n\n", "\n\nA second save.\n\n", 1))
        status, _, body = running.raw(page)  # waits for the rebuild, never the old page
        assert status == 200 and b"A second save." in body and b"retitled" in body, running.lines
        assert running.count("A newer save came") >= 1, running.lines
        assert wait_for(lambda: running.count("Rebuilt in") == before + 1), running.lines
    finally:
        running.stop()


def test_closing_the_preview_during_a_rebuild_leaves_output_and_no_staging(tmp_path):
    """The rebuild under way gives up at its next page and clears its staging folder before
    the preview exits, so the next build or preview starts cleanly."""
    from bench.corpus import write_corpus

    site = write_corpus(1000, tmp_path / "corpus")
    running = Server(site)
    before = tree_digest(site / "output")
    edit(site / "site.yaml", "title: Benchmark explainer", "title: Benchmark explainer, retitled")
    assert wait_for(lambda: (site / ".output.staging").exists(), timeout=10), running.lines
    assert running.stop(signal.SIGTERM) == 0, running.lines
    assert not (site / ".output.staging").exists(), running.lines
    assert tree_digest(site / "output") == before and running.count("Rebuilt in") == 0, running.lines
    assert "Stopped." in running.lines[-1]
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
