"""Split conditions read from what happened: an engagement event on an earlier message activity (EventCondition) or
the participant's endpoints matching inline segment dimensions (segmentDimensions). A user participant matches
when any of its endpoints does.

Engagement comes from the participant's own ledger rows of that activity (keys j<journey>:<participant>:<activity>
[:endpoint]) — their status (sent, delivered, failed) and the system events recorded for them (`_email.open`,
`_SMS.FAILURE`...) — plus the push SDK's engagement events (`_journey.opened_notification`...), which name the
journey and activity in their attributes. Event names are accepted as our system events spell them and as
Pinpoint's journeys do (`_email.hard_bounce`, `_SMS.failed`, `_custom.success`...), in any case."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from campaigns.journeys.engine.step import Batch, Step
from campaigns.journeys.graph import activity_kind
from campaigns.models import Participant
from channels.models import Delivery, Dispatch, Source, Status
from engage.events.models import Event
from segments.models import Endpoint

SENT = (Status.SENT, Status.DELIVERED)
PENDING = (Status.QUEUED, Status.HELD, Status.SENDING)
PUSH_SDK = {
    "opened": ("_journey.opened_notification", "_campaign.opened_notification", "_push.opened_notification"),
    "received_foreground": (
        "_journey.received_foreground",
        "_campaign.received_foreground",
        "_push.received_foreground",
    ),
    "received_background": (
        "_journey.received_background",
        "_campaign.received_background",
        "_push.received_background",
    ),
}
# Per channel of the message activity: canonical name → (system event types, ledger statuses that prove it).
SIGNALS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "EMAIL": {
        "send": (("_email.send",), SENT),
        "delivered": (("_email.delivered",), (Status.DELIVERED,)),
        "rejected": (("_email.rejected",), ()),
        "hardbounce": (("_email.hardbounce",), ()),
        "softbounce": (("_email.softbounce",), ()),
        "complaint": (("_email.complaint",), ()),
        "open": (("_email.open",), ()),
        "click": (("_email.click",), ()),
        "unsubscribe": (("_email.unsubscribe",), ()),
        "rendering_failure": (("_email.rendering_failure",), ()),
    },
    "SMS": {
        "send": (("_SMS.BUFFERED",), SENT),
        "delivered": (("_SMS.SUCCESS",), (Status.DELIVERED,)),
        "failed": (("_SMS.FAILURE",), (Status.FAILED,)),
        "optout": (("_SMS.OPTOUT",), ()),
    },
    "PUSH": {
        "send": ((), SENT),
        **{name: (types, ()) for name, types in PUSH_SDK.items()},
    },
    "CUSTOM": {
        "success": ((), SENT),
        "failure": ((), (Status.FAILED, Status.UNKNOWN)),
        "response": ((), SENT),
    },
}
ALIASES: dict[str, dict[str, str]] = {
    "EMAIL": {"sent": "send", "opened": "open", "clicked": "click", "unsubscribed": "unsubscribe",
              "hard_bounce": "hardbounce", "soft_bounce": "softbounce", "bounce": "hardbounce",
              "complained": "complaint", "reject": "rejected"},
    "SMS": {"sent": "send", "buffered": "send", "success": "delivered", "failure": "failed", "opted_out": "optout",
            "opt_out": "optout"},
    "PUSH": {"sent": "send", "open": "opened", "opened_notification": "opened", "foreground": "received_foreground",
             "background": "received_background"},
    "CUSTOM": {"send": "success", "sent": "success", "succeeded": "success", "delivered": "success",
               "failed": "failure"},
}  # fmt: skip
PREFIXES = ("email", "sms", "push", "custom", "journey", "campaign")


def signal_name(kind: str, value: str) -> str:
    """The canonical engagement name of an EventType value for a message activity of `kind` ("" if unknown)."""
    name = value.strip().lower().lstrip("_").replace("-", "_").replace(" ", "_")
    for prefix in PREFIXES:
        if name.startswith((f"{prefix}.", f"{prefix}_")) and name[len(prefix) + 1 :]:
            name = name[len(prefix) + 1 :]
            break
    name = ALIASES.get(kind, {}).get(name, name)
    return name if name in SIGNALS.get(kind, {}) else ""


def watched(*, definition: dict[str, Any], condition: dict[str, Any]) -> tuple[str, str, set[str], bool]:
    """(message activity, its kind, canonical names, exclusive) of an EventCondition."""
    event = condition.get("EventCondition") or {}
    source = str(event.get("MessageActivity") or "")
    kind = activity_kind((definition.get("Activities") or {}).get(source) or {})
    dims = (event.get("Dimensions") or {}).get("EventType") or {}
    names = {signal_name(kind, str(v)) for v in dims.get("Values") or []} - {""}
    if not names and (event.get("Dimensions") or {}).get("Attributes") and kind == "CUSTOM":
        names = {"response"}
    return source, kind, names, dims.get("DimensionType") == "EXCLUSIVE"


def conditions_evaluate(*, batch: Batch, condition: dict[str, Any]) -> list[bool | None]:
    """Whether each step's participant meets one SimpleCondition (None: the message is still on its way)."""
    if condition.get("segmentDimensions") is not None:
        return _dimensions(batch, condition["segmentDimensions"])
    if condition.get("EventCondition") is None:
        return [None for _ in batch.steps]
    source, kind, names, exclusive = watched(definition=batch.definition, condition=condition)
    if not names:
        return [False for _ in batch.steps]
    rows, events, sdk = _engagement(batch, source, kind, names)
    attributes = ((condition["EventCondition"].get("Dimensions") or {}).get("Attributes")) or {}
    out: list[bool | None] = []
    for step in batch.steps:
        mine = rows.get(step.participant.pk, [])
        result = _met(kind, names, mine, events, sdk.get(step.participant.pk, set()))
        if result and "response" in names and attributes:
            result = _response_matches(step, source, attributes)
        out.append(result if result is None or not exclusive else not result)
    return out


def _met(
    kind: str, names: set[str], rows: list[dict[str, Any]], events: dict[int, set[str]], sdk: set[str]
) -> bool | None:
    for name in names:
        types, statuses = SIGNALS[kind][name]
        for row in rows:
            if row["status"] in statuses or events.get(row["id"], set()) & set(types):
                return True
        if sdk & set(types):
            return True
    if any(row["status"] in PENDING for row in rows):
        return None
    return False


def _response_matches(step: Step, source: str, attributes: dict[str, Any]) -> bool:
    """Custom webhook answers (participant.data["responses"][activity]): every attribute has one of its values
    ("ANY": any value at all) in the answer of any endpoint."""
    record = ((step.participant.data or {}).get("responses") or {}).get(source) or {}
    bodies = [b for b in [record.get("response"), *(record.get("bodies") or [])] if isinstance(b, dict)]
    for name, dim in attributes.items():
        wanted = {str(v) for v in (dim or {}).get("Values") or []}
        found = {str(b[name]) for b in bodies if name in b and b[name] is not None}
        matched = bool(found) and ("ANY" in wanted or bool(found & wanted))
        if (dim or {}).get("AttributeType") == "EXCLUSIVE":
            matched = not matched
        if not matched:
            return False
    return True


def _endpoints_of(batch: Batch) -> dict[int, list[str]]:
    """Each participant's endpoint ids (a user: all endpoints of its UserId), one query for the users."""
    users = {s.participant.key for s in batch.steps if s.participant.kind == Participant.Kind.USER}
    by_user: dict[str, list[str]] = defaultdict(list)
    if users:
        rows = Endpoint.objects.filter(tenant_id=batch.journey.tenant_id, user_id__in=sorted(users))
        for user_id, endpoint_id in rows.values_list("user_id", "endpoint_id"):
            by_user[user_id].append(endpoint_id)
    return {
        s.participant.pk: by_user.get(s.participant.key, [])
        if s.participant.kind == Participant.Kind.USER
        else [s.participant.key]
        for s in batch.steps
    }


def _engagement(
    batch: Batch, source: str, kind: str, names: set[str]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, set[str]], dict[int, set[str]]]:
    """(ledger rows by participant, system event types by delivery id, SDK event types by participant)."""
    tenant_id = batch.journey.tenant_id
    endpoints = _endpoints_of(batch)
    every = sorted({e for ids in endpoints.values() for e in ids})
    dispatches = Dispatch.objects.filter(
        tenant_id=tenant_id, source=Source.JOURNEY, journey_id=str(batch.journey.pk), activity_id=source
    ).values_list("pk", flat=True)
    found = Delivery.objects.filter(tenant_id=tenant_id, dispatch_id__in=list(dispatches), endpoint_id__in=every)
    mine = {s.participant.pk for s in batch.steps}
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in found.values("id", "key", "status"):
        owner = _owner(row["key"], batch.journey.pk, source)
        if owner is not None and owner in mine:
            rows[owner].append(dict(row))
    wanted = {t for n in names for t in SIGNALS[kind][n][0]}
    ids = [r["id"] for group in rows.values() for r in group]
    events: dict[int, set[str]] = defaultdict(set)
    if wanted and ids:
        hits = Event.objects.filter(
            tenant_id=tenant_id, endpoint_id__in=every, delivery_id__in=ids, event_type__in=sorted(wanted)
        )
        for delivery_id, event_type in hits.values_list("delivery_id", "event_type"):
            if delivery_id is not None:
                events[delivery_id].add(event_type)
    sdk = _sdk_events(batch, source, endpoints, wanted) if kind == "PUSH" else {}
    return rows, events, sdk


def _owner(key: str, journey_id: int, source: str) -> int | None:
    """The participant id of a ledger key j<journey>:<participant>:<activity>[:<endpoint>] of this activity."""
    head, _, rest = key.partition(":")
    pid, _, activity = rest.partition(":")
    if head != f"j{journey_id}" or not pid.isdigit() or not (activity == source or activity.startswith(f"{source}:")):
        return None
    return int(pid)


def _sdk_events(
    batch: Batch, source: str, endpoints: dict[int, list[str]], wanted: Iterable[str]
) -> dict[int, set[str]]:
    """Push engagement the app reported through PutEvents, for this journey and activity, since each entry."""
    types = sorted(set(wanted))
    every = sorted({e for ids in endpoints.values() for e in ids})
    if not types or not every:
        return {}
    since = min(s.participant.entered_at for s in batch.steps)
    hits = Event.objects.filter(
        tenant_id=batch.journey.tenant_id, endpoint_id__in=every, event_type__in=types, arrival__gte=since
    ).values_list("endpoint_id", "event_type", "attributes", "arrival")
    owners: dict[str, list[Step]] = defaultdict(list)
    for s in batch.steps:
        for e in endpoints[s.participant.pk]:
            owners[e].append(s)
    out: dict[int, set[str]] = defaultdict(set)
    for endpoint_id, event_type, attrs, arrival in hits:
        attrs = attrs or {}
        if str(attrs.get("journey_id")) != str(batch.journey.pk) or attrs.get("journey_activity_id") != source:
            continue
        for s in owners.get(endpoint_id, []):
            if arrival >= s.participant.entered_at:
                out[s.participant.pk].add(event_type)
    return out


def _dimensions(batch: Batch, dims: dict[str, Any]) -> list[bool | None]:
    """Inline segment dimensions over the participants' endpoints (one query)."""
    from segments.compiler.query import segment_members
    from segments.definition import parse_definition

    endpoints = _endpoints_of(batch)
    every = sorted({e for ids in endpoints.values() for e in ids})
    if not every:
        return [False for _ in batch.steps]
    members = segment_members(
        tenant=batch.journey.tenant, definition=parse_definition({"Dimensions": dims}), now=batch.now
    )
    matched = set(members.filter(endpoint_id__in=every).values_list("endpoint_id", flat=True))
    return [bool(matched & set(endpoints[s.participant.pk])) for s in batch.steps]
