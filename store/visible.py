"""What a reader sees: text folded to the form in which two strings look the same (#20).

Teams and Word show `Oude\u00adman` (a soft hyphen pasted from Word), `Ｏｕｄｅｍａｎ`
(fullwidth) and `Оudeman` (a Cyrillic О) as the plain name, so redaction, the outbox's last
check, the channel-message screen and the identifier index compare the folded form:

- format characters (Unicode category Cf: soft hyphen, zero-width space and joiners, word
  joiner, BOM, direction marks …) and letters that show nothing (Hangul fillers) are dropped;
- compatibility forms are unfolded (NFKD: fullwidth, ligatures, mathematical letters);
- combining marks are dropped (accents: "Celik" is "Çelik"), digits of any script become
  0-9, dashes become "-", spaces become " ";
- a character outside ASCII that Unicode's confusables table (UTS #39, from the
  `confusable-homoglyphs` package) lists as a look-alike of another becomes that one;
- case is folded.

Plain ASCII letters stay what they are: folding l/I or rn/m (as the full UTS #39 skeleton
does) would make ordinary words look like names.

`fold` is the fast path (one `str.translate`, per-character results cached); only when
something matched does `original_spans` build the map from folded back to typed positions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from confusable_homoglyphs import confusables

# Letters (category Lo) that render as nothing; the other invisible characters are Cf.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# Above this many distinct characters the table stops growing (a text of every code point
# would otherwise keep a megabyte of entries per process).
TABLE_LIMIT = 20_000
_NOT_WORD = re.compile(r"[^\w\s]")


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in BLANK_LETTERS


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def _bare(text: str) -> str:
    """Compatibility forms unfolded, combining marks dropped."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not _is_mark(c))


def _load_prototypes() -> dict[str, str]:
    """Each non-ASCII look-alike and the character(s) it is confused with.

    The package keeps Unicode's confusables.txt both ways round (a source lists its
    prototype, a prototype lists all its sources) and wraps right-to-left characters in
    LRM marks; a source is the side with a single partner that is not itself a source."""
    table = {
        key.replace("\u200e", ""): [h["c"].replace("\u200e", "") for h in homoglyphs]
        for key, homoglyphs in confusables.confusables_data.items()
    }
    found: dict[str, str] = {}
    for char, partners in table.items():
        if len(char) != 1 or char.isascii() or len(partners) != 1:
            continue
        (target,) = partners
        one_to_one = len(target) == 1 and not target.isascii() and len(table[target]) == 1
        # Between two characters that only look like each other, either may stand for both.
        if not one_to_one or ord(char) > ord(target):
            found[char] = target
    return found


PROTOTYPES = _load_prototypes()


def _skeleton(text: str) -> str:
    return _bare("".join(PROTOTYPES.get(c, c) for c in text))


def fold_char(char: str) -> str:
    """One character as a reader compares it ('' for one that shows nothing)."""
    if char.isascii():
        return char.lower()
    if is_invisible(char) or _is_mark(char):
        return ""
    category = unicodedata.category(char)
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category == "Pd":
        return "-"
    if category == "Zs":
        return " "
    base = _bare(char)
    # What the character looks like first (Greek Η is an H, though its small η looks like an
    # n), then its other case: Cyrillic м is a small М, and М looks like M.
    for form in (base, base.casefold(), base.upper()):
        seen = _skeleton(form)
        if seen.isascii():
            # The table folds I into l; a capital that looks like l is seen as an I.
            return "i" if seen == "l" and form.isupper() else seen.lower()
    return _skeleton(base.casefold()).casefold()


class _Table(dict[int, str]):
    """`str.translate` table that learns each character once."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(self) < TABLE_LIMIT:
            self[code] = folded
        return folded


_ASCII = {code: chr(code).lower() for code in range(128)}
_TABLE = _Table(_ASCII)


def forget_learned() -> None:
    """Forget the characters the table learned. For tests: mutation testing runs each mutant
    in a fork of a process that has already learned them, so a mutated fold would never run."""
    _TABLE.clear()
    _TABLE.update(_ASCII)


def fold(text: str) -> str:
    """`text` as a reader compares it (see the module docstring)."""
    if text.isascii():
        return text.lower()
    return text.translate(_TABLE)


def words(text: str) -> list[str]:
    """The words of `text` as a reader compares them: punctuation splits, nothing else does."""
    return words_of_folded(fold(text))


def words_of_folded(folded: str) -> list[str]:
    return _NOT_WORD.sub(" ", folded).split()


def original_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of `fold(text)` as spans of `text`, sorted and merged, each widened over the
    invisible characters next to it and the combining marks after it, so that nothing of
    what was seen is left behind."""
    origin = _origin(text)
    found: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        first, last = origin[start], origin[end - 1] + 1
        while first > 0 and is_invisible(text[first - 1]):
            first -= 1
        while last < len(text) and (is_invisible(text[last]) or _is_mark(text[last])):
            last += 1
        if found and first <= found[-1][1]:
            found[-1] = (found[-1][0], max(found[-1][1], last))
        else:
            found.append((first, last))
    return found


def _origin(text: str) -> list[int]:
    """For each character of `fold(text)`, the index in `text` it came from."""
    if text.isascii():
        return list(range(len(text)))
    origin: list[int] = []
    for index, char in enumerate(text):
        origin.extend([index] * len(_TABLE[ord(char)]))
    return origin
