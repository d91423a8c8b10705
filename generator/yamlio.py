"""Safe YAML with a source position for every key and value, and front-matter splitting.

Documents are composed into nodes (never constructed by PyYAML), then turned into plain
Python values by hand: only the core tags are accepted, an alias is refused, and dates stay
text so that the model can read partial dates (``2022``, ``2022-03``) itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .diagnostics import Diagnostics, Location

try:  # libyaml is much faster; the pure-Python loader gives the same nodes.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Path = tuple  # a path into a document: ("quotes", 2, "speaker")

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}
DEEPEST = 40  # levels of lists and keys within one another; content needs four or five
# Characters that no page, feed or data file may hold: the C0 and C1 controls but tab and
# line breaks, DEL, and the two non-characters XML forbids.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def control_character(text: str) -> tuple[int, int, str] | None:
    """The line, column and name (U+0001) of the first control character in text, if any."""
    match = CONTROL.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return line, column, f"U+{ord(match.group()):04X}"


@dataclass
class YamlDoc:
    """A parsed document: plain data plus where each key and value stands in the file."""

    data: object
    file: str
    positions: dict  # Path -> (line, column), 1-based, of the value
    key_positions: dict  # Path -> (line, column) of the key that holds the value
    raw: dict  # Path -> the source text of plain scalars that YAML read as non-text
    warnings: list  # (line, column, message, hint) for valid YAML that likely lost text

    def loc(self, *path) -> Location:
        """Where the value at path stands; the nearest enclosing value if it is absent."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return Location(self.file, *self.positions[path])
            path = path[:-1]
        return Location(self.file, *self.positions.get((), (1, 1)))

    def key_loc(self, *path) -> Location:
        path = tuple(path)
        if path in self.key_positions:
            return Location(self.file, *self.key_positions[path])
        return self.loc(*path)


class YamlProblem(Exception):
    def __init__(self, line: int, column: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.line, self.column, self.message, self.hint = line, column, message, hint


def load(text: str, file: str, diags: Diagnostics, line_offset: int = 0) -> YamlDoc | None:
    """Parse one YAML document; report problems into diags and return None on failure."""
    # libyaml composes nested values by recursion in C, which a deep enough nesting (a
    # hundred thousand '[') overflows, killing the process. Depth cannot pass the number of
    # '[' and '{' plus lines, so only text with many of them goes to the Python loader,
    # whose recursion ends in a RecursionError instead.
    loader = _Loader if text.count("[") + text.count("{") + text.count("\n") < 5000 else yaml.SafeLoader
    try:
        node = yaml.compose(text, Loader=loader)
    except RecursionError:
        diags.error(Location(file, 1 + line_offset), f"the YAML is nested more than {DEEPEST} levels deep",
                    "content needs a few levels of keys and lists; check the brackets and the indentation")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "quoted scalar" in (exc.context or "") and exc.context_mark is not None:
            mark = exc.context_mark  # where the quote opened, not where the file ended
        line = (mark.line + 1 if mark else 1) + line_offset
        column = mark.column + 1 if mark else 0
        message, hint = _explain(exc, text, mark)
        diags.error(Location(file, line, column), message, hint)
        return None
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        diags.error(Location(file, 1 + line_offset), f"cannot read YAML: {exc}")
        return None
    doc = YamlDoc(None, file, {}, {}, {}, [])
    if node is None:
        doc.positions[()] = (1 + line_offset, 1)
        return doc
    try:
        doc.data = _convert(node, (), doc, line_offset, set(), text.splitlines())
    except YamlProblem as problem:
        diags.error(Location(file, problem.line, problem.column), problem.message, problem.hint)
        return None
    for line, column, message, hint in doc.warnings:
        diags.warning(Location(file, line, column), message, hint)
    return doc


def _position(node, line_offset: int) -> tuple[int, int]:
    return node.start_mark.line + 1 + line_offset, node.start_mark.column + 1


def _convert(node, path, doc: YamlDoc, line_offset: int, seen: set, lines: list):
    line, column = _position(node, line_offset)
    if len(path) > DEEPEST:
        raise YamlProblem(line, column, f"the YAML is nested more than {DEEPEST} levels deep",
                          "content needs a few levels of keys and lists; check the brackets and the indentation")
    if id(node) in seen:
        # An alias node is the anchored node itself, so its marks are the anchor's: point
        # at the key that holds the alias instead.
        holder = next((doc.key_positions[path[:n]] for n in range(len(path), 0, -1)
                       if path[:n] in doc.key_positions), (line, column))
        raise YamlProblem(*holder, "YAML aliases (*name) are not allowed",
                          "write the value out in full instead of referring to an &anchor")
    seen.add(id(node))
    doc.positions[path] = (line, column)
    tag = node.tag[len(_CORE):] if node.tag.startswith(_CORE) else None

    if isinstance(node, yaml.MappingNode):
        if tag != "map":
            raise _bad_tag(node, line, column)
        result = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":
                raise YamlProblem(*_position(key_node, line_offset),
                                  "YAML merge keys (<<) are not allowed",
                                  "write the keys out in full")
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(*_position(key_node, line_offset),
                                  "a key must be a plain word")
            key = key_node.value
            if key in result:
                raise YamlProblem(*_position(key_node, line_offset),
                                  f"the key '{key}' appears twice",
                                  "keep one of them; YAML would silently use the last")
            doc.key_positions[path + (key,)] = _position(key_node, line_offset)
            result[key] = _convert(value_node, path + (key,), doc, line_offset, seen, lines)
        return result

    if isinstance(node, yaml.SequenceNode):
        if tag != "seq":
            raise _bad_tag(node, line, column)
        return [_convert(item, path + (i,), doc, line_offset, seen, lines)
                for i, item in enumerate(node.value)]

    if tag not in _SCALAR_TAGS:
        raise _bad_tag(node, line, column)
    _check_comment(node, lines, doc, line_offset)
    if (found := control_character(node.value)) is not None:
        raise YamlProblem(line, column, f"the value holds the control character {found[2]}, written as an escape",
                          "remove the escape (such as \\x01 or \\0) from the quoted value")
    if tag in ("str", "timestamp"):
        return node.value
    if not node.style:  # plain: None from the Python parser, '' from libyaml
        doc.raw[path] = node.value
    constructor = yaml.constructor.SafeConstructor()
    if tag == "null":
        return None
    if tag == "bool":
        return constructor.construct_yaml_bool(node)
    if tag == "int":
        try:
            return constructor.construct_yaml_int(node)
        except ValueError:  # more digits than Python turns into a number
            raise YamlProblem(line, column, f"the number has {len(node.value)} digits, too many to read",
                              "put it in quotes if it is text; no field needs a number that long") from None
    return constructor.construct_yaml_float(node)


def _bad_tag(node, line: int, column: int) -> YamlProblem:
    tag = "!!" + node.tag[len(_CORE):] if node.tag.startswith(_CORE) else node.tag
    return YamlProblem(line, column, f"the YAML tag '{tag}' is not allowed",
                       "remove the tag; content files hold plain text, numbers, lists and keys")


def _check_comment(node, lines: list, doc: YamlDoc, line_offset: int) -> None:
    """A plain value followed by ' #' lost its end to a YAML comment; say so."""
    if node.style or node.end_mark is None:
        return
    end = node.end_mark
    source_line = lines[end.line] if end.line < len(lines) else ""
    rest = source_line[end.column:]
    if node.value and re.match(r"\s+#", rest) and rest.strip() != "#" and not source_line.lstrip().startswith("#"):
        after = rest.split("#", 1)[1].strip()
        if after and re.search(r"\w", after) and ":" in source_line[:end.column]:
            doc.warnings.append((end.line + 1 + line_offset, end.column + 1,
                              f"'#{after}' after the value is read as a YAML comment, so the value "
                              f"ends at '{node.value}'",
                              "put the whole value in quotes to keep the '#'; "
                              "move a real comment to its own line"))


def _quoted_example(line_text: str) -> str:
    """The editor's own line with its value in quotes: double ones, or single ones (any
    inside doubled) for a value that holds a double quote; a general example for another line."""
    match = re.match(r"^(\s*(?:-\s+)?)([\w-]+):\s+(.*\S)\s*$", line_text)
    if not match:
        return "key: \"the value: as written\" (or 'the value' in single quotes)"
    key, value = match[2], match[3]
    if '"' not in value:
        return f'{key}: "{value}"'
    return f"{key}: '" + value.replace("'", "''") + "'"


def _explain(exc: yaml.MarkedYAMLError, text: str, mark) -> tuple[str, str | None]:
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    line_text = ""
    if mark is not None:
        lines = text.splitlines()
        if mark.line < len(lines):
            line_text = lines[mark.line]
    if "\t" in problem or "'\\t'" in problem or (line_text[: mark.column + 1].count("\t") if mark else 0):
        return ("a tab character is used for indentation",
                "YAML allows only spaces for indentation: replace the tab with spaces")
    if "mapping values are not allowed" in problem:
        return ("a colon followed by a space inside a value starts a new key",
                "put the whole value in quotes: " + _quoted_example(line_text))
    if "quoted scalar" in context and "end of stream" in problem:
        return ("a quoted value is never closed", "add the closing quote")
    if "quoted scalar" in context:
        return (f"a quoted value is broken: {problem}",
                "close the quote on the same value; inside \"...\" write \\\" for a quote mark, "
                "or use the other kind of quotes around the value")
    if "expected <block end>" in problem or "expected ':'" in problem or "could not find expected ':'" in problem:
        return (f"the indentation or structure is off: {problem}",
                "check that this line lines up with the keys around it and that every key ends with ': '")
    if "did not find expected key" in problem or "expected <block end>, but found '<scalar>'" in problem:
        return ("text follows the end of a quoted value, or the indentation is off",
                "put the whole value inside one pair of quotes (inside \"...\" write \\\" for a quotation mark, "
                "or use '...' around a value that contains \"), and line keys up with the ones around them")
    if "cannot start any token" in problem:
        sign = line_text[mark.column] if mark is not None and mark.column < len(line_text) else ""
        sign = f"'{sign}'" if sign and not sign.isspace() else "this sign"
        return (f"a value cannot start with {sign} unless it is in quotes (YAML keeps {sign} for itself)",
                "put the whole value in quotes: " + _quoted_example(line_text))
    if "found undefined alias" in problem or "alias" in problem:
        return ("YAML aliases (*name) are not allowed",
                "write the value out in full instead of referring to an &anchor")
    return (problem, "check the YAML syntax on this line; quoting the value often helps")


_FENCE = re.compile(r"^---[ \t]*$")


@dataclass(frozen=True)
class FrontMatter:
    yaml_text: str
    yaml_line: int  # line number (1-based) of the first YAML line
    body: str
    body_line: int  # line number (1-based) of the first body line


def split_front_matter(text: str, file: str, diags: Diagnostics) -> FrontMatter | None:
    """Split `---` front matter from a Markdown body."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0].rstrip("\r\n")):
        diags.error(Location(file, 1, 1), "an article must start with front matter ('---' on the first line)",
                    "begin the file with ---, the title, date and other fields, then --- and the text")
        return None
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index].rstrip("\r\n")) or lines[index].rstrip("\r\n") == "...":
            yaml_text = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            return FrontMatter(yaml_text, 2, body, index + 2)
    diags.error(Location(file, 1, 1), "the front matter is never closed",
                "add a line with only --- after the last front-matter field, before the text")
    return None
