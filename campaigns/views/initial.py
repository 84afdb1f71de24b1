"""What the wizard's forms show for a saved campaign: its WriteCampaignRequest read back into form fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from campaigns.forms import TEMPLATE_KEY, TREATMENT_SLOTS
from campaigns.message import MC, TC
from campaigns.models import Campaign
from campaigns.schedule import campaign_zone


def content_initial(mc: dict[str, Any], tc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Inline message fields, or the template and version, of one treatment."""
    found: dict[str, Any] = {}
    for key in TEMPLATE_KEY.values():
        if (tc or {}).get(key):
            found.update(
                {
                    "source": "template",
                    "template": tc[key].get("Name", ""),
                    "template_version": tc[key].get("Version", ""),
                }
            )
    email, sms = (mc or {}).get("EmailMessage") or {}, (mc or {}).get("SMSMessage") or {}
    push, custom = (mc or {}).get("DefaultMessage") or {}, (mc or {}).get("CustomMessage") or {}
    found.update(
        subject=email.get("Title", ""),
        html_body=email.get("HtmlBody", ""),
        from_address=email.get("FromAddress", ""),
        sms_body=sms.get("Body", ""),
        sms_type=sms.get("MessageType", "PROMOTIONAL"),
        push_title=push.get("Title", ""),
        push_body=push.get("Body", ""),
        custom_data=custom.get("Data", ""),
    )
    found.setdefault("source", "inline")
    return {f"{prefix}{k}": v for k, v in found.items()}


def _event(c: Campaign) -> dict[str, Any]:
    """The event filter's first event type, attribute and metric (what the wizard edits)."""
    dims = (c.event_filter or {}).get("Dimensions") or {}
    found: dict[str, Any] = {"event_type": ", ".join((dims.get("EventType") or {}).get("Values") or [])}
    for name, attribute in list((dims.get("Attributes") or {}).items())[:1]:
        found.update(event_attribute=name, event_values=", ".join(attribute.get("Values") or []))
    for name, metric in list((dims.get("Metrics") or {}).items())[:1]:
        found.update(
            event_metric=name, metric_operator=metric.get("ComparisonOperator"), metric_value=metric.get("Value")
        )
    return found


def _schedule(c: Campaign) -> dict[str, Any]:
    tz = campaign_zone(c)
    recurring = c.frequency in ("HOURLY", "DAILY", "WEEKLY", "MONTHLY")
    start = "now" if c.start_immediate or not c.start_time else ("recurring" if recurring else "once")
    return {
        **_event(c),
        "start": "event" if c.frequency == Campaign.Frequency.EVENT else start,
        "frequency": c.frequency if recurring else "DAILY",
        "start_at": c.start_time.astimezone(tz).replace(tzinfo=None) if c.start_time else None,
        "end_at": c.end_time.astimezone(tz).replace(tzinfo=None) if c.end_time else None,
        "timezone": c.timezone or c.tenant.timezone or "UTC",
        "is_local_time": c.is_local_time,
        "no_timezone": c.no_timezone,
        "quiet_start": c.quiet_time_start,
        "quiet_end": c.quiet_time_end,
        "quiet_action": c.quiet_time_action,
        "daily_cap": c.daily_cap,
        "messages_per_second": c.messages_per_second,
    }


def _treatments(c: Campaign) -> dict[str, Any]:
    found: dict[str, Any] = {"holdout_percent": c.holdout_percent}
    tz = campaign_zone(c)
    for i, t in enumerate(c.additional_treatments[:TREATMENT_SLOTS], start=1):
        found.update({f"t{i}_name": t.get("TreatmentName", ""), f"t{i}_size": t.get("SizePercent")})
        start = (t.get("Schedule") or {}).get("StartTime")
        if start:
            found[f"t{i}_start_at"] = datetime.fromisoformat(start).astimezone(tz).replace(tzinfo=None)
        found.update(content_initial(t.get(MC) or {}, t.get(TC) or {}, f"t{i}_"))
    return found


def step_initial(step: str, c: Campaign) -> dict[str, Any]:
    """The form's initial values for one step."""
    if step == "details":
        return {"name": c.name, "description": c.description}
    if step == "segment":
        return {"segment": c.segment.public_id if c.segment else "", "segment_version": c.segment_version}
    if step == "message":
        found = content_initial(c.message_configuration, c.template_configuration)
        return {**found, "channel": c.channel or "EMAIL", "treatment_name": c.treatment_name}
    if step == "treatments":
        return _treatments(c)
    if step == "schedule":
        return _schedule(c)
    return {}
