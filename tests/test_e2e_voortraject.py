"""The voortraject through the real HTTP stack with authentication on, on SQLite and PostgreSQL:
referral → PGA-expert notified 1:1 → triage → casusregisseur → letter downloaded and read back."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator

import pytest
from docx import Document

from bot.app import DATABASE
from tests.e2e import Bot, running_bot
from tests.helpers import (
    IDENTIFIERS,
    RESIDENT_ADDRESS,
    RESIDENT_NAME,
    aanmelding_values,
    future_date,
    professional_id,
)
from tests.hosts import bot_host  # noqa: F401  (every test here runs on both hosts)

pytestmark = pytest.mark.e2e
CHANNEL = "19:kanaal-zuiderstad@thread.tacv2"


@pytest.fixture
async def bot(standin, database_url: str) -> AsyncIterator[Bot]:
    async with running_bot(standin, database_url) as running:
        yield running


async def card_of(bot: Bot, who: str, verb: str, data: dict, **kw) -> str:
    status, body = await bot.post(bot.invoke(who, verb, data, **kw))
    assert status == 200, body
    assert body["statusCode"] == 200
    return json.dumps(body["value"], ensure_ascii=False)


async def test_voortraject_end_to_end(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # Fatima installs the bot (personal) and links the team channel.
    greet = bot.activity(
        "a1", kind="conversationUpdate", membersAdded=[{"id": f"28:{bot.standin.app_id}"}]
    )
    assert (await bot.post(greet))[0] == 200
    await bot.sent("Casusoverleg", conversation="a:personal-a1")
    mention = {
        "type": "mention",
        "text": "<at>Casusoverleg</at>",
        "mentioned": {"id": f"28:{bot.standin.app_id}", "name": "Casusoverleg"},
    }
    assert (
        await bot.post(
            bot.activity(
                "a1",
                text="<at>Casusoverleg</at> kanaal",
                conversation_type="channel",
                entities=[mention],
            )
        )
    )[0] == 200
    await bot.sent("meldingen van nieuwe aanmeldingen", conversation=CHANNEL)

    # Jeroen (police) refers a resident from his personal chat.
    assert (await bot.post(bot.activity("a2", text="aanmelden")))[0] == 200
    await bot.sent("Aanmelding PGA", conversation="a:personal-a2")
    values = await aanmelding_values(bot.db)
    confirmed = await card_of(bot, "a2", "aanmelding.indienen", values)
    code = re.search(r"PGA-\d{4}-\d{3}", confirmed).group(0)

    # Fatima gets a 1:1 notice; the channel gets the pseudonym only.
    notice = await bot.sent(f"Nieuwe aanmelding {code}", conversation="a:personal-a1")
    assert notice.authorized
    await bot.sent(f"Nieuwe aanmelding {code}, jeugd, 3 leefgebieden", conversation=CHANNEL)

    casus = json.loads(json.dumps(notice.body))["attachments"][0]["content"]["actions"][0]["data"]
    triage = await card_of(bot, "a1", "triage.open", casus)
    assert RESIDENT_NAME in triage

    # Linda (not linked) presses the forwarded triage button: refused, nothing shown.
    refused = await card_of(bot, "a5", "triage.open", casus)
    assert RESIDENT_NAME not in refused and "geen toegang" in refused

    sanne = await professional_id(bot.db, "a3", bot.standin.tenant_id)
    decided = await card_of(
        bot,
        "a1",
        "triage.besluit",
        {
            **casus,
            "besluit": "opnemen",
            "eigen_grondslag": "art6_1e",
            "casusregisseur": str(sanne),
            "startgesprek_datum": future_date(),
            "startgesprek_tijd": "10:00",
        },
    )
    assert "Opnemen in de PGA" in decided
    await bot.sent(f"Uitkomst aanmelding {code}", conversation="a:personal-a2")

    letter = await card_of(
        bot,
        "a1",
        "brief.maken",
        {
            **casus,
            "adres": RESIDENT_ADDRESS,
            "postcode": "1234 AB",
            "woonplaats": "Zuiderstad",
            "startgesprek_datum": future_date(),
            "startgesprek_tijd": "10:00",
            "startgesprek_locatie": "Stadhuis",
        },
    )
    url = re.search(r'"url": "([^"]+)"', letter).group(1)
    async with bot.http.get(url) as page:  # what a link preview or scanner would fetch
        assert page.status == 200 and 'method="post"' in await page.text()
    async with bot.http.post(url) as response:
        assert response.status == 200
        assert "brief-BR-" in response.headers["Content-Disposition"]
        assert code not in response.headers["Content-Disposition"]
        document = Document(io.BytesIO(await response.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert RESIDENT_NAME in text and RESIDENT_ADDRESS in text and "{{" not in text
    assert "om 10:00 op Stadhuis" in text  # Amsterdam time, on SQLite and PostgreSQL alike
    async with bot.http.get(url) as used_page:
        assert used_page.status == 403 and "al gebruikt" in await used_page.text()
    async with bot.http.post(url) as again:
        assert again.status == 403  # a link works once
        assert "al gebruikt of verlopen" in await again.text()
    async with bot.http.get(url[:-3] + "xyz") as forged:
        assert forged.status == 403
    async with bot.app[DATABASE].unit_of_work() as uow:
        attempts = [e for e in await uow.audit.events() if e.event.startswith("document.")]
    # Every attempt, also the forged one, is in the audit log with where it came from;
    # the access log has neither the address nor the agent.
    assert len(attempts) == 5, [(e.event, e.outcome, e.details) for e in attempts]
    assert all("ip=127.0.0.1" in (e.details or "") for e in attempts), [e.details for e in attempts]
    assert [e.outcome for e in attempts].count("denied") == 3
    assert "ip=127.0.0.1" not in "\n".join(r.getMessage() for r in caplog.records)

    # Privacy: the channel and the logs never name the resident.
    channel_posts = [
        json.dumps(c.body, ensure_ascii=False)
        for c in bot.standin.recorded
        if c.conversation_id == CHANNEL
    ]
    assert channel_posts
    logs = "\n".join(record.getMessage() for record in caplog.records)
    token = url.rsplit("/", 1)[1]
    assert token not in logs and "/brieven/…" in logs
    for identifier in IDENTIFIERS:
        assert all(identifier not in post for post in channel_posts), identifier
        assert identifier not in logs, identifier
    assert all(call.authorized for call in bot.standin.recorded)
