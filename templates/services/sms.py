"""How an SMS body travels: GSM-7 or UCS-2, and how many billed parts it is split into."""

from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 default alphabet (one septet each) and its extension table (escape + char: two septets each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")
GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
MULTI = {GSM7: 153, UCS2: 67}  # a concatenated part loses room to its user-data header


@dataclass(frozen=True)
class SmsEncoding:
    encoding: str  # GSM-7 or UCS-2
    characters: int  # what a person counts (code points)
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int
    per_part: int  # the capacity of each part at this length
    remaining: int  # units left in the last part before another part is needed
    non_gsm: tuple[str, ...]  # the characters that forced UCS-2 (first few, for the hint)

    def as_json(self) -> dict[str, object]:
        return {"Encoding": self.encoding, "Parts": self.parts, "Characters": self.characters, "Units": self.units}


def _unit_sizes(body: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENDED else 1 for ch in body]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in body]


def _split(sizes: list[int], capacity: int) -> tuple[int, int]:
    """Parts needed when no character (escape pair, surrogate pair) may straddle two parts; units in the last."""
    parts, used = 1, 0
    for size in sizes:
        if used + size > capacity:
            parts, used = parts + 1, 0
        used += size
    return parts, used


def sms_encoding_measure(*, body: str) -> SmsEncoding:
    """The encoding a carrier will use for `body`, its length in units and the number of parts billed."""
    non_gsm = tuple(dict.fromkeys(ch for ch in body if ch not in GSM7_BASIC and ch not in GSM7_EXTENDED))
    encoding = UCS2 if non_gsm else GSM7
    sizes = _unit_sizes(body, encoding)
    units = sum(sizes)
    if units == 0:
        return SmsEncoding(encoding, 0, 0, 0, SINGLE[encoding], SINGLE[encoding], ())
    if units <= SINGLE[encoding]:
        parts, capacity, last = 1, SINGLE[encoding], units
    else:
        capacity = MULTI[encoding]
        parts, last = _split(sizes, capacity)
    return SmsEncoding(
        encoding=encoding,
        characters=len(body),
        units=units,
        parts=parts,
        per_part=capacity,
        remaining=capacity - last,
        non_gsm=non_gsm[:5],
    )
