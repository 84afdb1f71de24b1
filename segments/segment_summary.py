"""A segment definition as sentences people read: groups, base segments, criteria groups and their criteria."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from segments.definition import AttributeDim, Definition, Dimensions, EventDim, Group, MetricDim, SetDim

SYMBOLS = {"EQUAL": "=", "GREATER_THAN": ">", "GREATER_THAN_OR_EQUAL": "≥", "LESS_THAN": "<", "LESS_THAN_OR_EQUAL": "≤"}
RECENCY = {"HR_24": "24 hours", "DAY_7": "7 days", "DAY_14": "14 days", "DAY_30": "30 days"}
ATTRIBUTE_VERBS = {
    "INCLUSIVE": "is",
    "EXCLUSIVE": "is not",
    "CONTAINS": "contains",
    "BEFORE": "is before",
    "AFTER": "is after",
    "ON": "is on",
    "BETWEEN": "is between",
}
DEMOGRAPHIC_LABELS = {
    "AppVersion": "App version",
    "Channel": "Channel",
    "Make": "Make",
    "Model": "Model",
    "Platform": "Platform",
    "Locale": "Locale",
    "ModelVersion": "Model version",
    "PlatformVersion": "Platform version",
    "Timezone": "Time zone",
}
SOURCE_VERBS = {"ANY": "In any of", "ALL": "In all of", "NONE": "Not in any of"}
JOINS = {"ALL": "all", "ANY": "any", "NONE": "none"}
INCLUDE = {"ALL": "and", "ANY": "or", "NONE": "nor"}


@dataclass
class GroupSummary:
    number: int
    base: SafeString
    join: str  # all / any / none of the criteria groups
    blocks: list[list[SafeString]] = field(default_factory=list)


@dataclass
class Summary:
    connector: str  # how group 2 joins group 1: and / or / nor
    everyone: bool
    groups: list[GroupSummary] = field(default_factory=list)


def _values(values: tuple[str, ...], joiner: str = "or") -> SafeString:
    chips = [format_html('<span class="chip">{}</span>', v) for v in values]
    if len(chips) == 1:
        return chips[0]
    return format_html("{} {} {}", SafeString(", ".join(chips[:-1])), joiner, chips[-1])


def _attribute(kind: str, name: str, dim: AttributeDim) -> SafeString:
    verb = ATTRIBUTE_VERBS[dim.type]
    if dim.type == "BETWEEN":
        values = _values(dim.values, "and")
    else:
        values = _values(dim.values, "nor" if dim.type == "EXCLUSIVE" else "or")
    return format_html("{} <code>{}</code> {} {}", kind, name, verb, values)


def _metric(prefix: str, name: str, dim: MetricDim) -> SafeString:
    value = f"{dim.value:g}"
    return format_html("{}<code>{}</code> {} <strong>{}</strong>", prefix, name, SYMBOLS[dim.operator], value)


def _set(label: str, dim: SetDim) -> SafeString:
    verb = "is" if dim.type == "INCLUSIVE" else "is not"
    return format_html("{} {} {}", label, verb, _values(dim.values, "or" if dim.type == "INCLUSIVE" else "nor"))


def _event(dim: EventDim) -> SafeString:
    if dim.operator == "AT_MOST" and dim.count == 0:
        head = format_html("did <strong>not</strong> perform <code>{}</code>", dim.event_type)
    else:
        how = "at least" if dim.operator == "AT_LEAST" else "at most"
        times = "time" if dim.count == 1 else "times"
        head = format_html("performed <code>{}</code> {} {} {}", dim.event_type, how, dim.count, times)
    filters = [format_html("<code>{}</code> is {}", n, _values(v)) for n, v in dim.attributes.items()]
    filters += [_metric("", n, m) for n, m in dim.metrics.items()]
    days = "day" if dim.days == 1 else f"{dim.days} days"
    tail = format_html(" (with {})", format_html_join(" and ", "{}", ((f,) for f in filters))) if filters else ""
    return format_html("{} in the last {}{}", head, days, tail)


def dimensions_summary(dims: Dimensions) -> list[SafeString]:
    """Each criterion of one SegmentDimensions object, as a phrase (all of them must hold)."""
    parts = [_attribute("Attribute", n, d) for n, d in dims.attributes.items()]
    parts += [_attribute("User attribute", n, d) for n, d in dims.user_attributes.items()]
    parts += [_metric("Metric ", n, d) for n, d in dims.metrics.items()]
    parts += [_set(DEMOGRAPHIC_LABELS.get(k, k), d) for k, d in dims.demographic.items()]
    if dims.country:
        parts.append(_set("Country", dims.country))
    if dims.gps:
        gps = dims.gps
        where = (f"{gps.range_km:g} km", f"{gps.latitude:g}", f"{gps.longitude:g}")
        parts.append(format_html("Within <strong>{}</strong> of {}, {}", *where))
    if dims.recency:
        kind, duration = dims.recency
        parts.append(format_html("<strong>{}</strong> in the last {}", kind.lower().capitalize(), RECENCY[duration]))
    parts += [_event(e) for e in dims.events]
    return parts


def _base(group: Group, names: dict[str, tuple[str, str]]) -> SafeString:
    if not group.sources:
        return SafeString("All endpoints")
    links = []
    for ref in group.sources:
        name, url = names.get(ref.id, (f"missing segment {ref.id}", ""))
        version = f" (version {ref.version})" if ref.version else ""
        links.append(format_html('<a href="{}">{}</a>{}', url, name, version) if url else format_html("{}", name))
    return format_html("{} {}", SOURCE_VERBS[group.source_type], SafeString(", ".join(links)))


def definition_summary(definition: Definition, *, names: dict[str, tuple[str, str]]) -> Summary:
    """The definition as groups of phrases; `names` maps a base segment's id to its (name, url)."""
    summary = Summary(connector=INCLUDE[definition.include], everyone=False)
    for number, group in enumerate(definition.groups, start=1):
        blocks = [dimensions_summary(d) for d in group.dimensions]
        summary.groups.append(GroupSummary(number, _base(group, names), JOINS[group.type], [b for b in blocks if b]))
    empty = all(not g.sources and not any(dimensions_summary(d) for d in g.dimensions) for g in definition.groups)
    summary.everyone = empty and definition.include != "NONE"
    return summary
