"""Locations, diagnostics and the collector every stage reports into."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import NamedTuple


class Location(NamedTuple):
    """A place in a source file: a path relative to the site root, 1-based line and column.
    A tuple, as there are hundreds of thousands at scale: a third of the memory of an object."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        text = self.file
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text

    def shifted(self, lines: int) -> "Location":
        return Location(self.file, self.line + lines, self.column)


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    message: str
    hint: str | None = None
    severity: str = "error"

    def format(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def github(self, prefix: str = "") -> str:
        """The diagnostic as a GitHub Actions workflow command, which a pull request shows on
        the line it names: ::error file=...,line=...,col=...::message, the hint on a line
        below. prefix: the site's folder within the repository."""
        where = [f"file={_escaped(prefix + self.location.file, True)}"]
        if self.location.line:
            where.append(f"line={self.location.line}")
            if self.location.column:
                where.append(f"col={self.location.column}")
        text = self.message + (f"\n  hint: {self.hint}" if self.hint else "")
        return f"::{self.severity} {','.join(where)}::{_escaped(text)}"

    def data(self, prefix: str = "") -> dict:
        return {"file": prefix + self.location.file, "line": self.location.line or None,
                "column": self.location.column or None, "severity": self.severity,
                "message": self.message, "hint": self.hint}


def _escaped(text: str, property_: bool = False) -> str:
    """text as a workflow command carries it (a property also escapes ':' and ',')."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_ else text


@dataclass
class Diagnostics:
    """Collects every problem of one run; the CLI decides what to print and the exit code."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(location, message, hint, "error"))

    def warning(self, location: Location, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(location, message, hint, "warning"))

    def extend(self, other) -> None:
        """Add other's diagnostics: another Diagnostics's, or diagnostics reported elsewhere
        (in another process, or kept from an earlier build)."""
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def merge_repeated(self) -> None:
        """One report for what many pages found alike: a template's mistake is found by
        every page that uses the template, and said once ('while rendering a.html and 12
        other pages')."""
        seen: dict[tuple, list] = {}
        for item in self.items:
            message = item.message
            match = re.match(r"(template error while rendering )(\S+)(: .*)$", message, re.S)
            key = (item.location, item.severity, item.hint, match[1] + match[3] if match else message)
            seen.setdefault(key, []).append((item, match[2] if match else None))
        merged = []
        for (location, severity, hint, _), found in seen.items():
            item, page = found[0]
            if page is not None and len(found) > 1:
                others = len(found) - 1
                item = Diagnostic(location, item.message.replace(
                    f" {page}: ", f" {page} (and {others} other page{'s' if others > 1 else ''}): ", 1), hint, severity)
            merged.append(item)
        self.items = merged

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.location, d.severity, d.message))


def did_you_mean(word: str, candidates) -> str | None:
    """The closest candidate to a misspelt word, or None when nothing is close."""
    matches = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None
