"""The wizard's schedule step: now, once, recurring, or when an event occurs (Pinpoint's EVENT campaigns: an event
type, optionally one attribute with its values and one metric comparison), quiet time and limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms

from campaigns.forms import StepForm
from campaigns.models import Campaign
from campaigns.schedule import zone

ZONES = ["UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
         "Europe/London", "Europe/Paris", "Europe/Berlin", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata",
         "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney",
         "Pacific/Auckland"]  # fmt: skip
OPERATORS = [
    ("EQUAL", "="),
    ("GREATER_THAN", ">"),
    ("LESS_THAN", "<"),
    ("GREATER_THAN_OR_EQUAL", "≥"),
    ("LESS_THAN_OR_EQUAL", "≤"),
]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScheduleForm(StepForm):
    start = forms.ChoiceField(
        choices=[
            ("now", "Immediately"),
            ("once", "Once, at a time"),
            ("recurring", "Recurring"),
            ("event", "When an event occurs"),
        ],
        widget=forms.RadioSelect,
        initial="now",
    )
    frequency = forms.ChoiceField(
        required=False, choices=[(f, Campaign.Frequency(f).label) for f in ("HOURLY", "DAILY", "WEEKLY", "MONTHLY")]
    )
    start_at = forms.DateTimeField(required=False, label="Start", widget=DATETIME)
    end_at = forms.DateTimeField(required=False, label="End", widget=DATETIME)
    event_type = forms.CharField(
        required=False, max_length=50, label="Event", help_text="The event type your app sends, e.g. cart.abandoned"
    )
    event_attribute = forms.CharField(required=False, max_length=50, label="Attribute (optional)")
    event_values = forms.CharField(
        required=False, max_length=500, label="is one of", help_text="Values separated by commas."
    )
    event_metric = forms.CharField(required=False, max_length=50, label="Metric (optional)")
    metric_operator = forms.ChoiceField(required=False, choices=OPERATORS, label="Comparison")
    metric_value = forms.FloatField(required=False, label="Value")
    timezone = forms.ChoiceField(choices=[(z, z) for z in ZONES], initial="UTC", label="Time zone")
    is_local_time = forms.BooleanField(required=False, label="Send at this time in each recipient's own time zone")
    no_timezone = forms.ChoiceField(choices=Campaign.NoTimezone.choices, label="Recipients without a time zone")
    quiet_start = forms.TimeField(
        required=False, label="Quiet time from", widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(required=False, label="until", widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_action = forms.ChoiceField(choices=Campaign.QuietTimeAction.choices, label="During quiet time")
    daily_cap = forms.IntegerField(required=False, min_value=0, max_value=100, label="Daily cap per endpoint")
    messages_per_second = forms.IntegerField(required=False, min_value=0, max_value=20_000, label="Messages per second")
    FIELDS = {
        "Schedule.StartTime": "start_at", "Schedule.EndTime": "end_at", "Schedule.Frequency": "frequency",
        "Schedule.EventFilter.Dimensions.EventType": "event_type",
        "Schedule.EventFilter.Dimensions.Attributes": "event_attribute",
        "Schedule.EventFilter.Dimensions.Metrics": "event_metric", "Schedule.EventFilter": "event_type",
        "Schedule.Timezone": "timezone", "Schedule.QuietTime": "quiet_start",
        "Schedule.NoTimezoneAction": "no_timezone",
        "Schedule.QuietTimeAction": "quiet_action", "Limits.Daily": "daily_cap",
        "Limits.MessagesPerSecond": "messages_per_second", "SegmentId": "start",
    }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["timezone"]).choices = [(z, z) for z in ZONES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("start")
        if start in ("once", "recurring") and not data.get("start_at"):
            self.add_error("start_at", "Choose when the campaign starts.")
        if start == "recurring" and not data.get("frequency"):
            self.add_error("frequency", "Choose how often it repeats.")
        if start == "event":
            self._clean_event(data)
        return data

    def _clean_event(self, data: dict[str, Any]) -> None:
        if not (data.get("event_type") or "").strip():
            self.add_error("event_type", "Name the event that sends the message.")
        if (data.get("event_attribute") or "").strip() and not _values(data.get("event_values")):
            self.add_error("event_values", "Give at least one value of the attribute.")
        if (data.get("event_metric") or "").strip() and data.get("metric_value") is None:
            self.add_error("metric_value", "Give the value to compare the metric with.")

    def _iso(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        tz = zone(self.cleaned_data["timezone"])
        return value.replace(tzinfo=tz).isoformat()

    def _event_filter(self) -> dict[str, Any]:
        d = self.cleaned_data
        dims: dict[str, Any] = {"EventType": {"DimensionType": "INCLUSIVE", "Values": [d["event_type"].strip()]}}
        if (d.get("event_attribute") or "").strip():
            values = _values(d["event_values"])
            dims["Attributes"] = {d["event_attribute"].strip(): {"AttributeType": "INCLUSIVE", "Values": values}}
        if (d.get("event_metric") or "").strip():
            op = d.get("metric_operator") or "EQUAL"
            dims["Metrics"] = {d["event_metric"].strip(): {"ComparisonOperator": op, "Value": d["metric_value"]}}
        return {"FilterType": "ENDPOINT", "Dimensions": dims}

    def body(self) -> dict[str, Any]:
        d = self.cleaned_data
        start = d["start"]
        schedule: dict[str, Any] = {
            "StartTime": "IMMEDIATE" if start in ("now", "event") else self._iso(d["start_at"]),
            "Frequency": {"recurring": d["frequency"], "event": "EVENT"}.get(start, "ONCE"),
            "Timezone": d["timezone"],
            "IsLocalTime": d["is_local_time"] and start in ("once", "recurring"),
            "NoTimezoneAction": d["no_timezone"],
            "QuietTimeAction": d["quiet_action"],
        }
        if start == "event":
            schedule["EventFilter"] = self._event_filter()
        if start in ("recurring", "event") and d["end_at"]:
            schedule["EndTime"] = self._iso(d["end_at"])
        if d["quiet_start"] or d["quiet_end"]:
            schedule["QuietTime"] = {
                k: v.strftime("%H:%M") for k, v in (("Start", d["quiet_start"]), ("End", d["quiet_end"])) if v
            }
        limits = {"Daily": d["daily_cap"] or 0, "MessagesPerSecond": d["messages_per_second"] or 0}
        return {"Schedule": schedule, "Limits": limits}


def _values(raw: str | None) -> list[str]:
    return [v.strip() for v in (raw or "").split(",") if v.strip()]
