"""The command line: parses the arguments, prints a command's diagnostics and picks its exit code
(the preview, serve.py, prints those of its rebuilds itself)."""

from __future__ import annotations

import argparse
import datetime as dt
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

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

DESCRIPTION = """\
Build a news explainer: a page for every article and actor, a timeline and a
"who said what" quote index, from Markdown articles and YAML actor files.

Run it in your explainer's folder (the one with site.yaml and content/).
"""

EPILOG = """\
examples:
  python -m generator build                 build the site into output/
  python -m generator check                 find mistakes without writing anything
  python -m generator new article "Russia asks China for aid"
  python -m generator new actor "Zhao Lijian" --kind person

exit status: 0 done, 1 mistakes in the content (each shown as file:line:column),
2 the command itself was mistyped, 3 the generator itself failed (a bug: please report it).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="explainer", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

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

    p = commands.add_parser("check", help="find mistakes in the content; write nothing",
                            description="Read and check every file as a build would, and write nothing.")
    site_option(p)
    p.add_argument("--drafts", action="store_true", help="check drafts as if published")

    p = commands.add_parser("serve", help="preview the site with live reload",
                            description="Build, serve the site on this computer and rebuild on every save.")
    site_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)")
    p.add_argument("--drafts", action="store_true", help="include drafts")
    p.add_argument("--open", action="store_true", help="open the site in the web browser")

    p = commands.add_parser("new", help="start a new article or actor file",
                            description="Write a new file with every field ready to fill in.")
    site_option(p)
    p.add_argument("what", choices=["article", "actor"], help="what to create")
    p.add_argument("title", help="the article's title or the actor's name")
    p.add_argument("--kind", choices=KINDS, help="for an actor: person, country, organisation, group or other")
    p.add_argument("--slug", help="the file name (and web address) to use instead of one made from the title")
    return parser


def print_diagnostics(diags: Diagnostics, stream=None) -> None:
    for diagnostic in diags.sorted():
        print(diagnostic.format(), file=stream or sys.stderr)


def _summary(diags: Diagnostics, output: str | None) -> str:
    errors = len(diags.errors)
    noun = "error" if errors == 1 else "errors"
    tail = f" Nothing was written; {output} is as it was." if output else ""
    return f"{errors} {noun}.{tail}"


def cmd_build(args) -> int:
    site = Path(args.site)
    started = time.perf_counter()
    output = Path(args.output) if args.output else None
    result = build(site, output=output, base_url=args.base_url, drafts=args.drafts, search_index=not args.no_search)
    print_diagnostics(result.diagnostics)
    if not result.ok:
        print(_summary(result.diagnostics, f"{args.output.rstrip('/')}/" if args.output else "output/"),
              file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        report = result.report
        where = output or site / "output"
        print(f"Built {len(result.paths)} files into {where}/ in {time.perf_counter() - started:.2f} s "
              f"({len(report.written)} written, {len(report.removed)} removed, {report.unchanged} unchanged).")
    return EXIT_OK


def cmd_check(args) -> int:
    result = build(Path(args.site), drafts=args.drafts, write=False)
    print_diagnostics(result.diagnostics)
    if not result.ok:
        print(_summary(result.diagnostics, None), file=sys.stderr)
        return EXIT_CONTENT
    index = result.index
    print(f"No errors: {len(index.articles)} articles, {len(index.actors)} actors, "
          f"{len(index.events)} events, {len(index.quotes)} quotes.")
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
        text = (f"name: {_yaml_text(args.title)}\nkind: {args.kind}\n"
                "role: \"\"                # one line, e.g. Spokesperson, Chinese foreign ministry\n"
                "affiliations: []          # slugs of other actors, e.g. [china]\n"
                "aliases: []               # other names the text uses\n"
                "summary: |\n  Who they are, in a sentence or two of Markdown.\n"
                "links: {}                 # e.g. {wikipedia: https://en.wikipedia.org/wiki/..., wikidata: Q...}\n")
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
        print(f"error: {path} already exists\n  hint: choose another title or --slug", file=sys.stderr)
        return EXIT_USAGE
    if not (site / "content").is_dir():
        print(f"error: {site.resolve()} has no content/ folder\n  hint: run this in your explainer's folder, "
              "or pass --site DIR", file=sys.stderr)
        return EXIT_USAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"Created {path}")
    return EXIT_OK


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(Path(args.site), host=args.host, port=args.port, drafts=args.drafts, open_browser=args.open)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"build": cmd_build, "check": cmd_check, "new": cmd_new, "serve": cmd_serve}
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
