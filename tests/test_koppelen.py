"""Koppelen (issue #9): partners on a casus with the sharing checklist, advisers who see
nothing identifying, ontkoppelen, the casusregisseur later, and bad input."""

from __future__ import annotations

from sqlalchemy import select

from store.models import Betrokkene
from tests.helpers import (
    RESIDENT_NAME,
    act,
    card_text,
    casus_id,
    decide,
    future_date,
    organisatie_ids,
    professional_id,
    say,
    submit_aanmelding,
)
from tests.inspect import active_links
from tests.test_voortraject import pending_texts

CHECKLIST = {
    "rol": "betrokken",
    "doel": "Reclasseringstoezicht afstemmen met de aanpak",
    "grondslag": "art6_1e",
    "uitzondering": "art10_uavg",
    "beroepsgeheim": "geen",
    "noodzaak": "Zonder de afspraken van het toezicht werkt het plan langs elkaar heen.",
    "geinformeerd": "ja",
}


async def opgenomen(db, config, regisseur: str | None = "a3") -> tuple[str, int]:
    # Every organisation named as partner, the reclassering too (as in the README).
    code = await submit_aanmelding(db, config, partners=",".join(await organisatie_ids(db)))
    cid = await casus_id(db, code)
    extra = {"casusregisseur": str(await professional_id(db, regisseur))} if regisseur else {}
    await decide(db, config, cid, besluit="opnemen", startgesprek_datum=future_date(), **extra)
    return code, cid


async def link(db, config, cid: int, who: str, **overrides: str):
    values = {**CHECKLIST, "professional": str(await professional_id(db, who)), **overrides}
    return await act(db, config, "a1", "koppelen.opslaan", {"casus": cid, **values})


async def test_linked_partner_sees_the_casus_with_identity_in_private(demo_any_db, config):
    code, cid = await opgenomen(demo_any_db, config)
    ahmed = await professional_id(demo_any_db, "a4")
    before = await say(demo_any_db, config, "a4", f"casus {code}")
    assert "geen toegang" in (before.text or "")
    form = await say(demo_any_db, config, "a1", f"koppelen {code}")
    # A partner named in the aanmelding is proposed first; who is linked already, is not.
    text = card_text(form.card)
    assert "Ahmed Yilmaz (Reclassering Nederland): voorgesteld" in text
    assert "Sanne Bakker (GGZ Zuiderstad) (al gekoppeld)" in text
    done = await link(demo_any_db, config, cid, "a4")
    assert "is gekoppeld" in card_text(done.card)
    notice = "\n".join(await pending_texts(demo_any_db, ahmed))
    assert f"gekoppeld aan {code}" in notice and RESIDENT_NAME not in notice
    seen = await say(demo_any_db, config, "a4", f"casus {code}")
    assert RESIDENT_NAME in card_text(seen.card)
    async with demo_any_db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(Betrokkene).where(Betrokkene.professional_id == ahmed)
        )
        events = [(e.event, e.details or "") for e in await uow.audit.events(cid)]
    assert row is not None and row.noodzaak and row.uitzondering == "art10_uavg"
    assert row.bewoner_geinformeerd is True and row.toegevoegd_door_id
    assert any(e == "betrokkene.koppelen" and f"professional={ahmed}" in d for e, d in events)


async def test_an_adviser_sees_nothing_identifying(demo_any_db, config):
    demo_db = demo_any_db  # on SQLite and PostgreSQL (#9)
    code, cid = await opgenomen(demo_db, config)
    await link(demo_db, config, cid, "a5", rol="adviserend")
    seen = await say(demo_db, config, "a5", f"casus {code}")
    text = card_text(seen.card)
    assert code in text and "adviseert" in text and RESIDENT_NAME not in text
    refused = await act(demo_db, config, "a5", "brief.open", {"casus": cid})
    assert refused.card is None


async def test_ontkoppelen_ends_access_and_drops_queued_messages(demo_any_db, config):
    code, cid = await opgenomen(demo_any_db, config)
    ahmed = await professional_id(demo_any_db, "a4")
    await link(demo_any_db, config, cid, "a4")
    assert any(f"gekoppeld aan {code}" in t for t in await pending_texts(demo_any_db, ahmed))
    ended = await act(
        demo_any_db,
        config,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": cid, "koppeling": f"{ahmed}:betrokken", "reden": "Toezicht is afgelopen"},
    )
    assert "is ontkoppeld" in card_text(ended.card)
    refused = await say(demo_any_db, config, "a4", f"casus {code}")
    assert refused.card is None and "geen toegang" in (refused.text or "")
    async with demo_any_db.unit_of_work() as uow:
        import datetime as dt

        await uow.berichten.claim("test", 50, dt.timedelta(minutes=1))
        await uow.commit()
    left = await pending_texts(demo_any_db, ahmed)
    assert not any(f"gekoppeld aan {code}" in t for t in left)  # queued before: not sent
    assert any(f"ontkoppeld van {code}" in t for t in left)
    async with demo_any_db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(Betrokkene).where(Betrokkene.professional_id == ahmed)
        )
    assert row is not None and row.tot is not None and row.tot_reden == "Toezicht is afgelopen"


async def test_linking_again_needs_no_retyping(demo_any_db, config):
    code, cid = await opgenomen(demo_any_db, config)
    ahmed = await professional_id(demo_any_db, "a4")
    await link(demo_any_db, config, cid, "a4")
    await act(
        demo_any_db,
        config,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": cid, "koppeling": f"{ahmed}:betrokken", "reden": "Even niet nodig"},
    )
    form = await say(demo_any_db, config, "a1", f"koppelen {code}")
    assert "opnieuw" in card_text(form.card).lower()
    again = await act(
        demo_any_db,
        config,
        "a1",
        "koppelen.opnieuw",
        {"casus": cid, "professional": ahmed, "rol": "betrokken"},
    )
    assert "is gekoppeld" in card_text(again.card)
    async with demo_any_db.unit_of_work() as uow:
        links = [b for b in await active_links(uow, cid) if b.professional_id == ahmed]
    assert len(links) == 1 and links[0].noodzaak == CHECKLIST["noodzaak"]


async def test_casusregisseur_appointed_later_and_replaced(demo_any_db, config):
    demo_db = demo_any_db  # on SQLite and PostgreSQL (#9)
    code, cid = await opgenomen(demo_db, config, regisseur=None)
    sanne = await professional_id(demo_db, "a3")
    kees = await professional_id(demo_db, "a6")
    await link(demo_db, config, cid, "a3", rol="casusregisseur")
    await link(demo_db, config, cid, "a6", rol="casusregisseur")
    async with demo_db.unit_of_work() as uow:
        regisseurs = [
            b.professional_id for b in await active_links(uow, cid) if b.rol == "casusregisseur"
        ]
    assert regisseurs == [kees]
    assert any(f"ontkoppeld van {code}" in t for t in await pending_texts(demo_db, sanne))
    assert any(f"gekoppeld aan {code}" in t for t in await pending_texts(demo_db, kees))


async def test_bad_input_gets_a_message_and_changes_nothing(demo_any_db, config):
    _, cid = await opgenomen(demo_any_db, config)
    fatima = await professional_id(demo_any_db, "a1")
    await link(demo_any_db, config, cid, "a4")
    twice = await link(demo_any_db, config, cid, "a4")
    assert "al gekoppeld" in card_text(twice.card)
    for field, message in (("doel", "doel op"), ("grondslag", "Kies een van")):
        missing = await link(demo_any_db, config, cid, "a5", **{field: ""})
        assert message in card_text(missing.card)
    unknown = await act(
        demo_any_db,
        config,
        "a1",
        "koppelen.opslaan",
        {"casus": cid, **CHECKLIST, "professional": "999"},
    )
    assert "Kies een professional" in card_text(unknown.card)
    not_told = await link(demo_any_db, config, cid, "a5", geinformeerd="nee")
    assert "waarom de bewoner" in card_text(not_told.card)
    last_expert = await act(
        demo_any_db,
        config,
        "a1",
        "ontkoppelen.opslaan",
        {"casus": cid, "koppeling": f"{fatima}:pga_expert", "reden": "x"},
    )
    assert "laatste PGA-expert" in card_text(last_expert.card)
    async with demo_any_db.unit_of_work() as uow:
        links = await active_links(uow, cid)
    assert sorted(b.rol for b in links) == [
        "betrokken",
        "betrokken",
        "casusregisseur",
        "pga_expert",
    ]


async def test_only_the_pga_expert_links(demo_any_db, config):
    demo_db = demo_any_db  # on SQLite and PostgreSQL (#9)
    _, cid = await opgenomen(demo_db, config)
    for who, answer in (
        ("a2", "doet de PGA-expert"),  # the aanmelder: on the casus, told who does it
        ("a3", "doet de PGA-expert"),  # the casusregisseur likewise
        ("a5", "geen toegang"),  # unlinked: learns nothing
    ):
        refused = await act(
            demo_db,
            config,
            who,
            "koppelen.opslaan",
            {"casus": cid, **CHECKLIST, "professional": str(await professional_id(demo_db, who))},
        )
        assert refused.card is None and answer in (refused.text or "")


async def test_a_switched_off_professional_cannot_be_linked(demo_any_db, config):
    demo_db = demo_any_db  # on SQLite and PostgreSQL (#9)
    _, cid = await opgenomen(demo_db, config)
    linda = await professional_id(demo_db, "a5")
    from store.models import Professional

    async with demo_db.unit_of_work() as uow:
        person = await uow.session.get(Professional, linda)
        assert person is not None
        person.actief = False
        await uow.commit()
    refused = await link(demo_db, config, cid, "a5")
    assert "Kies een professional" in card_text(refused.card)


async def test_a_professional_of_another_tenant_cannot_be_linked(demo_any_db, config):
    """Bad input of #9: offered nowhere, refused when forged, and nothing is linked."""
    _, cid = await opgenomen(demo_any_db, config)
    async with demo_any_db.unit_of_work() as uow:
        stranger = await uow.people.add_professional(
            tenant_id="11111111-1111-4111-8111-111111111111",
            aad_object_id="99999999-0000-4000-8000-0000000000d1",
            naam="Elders Werkzaam",
        )
        await uow.commit()
        stranger_id = stranger.id
    opened = await act(demo_any_db, config, "a1", "koppelen.open", {"casus": cid})
    assert "Elders Werkzaam" not in card_text(opened.card)
    async with demo_any_db.unit_of_work() as uow:
        before = len(await active_links(uow, cid))
    refused = await act(
        demo_any_db,
        config,
        "a1",
        "koppelen.opslaan",
        {"casus": cid, **CHECKLIST, "professional": str(stranger_id)},
    )
    assert "Kies een professional" in card_text(refused.card)
    async with demo_any_db.unit_of_work() as uow:
        assert len(await active_links(uow, cid)) == before
