"""Dates as people write them (#20): the one recogniser behind redaction, the outbox's last
check and the channel-message screen.

It reads text already folded by `store.visible.fold` (lower case, ASCII digits, any dash a
"-", any apostrophe a "'") and finds `17-4-2003`, `17 04 2003`, `17.4.'03`, `2003/04/17`,
`17042003`, `20030417`, `17 apr. 2003`, `17 april '03`, `17-okt-03`, `april 17, 2003` and
`17th of april 2003`: numeric with any of `-./ ` between the parts, day-month and
month-day, year first, Dutch and English month names and their abbreviations with or without
a dot, years of four digits or two (with or without an apostrophe, read as either century).
A notation that can be read two ways gives both dates: what matters is whether one of them
is a birth date to hide.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
ENGLISH_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTH_NUMBERS: dict[str, int] = {
    **{name: i for i, name in enumerate(ENGLISH_MONTHS, 1)},
    **{name[:3]: i for i, name in enumerate(ENGLISH_MONTHS, 1)},
    **{name: i for i, name in enumerate(MONTHS, 1)},
    **{name[:3]: i for i, name in enumerate(MONTHS, 1)},
    "febr": 2,
    "mrt": 3,
    "sept": 9,
}
MONTH_WORDS = frozenset(MONTH_NUMBERS)

_NUMBER_SEP = r"(?:\s*[-./]\s*|\s+)"
_WORD_SEP = r"[\s\-./,]*"
_YEAR = r"(\d{4}|'?\d{2})"
_MONTH = "(" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + r")\.?(?![a-z])"
_ORDINAL = r"(?:ste|de|st|nd|rd|th|e)?"


_DIGIT = re.compile(r"\d")


def _anywhere(pattern: str) -> re.Pattern[str]:
    """Found at every position, overlapping: in "3 17 04 2003" the date starts at 17."""
    return re.compile(f"(?=({pattern}))")


NUMERIC = _anywhere(rf"(?<!\d)(\d{{1,2}})({_NUMBER_SEP})(\d{{1,2}})({_NUMBER_SEP}){_YEAR}(?!\d)")
YEAR_FIRST = _anywhere(rf"(?<!\d)(\d{{4}}){_NUMBER_SEP}(\d{{1,2}}){_NUMBER_SEP}(\d{{1,2}})(?!\d)")
COMPACT = _anywhere(r"(?<!\d)(\d{8})(?!\d)")
DAY_MONTH = _anywhere(
    rf"(?<!\d)(\d{{1,2}}){_ORDINAL}{_WORD_SEP}(?:of\s+)?{_MONTH}{_WORD_SEP}{_YEAR}(?!\d)"
)
MONTH_DAY = _anywhere(
    rf"(?<![a-z]){_MONTH}{_WORD_SEP}(\d{{1,2}}){_ORDINAL}(?:\s*,\s*|[\s\-./]+){_YEAR}(?!\d)"
)


@dataclass(frozen=True)
class WrittenDate:
    """A date found in folded text: where (start, end in that text) and what it can mean."""

    start: int
    end: int
    dates: frozenset[dt.date]


def dates_in(folded: str) -> list[WrittenDate]:
    """Every date written in `folded` (a text through `store.visible.fold`), in text order."""
    if not _DIGIT.search(folded):  # most texts: no date to look for
        return []
    found = [
        WrittenDate(start, end, meanings)
        for start, end, meanings in _candidates(folded)
        if meanings
    ]
    return sorted(found, key=lambda written: (written.start, written.end))


def whole_date(folded: str) -> frozenset[dt.date]:
    """The dates `folded` means when it is nothing but a date, else none."""
    text = folded.strip()
    return frozenset(
        day
        for written in dates_in(text)
        if written.start == 0 and written.end == len(text)
        for day in written.dates
    )


def _candidates(folded: str) -> Iterator[tuple[int, int, frozenset[dt.date]]]:
    for match in NUMERIC.finditer(folded):
        first, sep1, second, sep2, year = match.groups()[1:]
        # Three numbers with only spaces between are a date only with a year that says so
        # ("17 04 2003", "17 04 '03"): a phone number reads "06 17 04 20 03".
        spaced = sep1.isspace() or sep2.isspace()
        if spaced and not (len(year) == 4 or year.startswith("'")):
            continue
        meanings = _dates(first, second, year) | _dates(second, first, year)
        yield match.start(1), match.end(1), meanings
    for match in YEAR_FIRST.finditer(folded):
        year, month, day = match.groups()[1:]
        yield match.start(1), match.end(1), _dates(day, month, year)
    for match in COMPACT.finditer(folded):
        digits = match.group(2)
        meanings = _dates(digits[:2], digits[2:4], digits[4:])  # ddmmyyyy
        meanings |= _dates(digits[6:], digits[4:6], digits[:4])  # yyyymmdd
        yield match.start(1), match.end(1), meanings
    for match in DAY_MONTH.finditer(folded):
        day, month, year = match.groups()[1:]
        yield match.start(1), match.end(1), _dates(day, str(MONTH_NUMBERS[month]), year)
    for match in MONTH_DAY.finditer(folded):
        month, day, year = match.groups()[1:]
        yield match.start(1), match.end(1), _dates(day, str(MONTH_NUMBERS[month]), year)


def _dates(day: str, month: str, year: str) -> frozenset[dt.date]:
    """The date, or both centuries' dates for a two-digit year; nothing for an impossible
    date."""
    year = year.lstrip("'")
    years = [int(year)] if len(year) == 4 else [1900 + int(year), 2000 + int(year)]
    found = set()
    for full_year in years:
        try:
            found.add(dt.date(full_year, int(month), int(day)))
        except ValueError:
            continue
    return frozenset(found)
