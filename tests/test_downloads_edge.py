"""The download pages are open to anyone (#20, finding 4): what such a request may put in the
audit log, where its address comes from, how often it may come, and that a token which was
never issued costs no database work. Over HTTP with the real app on loopback, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from bot.app import DATABASE
from bot.downloads import (
    AGENT_WORDS,
    DownloadLimiter,
    ProxyPolicy,
    agent_family,
    bucket_key,
    parse_address,
)
from bot.settings import ConfigurationError, Settings
from store.audit import verify_chain
from store.documents import TOKEN_LENGTH, well_formed
from store.models import AuditEvent
from tests.e2e import Bot, running_bot
from tests.helpers import RESIDENT_NAME
from tests.test_e2e_voortraject import card_of

pytestmark = pytest.mark.e2e
PAGES = ("/brieven/", "/documenten/", "/verslagen/")
# A resident's name and markup in a User-Agent, as an attacker (or a curious tester) sends it.
HOSTILE_AGENT = f"Mozilla/5.0 <script>alert('{RESIDENT_NAME}')</script> Firefox/121.0"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
CLIENT = re.compile(r"ip=(\S+) ua=(\S+)$")
QUIET = {"OUTBOX_INTERVAL_SECONDS": "3600", "JOBS_INTERVAL_SECONDS": "3600"}


def unknown_token() -> str:
    """Well formed, never issued: the database is asked, and says no."""
    return secrets.token_urlsafe(32)


async def document_events(bot: Bot) -> list[AuditEvent]:
    async with bot.app[DATABASE].unit_of_work() as uow:  # type: ignore[index]
        return [e for e in await uow.audit.events() if e.event.startswith("document.")]


def client_of(entry: AuditEvent) -> tuple[str, str]:
    found = CLIENT.search(entry.details or "")
    assert found, entry.details
    return found.group(1), found.group(2)


@contextmanager
def statements(bot: Bot) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs while the block runs."""
    seen: list[str] = []
    engine = bot.app[DATABASE].engine.sync_engine  # type: ignore[index]

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def settle(bot: Bot) -> None:
    """Wait until the start-up rounds of the outbox and the jobs have run (then they sleep)."""
    with statements(bot) as seen:
        while True:
            before = len(seen)
            await asyncio.sleep(0.5)
            if len(seen) == before:
                return


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


async def test_a_user_agent_with_a_name_and_markup_stores_none_of_it(bot: Bot) -> None:
    token = unknown_token()
    for page in ("/brieven/", "/documenten/"):
        url = f"{bot.url}{page}{token}"
        async with bot.http.get(url, headers={"User-Agent": HOSTILE_AGENT}) as response:
            assert response.status == 403
        async with bot.http.post(url, headers={"User-Agent": HOSTILE_AGENT}) as response:
            assert response.status == 403
    attempts = await document_events(bot)
    assert len(attempts) == 4, [e.details for e in attempts]
    for entry in attempts:
        stored = " ".join(str(getattr(entry, c.key)) for c in AuditEvent.__table__.columns)
        assert "Oudeman" not in stored and "<" not in stored and "script" not in stored, stored
        assert client_of(entry) == ("127.0.0.1", "firefox")


async def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(bot: Bot) -> None:
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Client-IP": "198.51.100.8"}
    async with bot.http.get(f"{bot.url}/brieven/{unknown_token()}", headers=headers) as response:
        assert response.status == 403
    (entry,) = await document_events(bot)
    assert client_of(entry)[0] == "127.0.0.1"  # the socket peer, not what the client claims


# App Service's front end appends the address it saw (with a port); what stands left of it is
# whatever the client sent.
FORWARDED = [
    ("6.6.6.6, 198.51.100.7:50123", "198.51.100.7"),
    ("[2001:db8::5]:443", "2001:db8::5"),
    (f"<b>{RESIDENT_NAME}</b>", "onbekend"),
    ("198.51.100.7, fe80::1%eth0", "onbekend"),
    ("", "onbekend"),
]


async def test_with_a_trusted_proxy_header_only_a_valid_address_is_taken(
    standin, database_url: str
) -> None:
    async with running_bot(standin, database_url, TRUSTED_PROXY_HEADER="X-Forwarded-For") as bot:
        for forwarded, _ in FORWARDED:
            url = f"{bot.url}/documenten/{unknown_token()}"
            async with bot.http.post(url, headers={"X-Forwarded-For": forwarded}) as response:
                assert response.status == 403
        attempts = await document_events(bot)
    assert [client_of(e)[0] for e in attempts] == [stored for _, stored in FORWARDED]
    assert not any("Oudeman" in (e.details or "") or "eth0" in (e.details or "") for e in attempts)


async def test_a_flood_gets_429_and_stops_writing_audit_rows(standin, database_url: str) -> None:
    overrides = {"DOWNLOAD_ATTEMPTS_PER_MINUTE": "5", "TRUSTED_PROXY_HEADER": "X-Forwarded-For"}
    async with running_bot(standin, database_url, **overrides) as bot:
        flooder = {"X-Forwarded-For": "203.0.113.9"}
        statuses, waits = [], []
        for attempt in range(20):
            url = f"{bot.url}{PAGES[attempt % 3]}{unknown_token()}"
            async with bot.http.get(url, headers=flooder) as response:
                statuses.append(response.status)
                if response.status == 429:
                    waits.append(int(response.headers["Retry-After"]))
                    text = await response.text()
                    assert "Te veel pogingen" in text and "Wacht" in text
        assert statuses == [403] * 5 + [429] * 15
        assert all(wait >= 1 for wait in waits)
        # Another address is not held up by the flood.
        other = {"X-Forwarded-For": "203.0.113.10"}
        async with bot.http.get(f"{bot.url}/brieven/{unknown_token()}", headers=other) as answer:
            assert answer.status == 403
        attempts = await document_events(bot)
        report = await verify_chain(bot.app[DATABASE].engine)  # type: ignore[index]
    # Five attempts, one event for the start of the flood, then nothing; the other address.
    assert [(e.event, client_of(e)[0]) for e in attempts] == [
        *[("document.link", "203.0.113.9")] * 5,
        ("document.limiet", "203.0.113.9"),
        ("document.link", "203.0.113.10"),
    ]
    assert report.intact, report.message()


MALFORMED = [
    "nonsense",  # too short
    "A" * (TOKEN_LENGTH - 1),
    "A" * (TOKEN_LENGTH + 1),
    "A" * (TOKEN_LENGTH - 1) + "=",  # padding is never issued
    "A" * (TOKEN_LENGTH - 1) + "%2B",  # '+' and '/' are the other base64 alphabet
    "A" * (TOKEN_LENGTH - 1) + "%C3%A9",  # é
    "%3Cb%3EOudeman%3C%5Cb%3E",  # <b>Oudeman<\b>
]


async def test_a_malformed_token_never_reaches_the_database(standin, database_url: str) -> None:
    async with running_bot(standin, database_url, **QUIET) as bot:
        await settle(bot)
        with statements(bot) as seen:
            for token in MALFORMED:
                for page in PAGES:
                    for method in ("GET", "POST"):
                        url = f"{bot.url}{page}{token}"
                        async with bot.http.request(method, url) as response:
                            assert response.status == 404, (method, page, token)
                            assert "Deze link klopt niet" in await response.text()
            refused = list(seen)
            # The counter does see a request that may reach the database: a well-formed one.
            async with bot.http.get(f"{bot.url}/brieven/{unknown_token()}") as response:
                assert response.status == 403
        attempts = await document_events(bot)
    assert refused == []
    assert len(seen) > 0
    assert len(attempts) == 1  # only the well-formed attempt is audited


async def test_a_valid_link_still_works_once(bot: Bot) -> None:
    today = dt.date.today().isoformat()
    monitor = await card_of(bot, "a1", "monitor.excel", {"van": today, "tot": today})
    found = re.search(r'"url": "([^"]+/documenten/[^"]+)"', monitor)
    assert found, monitor
    url = found.group(1)
    browser = {"User-Agent": FIREFOX}
    async with bot.http.get(url, headers=browser) as page:
        assert page.status == 200 and 'method="post"' in await page.text()
    async with bot.http.post(url, headers=browser) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].endswith("spreadsheetml.sheet")
        assert len(await response.read()) > 0
    async with bot.http.post(url, headers=browser) as again:
        assert again.status == 403
    attempts = await document_events(bot)
    report = await verify_chain(bot.app[DATABASE].engine)  # type: ignore[index]
    assert [(e.event, e.outcome) for e in attempts] == [
        ("document.link", "success"),
        ("document.downloaden", "success"),
        ("document.downloaden", "denied"),
    ]
    # NEN 7513: who (the professional the link was for), when, what, from where.
    success = attempts[1]
    assert success.actor_professional_id is not None and success.actor_object_id
    assert success.at is not None and success.action == "R"
    assert success.origin_conversation_type == "download"
    assert all(client_of(e) == ("127.0.0.1", "firefox") for e in attempts)
    assert report.intact, report.message()


# --- the parts, without a server -------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (FIREFOX, "firefox"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "chrome"),
        (
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 "
            "Edg/120.0.2210.91",
            "edge",
        ),
        ("Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Version/17.1 Mobile Safari/604.1", "safari"),
        ("Mozilla/5.0 (Windows NT 10.0) Teams/1.6.00 Chrome/108 Electron/22 Safari", "teams"),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "scanner"),
        ("curl/8.4.0", "script"),
        (HOSTILE_AGENT, "firefox"),
        (f"{RESIDENT_NAME} 17-04-2003", "anders"),
        ("", "geen"),
        (None, "geen"),
    ],
)
def test_a_user_agent_becomes_one_word_of_a_fixed_list(agent: str | None, family: str) -> None:
    assert agent_family(agent) == family
    assert family in AGENT_WORDS


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5:50123 ", "203.0.113.5"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("fe80::1%eth0", None),
        ("[2001:db8::1", None),
        ("203.0.113.5.6", None),
        ("unknown", None),
        ("<b>Oudeman</b>", None),
        ("1" * 100, None),
        ("", None),
    ],
)
def test_only_an_ip_address_is_taken(text: str, address: str | None) -> None:
    assert parse_address(text) == address


def test_the_client_is_counted_from_the_right_of_the_trusted_header() -> None:
    assert ProxyPolicy().client_address(["198.51.100.7"], "10.0.0.4") == "10.0.0.4"
    one = ProxyPolicy("X-Forwarded-For", 1)
    assert one.client_address(["6.6.6.6, 198.51.100.7"], "10.0.0.4") == "198.51.100.7"
    assert one.client_address(["6.6.6.6", "198.51.100.7"], "10.0.0.4") == "198.51.100.7"
    assert one.client_address([], "10.0.0.4") == "10.0.0.4"  # not through the proxy
    two = ProxyPolicy("X-Forwarded-For", 2)
    assert two.client_address(["6.6.6.6, 198.51.100.7, 10.1.0.9"], "x") == "198.51.100.7"
    assert two.client_address(["10.1.0.9"], "10.0.0.4") == "10.0.0.4"
    assert ProxyPolicy().client_address([], "not an address") == "onbekend"


def test_the_trusted_proxy_settings() -> None:
    base = {"LOCAL_MODE": "1"}
    assert Settings.from_env(base).trusted_proxy == ProxyPolicy()
    assert Settings.from_env(base).download_attempts_per_minute == 30
    configured = Settings.from_env(
        {**base, "TRUSTED_PROXY_HEADER": "X-Forwarded-For", "TRUSTED_PROXY_COUNT": "2"}
    )
    assert configured.trusted_proxy == ProxyPolicy("X-Forwarded-For", 2)
    for bad in ({"TRUSTED_PROXY_HEADER": "X-Forwarded-For: 1"}, {"TRUSTED_PROXY_COUNT": "0"}):
        with pytest.raises(ConfigurationError):
            Settings.from_env({**base, **bad})
    with pytest.raises(ConfigurationError):
        Settings.from_env({**base, "DOWNLOAD_ATTEMPTS_PER_MINUTE": "0"})


def test_the_limiter_refills_and_says_how_long_to_wait() -> None:
    now = [0.0]
    limiter = DownloadLimiter(6, clock=lambda: now[0])  # one attempt per 10 s
    assert all(limiter.take("a").allowed for _ in range(6))
    first, second = limiter.take("a"), limiter.take("a")
    assert not first.allowed and first.first_refusal and first.retry_after == 10
    assert not second.allowed and not second.first_refusal
    assert limiter.take("b").allowed  # per address
    now[0] = 10.0
    assert limiter.take("a").allowed
    assert limiter.take("a").first_refusal  # a new run of refusals is audited again


def test_the_limiter_memory_is_bounded_when_addresses_rotate() -> None:
    limiter = DownloadLimiter(1, max_addresses=100)
    for number in range(5_000):
        limiter.take(f"198.51.{number // 256}.{number % 256}")
        assert len(limiter) <= 100
    assert not limiter.take("198.51.19.135").allowed  # the newest are still held


def test_one_ipv6_user_is_one_address_for_the_limit() -> None:
    assert bucket_key("2001:db8:1:2::1") == bucket_key("2001:db8:1:2:ffff::9")
    assert bucket_key("2001:db8:1:2::1") != bucket_key("2001:db8:1:3::1")
    assert bucket_key("203.0.113.5") == "203.0.113.5"
    assert bucket_key("onbekend") == "onbekend"


def test_the_token_shape_is_the_generators() -> None:
    assert all(well_formed(secrets.token_urlsafe(32)) for _ in range(1_000))
    for token in ("", "A" * TOKEN_LENGTH + "\n", "A" * (TOKEN_LENGTH - 1) + "+", "é" * 43):
        assert not well_formed(token)
