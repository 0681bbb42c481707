"""Every card builder's output validates against the official Adaptive Cards 1.5 schema."""

from __future__ import annotations

import inspect
import json
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from cards import (
    aanmelding,
    afsluiting,
    beheer,
    casus,
    common,
    koppelen,
    overleg,
    plan,
    region,
    signalen,
    triage,
    verslag,
)
from store import reference as ref
from tests.conftest import SCHEMAS

SCHEMA = json.loads((SCHEMAS / "adaptive-card-1.5.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)

OPTIONS = aanmelding.AanmeldingOptions(
    gemeenten=[("1", "Zuiderstad")],
    organisaties=[("1", "Politie"), ("2", "GGZ")],
    doelgroepen=ref.DOELGROEPEN,
    leefgebieden=ref.LEEFGEBIEDEN,
    urgenties=ref.URGENTIES,
    grondslagen=ref.GRONDSLAGEN,
    uitzonderingen=ref.UITZONDERINGEN,
    beroepsgeheim=ref.BEROEPSGEHEIM,
    toestemming_waarschuwing=ref.TOESTEMMING_WAARSCHUWING,
    criteria=ref.CRITERIA,
)
ERRORS = {"naam": "Vul dit veld in.", "_form": "Er ging iets mis.", "crit_overlast": "Minstens 2"}
TRIAGE_VIEW = triage.TriageView(
    casus_id=1,
    code="PGA-2026-001",
    bewoner=[("Naam", "X")],
    aanmelding=[("Door", "Y")],
    criteria=[("✔ a", "b")],
    reden="Reden: z",
    duplicates=["Mogelijk dubbel"],
)
TRIAGE_OPTIONS = triage.TriageOptions(
    besluiten=ref.TRIAGE_BESLUITEN,
    doorverwijzingen=ref.DOORVERWIJZINGEN,
    professionals=[("1", "Sanne")],
)
CASUS_VIEW = casus.CasusView(
    casus_id=1,
    code="PGA-2026-001",
    status="Opgenomen",
    kenmerken=[("Gemeente", "Z")],
    bewoner=[("Naam", "X")],
    besluiten=["triage: opnemen"],
    betrokkenen=[("Rol", "Naam")],
    kan_brief=True,
    kan_startgesprek=True,
    note="Let op",
)
BEHEER_VIEW = beheer.BeheerView(
    organisaties=[("Politie", "Politie")],
    professionals=[("Sanne", "GGZ")],
    soorten=ref.ORGANISATIE_SOORTEN,
    organisatie_keuzes=[("1", "Politie")],
    gemeenten=[("1", "Zuiderstad")],
)

AGENDA_VIEW = overleg.AgendaKaart(
    overleg_id=1,
    kop="Structureel overleg Zuiderstad, ma 14-12-2026 14:00",
    status="Gepland",
    gegevens=[("Plaats", "Stadhuis"), ("Voorzitter", "Fatima")],
    punten=[
        overleg.AgendaRegel(1, "PGA-2026-001", "14:00–14:20", "Nieuw"),
        overleg.AgendaRegel(2, "PGA-2026-002", "14:20–14:30", "Voortgang"),
    ],
    voorstellen=[overleg.VoorstelRegel(3, "PGA-2026-003", "nieuw", "nieuw: nog niet besproken")],
    casussen=[("3", "PGA-2026-003")],
    redenen=[("nieuw", "Nieuw"), ("voortgang", "Voortgang")],
    minuten=[("10", "10 minuten")],
    kan_wijzigen=True,
    kan_publiceren=True,
    kan_starten=False,
    kan_afronden=False,
)
BESPREKING_VIEW = overleg.BesprekingKaart(
    agendapunt_id=1,
    code="PGA-2026-001",
    kop="Agendapunt 1 van 2 · Nieuw · 20 minuten",
    kenmerken=[("Doelgroep", "Jeugd"), ("Criteria", "2 van 3")],
    aan_tafel=["Sanne Bakker (GGZ) · casusregisseur", "Kees Hoekstra (ZVH) · adviserend"],
    besluiten=["01-12-2026 Plan vastgesteld: [bewoner] gaat naar de GGZ"],
    afspraken=["Intake plannen · Sanne Bakker · uiterlijk 15-12-2026"],
    uitkomsten=[("plan_vastgesteld", "Plan vastgesteld")],
    eigenaren=[("3", "Sanne Bakker (GGZ)")],
    form_id="f1",
    doelen=["Huisvesting: Woning behouden"],
    acties=["Schuldhulp aanvragen · De bewoner · uiterlijk 01-12-2026 · over de termijn"],
)
PRESENTIE_VIEW = overleg.PresentieKaart(
    overleg_id=4,
    kop="Incidenteel overleg Zuiderstad, di 15-12-2026 14:00",
    aanwezig=["Fatima el Amrani (Gemeente Zuiderstad)", "Kees Hoekstra (ZVH) (luistert mee)"],
    afgemeld=["Linda Jansen (Woonstad)"],
    nog_niet=["Ahmed Yilmaz (Reclassering)"],
    bewoner="aanwezig",
    mensen=[("1", "Fatima el Amrani (Gemeente Zuiderstad)"), ("2", "Ahmed Yilmaz")],
    statussen=[("aanwezig", "Aanwezig"), ("luisteraar", "Luistert mee")],
    lopend=True,
)

BUILDERS_USED: set[str] = set()


def built(builder: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a card builder and remember that it is covered."""
    BUILDERS_USED.add(f"{builder.__module__}.{builder.__name__}")
    return builder(*args, **kwargs)


ACTIE_REGEL = plan.ActieRegel(
    1, "PGA-2026-001", "Bellen", "Ahmed", "12-12-2026", "open", True, "Uitstel gevraagd", True, True
)
PLAN_VIEW = plan.PlanKaart(
    casus_id=1,
    code="PGA-2026-001",
    status="Opgenomen",
    leefgebieden=[("Huisvesting", "Huurachterstand · score 2 → 3 (+1 sinds de start)")],
    doelen=[("1", "Huisvesting · open", "Woonplek behouden — goed genoeg als: geen achterstand")],
    acties=[ACTIE_REGEL],
    geschiedenis=["01-12-2026 10:00 Sanne: toegevoegd (actie)"],
    bewoner=[("Bewoner", "X")],
    notice="Opgeslagen.",
    leefgebied_opties=[("1", "Huisvesting")],
    eigenaar_opties=[("p:1", "Ahmed"), ("o:1", "Organisatie: Reclassering"), ("bewoner", "X")],
    doel_opties=[("1", "Woonplek behouden")],
    interventie_opties=[("Woonbegeleiding", "Woonbegeleiding")],
    suggesties=[("Woonbegeleiding", "Huisvesting", "Doel: de woning behouden. Bron: Wmo.")],
    kan_doel=True,
    kan_leefgebied=True,
    kan_actie=True,
    kan_regie=True,
    errors={"_form": "Er ging iets mis.", "deadline": "Deze datum is al voorbij."},
)


CARDS: dict[str, Any] = {
    "help": built(
        common.help_card,
        "Fatima",
        [("help", "Wat kan ik hier?"), ("triage", "x"), ("aanmelden", "y"), ("beheer", "z")],
        "Proef",
    ),
    "act_as": built(common.act_as_card, [(1, "Fatima", "PGA-expert"), (2, "Sanne", "GGZ")], 1),
    "verlopen": built(common.verlopen_kaart, "Casus PGA-2026-001 is afgesloten."),
    "aanmelding_leeg": built(aanmelding.aanmelding_form, OPTIONS, {}, {}, form_id="f1"),
    "aanmelding_fouten": built(
        aanmelding.aanmelding_form,
        OPTIONS,
        {"naam": "A", "crit_overlast": "true", "leefgebieden": "financien"},
        ERRORS,
        form_id="f1",
        notice="Concept bewaard.",
    ),
    "aanmelding_eigen_criteria": built(
        aanmelding.aanmelding_form,
        replace(OPTIONS, eigen_criteria=[("4", "1", "Zorgmijdend gedrag", "Zorgmijdend")]),
        {"eigen_criteria": "4"},
        {"eigen_criteria": "Kies opnieuw"},
        form_id="f1",
    ),
    "aanmelding_ontvangen": built(aanmelding.aanmelding_ontvangen, "PGA-2026-001", "Zuiderstad"),
    "kanaal": built(aanmelding.kanaal_melding, "PGA-2026-001", "jeugd", 3),
    "ter_triage": built(aanmelding.ter_triage, "PGA-2026-001", [("Doelgroep", "Jeugd")], 1),
    "triage_lijst": built(
        triage.triage_lijst, [triage.TriageItem(1, "PGA-2026-001", "Jeugd", 2, 3, "Hoog")]
    ),
    "triage_lijst_leeg": built(triage.triage_lijst, []),
    "triage_kaart": built(
        triage.triage_kaart, TRIAGE_VIEW, TRIAGE_OPTIONS, {"besluit": "opnemen"}, ERRORS
    ),
    "triage_vastgelegd": built(
        triage.triage_vastgelegd,
        "PGA-2026-001",
        "Opnemen",
        1,
        opgenomen=True,
        details=[("Besluit", "Opnemen")],
    ),
    "triage_afgewezen": built(
        triage.triage_vastgelegd, "PGA-2026-001", "Afwijzen", 1, opgenomen=False, details=[]
    ),
    "uitkomst": built(
        triage.uitkomst_aanmelding, "PGA-2026-001", 1, "Afwijzen", "Past niet", "morgen"
    ),
    "casusregisseur": built(triage.casusregisseur_benoemd, "PGA-2026-001", 1),
    "casus": built(casus.casus_overzicht, CASUS_VIEW),
    "casus_anoniem": built(
        casus.casus_overzicht, casus.CasusView(1, "PGA-2026-001", "Opgenomen", [])
    ),
    "brief_form": built(casus.brief_form, "PGA-2026-001", 1, {"adres": "x"}, {"postcode": "Fout"}),
    "brief_klaar": built(
        casus.brief_klaar, "PGA-2026-001", 1, "https://bot.example/brieven/abc", 15
    ),
    "startgesprek": built(
        casus.startgesprek_form, "PGA-2026-001", 1, {"datum": "2026-01-01"}, {"uitkomst": "Kies"}
    ),
    "beheer": built(beheer.beheer_card, BEHEER_VIEW, "OK"),
    "beheer_regio": built(
        beheer.beheer_card,
        replace(BEHEER_VIEW, installatie_beheerder=True, wijst_experts_aan=True),
        None,
    ),
    "gemeenten": built(
        region.gemeenten_card,
        [("Zuiderstad (ZDS)", "Fatima"), ("Noorderveld (NRV)", "nog geen beheerder")],
        [("1", "Zuiderstad"), ("2", "Noorderveld")],
        [("3", "Eva")],
        {"gem_naam": "Oost"},
        {"gem_afkorting": "Twee tot vijf letters"},
        "OK",
    ),
    "pga_expert_aanwijzen": built(
        region.pga_expert_card, [("2", "Noorderveld")], [("3", "Eva")], {}, {}, None
    ),
    "kanaal_keuze": built(
        region.kanaal_keuze_card, [(1, "Noorderveld", False), (2, "Zuiderstad", True)]
    ),
    "beheer_wachtend": built(
        beheer.beheer_card, replace(BEHEER_VIEW, wachtend=[(7, "Nadia Bos")]), None
    ),
    "beheer_organisaties": built(
        beheer.organisaties_card, BEHEER_VIEW, {}, {"org_naam": "Bestaat al"}, "OK"
    ),
    "beheer_professional": built(
        beheer.professional_card, BEHEER_VIEW, {"prof_naam": "x"}, {"prof_object_id": "Fout"}
    ),
    "beheer_aanvraag": built(
        beheer.professional_card, BEHEER_VIEW, {}, {}, wachtend=(7, "Nadia Bos")
    ),
    "beheer_toegang": built(beheer.toegang_card, BEHEER_VIEW, {}, {"_form": "x"}, None),
    "beheer_teamleden": built(
        beheer.professional_card,
        replace(
            BEHEER_VIEW,
            teamleden=[("3", "Nadia Bos — nadia@zuiderstad.example")],
            teamleden_totaal=40,
            uitnodigingen=["piet@woonstad.example"],
        ),
        {"prof_zoek": "nad"},
        {"prof_email": "Vul een geldig e-mailadres in."},
    ),
    "beheer_criteria": built(
        beheer.criteria_card,
        [("1", "Zuiderstad")],
        [("4", "Zuiderstad", "Zorgmijdend gedrag", "Mijdt hulp")],
        {"crit_label": "x"},
        {"crit_label": "Bestaat al"},
        "OK",
    ),
    "beheer_criteria_leeg": built(beheer.criteria_card, [("1", "Zuiderstad")], [], {}, {}),
    "beheer_briefhoofd": built(
        beheer.briefhoofd_card, [("1", "Zuiderstad")], {"gem_adres": "Markt 1"}, {}, "OK"
    ),
    "koppelen": built(
        koppelen.koppel_form,
        koppelen.KoppelView(
            1,
            "PGA-2026-001",
            [("Sanne (GGZ)", "Casusregisseur")],
            [("4", "Ahmed (Reclassering): voorgesteld")],
            [(4, "Ahmed", "betrokken", "Betrokken professional")],
        ),
        koppelen.ChecklistOptions(
            ref.KOPPEL_ROLLEN,
            ref.GRONDSLAGEN,
            ref.UITZONDERINGEN,
            ref.BEROEPSGEHEIM,
            ref.TOESTEMMING_WAARSCHUWING,
        ),
        {"rol": "betrokken"},
        {"noodzaak": "Leg uit"},
        "Ahmed is gekoppeld.",
    ),
    "ontkoppelen": built(
        koppelen.ontkoppel_form, 1, "PGA-2026-001", [("4:betrokken", "Ahmed")], {}, {"reden": "x"}
    ),
    "gekoppeld": built(koppelen.gekoppeld, "PGA-2026-001", 1, "Betrokken", "Reclassering", False),
    "ontkoppeld": built(koppelen.ontkoppeld, "PGA-2026-001", "Betrokken"),
    "overleggen": built(
        overleg.overleggen_lijst,
        [
            overleg.OverlegRegel(
                1, "ma 14-12-2026 14:00", "Structureel", "Gepland", "Fatima", 2, True
            )
        ],
        True,
        "Gepland.",
    ),
    "overleggen_leeg": built(overleg.overleggen_lijst, [], False),
    "overleg_plannen": built(
        overleg.plan_form,
        overleg.PlanOptions(
            gemeenten=[("1", "Zuiderstad"), ("2", "Noorderstad")],
            soorten=[("structureel", "Structureel"), ("incidenteel", "Incidenteel")],
            voorzitters=[("1", "Fatima")],
        ),
        {"soort": "structureel", "datum": "2026-12-14", "tijd": "14:00"},
        {"datum": "Dit moment is al voorbij.", "_form": "Geen kanaal"},
        "f1",
    ),
    "agenda": built(overleg.agenda_kaart, AGENDA_VIEW, {"reden": "nieuw"}, {"casus": "Kies"}),
    "agenda_gepubliceerd": built(
        overleg.agenda_kaart,
        replace(AGENDA_VIEW, kan_wijzigen=False, kan_publiceren=False, kan_starten=True),
        {},
        {"_form": "Het overleg is al begonnen"},
        "De agenda staat in het kanaal.",
    ),
    "agenda_lopend": built(
        overleg.agenda_kaart,
        replace(AGENDA_VIEW, kan_wijzigen=False, kan_publiceren=False, kan_afronden=True),
        {},
        {},
    ),
    "agenda_bericht": built(
        overleg.agenda_bericht,
        overleg.AgendaBericht(
            1,
            "Agenda structureel overleg",
            [("Wanneer", "ma 14-12-2026 14:00")],
            [("14:00–14:20", "PGA-2026-001", "Nieuw")],
            ["Sanne Bakker (GGZ)"],
            bijgewerkt=True,
        ),
    ),
    "uitnodiging": built(
        overleg.uitnodiging,
        overleg.Uitnodiging(
            "Structureel overleg",
            [("Waar", "Stadhuis")],
            [(1, "PGA-2026-001", "14:00 · Nieuw")],
            voorzitter=True,
            overleg_id=4,
        ),
    ),
    "presentie_lopend": built(
        overleg.presentie_kaart,
        PRESENTIE_VIEW,
        {"wie": "Kies"},
        "Presentie bijgewerkt.",
    ),
    "presentie_gepubliceerd": built(
        overleg.presentie_kaart,
        replace(PRESENTIE_VIEW, bewoner=None, lopend=False, aanwezig=[]),
        {},
    ),
    "bespreekkaart": built(
        overleg.bespreekkaart, BESPREKING_VIEW, {"toelichting": "x"}, {"uitkomst": "Kies"}, "OK"
    ),
    "bespreekkaart_leeg": built(
        overleg.bespreekkaart,
        replace(BESPREKING_VIEW, besluiten=[], afspraken=[], eigenaren=[], aan_tafel=[]),
        {},
        {"_form": "Verouderd"},
    ),
    "overleg_details": built(
        overleg.details_kaart,
        overleg.DetailsKaart("PGA-2026-001", [("Naam", "X")], ["Plan vastgesteld"], ["Intake"], 1),
    ),
    "overleg_samenvatting": built(
        overleg.samenvatting,
        "Structureel overleg",
        [
            overleg.SamenvattingPunt("PGA-2026-001", True, ["Plan vastgesteld"], ["Intake"]),
            overleg.SamenvattingPunt("PGA-2026-002", False, [], []),
        ],
    ),
    # The minutes (#12).
    "verslag_lijst": built(
        verslag.verslag_lijst,
        [
            verslag.VerslagRegel(1, "Structureel overleg Zuiderstad, di 24-11-2026", "Afgerond", 2),
            verslag.VerslagRegel(2, "Incidenteel overleg Zuiderstad", "Loopt nu", None),
        ],
        "Versie 2 staat in het kanaal.",
    ),
    "verslag_kanaal": built(
        verslag.verslag_kanaal, verslag.VerslagBericht(1, "structureel overleg", 2, 3)
    ),
    "verslag_voor_expert": built(
        verslag.verslag_voor_expert, 1, "structureel overleg", 1, "Het sjabloon ontbreekt."
    ),
    "verslag_klaar": built(
        verslag.verslag_klaar,
        "structureel overleg",
        "https://bot.example/verslagen/x",
        15,
        volledig=True,
        versie=1,
        waarschuwing="Het sjabloon ontbreekt.",
    ),
    "besluitenlijst": built(
        verslag.besluitenlijst,
        "PGA-2026-001",
        [verslag.BesluitLijstRegel("Structureel overleg Zuiderstad", "Plan vastgesteld")],
        True,
        1,
    ),
    "besluitenlijst_leeg": built(verslag.besluitenlijst, "PGA-2026-001", [], False),
    "startgesprek_verbeteren": built(
        casus.startgesprek_form,
        "PGA-2026-001",
        1,
        {"uitkomst": "gehouden"},
        {"correctie_reden": "Geef de reden"},
        recorded="01-12-2026 10:00 (gehouden)",
    ),
    # Afsluiting, the resident's rights, the monitor (#13).
    "casus_afsluitbaar": built(casus.casus_overzicht, replace(CASUS_VIEW, kan_afsluiten=True)),
    "casus_afgesloten": built(
        casus.casus_overzicht,
        replace(
            CASUS_VIEW,
            afsluiting=[("Reden", "Afschalen"), ("Wat zegt de bewoner", "Gehoord")],
            correcties=["01-12-2026 Naam: was x, nu y (typfout; Fatima)"],
            kan_heropenen=True,
            kan_inzage=True,
            kan_corrigeren=True,
        ),
    ),
    "afsluiten": built(
        afsluiting.afsluit_form,
        "PGA-2026-001",
        1,
        ref.AFSLUIT_REDENEN,
        {"reden": "afschalen", "eindgesprek": "ja"},
        {"overdracht_aan": "Aan wie?"},
    ),
    "afsluiten_met_open_acties": built(
        afsluiting.afsluit_form,
        "PGA-2026-001",
        1,
        ref.AFSLUIT_REDENEN,
        {},
        {"toelichting": "Er staan nog 2 acties open."},
        open_acties=2,
    ),
    "verwijderd": built(afsluiting.verwijderd_wegens_bewaartermijn),
    "afgesloten_melding": built(afsluiting.afgesloten_melding, "PGA-2026-001", "Afschalen"),
    "heropenen": built(afsluiting.heropen_form, "PGA-2026-001", 1, 90, {}, {"reden": "Geef"}),
    "inzage": built(afsluiting.inzage_form, "PGA-2026-001", 1, {"van": "2026-01-01"}, {}),
    "document_klaar": built(
        afsluiting.document_klaar, "Inzage klaar", "Downloaden (Word)", "https://x/d/a", 15, 1
    ),
    "document_klaar_monitor": built(
        afsluiting.document_klaar, "Monitor klaar", "Downloaden (Excel)", "https://x/d/a", 15, None
    ),
    "corrigeren": built(
        afsluiting.corrigeer_form,
        "PGA-2026-001",
        1,
        ref.CORRIGEER_VELDEN,
        {"veld": "naam"},
        {"reden": "Geef de reden"},
        "Verbeterd.",
    ),
    "monitor": built(
        afsluiting.monitor_kaart,
        afsluiting.MonitorKaart(
            periode="1 januari 2026 t/m 31 december 2026",
            gemeenten="Zuiderstad",
            caseload=[("Aanmeldingen", "3")],
            doorlooptijden=[("Aanmelding → triage", "2")],
            uitkomsten=[("Afschalen", "1")],
            codes=[("PGA-2026-001", "Afgesloten")],
            van="2026-01-01",
            tot="2026-12-31",
            acties=[("Acties op tijd afgerond", "3 van 4")],
            scores=[("Huisvesting", "2 → 3,5 (2 casussen)")],
        ),
        {"van": "Kies"},
        "https://x/d/a",
    ),
    # The plan van aanpak and acties (#11).
    "plan": built(plan.plan_kaart, PLAN_VIEW),
    "plan_adviseur": built(
        plan.plan_kaart,
        replace(
            PLAN_VIEW,
            kan_doel=False,
            kan_actie=False,
            note="Je adviseert",
            doelen=[],
            acties=[],
            verborgen=(1, 2),
        ),
    ),
    "plan_doel": built(plan.doel_kaart, plan.DoelKaart(PLAN_VIEW, "1", "2")),
    "plan_actie": built(
        plan.actie_kaart,
        plan.ActieKaart(PLAN_VIEW, ACTIE_REGEL, [("Eigenaar", "Ahmed")], "1", True, False, True),
    ),
    "plan_actie_uitstel": built(
        plan.actie_kaart,
        plan.ActieKaart(PLAN_VIEW, ACTIE_REGEL, [("Eigenaar", "Ahmed")], "1", False, True),
    ),
    "acties": built(plan.acties_kaart, [ACTIE_REGEL], "Afgerond."),
    "acties_leeg": built(plan.acties_kaart, []),
    "herinnering": built(plan.herinnering_kaart, "voor", "PGA-2026-001", 1, "12-12-2026"),
    "herinnering_escalatie": built(
        plan.herinnering_kaart, "escalatie", "PGA-2026-001", 1, "12-12-2026"
    ),
    "actie_afgerond": built(plan.afgerond_kaart, "PGA-2026-001", 1, "Afgerond."),
    "uitstel_verzoek": built(
        plan.uitstel_verzoek_kaart, "PGA-2026-001", 1, "12-12-2026", "20-12-2026", "Ahmed"
    ),
    "weekoverzicht": built(
        plan.weekoverzicht_kaart, [plan.OverzichtRegel(1, "PGA-2026-001", "2 open, 1 te laat")]
    ),
    "escalatie": built(plan.escalatie_kaart, "PGA-2026-001", 1, "Sanne"),
    # Signalen and the timeline (issue #10).
    "signaal_form": built(
        signalen.signaal_form,
        [("1", "PGA-2026-001"), ("2", "PGA-2026-002")],
        {"casus": "1", "tekst": "Weer overlast", "delen": "true"},
        {"tekst": "Schrijf op wat je zag", "_form": "Er ging iets mis"},
        "f1",
    ),
    "signaal_vastgelegd": built(signalen.signaal_vastgelegd, 1, "PGA-2026-001", "Het staat er."),
    "signaal_kanaal": built(
        signalen.signaal_kanaal, "PGA-2026-001", "[bewoner] weer gezien", [("Door", "GGZ")]
    ),
    "tijdlijn": built(
        signalen.tijdlijn_kaart,
        signalen.TijdlijnKaart(
            1,
            "PGA-2026-001",
            [("01-12-2026", "Aangemeld · Jeroen", None), ("02-12-2026", "Signaal", "Overlast")],
            bewoner=[("Naam", "X")],
            weggelaten=3,
            kan_signaal=True,
        ),
    ),
    "tijdlijn_leeg": built(
        signalen.tijdlijn_kaart, signalen.TijdlijnKaart(1, "PGA-2026-001", [], note="Gedeeld")
    ),
}


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_validates_against_adaptive_cards_1_5(name: str) -> None:
    card = CARDS[name]
    errors = sorted(VALIDATOR.iter_errors(card), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors]
    assert card["version"] == "1.5"
    json.dumps(card)  # serialisable as sent


def test_schema_rejects_a_broken_card() -> None:
    """The validator is not vacuous: a wrong element type fails."""
    broken = {**CARDS["kanaal"], "body": [{"type": "TextBlock", "text": 5, "wrap": "ja"}]}
    assert list(VALIDATOR.iter_errors(broken))


def test_form_inputs_have_unique_ids() -> None:
    def ids(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["id"]] if node.get("type", "").startswith("Input.") else []
            return own + [i for value in node.values() for i in ids(value)]
        if isinstance(node, list):
            return [i for item in node for i in ids(item)]
        return []

    for name in (
        "aanmelding_leeg",
        "triage_kaart",
        "beheer",
        "brief_form",
        "startgesprek",
        "koppelen",
        "ontkoppelen",
        "overleg_plannen",
        "agenda",
        "bespreekkaart",
        "afsluiten",
        "corrigeren",
        "monitor",
    ):
        found = ids(CARDS[name])
        assert len(found) == len(set(found)), name


def test_every_card_builder_is_covered() -> None:
    """A new builder must be added to CARDS, so the schema and contract tests see it."""
    found = {
        f"{module.__name__}.{name}"
        for module in (
            aanmelding,
            afsluiting,
            beheer,
            casus,
            common,
            koppelen,
            overleg,
            plan,
            signalen,
            triage,
            verslag,
        )
        for name, member in inspect.getmembers(module, inspect.isfunction)
        if member.__module__ == module.__name__
        and not name.startswith("_")
        and member.__annotations__.get("return") == "Card"
    }
    assert found and found <= BUILDERS_USED, sorted(found - BUILDERS_USED)
