"""What a journey send activity needs before it can plan messages: its channel and message snapshot (one Dispatch
per journey, version and activity, reused by every batch), the journey's frequency caps, the participants'
endpoints of the channel, and their time zones (Demographic.Timezone, else estimated when the journey asks for it)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta, tzinfo
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q

from campaigns.journeys.engine.inapp import inapp_options
from campaigns.journeys.engine.step import Batch, Step
from campaigns.message import campaign_message
from campaigns.models import Journey, Participant
from campaigns.schedule import zone
from channels.models import Dispatch, Source
from channels.services.caps import Cap
from channels.services.dispatch import dispatch_create
from channels.services.fallback import ENDPOINT_TYPES
from segments.models import Endpoint
from templates.models import Channel, VersionBinding
from templates.selectors import template_version_for_send, template_version_get, templates_search

CHANNELS = {"EMAIL": Channel.EMAIL, "SMS": Channel.SMS, "PUSH": Channel.PUSH, "CUSTOM": Channel.CUSTOM}
CHANNELS["INAPP"] = Channel.INAPP  # Engage's in-app activity (campaigns/journeys/engine/inapp.py)
TEMPLATE_KEYS = {"EMAIL": "EmailTemplate", "SMS": "SMSTemplate", "PUSH": "PushTemplate", "INAPP": "InAppTemplate"}
SMS_OPTIONS = ("MessageType", "OriginationNumber", "SenderId", "EntityId", "TemplateId")


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def journey_caps(*, journey: Journey, definition: dict[str, Any]) -> list[Cap]:
    """Limits.DailyCap (across journeys, 24 h), TotalCap (this journey, ever) and TimeframeCap (across journeys, N
    days); a limit the journey leaves out takes the tenant's journey default, 0 means none."""
    limits = definition.get("Limits") or {}
    tenant = journey.tenant
    caps: list[Cap] = []
    daily = _int(limits["DailyCap"]) if "DailyCap" in limits else _int(tenant.journey_daily_cap)
    if daily:
        caps.append(Cap(limit=daily, window=timedelta(hours=24), scope="journeys"))
    total = _int(limits.get("TotalCap"))
    if total:
        caps.append(Cap(limit=total, window=None, journey_id=str(journey.pk)))
    frame = limits.get("TimeframeCap")
    if isinstance(frame, dict):
        cap, days = _int(frame.get("Cap")), _int(frame.get("Days"))
    else:
        cap, days = _int(tenant.journey_timeframe_cap), _int(tenant.journey_timeframe_days)
    if cap and days:
        caps.append(Cap(limit=cap, window=timedelta(days=days), scope="journeys"))
    return caps


def endpoint_types(kind: str, body: dict[str, Any]) -> frozenset[str]:
    """The endpoint channel types an activity sends to (CUSTOM: its EndpointTypes, default CUSTOM)."""
    if kind == "CUSTOM":
        types = [str(t) for t in body.get("EndpointTypes") or [] if t]
        if "PUSH" in types:
            types += sorted(ENDPOINT_TYPES[Channel.PUSH])
        return frozenset(types or ["CUSTOM"])
    return ENDPOINT_TYPES[CHANNELS[kind]]


class Target(NamedTuple):
    """The columns of an endpoint a send plans with (a row, not a model: a batch reads thousands)."""

    endpoint_id: str
    user_id: str
    channel_type: str
    address: str
    timezone: str
    country: str
    postal_code: str
    latitude: float | None
    longitude: float | None


TARGET_COLUMNS = list(Target._fields)


def participants_endpoints(*, batch: Batch) -> list[list[Target]]:
    """Every endpoint of each step's participant (a user participant: all endpoints of its UserId), one query."""
    ids = [s.participant.key for s in batch.steps if s.participant.kind == Participant.Kind.ENDPOINT]
    users = [s.participant.key for s in batch.steps if s.participant.kind == Participant.Kind.USER]
    if not ids and not users:
        return [[] for _ in batch.steps]
    by_id: dict[str, Target] = {}
    by_user: dict[str, list[Target]] = defaultdict(list)
    for values in _targets(batch.journey.tenant_id, ids, users):
        row = Target(*values)
        by_id[row.endpoint_id] = row
        if row.user_id:
            by_user[row.user_id].append(row)
    out: list[list[Target]] = []
    for s in batch.steps:
        if s.participant.kind == Participant.Kind.USER:
            out.append(list(by_user.get(s.participant.key, ())))
        else:
            found = by_id.get(s.participant.key)
            out.append([found] if found is not None else [])
    return out


def _targets(tenant_id: int, ids: list[str], users: list[str]) -> list[tuple[Any, ...]]:
    """The endpoints with these ids or UserIds, by endpoint id; on PostgreSQL the keys travel as two arrays (a
    2,000-placeholder IN list costs more to build and bind than the index probes cost to run)."""
    if connection.vendor != "postgresql":
        query = Q(endpoint_id__in=ids) | Q(user_id__in=users)
        rows = Endpoint.objects.filter(query, tenant_id=tenant_id).order_by("endpoint_id")
        return list(rows.values_list(*TARGET_COLUMNS))
    where = " OR ".join(f"{column} = ANY(%s)" for column, keys in (("endpoint_id", ids), ("user_id", users)) if keys)
    sql = f"SELECT {', '.join(TARGET_COLUMNS)} FROM segments_endpoint WHERE tenant_id = %s AND ({where})"  # noqa: S608 (column names)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY endpoint_id", [tenant_id, *(keys for keys in (ids, users) if keys)])
        return cursor.fetchall()


def participant_zones(
    *, step: Step, endpoints: Sequence[Target], methods: list[str]
) -> tuple[list[tzinfo], dict[str, Any], str]:
    """(zones, facts to keep in participant.data, why there is none). A zone estimated once is kept in data."""
    data = step.participant.data or {}
    kept = zone(str(data.get("timezone") or ""))
    if kept is not None:
        return [kept], {}, ""
    zones: list[tzinfo] = []
    for e in endpoints:
        tz = zone(e.timezone)
        if tz is not None and tz not in zones:
            zones.append(tz)
    if zones:
        return zones, {}, ""
    if not methods:
        return [], {}, "no Demographic.Timezone and time-zone estimation is off"
    return _estimated(endpoints, methods)


def _estimated(endpoints: Sequence[Target], methods: list[str]) -> tuple[list[tzinfo], dict[str, Any], str]:
    try:
        from campaigns.journeys.timezones import timezone_estimate
    except ImportError:
        return [], {}, "time-zone estimation is not available"
    reason = "no endpoint to estimate a time zone from"
    for e in endpoints:
        name, why = timezone_estimate(
            address=e.address,
            channel=e.channel_type,
            country=e.country,
            postal_code=e.postal_code,
            latitude=e.latitude,
            longitude=e.longitude,
            methods=methods,
        )
        tz = zone(name or "")
        if tz is not None:
            return [tz], {"timezone": name, "timezone_estimated": True}, ""
        reason = why or reason
    return [], {}, reason


def journey_message(*, journey: Journey, kind: str, body: dict[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    """The Dispatch snapshot of a send activity: its template (TemplateVersion pins one, else the active version)
    and MessageConfig; Invalid names the activity's field when the template is gone."""
    tenant = journey.tenant
    config = body.get("MessageConfig") or {}
    name, version = body.get("TemplateName"), body.get("TemplateVersion")
    ref = {"Name": name, **({"Version": version} if version not in (None, "") else {})} if name else None
    mc: dict[str, Any] = {}
    tc: dict[str, Any] = {}
    if kind == "EMAIL" and config.get("FromAddress"):
        mc["EmailMessage"] = {"FromAddress": config["FromAddress"]}
    elif kind == "SMS":
        options = {k: config[k] for k in SMS_OPTIONS if config.get(k)}
        mc["SMSMessage"] = options
    elif kind == "PUSH" and config.get("TimeToLive"):
        mc["DefaultMessage"] = {"TimeToLive": config["TimeToLive"]}
    if kind in TEMPLATE_KEYS and ref:
        tc[TEMPLATE_KEYS[kind]] = ref
    if kind == "CUSTOM":
        message = _custom_message(journey, config, ref)
    else:
        message = campaign_message(
            tenant=tenant, channel=CHANNELS[kind], message_configuration=mc, template_configuration=tc
        )
    limits = definition.get("Limits") or {}
    message["messages_per_second"] = _int(limits.get("MessagesPerSecond")) or tenant.messages_per_second
    if kind == "INAPP":
        message["options"] = {**message.get("options", {}), **inapp_options(config)}
    return message


def _custom_message(journey: Journey, config: dict[str, Any], ref: dict[str, Any] | None) -> dict[str, Any]:
    """CUSTOM: MessageConfig.Data, else the named custom template's Data (templates.CUSTOM)."""
    data: Any = config.get("Data")
    found = None
    if ref:
        template = templates_search(tenant=journey.tenant, channel=Channel.CUSTOM).filter(name=ref["Name"]).first()
        if template is not None:
            if ref.get("Version") not in (None, ""):
                found = template_version_get(template=template, number=str(ref["Version"]))
            else:
                found = template_version_for_send(
                    template=template, binding=VersionBinding.AT_SEND, frozen_version=None
                )
            data = data or (found.content or {}).get("Data")
    if isinstance(data, dict):
        data = json.dumps(data)
    message = campaign_message(
        tenant=journey.tenant,
        channel=Channel.CUSTOM,
        message_configuration={"CustomMessage": {"Data": data or "{}"}},
        template_configuration={},
    )
    if found is not None:
        message["default_substitutions"] = dict(found.default_substitutions or {})
        message["template"] = {"id": found.template_id, "name": ref["Name"] if ref else "", "version": found.number}
    return message


def activity_dispatch(*, batch: Batch, version: int, kind: str, body: dict[str, Any]) -> Dispatch:
    """The one Dispatch of (journey, version, activity): found by its source ids, else made under a transaction-level
    advisory lock so that two advancer workers on the same activity make one."""
    journey = batch.journey
    found = _dispatch_find(journey, version, batch.activity_id)
    if found is not None:
        return found
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"journey-dispatch:{journey.pk}:{version}:{batch.activity_id}"],
            )
        found = _dispatch_find(journey, version, batch.activity_id)
        if found is not None:
            return found
    message = journey_message(journey=journey, kind=kind, body=body, definition=batch.definition)
    message["journey_version"] = version
    return dispatch_create(
        tenant=journey.tenant,
        channel=CHANNELS[kind],
        source=Source.JOURNEY,
        message=message,
        journey_id=str(journey.pk),
        activity_id=batch.activity_id,
        run_id=str(version),
    )


def _dispatch_find(journey: Journey, version: int, activity_id: str) -> Dispatch | None:
    return (
        Dispatch.objects.filter(
            tenant_id=journey.tenant_id,
            source=Source.JOURNEY,
            journey_id=str(journey.pk),
            activity_id=activity_id,
            run_id=str(version),
        )
        .order_by("pk")
        .first()
    )
