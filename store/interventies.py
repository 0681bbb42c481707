"""The interventions catalogue (#11): a JSON file a gemeente edits (INTERVENTIES_FILE), with
a small starter list written for this project (store/interventies.json). An action may name
an intervention; the plan card suggests those for the casus's leefgebieden and doelgroep."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

STARTER = Path(__file__).with_name("interventies.json")
DOELGROEPEN = ("jeugd", "volwassene", "beide")


@dataclass(frozen=True)
class Interventie:
    naam: str
    leefgebied: str
    doelgroep: str
    beschrijving: str
    bron: str


class CatalogusFout(ValueError):
    """The catalogue file cannot be used (the message says which entry and field)."""


def load(path: str | Path | None = None) -> tuple[Interventie, ...]:
    """The catalogue at `path` (default: the starter list); checked whole, so a gemeente's
    mistake is reported at start, not as a missing suggestion later."""
    file = Path(path) if path else STARTER
    return _load(str(file), file.stat().st_mtime)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: float) -> tuple[Interventie, ...]:
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))["interventies"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CatalogusFout(f"{path}: not a catalogue ({type(error).__name__})") from None
    found = []
    for number, entry in enumerate(entries, start=1):
        try:
            item = Interventie(**{key: str(entry[key]).strip() for key in _FIELDS})
        except (KeyError, TypeError):
            raise CatalogusFout(f"{path}: entry {number} needs {', '.join(_FIELDS)}") from None
        if item.doelgroep not in DOELGROEPEN or not item.naam or len(item.naam) > 150:
            raise CatalogusFout(f"{path}: entry {number} has a wrong doelgroep or naam")
        found.append(item)
    return tuple(found)


_FIELDS = ("naam", "leefgebied", "doelgroep", "beschrijving", "bron")


def suggesties(
    catalogus: Sequence[Interventie], leefgebieden: Iterable[str], doelgroep: str
) -> list[Interventie]:
    """Interventions for these leefgebieden (keys) that fit the doelgroep."""
    wanted = set(leefgebieden)
    return [
        item
        for item in catalogus
        if item.leefgebied in wanted and item.doelgroep in (doelgroep, "beide")
    ]
