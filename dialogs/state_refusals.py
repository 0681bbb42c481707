"""What someone hears when the casus's state refuses what they asked (store/access.py,
`STATE_NEEDS`): the gate has checked their role first, so the answer may say the state."""

from __future__ import annotations

from store.access import CasusState, Need, StateRefused

NOT_TAKEN_IN = frozenset({CasusState.AFGEWEZEN, CasusState.DOORVERWEZEN, CasusState.AL_BESPROKEN})

# Said to whoever's link ended when the casus ended (not "ask to be linked").
LINK_ENDED = {
    CasusState.AFGESLOTEN: (
        "Casus {code} is afgesloten. Je koppeling is toen gestopt, dus je ziet de casus niet "
        "meer. Er is niets veranderd."
    ),
    CasusState.GEANONIMISEERD: (
        "Casus {code} is afgesloten en de gegevens zijn na de bewaartermijn verwijderd. Je "
        "koppeling is gestopt. Er is niets veranderd."
    ),
}
LINK_ENDED_NOT_TAKEN_IN = (
    "De aanmelding {code} is niet opgenomen door de PGA. Je koppeling is gestopt, dus je ziet "
    "de casus niet meer. Er is niets veranderd."
)

# Per need, what a state that refuses it means for the one who asked.
BY_NEED: dict[Need, dict[CasusState, str]] = {
    Need.KOPPELEN: {
        CasusState.AFGESLOTEN: (
            "Casus {code} is afgesloten. Je kunt niemand meer koppelen. Moet er toch iemand "
            "aan werken? Heropen de casus eerst met 'heropenen {code}'. Er is niets veranderd."
        ),
        **{
            state: (
                "De aanmelding {code} is niet opgenomen door de PGA. Daarom kun je niemand aan "
                "deze casus koppelen. Er is niets veranderd."
            )
            for state in NOT_TAKEN_IN
        },
    },
    Need.TRIAGE: {
        # The same words as the triage workflow used before the gate said it.
        state: "Over deze aanmelding is al besloten. Typ 'casus {code}' om de casus te zien."
        for state in CasusState
    },
    Need.BRIEF: {
        CasusState.AFGESLOTEN: (
            "Casus {code} is afgesloten. Een brief aan de bewoner kan niet meer. Er is niets "
            "veranderd."
        ),
    },
    Need.STARTGESPREK: {
        CasusState.AFGESLOTEN: (
            "Casus {code} is afgesloten. Een startgesprek vastleggen kan niet meer. Er is "
            "niets veranderd."
        ),
    },
}
NOT_TAKEN_IN_TEXT = (
    "De aanmelding {code} is niet opgenomen door de PGA. Daarom kan dit niet. Er is niets "
    "veranderd."
)
ANONYMISED = (
    "Casus {code} is afgesloten en de gegevens zijn na de bewaartermijn verwijderd. Daarom "
    "kan dit niet meer. Er is niets veranderd."
)
ENDED = "Casus {code} is afgesloten. Daarom kan dit niet meer. Er is niets veranderd."


def refusal_text(refused: StateRefused) -> str:
    return _template(refused).format(code=refused.code)


def _template(refused: StateRefused) -> str:
    state = refused.state
    if refused.former_link:
        return LINK_ENDED_NOT_TAKEN_IN if state in NOT_TAKEN_IN else LINK_ENDED[state]
    specific = BY_NEED.get(refused.need, {})
    if state in specific:
        return specific[state]
    if state is CasusState.GEANONIMISEERD:
        return ANONYMISED
    if state in NOT_TAKEN_IN:
        return NOT_TAKEN_IN_TEXT
    return ENDED
