"""Journey metrics in Pinpoint's wire shapes (JourneyExecutionMetricsResponse, JourneyExecutionActivityMetrics-
Response: string → string Metrics maps), shared by the REST API and the Pinpoint facade, plus the participants
lookup as JSON."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import Any, Protocol

from campaigns.journeys.metrics import activities_metrics, journey_metrics
from campaigns.journeys.metrics_participants import Found
from campaigns.journeys.metrics_period import Period
from campaigns.models import Journey
from channels.models import Delivery
from engage import clock

ACTIVITY_TYPES = {
    "EMAIL": "MESSAGE", "SMS": "MESSAGE", "PUSH": "MESSAGE", "CUSTOM": "MESSAGE", "INAPP": "MESSAGE", "Wait": "WAIT",
    "ConditionalSplit": "CONDITIONAL_SPLIT", "MultiCondition": "MULTI_CONDITIONAL_SPLIT",
    "RandomSplit": "RANDOM_SPLIT", "Holdout": "HOLDOUT", "ContactCenter": "CONTACT_CENTER",
}  # fmt: skip
# Not-sent reasons the engine counts → the journey_send_status names Pinpoint reported them under.
SEND_STATUS = {"quiet_time": "QUIET_TIME", "cap": "DAILY_CAP", "daily_cap": "DAILY_CAP", "throttled": "THROTTLED"}
SEND_STATUS |= {"total_cap": "ENDPOINT_LIMIT", "timeframe_cap": "TIMEFRAME_CAP", "opt_out": "OPT_OUT"}
SEND_STATUS |= {"unsupported_channel": "UNSUPPORTED_CHANNEL", "no_timezone": "ENDPOINT_MISSING_TIMEZONE"}


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _strings(metrics: dict[str, int | float]) -> dict[str, str]:
    return {k: str(v) for k, v in metrics.items()}


def journey_metrics_json(*, journey: Journey, application_id: str) -> dict[str, Any]:
    """JourneyExecutionMetricsResponse: Pinpoint's fields plus Engage's (exit, refusal and not-sent reasons)."""
    m = journey_metrics(journey=journey)
    metrics: dict[str, int | float] = {
        "ENDPOINT_ENTERED": m["entries"],
        "ENDPOINT_ACTIVE": m["active"],
        "ENDPOINT_LEFT": m["left"],
        "COMPLETED": m["completed"],
        "CANCELLED": m["cancelled"],
        "REENTRY_CAP_EXCEEDED": sum(m["entry_refused"].get(r, 0) for r in ("reentry_cap", "max_entries")),
        "ACTIVE_ENDPOINT_REJECTED": m["entry_refused"].get("in_journey", 0),
        "ENDPOINT_MISSING_TIMEZONE": m["tz_missing"],
        "ENDPOINT_TIMEZONE_ESTIMATED": m["tz_estimated"],
        "REFRESHES": m["refreshes"],
    }
    metrics |= {f"EXITED_{r.upper()}": n for r, n in m["exited"].items()}
    metrics |= {f"ENTRY_REFUSED_{r.upper()}": n for r, n in m["entry_refused"].items()}
    metrics |= {f"NOT_SENT_{r.upper()}": n for r, n in m["not_sent"].items()}
    return {
        "ApplicationId": application_id,
        "JourneyId": str(journey.pk),
        "LastEvaluatedTime": iso(m["evaluated_at"]),
        "Metrics": _strings(metrics),
    }


def activity_metrics_wire(row: dict[str, Any]) -> dict[str, int | float]:
    """One activity's Metrics map: participants, then by type sends and not-sent reasons, wait outcomes, paths."""
    metrics: dict[str, int | float] = {
        "ENDPOINT_ENTERED": row["entered"],
        "ENDPOINT_ACTIVE": row["in_progress"],
        "ENDPOINT_LEFT": row["done"],
    }
    engagement = row.get("engagement") or {}
    if ACTIVITY_TYPES.get(row["kind"]) == "MESSAGE":
        metrics["SUCCESS"] = row["sent"]
        for reason, n in row["not_sent"].items():
            key = SEND_STATUS.get(reason, reason.upper())
            metrics[key] = metrics.get(key, 0) + n
        for status, n in (engagement.get("failures") or {}).items():
            metrics[status] = metrics.get(status, 0) + n
        for name in ("delivered", "opens", "clicks", "soft_bounces", "hard_bounces", "complaints", "unsubscribes",
                     "rejected", "push_opens", "parts", "spend_usd", "inapp_displayed", "inapp_displays",
                     "inapp_clicks", "inapp_dismissals"):  # fmt: skip
            if name in engagement:
                metrics[name.upper()] = engagement[name]
    if row["kind"] == "Wait":
        metrics |= {"WAIT_COMPLETED": row["waiting_done"], "WAIT_DATE_PASSED": row["wait_date_passed"]}
    if row["kind"] == "Holdout":
        metrics["HOLDOUT"] = row["held_out"]
    elif row["branches"]:
        metrics |= {f"BRANCH_{i + 1}": b["n"] for i, b in enumerate(row["branches"])}
    return metrics


def activity_metrics_json(*, journey: Journey, row: dict[str, Any], application_id: str) -> dict[str, Any]:
    """JourneyExecutionActivityMetricsResponse for one activity row of activities_metrics."""
    return {
        "ActivityType": ACTIVITY_TYPES.get(row["kind"], row["kind"] or "UNKNOWN"),
        "ApplicationId": application_id,
        "JourneyActivityId": row["id"],
        "JourneyId": str(journey.pk),
        "LastEvaluatedTime": iso(clock.now()),
        "Metrics": _strings(activity_metrics_wire(row)),
    }


def _message_json(d: Delivery) -> dict[str, Any]:
    return {
        "ActivityId": d.dispatch.activity_id,
        "Channel": d.channel,
        "Status": d.status,
        "Reason": d.reason,
        "QueuedAt": iso(d.queued_at),
    }


def participant_json(found: Found) -> dict[str, Any]:
    p = found.participant
    return {
        "ParticipantId": str(p.pk),
        "Kind": p.kind,
        "Key": p.key,
        "Entry": p.entry,
        "Version": p.version,
        "Activity": p.activity,
        "State": p.state,
        "WakeAt": iso(p.wake_at),
        "EnteredAt": iso(p.entered_at),
        "ExitedAt": iso(p.exited_at),
        "ExitReason": p.exit_reason,
        "Steps": p.step,
        "Trail": [
            {"Activity": s.activity, "At": s.at if isinstance(s.at, str) else iso(s.at), "Outcome": s.outcome}
            for s in found.steps
        ],
        "RefusedEntries": found.refused,
        "Timezone": found.estimated_zone,
        "Messages": [
            {
                "ActivityId": d.dispatch.activity_id,
                "Channel": d.channel,
                "Status": d.status,
                "Reason": d.reason,
                "QueuedAt": iso(d.queued_at),
            }
            for d in found.deliveries
        ],
    }


CSV_FIELDS = ("entered", "in_progress", "done", "sent", "waiting_done", "wait_date_passed", "held_out")
CSV_ENGAGEMENT = ("delivered", "opens", "clicks", "soft_bounces", "hard_bounces", "unsubscribes", "complaints",
                  "rejected", "failed", "push_opens", "parts", "spend_usd", "inapp_displayed", "inapp_displays",
                  "inapp_clicks", "inapp_dismissals")  # fmt: skip


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def activities_csv_write(*, journey: Journey, out: Writable, period: Period | None = None) -> None:
    """The activity metrics as CSV: one row per activity, execution then engagement (in the period, if any),
    reasons and paths last."""
    writer = csv.writer(out)
    writer.writerow(["activity", "type", "description", *CSV_FIELDS, *CSV_ENGAGEMENT, "not_sent", "paths"])
    for row in activities_metrics(journey=journey, period=period):
        found = row.get("engagement") or {}
        not_sent = ";".join(f"{r}={n}" for r, n in row["not_sent"].items())
        paths = ";".join(f"{b['label']}={b['n']}" for b in row["branches"])
        writer.writerow(
            [row["id"], row["kind"], row["description"], *(row[f] for f in CSV_FIELDS),
             *(found.get(f, 0) for f in CSV_ENGAGEMENT), not_sent, paths]
        )  # fmt: skip
