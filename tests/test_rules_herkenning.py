"""The rules of store/herkenning.py: what of a resident is recognised in a channel message,
and in which notations (issue #10). Pure functions; the database lookup is tested in
tests/test_signalen.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from store.herkenning import digest, keys_in, keys_of


@dataclass
class Persoon:
    naam: str
    geboortedatum: dt.date
    adres: str | None = None
    postcode: str | None = None


KEVIN = Persoon("Kevin van der Oudeman", dt.date(2003, 4, 17), "Lindelaan 12", "1234 AB")


def named(text: str, persoon: Persoon = KEVIN) -> bool:
    return bool(keys_of(persoon) & keys_in(text))


def test_a_resident_is_known_by_name_surname_birth_date_address_and_postcode() -> None:
    assert keys_of(KEVIN) == {
        "t:kevin van der oudeman",
        "t:oudeman",
        "t:lindelaan 12",
        "p:1234ab",
        "d:2003-04-17",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Kevin van der Oudeman belde",
        "KEVIN VAN DER OUDEMAN",
        "oudeman belde",
        "Óudeman, kevin",  # accents and punctuation do not count
        "bij <at>Casusoverleg</at> oudeman",
        "woont op Lindelaan 12 sinds maart",
        "postcode 1234AB",
        "postcode 1234 ab",
    ],
)
def test_names_in_any_case_and_the_surname_alone_are_recognised(text: str) -> None:
    assert named(text)


@pytest.mark.parametrize(
    "text",
    [
        "geboren 17-04-2003",
        "geboren 17-4-2003",
        "geboren 17/4/2003",
        "geboren 17.04.2003",
        "geboren 17-4-03",
        "geboren 2003-04-17",
        "geboren 20030417",
        "geboren 17042003",
        "geboren 17 april 2003",
        "geboren 17 APR. 2003",
        "geboren 17 apr 03",
    ],
)
def test_birth_dates_in_the_usual_dutch_notations_are_recognised(text: str) -> None:
    assert named(text)


@pytest.mark.parametrize(
    "text",
    [
        "Kevin belde",  # a first name alone: a colleague may be called Kevin
        "van der buren gehoord",  # name particles are ordinary words
        "Oudemans en Lindelaan 14",  # a longer word, another house
        "geboren 18-04-2003",
        "geboren 17-04-2004",
        "172003041",  # digits inside a longer number
        "1234 abc",
        "<at>Kevin van der Oudeman</at> help",  # an @mention is a colleague in Teams
    ],
)
def test_what_does_not_identify_is_not_a_hit(text: str) -> None:
    assert not named(text)


def test_impossible_dates_are_skipped_not_an_error() -> None:
    assert not any(k.startswith("d:") for k in keys_in("31-02-2003 en 99999999 en 0-0-00"))


def test_a_two_digit_year_may_be_either_century() -> None:
    assert {"d:1903-04-17", "d:2003-04-17"} <= keys_in("17-4-03")


def test_a_single_name_counts_as_a_surname() -> None:
    assert named("Mo is er weer", Persoon("Mo", dt.date(1990, 1, 1))) is False  # too short
    assert named("Yilmaz is er weer", Persoon("Yilmaz", dt.date(1990, 1, 1)))


def test_a_long_name_is_recognised_whole() -> None:
    long_name = Persoon("Maria José van der Berg Smits", dt.date(1990, 1, 1))
    assert "t:maria jose van der berg smits" in keys_in("maria josé van der berg smits")
    assert named("Berg", long_name) and named("smits", long_name)


def test_digests_are_fixed_length_and_differ_per_key() -> None:
    assert len(digest("t:oudeman")) == 32
    assert digest("t:oudeman") != digest("t:oudemann")


def test_a_three_letter_surname_counts() -> None:
    assert named("Ali belde", Persoon("Mo Ali", dt.date(1990, 1, 1)))


def test_a_whole_name_of_short_parts_counts_though_its_parts_do_not() -> None:
    mo_li = Persoon("Mo Li", dt.date(1990, 1, 1))
    assert named("mo li belde", mo_li) and not named("li belde", mo_li)


@pytest.mark.parametrize("text", ["17111985", "19851117", "17-11-1985", "17 nov 1985"])
def test_compact_dates_with_any_month_and_century(text: str) -> None:
    assert named(text, Persoon("Kim de Wit", dt.date(1985, 11, 17)))


def test_a_two_digit_year_valid_in_one_century_only() -> None:
    assert "d:2000-02-29" in keys_in("29-2-00")  # 1900 was no leap year
