"""Dutch wall-clock time for people, UTC for the database.

A date and time typed in a card mean Amsterdam time; the database keeps UTC (SQLite drops the
offset, PostgreSQL converts to the server's zone otherwise), and cards show Amsterdam time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def from_form(day: str, time: str | None, default_time: str = "00:00") -> dt.datetime:
    """A typed date and time (Amsterdam) as an aware UTC datetime for storing."""
    moment = dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time.fromisoformat(time or default_time)
    )
    return moment.replace(tzinfo=AMSTERDAM).astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today in the Netherlands, whatever zone the server runs in."""
    return dt.datetime.now(AMSTERDAM).date()


def local(stored: dt.datetime) -> dt.datetime:
    """A stored moment (naive means UTC, as SQLite returns it) in Amsterdam time."""
    aware = stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC)
    return aware.astimezone(AMSTERDAM)
