"""The activities of a journey definition: one union member each (EMAIL, SMS, PUSH, CUSTOM, Wait, ConditionalSplit,
MultiCondition, RandomSplit, Holdout, ContactCenter, and Engage's INAPP extension), checked member by member.
Links to other activities are checked for shape here; whether they lead anywhere is the review's business (a draft
may be half drawn)."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from campaigns.eventfilter import event_filter_check
from campaigns.journeys.definition_conditions import (
    condition_check,
    description,
    simple_condition_check,
    wait_time_check,
)
from campaigns.journeys.definition_fields import choice, compact, integer, items, obj, text
from campaigns.journeys.graph import KINDS, SEND_KINDS
from engage.errors import Invalid
from engage.tenancy.models import Tenant
from templates.models import MessageTemplate
from templates.selectors import templates_search

ACTIVITY_ID = re.compile(r"^[A-Za-z0-9]{1,100}$")
ENDPOINT_TYPES = (
    "PUSH", "GCM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "ADM", "SMS", "VOICE", "EMAIL",
    "BAIDU", "CUSTOM", "IN_APP",
)  # fmt: skip
MAX_CUSTOM_DATA = 5000
MAX_PUSH_TTL = 2_419_200  # 28 days, the longest any push service keeps a message
MAX_INAPP_CAP = 1_000_000  # as the in-app transport stores caps
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SENDER_ID = re.compile(r"^[A-Za-z0-9 -]{1,11}$")
MIN_WAIT = timedelta(hours=1)


def _link(value: Any, path: str) -> str | None:
    """An activity id a path leads to (None: the path ends there)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not ACTIVITY_ID.match(value):
        raise Invalid(f"{path} must be the id of another activity (letters and digits, up to 100)", field=path)
    return value


def template_of(tenant: Tenant, kind: str, name: str) -> MessageTemplate | None:
    """The tenant's template of the channel a send activity of `kind` sends on."""
    return templates_search(tenant=tenant, channel=kind).filter(name=name).first()


def _template(tenant: Tenant, kind: str, data: dict[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data.get("TemplateName") not in (None, ""):
        name = text(data["TemplateName"], f"{path}.TemplateName", limit=128)
        template = template_of(tenant, kind, name)
        if template is None:
            raise Invalid(
                f"{path}.TemplateName: there is no {kind} template named “{name}” in this project",
                field=f"{path}.TemplateName",
            )
        out["TemplateName"] = name
        if data.get("TemplateVersion") not in (None, ""):
            version = str(data["TemplateVersion"]).strip()
            if not version.isdigit() or not template.versions.filter(number=int(version)).exists():
                raise Invalid(
                    f"{path}.TemplateVersion: “{name}” has no version {version}; "
                    f"its versions go up to {template.last_version_number}",
                    field=f"{path}.TemplateVersion",
                )
            out["TemplateVersion"] = version
    elif data.get("TemplateVersion") not in (None, ""):
        raise Invalid(f"{path}.TemplateVersion: choose the template first", field=f"{path}.TemplateName")
    return out


def _email_config(data: dict[str, Any], path: str) -> dict[str, Any]:
    sender = data.get("FromAddress")
    if sender is None:
        return {}
    sender = text(sender, f"{path}.FromAddress", limit=320)
    if sender and "@" not in parseaddr(sender)[1]:
        raise Invalid(
            f"{path}.FromAddress must be an email address, e.g. news@example.com or Shop <news@example.com>",
            field=f"{path}.FromAddress",
        )
    return compact({"FromAddress": sender or None})


def _sms_config(data: dict[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data.get("MessageType") is not None:
        out["MessageType"] = choice(data["MessageType"], f"{path}.MessageType", ("TRANSACTIONAL", "PROMOTIONAL"))
    if data.get("OriginationNumber"):
        number = text(data["OriginationNumber"], f"{path}.OriginationNumber", limit=20)
        if not _E164.match(number):
            raise Invalid(f"{path}.OriginationNumber must be an E.164 number, e.g. +12065550100",
                          field=f"{path}.OriginationNumber")  # fmt: skip
        out["OriginationNumber"] = number
    if data.get("SenderId"):
        sender = text(data["SenderId"], f"{path}.SenderId", limit=11)
        if not _SENDER_ID.match(sender):
            raise Invalid(f"{path}.SenderId: 1–11 letters, digits, spaces or hyphens", field=f"{path}.SenderId")
        out["SenderId"] = sender
    for key in ("EntityId", "TemplateId"):
        if data.get(key):
            out[key] = text(data[key], f"{path}.{key}", limit=100)
    return out


def _push_config(data: dict[str, Any], path: str) -> dict[str, Any]:
    if data.get("TimeToLive") in (None, ""):
        return {}
    ttl = integer(data["TimeToLive"], f"{path}.TimeToLive", 0, MAX_PUSH_TTL)
    return {"TimeToLive": str(ttl)}


def _inapp_config(data: dict[str, Any], path: str) -> dict[str, Any]:
    """INAPP MessageConfig, named as Pinpoint's in-app campaigns: Priority 1 (highest) to 5, the display caps
    SessionCap/DailyCap/TotalCap (0 = none; the app counts displays) and an EventFilter that shows the message
    when the app records the event."""
    out: dict[str, Any] = {}
    if data.get("Priority") not in (None, ""):
        out["Priority"] = integer(data["Priority"], f"{path}.Priority", 1, 5)
    for key in ("SessionCap", "DailyCap", "TotalCap"):
        if data.get(key) not in (None, ""):
            out[key] = integer(data[key], f"{path}.{key}", 0, MAX_INAPP_CAP)
    if data.get("EventFilter") not in (None, "", {}):
        where = f"{path}.EventFilter"
        given = {"FilterType": "SYSTEM", **obj(data["EventFilter"], where)}
        try:
            checked = event_filter_check(given)
        except Invalid as exc:
            field = (exc.field or "").replace("Schedule.EventFilter", where)
            raise Invalid(f"{field or where}: {exc.message}", field=field or where) from None
        if checked["Dimensions"]:  # a filter without dimensions says nothing: the app shows the message at once
            out["EventFilter"] = checked
    return out


def _custom(data: dict[str, Any], path: str, out: dict[str, Any]) -> None:
    config = obj(data.get("MessageConfig"), f"{path}.MessageConfig")
    if config.get("Data") is not None:
        out["MessageConfig"] = {"Data": text(config["Data"], f"{path}.MessageConfig.Data", limit=MAX_CUSTOM_DATA)}
    if data.get("DeliveryUri") not in (None, ""):
        uri = text(data["DeliveryUri"], f"{path}.DeliveryUri", limit=2048)
        parts = urlsplit(uri)
        if parts.scheme != "https" or not parts.hostname:
            raise Invalid(
                f"{path}.DeliveryUri must be the https:// URL of your webhook (Engage calls webhooks, not Lambda)",
                field=f"{path}.DeliveryUri",
            )
        out["DeliveryUri"] = uri
    if data.get("EndpointTypes") is not None:
        types = items(data["EndpointTypes"], f"{path}.EndpointTypes")
        out["EndpointTypes"] = [choice(t, f"{path}.EndpointTypes[{i}]", ENDPOINT_TYPES) for i, t in enumerate(types)]


def _send(tenant: Tenant, kind: str, data: dict[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = compact({"NextActivity": _link(data.get("NextActivity"), f"{path}.NextActivity")})
    out.update(_template(tenant, kind, data, path))
    if kind == "CUSTOM":
        _custom(data, path, out)
        return out
    readers = {"EMAIL": _email_config, "SMS": _sms_config, "PUSH": _push_config, "INAPP": _inapp_config}
    config = readers[kind](obj(data.get("MessageConfig"), f"{path}.MessageConfig"), f"{path}.MessageConfig")
    if config:
        out["MessageConfig"] = config
    return out


def _split(tenant: Tenant, data: dict[str, Any], path: str, activities: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data.get("Condition") is not None:
        out["Condition"] = condition_check(tenant, data["Condition"], f"{path}.Condition", activities)
    if data.get("EvaluationWaitTime") is not None:
        out["EvaluationWaitTime"] = wait_time_check(
            data["EvaluationWaitTime"], f"{path}.EvaluationWaitTime", low=timedelta(0)
        )
    for key in ("TrueActivity", "FalseActivity"):
        out.update(compact({key: _link(data.get(key), f"{path}.{key}")}))
    return out


def _multi(tenant: Tenant, data: dict[str, Any], path: str, activities: dict[str, Any]) -> dict[str, Any]:
    branches = items(data.get("Branches"), f"{path}.Branches")
    if len(branches) > 4:
        raise Invalid(f"{path}.Branches: at most 4 branches (plus the default path)", field=f"{path}.Branches")
    out: dict[str, Any] = {"Branches": []}
    for i, raw in enumerate(branches):
        where = f"{path}.Branches[{i}]"
        branch = obj(raw, where)
        checked = compact({"NextActivity": _link(branch.get("NextActivity"), f"{where}.NextActivity")})
        if branch.get("Condition") is not None:
            checked["Condition"] = simple_condition_check(tenant, branch["Condition"], f"{where}.Condition", activities)
        out["Branches"].append(checked)
    out.update(compact({"DefaultActivity": _link(data.get("DefaultActivity"), f"{path}.DefaultActivity")}))
    if data.get("EvaluationWaitTime") is not None:
        out["EvaluationWaitTime"] = wait_time_check(
            data["EvaluationWaitTime"], f"{path}.EvaluationWaitTime", low=timedelta(0)
        )
    return out


def _random(data: dict[str, Any], path: str) -> dict[str, Any]:
    branches = items(data.get("Branches"), f"{path}.Branches")
    if not 2 <= len(branches) <= 5:
        raise Invalid(f"{path}.Branches: a random split has 2 to 5 branches", field=f"{path}.Branches")
    out = []
    for i, raw in enumerate(branches):
        where = f"{path}.Branches[{i}]"
        branch = obj(raw, where)
        if branch.get("Percentage") is None:
            raise Invalid(f"{where}.Percentage: give the branch's share, 1 to 100", field=f"{where}.Percentage")
        out.append(
            compact(
                {
                    "NextActivity": _link(branch.get("NextActivity"), f"{where}.NextActivity"),
                    "Percentage": integer(branch["Percentage"], f"{where}.Percentage", 1, 100),
                }
            )
        )
    total = sum(b["Percentage"] for b in out)
    if total != 100:
        raise Invalid(f"{path}.Branches: the percentages add up to {total}; make them add up to exactly 100",
                      field=f"{path}.Branches")  # fmt: skip
    return {"Branches": out}


def _holdout(data: dict[str, Any], path: str) -> dict[str, Any]:
    if data.get("Percentage") is None:
        raise Invalid(f"{path}.Percentage: give the share to hold out, 0 to 100", field=f"{path}.Percentage")
    return compact(
        {
            "NextActivity": _link(data.get("NextActivity"), f"{path}.NextActivity"),
            "Percentage": integer(data["Percentage"], f"{path}.Percentage", 0, 100),
        }
    )


def activity_check(tenant: Tenant, activity_id: str, value: Any, activities: dict[str, Any]) -> dict[str, Any]:
    """One activity: its Description and exactly one union member, normalised."""
    path = f"Activities.{activity_id}"
    data = obj(value, path)
    kinds = [k for k in KINDS if data.get(k) is not None]
    if len(kinds) != 1:
        raise Invalid(f"{path}: set exactly one of {', '.join(KINDS)} (got {', '.join(kinds) or 'none'})", field=path)
    kind = kinds[0]
    where = f"{path}.{kind}"
    body = obj(data[kind], where)
    if kind in SEND_KINDS:
        checked = _send(tenant, kind, body, where)
    elif kind == "Wait":
        checked = compact({"NextActivity": _link(body.get("NextActivity"), f"{where}.NextActivity")})
        if body.get("WaitTime") is not None:
            checked["WaitTime"] = wait_time_check(body["WaitTime"], f"{where}.WaitTime", low=MIN_WAIT)
    elif kind == "ConditionalSplit":
        checked = _split(tenant, body, where, activities)
    elif kind == "MultiCondition":
        checked = _multi(tenant, body, where, activities)
    elif kind == "RandomSplit":
        checked = _random(body, where)
    elif kind == "Holdout":
        checked = _holdout(body, where)
    else:
        checked = compact({"NextActivity": _link(body.get("NextActivity"), f"{where}.NextActivity")})
    return compact({"Description": description(data.get("Description"), f"{path}.Description"), kind: checked})


def activities_check(tenant: Tenant, value: Any) -> dict[str, Any]:
    """Every activity, keyed by its id (letters and digits, up to 100), at most JOURNEYS_MAX_ACTIVITIES."""
    activities = obj(value, "Activities")
    limit = int(getattr(settings, "JOURNEYS_MAX_ACTIVITIES", 40))
    if len(activities) > limit:
        raise Invalid(f"Activities: a journey has at most {limit} activities (got {len(activities)})",
                      field="Activities")  # fmt: skip
    for activity_id in activities:
        if not ACTIVITY_ID.match(activity_id):
            raise Invalid(
                f"Activities.{activity_id}: an activity id is 1 to 100 letters and digits",
                field=f"Activities.{activity_id}",
            )
    return {key: activity_check(tenant, key, raw, activities) for key, raw in activities.items()}
