"""Who is asking, and what they may do: the one table of needs and roles (DESIGN §3.6).

Every read or write of a casus names a `Need`; `NEEDS` says which roles satisfy it, whether it
may only happen in a personal space, and how it is logged. A new workflow adds rows here, not
checks in a dialog. The gate that applies the table is `CasusRepository.open` (store/casus.py);
the rules for the directory of people (beheer) are `PEOPLE_NEEDS`, applied in store/people.py.
An overleg is checked against the same `NEEDS` with the roles held on it (PGA-expert of its
gemeente, its chair), in store/overleg.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

PERSONAL = "personal"

# Roles a professional can hold on a casus (a Betrokkene row), plus one that follows from the
# municipality: the PGA-expert of the casus's gemeente, linked or not (DESIGN §3.2).
PGA_EXPERT = "pga_expert"
CASUSREGISSEUR = "casusregisseur"
BETROKKEN = "betrokken"
ADVISEREND = "adviserend"
GEMEENTE_EXPERT = "gemeente_pga_expert"
# The chair of a running overleg, for the casussen on its agenda (store/casus.py,
# `open_in_overleg`); on the overleg itself, its chair. Never a link, never from a card.
VOORZITTER = "voorzitter"
# On an overleg's attendance list (invited, or added by the chair): may say they are there
# or send apologies, and fetch its anonymised minutes (#12). Held on the overleg only, from
# the store's list; never claimed from a card.
GENODIGDE = "genodigde"

WITH_IDENTITY = frozenset({PGA_EXPERT, CASUSREGISSEUR, BETROKKEN, GEMEENTE_EXPERT})
ANY_ROLE = WITH_IDENTITY | {ADVISEREND}
REGIE = frozenset({PGA_EXPERT, CASUSREGISSEUR, GEMEENTE_EXPERT})
EXPERT = frozenset({PGA_EXPERT, GEMEENTE_EXPERT})
OVERLEG_LEIDING = EXPERT | {VOORZITTER}


class Need(StrEnum):
    """What a requester wants to do with a casus."""

    OVERZICHT = "casus.bekijken"  # code, status, counts: nothing identifying
    IDENTITEIT = "identiteit.bekijken"  # name, birth date, address
    DOSSIER = "dossier.bekijken"  # referral, decisions and notes in full (may name the resident)
    TRIAGE = "triage"  # decide on a referral
    BRIEF = "brief"  # the letter to the resident (asks for the address)
    STARTGESPREK = "startgesprek"  # record the first talk with the resident
    KOPPELEN = "koppelen"  # link professionals to the casus, appoint casusregie
    # End a link. Apart from KOPPELEN because it never adds access: it stays possible after
    # the casus ended (e.g. the aanmelder's link on a rejected referral).
    ONTKOPPELEN = "ontkoppelen"
    # Plan an overleg, build and publish its agenda, put the casus on it (in private: the
    # agenda is made in the 1:1 chat). On an overleg: the PGA-expert of its gemeente.
    OVERLEG_PLANNEN = "overleg.plannen"
    # Lead the overleg: start and close it, record besluiten and afspraken on the discussion
    # card in the channel. Not personal: what it shows is built from the shared-safe view.
    BESPREKEN = "overleg.bespreken"
    # Say you are at the overleg or cannot come (an invitee; the chair and the PGA-expert too).
    AANWEZIG = "overleg.aanwezig"
    # Afsluiting (#13): close a casus with the warme overdracht and the eindgesprek, or
    # reopen it within the term; a besluit of the PGA-expert.
    AFSLUITEN = "casus.afsluiten"
    # The resident's rights: an inzage document (what is recorded, who saw it), and
    # correcting a recorded fact with a reason (the original kept for the linked).
    INZAGE = "casus.inzage"
    CORRIGEREN = "casus.corrigeren"
    # The minutes of an overleg (#12), checked against the roles on the overleg: make the
    # anonymised version (shared-safe, so also from the channel); fetch it (anyone invited,
    # as a personal download); the full version with identity (the PGA-expert, 1:1 only).
    VERSLAG = "verslag.maken"
    VERSLAG_LEZEN = "verslag.lezen"
    VERSLAG_VOLLEDIG = "verslag.volledig"
    # The plan van aanpak (#11). The full plan (typed text may name the resident): personal.
    PLAN = "plan.bekijken"
    # Add or change a goal: a besluit of the PGA-expert, or of the chair in an overleg.
    DOEL = "plan.doel"
    # Problems and scores per leefgebied: who keeps the plan moving, or the overleg's chair.
    LEEFGEBIED = "plan.leefgebied"
    # Add and change actions: the casusregisseur and the betrokkenen (owners are checked too).
    ACTIE = "plan.actie"
    # Approve or refuse uitstel, call in the procesregisseur: the casusregisseur.
    REGIE = "plan.regie"
    # Report a signal between overleggen: typed text that may name the resident, so in
    # private, by those who work on the casus (an adviser does not know who it is).
    SIGNAAL = "signaal.melden"
    # The casus's timeline: kinds, dates, codes and redacted text for anyone with a role, also
    # in a channel; in full and with identity only with DOSSIER, in private.
    TIJDLIJN = "tijdlijn.bekijken"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    personal: bool  # only in a personal space (1:1 chat, a download link to one person)
    action: str  # NEN 7513 action code: C(reate) R(ead) U(pdate) D(elete) E(xecute)


NEEDS: dict[Need, Rule] = {
    Need.OVERZICHT: Rule(ANY_ROLE, personal=False, action="R"),
    Need.IDENTITEIT: Rule(WITH_IDENTITY, personal=True, action="R"),
    Need.DOSSIER: Rule(WITH_IDENTITY, personal=True, action="R"),
    Need.TRIAGE: Rule(frozenset({GEMEENTE_EXPERT}), personal=True, action="U"),
    Need.BRIEF: Rule(EXPERT, personal=True, action="C"),
    Need.STARTGESPREK: Rule(REGIE, personal=True, action="U"),
    Need.KOPPELEN: Rule(EXPERT, personal=True, action="C"),
    Need.ONTKOPPELEN: Rule(EXPERT, personal=True, action="U"),
    Need.OVERLEG_PLANNEN: Rule(EXPERT, personal=True, action="U"),
    Need.BESPREKEN: Rule(OVERLEG_LEIDING, personal=False, action="C"),
    Need.AANWEZIG: Rule(OVERLEG_LEIDING | {GENODIGDE}, personal=False, action="U"),
    Need.AFSLUITEN: Rule(EXPERT, personal=True, action="U"),
    Need.INZAGE: Rule(EXPERT, personal=True, action="R"),
    Need.CORRIGEREN: Rule(EXPERT, personal=True, action="U"),
    Need.VERSLAG: Rule(OVERLEG_LEIDING, personal=False, action="C"),
    Need.VERSLAG_LEZEN: Rule(OVERLEG_LEIDING | {GENODIGDE}, personal=True, action="R"),
    Need.VERSLAG_VOLLEDIG: Rule(EXPERT, personal=True, action="R"),
    Need.PLAN: Rule(WITH_IDENTITY, personal=True, action="R"),
    Need.DOEL: Rule(OVERLEG_LEIDING, personal=False, action="U"),
    Need.LEEFGEBIED: Rule(REGIE | {VOORZITTER}, personal=False, action="U"),
    Need.ACTIE: Rule(WITH_IDENTITY, personal=True, action="U"),
    Need.REGIE: Rule(frozenset({CASUSREGISSEUR}), personal=True, action="U"),
    Need.SIGNAAL: Rule(WITH_IDENTITY, personal=True, action="C"),
    Need.TIJDLIJN: Rule(ANY_ROLE, personal=False, action="R"),
}


class CasusState(StrEnum):
    """Where a casus is in its life: the `status` column, and `geanonimiseerd_at` once
    retention has stripped it (its status then stays what it was). #21 turns this into the
    lifecycle with its transitions; `STATE_NEEDS` is what each state allows."""

    AANGEMELD = "aangemeld"  # referred, waiting for triage
    OPGENOMEN = "opgenomen"  # taken in by the PGA
    AFGEWEZEN = "afgewezen"  # triage: not taken in
    DOORVERWEZEN = "doorverwezen"  # triage: to the ZVH, the wijkteam or another overleg
    AL_BESPROKEN = "al_besproken"  # triage: already discussed elsewhere
    AFGESLOTEN = "afgesloten"  # closed after the aanpak (may be reopened within the term)
    GEANONIMISEERD = "geanonimiseerd"  # past the retention term: no identity left


RUNNING = frozenset({CasusState.AANGEMELD, CasusState.OPGENOMEN})

# Needs that give someone new access to the inwoner: a link (koppelen; triage links the
# procesregisseur and the casusregisseur) and the letter, which is a download with the name
# and address. No state but a running one allows them (DESIGN §3.6).
GRANTS_ACCESS = frozenset({Need.KOPPELEN, Need.TRIAGE, Need.BRIEF})
# What only a running casus does: the above, and the startgesprek that starts the aanpak.
ONLY_WHILE_RUNNING = GRANTS_ACCESS | {Need.STARTGESPREK}
# After retention there is no identity to show, correct, put in an inzage, or reopen.
NEEDS_IDENTITY_KEPT = frozenset({Need.IDENTITEIT, Need.INZAGE, Need.CORRIGEREN, Need.AFSLUITEN})
_ALL = frozenset(Need)

# Which needs a casus in each state allows at all: checked by the gate after the roles, so
# no workflow can forget it. A workflow may still refuse inside an allowed state for a
# reason of its own and with its own message (a letter only once taken in, afsluiten only
# when opgenomen, heropenen only when afgesloten, no plan change or signaal once closed).
STATE_NEEDS: dict[CasusState, frozenset[Need]] = {
    CasusState.AANGEMELD: _ALL,
    CasusState.OPGENOMEN: _ALL - {Need.TRIAGE},
    CasusState.AFGEWEZEN: _ALL - ONLY_WHILE_RUNNING,
    CasusState.DOORVERWEZEN: _ALL - ONLY_WHILE_RUNNING,
    CasusState.AL_BESPROKEN: _ALL - ONLY_WHILE_RUNNING,
    CasusState.AFGESLOTEN: _ALL - ONLY_WHILE_RUNNING,
    CasusState.GEANONIMISEERD: _ALL - ONLY_WHILE_RUNNING - NEEDS_IDENTITY_KEPT,
}


def casus_state(status: str, anonymised: bool) -> CasusState:
    """The state of a casus from what is stored (`Casus.status`, `Casus.geanonimiseerd_at`)."""
    return CasusState.GEANONIMISEERD if anonymised else CasusState(status)


def state_allows(state: CasusState, need: Need) -> bool:
    return need in STATE_NEEDS[state]


class PeopleNeed(StrEnum):
    """What a requester wants to do with the directory of professionals."""

    BEHEER_BEKIJKEN = "beheer.bekijken"
    ORGANISATIE_TOEVOEGEN = "beheer.organisatie"
    PROFESSIONAL_TOEVOEGEN = "beheer.professional"
    PGA_EXPERT_AANWIJZEN = "beheer.pga_expert"
    UITSCHAKELEN = "beheer.uitschakelen"
    INSCHAKELEN = "beheer.inschakelen"
    KANAAL_KOPPELEN = "beheer.kanaal"
    BRIEFHOOFD = "beheer.briefhoofd"
    EIGEN_CRITERIA = "beheer.criteria"
    MONITOR = "monitor.bekijken"  # figures per period, codes and counts only (#13)
    # A region (#26): the installation beheerder adds gemeenten and appoints their beheerders.
    GEMEENTE_TOEVOEGEN = "beheer.gemeente"
    BEHEERDER_AANWIJZEN = "beheer.beheerder"


# The beheerder of the installation (ADMIN_OBJECT_IDS, `professional.is_beheerder`): every
# gemeente. A gemeente beheerder: only the gemeenten of their `gemeente_beheerder` rows.
BEHEERDER = "beheerder"
GEMEENTE_BEHEERDER = "gemeente_beheerder"
ANY_PGA_EXPERT = "pga_expert"
_ADMINS = frozenset({BEHEERDER, GEMEENTE_BEHEERDER})
_ADMINS_AND_EXPERTS = _ADMINS | {ANY_PGA_EXPERT}

PEOPLE_NEEDS: dict[PeopleNeed, Rule] = {
    PeopleNeed.BEHEER_BEKIJKEN: Rule(_ADMINS_AND_EXPERTS, True, "R"),
    PeopleNeed.ORGANISATIE_TOEVOEGEN: Rule(_ADMINS_AND_EXPERTS, True, "C"),
    PeopleNeed.PROFESSIONAL_TOEVOEGEN: Rule(_ADMINS_AND_EXPERTS, True, "C"),
    PeopleNeed.PGA_EXPERT_AANWIJZEN: Rule(_ADMINS, True, "C"),
    PeopleNeed.UITSCHAKELEN: Rule(_ADMINS, True, "U"),
    PeopleNeed.INSCHAKELEN: Rule(_ADMINS, True, "U"),
    PeopleNeed.KANAAL_KOPPELEN: Rule(frozenset({ANY_PGA_EXPERT}), False, "U"),
    PeopleNeed.BRIEFHOOFD: Rule(_ADMINS_AND_EXPERTS, True, "U"),
    PeopleNeed.EIGEN_CRITERIA: Rule(_ADMINS_AND_EXPERTS, True, "C"),
    PeopleNeed.MONITOR: Rule(_ADMINS_AND_EXPERTS, True, "R"),
    PeopleNeed.GEMEENTE_TOEVOEGEN: Rule(frozenset({BEHEERDER}), True, "C"),
    PeopleNeed.BEHEERDER_AANWIJZEN: Rule(frozenset({BEHEERDER}), True, "C"),
}
# Needs about one gemeente: checked against the roles held *in that gemeente* (a gemeente
# beheerder or PGA-expert of another gemeente holds none there; the installation beheerder
# holds BEHEERDER everywhere). Store methods pass the gemeente to `authorise`.
GEMEENTE_NEEDS = frozenset(
    {
        PeopleNeed.PGA_EXPERT_AANWIJZEN,
        PeopleNeed.UITSCHAKELEN,
        PeopleNeed.INSCHAKELEN,
        PeopleNeed.KANAAL_KOPPELEN,
        PeopleNeed.BRIEFHOOFD,
        PeopleNeed.EIGEN_CRITERIA,
        PeopleNeed.MONITOR,
    }
)


_ISSUED = object()


@dataclass(frozen=True)
class Requester:
    """The acting professional and where they ask from. Made only by store/ (`issue`), from
    the registered professional the platform identified: a card cannot claim one."""

    professional_id: int
    tenant_id: str
    aad_object_id: str
    conversation_id: str
    conversation_type: str  # personal, channel, groupChat, download, unknown
    # Asked in a shared space, but the answer goes only to this professional's 1:1 chat.
    delivered_privately: bool = False
    # Where a download was fetched from (audit only).
    client: str | None = None
    _issuer: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._issuer is not _ISSUED:
            raise TypeError("A Requester is issued by store/ only (store.access.issue).")

    @property
    def in_personal_space(self) -> bool:
        # A signed download link is issued only inside a personal chat, to one professional.
        return self.delivered_privately or self.conversation_type in (PERSONAL, "download")

    def privately(self) -> Requester:
        return replace(self, delivered_privately=True)


def issue(
    professional_id: int,
    tenant_id: str,
    aad_object_id: str,
    conversation_id: str,
    conversation_type: str,
    client: str | None = None,
) -> Requester:
    return Requester(
        professional_id=professional_id,
        tenant_id=tenant_id,
        aad_object_id=aad_object_id,
        conversation_id=conversation_id,
        conversation_type=conversation_type,
        client=client,
        _issuer=_ISSUED,
    )


class AccessDenied(Exception):
    """The requester has no role on the casus that allows this."""


class NotAllowed(AccessDenied):
    """The requester has a role on the casus, but not one that allows this need."""


class StateRefused(AccessDenied):
    """The requester's roles allow the need, but the casus's state does not (`STATE_NEEDS`);
    or the requester's link ended when the casus ended (`former_link`). Raised only to
    someone who holds, or held until the end, a role on the casus, so it may name the state.
    """

    def __init__(self, need: Need, state: CasusState, code: str, former_link: bool = False):
        super().__init__(str(need))
        self.need = need
        self.state = state
        self.code = code
        self.former_link = former_link


class PersonalSpaceRequired(Exception):
    """Identifying data may only be shown in a personal space (DESIGN §3.2)."""


class NotFound(Exception):
    pass


class Conflict(Exception):
    """Someone else changed the record first (e.g. two PGA-experts deciding at once)."""


class AlreadyDone(Conflict):
    """The record is already where this press would take it (a double-click, a retry, the
    same press in another process): nothing to do, and nobody else to blame."""


class SharedPostRefused(Exception):
    """A post for a shared space carries an identifier of the resident (DESIGN §3.9)."""
