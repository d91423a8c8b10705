"""The content manager at admin/ (Decap CMS, self-hosted): its configuration follows the
schemas, it is there only when site.yaml turns it on, and an editor who has never seen a
YAML file writes an article with a quote through it, in a real browser, against Decap's own
local backend; the build that follows passes and shows the quote marked in the text."""

import json
import re
import shutil
import socket
import subprocess
from urllib.parse import urlsplit

import yaml

from conftest import ROOT
from generator import cms, schema
from generator.build import build
from tools.sitehttp import SiteServer

SERVER = ROOT / "cms" / "node_modules" / ".bin" / "decap-server"
BASE = ROOT / "tests" / "invalid" / "_base"  # a small site: two actors, one article


def cms_site(tmp_path):
    root = shutil.copytree(BASE, tmp_path / "site")
    site_yaml = root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "admin: {repo: newsroom/explainer}\n")
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_configuration_offers_every_field_the_schemas_have(tmp_path):
    assert cms.distribution(ROOT), "make test installs Decap CMS (make cms)"
    out = tmp_path / "out"
    assert build(cms_site(tmp_path), output=out).ok
    config = yaml.safe_load((out / "admin/config.yml").read_text())
    assert config["backend"] == {"name": "github", "repo": "newsroom/explainer", "branch": "main"}
    collections = {c["name"]: c for c in config["collections"]}
    for name, kind in (("articles", "article"), ("actors", "actor"), ("authors", "author")):
        made = schema.KINDS[kind]()

        def compare(fields, node, where):
            assert [f["name"] for f in fields if f["name"] != "body"] == list(node["properties"]), where
            for field in fields:
                part = node["properties"].get(field["name"])
                if part is None:
                    continue
                inner = part.get("items", part)
                if "x-collection" in inner:
                    assert (field["widget"], field["collection"]) == ("relation", inner["x-collection"]), field
                elif field["widget"] in ("list", "object") and "fields" in field:
                    compare(field["fields"], inner, where + "." + field["name"])
        compare(collections[name]["fields"], made, name)
    claim = next(f for f in collections["articles"]["fields"] if f["name"] == "claims")
    evidence = next(f for f in claim["fields"] if f["name"] == "evidence")
    numbers = next(f for f in evidence["fields"] if f["name"] == "quotes")  # saved as numbers, not text
    assert (numbers["field"]["widget"], numbers["field"]["value_type"]) == ("number", "int")
    quote = next(f for f in collections["articles"]["fields"] if f["name"] == "quotes")
    speaker = next(f for f in quote["fields"] if f["name"] == "speaker")
    assert (speaker["widget"], speaker["collection"], speaker["value_field"]) == ("relation", "actors", "{{slug}}")
    assert (out / "admin/index.html").read_text().count("<script") == 1
    assert (out / "admin/decap-cms.js").stat().st_size > 1_000_000  # the script itself, from this site
    assert "admin/" not in (out / "sitemap.xml").read_text()


def test_the_admin_page_is_off_unless_site_yaml_turns_it_on(tmp_path):
    out = tmp_path / "out"
    assert build(shutil.copytree(BASE, tmp_path / "site"), output=out).ok
    assert not (out / "admin").exists()


def test_a_site_with_the_admin_on_and_no_cms_installed_is_told_how(tmp_path, monkeypatch):
    monkeypatch.setattr(cms, "distribution", lambda root: None)
    root = cms_site(tmp_path)
    assert build(root, write=False).ok  # a check (the pre-commit hook's, a pull request's) needs no CMS
    result = build(root, output=tmp_path / "out")
    assert [d.format() for d in result.diagnostics.errors] == [
        "site.yaml: error: 'admin' turns on the content manager, which is not installed\n"
        "  hint: run make cms (it installs Decap CMS into cms/node_modules), or remove 'admin'"]


def test_an_article_with_a_quote_written_in_the_cms_builds_and_shows(tmp_path, browser):
    assert SERVER.exists(), "make test installs decap-server (make cms)"
    root = cms_site(tmp_path)
    out = root / "output"
    assert build(root).ok
    port = free_port()
    # the page finds the local backend where this test starts it
    config = out / "admin/config.yml"
    config.write_text(config.read_text().replace("local_backend: true\n",
                                                 f"local_backend:\n  url: http://localhost:{port}/api/v1\n"))
    backend = subprocess.Popen([str(SERVER)], cwd=root, env={"PATH": "/usr/bin:/bin", "PORT": str(port),
                               "GIT_REPO_DIRECTORY": str(root), "MODE": "fs"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in backend.stdout:  # wait until it listens
            if "listening on port" in line:
                break
        with SiteServer(out, "/base/") as url:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            hosts = set()
            page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
            page.goto(url.replace("127.0.0.1", "localhost") + "admin/")
            page.get_by_role("button", name="Login").click()
            page.locator("a[href='#/collections/articles/new']").click()  # "＋ Articles"
            page.locator("input[id^='title-field']").first.fill("The ferry vote")
            page.locator("input[id^='date-field']").first.fill("2024-06-20")
            page.get_by_role("button", name="Add sources").click()
            page.locator("input[id^='publisher-field']:visible").first.fill("Example Wire")
            page.get_by_role("button", name="Add quotes").click()
            page.locator("input[id^='speaker-field']:visible").first.fill("Zhao")
            page.get_by_text("Zhao Lijian", exact=True).click()  # the actor picker's choice
            page.locator("textarea[id^='text-field']:visible").first.fill("We said what we said.")
            page.locator("[data-slate-editor='true']").last.click()
            page.keyboard.type('Zhao Lijian said: "We said what we said."')
            page.get_by_role("button", name="Publish").first.click()
            page.get_by_text("Publish now").click()
            page.wait_for_url(re.compile(r"/entries/the-ferry-vote$"))  # saved: the entry has its address
            page.close()
        assert hosts == {"localhost"}  # the manager and everything it loads come from this site
    finally:
        backend.terminate()
        backend.wait(timeout=60)
    written = root / "content/articles/the-ferry-vote.md"
    assert written.exists(), sorted(p.name for p in (root / "content/articles").iterdir())
    front = yaml.safe_load(written.read_text().split("---")[1])
    assert front["quotes"] == [{"speaker": "zhao-lijian", "text": "We said what we said."}]
    result = build(root)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    html = (out / "articles/the-ferry-vote/index.html").read_text()
    assert '<span class="passage" id="quote-1">We said what we said.</span>' in html
    data = json.loads((out / "data/explainer.json").read_text())
    assert any(q["article"] == "the-ferry-vote" and q["speaker"] == "zhao-lijian" for q in data["quotes"])
