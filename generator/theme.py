"""The templates a site is rendered with: its own templates/ over the default theme, file by
file; the Jinja environment over them; their static assets; and where in them a template
error lies."""

from __future__ import annotations

import types
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from . import structured
from .dates import display_in_year, display_span
from .diagnostics import Diagnostics, Location
from .load import files_under, unusable

# the default theme: templates/ beside the code in the repository, generator/templates once installed
THEME = next((p for p in (Path(__file__).resolve().parent.parent / "templates", Path(__file__).resolve().parent / "templates")
              if (p / "base.html").is_file()), Path(__file__).resolve().parent.parent / "templates")


class _Template(jinja2.Template):
    """A template whose module (what an import without context gives, made once for the
    environment) hands the reads its making made, if a recorder watches (reuse.py), to
    every render that uses it, not only the first."""

    def _get_default_module(self, ctx=None):
        recorder = self.environment.recorder
        if recorder is None or (ctx is not None and ctx.globals_keys - self.globals.keys()):
            return super()._get_default_module(ctx)  # a module made anew for this render: seen as it is made
        if self._module is None:
            with recorder.recording() as reads:
                self._module = self.make_module()
            self._made_from = frozenset(reads)
        else:
            recorder.add(getattr(self, "_made_from", ()))
        return self._module


_FORMATS = ("format", "format_map")  # the methods of a string that Jinja's sandbox wraps
_METHODS = (types.MethodType, types.BuiltinMethodType)


class _Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, remembering its answer to whether an attribute is safe for
    each type of object and name: Jinja's checks look at the object only through isinstance
    (so its type and __class__ decide), and pages ask some three hundred times each."""

    template_class = _Template

    def __init__(self, **options):
        super().__init__(**options)
        self.safe: dict[tuple, bool] = {}
        self.loading = None  # called with the name of each template loaded, imports and includes too
        self.recorder = None  # a reuse.Recorder that watches what pages read, if any

    def unsafe_undefined(self, obj, attribute: str):
        """As Jinja's, naming the object as the template sees it (a view of a dict, as a dict)."""
        return self.undefined(f"access to attribute {attribute!r} of {obj.__class__.__name__!r} object is unsafe.",
                              name=attribute, obj=obj, exc=jinja2.sandbox.SecurityError)

    def _load_template(self, name, globals):
        if self.loading is not None:
            self.loading(template_name(name))
        return super()._load_template(name, globals)

    def getattr(self, obj, attribute):
        """As Jinja's, at once for an attribute found safe before on an object of the same
        type and class (pages read some four hundred attributes each), unless its value is
        a string's format method (under any name), which Jinja's own getattr wraps."""
        if not isinstance(obj, type) and self.safe.get((type(obj), obj.__class__, attribute)):
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                return super().getattr(obj, attribute)
            if not isinstance(value, _METHODS) or value.__name__ not in _FORMATS:
                return value
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        # isinstance sees an object's __class__ too (a proxy's differs from its type); a class: as itself
        key = (type(obj), obj.__class__, attr) if not isinstance(obj, type) else (type, obj, attr)
        known = self.safe.get(key)
        if known is None:
            known = self.safe[key] = super().is_safe_attribute(obj, attr, value)
        return known


class OutsideSite(jinja2.TemplateError):
    """A template the build may not read: a link out of the site or into .git/."""

    def __init__(self, name: str, problem: str):
        super().__init__(problem)
        self.name = name


class _Loader(jinja2.FileSystemLoader):
    """Jinja's loader over the template folders, refusing files the build may not read."""

    def __init__(self, site_root: Path, folders: list[Path]):
        super().__init__([str(f) for f in folders])
        self.site_root = site_root

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        path = Path(filename)
        problem = unusable(THEME if path.is_relative_to(THEME) else self.site_root, path)
        if problem:
            raise OutsideSite(template, problem)
        return source, filename, uptodate


def environment(site_root: Path) -> jinja2.Environment:
    """Templates from the site's own templates/ first, then the default theme, file by file.
    A new environment for every build: template modules keep the globals they were made with.

    Templates run in Jinja's immutable sandbox: a site's own template may read what it is
    given but cannot reach Python's internals (attributes that start with an underscore, a
    function's globals, a module) to run code, as a Hugo site cannot exec, nor change the
    lists and mappings it is given, which every page shares."""
    folders = template_folders(site_root)
    env = _Sandbox(
        loader=_Loader(site_root, folders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build makes a fresh environment: its templates cannot be stale
    )
    env.filters["jsonld"] = lambda data: Markup(structured.dump_script_json(data))
    env.globals["display_span"] = display_span
    env.globals["display_in_year"] = display_in_year
    return env


def static_files(site_root: Path, diags: Diagnostics | None = None) -> dict[str, Path]:
    """Theme assets under templates/static/, the site's own overriding the theme's by path.
    Links that leave the site (or the theme), or lead into .git/, are reported in diags."""
    files: dict[str, Path] = {}
    for base, folder in ((THEME, THEME / "static"), (site_root, site_root / "templates" / "static")):
        for path in files_under(base, folder, diags if base is site_root else None):
            files["static/" + path.relative_to(folder).as_posix()] = path
    return files


def template_folders(site_root: Path) -> list[Path]:
    """The site's own templates/ first, when it has one that is not the theme itself."""
    own = site_root / "templates"
    if own.is_dir() and own.resolve() != THEME:
        return [own, THEME]
    return [THEME]


def template_name(name: str) -> str:
    """A template's name as the loader takes it apart: './a//b.html' is 'a/b.html'."""
    try:
        return "/".join(jinja2.loaders.split_template_path(name))
    except jinja2.TemplateNotFound:
        return name


def theme_key(site_root: Path) -> tuple:
    """The name and text of every template the build can use, the site's own first, and
    whether the site has its own. (A file the build may not read is left out here; the
    loader reports it when it is used.)"""
    texts, own = [], False
    for folder in template_folders(site_root):
        for path in files_under(site_root if folder != THEME else THEME, folder, None):
            name = path.relative_to(folder)
            if "static" not in name.parts:
                try:
                    texts.append((name.as_posix(), path.read_bytes()))
                except OSError:
                    continue
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


TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


def runtime_location(exc: Exception, template: str) -> Location:
    """The innermost template frame of a rendering error's traceback."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(TEMPLATE_SUFFIXES):
            found = Location(template_file(code.co_filename, None), tb.tb_lineno)
        tb = tb.tb_next
    return found or Location(f"templates/{template}")


GENERATOR = Path(__file__).resolve().parent


def raised_in_template(exc: Exception) -> bool:
    """Whether exc is the template's doing: raised by the template's code or by Jinja's and
    Python's on its behalf, not by the generator's own code that the template called."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is None or not Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(GENERATOR)
