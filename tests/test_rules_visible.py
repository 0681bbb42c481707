"""The rules of store/visible.py (what a reader sees) and store/dates.py (dates as people
write them), one rule per test (#20). Pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from store.dates import dates_in, whole_date
from store.visible import fold, fold_char, original_spans, words

APRIL_17 = dt.date(2003, 4, 17)


# --- fold ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("Oude\u00adman", "oudeman"),
        ("Oude\u200b\u200c\u200d\u2060\ufeff\u180eman", "oudeman"),
        ("Ｏｕｄｅｍａｎ", "oudeman"),
        ("\u041eudeman", "oudeman"),  # Cyrillic О
        ("\u039fudeman", "oudeman"),  # Greek Ο
        ("Çelik", "celik"),
        ("Ce\u0327lik", "celik"),  # the same, decomposed
        ("Straße", "strasse"),
        ("Søren", "soren"),
        ("١٧", "17"),  # Arabic-Indic digits
        ("17\u201304", "17-04"),  # en dash
        ("a\u00a0b", "a b"),  # no-break space
        ("O\u2019Neill", "o'neill"),
        ("\u0397\u0399", "hi"),  # Greek capitals Eta and Iota: H and I, as seen
        ("\u041c\u043c", "mm"),  # Cyrillic М and its small м
    ],
)
def test_fold_gives_what_a_reader_sees(typed: str, seen: str) -> None:
    assert fold(typed) == seen


def test_plain_ascii_is_only_lowered() -> None:
    text = "Kevln Oudernan, I l 1 0 O rn m |"
    assert fold(text) == text.lower()
    assert all(fold_char(c) == c.lower() for c in map(chr, range(128)))


def test_words_split_on_punctuation_and_join_across_what_is_invisible() -> None:
    assert words("Çelik-van Dam, Oude\u00adman!") == ["celik", "van", "dam", "oudeman"]


# --- original_spans -------------------------------------------------------------------------------


def test_a_span_maps_back_over_dropped_and_widened_characters() -> None:
    text = "x Oude\u00adman\u0301\u200b y"
    folded = fold(text)
    start = folded.index("oudeman")
    [(first, last)] = original_spans(text, [(start, start + len("oudeman"))])
    assert text[first:last] == "Oude\u00adman\u0301\u200b"


def test_a_character_that_folds_to_two_maps_back_whole() -> None:
    text = "Straße 1"
    assert original_spans(text, [(0, 7)]) == [(0, 6)]


def test_overlapping_and_touching_spans_merge_and_empty_ones_go() -> None:
    text = "abcdefgh"
    assert original_spans(text, [(4, 6), (0, 2), (1, 3), (3, 3), (5, 8)]) == [(0, 3), (4, 8)]


def test_a_leading_invisible_character_goes_with_the_span() -> None:
    text = "a \u2060Kim b"
    folded = fold(text)
    [(first, last)] = original_spans(text, [(folded.index("kim"), folded.index("kim") + 3)])
    assert text[first:last] == "\u2060Kim"


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "17-04-2003",
        "17/4/2003",
        "17.04.2003",
        "17 04 2003",
        "17 - 4 - 2003",
        "17-4-'03",
        "17 04 '03",
        "2003-04-17",
        "2003/4/17",
        "2003 04 17",
        "17042003",
        "20030417",
        "17 april 2003",
        "17 apr. 2003",
        "17 apr 03",
        "17-apr-2003",
        "17april2003",
        "17e april 2003",
        "17th of april 2003",
        "april 17, 2003",
        "apr. 17 '03",
        "04/17/2003",
    ],
)
def test_each_notation_is_read(written: str) -> None:
    [found] = dates_in(fold(f"geboren {written}."))
    assert APRIL_17 in found.dates
    assert (found.start, found.end) == (8, 8 + len(fold(written)))


def test_a_two_digit_year_means_either_century() -> None:
    [found] = dates_in("17-4-03")
    assert found.dates == {dt.date(1903, 4, 17), dt.date(2003, 4, 17)}


def test_day_month_and_month_day_both_count() -> None:
    [found] = dates_in("5-4-2003")
    assert found.dates == {dt.date(2003, 4, 5), dt.date(2003, 5, 4)}


@pytest.mark.parametrize(
    "text",
    [
        "bel 06 17 04 20 03",  # three bare numbers with spaces need a telling year
        "om 17.04 uur",
        "april 2003",
        "31-02-2003",
        "versie 1.2.3",
        "172003041",
        "17 aprikoos 2003",
    ],
)
def test_what_is_no_date(text: str) -> None:
    assert not any(APRIL_17 in found.dates for found in dates_in(fold(text)))
    assert dates_in("31-02-2003") == []


def test_a_date_after_a_number_is_still_found() -> None:
    [found] = dates_in("3 17 04 2003")
    assert (found.start, found.dates) == (2, frozenset({APRIL_17}))


def test_dutch_and_english_month_words() -> None:
    for month, words_of_month in {
        3: ["maart", "mrt", "mrt.", "march", "mar"],
        5: ["mei", "may"],
        9: ["september", "sep", "sept."],
        10: ["oktober", "okt.", "october", "oct"],
    }.items():
        for word in words_of_month:
            assert whole_date(f"1 {word} 2003") == {dt.date(2003, month, 1)}, word


def test_whole_date_only_when_nothing_else_is_there() -> None:
    assert whole_date("  2003-04-17 ") == {APRIL_17}
    assert whole_date("geboren 2003-04-17") == frozenset()
    assert whole_date("Lindelaan 12") == frozenset()
