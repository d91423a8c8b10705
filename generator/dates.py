"""Dates with honest precision: a year, a month, a day or a moment."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


class DateProblem(ValueError):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


# Abbreviations of time zones that name one zone only, as the tz database gives them
ZONE_NAMES = frozenset({"GMT", "BST", "WET", "WEST", "CET", "CEST", "EET", "EEST", "MSK", "JST", "KST", "HKT",
                        "AEST", "AEDT", "ACST", "ACDT", "AWST", "NZST", "NZDT", "EST", "EDT", "PST", "PDT",
                        "MST", "MDT", "AKST", "AKDT", "HST", "SAST", "WIB", "PKT"})

FORMS = "write YYYY, YYYY-MM, YYYY-MM-DD or an ISO date and time such as 2022-03-14T09:30:00+01:00"


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None
    moment: dt.datetime | None = None  # timezone-aware, for precision "time"

    @property
    def precision(self) -> str:
        if self.moment is not None:
            return "time"
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def sort_key(self) -> str:
        """Orders dates as (year, month or 0, day or 0, UTC time or nothing) would, as one
        string: quicker to compare, and sorting tens of thousands of events compares a lot."""
        stamp = self.moment.astimezone(dt.timezone.utc).strftime("%H:%M:%S") if self.moment else ""
        return f"{self.year:04d}{self.month or 0:02d}{self.day or 0:02d}{stamp}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        if self.moment is not None:
            return self.moment.isoformat()
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def display(self) -> str:
        if self.moment is not None:
            offset = self.moment.strftime("%z")
            name = self.moment.tzname() if isinstance(self.moment.tzinfo, ZoneInfo) else None
            # the zone's own name where readers cannot mistake it (BST, CET); CST is China's and
            # America's, IST India's, Ireland's and Israel's: those are shown as their offset
            zone = name if name in ZONE_NAMES else "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}, {self.moment:%H:%M} {zone}"
        if self.day is not None:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month is not None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def as_datetime(self) -> dt.datetime:
        """A moment for feeds and sitemaps: midnight UTC of the first day when no time is known."""
        if self.moment is not None:
            return self.moment
        return dt.datetime.combine(self.first_day(), dt.time(), dt.timezone.utc)


def display_span(start: PartialDate, end: PartialDate | None) -> str:
    """'24 February – 14 March 2022', sharing the year when both ends have it."""
    if end is None or end == start:
        return start.display()
    if (start.precision == end.precision == "day" and start.year == end.year):
        if start.month == end.month:
            return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {end.year}"
        return f"{start.day} {MONTHS[start.month - 1]} – {end.display()}"
    if start.precision == end.precision == "month" and start.year == end.year:
        return f"{MONTHS[start.month - 1]} – {end.display()}"
    return f"{start.display()} – {end.display()}"


def display_in_year(start: PartialDate, end: PartialDate | None = None) -> str:
    """A date or span as a timeline shows it under the heading of its year, which it leaves
    out ('24 February – 14 March', 'March'), or an empty text for the year alone: each
    precision said once. A span that runs into another year is shown whole."""
    text = display_span(start, end)
    if end is not None and end.year != start.year:
        return text
    return "" if text == str(start.year) else re.sub(rf" {start.year}(?!\d)", "", text)


def parse(value, timezone: str = "UTC") -> PartialDate:
    """Read a date from YAML: an int year, or text in one of FORMS."""
    if isinstance(value, bool) or value is None:
        raise DateProblem("a date is missing", FORMS)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise DateProblem(f"'{value}' is not a date", FORMS)
    text = value.strip()
    try:
        if (match := re.match(r"\d{4}", text)) and match[0] == "0000":
            raise DateProblem(f"'{text}' is not a real date (there is no year 0)", "years run from 0001 to 9999")
        if match := _YEAR.match(text):
            return PartialDate(int(match[1]))
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise DateProblem(f"'{text}' is not a real month", "months run from 01 to 12")
            return PartialDate(year, month)
        if match := _DAY.match(text):
            year, month, day = int(match[1]), int(match[2]), int(match[3])
            dt.date(year, month, day)
            return PartialDate(year, month, day)
        if _MOMENT.match(text):
            moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1).replace(" ", ""))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=ZoneInfo(timezone))
            try:
                moment.astimezone(dt.timezone.utc)  # what sorting and feeds will ask of it
            except OverflowError:
                raise DateProblem(f"'{text}' lies outside the years 0001 to 9999 in UTC",
                                  "check the date and its time zone") from None
            return PartialDate(moment.year, moment.month, moment.day, moment)
    except ValueError as exc:
        if isinstance(exc, DateProblem):
            raise
        raise DateProblem(f"'{text}' is not a real date ({exc})",
                          "check the day and month: " + FORMS) from None
    raise DateProblem(f"'{text}' is not a date in a form this tool reads", FORMS)
