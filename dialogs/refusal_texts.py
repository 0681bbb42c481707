"""What the router says when a press or command is refused or cannot be done: one catalogue
of the texts, by reason and by need (Dutch, B1; each says what to do next)."""

from __future__ import annotations

from store.access import Need, PeopleNeed

NO_ACCESS = (
    "Je hebt geen toegang tot deze casus, of hij bestaat niet. Ben je wel betrokken? "
    "Vraag de PGA-expert om je te koppelen."
)
NOT_FOUND = "Ik kan dit niet vinden. Controleer de code of typ 'help'."
STALE_FORM = (
    "Dit formulier klopt niet of is verouderd. Er is niets veranderd. Open het opnieuw met "
    "het commando of de knop waar je het vond; typ 'help' voor de commando's."
)
NOT_UNDERSTOOD = "Dat begrijp ik niet. Typ 'help' voor wat je hier kunt doen."
ALREADY_DONE = "Dit is al gedaan. Open het opnieuw om de laatste stand te zien."
CONFLICT = "Iemand anders heeft dit net gewijzigd. Open het opnieuw om de laatste stand te zien."
SENT_PRIVATELY = (
    "Dit hoort niet in een gedeeld gesprek. Ik heb het in je privéchat met Casusoverleg gezet."
)
# A refusal that may say what is needed: the card it came from is in view anyway, and an
# unknown item gets the same answer.
DENIED = {
    str(Need.BESPREKEN): (
        "Alleen de voorzitter of de PGA-expert van dit overleg kan dit. Er is niets veranderd."
    ),
    str(Need.OVERLEG_PLANNEN): (
        "Alleen de PGA-expert van de gemeente plant het overleg en maakt de agenda."
    ),
    str(Need.AANWEZIG): (
        "Je staat niet op de lijst van genodigden van dit overleg. Vraag de voorzitter om je "
        "toe te voegen. Er is niets veranderd."
    ),
    str(PeopleNeed.MONITOR): (
        "De PGA-monitor is voor de PGA-expert en de beheerder. Vraag de cijfers aan hen."
    ),
    str(Need.VERSLAG): "Het verslag maken de PGA-expert of de voorzitter van het overleg.",
    str(Need.VERSLAG_LEZEN): (
        "Het verslag is voor wie bij dit overleg was uitgenodigd. Heb je het nodig? Vraag het "
        "de PGA-expert."
    ),
    str(Need.VERSLAG_VOLLEDIG): (
        "Het volledige verslag is alleen voor de PGA-expert. Haal het geanonimiseerde verslag "
        "op met de knop in het kanaal."
    ),
}
# For someone with a role on the casus, but not the one this needs: say who does it.
NOT_YOURS = {
    str(Need.BRIEF): "De brief aan de bewoner maakt de PGA-expert. Vraag het aan de PGA-expert.",
    str(Need.KOPPELEN): (
        "Professionals koppelen of ontkoppelen doet de PGA-expert. Vraag het aan de PGA-expert."
    ),
    str(Need.ONTKOPPELEN): (
        "Professionals koppelen of ontkoppelen doet de PGA-expert. Vraag het aan de PGA-expert."
    ),
    str(Need.STARTGESPREK): (
        "Het startgesprek leggen de casusregisseur of de PGA-expert vast. Vraag het aan hen."
    ),
    str(Need.TRIAGE): "Triage doet de PGA-expert van de gemeente.",
    str(Need.IDENTITEIT): "Je adviseert bij deze casus: wie het is, zie je niet.",
    str(Need.DOSSIER): "Je adviseert bij deze casus: het dossier zie je niet.",
    str(Need.AFSLUITEN): (
        "Een casus afsluiten of heropenen doet de PGA-expert. Vraag het aan de PGA-expert."
    ),
    str(Need.INZAGE): (
        "Een inzage voor de bewoner maakt de PGA-expert. Vraag het aan de PGA-expert."
    ),
    str(Need.CORRIGEREN): (
        "Vastgelegde gegevens verbetert de PGA-expert. Vraag het aan de PGA-expert."
    ),
    str(Need.PLAN): "Je adviseert bij deze casus: de teksten van het plan zie je niet.",
    str(Need.DOEL): (
        "Een doel vastleggen of wijzigen is een besluit van de PGA-expert (of in het overleg). "
        "Vraag het aan de PGA-expert. Er is niets veranderd."
    ),
    str(Need.LEEFGEBIED): (
        "Problemen en scores legt de casusregisseur of de PGA-expert vast. Er is niets veranderd."
    ),
    str(Need.ACTIE): "Je adviseert bij deze casus: acties zijn voor wie eraan werkt.",
    str(Need.REGIE): (
        "Dit beslist de casusregisseur van deze casus. Vraag het aan de casusregisseur. Er is "
        "niets veranderd."
    ),
    str(Need.SIGNAAL): "Je adviseert bij deze casus: een signaal melden de betrokkenen.",
}
NOT_SHARED = (
    "Dit bericht bevat gegevens van een bewoner en hoort niet in een kanaal. Het is niet "
    "verstuurd. Gebruik alleen de casuscode."
)
