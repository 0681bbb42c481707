"""The redaction rules of store/privacy.py, one rule per test (DESIGN §3.3).

Guards what mutation testing found unproven: which parts of an identifier count, the order
in which variants are tried, word boundaries, the birth-date notations and name matching.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.privacy import REDACTED, identifier_variants, identifiers_of, name_key, redact


@dataclass
class Persoon:
    naam: str
    geboortedatum: dt.date
    adres: str | None = None
    postcode: str | None = None


# --- name_key: duplicate matching -------------------------------------------------------


def test_name_key_folds_case_accents_punctuation_and_spacing() -> None:
    assert name_key("  Chloë  d'Ancona-DE JONG ") == "chloe d ancona de jong"


def test_name_key_casefolds_rather_than_lowercases() -> None:
    assert name_key("Straße") == name_key("STRASSE") == "strasse"


def test_name_key_is_cut_to_the_column_width() -> None:
    assert name_key("a" * 400) == "a" * 150


# --- which strings are hidden ------------------------------------------------------------


def test_variants_are_the_whole_identifier_and_its_telling_parts_longest_first() -> None:
    variants = identifier_variants(["  Kevin Oudeman ", "Oudeman,Kevin"])
    assert set(variants) == {"Kevin Oudeman", "Oudeman,Kevin", "Oudeman", "Kevin"}
    assert [len(v) for v in variants] == sorted((len(v) for v in variants), reverse=True)


def test_blank_identifiers_are_skipped_not_the_end_of_the_list() -> None:
    assert identifier_variants(["", "   ", "Kim"]) == ["Kim"]


def test_a_three_letter_part_counts_a_two_letter_one_does_not() -> None:
    assert set(identifier_variants(["Ali Bo"])) == {"Ali Bo", "Ali"}


def test_a_part_needs_a_letter_and_may_hold_digits() -> None:
    """'1234' of a postcode is any number; '12b' of an address is the house."""
    assert set(identifier_variants(["1234 AB", "Dorpsstraat 12b"])) == {
        "1234 AB",
        "Dorpsstraat 12b",
        "Dorpsstraat",
        "12b",
    }


def test_month_names_from_a_written_birth_date_are_not_hidden_on_their_own() -> None:
    assert set(identifier_variants(["17 april 2003", "7 Okt 2003", "1 mei 2003"])) == {
        "17 april 2003",
        "7 Okt 2003",
        "1 mei 2003",
    }


# --- redact --------------------------------------------------------------------------------


def test_the_whole_name_becomes_one_marker_not_one_per_part() -> None:
    assert redact("Kevin Oudeman belde.", ["Kevin Oudeman"]) == f"{REDACTED} belde."


def test_each_variant_is_hidden_in_any_case() -> None:
    text = "KEVIN zegt dat oudeman en Kevin Oudeman thuis waren"
    assert redact(text, ["Kevin Oudeman"]) == (
        f"{REDACTED} zegt dat {REDACTED} en {REDACTED} thuis waren"
    )


def test_only_whole_words_are_hidden() -> None:
    assert redact("Kevinson en Oudemans", ["Kevin Oudeman"]) == "Kevinson en Oudemans"
    assert redact("(Kevin)", ["Kevin"]) == f"({REDACTED})"


def test_regex_characters_in_an_identifier_are_literal() -> None:
    assert redact("Dorpsstraat 1.2 en Dorpsstraat 152", ["Dorpsstraat 1.2"]) == (
        f"{REDACTED} en {REDACTED} 152"
    )


def test_nothing_to_hide_leaves_the_text_as_it_is() -> None:
    assert redact("De buurman belde.", []) == "De buurman belde."
    assert redact("De buurman belde.", ["", "  "]) == "De buurman belde."
    assert redact("", ["Kevin"]) == ""


# --- the resident's identifiers ---------------------------------------------------------------


def test_identifiers_hold_the_name_address_postcode_and_every_date_notation() -> None:
    """The birth date is kept once (ISO); every notation of it is found by the one date
    recogniser (#20), so each of the notations this list used to spell out is still hidden."""
    persoon = Persoon("Kim de Wit", dt.date(2003, 4, 7), "Lindelaan 12", "1234 AB")
    numeric = {
        f"{d}{sep}{m}{sep}{y}"
        for d in ("7", "07")
        for m in ("4", "04")
        for y in ("2003", "03")
        for sep in "-/."
    }
    written = {f"{d} {month} 2003" for d in ("7", "07") for month in ("april", "apr")}
    dates = sorted({"2003-04-07", "20030407", "07042003", *numeric, *written})
    identifiers = identifiers_of(persoon)
    assert identifiers == ["Kim de Wit", "Lindelaan 12", "1234 AB", "2003-04-07"]
    for notation in dates:
        assert redact(f"geboren {notation}.", identifiers) == f"geboren {REDACTED}.", notation


def test_identifiers_leave_out_an_unknown_address() -> None:
    found = identifiers_of(Persoon("Kim de Wit", dt.date(1990, 12, 25), None, None))
    assert found == ["Kim de Wit", "1990-12-25"]
    assert redact("25 december 1990 of 25 dec 1990", found) == f"{REDACTED} of {REDACTED}"


def test_a_written_birth_date_is_hidden_but_the_month_alone_is_not() -> None:
    identifiers = identifiers_of(Persoon("Kim de Wit", dt.date(2003, 4, 17)))
    result = redact("Geboren 17 april 2003 (17-4-2003); in april gezien.", identifiers)
    assert result == f"Geboren {REDACTED} ({REDACTED}); in april gezien."


def test_a_two_digit_year_is_hidden_too() -> None:
    identifiers = identifiers_of(Persoon("Kim de Wit", dt.date(2003, 4, 17)))
    assert redact("Geboren 17-4-03.", identifiers) == f"Geboren {REDACTED}."


def test_a_name_particle_alone_is_not_hidden() -> None:
    """'van' and 'der' of 'Piet van der Berg' are ordinary words; the name whole and 'Berg'
    are hidden, and 'Berg' with the particles before it (#20: never "van [bewoner]")."""
    assert set(identifier_variants(["Piet van der Berg"])) == {
        "Piet van der Berg",
        "Piet",
        "Berg",
        "van der Berg",
        "der Berg",
        "van Berg",
    }
    assert redact("Van de buren hoorde ik dat Berg er was", ["Piet van der Berg"]) == (
        f"Van de buren hoorde ik dat {REDACTED} er was"
    )
