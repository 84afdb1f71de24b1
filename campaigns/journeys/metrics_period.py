"""The date range of a journey's metrics: From and To dates (To included) in the journey's time zone, from the
console's form or the API's `start`/`end` query parameters. It narrows what has a time — messages by when they were
queued, engagement events by arrival, entries by entry time, in-app messages by when they were stored; the
engine's execution counters (entered, sent, paths, not-sent reasons) count since the journey started."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django import forms

from campaigns.models import Journey
from engage.errors import Invalid

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """[start, end): local midnight of the From date to local midnight after the To date."""

    start: datetime
    end: datetime
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        first, last = data.get("start"), data.get("end")
        if first and last and last < first:
            self.add_error("end", "The To date is before the From date.")
        elif first and last and (last - first).days + 1 > MAX_DAYS:
            self.add_error("end", f"Choose at most {MAX_DAYS} days.")
        return data

    def period(self, tz: tzinfo, today: date) -> Period | None:
        """The chosen range (a missing From: 30 days before To; a missing To: today, or From if later); None when
        neither is set or the form is invalid."""
        if not self.is_valid():
            return None
        chosen_first: date | None = self.cleaned_data.get("start")
        chosen_last: date | None = self.cleaned_data.get("end")
        if chosen_first is None and chosen_last is None:
            return None
        last = chosen_last or max(today, chosen_first or today)
        first = chosen_first or last - timedelta(days=29)
        start = datetime.combine(first, time.min, tzinfo=tz)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
        return Period(start=start, end=end, first=first, last=last)


def metrics_zone(journey: Journey) -> zoneinfo.ZoneInfo:
    """The zone metrics dates and charts are read in: the journey's schedule zone, else the tenant's, else UTC."""
    name = ((journey.definition or {}).get("Schedule") or {}).get("Timezone") or journey.tenant.timezone or "UTC"
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def period_from_query(params: Mapping[str, Any], tz: tzinfo, today: date) -> Period | None:
    """The API's `start`/`end` (YYYY-MM-DD); Invalid names the parameter and what to send instead."""
    form = PeriodForm({k: params.get(k) for k in ("start", "end") if params.get(k)})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        text = str(errors[0])
        if field in ("start", "end") and "valid date" in text:
            text = f"{field} must be a date as YYYY-MM-DD."
        raise Invalid(text, field=field if field != "__all__" else "end")
    return form.period(tz, today)
