"""Redaction of free text and matching of names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

REDACTED = "[bewoner]"


def name_key(name: str) -> str:
    """Normalise a name for duplicate matching: case, accents and spacing do not count."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Cut to the column: NFKD can make a name longer than it was typed.
    return " ".join(re.sub(r"[^\w\s]", " ", bare.casefold()).split())[:150]


def identifier_variants(identifiers: Iterable[str]) -> list[str]:
    """The strings to hide: each identifier whole, and each name part of 3+ letters."""
    variants: set[str] = set()
    for identifier in identifiers:
        identifier = identifier.strip()
        if not identifier:
            continue
        variants.add(identifier)
        variants.update(part for part in re.split(r"[\s,]+", identifier) if len(part) >= 3)
    return sorted(variants, key=len, reverse=True)


def redact(text: str, identifiers: Iterable[str]) -> str:
    """Replace every known identifier of the resident in `text` (DESIGN §3.3)."""
    variants = identifier_variants(identifiers)
    if not variants or not text:
        return text
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in variants), re.IGNORECASE)
    return pattern.sub(REDACTED, text)
