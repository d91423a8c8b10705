"""Read a site's source files from disk: no interpretation beyond bytes to text, and the
checks of what a file is before it is read or published (where it lies, what kind of file
it is, whether a media file could run script, an image's size)."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

import PIL.Image

from . import yamlio
from .diagnostics import Diagnostics, Location

ARTICLE_SUFFIXES = (".md", ".markdown")
ACTOR_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Source:
    """One source file: its path relative to the site root, its text and a content hash.
    text is None for a file the build did not read, knowing its digest already (the
    command-line build's, for an article: build.OneShot._read_file)."""

    rel: str
    text: str | None
    digest: str


@dataclass(frozen=True)
class SiteSources:
    root: Path
    config: Source | None
    articles: tuple[Source, ...]
    actors: tuple[Source, ...]
    authors: tuple[Source, ...]
    media: tuple[tuple[str, Path], ...]  # (path under media/, absolute file) to copy as is


def inside(root: Path, path: Path) -> bool:
    """True when path, with every symlink resolved, lies inside root."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return False
    return True


LINK_HINT = "copy the file into the site instead of linking to it"
LARGEST_SOURCE = 4 * 2 ** 20  # bytes of an article or actor file: ten times the longest real article


# The real place of each folder a build has looked in, from the start of reading the site
# (read_site empties it): a file that is not itself a link is its folder's real place and its
# name, so that ten thousand files cost ten thousand lstat calls, not one per part of each path.
_REAL_FOLDERS: dict[str, str] = {}


def _real_folder(folder: str) -> str:
    found = _REAL_FOLDERS.get(folder)
    if found is None:
        found = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    return found


def relative(root: Path | str, path: Path | str) -> str:
    """path (under root) relative to root, with forward slashes: a source's name."""
    name, base = os.fspath(path), os.fspath(root)
    rel = name[len(base) + 1:] if name.startswith(base + os.sep) else os.path.relpath(name, base)
    return rel.replace(os.sep, "/")


def _absolute(path: str) -> str:
    """path from the root of the file system, as written: not normalised, since a '..' after
    a link leads from where the link leads (realpath follows it), not from the link."""
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def _real(path: str) -> str:
    """os.path.realpath(path), its folders' real places taken from what this build found."""
    path = _absolute(path)
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    return os.path.join(_real_folder(folder), name)


def _misplaced(root: Path, path: Path | str, what: str) -> str | None:
    """Why the build may not take the file or folder at path, by where it is or leads: out
    of the site, into .git/ (which holds the repository's settings and, on a CI runner, its
    access token), or to a hidden file or folder (.env and the like) by a link."""
    real, base = _real(os.fspath(path)), _real_folder(_absolute(os.fspath(root)))
    if real == base:
        parts: list[str] = []
    elif real.startswith(base.rstrip(os.sep) + os.sep):
        parts = real[len(base.rstrip(os.sep)) + 1:].split(os.sep)
    else:
        return f"this {what} is a link to a place outside the site"
    if any(part.lower() == ".git" for part in (*parts, *relative(root, path).split("/"))):
        return f"this {what} is in .git/ or links there, and nothing from .git/ is read or published"
    if any(part.startswith(".") for part in parts):
        return f"this {what} links to a hidden file or folder, which is never read or published"
    return None


def unusable(root: Path, path: Path | str, info: os.stat_result | None = None) -> str | None:
    """Why the build may not read or publish the file at path, if it may not: where it is
    or leads (_misplaced), or that it is not a regular file (a named pipe would block the
    build). info: what os.stat(path) just gave, if the caller has it."""
    problem = _misplaced(root, path, "file")
    if problem:
        return problem
    try:
        if not stat.S_ISREG((info or os.stat(path)).st_mode):
            return "this is not a regular file (a pipe, a device or a socket), so it cannot be read"
    except OSError as exc:
        return f"cannot read the file: {exc.strerror}"
    return None


def files_under(root: Path, folder: Path, diags: Diagnostics | None) -> list[Path]:
    """The files under folder, hidden ones left out, in name order, by way of links that stay
    inside root (each folder once, so a link loop ends); every file or folder that cannot
    be used is reported in diags, when given, at its path relative to root."""
    found: list[Path] = []
    seen: set[str] = set()

    def report(path: str, problem: str) -> None:
        if diags is not None:
            diags.error(Location(Path(path).relative_to(root).as_posix()), problem, LINK_HINT)

    def walk(path: str) -> None:
        real = os.path.realpath(path)
        if real in seen:
            return
        seen.add(real)
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            report(path, f"cannot read the folder: {exc.strerror}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                problem = _misplaced(root, entry.path, "folder")
                if problem:
                    report(entry.path, problem)
                else:
                    walk(entry.path)
                continue
            problem = unusable(root, entry.path)
            if problem:
                report(entry.path, problem)
            else:
                found.append(Path(entry.path))

    if folder.is_dir():
        walk(os.fspath(folder))
    return found


# What content/media/ may publish: pictures, sound, video, documents and data that a
# browser shows, plays or downloads but never runs as a page on the site's address. Anything
# else (a page, a script, XML, a file with no suffix, which the preview would serve as a
# page) is refused. SVG is a picture that may carry script: see active_svg.
MEDIA_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .webp .avif .svg .ico .bmp .tif .tiff .heic "
    ".mp3 .m4a .aac .oga .ogg .opus .wav .flac .mp4 .m4v .webm .ogv .mov .vtt .srt "
    ".avi .mpg .mpeg .pdf .txt .csv .tsv .json .geojson .parquet .ics .zip .doc .docx .xls .xlsx .ppt .pptx "
    ".rtf .odt .ods .odp .odg .epub .woff .woff2 .ttf .otf".split())
# What an operating system leaves in a folder of pictures: not the site's, passed over.
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})
SVG = "{http://www.w3.org/2000/svg}"
_SVG_ACTIVE_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_SVG_URL_ATTRIBUTES = {"href", "src", "from", "to", "values", "by", "action", "formaction"}
_XHTML = "{http://www.w3.org/1999/xhtml}"  # HTML inside an SVG runs as HTML does
_INSTRUCTION = re.compile(r"<\?xml-stylesheet", re.I)  # a stylesheet, which may be a program (XSLT)
_PICTURE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);", re.I)  # a picture inside an <image>


def active_media(path: Path) -> str | None:
    """Why a media file could run script in a reader's browser, or is not media, if so."""
    suffix = path.suffix.lower()
    if suffix not in MEDIA_SUFFIXES:
        return (f"a {suffix or 'file without a suffix'} is not a picture, sound, video or document that media/ "
                "publishes (pages, scripts and XML would run on the site's address)")
    if suffix == ".svg":
        return active_svg(path)
    return None


def active_svg(path: Path) -> str | None:
    """Why an SVG image could run script, if it could: a script, a foreign object, HTML
    elements, an event handler, a script address, an animation that changes
    a link, a processing instruction (a stylesheet can be a program) or a DOCTYPE. Elements
    of other namespaces (an editor's metadata) are inert and allowed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot read the file: {exc.strerror}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "the SVG is not UTF-8 text; export it again as UTF-8"
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return "the SVG has a DOCTYPE or entities, which are not published"
    if _INSTRUCTION.search(text):  # before the root too, where the parser would not keep one
        return "the SVG asks for a stylesheet (<?xml-stylesheet?>), which could be a program that runs script"
    try:
        root = etree.fromstring(data)
    except etree.ParseError as exc:
        return f"the SVG is not well-formed XML ({exc})"
    if root.tag != SVG + "svg":
        return "the file is not an SVG image (its root is not an <svg> element in SVG's namespace)"
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if str(element.tag).startswith(_XHTML) or tag in _SVG_ACTIVE_TAGS:
            return f"the SVG holds a <{tag}> element, which could run script"
        for name, value in element.attrib.items():
            name = name.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                return f"the SVG has an event handler ({name}), which runs script"
            plain = "".join(value.split()).lower()
            picture = tag == "image" and name == "href" and _PICTURE_DATA.match(plain)
            if name in _SVG_URL_ATTRIBUTES and not picture and ("javascript:" in plain or "data:" in plain
                                                                 or "vbscript:" in plain):
                return f"the SVG's {name} is a script or data address"
            if tag in ("set", "animate") and name == "attributename" and plain.endswith("href"):
                return "the SVG animates a link's address, which could make it run script"
    return None


def image_size(path: Path) -> tuple[int, int] | None:
    """An image file's width and height in pixels, read from its header (Pillow reads
    PNG, JPEG, GIF, WebP, AVIF and more without decoding the picture); None for a file it
    does not know, such as an SVG or a PDF."""
    try:
        with PIL.Image.open(path) as picture:
            return picture.size
    except (OSError, ValueError, PIL.Image.DecompressionBombError, SyntaxError):
        return None


def file_key(info: os.stat_result) -> tuple:
    """What a save changes of a file: its times, size and inode."""
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def read_text(root: Path, path: Path | str, diags: Diagnostics) -> Source | None:
    """A source file's text, checked: inside the site, not too big, UTF-8, no control characters."""
    path = Path(path)
    rel = relative(root, path)
    problem = unusable(root, path)
    if problem:
        diags.error(Location(rel, 1), problem, LINK_HINT)
        return None
    try:
        size = path.stat().st_size
        if size > LARGEST_SOURCE:
            diags.error(Location(rel, 1), f"the file is {size / 2 ** 20:.1f} MB, over the {LARGEST_SOURCE // 2 ** 20} MB "
                        "a source file may have", "split it into several articles, or move data out of it")
            return None
        data = path.read_bytes()
    except OSError as exc:
        diags.error(Location(rel, 1), f"cannot read the file: {exc.strerror}")
        return None
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        diags.error(Location(rel, line, column),
                    f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read)",
                    "save the file as UTF-8 in your editor ('Save with encoding' or 'Reopen with encoding')")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if (found := yamlio.control_character(text)) is not None:
        diags.error(Location(rel, found[0], found[1]), f"the file holds the control character {found[2]}, "
                    "which no page or feed may hold", "delete it: most editors do not show it, so delete "
                    "the character before and after it and type them again")
        return None
    return Source(rel, text.replace("\r\n", "\n").replace("\r", "\n"), digest)


def _listing(root: Path, folder: Path, suffixes: tuple[str, ...], diags: Diagnostics, required: bool) -> list[str]:
    """The paths (as text: there may be thousands) of the files in folder with suffixes."""
    rel = folder.relative_to(root).as_posix()
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            diags.error(Location(rel), f"{rel} is not a folder",
                        f"move it aside and make {rel}/ a folder of {' and '.join(suffixes)} files")
        elif required and (root / "content").is_dir():
            diags.error(Location(rel), f"this site has no {rel}/ folder, so it would have no articles",
                        f"create {rel}/ (left empty, the site has no articles), or move the articles back there")
        return []
    if not inside(root, folder):
        diags.error(Location(rel), "this folder is a link to a place outside the site",
                    "move the folder into the site instead of linking to it")
        return []
    found = []
    try:
        with os.scandir(folder) as listing:  # names and kinds without a look at each file
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        diags.error(Location(rel), f"cannot read the folder: {exc.strerror}", "check the folder's permissions")
        return []
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith("~"):
            continue
        try:
            if entry.is_dir():
                continue
        except OSError:
            pass
        if os.path.splitext(entry.name)[1].lower() in suffixes:
            found.append(entry.path)
        else:
            diags.warning(Location(Path(entry.path).relative_to(root).as_posix()),
                          f"ignored: only {' and '.join(suffixes)} files are read here")
    return found


def read_site(root: Path, diags: Diagnostics, read=read_text) -> SiteSources:
    """Every source of the site at root, in a stable order, each file read by read (with
    read_text's arguments and answer)."""
    _REAL_FOLDERS.clear()  # links may have changed since the last build
    config_path = root / "site.yaml"
    config = read(root, config_path, diags) if config_path.is_file() else None
    if config is None and not config_path.is_file():
        diags.error(Location("site.yaml"), "this folder has no site.yaml",
                    "run the command in your explainer's folder, or pass --site DIR")
    content = root / "content"
    if not content.is_dir():
        diags.error(Location("content"), "this folder has no content/ folder",
                    "create content/articles/ and content/actors/, or pass --site DIR")
    articles = [read(root, p, diags) for p in _listing(root, content / "articles", ARTICLE_SUFFIXES, diags, True)]
    actors = [read(root, p, diags) for p in _listing(root, content / "actors", ACTOR_SUFFIXES, diags, False)]
    authors = [read(root, p, diags) for p in _listing(root, content / "authors", ACTOR_SUFFIXES, diags, False)]
    media_root = content / "media"
    media = []
    for path in files_under(root, media_root, diags):
        if path.name.lower() in SYSTEM_FILES:
            continue
        problem = active_media(path)
        if problem:
            diags.error(Location(path.relative_to(root).as_posix()), problem,
                        "media/ publishes pictures, sound, video, documents, data and fonts; put any other "
                        "file in a .zip, write a page as an article, and export an SVG again as a plain SVG")
        else:
            media.append((path.relative_to(media_root).as_posix(), path))
    return SiteSources(
        root=root,
        config=config,
        articles=tuple(s for s in articles if s is not None),
        actors=tuple(s for s in actors if s is not None),
        authors=tuple(s for s in authors if s is not None),
        media=tuple(media),
    )


def failed_actor_slugs(root: Path, folder: str = "actors") -> set[str]:
    """Slugs of actor (or author) files that exist, readable or not: they still define the slug."""
    folder = root / "content" / folder
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.iterdir() if p.suffix.lower() in ACTOR_SUFFIXES and not p.name.startswith(".")}
