"""The content manager at admin/: Decap CMS, served from the site itself (no other host),
configured from the same schemas that check the files (schema.py), so that what it lets an
editor write is what the build reads: a collection each for articles, actors and authors,
a widget for each field, lists for sources, events, quotes, corrections and claims, and a
picker of actors (or authors) wherever a field takes their slugs.

It edits the GitHub repository named in site.yaml's admin: (signing in through the OAuth
service at auth_url), or, opened from this computer, the files themselves through Decap's
local backend (npx decap-server in the site's folder)."""

from __future__ import annotations

from pathlib import Path

import yaml

from . import schema
from .config import SiteConfig

FOLDER = "admin"
PACKAGE = "decap-cms"  # installed by `make cms` into cms/node_modules
HERE = Path(__file__).resolve().parent.parent

# a slug field's collection: what the picker lists, and what it shows of each
SHOWN = {"actors": "{{name}}", "authors": "{{name}}"}
LONG = {"summary", "bio", "description", "text", "context", "status_note", "note"}


def distribution(site_root: Path) -> Path | None:
    """The folder of Decap CMS's built files, in the site's cms/ or the generator's, or None."""
    for base in (site_root, HERE):
        folder = base / "cms" / "node_modules" / PACKAGE / "dist"
        if (folder / "decap-cms.js").is_file():
            return folder
    return None


def files(folder: Path) -> dict[str, Path]:
    """The files the admin page loads, by their path in the site: the script, the parts it
    fetches when needed, and the WebAssembly it uses."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.name == "decap-cms.js" or path.name.endswith(".decap-cms.js") or path.suffix == ".wasm":
            found[f"{FOLDER}/{path.name}"] = path
    return found


PAGE = """<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Content manager</title>
</head>
<body>
<script src="decap-cms.js"></script>
</body>
</html>
"""


def page(config: SiteConfig) -> bytes:
    return PAGE.format(language=config.language).encode("utf-8")


def _widget(name: str, node: dict, required: bool) -> dict:
    """A Decap field for a schema's property."""
    field = {"name": name, "label": name.replace("_", " ").capitalize(), "required": required}
    if node.get("description"):
        field["hint"] = node["description"]
    kind = node.get("type")
    if "x-collection" in node:
        field.update(widget="relation", collection=node["x-collection"], value_field="{{slug}}",
                     search_fields=["name"], display_fields=[SHOWN[node["x-collection"]]])
    elif kind == "array" and "x-collection" in node.get("items", {}):
        field.update(widget="relation", collection=node["items"]["x-collection"], value_field="{{slug}}",
                     search_fields=["name"], display_fields=[SHOWN[node["items"]["x-collection"]]], multiple=True)
    elif "enum" in node:
        field.update(widget="select", options=[v for v in node["enum"] if isinstance(v, str)])
    elif kind == "object":
        # Decap checks an optional object's required fields even when it is left empty, so
        # only a required object's are required here; the build names any that is missing
        field.update(widget="object", fields=_fields(node, required), collapsed=not required)
    elif kind == "array" and node["items"].get("type") == "object":
        field.update(widget="list", fields=_fields(node["items"]))
    elif kind == "array" and node["items"].get("type") == "integer":  # numbers, saved as numbers
        field.update(widget="list", field={"name": name[:-1] or name, "label": "Number", "widget": "number",
                                           "value_type": "int", "min": node["items"].get("minimum", 1)})
    elif kind == "array":
        field.update(widget="list")
    elif kind == "boolean":  # no default: Decap would start every list that holds one with an item
        field.update(widget="boolean")
    elif node is schema.DATE or node.get("pattern") == schema.DATE["pattern"]:
        field.update(widget="string", pattern=[schema.DATE["pattern"], "YYYY, YYYY-MM or YYYY-MM-DD"])
    elif name == "src":
        field.update(widget="image")
    elif node.get("description", "").startswith("Markdown"):
        field.update(widget="markdown")
    else:
        field.update(widget="text" if name in LONG else "string")
    return field


def _fields(node: dict, needed: bool = True) -> list[dict]:
    required = set(node.get("required", ())) if needed else set()
    return [_widget(name, part, name in required) for name, part in node["properties"].items()]


def _collection(name: str, label: str, folder: str, node: dict, extension: str, body: bool = False) -> dict:
    fields = _fields(node)
    identifier = "title" if any(f["name"] == "title" for f in fields) else "name"
    collection = {"name": name, "label": label, "folder": folder, "create": True, "slug": "{{slug}}",
                  "identifier_field": identifier, "extension": extension,
                  "format": "frontmatter" if body else "yaml", "fields": fields}
    if body:
        collection["fields"].append({"name": "body", "label": "Text", "widget": "markdown",
                                     "hint": "quotes must stand here word for word; [[actor-slug]] links an actor"})
    return collection


def config_yml(config: SiteConfig) -> str:
    """admin/config.yml: the backend (GitHub, or the local one from this computer), where
    pictures go, and the collections, made from the schemas."""
    admin = config.admin
    backend = {"name": "github", "repo": admin.repo or "OWNER/REPOSITORY", "branch": admin.branch}
    if admin.auth_url:
        backend["base_url"] = admin.auth_url
    article = schema.article_schema()
    article["properties"]["draft"] = {**article["properties"]["draft"]}
    data = {
        "backend": backend,
        "local_backend": True,  # used only when the page is opened from this computer
        "site_url": config.base_url,
        "media_folder": "content/media",
        "public_folder": "media",
        "collections": [
            _collection("articles", "Articles", "content/articles", article, "md", body=True),
            _collection("actors", "Actors", "content/actors", schema.actor_schema(), "yaml"),
            _collection("authors", "Authors", "content/authors", schema.author_schema(), "yaml"),
        ],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
