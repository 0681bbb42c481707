"""Which Bot Connector addresses (an activity's serviceUrl) the bot accepts and calls.

An activity names the address the bot answers at, and every reply, proactive notice and
stored conversation reference goes there. A channel token binds it (the serviceurl claim), but
not every path of the SDK checks that binding, and a reference stored once is used for months.
So, like the Microsoft 365 Agents SDK's OutboundHostValidator, the host is checked against an
allow-list on every incoming activity and before every outgoing call.

Outside local mode: https only, and the host is one of ALLOWED_SERVICE_URL_HOSTS (exact names,
or `*.suffix` for any name under suffix). In local mode: only this machine (127.0.0.0/8, ::1,
localhost), http or https.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# The Bot Connector of Teams in the public cloud, GCC, GCC High and DoD.
DEFAULT_SERVICE_URL_HOSTS = (
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
)
MAX_URL_LENGTH = 2048
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
# Characters on which URL parsers disagree (userinfo, backslash, whitespace, controls): a URL
# with any of them is refused, so the host checked here is the host aiohttp and requests call.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\@]")


class ServiceUrlNotAllowed(PermissionError):
    """An outgoing call to a service URL whose host is not allowed; nothing was sent."""


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _valid_host(host: str) -> bool:
    return bool(_HOST_NAME.fullmatch(host)) or _ip(host) is not None


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    address = _ip(host)
    return address is not None and address.is_loopback


def host_of(url: object, schemes: Iterable[str] = ("https",)) -> str | None:
    """The lower-case host of a well-formed absolute URL with one of `schemes`, else None."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH or not url.isascii():
        return None
    if _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes:
        return None
    host = parts.hostname or ""
    if _HOST_NAME.fullmatch(host):
        return host
    address = _ip(host)
    return str(address) if address is not None else None


def parse_host_entries(value: str) -> tuple[str, ...]:
    """`a.example.com, *.example.org` as normalised entries; ValueError names a bad one."""
    entries = []
    for raw in value.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry.startswith("[") and entry.endswith("]"):
            entry = entry[1:-1]
        if entry.startswith("*."):
            suffix = entry[2:]
            if not _HOST_NAME.fullmatch(suffix) or "." not in suffix:
                raise ValueError(raw.strip())
        elif not _valid_host(entry):
            raise ValueError(raw.strip())
        address = _ip(entry)
        entries.append(str(address) if address is not None else entry)
    return tuple(entries)


@dataclass(frozen=True)
class ServiceUrlPolicy:
    exact: frozenset[str]
    suffixes: tuple[str, ...] = ()  # each with its leading dot: ".example.com"
    loopback_only: bool = False

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> ServiceUrlPolicy:
        entries = tuple(entries)
        return cls(
            exact=frozenset(e for e in entries if not e.startswith("*.")),
            suffixes=tuple(e[1:] for e in entries if e.startswith("*.")),
        )

    @classmethod
    def loopback(cls) -> ServiceUrlPolicy:
        return cls(exact=frozenset(), loopback_only=True)

    def host(self, url: object) -> str | None:
        """The host of `url` if the bot may accept and call it, else None."""
        if self.loopback_only:
            host = host_of(url, ("http", "https"))
            return host if host is not None and is_loopback_host(host) else None
        host = host_of(url)
        if host is None:
            return None
        if host in self.exact or any(host.endswith(suffix) for suffix in self.suffixes):
            return host
        return None

    def allows(self, url: object) -> bool:
        return self.host(url) is not None

    def check(self, url: object) -> None:
        if self.host(url) is None:
            raise ServiceUrlNotAllowed("service URL host not allowed")
