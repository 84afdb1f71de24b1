"""Pinpoint's string helpers (dateFormat and now live in dates.py). They follow Handlebars.java's StringHelpers
(Apache commons-lang semantics for padding, abbreviating and capitalizing); a missing value renders empty."""

from __future__ import annotations

import re
from typing import Any

from templates.rendering.errors import RenderLimitExceeded, TemplateError
from templates.rendering.helpers.base import Args, Hash, Helper, parse_decimal, parse_int, text, truthy
from templates.rendering.runtime import MAX_OUTPUT_BYTES, js_falsy, js_str

_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_JOIN = re.compile(r"[-\s]+")


def _bounded(size: int, helper: str) -> int:
    if size > MAX_OUTPUT_BYTES:
        raise RenderLimitExceeded(f"{helper}: a size of {size:,} is larger than a message can be")
    return size


def _title(char: str) -> str:
    titled = char.title()
    return titled if len(titled) == 1 else char


def _abbreviate(args: Args, hash_: Hash) -> str:
    value = text(args[0])
    width = parse_int(args[1], helper="abbreviate", what="the width")
    if width < 4:
        raise TemplateError(f"abbreviate needs a width of at least 4 (the text keeps width - 3 letters), got {width}")
    return value if len(value) <= width else value[: width - 3] + "..."


def _capitalize(args: Args, hash_: Hash) -> str:
    value = text(args[0])
    fully = truthy(hash_.get("fully"))
    if fully:
        value = value.lower()
    out, start = [], True
    for char in value:
        if char.isspace():
            start = True
            out.append(char)
        elif start:
            out.append(_title(char))
            start = False
        else:
            out.append(char)
    return "".join(out)


def _capitalize_first(args: Args, hash_: Hash) -> str:
    value = text(args[0])
    return _title(value[0]) + value[1:] if value else ""


def _pad_text(pad: str, count: int) -> str:
    return (pad * (count // len(pad) + 1))[:count]


def _sizes(args: Args, hash_: Hash, helper: str) -> tuple[str, int, str]:
    if hash_.get("size") is None:
        raise TemplateError(f"{helper} needs a size: {{{{{helper} value size=20}}}}")
    size = _bounded(parse_int(hash_["size"], helper=helper, what="size"), helper)
    pad = text(hash_.get("pad", " ")) or " "
    return text(args[0]), size, pad


def _ljust(args: Args, hash_: Hash) -> str:
    value, size, pad = _sizes(args, hash_, "ljust")
    return value + _pad_text(pad, size - len(value)) if size > len(value) else value


def _rjust(args: Args, hash_: Hash) -> str:
    value, size, pad = _sizes(args, hash_, "rjust")
    return _pad_text(pad, size - len(value)) + value if size > len(value) else value


def _center(args: Args, hash_: Hash) -> str:
    value, size, pad = _sizes(args, hash_, "center")
    pads = size - len(value)
    if pads <= 0:
        return value
    left = _pad_text(pad, pads // 2) + value
    return left + _pad_text(pad, size - len(left))


def _cut(args: Args, hash_: Hash) -> str:
    remove = text(args[1]) if len(args) > 1 else " "
    return text(args[0]).replace(remove, "") if remove else text(args[0])


def _inflect(args: Args, hash_: Hash) -> str:
    count = parse_decimal(args[0], helper="inflect")
    singular, plural = text(args[1]), text(args[2])
    include = args[3] if len(args) > 3 else hash_.get("includeCount")
    word = plural if count > 1 or count == 0 else singular
    return f"{js_str(args[0])} {word}" if truthy(include) and include != "false" else word


def _join(args: Args, hash_: Hash) -> str:
    if len(args) < 2:
        raise TemplateError('join needs a list and a separator: {{join list ", "}}')
    separator = args[-1]
    if not isinstance(separator, str):
        raise TemplateError(f"join: the last argument is the separator and must be text, got {js_str(separator)}")
    first = args[0]
    if js_falsy(first):
        return ""
    values = first if isinstance(first, (list, tuple)) and len(args) == 2 else args[:-1]
    _bounded(len(separator) * max(len(values) - 1, 0), "join")
    joined = separator.join(js_str(value) for value in values)
    return text(hash_.get("prefix", "")) + joined + text(hash_.get("suffix", ""))


def _lower(args: Args, hash_: Hash) -> str:
    return text(args[0]).lower()


def _upper(args: Args, hash_: Hash) -> str:
    return text(args[0]).upper()


def _ordinalize(args: Args, hash_: Hash) -> str:
    value = text(args[0])
    if not value:
        return ""
    try:
        number = abs(round(float(value.strip())))
    except (ValueError, OverflowError):
        return value
    if number % 100 in (11, 12, 13):
        return value + "th"
    return value + {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _replace(args: Args, hash_: Hash) -> str:
    value, find, replacement = text(args[0]), text(args[1]), text(args[2])
    occurrences = value.count(find) if find else len(value) + 1
    _bounded(len(value) + occurrences * max(len(replacement) - len(find), 0), "replace")
    return value.replace(find, replacement)


def _slugify(args: Args, hash_: Hash) -> str:
    value = _SLUG_DROP.sub("", text(args[0]).lower())
    return _SLUG_JOIN.sub("-", value.strip()).strip("-_")


def _strip_tags(args: Args, hash_: Hash) -> str:
    return _TAG.sub("", text(args[0]))


def _substring(args: Args, hash_: Hash) -> str:
    value = text(args[0])
    start = parse_int(args[1], helper="substring", what="the start offset")
    end = parse_int(args[2], helper="substring", what="the end offset") if len(args) > 2 else len(value)
    start, end = max(0, min(start, len(value))), max(0, min(end, len(value)))
    return value[start:end] if start < end else ""


def _yesno(args: Args, hash_: Hash) -> str:
    value: Any = args[0]
    if isinstance(value, (list, tuple)):
        value = js_str(value) if value else None
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if value is None or value == "":
        return text(hash_.get("maybe", "maybe"))
    return text(hash_.get("yes", "yes")) if truthy(value) else text(hash_.get("no", "no"))


def _empty_if_missing(fn: Any) -> Any:
    """A string helper given nothing prints nothing (Handlebars.java printed its first argument instead)."""

    def helper(args: Args, hash_: Hash) -> Any:
        if args and (args[0] is None or args[0] == []):
            return ""
        return fn(args, hash_)

    return helper


def _h(name: str, fn: Any, lo: int, hi: int | None, usage: str, *, keep_missing: bool = False) -> Helper:
    return Helper(name, fn if keep_missing else _empty_if_missing(fn), min_args=lo, max_args=hi, usage=usage)


HELPERS = [
    _h("abbreviate", _abbreviate, 2, 2, "{{abbreviate value 10}}"),
    _h("capitalize", _capitalize, 1, 1, "{{capitalize value}}"),
    _h("capitalizeFirst", _capitalize_first, 1, 1, "{{capitalizeFirst value}}"),
    _h("center", _center, 1, 1, '{{center value size=20 pad=" "}}'),
    _h("cut", _cut, 1, 2, '{{cut value " "}}'),
    _h("inflect", _inflect, 3, 4, '{{inflect count "item" "items" includeCount=true}}'),
    _h("join", _join, 2, None, '{{join list ", " prefix="" suffix=""}}', keep_missing=True),
    _h("ljust", _ljust, 1, 1, '{{ljust value size=20 pad=" "}}'),
    _h("lower", _lower, 1, 1, "{{lower value}}"),
    _h("ordinalize", _ordinalize, 1, 1, "{{ordinalize number}}"),
    _h("replace", _replace, 3, 3, '{{replace value "find" "replacement"}}'),
    _h("rjust", _rjust, 1, 1, '{{rjust value size=20 pad=" "}}'),
    _h("slugify", _slugify, 1, 1, "{{slugify value}}"),
    _h("stripTags", _strip_tags, 1, 1, "{{stripTags value}}"),
    _h("substring", _substring, 2, 3, "{{substring value 0 10}}"),
    _h("upper", _upper, 1, 1, "{{upper value}}"),
    _h("yesno", _yesno, 1, 1, '{{yesno value yes="yes" no="no" maybe="maybe"}}', keep_missing=True),
]
