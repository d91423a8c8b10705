"""The preview server for real: a subprocess on a free port, raw HTTP, and headless Chromium
watching pages reload after edits on disk."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from conftest import ROOT, run_cli, tree_digest
from generator.handlers import WAIT_AT_MOST
from tools.browser import chromium_path, launch


class Server:
    """`python -m generator serve` in a subprocess; its output is collected as it comes."""

    def __init__(self, site: Path, *args: str, hold: Path | None = None):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        command = ["-m", "generator", "serve"] if hold is None else [str(ROOT / "tests/held_serve.py"), str(hold)]
        self.proc = subprocess.Popen([sys.executable, *command, "--site", str(site), "--port", "0", *args],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
        assert ready.wait(300) and self.url, "\n".join(self.lines)
        parts = self.url.split("/", 3)
        self.host, self.port = parts[2].split(":")[0], int(parts[2].split(":")[1])
        self.prefix = "/" + parts[3]

    def raw(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """GET path exactly as written, with no normalisation by the client; headers
        (Host among them) instead of the client's own."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = headers or {}
        conn.putrequest("GET", path, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            if value is not None:
                conn.putheader(name, value)
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
        return self.proc.wait(60)


@pytest.fixture
def demo_site(demo_copy):
    return demo_copy


@pytest.fixture
def server(demo_site):
    running = Server(demo_site)
    yield running
    running.stop()


def wait_for(predicate, timeout=60.0):
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
        port = running.port
        for host in [f"127.0.0.1:{port}", f"192.0.2.7:{port}", f"localhost:{port}", f"{socket.gethostname()}:{port}"]:
            assert running.raw(running.prefix, {"Host": host})[0] == 200, host
        for host in [f"evil.example:{port}", "192.0.2.7", f"192.0.2.7:{port + 1}"]:
            assert running.raw(running.prefix, {"Host": host})[0] == 403, host
    finally:
        running.stop()


def test_a_request_that_names_another_host_is_refused(server):
    """A page on another site that points its name at this computer (DNS rebinding) sends
    its own name as the Host: it must not read the preview, nor anything else of it."""
    port = server.port
    for host in ["evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", f"127.0.0.1:{port + 1}",
                 "127.0.0.1", f"localhost:{port}@evil.example", ""]:
        for path in [server.prefix, "/", "/livereload.js", "/livereload"]:
            status, headers, body = server.raw(path, {"Host": host})
            assert b"<html" not in body and b"Russia" not in body and b"LiveReload" not in body
            if "@" in host:  # tornado itself refuses it as a bad request
                assert status == 400, (host, path, status)
                continue
            assert status == 403, (host, path, status)
            assert headers["content-type"].startswith("text/plain") and b"answers only at" in body
    assert server.raw(server.prefix, {"Host": None})[0] == 400  # no Host at all: tornado refuses it
    for host in [f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"]:
        status, _, body = server.raw(server.prefix, {"Host": host})
        assert status == 200 and b"<title>Russia, China and the war in Ukraine</title>" in body, host


def upgrade(server: Server, origin: str | None, *extra: str) -> int:
    """The status with which the preview answers a request to open the live-reload WebSocket."""
    lines = ["GET /livereload HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
             *([f"Origin: {origin}"] if origin is not None else []), *extra]
    with socket.create_connection((server.host, server.port), timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(1024)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_live_reload_answers_only_the_previews_own_pages(server):
    port = server.port
    for origin in ["http://evil.example", f"http://evil.example:{port}", "null", f"https://127.0.0.1:{port}",
                   f"http://127.0.0.1:{port + 1}", "http://127.0.0.1"]:
        assert upgrade(server, origin) == 403, origin
    assert upgrade(server, "http://evil.example", "Sec-Fetch-Site: same-origin") == 403
    for origin in [f"http://127.0.0.1:{port}", f"http://localhost:{port}", None]:
        assert upgrade(server, origin) == 101, origin


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
        styles = []  # the type each copy of the stylesheet came in
        page.on("response", lambda r: r.url.endswith("/style.css") and styles.append(r.headers.get("content-type")))
        page.goto(server.url + "articles/us-warns-china-before-rome-talks/")
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector.protocol", timeout=30000)
        for i in range(6):  # six edits a second apart: each one shows, none is dropped
            marker = f"Edit number {i} is on the page."
            path.write_text(good.replace("## The warning", f"## The warning\n\n{marker}"))
            page.wait_for_function(f"() => document.body.innerText.includes({marker!r})", timeout=15000)
            # and styled: the reloaded page's stylesheet, served while the rest is built, is one
            page.wait_for_function("() => [...document.styleSheets].some(s => s.cssRules.length > 0)", timeout=15000)
            time.sleep(1.0 if i % 2 else 0.5)
        assert len(styles) >= 7 and set(styles) == {"text/css"}
        path.write_text(good.replace("title: \"What", "title: \"What\" broken \"", 1))
        page.wait_for_selector("#explainer-errors", timeout=15000)
        assert f"{ARTICLE}:2:" in page.locator("#explainer-errors").inner_text()
        path.write_text(good)
        page.wait_for_function("() => !document.getElementById('explainer-errors')", timeout=15000)
        assert page.locator("h1").inner_text() == "What Washington told Beijing before the Rome talks"
        browser.close()


@needs_browser
def test_the_preview_search_finds_what_was_just_saved(server, demo_site):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    edit(demo_site / ARTICLE, "## The warning", "## The warning\n\nA quincunx of harbour cranes.")
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()

        def found():  # the index is refreshed in the background once saves pause: look again until it is
            page.goto(server.url + "search/?q=quincunx")
            try:  # a page that loaded the list of parts just before they were replaced waits in vain
                page.wait_for_function("() => document.querySelector('.pagefind-ui__message')"  # "No results" or how many
                                       " || document.getElementById('search').textContent.includes('missing')",
                                       timeout=10000)  # or no index yet
            except PlaywrightTimeout:
                return False
            links = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
            return any(link.endswith("articles/us-warns-china-before-rome-talks/") for link in links)

        assert wait_for(found, timeout=120), server.lines
        browser.close()


def test_a_save_during_a_long_rebuild_starts_the_next_one_at_once(tmp_path):
    """A rebuild of every page (the site's title changed) is given up when another save comes,
    and one rebuild then shows both saves; pages wait for it (or, after a few seconds, say it is
    under way) rather than show the old site."""
    from bench.corpus import write_corpus

    site = write_corpus(1000, tmp_path / "corpus")
    running = Server(site)
    try:
        page = running.prefix + "articles/article-00007/"
        before = running.count("Rebuilt in")
        edit(site / "site.yaml", "title: Benchmark explainer", "title: Benchmark explainer, retitled")
        assert wait_for(lambda: (site / ".output.staging").exists(), timeout=120), running.lines  # under way
        path = site / "content/articles/article-00007.md"
        path.write_text(path.read_text().replace("\n\n", "\n\nA second save.\n\n", 1))
        answers = []

        def rebuilt() -> bool:  # each request waits for the rebuild, or is told it is under way
            answers.append(running.raw(page))
            return answers[-1][0] == 200

        assert wait_for(rebuilt, timeout=180), running.lines
        for status, _, body in answers:  # never the old page
            if status == 503:
                assert b'id="explainer-rebuilding"' in body and b"Benchmark explainer" not in body, running.lines
            else:
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
    assert wait_for(lambda: (site / ".output.staging").exists(), timeout=120), running.lines
    assert running.stop(signal.SIGTERM) == 0, running.lines
    assert not (site / ".output.staging").exists(), running.lines
    assert tree_digest(site / "output") == before and running.count("Rebuilt in") == 0, running.lines
    assert "Stopped." in running.lines[-1]
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", ["a(b", "c++", "a*", "café", "caf%C3%A9", "caf%c3%a9", "新闻/2024", "a[1]", "x%2Fy"])
def test_the_site_is_served_at_any_path_its_base_url_has(site, path):
    """base_url's path is compared as a path, percent-decoded, never read as a pattern: the
    preview starts, answers at the path and sends the rest of the computer's paths there."""
    root = site({"site.yaml": f"title: Tiny\nbase_url: https://example.org/{path}/\n"})
    running = Server(root)
    try:
        prefix = running.prefix
        assert prefix.isascii() and unquote(prefix) == f"/{unquote(path)}/"
        for page in ["", "articles/first/", "actors/ana-lima/"]:
            status, headers, body = running.raw(prefix + page)
            assert status == 200 and b"Ana Lima" in body, (page, status, headers)
        escaped = "/".join("".join(f"%{byte:02X}" for byte in unquote(part).encode()) for part in path.split("/"))
        as_browsers_write = "/".join(quote(unquote(part), safe="()+*[]") for part in path.split("/"))
        for variant in [escaped, escaped.lower(), as_browsers_write]:
            assert running.raw(f"/{variant}/articles/first/")[0] == 200, variant
        for outside in ["/", prefix.rstrip("/"), "/elsewhere/articles/first/"]:
            status, headers, _ = running.raw(outside)
            assert status == 302 and headers["location"] == prefix, (outside, status)
        assert running.raw("/" + quote(path.replace("/", "-")) + "-more/")[0] == 302
        assert not any("Traceback" in line for line in running.lines), running.lines
    finally:
        running.stop()


@pytest.fixture
def held(site, tmp_path):
    """A tiny site's preview whose rebuilds wait while a file exists (see held_serve.py):
    (server, site root, that file)."""
    root = site()
    hold = tmp_path / "hold"
    running = Server(root, hold=hold)
    yield running, root, hold
    hold.unlink(missing_ok=True)
    running.stop()


def holding(hold: Path) -> int:
    """How many builds have waited on hold so far."""
    try:
        return int(hold.with_suffix(".held").read_text())
    except (FileNotFoundError, ValueError):
        return 0


PAGE = "articles/first/"


def test_a_request_during_a_long_rebuild_is_told_so_never_given_the_old_page(held):
    running, root, hold = held
    page = running.prefix + PAGE
    assert b"We will build it." in running.raw(page)[2]
    hold.write_text("")  # until removed
    edit(root / "content/articles/first.md", "said:", "said again:")
    assert wait_for(lambda: holding(hold) == 1), running.lines
    status, headers, body = running.raw(page)
    assert status == 503 and int(headers["retry-after"]) > 0 and "no-store" in headers["cache-control"]
    assert b'id="explainer-rebuilding"' in body and b'http-equiv="refresh"' in body
    assert b"/livereload.js?port=" in body and body.index(b"livereload.js") < body.index(b"</head>")
    assert b"We will build it." not in body and b"Ana Lima" not in body
    status, headers, body = running.raw(running.prefix + "static/style.css")
    assert status == 503 and headers["content-type"].startswith("text/plain") and "retry-after" in headers

    # many waiting at once are each answered in WAIT_AT_MOST: none waits for a thread to be free
    answers = []
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: answers.append(running.raw(page))) for _ in range(48)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 48 and all(status == 503 for status, _, _ in answers)
    assert time.monotonic() - started < 5 * WAIT_AT_MOST  # a pool of a few threads would take 16 times

    hold.unlink()
    assert wait_for(lambda: b"said again:" in running.raw(page)[2], timeout=30), running.lines
    assert running.raw(page)[0] == 200


def test_a_stream_of_saves_still_lets_a_rebuild_finish(held):
    running, root, hold = held
    path = root / "content/articles/first.md"
    good = path.read_text()
    hold.write_text("2")  # each rebuild takes two seconds, unless given up for a newer save
    saving = threading.Event()
    saves = []

    def save():
        while not saving.wait(0.15):  # faster than a rebuild: each save would give up the last
            saves.append(len(saves))
            path.write_text(good.replace("said:", f"said (save {saves[-1]}):"))

    saver = threading.Thread(target=save)
    saver.start()
    try:
        assert wait_for(lambda: running.count("Rebuilt in") >= 1, timeout=60), running.lines
        assert running.count("A newer save came") >= 1 and running.count("Saves keep coming") >= 1
    finally:
        saving.set()
        saver.join()
    last = f"said (save {saves[-1]}):".encode()
    assert wait_for(lambda: last in running.raw(running.prefix + PAGE)[2], timeout=60), running.lines


def test_ctrl_c_during_a_long_rebuild_stops_at_once(held):
    """The build under way gives up at once, and no request waiting for it holds the exit."""
    running, root, hold = held
    hold.write_text("")
    edit(root / "content/articles/first.md", "said:", "said again:")
    assert wait_for(lambda: holding(hold) == 1), running.lines

    def ask() -> None:
        try:
            running.raw(running.prefix + PAGE)
        except (OSError, http.client.HTTPException):  # the preview closed while it waited
            pass

    waiting = [threading.Thread(target=ask, daemon=True) for _ in range(12)]
    for thread in waiting:
        thread.start()
    time.sleep(0.3)  # for the requests to reach the server
    started = time.monotonic()
    assert running.stop(signal.SIGINT) == 0, running.lines
    assert time.monotonic() - started < 10, running.lines  # it takes a few hundredths
    assert running.lines[-1] == "Stopped." and not any("Traceback" in line for line in running.lines)
    assert not (root / ".output.staging").exists()


@needs_browser
def test_a_page_told_the_site_is_being_rebuilt_shows_the_new_page_when_it_is_built(held):
    from playwright.sync_api import sync_playwright

    running, root, hold = held
    hold.write_text("")
    edit(root / "content/articles/first.md", "said:", "said again:")
    assert wait_for(lambda: holding(hold) == 1), running.lines
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        response = page.goto(running.url + PAGE)
        assert response.status == 503 and page.locator("#explainer-rebuilding").count() == 1
        hold.unlink()
        page.wait_for_function("() => document.body.innerText.includes('said again:')", timeout=60000)
        assert page.locator("#explainer-rebuilding").count() == 0
        browser.close()


def test_the_preview_frees_what_builds_set_aside_between_saves_and_never_lets_it_grow_unbounded(tmp_path):
    """The preview sets what its builds hold aside from Python's collector (serve._set_aside);
    the cycles they leave are freed once saves pause after many builds, after a long pause
    after any, and after COLLECT_AT_MOST builds even if saves never pause."""
    from generator import serve

    preview = serve.Preview(tmp_path, drafts=True)
    now = time.monotonic()
    cases = [  # (builds since the last collection, seconds since the last build ended, due)
        (0, 3600, False),
        (1, 1, False),
        (1, serve.COLLECT_LONG_IDLE, True),
        (serve.COLLECT_AFTER, 0.5, False),
        (serve.COLLECT_AFTER, serve.COLLECT_IDLE, True),
        (serve.COLLECT_AT_MOST, 0, True),
    ]
    for builds, idle, due in cases:
        preview.uncollected, preview.built_at = builds, now - idle
        assert preview._collect_due() is due, (builds, idle)
