"""The templates a site is rendered with: its own templates/ over the default theme, file by
file; the Jinja environment over them; their static assets; and where in them a template
error lies."""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from . import structured
from .dates import display_span
from .diagnostics import Location

THEME = Path(__file__).resolve().parent.parent / "templates"


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory between builds (keyed by name and source), so that
    each build's fresh environment does not compile them again."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


def environment(site_root: Path, compiled: CompiledTemplates | None = None) -> jinja2.Environment:
    """Templates from the site's own templates/ first, then the default theme, file by file.
    A new environment for every build: template modules keep the globals they were made with.

    Templates run in Jinja's sandbox: a site's own template may read what it is given but
    cannot reach Python's internals (attributes that start with an underscore, a function's
    globals, a module) to run code, as a Hugo site cannot exec."""
    folders = template_folders(site_root)
    env = jinja2.sandbox.SandboxedEnvironment(
        bytecode_cache=compiled,
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build makes a fresh environment: its templates cannot be stale
    )
    env.filters["jsonld"] = lambda data: Markup(structured.dump_script_json(data))
    env.globals["display_span"] = display_span
    return env


def static_files(site_root: Path) -> dict[str, Path]:
    """Theme assets under templates/static/, the site's own overriding the theme's by path."""
    files: dict[str, Path] = {}
    for folder in (THEME / "static", site_root / "templates" / "static"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files["static/" + path.relative_to(folder).as_posix()] = path
    return files


def static_key(site_root: Path) -> tuple:
    """Size and time of every static asset, to notice an edited stylesheet."""
    return tuple((rel, path.stat().st_mtime_ns, path.stat().st_size) for rel, path in static_files(site_root).items())


def template_folders(site_root: Path) -> list[Path]:
    """The site's own templates/ first, when it has one that is not the theme itself."""
    own = site_root / "templates"
    if own.is_dir() and own.resolve() != THEME:
        return [own, THEME]
    return [THEME]


def theme_key(site_root: Path) -> tuple:
    """The text of every template the build can use, and whether the site has its own."""
    texts, own = [], False
    for folder in template_folders(site_root):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "static" not in path.relative_to(folder).parts:
                texts.append((str(path), path.read_bytes()))
                own = own or folder != THEME
    return tuple(texts), own


def template_file(filename: str | None, name: str | None) -> str:
    if filename:
        path = Path(filename)
        for base in (THEME.parent,):
            try:
                return path.resolve().relative_to(base).as_posix()
            except ValueError:
                pass
        parts = path.parts
        if "templates" in parts:
            return "/".join(parts[len(parts) - parts[::-1].index("templates") - 1:])
        return path.name
    return f"templates/{name}"


def runtime_location(exc: Exception, template: str) -> Location:
    """The innermost template frame of a rendering error's traceback."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith((".html", ".xml", ".txt")):
            found = Location(template_file(code.co_filename, None), tb.tb_lineno)
        tb = tb.tb_next
    return found or Location(f"templates/{template}")
