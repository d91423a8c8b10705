"""The JSON Schemas of the content files agree with the reader: the fields the reader accepts
at each place of each kind of file are the schema's properties there, the files in the
repository are the ones the code makes, and real files pass (and mistakes fail) a JSON
Schema validator, as an editor's YAML extension would find them."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import ROOT, run_cli
from generator import model, schema
from generator.build import build
from generator.yamlio import split_front_matter
from generator.diagnostics import Diagnostics

HARBOUR = ROOT / "tests" / "sites" / "harbour"

# Every place a field can stand that neither the demo nor the test site fills
EVERYTHING = {
    "site.yaml": ("title: Tiny\nbase_url: https://example.org/tiny/\nimage: {src: https://example.org/a.png, alt: A}\n"
                  "admin: {repo: newsroom/explainer, branch: main, auth_url: https://auth.example.org}\n"),
    "content/articles/full.md": (
        "---\ntitle: Full\ndate: 2024-05-06\nsources:\n  - {publisher: Wire, url: https://example.org/, "
        "date: 2024-05-06, title: T}\n"
        "quotes:\n  - speaker: ana-lima\n    text: \"We will build it.\"\n"
        "    source: {publisher: Wire, url: https://example.org/s, date: 2024-05-06, title: S}\n"
        "    status: disputed\n    status_note: Doubted.\n"
        "    status_source: {publisher: Wire, url: https://example.org/d, date: 2024-05-06, title: D}\n"
        "claims:\n  - id: c\n    claim: It is cheap.\n    asserted_by: [ana-lima]\n"
        "    evidence: {quotes: [1], sources: [{publisher: Wire, url: https://example.org/e, date: 2024-05-06, "
        "title: E}]}\n    status: [{date: 2024-05-06, verdict: unconfirmed, note: N}]\n---\n\n"
        "[[ana-lima]] said: \u201cWe will build it.\u201d\n"),
    "content/authors/eve.yaml": "name: Eve\nlinks: {wikipedia: https://en.wikipedia.org/wiki/Eve, "
                                "wikidata: Q1, website: https://example.org/, twitter: https://example.org/t}\n",
}


def kind_of(file: str) -> str:
    return ("site" if file == "site.yaml" else "actor" if file.startswith("content/actors/")
            else "author" if file.startswith("content/authors/") else "article")


def at(node: dict, path: tuple) -> dict:
    """The part of a schema that describes what stands at path (a number: an item of a list)."""
    for step in path:
        node = node["items"] if isinstance(step, int) else node["properties"][step]
    return node


def places(node: dict, path=()) -> set[tuple]:
    """Every place in a schema where an object's fields are described, items as '*'."""
    found = set()
    if node.get("type") == "object":
        found.add(path)
        for name, part in node["properties"].items():
            found |= places(part, path + (name,))
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        found |= places(node["items"], path + ("*",))
    return found


def test_the_reader_and_the_schemas_agree_on_every_field_everywhere(site, monkeypatch, tmp_path):
    seen = []
    real = model.Fields.__init__

    def recording(self, doc, diags, path, known, what):
        seen.append((doc.file, tuple(path), tuple(known)))
        real(self, doc, diags, path, known, what)

    monkeypatch.setattr(model.Fields, "__init__", recording)
    roots = [ROOT, HARBOUR, site(EVERYTHING)]
    for root in roots:
        assert build(root, write=False).ok, root
    made = {kind: make() for kind, make in schema.KINDS.items()}
    visited = {kind: set() for kind in made}
    for file, path, known in seen:
        kind = kind_of(file)
        assert set(at(made[kind], path)["properties"]) == set(known), (file, path)
        visited[kind].add(tuple("*" if isinstance(step, int) else step for step in path))
    for kind, node in made.items():
        assert places(node) <= visited[kind], (kind, places(node) - visited[kind])  # every part was compared


def test_a_field_the_reader_gains_stops_the_schema_until_it_is_described(monkeypatch):
    monkeypatch.setattr(model, "ACTOR_FIELDS", (*model.ACTOR_FIELDS, "colour"))
    with pytest.raises(KeyError, match="colour"):
        schema.schemas()


def test_the_schemas_in_the_repository_are_the_ones_the_code_makes(tmp_path):
    shipped = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / schema.FOLDER).glob("*.json")}
    assert shipped == schema.schemas(), "run: .venv/bin/explainer schema"
    written = run_cli("schema", "--output", str(tmp_path / "out"))
    assert written.returncode == 0, written.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()} == shipped


def documents(root: Path):
    """(kind, file, data) of every YAML document of a site: site.yaml, actors, authors and front matter."""
    yield "site", "site.yaml", yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    for folder, kind in (("actors", "actor"), ("authors", "author")):
        for path in sorted((root / "content" / folder).glob("*.yaml")):
            yield kind, path.name, yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted((root / "content/articles").glob("*.md")):
        front = split_front_matter(path.read_text(encoding="utf-8"), path.name, Diagnostics())
        yield "article", path.name, yaml.safe_load(front.yaml_text)


def plain(data):
    """YAML's dates as the text they were written as (a validator sees JSON's types)."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data.isoformat() if hasattr(data, "isoformat") else data


@pytest.mark.parametrize("root", [ROOT, HARBOUR], ids=["demo", "harbour"])
def test_real_files_pass_a_json_schema_validator(root):
    made = {kind: json.loads(text) for kind, text in
            ((name.split(".")[0], text) for name, text in schema.schemas().items())}
    checked = 0
    for kind, file, data in documents(root):
        problems = [e.message for e in jsonschema.Draft202012Validator(made[kind]).iter_errors(plain(data))]
        assert problems == [], (file, problems)
        checked += 1
    assert checked >= 5


def test_mistakes_fail_the_validator_as_an_editor_would_see_them():
    actor = json.loads(schema.schemas()["actor.schema.json"])
    validator = jsonschema.Draft202012Validator(actor)
    assert not validator.is_valid({"name": "Ana", "kind": "persn"})
    assert not validator.is_valid({"name": "Ana"})  # no kind
    assert not validator.is_valid({"name": "Ana", "kind": "person", "colour": "red"})
    assert not validator.is_valid({"name": "Ana", "kind": "person", "affiliations": ["Not A Slug"]})
    assert validator.is_valid({"name": "Ana", "kind": "person", "affiliations": ["ana-lima"]})


def test_new_actor_and_author_files_point_the_editor_at_the_schema(site):
    root = site()
    assert run_cli("new", "actor", "Bo Chen", "--kind", "person", "--site", str(root)).returncode == 0
    text = (root / "content/actors/bo-chen.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/actor.schema.json\n")
    assert (root / "content/actors" / "../../schemas").resolve() == (root / "schemas").resolve()
    assert run_cli("new", "author", "Eve Tan", "--site", str(root)).returncode == 0
    author = root / "content/authors/eve-tan.yaml"
    assert author.read_text().startswith("# yaml-language-server: $schema=../../schemas/author.schema.json\n")
    assert run_cli("check", "--site", str(root)).returncode == 0
    assert (ROOT / "site.yaml").read_text().startswith("# yaml-language-server: $schema=schemas/site.schema.json\n")
