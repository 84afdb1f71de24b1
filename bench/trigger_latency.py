"""Event-triggered campaign latency: an EVENT campaign on a segment, 2 Celery worker processes (queues default +
sends), gunicorn serving the real PutEvents API. N matching events (one per request, one per endpoint, paced) are
sent while background client processes put ~1,000 non-matching events/s (100 per request) through the same server.
Latency per message = Delivery.sent_at − the triggering event's arrival (both stamped by Engage, on one machine)."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from bench._common import bench_tenant, machine, percentile
from bench.fanout import _workers
from bench.ingest_http import _free_port, _start_server
from bench.send_sandbox import _endpoints

DEFAULT_N = 200
MATCHING_PER_S = 10
LOAD_CLIENTS = 2
LOAD_REQUESTS_PER_S = 5  # per load client, 100 events each: ~1,000 events/s in all
EVENT_TYPE = "bench.trigger"


def _log(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def _post(conn: http.client.HTTPConnection, path: str, auth: str, body: bytes) -> int:
    conn.request("POST", path, body=body, headers={"Authorization": auth, "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def _events_body(items: list[tuple[str, str, str]]) -> bytes:
    """PutEvents body from (endpoint id, event id, event type)."""
    stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    batch: dict[str, Any] = {}
    for endpoint_id, event_id, kind in items:
        entry = batch.setdefault(endpoint_id, {"Endpoint": {}, "Events": {}})
        entry["Events"][event_id] = {"EventType": kind, "Timestamp": stamp, "Metrics": {"level": 1}}
    return json.dumps({"BatchItem": batch}).encode()


def _load(port: int, path: str, auth: str, endpoints: int, seed: int, stop: Any, out: list[Any]) -> None:
    """Background load: paced requests of 100 non-matching events until told to stop."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent, failures, i = 0, 0, 0
    started = time.perf_counter()
    while not stop.is_set():
        items = [(f"b{(seed * 7919 + i * 100 + k) % endpoints}", f"l{seed}-{i}-{k}", "song.play") for k in range(100)]
        try:
            ok = _post(conn, path, auth, _events_body(items)) == 202
        except (OSError, http.client.HTTPException):
            conn.close()
            ok = False
        sent, failures, i = sent + 100 * ok, failures + (not ok), i + 1
        time.sleep(max(0.0, started + i / LOAD_REQUESTS_PER_S - time.perf_counter()))
    out.append((sent, failures, time.perf_counter() - started))


def _campaign(tenant: Any) -> Any:
    from campaigns.services import campaign_create
    from segments.services.segments import segment_create

    dims = {"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["US"]}}}
    segment = segment_create(tenant=tenant, body={"Name": "Everyone", "Dimensions": dims}, by="bench")
    message = {"EmailMessage": {"Title": "Hi {{User.UserId}}", "HtmlBody": "<p>You did it.</p>"}}
    event_filter = {
        "FilterType": "ENDPOINT",
        "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": [EVENT_TYPE]}},
    }
    schedule = {"StartTime": "IMMEDIATE", "Frequency": "EVENT", "EventFilter": event_filter}
    body = {"Name": "Triggered", "SegmentId": segment.public_id, "MessageConfiguration": message, "Schedule": schedule}
    return campaign_create(tenant=tenant, by="bench", body=body)


def _settle(rows: Any, n: int, timeout: float) -> None:
    """Wait until `rows` (a Delivery queryset) holds n rows and none is pending."""
    from channels.models.ledger import PENDING_STATUSES

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if rows.count() >= n and not rows.filter(status__in=PENDING_STATUSES).exists():
            return
        time.sleep(0.25)


def _latencies(tenant: Any, rows: Any) -> tuple[list[float], dict[str, int]]:
    """Seconds from each matching event's arrival to its message's sent_at (`rows`: the Delivery queryset of the
    triggered messages); the ledger's statuses."""
    from engage.events.models import Event

    arrival = dict(Event.objects.filter(tenant=tenant, event_type=EVENT_TYPE).values_list("endpoint_id", "arrival"))
    statuses: dict[str, int] = {}
    latencies = []
    for endpoint_id, status, sent_at in rows.values_list("endpoint_id", "status", "sent_at"):
        statuses[status] = statuses.get(status, 0) + 1
        if sent_at is not None and endpoint_id in arrival:
            latencies.append((sent_at - arrival[endpoint_id]).total_seconds())
    return latencies, statuses


def _send_matching(port: int, path: str, auth: str, n: int) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    failures = 0
    started = time.perf_counter()
    for i in range(n):
        failures += _post(conn, path, auth, _events_body([(f"b{i}", f"m{i}", EVENT_TYPE)])) != 202
        time.sleep(max(0.0, started + (i + 1) / MATCHING_PER_S - time.perf_counter()))
    return failures, time.perf_counter() - started


def _cleanup(tenant: Any) -> None:
    """What bench_tenant's plain DELETEs do not know about."""
    from campaigns.models import Campaign
    from channels.models import Delivery
    from segments.models import SegmentVersion

    Delivery.objects.filter(tenant=tenant).delete()
    Campaign.objects.filter(tenant=tenant).delete()
    SegmentVersion.objects.filter(segment__tenant=tenant).delete()


def run(n: int) -> dict[str, Any]:
    endpoints = max(n, 5000)
    with bench_tenant("trigger") as tenant:
        try:
            return _measure(tenant, n, endpoints)
        finally:
            _cleanup(tenant)


def _measure(tenant: Any, n: int, endpoints: int) -> dict[str, Any]:
    from campaigns.services import campaign_launch
    from channels.models import Delivery

    _endpoints(tenant, endpoints)
    campaign = _campaign(tenant)
    campaign_launch(campaign=campaign, by="bench")
    return drive(tenant, n, endpoints, Delivery.objects.filter(tenant=tenant, dispatch__campaign_id=str(campaign.pk)))


def drive(tenant: Any, n: int, endpoints: int, rows: Any) -> dict[str, Any]:
    """Serve PutEvents with gunicorn and 2 Celery workers (default + sends), put the background load and the n
    paced matching events, wait for `rows` (the triggered messages' Delivery queryset) to settle; the figures."""
    from engage.tenancy.models import ApiKey
    from engage.tenancy.services import apikey_create

    port = _free_port()
    key, secret = apikey_create(tenant=tenant, name="bench", role=ApiKey.Role.INGEST, by="bench")
    path, auth = f"/api/v1/tenants/{tenant.public_id}/events/", f"Bearer {key.key_id}:{secret}"
    server = _start_server(port)
    procs = _workers()
    _log("gunicorn and 2 workers up")
    stop, loads = threading.Event(), list[tuple[int, int, float]]()
    loaders = [
        threading.Thread(target=_load, args=(port, path, auth, endpoints, c, stop, loads), daemon=True)
        for c in range(LOAD_CLIENTS)
    ]
    try:
        for p in loaders:
            p.start()
        time.sleep(3)  # the background load reaches its pace first
        failures, matching_seconds = _send_matching(port, path, auth, n)
        _log(f"{n} matching events sent in {matching_seconds:.1f} s")
        _settle(rows, n, timeout=120)
        _log("ledger settled")
    finally:
        stop.set()
        for p in loaders:
            p.join(timeout=30)
        for w in procs:
            w.terminate()
        for w in procs:
            w.wait(timeout=60)
        server.terminate()
        server.wait(timeout=30)
    latencies, statuses = _latencies(tenant, rows)
    background = sum(s for s, _, _ in loads) / max((t for _, _, t in loads), default=1.0)
    return {
        "per_s": round(len(latencies) / matching_seconds, 1),
        "p50_s": round(percentile(latencies, 50), 3),
        "p95_s": round(percentile(latencies, 95), 3),
        "p99_s": round(percentile(latencies, 99), 3),
        "max_s": round(max(latencies, default=0.0), 3),
        "sent": len(latencies),
        "ledger": statuses,
        "failed_matching_requests": failures,
        "background_events_per_s": round(background),
        "failed_background_requests": sum(f for _, f, _ in loads),
        "server": "gunicorn",
        "workers": 2,
        "targets": {"p50_s": 1, "p99_s": 5},
        **machine(),
    }
