"""A journey's metrics page: where the participants are, entries over time, why messages were not sent, and per
activity its execution, paths and engagement; the activity metrics as CSV. Figures come from the selectors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.journeys.metrics import (
    REASON_LABELS,
    activities_metrics,
    activity_counts,
    entries_series,
    journey_metrics,
)
from campaigns.journeys.metrics_engagement import CHANNEL_FIELDS, FIELD_LABELS
from campaigns.journeys.metrics_period import Period, PeriodForm, metrics_zone
from campaigns.journeys.metrics_wire import activities_csv_write
from campaigns.journeys.views.common import JourneyMixin
from campaigns.journeys.views.metrics_charts import bars, ring
from campaigns.models import Journey
from campaigns.views.charts import line_chart
from channels.models.ledger import Reason
from engage import clock
from engage.tenancy.models import Capability

KIND_LABELS = {
    "EMAIL": "Email", "SMS": "SMS", "PUSH": "Push", "CUSTOM": "Custom channel", "INAPP": "In-app message",
    "Wait": "Wait",
    "ConditionalSplit": "Yes/no split", "MultiCondition": "Multivariate split", "RandomSplit": "Random split",
    "Holdout": "Holdout", "ContactCenter": "Contact center", "": "Activity",
}  # fmt: skip


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason) or dict(Reason.choices).get(reason) or reason.replace("_", " ").capitalize()


def _engagement_cells(row: dict[str, Any]) -> list[tuple[str, Any]]:
    found = row.get("engagement") or {}
    fields = CHANNEL_FIELDS.get(row["kind"], ())
    return [(FIELD_LABELS[f], found.get(f, 0)) for f in fields]


def metrics_context(journey: Journey, period: Period | None = None) -> dict[str, Any]:
    counts = activity_counts(journey=journey)
    top = journey_metrics(journey=journey, counts=counts)
    rows = activities_metrics(journey=journey, counts=counts, period=period)
    for row in rows:
        row["label"] = KIND_LABELS.get(row["kind"], row["kind"])
        row["cells"] = _engagement_cells(row)
        row["not_sent_rows"] = [(reason_label(r), n) for r, n in row["not_sent"].items()]
    tz = metrics_zone(journey)
    unit, buckets, values = entries_series(journey=journey, tz=tz, period=period)
    not_sent = [(reason_label(r), n) for r, n in top["not_sent"].items()]
    not_sent += [(f"Entry refused: {reason_label(r).lower()}", n) for r, n in top["entry_refused"].items()]
    if top["tz_missing"]:
        not_sent.append(("Endpoints with a missing time zone", top["tz_missing"]))
    return {
        "journey": journey,
        "m": top,
        "rows": rows,
        "exited_total": top["left"] - top["completed"],
        "exits": [(reason_label(r), n) for r, n in top["exited"].items()],
        "ring": ring(
            [("Active", top["active"]), ("Completed", top["completed"]), ("Exited", top["left"] - top["completed"])],
            title="Participants: active, completed, exited",
        ),
        "entries_chart": line_chart([("Entries", values)], buckets=buckets, unit=unit, title="Entries over time"),
        "entries_unit": unit,
        "entries_total": sum(values),
        "not_sent_chart": bars(not_sent, title="Why messages were not sent"),
        "zone": str(tz),
    }


def period_form(request: HttpRequest, journey: Journey) -> tuple[PeriodForm, Period | None]:
    """The From/To form of the metrics page (bound only when the query names a date) and the period it picks."""
    chosen = {k: request.GET[k] for k in ("start", "end") if request.GET.get(k)}
    form = PeriodForm(chosen or None)
    tz = metrics_zone(journey)
    return form, form.period(tz, clock.now().astimezone(tz).date()) if chosen else None


class JourneyMetricsView(JourneyMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        form, period = period_form(request, journey)
        context = {
            **metrics_context(journey, period),
            "period_form": form,
            "period": period,
            "range_query": request.GET.urlencode() if period is not None else "",
            "section": "journeys",
            "tab": "metrics",
            "can_export": self.can(Capability.EXPORT),
        }
        return render(request, "journeys/metrics.html", context)


class JourneyMetricsCsvView(JourneyMixin):
    """The activity metrics as CSV: one row per activity, execution then engagement, reasons and paths last."""

    read_capability = Capability.EXPORT

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        return self.render_csv(journey, period_form(request, journey)[1])

    @staticmethod
    def render_csv(journey: Journey, period: Period | None = None) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"journey-{journey.pk}-activities" + (f"-{period.first}-{period.last}" if period else "")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        activities_csv_write(journey=journey, out=response, period=period)
        return response
