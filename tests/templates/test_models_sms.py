"""SMS encoding and parts: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67), escapes and surrogates never split."""

from __future__ import annotations

import pytest

from templates.services.sms import sms_encoding_measure


@pytest.mark.parametrize(
    ("body", "encoding", "units", "parts"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("Ünìcode? No: GSM has ñ, é, ß and Δ", "GSM-7", 34, 1),
        ("naïve", "UCS-2", 5, 1),
        ("{" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("{" * 81, "GSM-7", 162, 2),
        ("a" * 70 + "—", "UCS-2", 71, 2),
        ("가" * 70, "UCS-2", 70, 1),
        ("가" * 71, "UCS-2", 71, 2),
        ("가" * 134, "UCS-2", 134, 2),
        ("가" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # each emoji is a surrogate pair
    ],
)
def test_it_counts_units_and_parts(body: str, encoding: str, units: int, parts: int) -> None:
    measured = sms_encoding_measure(body=body)
    assert (measured.encoding, measured.units, measured.parts) == (encoding, units, parts)
    assert measured.characters == len(body)


def test_an_escape_pair_never_straddles_two_parts() -> None:
    # 152 plain septets then "€" (2 septets): the escape pair cannot start at septet 153, so it moves on.
    measured = sms_encoding_measure(body="a" * 152 + "€" + "a" * 152)
    assert measured.parts == 3


def test_a_surrogate_pair_never_straddles_two_parts() -> None:
    measured = sms_encoding_measure(body="가" * 66 + "😀" + "가" * 66)
    assert measured.units == 134
    assert measured.parts == 3


def test_it_names_the_characters_that_force_ucs2_and_what_is_left() -> None:
    measured = sms_encoding_measure(body="Hi “Jane” 😀")
    assert measured.encoding == "UCS-2"
    assert measured.non_gsm == ("“", "”", "😀")
    assert measured.remaining == 70 - measured.units
