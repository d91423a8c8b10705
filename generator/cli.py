"""The command line: parses the arguments, prints a command's diagnostics and picks its exit code
(the preview, serve.py, prints those of its rebuilds itself)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
import traceback
import unicodedata
from pathlib import Path

from . import __version__
from .build import build
from .diagnostics import Diagnostics
from .model import KINDS, SLUG
from .schema import schema_line

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

DESCRIPTION = """\
Build a news explainer: a page for every article and actor, a timeline and a
"who said what" quote index, from Markdown articles and YAML actor files.

Run it in your explainer's folder (the one with site.yaml and content/).
"""

EPILOG = """\
examples:
  explainer build                 build the site into output/
  explainer check                 find mistakes without writing anything
  explainer serve                 preview the site, drafts included, rebuilt on every save
  explainer new article "Russia asks China for aid"
  explainer new actor "Zhao Lijian" --kind person

(in the project's folder after make build: .venv/bin/explainer, or make build, make serve)

exit status: 0 done, 1 mistakes in the content (each shown as file:line:column),
2 the command itself was mistyped, 3 the generator itself failed (a bug: please report it).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="explainer", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    def format_option(p):
        p.add_argument("--format", choices=FORMATS, default="text",
                       help="how to print mistakes: text (default); github, as GitHub Actions annotations "
                            "that a pull request shows on the line; json, one object for other tools")

    def site_option(p):
        p.add_argument("--site", default=".", metavar="DIR",
                       help="the explainer's folder, with site.yaml and content/ (default: this folder)")

    p = commands.add_parser("build", help="build the whole site into output/",
                            description="Check everything, then build the site. Nothing is written "
                                        "when there is a mistake: output/ stays as it was.")
    site_option(p)
    p.add_argument("--output", metavar="DIR", help="where to put the site (default: output/ in the site folder)")
    p.add_argument("--base-url", metavar="URL",
                   help="the address the site will have, instead of base_url in site.yaml")
    p.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    p.add_argument("--no-search", action="store_true", help="skip building the search index")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    format_option(p)

    p = commands.add_parser("check", help="find mistakes in the content; write nothing",
                            description="Read and check every file as a build would, and write nothing.")
    site_option(p)
    p.add_argument("--drafts", action="store_true", help="check drafts as if published")
    format_option(p)

    p = commands.add_parser("serve", help="preview the site with live reload",
                            description="Build, serve the site on this computer and rebuild on every save. "
                                        "Drafts are shown, each marked DRAFT; --no-drafts hides them as the "
                                        "published site does.")
    site_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)")
    p.add_argument("--no-drafts", action="store_true", help="leave drafts out, as the published site does")
    p.add_argument("--drafts", action="store_true", help=argparse.SUPPRESS)  # the default now; kept for old scripts
    p.add_argument("--open", action="store_true", help="open the site in the web browser")

    p = commands.add_parser("schema", help="write the JSON Schemas of the content files",
                            description="Write JSON Schemas of site.yaml, actor and author files and an "
                                        "article's front matter, for editors that check YAML as you type.")
    site_option(p)
    p.add_argument("--output", metavar="DIR", help="where to write them (default: schemas/ in the site folder)")

    p = commands.add_parser("new", help="start a new article or actor file",
                            description="Write a new article or actor file with every field ready to fill in.")
    kinds = p.add_subparsers(dest="what", metavar="WHAT")
    kinds.required = True
    q = kinds.add_parser("article", help="a new article, as a draft",
                         description="Write content/articles/<slug>.md: front matter with every field ready to "
                                     "fill in, marked draft: true (the preview shows it; a build leaves it out "
                                     "until you delete that line).",
                         epilog='example: explainer new article "Russia asks China for aid"')
    site_option(q)
    q.add_argument("title", help="the article's title; the file name is made from it")
    q.add_argument("--slug", help="the file name (and web address) to use instead of one made from the title")
    q = kinds.add_parser("actor", help="a new actor: a person, country, organisation or group",
                         description="Write content/actors/<slug>.yaml with the actor's name and kind and the "
                                     "other fields ready to fill in. Articles then refer to the actor by slug.",
                         epilog='example: explainer new actor "Zhao Lijian" --kind person')
    site_option(q)
    q.add_argument("title", metavar="name", help="the actor's name; the file name is made from it")
    q.add_argument("--kind", choices=KINDS, help="person, country, organisation, group or other (required)")
    q.add_argument("--slug", help="the file name to use instead of one made from the name")
    q = kinds.add_parser("author", help="a new author, for articles' bylines",
                         description="Write content/authors/<slug>.yaml with the author's name and the other "
                                     "fields ready to fill in. Articles name their authors by slug in authors:.",
                         epilog='example: explainer new author "Maria Okafor"')
    site_option(q)
    q.add_argument("title", metavar="name", help="the author's name; the file name is made from it")
    q.add_argument("--slug", help="the file name to use instead of one made from the name")
    return parser


FORMATS = ("text", "github", "json")


def print_diagnostics(diags: Diagnostics, stream=None, form: str = "text", site: Path | None = None) -> None:
    """Each diagnostic, in order: as text on stderr, or as GitHub workflow commands or one
    JSON object on stdout (for a tool to read), with paths from the current folder."""
    prefix = _prefix(site)
    if form == "json":
        found = diags.sorted()
        print(json.dumps({"diagnostics": [d.data(prefix) for d in found],
                          "errors": sum(d.severity == "error" for d in found),
                          "warnings": sum(d.severity == "warning" for d in found)}, ensure_ascii=False),
              file=stream or sys.stdout)
        return
    for diagnostic in diags.sorted():
        if form == "github":
            print(diagnostic.github(prefix), file=stream or sys.stdout)
        else:
            print(diagnostic.format(), file=stream or sys.stderr)


def _prefix(site: Path | None) -> str:
    """The site's folder as paths from the current folder begin ('' for this one)."""
    if site is None:
        return ""
    try:
        relative = Path(os.path.relpath(site.resolve(), Path.cwd())).as_posix()
    except ValueError:  # another drive
        relative = site.resolve().as_posix()
    return "" if relative == "." else relative.rstrip("/") + "/"


def counted(number: int, noun: str) -> str:
    """'1 article', '2 articles', '1 entry', '3 entries'."""
    plural = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _warned(diags: Diagnostics) -> str:
    warnings = len(diags.warnings)
    return f", {counted(warnings, 'warning')}" if warnings else ""


def _summary(diags: Diagnostics, output: str | None) -> str:
    tail = f" Nothing was written; {output} is as it was." if output else ""
    return f"{counted(len(diags.errors), 'error')}{_warned(diags)}.{tail}"


def _drafts(left_out: int, command: str) -> str:
    if not left_out:
        return ""
    them = "it" if left_out == 1 else "them"
    return f" {counted(left_out, 'draft')} left out: {command} with --drafts to include {them}."


def cmd_build(args) -> int:
    site = Path(args.site)
    started = time.perf_counter()
    output = Path(args.output) if args.output else None
    result = build(site, output=output, base_url=args.base_url, drafts=args.drafts, search_index=not args.no_search)
    print_diagnostics(result.diagnostics, form=args.format, site=site if args.format != "text" else None)
    if not result.ok:
        print(_summary(result.diagnostics, f"{args.output.rstrip('/')}/" if args.output else "output/"),
              file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        report = result.report
        where = output or site / "output"
        warned = len(result.diagnostics.warnings)
        print(f"Built {counted(len(result.paths), 'file')} into {where}/ in {time.perf_counter() - started:.2f} s "
              f"({len(report.written)} written, {len(report.removed)} removed, {report.unchanged} unchanged)"
              f"{'; ' + counted(warned, 'warning') if warned else ''}.{_drafts(result.drafts_left_out, 'build')}",
              file=sys.stderr if args.format == "json" else sys.stdout)  # json: stdout holds the one object
    return EXIT_OK


def cmd_check(args) -> int:
    result = build(Path(args.site), drafts=args.drafts, write=False)
    print_diagnostics(result.diagnostics, form=args.format, site=Path(args.site) if args.format != "text" else None)
    if args.format == "json":
        return EXIT_OK if result.ok else EXIT_CONTENT
    if not result.ok:
        print(_summary(result.diagnostics, None), file=sys.stderr)
        return EXIT_CONTENT
    index = result.index
    print(f"No errors{_warned(result.diagnostics)}: {counted(len(index.articles), 'article')}, "
          f"{counted(len(index.actors), 'actor')}, {counted(len(index.events), 'event')}, "
          f"{counted(len(index.quotes), 'quote')}.{_drafts(result.drafts_left_out, 'check')}")
    return EXIT_OK


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cmd_new(args) -> int:
    site = Path(args.site)
    slug = args.slug or slugify(args.title)
    if not slug or not SLUG.match(slug):
        print(f"error: cannot make a file name from '{args.title}'\n  hint: pass --slug, "
              "e.g. --slug xi-jinping (lower-case letters, digits and hyphens)", file=sys.stderr)
        return EXIT_USAGE
    if args.what == "actor":
        if not args.kind:
            print("error: an actor needs --kind\n  hint: add --kind person (or country, organisation, group, other)",
                  file=sys.stderr)
            return EXIT_USAGE
        path = site / "content" / "actors" / f"{slug}.yaml"
        text = (schema_line("actor", 2) + f"name: {_yaml_text(args.title)}\nkind: {args.kind}\n"
                "role: \"\"                # one line, e.g. Spokesperson, Chinese foreign ministry\n"
                "affiliations: []          # slugs of other actors, e.g. [china]\n"
                "aliases: []               # other names the text uses\n"
                "summary: |\n  Who they are, in a sentence or two of Markdown.\n"
                "links: {}                 # e.g. {wikipedia: https://en.wikipedia.org/wiki/..., wikidata: Q...}\n")
    elif args.what == "author":
        path = site / "content" / "authors" / f"{slug}.yaml"
        text = (schema_line("author", 2) + f"name: {_yaml_text(args.title)}\n"
                "role: \"\"                # one line, e.g. Diplomatic correspondent\n"
                "bio: |\n  Who they are, in a sentence or two of Markdown.\n"
                "links: {}                 # e.g. {website: https://..., twitter: https://...}\n")
    else:
        path = site / "content" / "articles" / f"{slug}.md"
        today = dt.date.today().isoformat()
        text = (f"---\ntitle: {_yaml_text(args.title)}\ndate: {today}\ndraft: true\n"
                "summary: \"\"\nsources: []\n#  - publisher: Name of the outlet\n#    url: https://...\n"
                "actors: []\nevents: []\n#  - date: YYYY-MM-DD\n#    title: What happened\n#    actors: []\n"
                "quotes: []\n#  - speaker: actor-slug\n#    text: \"Exactly as in the text below\"\n"
                "#    context: Where and when it was said\n---\n\nWrite the explainer here. "
                "Link to an actor's page with `[[actor-slug]]` or `[[actor-slug|the name as shown]]`.\n")
    if path.exists():
        other = (f"edit that file, or give this {args.what} another name or --slug" if args.what != "article"
                 else "edit that file, or choose another title or --slug")
        print(f"error: {path} already exists\n  hint: {other}", file=sys.stderr)
        return EXIT_USAGE
    if not (site / "content").is_dir():
        print(f"error: {site.resolve()} has no content/ folder\n  hint: run this in your explainer's folder, "
              "or pass --site DIR", file=sys.stderr)
        return EXIT_USAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if args.what == "article":
        print(f"Created {path}, a draft: the preview (explainer serve) shows it, marked DRAFT; builds and "
              "check leave it out until you delete its line 'draft: true' (or pass --drafts).")
    elif args.what == "author":
        print(f"Created {path}; articles name this author in their byline with authors: [{slug}].")
    else:
        print(f"Created {path}; articles refer to this actor as {slug}, e.g. [[{slug}]].")
    return EXIT_OK


def cmd_schema(args) -> int:
    from . import schema

    folder = Path(args.output) if args.output else Path(args.site) / schema.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in schema.schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"Wrote {folder / name}")
    return EXIT_OK


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(Path(args.site), host=args.host, port=args.port, drafts=not args.no_drafts, open_browser=args.open)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"build": cmd_build, "check": cmd_check, "new": cmd_new, "schema": cmd_schema, "serve": cmd_serve}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug of ours: say so in a line, not a traceback
        if os.environ.get("EXPLAINER_TRACEBACK"):
            raise
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"error: the generator failed: {type(exc).__name__}: {exc} "
              f"(at {Path(frame.filename).name}:{frame.lineno})\n"
              "  hint: this is a bug in the generator, not in your content; output/ is as the last "
              "good build left it. Please report it with the output of the same command run with "
              "EXPLAINER_TRACEBACK=1", file=sys.stderr)
        return EXIT_BUG
