"""Redaction of free text and matching of names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol

REDACTED = "[bewoner]"
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
COMMON_DATE_WORDS = frozenset([*MONTHS, *(month[:3] for month in MONTHS)])
# Name particles: part of a surname, but on their own ordinary Dutch words ("plan van
# aanpak"), so hiding or matching them alone would hit every other sentence and identify nobody.
TUSSENVOEGSELS = frozenset(
    [
        "van",
        "der",
        "den",
        "ter",
        "ten",
        "het",
        "des",
        "von",
        "del",
        "dos",
        "das",
        "aan",
        "uit",
        "bij",
    ]
)


def name_key(name: str) -> str:
    """Normalise a name for duplicate matching: case, accents and spacing do not count."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Cut to the column: NFKD can make a name longer than it was typed.
    return " ".join(re.sub(r"[^\w\s]", " ", bare.casefold()).split())[:150]


def words(text: str) -> list[str]:
    """The words of a text as `name_key` compares them (case, accents and punctuation do not
    count), uncut."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^\w\s]", " ", bare.casefold()).split()


def identifier_variants(identifiers: Iterable[str]) -> list[str]:
    """The strings to hide: each identifier whole, and each name part of 3+ letters."""
    variants: set[str] = set()
    for identifier in identifiers:
        identifier = identifier.strip()
        if not identifier:
            continue
        variants.add(identifier)
        # Hyphens too: "Çelik-van Dam" is also written "Çelik" or "Van Dam".
        parts = [part for part in re.split(r"[\s,\-\u2010\u2011]+", identifier) if _telling(part)]
        variants.update(parts)
        # As people type a name without its accents: "Celik" for "Çelik".
        variants.update(bare for part in parts if (bare := _without_accents(part)) != part)
    return sorted(variants, key=len, reverse=True)


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _telling(part: str) -> bool:
    """A part of an identifier that identifies on its own: a name part of 3+ characters with
    a letter, not a month or its abbreviation (those come from written birth dates)."""
    return (
        len(part) >= 3
        and any(ch.isalpha() for ch in part)
        and part.casefold() not in COMMON_DATE_WORDS
        and part.casefold() not in TUSSENVOEGSELS
    )


def redact(text: str, identifiers: Iterable[str]) -> str:
    """Replace every known identifier of the resident in `text` (DESIGN §3.3)."""
    variants = identifier_variants(identifiers)
    if not variants or not text:
        return text
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in variants), re.IGNORECASE)
    return pattern.sub(REDACTED, text)


def redactor(identifiers: Iterable[str]) -> Callable[[str], str]:
    """`redact` for many texts against the same identifiers (the minutes: every resident on
    the agenda), compiled once. Also catches a name typed in another Unicode form (ë as
    e + combining diaeresis) or with a typographic apostrophe (D’Souza for D'Souza)."""
    variants: set[str] = set()
    for variant in identifier_variants(identifiers):
        for form in ("NFC", "NFD"):
            shaped = unicodedata.normalize(form, variant)
            variants.update({shaped, shaped.replace("'", "\u2019"), shaped.replace("\u2019", "'")})
    if not variants:
        return lambda text: text
    # One alternation as a trie (shared prefixes once): thousands of variants (every
    # resident on a long agenda) then cost about as much as a few.
    pattern = re.compile(rf"(?<!\w){_trie(variants)}(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text) if text else text


_Node = dict[str, "_Node"]


def _trie(words: Iterable[str]) -> str:
    """A regex matching exactly `words` (case-insensitively), longest first."""
    root: _Node = {}
    for word in words:
        node = root
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}
    return _branch(root)


def _branch(node: _Node) -> str:
    branches = []
    for char, child in sorted(node.items()):
        if not char:
            continue
        chain = [re.escape(char)]
        while len(child) == 1 and "" not in child:  # a run without choices: one string
            ((next_char, child),) = child.items()
            chain.append(re.escape(next_char))
        branches.append("".join(chain) + _branch(child))
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return group
    return f"(?:{group})?"


class KnownPerson(Protocol):
    naam: str
    geboortedatum: dt.date
    adres: str | None
    postcode: str | None


def identifiers_of(persoon: KnownPerson) -> list[str]:
    """The resident's identifiers as people type them: the name, the address, the postcode,
    and the birth date in the usual Dutch notations."""
    born = persoon.geboortedatum
    day, month, year = born.day, born.month, born.year
    numeric = {
        f"{d}{sep}{m}{sep}{y}"
        for d in (str(day), f"{day:02d}")
        for m in (str(month), f"{month:02d}")
        for y in (str(year), f"{year % 100:02d}")  # 17-4-03 is as common as 17-4-2003
        for sep in "-/."
    }
    written = {
        f"{d} {name} {year}"
        for d in (str(day), f"{day:02d}")
        for name in (MONTHS[month - 1], MONTHS[month - 1][:3])
    }
    dates = {born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%d%m%Y"), *numeric, *written}
    return [persoon.naam, *(v for v in (persoon.adres, persoon.postcode) if v), *sorted(dates)]
