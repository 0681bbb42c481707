"""The edge of the one-time download pages: who is asking, in fixed words, and how often.

A download link is opened in a browser without a login, so everything in such a request is
chosen by whoever sends it. What reaches the audit log is built only from fixed parts: a
validated IP address (from the socket, or from the one header a configured proxy sets) and a
browser family from a short list. The rate limit lives in this process's memory: it guards the
database and the audit log against a flood, it decides nothing a request needs (README,
Security).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

UNKNOWN = "onbekend"
# Longest text form of an address with a port ("[v6]:port"); longer is not an address.
MAX_ADDRESS_TEXT = 64
# Checked in this order: Teams and Edge also say "Chrome" and "Safari", Chrome says "Safari",
# and link scanners and scripts often pretend to be a browser as well.
AGENT_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("teams", ("teams/", "microsoftteams")),
    ("scanner", ("bot", "crawl", "spider", "preview", "scan", "safelinks")),
    ("script", ("curl/", "wget/", "python", "aiohttp", "go-http-client", "powershell", "java/")),
    ("edge", ("edg/", "edge/", "edga/", "edgios/")),
    ("firefox", ("firefox/", "fxios/")),
    ("chrome", ("chrome/", "crios/", "chromium/")),
    ("safari", ("safari/",)),
)
OTHER_AGENT, NO_AGENT = "anders", "geen"
AGENT_WORDS = frozenset([family for family, _ in AGENT_FAMILIES] + [OTHER_AGENT, NO_AGENT])


def agent_family(user_agent: str | None) -> str:
    """One word from AGENT_WORDS; never any of the header's own text."""
    if not user_agent:
        return NO_AGENT
    text = user_agent[:512].lower()
    for family, needles in AGENT_FAMILIES:
        if any(needle in text for needle in needles):
            return family
    return OTHER_AGENT


def parse_address(text: str) -> str | None:
    """The IP address in `text` in its normal form, a port dropped; None for anything else.
    An IPv4-mapped IPv6 address is given as IPv4; a zone id (`%eth0`) is refused."""
    text = text.strip()
    if not text or len(text) > MAX_ADDRESS_TEXT or "%" in text:
        return None
    if text.startswith("["):  # [2001:db8::1] or [2001:db8::1]:443
        text, bracket, _port = text[1:].partition("]")
        if not bracket:
            return None
    elif text.count(":") == 1:  # 203.0.113.5:50123, as App Service writes it
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


@dataclass(frozen=True)
class ProxyPolicy:
    """Where the client address comes from: a header only a trusted proxy in front of the app
    sets (each of `count` proxies appends one entry; the client is `count` from the right),
    or, with no header configured, the socket peer."""

    header: str = ""
    count: int = 1

    def client_address(self, header_values: Iterable[str], peer: str | None) -> str:
        values = list(header_values) if self.header else []
        if not values:
            return parse_address(peer or "") or UNKNOWN
        entries = ",".join(values).split(",")
        if len(entries) < self.count:
            # Fewer entries than proxies: the request skipped one, and the peer is honest.
            return parse_address(peer or "") or UNKNOWN
        return parse_address(entries[-self.count]) or UNKNOWN


def bucket_key(address: str) -> str:
    """One IPv6 user holds a /64 and may use any address in it; IPv4 counts per address."""
    parsed = parse_address(address)
    if parsed is None:
        return UNKNOWN
    if ":" in parsed:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return parsed


@dataclass
class _Bucket:
    tokens: float
    at: float
    refused: bool = False


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the next attempt is allowed
    first_refusal: bool = False  # the first 429 of a run of them (audited once)


class DownloadLimiter:
    """A token bucket per address: `per_minute` attempts at once, refilled evenly over a minute.
    At most `max_addresses` buckets are kept, the least recently used dropped first, so an
    attacker who rotates addresses costs memory up to that bound and no more."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._max = max_addresses
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> Verdict:
        now = self._clock()
        bucket = self._buckets.pop(key, None) or _Bucket(self._capacity, now)
        self._buckets[key] = bucket  # now the most recently used
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.refused = False
            return Verdict(True)
        first = not bucket.refused
        bucket.refused = True
        wait = math.ceil((1 - bucket.tokens) / self._rate)
        return Verdict(False, retry_after=max(1, wait), first_refusal=first)
