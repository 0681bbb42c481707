"""Every form once: its verb, its inputs with their limits, and the ids it carries.

The card builders take input ids and verbs from here, and the workflows validate submits
with `Form.schema()` of the same definition, so a rename on one side cannot go unnoticed
(tests/test_contract.py walks every card and every route).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# The three criteria of the handreiking (DESIGN §2.1): keys used in input ids.
CRITERIA_KEYS = ("overlast", "politie", "meerdere_organisaties")
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Field:
    id: str
    max_length: int = 500


@dataclass(frozen=True)
class Form:
    """A verb and what its submit may carry: inputs typed by the user (strings), ids we put
    in the action data ourselves (integers) and short tokens (strings)."""

    verb: str
    fields: tuple[Field, ...] = ()
    ids: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    # Ids that may be absent (the refresh of a card carries the ids of the card it rebuilds).
    optional_ids: tuple[str, ...] = ()

    def __getitem__(self, field_id: str) -> Field:
        for field in self.fields:
            if field.id == field_id:
                return field
        raise KeyError(f"{self.verb} has no input {field_id!r}")

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    @property
    def keys(self) -> frozenset[str]:
        """Every key a submit of this form may carry."""
        return frozenset(
            [*(f.id for f in self.fields), *self.ids, *self.optional_ids, *self.tokens]
        )

    def schema(self, *, with_args: bool = False) -> dict[str, Any]:
        properties: dict[str, Any] = {
            f.id: {"type": "string", "maxLength": f.max_length} for f in self.fields
        }
        properties.update(
            {
                i: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
                for i in (*self.ids, *self.optional_ids)
            }
        )
        properties.update({t: {"type": "string", "maxLength": 64} for t in self.tokens})
        if with_args:  # a typed command: `casus PGA-2026-001` arrives as _args
            properties["_args"] = {"type": "string", "maxLength": 200}
        return {
            "type": "object",
            "properties": properties,
            "required": [] if with_args else list(self.ids),
            "additionalProperties": False,
        }

    def with_verb(self, verb: str) -> Form:
        """The same inputs under another verb (e.g. save a draft vs. send)."""
        return Form(verb, self.fields, self.ids, self.tokens, self.optional_ids)


def _text(*ids: str, max_length: int = 500) -> tuple[Field, ...]:
    return tuple(Field(i, max_length) for i in ids)


# --- navigation (no inputs) --------------------------------------------------------------

HELP = Form("help")
AANMELDING_OPEN = Form("aanmelding.open")
TRIAGE_LIJST = Form("triage.lijst")
BEHEER_OPEN = Form("beheer.open")
TRIAGE_OPEN = Form("triage.open", ids=("casus",))
CASUS_OPEN = Form("casus.open", ids=("casus",))
BRIEF_OPEN = Form("brief.open", ids=("casus",))
STARTGESPREK_OPEN = Form("startgesprek.open", ids=("casus",))
DEMO_ALS = Form("demo.als", ids=("professional",))

# --- aanmelding ----------------------------------------------------------------------------

AANMELDING_INDIENEN = Form(
    "aanmelding.indienen",
    fields=(
        Field("naam", 150),
        Field("geboortedatum", 10),
        Field("woonplaats", 100),
        Field("doelgroep", 20),
        Field("gemeente", 12),
        Field("urgentie", 20),
        Field("reden", 3000),
        *(Field(f"crit_{key}", 5) for key in CRITERIA_KEYS),
        *(Field(f"crit_{key}_toelichting", 1000) for key in CRITERIA_KEYS),
        Field("leefgebieden", 400),
        Field("partners", 400),
        Field("geinformeerd", 3),
        Field("reden_niet_geinformeerd", 1000),
        Field("doel", 300),
        Field("grondslag", 40),
        Field("uitzondering", 40),
        Field("beroepsgeheim", 40),
        Field("voor_advies", 5),
        Field("toch_versturen", 5),
        # The gemeente's own criteria (ids, comma-separated): configuration, not counted.
        Field("eigen_criteria", 400),
    ),
    tokens=("_form",),
)
AANMELDING_BEWAREN = AANMELDING_INDIENEN.with_verb("aanmelding.bewaren")

# --- triage --------------------------------------------------------------------------------

TRIAGE_BESLUIT = Form(
    "triage.besluit",
    fields=(
        Field("besluit", 20),
        Field("toelichting", 3000),
        Field("doorverwijzing", 40),
        Field("ander_overleg", 200),
        Field("deelnemers", 400),
        Field("casusregisseur", 12),
        Field("startgesprek_datum", 10),
        Field("startgesprek_tijd", 8),
        Field("startgesprek_wie", 300),
        Field("regisseur_grondslag", 40),
        Field("regisseur_uitzondering", 40),
        Field("regisseur_beroepsgeheim", 40),
        Field("eigen_grondslag", 40),
    ),
    ids=("casus",),
)

# --- the letter and the startgesprek --------------------------------------------------------

BRIEF_MAKEN = Form(
    "brief.maken",
    fields=(
        Field("adres", 200),
        Field("postcode", 10),
        Field("woonplaats", 100),
        Field("startgesprek_datum", 10),
        Field("startgesprek_tijd", 8),
        Field("startgesprek_locatie", 200),
    ),
    ids=("casus",),
)
STARTGESPREK_VASTLEGGEN = Form(
    "startgesprek.vastleggen",
    fields=(
        Field("uitkomst", 20),
        Field("datum", 10),
        Field("tijd", 8),
        Field("visie_bewoner", 3000),
        Field("correctie_reden", 1000),
    ),
    ids=("casus",),
    tokens=("_form",),
)

# --- koppelen: partners on a casus ---------------------------------------------------------

KOPPELEN_OPEN = Form("koppelen.open", ids=("casus",))
ONTKOPPELEN_OPEN = Form("ontkoppelen.open", ids=("casus",))
KOPPELEN = Form(
    "koppelen.opslaan",
    fields=(
        Field("professional", 12),
        Field("rol", 20),
        Field("doel", 300),
        Field("grondslag", 40),
        Field("uitzondering", 40),
        Field("beroepsgeheim", 40),
        Field("noodzaak", 1000),
        Field("geinformeerd", 3),
        Field("reden_niet_geinformeerd", 1000),
    ),
    ids=("casus",),
)
KOPPELEN_OPNIEUW = Form("koppelen.opnieuw", ids=("casus", "professional"), tokens=("rol",))
ONTKOPPELEN = Form(
    "ontkoppelen.opslaan",
    fields=(Field("koppeling", 40), Field("reden", 1000)),
    ids=("casus",),
)

# --- the casusoverleg: planning and the agenda (PGA-expert, 1:1) ----------------------------

OVERLEG_LIJST = Form("overleg.lijst")
OVERLEG_PLANNEN_OPEN = Form("overleg.plannen.open")
OVERLEG_PLANNEN = Form(
    "overleg.plannen",
    fields=(
        Field("gemeente", 12),
        Field("soort", 20),
        Field("datum", 10),
        Field("tijd", 8),
        Field("plaats", 300),
        Field("voorzitter", 12),
        Field("bewoner", 5),
    ),
    tokens=("_form",),
)
AGENDA_OPEN = Form("agenda.open", ids=("overleg",))
AGENDA_TOEVOEGEN = Form(
    "agenda.toevoegen",
    fields=(Field("casus", 12), Field("reden", 20), Field("minuten", 3)),
    ids=("overleg",),
)
# A suggestion taken over as it is: its reason is a token the button carries.
AGENDA_VOORSTEL = Form("agenda.voorstel", ids=("overleg", "casus"), tokens=("reden",))
AGENDA_VERWIJDEREN = Form("agenda.verwijderen", ids=("agendapunt",))
AGENDA_OMHOOG = Form("agenda.omhoog", ids=("agendapunt",))
AGENDA_PUBLICEREN = Form("agenda.publiceren", ids=("overleg",))

# --- the casusoverleg: leading it (chair or PGA-expert, in the channel or 1:1) ----------------

OVERLEG_STARTEN = Form("overleg.starten", ids=("overleg",))
OVERLEG_AFRONDEN = Form("overleg.afronden", ids=("overleg",))
# The discussion card holds both forms; each button sends all its inputs.
_BESPREKING_FIELDS = (
    Field("uitkomst", 20),
    Field("toelichting", 2000),
    Field("afspraak", 1000),
    Field("eigenaar", 12),
    Field("deadline", 10),
)
BESPREKING_BESLUIT = Form(
    "bespreking.besluit", _BESPREKING_FIELDS, ids=("agendapunt",), tokens=("_form",)
)
BESPREKING_AFSPRAAK = BESPREKING_BESLUIT.with_verb("bespreking.afspraak")
# Identity of the casus of an agenda item: in the presser's 1:1 chat, only when linked.
OVERLEG_DETAILS = Form("overleg.details", ids=("agendapunt",))
# Attendance: an invitee answers for themselves (aanwezig / afgemeld); the chair records
# anyone's attendance, and whether the resident came (incidenteel).
PRESENTIE_MELDEN = Form("presentie.melden", ids=("overleg",), tokens=("antwoord",))
PRESENTIE_VASTLEGGEN = Form(
    "presentie.vastleggen", fields=(Field("wie", 12), Field("status", 20)), ids=("overleg",)
)
PRESENTIE_BEWONER = Form("presentie.bewoner", ids=("overleg",), tokens=("antwoord",))

# --- afsluiting, the resident's rights, the monitor (#13; PGA-expert, 1:1) -----------------

AFSLUITEN_OPEN = Form("afsluiten.open", ids=("casus",))
AFSLUITEN = Form(
    "afsluiten.opslaan",
    fields=(
        Field("reden", 30),
        Field("toelichting", 2000),
        Field("overdracht_aan", 300),
        Field("overdracht_wat", 2000),
        Field("overdracht_op", 10),
        Field("eindgesprek", 3),
        Field("eindgesprek_op", 10),
        Field("feedback_bewoner", 3000),
        Field("goed_ging", 2000),
        Field("beter_kan", 2000),
    ),
    ids=("casus",),
)
HEROPENEN_OPEN = Form("heropenen.open", ids=("casus",))
HEROPENEN = Form("heropenen.opslaan", fields=(Field("reden", 1000),), ids=("casus",))
INZAGE_OPEN = Form("inzage.open", ids=("casus",))
INZAGE = Form("inzage.maken", fields=(Field("van", 10), Field("tot", 10)), ids=("casus",))
CORRIGEREN_OPEN = Form("corrigeren.open", ids=("casus",))
CORRIGEREN = Form(
    "corrigeren.opslaan",
    fields=(Field("veld", 40), Field("nieuw", 3000), Field("reden", 1000)),
    ids=("casus",),
    tokens=("_form",),
)
MONITOR = Form("monitor.tonen", fields=(Field("van", 10), Field("tot", 10)))
MONITOR_EXCEL = MONITOR.with_verb("monitor.excel")

# --- the minutes of an overleg (#12) and the besluitenlijst of a casus ------------------------

VERSLAG_LIJST = Form("verslag.lijst")  # the PGA-expert picks an overleg
VERSLAG_MAKEN = Form("verslag.maken", ids=("overleg",))  # (re)make; a new version if changed
# On the channel card: the anonymised minutes as a download in the presser's 1:1 chat.
VERSLAG_OPHALEN = Form("verslag.ophalen", ids=("overleg",))
VERSLAG_VOLLEDIG = Form("verslag.volledig", ids=("overleg",))  # the PGA-expert, 1:1 only
BESLUITEN_OPEN = Form("besluiten.open", ids=("casus",))  # the command `besluiten CODE`

# --- the plan van aanpak and acties (#11) ---------------------------------------------------

PLAN_OPEN = Form("plan.open", ids=("casus",))
# The plan card holds three small forms (leefgebied, goal, action); each button sends all
# inputs on the card, so the three verbs share one set of fields and each reads its own.
_PLAN_FIELDS = (
    Field("leefgebied", 12),
    Field("probleem", 2000),
    Field("score", 1),
    Field("doel_leefgebied", 12),
    Field("omschrijving", 1000),
    Field("goed_genoeg_als", 1000),
    Field("doel_status", 20),
    Field("beschrijving", 1000),
    Field("eigenaar", 20),
    Field("deadline", 10),
    Field("actie_doel", 12),
    Field("actie_status", 20),
    Field("reden", 1000),
    Field("interventie", 150),
)
PLAN_LEEFGEBIED = Form("plan.leefgebied", _PLAN_FIELDS, ids=("casus",))
# One goal at a time: `doel` (a token, none for a new one) and its `versie` as read.
# `_form`: the card's own id, new each time it is drawn: one press, one effect (#26).
PLAN_DOEL = Form("plan.doel", _PLAN_FIELDS, ids=("casus",), tokens=("doel", "versie", "_form"))
DOEL_OPEN = Form("plan.doel.open", ids=("casus",), tokens=("doel",))
# One action at a time: new (no `actie`) or changed (`actie` and the `versie` as read).
PLAN_ACTIE = Form("plan.actie", _PLAN_FIELDS, ids=("casus",), tokens=("actie", "versie", "_form"))
ACTIE_OPEN = Form("actie.open", ids=("actie",))
ACTIES = Form("acties")
# `kaart`: which card it was pressed on, so that card is answered in place.
ACTIE_AFGEROND = Form("actie.afgerond", ids=("actie",), tokens=("kaart",))
ACTIE_UITSTEL_OPEN = Form("actie.uitstel.open", ids=("actie",), tokens=("kaart",))
ACTIE_UITSTEL = Form(
    "actie.uitstel", fields=(Field("tot", 10), Field("uitstel_reden", 1000)), ids=("actie",)
)
UITSTEL_BESLUIT = Form("actie.uitstel.besluit", ids=("actie",), tokens=("akkoord",))
PLAN_ESCALEREN = Form("plan.escaleren", ids=("casus",), tokens=("_form",))

# --- signalen between overleggen and the timeline (issue #10) --------------------------------

SIGNAAL_OPEN = Form("signaal.open")
SIGNAAL_VASTLEGGEN = Form(
    "signaal.vastleggen",
    fields=(Field("casus", 12), Field("tekst", 2000), Field("delen", 5)),
    tokens=("_form",),
)
TIJDLIJN_OPEN = Form("tijdlijn.open", ids=("casus",))

# --- the refresh of a card that shows a state (Universal Actions, #26) ----------------------

# `kaart`: the open verb that rebuilds the card, followed by that verb's own ids; the
# router checks them against that form (dialogs/refresh.py lists the verbs a refresh may use).
KAART_VERVERSEN = Form(
    "kaart.verversen",
    tokens=("kaart", "doel"),
    optional_ids=("casus", "actie", "overleg", "agendapunt"),
)

# --- beheer --------------------------------------------------------------------------------

_BEHEER_FIELDS = (
    Field("org_naam", 150),
    Field("org_soort", 40),
    Field("prof_naam", 150),
    Field("prof_object_id", 64),
    Field("prof_tenant_id", 64),
    Field("prof_functie", 150),
    Field("prof_organisatie", 12),
    Field("prof_rol", 20),
    Field("prof_gemeente", 12),
    Field("uit_professional", 12),
    Field("aan_professional", 12),
    Field("gem_gemeente", 12),
    Field("gem_adres", 300),
    Field("gem_burgemeester", 150),
    # People from the Teams roster or by e-mail; the gemeente's own criteria (#9).
    Field("prof_teamlid", 12),
    Field("prof_email", 200),
    Field("prof_zoek", 100),
    Field("crit_gemeente", 12),
    Field("crit_label", 80),
    Field("crit_toelichting", 300),
    Field("crit_uit", 12),
    # A region (#26): gemeenten, their beheerders, a PGA-expert of a second gemeente.
    Field("gem_naam", 100),
    Field("gem_afkorting", 8),
    Field("beh_professional", 12),
    Field("beh_gemeente", 12),
    Field("exp_professional", 12),
    Field("exp_gemeente", 12),
)
BEHEER_ORGANISATIE = Form("beheer.organisatie", _BEHEER_FIELDS)
BEHEER_PROFESSIONAL = BEHEER_ORGANISATIE.with_verb("beheer.professional")
BEHEER_UITSCHAKELEN = BEHEER_ORGANISATIE.with_verb("beheer.uitschakelen")
BEHEER_INSCHAKELEN = BEHEER_ORGANISATIE.with_verb("beheer.inschakelen")
BEHEER_BRIEFHOOFD = BEHEER_ORGANISATIE.with_verb("beheer.briefhoofd")
BEHEER_AANVRAAG = Form("beheer.aanvraag", _BEHEER_FIELDS, ids=("aanvraag",))
BEHEER_ORGANISATIES_OPEN = Form("beheer.organisaties")
BEHEER_PROFESSIONALS_OPEN = Form("beheer.professionals")
BEHEER_TOEGANG_OPEN = Form("beheer.toegang")
BEHEER_BRIEFHOOFD_OPEN = Form("beheer.briefhoofd.open")
BEHEER_AANVRAAG_OPEN = Form("beheer.aanvraag.open", ids=("aanvraag",))
BEHEER_TEAMLEDEN = Form("beheer.teamleden")
BEHEER_ZOEKEN = BEHEER_ORGANISATIE.with_verb("beheer.zoeken")
BEHEER_CRITERIA_OPEN = Form("beheer.criteria.open")
BEHEER_CRITERIUM = BEHEER_ORGANISATIE.with_verb("beheer.criterium")
BEHEER_CRITERIUM_UIT = BEHEER_ORGANISATIE.with_verb("beheer.criterium.uit")
BEHEER_GEMEENTEN_OPEN = Form("beheer.gemeenten")
BEHEER_GEMEENTE = BEHEER_ORGANISATIE.with_verb("beheer.gemeente")
BEHEER_BEHEERDER = BEHEER_ORGANISATIE.with_verb("beheer.beheerder")
BEHEER_PGA_EXPERT_OPEN = Form("beheer.pga_expert.open")
BEHEER_PGA_EXPERT = BEHEER_ORGANISATIE.with_verb("beheer.pga_expert")
# `kanaal` typed where it is not clear which gemeente the channel is for: one button each.
KANAAL_KOPPELEN = Form("kanaal.koppelen", ids=("gemeente",))

ALL: tuple[Form, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Form)
)
BY_VERB: dict[str, Form] = {form.verb: form for form in ALL}
