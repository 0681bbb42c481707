"""Reference lists the forms offer. Values are stored; labels are what users read."""

from __future__ import annotations

Option = tuple[str, str]

ROLLEN = ("pga_expert", "casusregisseur", "betrokken", "adviserend")
ROLLEN_MET_IDENTITEIT = ("pga_expert", "casusregisseur", "betrokken")

ROL_LABELS = {
    "pga_expert": "PGA-expert (procesregisseur)",
    "casusregisseur": "Casusregisseur",
    "betrokken": "Betrokken professional",
    "adviserend": "Adviserend professional",
    "gemeente_pga_expert": "PGA-expert van de gemeente",
}

DOELGROEPEN: list[Option] = [
    ("jeugd", "Jeugd (16–27 jaar)"),
    ("volwassene", "Volwassene"),
]

URGENTIES: list[Option] = [
    ("normaal", "Normaal"),
    ("hoog", "Hoog: binnen een week bespreken"),
    ("acuut", "Acuut: direct gevaar"),
]

# The twelve leefgebieden of the regional PGA-monitor (after the Zelfredzaamheid-Matrix).
LEEFGEBIEDEN: list[Option] = [
    ("financien", "Financiën"),
    ("dagbesteding", "Werk, school en dagbesteding"),
    ("huisvesting", "Huisvesting"),
    ("huiselijke_relaties", "Huiselijke relaties"),
    ("geestelijke_gezondheid", "Geestelijke gezondheid"),
    ("lichamelijke_gezondheid", "Lichamelijke gezondheid"),
    ("middelengebruik", "Middelengebruik"),
    ("zelfzorg", "Zelfzorg (ADL)"),
    ("sociaal_netwerk", "Sociaal netwerk"),
    ("participatie", "Maatschappelijke participatie"),
    ("justitie", "Justitie en politie"),
    ("opvoeding", "Opvoeding en gezin"),
]

# AVG art. 6 lid 1: every basis, a to f.
GRONDSLAGEN: list[Option] = [
    ("art6_1e", "6.1e: taak van algemeen belang of openbaar gezag"),
    ("art6_1c", "6.1c: wettelijke verplichting"),
    ("art6_1d", "6.1d: vitaal belang"),
    ("art6_1a", "6.1a: toestemming van de bewoner"),
    ("art6_1b", "6.1b: overeenkomst met de bewoner"),
    ("art6_1f", "6.1f: gerechtvaardigd belang (niet voor overheidstaken)"),
]
TOESTEMMING_WAARSCHUWING = (
    "Let op: toestemming is zelden vrij gegeven als de bewoner afhankelijk is van jouw "
    "organisatie. Kies liever een andere grondslag als die er is."
)

# Special (art. 9) or criminal (art. 10) data: the exception that allows sharing them.
UITZONDERINGEN: list[Option] = [
    ("geen", "Geen bijzondere of strafrechtelijke gegevens"),
    ("art9_2a", "Art. 9 lid 2a: uitdrukkelijke toestemming"),
    ("art9_2g", "Art. 9 lid 2g: zwaarwegend algemeen belang"),
    ("art9_2h", "Art. 9 lid 2h: zorg en hulpverlening"),
    ("art10_uavg", "Art. 10 AVG / UAVG: strafrechtelijke gegevens"),
]

# For a professional with beroepsgeheim: the ground to share despite it.
BEROEPSGEHEIM: list[Option] = [
    ("geen", "Geen beroepsgeheim"),
    ("toestemming", "Toestemming van de bewoner"),
    ("wettelijk", "Wettelijke plicht of wettelijke grondslag"),
    ("conflict_van_plichten", "Conflict van plichten"),
]

KOPPEL_ROLLEN: list[Option] = [
    ("betrokken", "Betrokken: werkt aan de casus, ziet wie het is"),
    ("adviserend", "Adviserend: adviseert, ziet niet wie het is"),
    ("casusregisseur", "Casusregisseur: houdt het plan van aanpak bij"),
]

ORGANISATIE_SOORTEN: list[Option] = [
    ("gemeente", "Gemeente"),
    ("politie", "Politie"),
    ("om", "Openbaar Ministerie"),
    ("reclassering", "Reclassering"),
    ("ggz", "GGZ"),
    ("zorg", "Zorg en welzijn"),
    ("jeugdzorg", "Jeugdzorg"),
    ("woningcorporatie", "Woningcorporatie"),
    ("zvh", "Zorg- en Veiligheidshuis"),
    ("wijkteam", "Wijkteam"),
    ("overig", "Anders"),
]

TRIAGE_BESLUITEN: list[Option] = [
    ("opnemen", "Opnemen in de PGA"),
    ("afwijzen", "Afwijzen"),
    ("doorverwijzen", "Doorverwijzen"),
    ("al_besproken", "Al besproken in ander overleg"),
]

DOORVERWIJZINGEN: list[Option] = [
    ("zvh", "Zorg- en Veiligheidshuis"),
    ("wijkteam", "Wijkteam"),
    ("ander_overleg", "Ander overleg"),
]

CASUS_STATUS_LABELS = {
    "aangemeld": "Aangemeld, wacht op triage",
    "opgenomen": "Opgenomen",
    "afgewezen": "Afgewezen",
    "doorverwezen": "Doorverwezen",
    "al_besproken": "Al besproken in ander overleg",
    "afgesloten": "Afgesloten",
}

# The three criteria of the handreiking PGA (DESIGN §2.1); at least two should hold.
CRITERIA: list[Option] = [
    (
        "overlast",
        "Herhaald ernstige overlast of criminaliteit, of een dreiging voor de veiligheid: van "
        "de omgeving, door maatschappelijke onrust of voor professionals zelf",
    ),
    (
        "politie",
        "Minstens 2 politieregistraties in de laatste 12 maanden; tijd in detentie telt niet "
        "mee in die 12 maanden",
    ),
    (
        "meerdere_organisaties",
        "Problemen op meerdere leefgebieden, waarvoor 2 of meer organisaties nodig zijn",
    ),
]

ACUUT_HULP = (
    "Is er nu direct gevaar? Bel 112. Zorgen over huiselijk geweld of kindermishandeling: bel "
    "Veilig Thuis, 0800-2000 (gratis, dag en nacht). Acute psychische nood: bel de huisarts of "
    "de huisartsenpost; zij schakelen de crisisdienst in. Je aanmelding bij de PGA blijft staan."
)


# Afsluiting (#13): why a casus closes (DESIGN §2.3).
AFSLUIT_REDENEN: list[Option] = [
    ("doelen_behaald", "Doelen behaald"),
    ("afschalen", "Afschalen naar wijkteam of reguliere zorg"),
    ("opschalen", "Opschalen naar het Zorg- en Veiligheidshuis"),
    ("gestopt", "Gestopt (zeg waarom)"),
]
# The same, for reports and records (monitor, Excel, inzage): the form's hint dropped.
AFSLUIT_REDEN_LABELS: list[Option] = [(key, name.split(" (")[0]) for key, name in AFSLUIT_REDENEN]
# What the PGA-expert may correct, with the label the card shows.
CORRIGEER_VELDEN: list[Option] = [
    ("naam", "Naam van de bewoner"),
    ("geboortedatum", "Geboortedatum (jjjj-mm-dd)"),
    ("woonplaats", "Woonplaats"),
    ("aanmelding_reden", "Reden van aanmelding"),
]


def label(options: list[Option], value: str | None) -> str:
    return dict(options).get(value or "", value or "")
