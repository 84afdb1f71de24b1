"""Time-zone estimation for endpoints without Demographic.Timezone, from offline data only, as Pinpoint's journeys
did: by phone number (`phonenumbers`' area-code zones; the number must belong to Location.Country) and by region
(Location.Latitude/Longitude, else Location.PostalCode looked up in the bundled `countrystatecity-postal-codes`
dataset, then `timezonefinder`; postal codes only for Pinpoint's nine countries). An estimate outside the
endpoint's country, or one that could be several zones, is no estimate: the reason says why."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import tzdata
from countrystatecity_postal_codes import get_postcodes_of_country
from phonenumbers import timezone as phone_timezone
from timezonefinder import TimezoneFinder

PHONE_NUMBER = "PHONE_NUMBER"
POSTAL_CODE = "POSTAL_CODE"
PHONE_CHANNELS = ("SMS", "VOICE")
# Countries Pinpoint estimated by postal code, and how a code reads in each: the dataset's key for it.
POSTAL_COUNTRIES = ("US", "GB", "AU", "NZ", "CA", "FR", "IT", "ES", "DE")
_POSTAL_SHAPES = {
    "US": re.compile(r"^(\d{5})(?:-?\d{4})?$"),
    "CA": re.compile(r"^([A-Z]\d[A-Z])(?:\d[A-Z]\d)?$"),
    "GB": re.compile(r"^([A-Z]{1,2})\d[A-Z\d]?(?:\d[A-Z]{2})?$"),
    "AU": re.compile(r"^(\d{4})$"),
    "NZ": re.compile(r"^(\d{4})$"),
    "FR": re.compile(r"^(\d{5})$"),
    "IT": re.compile(r"^(\d{5})$"),
    "ES": re.compile(r"^(\d{5})$"),
    "DE": re.compile(r"^(\d{5})$"),
}
# The dataset has no coordinates for these countries' codes: their zone follows from the country or province.
_COUNTRY_ZONE = {"FR": "Europe/Paris", "IT": "Europe/Rome", "ES": "Europe/Madrid", "DE": "Europe/Berlin"}
_COUNTRY_ZONE["GB"] = "Europe/London"
_PROVINCE_ZONE = {("ES", "TF"): "Atlantic/Canary", ("ES", "GC"): "Atlantic/Canary"}
_PROVINCE_ZONE |= {("ES", "CE"): "Africa/Ceuta", ("ES", "ML"): "Africa/Ceuta"}
_CODE_ZONE = {("DE", "78266"): "Europe/Busingen"}
# Zones of a country's territories that count as inside it (US ZIP codes cover them).
_TERRITORIES = {"US": ("PR", "VI", "GU", "AS", "MP", "UM")}


def timezone_estimate(
    *,
    address: str = "",
    channel: str = "",
    country: str = "",
    postal_code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    methods: Iterable[str] = (PHONE_NUMBER, POSTAL_CODE),
) -> tuple[str | None, str]:
    """(zone, how) for an endpoint, or (None, why not): the phone number first, then the region. `why` is one
    reason per method tried, comma-separated (no_phone, country_mismatch, unsupported_country, ambiguous...)."""
    wanted = [m for m in (PHONE_NUMBER, POSTAL_CODE) if m in set(methods)]
    if not wanted:
        return None, "not_enabled"
    code = _country(country)
    reasons: list[str] = []
    for method in wanted:
        if method == PHONE_NUMBER:
            zone, reason = _by_phone(address if channel.upper() in PHONE_CHANNELS else "", code)
        else:
            zone, reason = _by_region(code, postal_code, latitude, longitude)
        if zone is not None:
            return zone, reason
        reasons.append(reason)
    return None, ",".join(reasons)


def _country(value: str) -> str:
    code = (value or "").strip().upper()
    return "GB" if code == "UK" else code


def _by_phone(address: str, country: str) -> tuple[str | None, str]:
    if not address.strip():
        return None, "no_phone"
    if not country:
        return None, "no_country"
    try:
        number = phonenumbers.parse(address, country if len(country) == 2 else None)
    except phonenumbers.NumberParseException:
        return None, "invalid_phone"
    if not phonenumbers.is_valid_number(number):
        return None, "invalid_phone"
    region = phonenumbers.region_code_for_number(number)
    same_code = number.country_code == phonenumbers.country_code_for_region(country)
    # +1 spans many countries with their own zones: there the number's own country must be the endpoint's.
    if region != country and (not same_code or number.country_code == 1):
        return None, "country_mismatch"
    zones = [z for z in phone_timezone.time_zones_for_number(number) if z != phone_timezone.UNKNOWN_TIMEZONE]
    return _one(zones, country, "phone_number")


def _by_region(
    country: str, postal_code: str, latitude: float | None, longitude: float | None
) -> tuple[str | None, str]:
    if latitude is not None and longitude is not None:
        zone = _at(round(float(latitude), 4), round(float(longitude), 4))
        if zone is not None and (not country or _inside(zone, country)):
            return zone, "coordinates"
    if not postal_code.strip():
        return None, "no_postal_code"
    if country not in POSTAL_COUNTRIES:
        return None, "unsupported_country" if country else "no_country"
    return _by_postal_code(country, re.sub(r"\s", "", postal_code.upper()))


@lru_cache(maxsize=65536)
def _by_postal_code(country: str, postal_code: str) -> tuple[str | None, str]:
    match = _POSTAL_SHAPES[country].match(postal_code)
    if match is None:
        return None, "invalid_postal_code"
    key = match.group(1)
    rows = _postal_index(country).get(key)
    if not rows:
        return None, "unknown_postal_code"
    zones: list[str] = []
    for state, lat, lng in rows:
        zone = _CODE_ZONE.get((country, key)) or _PROVINCE_ZONE.get((country, state or ""))
        if zone is None and lat is not None and lng is not None:
            zone = _at(round(lat, 4), round(lng, 4))
        zone = zone or _COUNTRY_ZONE.get(country)
        if zone is not None:
            zones.append(zone)
    return _one(zones, country, "postal_code")


@lru_cache(maxsize=len(POSTAL_COUNTRIES))
def _postal_index(country: str) -> dict[str, list[tuple[str | None, float | None, float | None]]]:
    """The dataset's codes of one country: code → [(province, latitude, longitude)], loaded once per process."""
    index: dict[str, list[tuple[str | None, float | None, float | None]]] = {}
    for row in get_postcodes_of_country(country):
        index.setdefault(row.code.upper(), []).append((row.stateCode, row.latitude, row.longitude))
    return index


def _one(zones: list[str], country: str, how: str) -> tuple[str | None, str]:
    """The zone when the candidates inside the country all keep the same clock; else why not."""
    if not zones:
        return None, f"unknown_{how}"
    inside = sorted({z for z in zones if _inside(z, country)})
    if not inside:
        return None, "outside_country"
    if len({_clock(z) for z in inside}) > 1:
        return None, "ambiguous"
    primary = _country_zones().get(country, [])
    return next((z for z in primary if z in inside), inside[0]), how


def _clock(zone: str) -> tuple[object, ...]:
    """UTC offsets through the year: zones with equal ones (Europe/Jersey, Europe/London) are one estimate."""
    tz = ZoneInfo(zone)
    return tuple(datetime(2024, month, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset() for month in range(1, 13))


def _inside(zone: str, country: str) -> bool:
    zones = _country_zones()
    return any(zone in zones.get(c, []) for c in (country, *_TERRITORIES.get(country, ())))


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, list[str]]:
    """Country → its zones, main zone first, from tzdata's zone.tab (with the backward links a country lists)."""
    out: dict[str, list[str]] = {}
    for line in (Path(tzdata.__file__).parent / "zoneinfo" / "zone.tab").read_text().splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            out.setdefault(code, []).append(zone)
    return out


@lru_cache(maxsize=65536)
def _at(latitude: float, longitude: float) -> str | None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return _finder().timezone_at(lng=longitude, lat=latitude)


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder()
