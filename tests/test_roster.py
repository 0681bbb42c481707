"""People from the Teams roster (#9): team members by name, professionals by e-mail bound when
they first write, and bad input that changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import func, select

from dialogs import router
from dialogs.core import Incoming
from store.demo import DEMO_TENANT
from store.models import Professional, Teamlid, Uitnodiging
from store.roster import TeamAddress, TeamMember
from tests.helpers import act, card_text, organisatie_ids, say

OTHER_TENANT = "11111111-1111-4111-8111-111111111111"
NADIA = "99999999-0000-4000-8000-0000000000b1"
PIET = "99999999-0000-4000-8000-0000000000b2"
TEAM = "19:team-pga-zuiderstad@thread.tacv2"
CHANNEL = "19:kanaal-zuiderstad@thread.tacv2"


def member(name: str, object_id: str, email: str | None, **kw: object) -> TeamMember:
    values = {"tenant_id": DEMO_TENANT, "guest": False, **kw}
    return TeamMember(naam=name, email=email, aad_object_id=object_id, **values)  # type: ignore[arg-type]


ROSTER = [
    member("Nadia Bos", NADIA, "nadia@zuiderstad.example"),
    member("Jeroen de Vries", "00000000-0000-0000-0000-0000000000a2", "jeroen@politie.example"),
    member(
        "Gast Extern", "99999999-0000-4000-8000-0000000000c1", "gast@extern.example", guest=True
    ),
    member(
        "Ander Tenant",
        "99999999-0000-4000-8000-0000000000c2",
        "ander@elders.example",
        tenant_id=OTHER_TENANT,
    ),
]


def channel_of_team(who: str = "a1") -> Incoming:
    object_id = f"00000000-0000-0000-0000-0000000000{who}"
    return Incoming(
        tenant_id=DEMO_TENANT,
        aad_object_id=object_id,
        user_name="Fatima",
        conversation_id=CHANNEL,
        conversation_type="channel",
        reference={
            "conversation": {"id": CHANNEL, "conversationType": "channel"},
            "serviceUrl": "http://127.0.0.1:9/",
            "channelId": "msteams",
        },
        team_id=TEAM,
    )


def writer(object_id: str, name: str, tenant: str = DEMO_TENANT) -> Incoming:
    return Incoming(
        tenant_id=tenant,
        aad_object_id=object_id,
        user_name=name,
        conversation_id=f"personal-{object_id}",
        conversation_type="personal",
        reference={
            "user": {"id": f"29:{object_id}", "name": name, "aadObjectId": object_id},
            "conversation": {"id": f"personal-{object_id}", "conversationType": "personal"},
            "serviceUrl": "http://127.0.0.1:9/",
            "channelId": "msteams",
        },
    )


async def counts(db) -> tuple[int, int, int]:
    async with db.unit_of_work() as uow:
        return tuple(  # type: ignore[return-value]
            [
                await uow.session.scalar(select(func.count()).select_from(table)) or 0
                for table in (Professional, Uitnodiging, Teamlid)
            ]
        )


def choices(card: dict, input_id: str) -> dict[str, str]:
    found = [item for item in card["body"] if item.get("id") == input_id]
    return {c["title"]: c["value"] for c in found[0]["choices"]} if found else {}


async def test_team_members_of_the_own_tenant_are_added_by_name(demo_any_db, config) -> None:
    db = demo_any_db
    assert await router.learn_team(db, config, channel_of_team(), ROSTER) == 2
    opened = await act(db, config, "a1", "beheer.professionals")
    shown = choices(opened.card, "prof_teamlid")
    # Only Nadia: Jeroen is registered, the guest and the other tenant's member are not kept.
    assert list(shown) == ["Nadia Bos — nadia@zuiderstad.example"]
    assert "Ander Tenant" not in card_text(opened.card) and "Gast" not in card_text(opened.card)
    added = await act(
        db,
        config,
        "a1",
        "beheer.professional",
        {
            "prof_teamlid": shown["Nadia Bos — nadia@zuiderstad.example"],
            "prof_rol": "professional",
            "prof_organisatie": (await organisatie_ids(db))[0],
        },
    )
    assert "Nadia Bos is toegevoegd" in card_text(added.card)
    async with db.unit_of_work() as uow:
        nadia = await uow.people.by_identity(DEMO_TENANT, NADIA)
        assert nadia is not None and nadia.email == "nadia@zuiderstad.example"
    welcome = await router.handle_text(db, config, writer(NADIA, "Nadia Bos"), "help")
    assert welcome.card is not None and "nog niet in Casusoverleg" not in (welcome.text or "")
    again = await act(db, config, "a1", "beheer.professionals")
    assert choices(again.card, "prof_teamlid") == {}


async def test_a_team_refreshed_drops_who_left_and_the_search_filters(demo_any_db, config) -> None:
    db = demo_any_db
    many = [
        member(f"Lid {n:02d}", f"99999999-0000-4000-8000-0000000001{n:02d}", None)
        for n in range(40)
    ]
    await router.learn_team(db, config, channel_of_team(), many)
    opened = await act(db, config, "a1", "beheer.professionals")
    assert len(choices(opened.card, "prof_teamlid")) == 30  # capped, with a way to find others
    assert "30 van 40 teamleden" in card_text(opened.card)
    found = await act(db, config, "a1", "beheer.zoeken", {"prof_zoek": "lid 39"})
    assert list(choices(found.card, "prof_teamlid")) == ["Lid 39 — geen e-mail"]
    await router.learn_team(db, config, channel_of_team(), many[:3])
    assert (await counts(db))[2] == 3


async def test_adding_by_email_binds_when_they_first_write(demo_any_db, config) -> None:
    db = demo_any_db
    organisatie = (await organisatie_ids(db))[1]
    invited = await act(
        db,
        config,
        "a1",
        "beheer.professional",
        {"prof_email": "Piet@Woonstad.example", "prof_organisatie": organisatie},
    )
    assert "piet@woonstad.example is uitgenodigd" in card_text(invited.card)
    before = await counts(db)
    first = await router.handle_text(db, config, writer(PIET, "Piet Smit"), "hallo")
    assert "nog niet in Casusoverleg" in (first.text or "") and first.lookup_member
    # What the platform layer got from the Bot Connector's member lookup:
    found = member("Piet Smit", PIET, "piet@woonstad.example")
    await router.learn_member(db, config, writer(PIET, "Piet Smit"), found)
    welcome = await router.handle_text(db, config, writer(PIET, "Piet Smit"), "help")
    assert welcome.card is not None and not welcome.lookup_member
    async with db.unit_of_work() as uow:
        piet = await uow.people.by_identity(DEMO_TENANT, PIET)
        assert piet is not None and piet.naam == "Piet Smit"
        assert piet.organisatie_id == int(organisatie)
    after = await counts(db)
    assert after[0] == before[0] + 1 and after[1] == before[1] - 1


async def test_the_member_lookup_happens_once_and_only_when_someone_waits(
    demo_any_db, config
) -> None:
    db = demo_any_db
    stranger = writer(PIET, "Piet Smit")
    assert not (await router.handle_text(db, config, stranger, "hallo")).lookup_member
    await act(db, config, "a1", "beheer.professional", {"prof_email": "iemand@woonstad.example"})
    assert (await router.handle_text(db, config, stranger, "hallo")).lookup_member
    # Teams named someone else's e-mail: kept, not bound, and not asked again.
    await router.learn_member(db, config, stranger, member("Piet", PIET, "piet@woonstad.example"))
    again = await router.handle_text(db, config, stranger, "hallo")
    assert "nog niet in Casusoverleg" in (again.text or "") and not again.lookup_member
    # An answer about another tenant's user binds nothing.
    other = writer(NADIA, "Nadia")
    await act(db, config, "a1", "beheer.professional", {"prof_email": "nadia@zuiderstad.example"})
    foreign = member("Nadia", NADIA, "nadia@zuiderstad.example", tenant_id=OTHER_TENANT)
    await router.learn_member(db, config, other, foreign)
    refused = await router.handle_text(db, config, other, "hallo")
    assert "nog niet in Casusoverleg" in (refused.text or "")


async def test_an_email_of_a_known_team_member_uses_their_object_id(demo_any_db, config) -> None:
    db = demo_any_db
    await router.learn_team(db, config, channel_of_team(), ROSTER)
    added = await act(
        db, config, "a1", "beheer.professional", {"prof_email": "NADIA@zuiderstad.example"}
    )
    assert "Nadia Bos is toegevoegd" in card_text(added.card)
    assert (await counts(db))[1] == 0  # no invitation: Teams already said who this is


async def test_bad_input_from_the_roster_changes_nothing(demo_any_db, config) -> None:
    db = demo_any_db
    await router.learn_team(db, config, channel_of_team(), ROSTER)
    async with db.unit_of_work() as uow:  # a row of another tenant (a second allowed tenant)
        uow.session.add(
            Teamlid(tenant_id=OTHER_TENANT, aad_object_id=PIET, naam="Elders", email=None)
        )
        await uow.commit()
        other_row = await uow.session.scalar(select(Teamlid.id).where(Teamlid.naam == "Elders"))
    off = await act(
        db, config, "a1", "beheer.uitschakelen", {"uit_professional": str(await _id(db, "a5"))}
    )
    assert "uitgeschakeld" in card_text(off.card)
    before = await counts(db)
    cases = [
        ({"prof_teamlid": str(other_row)}, "prof_teamlid", "Kies een teamlid uit de lijst"),
        ({"prof_teamlid": "999999"}, "prof_teamlid", "Kies een teamlid uit de lijst"),
        ({"prof_email": "geen-mailadres"}, "prof_email", "geldig e-mailadres"),
        ({"prof_email": "linda@woonstad.example"}, "prof_email", "is uitgeschakeld"),
        (
            {"prof_teamlid": "1", "prof_email": "x@y.example"},
            "prof_email",
            "niet allebei",
        ),
    ]
    for data, field, message in cases:
        outcome = await act(db, config, "a1", "beheer.professional", data)
        errors = [
            item["text"]
            for i, item in enumerate(outcome.card["body"])
            if item.get("color") == "Attention" and outcome.card["body"][i - 1].get("id") == field
        ]
        assert errors and message in errors[0], (data, errors)
        assert await counts(db) == before, data
    # Someone already there: the result, not a form error (#26, finding 6).
    known = await act(
        db, config, "a1", "beheer.professional", {"prof_email": "jeroen@politie.example"}
    )
    assert "staat er al in" in card_text(known.card)
    assert "Nog niet alles is goed ingevuld" not in card_text(known.card)
    assert await counts(db) == before
    await act(db, config, "a1", "beheer.professional", {"prof_email": "nieuw@woonstad.example"})
    twice = await act(
        db, config, "a1", "beheer.professional", {"prof_email": "nieuw@woonstad.example"}
    )
    assert "al een uitnodiging" in card_text(twice.card)


async def _id(db, who: str) -> int:
    async with db.unit_of_work() as uow:
        found = await uow.people.by_identity(
            DEMO_TENANT, f"00000000-0000-0000-0000-0000000000{who}"
        )
        assert found is not None
        return found.id


async def test_only_administrators_use_the_roster(demo_any_db, config) -> None:
    db = demo_any_db
    await router.learn_team(db, config, channel_of_team(), ROSTER)
    for verb, data in (
        ("beheer.teamleden", {}),
        ("beheer.zoeken", {"prof_zoek": "nadia"}),
        ("beheer.professional", {"prof_email": "x@woonstad.example"}),
    ):
        refused = await act(db, config, "a3", verb, data)
        assert refused.card is None and "Alleen een PGA-expert" in (refused.text or ""), verb
    assert (await counts(db))[1] == 0


async def test_fetching_the_roster_asks_the_platform_and_shows_the_answer(
    demo_any_db, config
) -> None:
    db = demo_any_db
    unknown = await act(db, config, "a1", "beheer.teamleden")
    assert "Ik ken nog geen Teams-team" in card_text(unknown.card) and not unknown.roster_teams
    # `kanaal` in a team channel remembers the team and asks for its members.
    linked = await say(db, config, "a1", "kanaal", conversation_type="channel")
    assert not linked.roster_teams  # no team id: a channel outside a team
    linked = await router.handle_text(db, config, channel_of_team(), "kanaal")
    assert linked.roster_teams == (TeamAddress(TEAM, "http://127.0.0.1:9/", DEMO_TENANT),)
    asked = await act(db, config, "a1", "beheer.teamleden")
    assert asked.show_roster and [t.team_id for t in asked.roster_teams] == [TEAM]
    failed = await router.roster_fetched(
        db,
        config,
        replace(channel_of_team(), conversation_type="personal", conversation_id="personal-a1"),
        [(asked.roster_teams[0], None)],
        show=True,
    )
    assert "Teams gaf de teamleden nu niet" in card_text(failed.card)
    shown = await router.roster_fetched(
        db,
        config,
        replace(channel_of_team(), conversation_type="personal", conversation_id="personal-a1"),
        [(asked.roster_teams[0], ROSTER)],
        show=True,
    )
    assert "2 teamleden opgehaald" in card_text(shown.card)
    assert "Nadia Bos" in json.dumps(choices(shown.card, "prof_teamlid"))
    # A team of another tenant is never refreshed for this requester.
    foreign = TeamAddress(TEAM, "http://127.0.0.1:9/", OTHER_TENANT)
    refused = await router.roster_fetched(
        db,
        config,
        replace(channel_of_team(), conversation_type="personal", conversation_id="personal-a1"),
        [(foreign, [member("X", PIET, None, tenant_id=OTHER_TENANT)])],
        show=True,
    )
    assert "Teams gaf de teamleden nu niet" in card_text(refused.card)


async def test_a_team_of_another_tenant_is_not_learnt(demo_any_db, config) -> None:
    foreign = replace(channel_of_team(), tenant_id=OTHER_TENANT)
    assert await router.learn_team(demo_any_db, config, foreign, ROSTER) == 0
    assert (await counts(demo_any_db))[2] == 0
