"""Anchors of the audit log kept outside the database (#20, DESIGN §3.5).

The hash chain proves that no event inside the log was changed, inserted or removed, but not
that the newest events are all there: whoever may delete rows can cut off the tail, and the
shorter chain still verifies. An anchor is the head of the chain at one moment (the id and
hash of the newest event, its time, the number of events) written where the bot's database
roles cannot change it: a file on write-once storage, or the platform's log stream.
`python -m store.audit verify --anchor FILE` then fails when an anchored event is gone or
differs, unless the audit term removed it (`prune`), which only events older than the term
can be.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ANCHOR_FORMAT = "casusoverleg-audit-anker-v1"


class AnchorFileError(Exception):
    """An anchor file that cannot be read; the message is Dutch and says what to do."""


@dataclass(frozen=True)
class Anchor:
    """The head of the chain when the anchor was written."""

    last_id: int
    hash: str
    at: dt.datetime  # when the anchored event was recorded (UTC)
    count: int  # events in the chain then (from its start or the last prune)
    written_at: dt.datetime

    def line(self) -> str:
        return json.dumps(
            {
                "format": ANCHOR_FORMAT,
                "last_id": self.last_id,
                "hash": self.hash,
                "at": self.at.isoformat(),
                "count": self.count,
                "written_at": self.written_at.isoformat(),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_line(cls, line: str) -> Anchor:
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
            raise ValueError("not an anchor")
        digest = str(data["hash"])
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValueError("not a SHA-256 hash")
        return cls(
            last_id=int(data["last_id"]),
            hash=digest,
            at=_utc(dt.datetime.fromisoformat(data["at"])),
            count=int(data["count"]),
            written_at=_utc(dt.datetime.fromisoformat(data["written_at"])),
        )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in a file of anchor lines (as `anchor` appends them); blank lines and
    other log lines around them (a log stream export) are passed over."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AnchorFileError(f"Ankerbestand niet te lezen: {path} ({error.strerror}).") from None
    anchors = []
    for number, line in enumerate(lines, 1):
        if ANCHOR_FORMAT not in line:
            continue
        try:
            anchors.append(Anchor.from_line(line[line.index("{") :]))
        except (ValueError, KeyError, TypeError):
            raise AnchorFileError(
                f"Regel {number} van {path} is geen geldig anker. Herstel het bestand uit de "
                "onveranderbare opslag."
            ) from None
    if not anchors:
        raise AnchorFileError(f"Geen anker gevonden in {path}.")
    return anchors


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Append one line and flush it to disk before saying it was written."""
    with path.open("a", encoding="utf-8") as file:
        file.write(anchor.line() + "\n")
        file.flush()
        os.fsync(file.fileno())


@dataclass(frozen=True)
class AnchorBreak:
    """An anchor the log no longer holds: the event is gone, or it is another event now."""

    anchor: Anchor
    found_hash: str | None  # None: the event is missing

    def message(self) -> str:
        when = f"{self.anchor.written_at:%d-%m-%Y %H:%M} UTC"
        if self.found_hash is None:
            return (
                f"Auditlog onvolledig: het anker van {when} noemt gebeurtenis "
                f"{self.anchor.last_id}, maar die staat niet meer in het log. Er zijn "
                "gebeurtenissen verwijderd."
            )
        return (
            f"Auditlog herschreven: gebeurtenis {self.anchor.last_id} heeft een andere hash dan "
            f"in het anker van {when}."
        )


@dataclass(frozen=True)
class Pruned:
    """A removal by the audit term, as `audit_anker` records it."""

    last_id: int
    older_than: dt.datetime


def anchor_breaks(
    anchors: Iterable[Anchor],
    found: Mapping[int, str],
    pruned: Sequence[Pruned],
    term_start: dt.datetime,
) -> list[AnchorBreak]:
    """The anchors the log does not hold. `found` maps the anchored ids still in the chain to
    their hashes. An anchored event may be absent only if a prune removed it and it is older
    than the audit term (`term_start` = now − AUDIT_RETENTION_DAYS): a prune row written to
    hide recent deletions does not excuse them."""
    breaks = []
    for anchor in anchors:
        digest = found.get(anchor.last_id)
        if digest == anchor.hash:
            continue
        if digest is None and _pruned_by_term(anchor, pruned, term_start):
            continue
        breaks.append(AnchorBreak(anchor, digest))
    return breaks


def _pruned_by_term(anchor: Anchor, pruned: Sequence[Pruned], term_start: dt.datetime) -> bool:
    at = _utc(anchor.at)
    return at < _utc(term_start) and any(
        p.last_id >= anchor.last_id and at < _utc(p.older_than) for p in pruned
    )
