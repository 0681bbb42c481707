"""Criteria a gemeente adds itself (#9): configured in beheer, offered in the aanmelding for
that gemeente, recorded and shown as the gemeente's own, never counted towards the
handreiking's minimum. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from dialogs.retention import apply_retention
from store.models import Aanmelding, Casus
from tests.helpers import (
    aanmelding_values,
    act,
    card_text,
    casus_id,
    decide,
    gemeente_id,
    professional_id,
    submit_aanmelding,
)


async def add(db, config, label: str, who: str = "a1", **extra: str):
    data = {"crit_gemeente": await gemeente_id(db), "crit_label": label, **extra}
    return await act(db, config, who, "beheer.criterium", data)


def choice_values(card: dict, input_id: str) -> dict[str, str]:
    found = [item for item in card["body"] if item.get("id") == input_id]
    return {c["title"]: c["value"] for c in found[0]["choices"]} if found else {}


async def eigen_id(db, config, label: str) -> str:
    form = await act(db, config, "a2", "aanmelding.open")
    return next(v for t, v in choice_values(form.card, "eigen_criteria").items() if label in t)


async def test_a_gemeente_adds_a_criterion_that_the_aanmelding_records(demo_any_db, config):
    db = demo_any_db
    added = await add(db, config, "Zorgmijdend gedrag", crit_toelichting="Mijdt hulp al jaren")
    assert "'Zorgmijdend gedrag' staat nu in het formulier" in card_text(added.card)
    chosen = await eigen_id(db, config, "Zorgmijdend gedrag")
    code = await submit_aanmelding(db, config, eigen_criteria=chosen)
    cid = await casus_id(db, code)
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(select(Aanmelding).where(Aanmelding.casus_id == cid))
        assert row is not None
        assert row.eigen_criteria == [{"id": chosen, "label": "Zorgmijdend gedrag"}]
        assert not row.voor_advies  # two handreiking criteria, as before
    triage = await act(db, config, "a1", "triage.open", {"casus": cid})
    assert "Zorgmijdend gedrag" in card_text(triage.card)
    assert "eigen criterium van de gemeente" in card_text(triage.card)
    await decide(db, config, cid, besluit="opnemen")
    view = await act(db, config, "a1", "casus.open", {"casus": cid})
    assert "Eigen criteria van de gemeente" in card_text(view.card)
    # Switched off: no longer offered; what was recorded stays.
    off = await act(db, config, "a1", "beheer.criterium.uit", {"crit_uit": chosen})
    assert "niet meer in het formulier" in card_text(off.card)
    form = await act(db, config, "a2", "aanmelding.open")
    assert "Zorgmijdend" not in card_text(form.card)
    again = await act(db, config, "a1", "casus.open", {"casus": cid})
    assert "Zorgmijdend gedrag" in card_text(again.card)


async def test_own_criteria_do_not_lower_the_handreikings_minimum(demo_any_db, config):
    db = demo_any_db
    await add(db, config, "Zorgmijdend gedrag")
    await add(db, config, "Schulden")
    both = ",".join(
        [await eigen_id(db, config, "Zorgmijdend"), await eigen_id(db, config, "Schulden")]
    )
    values = await aanmelding_values(db, crit_politie="false", eigen_criteria=both)
    refused = await act(db, config, "a2", "aanmelding.indienen", values)
    assert "Minstens 2 van de 3 criteria" in card_text(refused.card)
    code = await submit_aanmelding(
        db, config, crit_politie="false", eigen_criteria=both, voor_advies="true"
    )
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(Aanmelding).where(Aanmelding.casus_id == await casus_id(db, code))
        )
        assert row is not None and row.voor_advies and len(row.eigen_criteria or []) == 2


async def test_bad_criteria_input_changes_nothing(demo_any_db, config):
    db = demo_any_db
    await add(db, config, "Schulden")
    for label, message in (
        ("", "Vul het criterium in"),
        ("Schulden", "heeft deze gemeente al"),
        ("Zorg\u202emijdend", "niet zijn toegestaan"),
    ):
        refused = await add(db, config, label)
        assert message in card_text(refused.card), label
    nobody = await act(db, config, "a3", "beheer.criterium", {"crit_label": "X"})
    assert nobody.card is None and "Alleen een PGA-expert" in (nobody.text or "")
    zuiderstad = await gemeente_id(db)
    async with db.unit_of_work() as uow:
        other = await uow.people.ensure_gemeente("Noorderveld")
        await uow.commit()
        other_id = str(other.id)
    # Fatima is beheerder: she may configure Noorderveld; Noorderveld's criterion is not for
    # an aanmelding in Zuiderstad.
    await act(
        db, config, "a1", "beheer.criterium", {"crit_gemeente": other_id, "crit_label": "Wapens"}
    )
    wrong = await eigen_id(db, config, "Wapens")
    values = await aanmelding_values(db, eigen_criteria=wrong, gemeente=zuiderstad)
    refused = await act(db, config, "a2", "aanmelding.indienen", values)
    assert "andere gemeente" in card_text(refused.card)
    gone = await act(db, config, "a2", "aanmelding.indienen", {**values, "eigen_criteria": "999"})
    assert "er niet meer" in card_text(gone.card)
    off = await act(db, config, "a1", "beheer.criterium.uit", {"crit_uit": "999"})
    assert "Kies een criterium uit de lijst" in card_text(off.card)
    async with db.unit_of_work() as uow:
        assert len(await uow.criteria.active()) == 2
        assert await uow.session.scalar(select(Aanmelding.id)) is None


async def test_old_drafts_and_aanmeldingen_without_own_criteria_still_work(demo_any_db, config):
    db = demo_any_db
    code = await submit_aanmelding(db, config)
    cid = await casus_id(db, code)
    async with db.unit_of_work() as uow:  # as an aanmelding from before this release
        await uow.session.execute(update(Aanmelding).values(eigen_criteria=None))
        await uow.commit()
    await add(db, config, "Schulden")
    triage = await act(db, config, "a1", "triage.open", {"casus": cid})
    assert "Beoordelen" in card_text(triage.card) or "Besluit" in card_text(triage.card)
    await act(db, config, "a4", "aanmelding.bewaren", {"naam": "Iemand"})  # a draft without it
    reopened = await act(db, config, "a4", "aanmelding.open")
    assert "Iemand" in card_text(reopened.card) and "Schulden" in card_text(reopened.card)


async def test_retention_removes_which_own_criteria_held(demo_any_db, config):
    db = demo_any_db
    await add(db, config, "Schulden")
    code = await submit_aanmelding(
        db, config, eigen_criteria=await eigen_id(db, config, "Schulden")
    )
    cid = await casus_id(db, code)
    await decide(
        db, config, cid, besluit="opnemen", casusregisseur=str(await professional_id(db, "a3"))
    )
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Casus)
            .where(Casus.id == cid)
            .values(status="afgesloten", afgesloten_at=dt.datetime.now(dt.UTC))
        )
        await uow.commit()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=config.retention_days + 1)
    assert await apply_retention(db, config.retention_days, now=later) == 1
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(select(Aanmelding).where(Aanmelding.casus_id == cid))
        assert row is not None and row.eigen_criteria is None
