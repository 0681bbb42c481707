"""Short-lived signed links for files with identifying data (the letter to the resident)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DownloadGrant:
    casus_id: int
    professional_id: int
    expires_at: int
    # Identifies the link, so that it works once.
    link_id: str = field(default_factory=lambda: secrets.token_urlsafe(12))


def sign(grant: DownloadGrant, key: bytes) -> str:
    payload = json.dumps(
        {
            "c": grant.casus_id,
            "p": grant.professional_id,
            "e": grant.expires_at,
            "j": grant.link_id,
        },
        separators=(",", ":"),
    ).encode()
    body = _b64(payload)
    return f"{body}.{_b64(_mac(key, body))}"


def verify(token: str, key: bytes, now: float | None = None) -> DownloadGrant | None:
    """The grant, or None when the token is forged, malformed or expired."""
    try:
        body, signature = token.split(".", 1)
        if not hmac.compare_digest(_unb64(signature), _mac(key, body)):
            return None
        data = json.loads(_unb64(body))
        grant = DownloadGrant(int(data["c"]), int(data["p"]), int(data["e"]), str(data["j"]))
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return None
    return grant if grant.expires_at > (now or time.time()) else None


def _mac(key: bytes, body: str) -> bytes:
    return hmac.new(key, body.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
