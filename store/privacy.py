"""Redaction of free text and matching of names."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from store import dates, visible

REDACTED = "[bewoner]"
MONTHS = dates.MONTHS
COMMON_DATE_WORDS = dates.MONTH_WORDS
# Name particles: part of a surname, but on their own ordinary Dutch words ("plan van
# aanpak"), so hiding or matching them alone would hit every other sentence and identify nobody.
TUSSENVOEGSELS = frozenset(
    [
        "van",
        "de",
        "der",
        "den",
        "ter",
        "ten",
        "te",
        "het",
        "'t",
        "des",
        "von",
        "del",
        "della",
        "dos",
        "das",
        "da",
        "di",
        "du",
        "la",
        "le",
        "in",
        "op",
        "aan",
        "uit",
        "bij",
    ]
)
NAME_PARTS = re.compile(r"[\s,\-\u2010\u2011]+")
POSTCODE = re.compile(r"^(\d{4})\s?([a-z]{2})$")


def name_key(name: str) -> str:
    """Normalise a name for duplicate matching: what a reader sees (case, accents, invisible
    characters, look-alike letters) and spacing do not count."""
    # Cut to the column: folding can make a name longer than it was typed.
    return " ".join(words(name))[:150]


def words(text: str) -> list[str]:
    """The words of a text as `name_key` compares them (case, accents, punctuation and what
    a reader cannot see do not count), uncut."""
    return visible.words(text)


def identifier_variants(identifiers: Iterable[str]) -> list[str]:
    """The strings to hide: each identifier whole, each name part of 3+ letters, and each name
    part with the particles that stand before it in the name ("van Dam" of "Maria Çelik-van
    Dam"), so that hiding the part never leaves its particle behind."""
    variants: set[str] = set()
    for identifier in identifiers:
        identifier = identifier.strip()
        if not identifier:
            continue
        variants.add(identifier)
        # Hyphens too: "Çelik-van Dam" is also written "Çelik" or "Van Dam".
        parts = [part for part in NAME_PARTS.split(identifier) if part]
        for index, part in enumerate(parts):
            if _telling(part):
                variants.add(part)
                variants.update(_with_particles(parts[:index], part))
    return sorted(variants, key=len, reverse=True)


def _with_particles(before: list[str], part: str) -> set[str]:
    """`part` after each ordered choice of the particles right before it: "van der Berg",
    "der Berg" and "van Berg" (people leave one out)."""
    run: list[str] = []
    for word in reversed(before):
        if visible.fold(word) not in TUSSENVOEGSELS:
            break
        run.insert(0, word)
    return {
        " ".join([*chosen, part])
        for size in range(1, len(run) + 1)
        for chosen in itertools.combinations(run, size)
    }


def _telling(part: str) -> bool:
    """A part of an identifier that identifies on its own: a name part of 3+ characters with
    a letter, not a month or its abbreviation (those come from written birth dates)."""
    folded = visible.fold(part)
    return (
        len(folded) >= 3
        and any(ch.isalpha() for ch in folded)
        and folded not in COMMON_DATE_WORDS
        and folded not in TUSSENVOEGSELS
    )


def redact(text: str, identifiers: Iterable[str]) -> str:
    """Replace every known identifier of the resident in `text` (DESIGN §3.3), compared as a
    reader sees it: the whole span seen, invisible characters included, becomes one marker."""
    return _matcher(tuple(identifiers)).redact(text)


def redactor(identifiers: Iterable[str]) -> Callable[[str], str]:
    """`redact` for many texts against the same identifiers (the minutes: every resident on
    the agenda), compiled once."""
    return _matcher(tuple(identifiers)).redact


def found_in(folded: str, identifiers: Iterable[str]) -> bool:
    """Whether `folded` (a text through `visible.fold`) holds what `redact` would hide: fold
    once, ask for many residents (the outbox's last check of an agenda of 40)."""
    return bool(_matcher(tuple(identifiers)).spans(folded))


@dataclass(frozen=True)
class _Matcher:
    """The identifiers of one or more residents, folded: names, addresses and postcodes as
    one pattern over folded text, birth dates as dates (found in any notation)."""

    pattern: re.Pattern[str] | None
    dates: frozenset[dt.date]

    def redact(self, text: str) -> str:
        if not text or (self.pattern is None and not self.dates):
            return text
        folded = visible.fold(text)
        spans = self.spans(folded)
        if not spans:
            return text
        kept: list[str] = []
        end = 0
        for start, stop in visible.original_spans(text, spans):
            kept += [text[end:start], REDACTED]
            end = stop
        return "".join([*kept, text[end:]])

    def spans(self, folded: str) -> list[tuple[int, int]]:
        found = [m.span() for m in self.pattern.finditer(folded)] if self.pattern else []
        if self.dates:
            found += [
                (written.start, written.end)
                for written in dates.dates_in(folded)
                if written.dates & self.dates
            ]
        return found


# The minutes and every shared card of a casus redact many texts against the same list.
@functools.lru_cache(maxsize=64)
def _matcher(identifiers: tuple[str, ...]) -> _Matcher:
    born: set[dt.date] = set()
    texts: set[str] = set()
    for variant in identifier_variants(identifiers):
        folded = " ".join(visible.fold(variant).split())
        if meanings := dates.whole_date(folded):
            born |= meanings
        elif folded:
            texts.add(folded)
            if postcode := POSTCODE.match(folded):  # 1234AB is 1234 AB
                texts.add("".join(postcode.groups()))
    # One alternation as a trie (shared prefixes once): thousands of variants (every
    # resident on a long agenda) then cost about as much as a few.
    pattern = re.compile(rf"(?<!\w){_trie(texts)}(?!\w)") if texts else None
    return _Matcher(pattern, frozenset(born))


_Node = dict[str, "_Node"]


def _trie(words: Iterable[str]) -> str:
    """A regex matching exactly `words` (folded; a space matches any run of spaces), longest
    first."""
    root: _Node = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branch(root)


def _branch(node: _Node) -> str:
    branches = []
    for char, child in sorted(node.items()):
        if not char:
            continue
        chain = [_literal(char)]
        while len(child) == 1 and "" not in child:  # a run without choices: one string
            ((next_char, child),) = child.items()
            chain.append(_literal(next_char))
        branches.append("".join(chain) + _branch(child))
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return group
    return f"(?:{group})?"


def _literal(char: str) -> str:
    return r"\s+" if char == " " else re.escape(char)


class KnownPerson(Protocol):
    naam: str
    geboortedatum: dt.date
    adres: str | None
    postcode: str | None


def identifiers_of(persoon: KnownPerson) -> list[str]:
    """The resident's identifiers: the name, the address, the postcode and the birth date
    (ISO; `redact` finds it in every notation people write)."""
    others = (v for v in (persoon.adres, persoon.postcode) if v)
    return [persoon.naam, *others, persoon.geboortedatum.isoformat()]


def forget_compiled() -> None:
    """Forget the compiled matchers and what the fold learned (for tests, as
    `visible.forget_learned`)."""
    _matcher.cache_clear()
    visible.forget_learned()
