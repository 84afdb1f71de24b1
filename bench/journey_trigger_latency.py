"""Event-triggered journey latency: a published journey entered by the event type `bench.trigger` whose first
activity is an EMAIL; gunicorn serves the real PutEvents API, two Celery worker processes (queues default + sends)
send through the sandbox, and background clients put ~1,000 non-matching events/s the whole time (the harness of
bench/trigger_latency.py). Latency per message = Delivery.sent_at − the triggering event's arrival: ingestion, the
trigger index, the participant's entry, its first step (the send activity writes the ledger row) and the send task
handing the message to the transport."""

from __future__ import annotations

from typing import Any

from bench._common import bench_tenant
from bench._journeys import journeys_cleanup
from bench.send_sandbox import _endpoints
from bench.trigger_latency import EVENT_TYPE, _cleanup, drive

DEFAULT_N = 300


def _journey(tenant: Any) -> Any:
    """Created and published through the journey services, as the console and API do."""
    from campaigns.journeys.services.lifecycle import journey_publish
    from campaigns.journeys.services.writes import journey_create
    from templates.codec import template_request_parse
    from templates.services.templates import template_create

    body = {"TemplateName": "bench-welcome", "TemplateType": "EMAIL", "Subject": "Hi", "HtmlPart": "<p>Welcome</p>"}
    template_create(tenant=tenant, data=template_request_parse(body), by="bench")
    dims = {"EventType": {"DimensionType": "INCLUSIVE", "Values": [EVENT_TYPE]}}
    request = {
        "Name": "Welcome",
        "StartCondition": {"EventStartCondition": {"EventFilter": {"FilterType": "ENDPOINT", "Dimensions": dims}}},
        "StartActivity": "welcome",
        "Activities": {
            "welcome": {"EMAIL": {"TemplateName": "bench-welcome", "NextActivity": "pause"}},
            "pause": {"Wait": {"WaitTime": {"WaitFor": "P1D"}}},
        },
    }
    journey = journey_create(tenant=tenant, body=request, by="bench")
    return journey_publish(journey=journey, by="bench", delay_seconds=0)


def run(n: int) -> dict[str, Any]:
    from channels.models import Delivery

    endpoints = max(n, 5000)
    with bench_tenant("journey trigger") as tenant:
        try:
            _endpoints(tenant, endpoints)
            journey = _journey(tenant)
            rows = Delivery.objects.filter(tenant=tenant, dispatch__journey_id=str(journey.pk))
            result = drive(tenant, n, endpoints, rows)
        finally:
            journeys_cleanup(tenant)
            _cleanup(tenant)
    return {**result, "journey": "event entry → EMAIL → wait 1 day", "targets": {"p50_s": 1}}
