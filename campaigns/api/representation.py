"""A campaign as the API answers it: Pinpoint's CampaignResponse members, plus Engage's own lower-case ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from campaigns.models import Campaign, CampaignRun
from engage.tenancy.arn import pinpoint_arn


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _schedule(c: Campaign) -> dict[str, Any] | None:
    if not c.start_immediate and c.start_time is None:
        return None
    quiet = None
    if c.quiet_time_start is not None and c.quiet_time_end is not None:
        quiet = {"Start": c.quiet_time_start.strftime("%H:%M"), "End": c.quiet_time_end.strftime("%H:%M")}
    return {
        "StartTime": "IMMEDIATE" if c.start_immediate else _iso(c.start_time),
        "EndTime": _iso(c.end_time),
        "Frequency": c.frequency,
        "IsLocalTime": c.is_local_time,
        "Timezone": c.timezone or None,
        "QuietTime": quiet,
        "EventFilter": c.event_filter,
        "NoTimezoneAction": c.no_timezone,
        "QuietTimeAction": c.quiet_time_action,
    }


def campaign_json(c: Campaign) -> dict[str, Any]:
    state = {"CampaignStatus": c.status}
    return {
        "id": c.pk,
        "name": c.name,
        "description": c.description,
        "status": c.status,
        "channel": c.channel,
        "next_run_at": _iso(c.next_run_at),
        "launched_at": _iso(c.launched_at),
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "Id": str(c.pk),
        "Arn": pinpoint_arn(c.tenant.public_id, f"campaigns/{c.pk}"),
        "ApplicationId": c.tenant.public_id,
        "Name": c.name,
        "Description": c.description,
        "SegmentId": c.segment.public_id if c.segment else None,
        "SegmentVersion": c.segment_version or (c.segment.version if c.segment else None),
        "MessageConfiguration": c.message_configuration or None,
        "TemplateConfiguration": c.template_configuration or None,
        "TreatmentName": c.treatment_name or None,
        "TreatmentDescription": c.treatment_description or None,
        "AdditionalTreatments": [{**t, "State": state} for t in c.additional_treatments],
        "HoldoutPercent": c.holdout_percent,
        "Fallbacks": c.fallbacks or [],
        "Priority": c.priority,
        "Limits": {
            "Daily": c.daily_cap,
            "Total": c.total_cap,
            "MessagesPerSecond": c.messages_per_second,
            "MaximumDuration": c.maximum_duration,
            "Session": c.session_cap,
        },
        "Schedule": _schedule(c),
        "Hook": c.hook,
        "CustomDeliveryConfiguration": c.custom_delivery,
        "IsPaused": c.is_paused,
        "State": state,
        "DefaultState": state,
        "Version": c.version,
        "CreationDate": _iso(c.created_at),
        "LastModifiedDate": _iso(c.updated_at),
        "tags": c.tags or {},
    }


def run_json(run: CampaignRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "scheduled_for": _iso(run.scheduled_for),
        "status": run.status,
        "planned": run.planned,
        "held_out": run.held_out,
        "dispatches": run.dispatches,
        "expires_at": _iso(run.expires_at),
        "created_at": _iso(run.created_at),
        "planned_at": _iso(run.planned_at),
        "completed_at": _iso(run.completed_at),
        "counts": run.counts,
    }
