"""Time-zone estimation from offline data: phone area codes (the number must belong to the endpoint's country),
postal codes of Pinpoint's nine countries, coordinates; every case that cannot be estimated says why."""

from __future__ import annotations

import pytest

from campaigns.journeys.timezones import PHONE_NUMBER, POSTAL_CODE, timezone_estimate

PHONE = (PHONE_NUMBER,)
POSTAL = (POSTAL_CODE,)


@pytest.mark.parametrize(
    ("address", "country", "zone"),
    [
        ("+12125551234", "US", "America/New_York"),  # Manhattan
        ("+14155550100", "US", "America/Los_Angeles"),  # San Francisco
        ("+13125550100", "US", "America/Chicago"),
        ("+19705550100", "US", "America/Denver"),
        ("+18085550100", "US", "Pacific/Honolulu"),
        ("+16045550100", "CA", "America/Vancouver"),
        ("+442079460000", "GB", "Europe/London"),
        ("+447400123456", "UK", "Europe/London"),  # mobile: London, Jersey, Guernsey, Man keep one clock
        ("+61291234567", "AU", "Australia/Sydney"),
        ("+33142685300", "FR", "Europe/Paris"),
        ("+34928123456", "ES", "Atlantic/Canary"),  # Las Palmas
        ("+34912345678", "ES", "Europe/Madrid"),
        ("(212) 555-1234", "US", "America/New_York"),  # national format, read in the endpoint's country
    ],
)
def test_it_estimates_from_the_phone_area_code(address: str, country: str, zone: str) -> None:
    assert timezone_estimate(address=address, channel="SMS", country=country, methods=PHONE) == (zone, "phone_number")


@pytest.mark.parametrize(
    ("address", "channel", "country", "reason"),
    [
        ("+16135550100", "SMS", "US", "country_mismatch"),  # an Ottawa number on a US endpoint
        ("+447400123456", "SMS", "FR", "country_mismatch"),
        ("+61412345678", "SMS", "AU", "ambiguous"),  # AU mobiles span five zones
        ("+6421123456", "SMS", "NZ", "ambiguous"),  # Auckland or the Chatham Islands
        ("+447700900123", "SMS", "GB", "invalid_phone"),
        ("not a number", "SMS", "US", "invalid_phone"),
        ("", "SMS", "US", "no_phone"),
        ("jane@example.com", "EMAIL", "US", "no_phone"),  # only SMS and VOICE addresses are phone numbers
        ("+12125551234", "SMS", "", "no_country"),
    ],
)
def test_it_says_why_a_phone_number_gives_no_zone(address: str, channel: str, country: str, reason: str) -> None:
    assert timezone_estimate(address=address, channel=channel, country=country, methods=PHONE) == (None, reason)


@pytest.mark.parametrize(
    ("country", "postal_code", "zone"),
    [
        ("US", "94107", "America/Los_Angeles"),
        ("US", "10001-1234", "America/New_York"),  # ZIP+4
        ("US", "96813", "Pacific/Honolulu"),
        ("US", "00601", "America/Puerto_Rico"),  # a US territory counts as inside the US
        ("CA", "V6B 1A1", "America/Vancouver"),
        ("CA", "m5v3l9", "America/Toronto"),
        ("GB", "SW1A 1AA", "Europe/London"),
        ("AU", "6000", "Australia/Perth"),
        ("AU", "2000", "Australia/Sydney"),
        ("NZ", "6011", "Pacific/Auckland"),
        ("FR", "75013", "Europe/Paris"),
        ("IT", "00184", "Europe/Rome"),
        ("ES", "35001", "Atlantic/Canary"),
        ("ES", "28001", "Europe/Madrid"),
        ("DE", "10115", "Europe/Berlin"),
        ("DE", "78266", "Europe/Busingen"),  # the German village inside Switzerland
    ],
)
def test_it_estimates_from_the_postal_code(country: str, postal_code: str, zone: str) -> None:
    assert timezone_estimate(country=country, postal_code=postal_code, methods=POSTAL) == (zone, "postal_code")


@pytest.mark.parametrize(
    ("country", "postal_code", "reason"),
    [
        ("US", "99999", "unknown_postal_code"),
        ("US", "ABCDE", "invalid_postal_code"),
        ("GB", "12345", "invalid_postal_code"),
        ("JP", "100-0001", "unsupported_country"),  # Pinpoint estimated nine countries only
        ("", "10001", "no_country"),
        ("US", "", "no_postal_code"),
    ],
)
def test_it_says_why_a_postal_code_gives_no_zone(country: str, postal_code: str, reason: str) -> None:
    assert timezone_estimate(country=country, postal_code=postal_code, methods=POSTAL) == (None, reason)


def test_coordinates_win_over_the_postal_code_inside_the_country() -> None:
    here = timezone_estimate(country="US", postal_code="10001", latitude=34.05, longitude=-118.24, methods=POSTAL)
    assert here == ("America/Los_Angeles", "coordinates")
    # Coordinates outside the endpoint's country are ignored: the postal code decides.
    abroad = timezone_estimate(country="FR", postal_code="75001", latitude=40.7, longitude=-74.0, methods=POSTAL)
    assert abroad == ("Europe/Paris", "postal_code")


def test_it_tries_the_phone_first_then_the_region_and_lists_every_reason() -> None:
    both = (PHONE_NUMBER, POSTAL_CODE)
    found = timezone_estimate(address="+61412345678", channel="SMS", country="AU", postal_code="6000", methods=both)
    assert found == ("Australia/Perth", "postal_code")
    first = timezone_estimate(address="+12125551234", channel="SMS", country="US", postal_code="94107", methods=both)
    assert first == ("America/New_York", "phone_number")
    none = timezone_estimate(
        address="jane@example.com", channel="EMAIL", country="US", postal_code="99999", methods=both
    )
    assert none == (None, "no_phone,unknown_postal_code")
    assert timezone_estimate(country="US", postal_code="10001", methods=()) == (None, "not_enabled")
