"""PutEvents through the HTTP API on the production server (gunicorn), 100 events per request.

Starts gunicorn on a free loopback port, creates a tenant and an ingest key, then client processes send
pre-built EventsRequest bodies over keep-alive connections for the whole run. Reports sustained events/s,
request latency percentiles, and the ratio against a raw PostgreSQL COPY of the same event rows (the floor).
"""

from __future__ import annotations

import http.client
import io
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection

from bench._common import bench_tenant, machine, percentile

DEFAULT_N = 200_000
EVENTS_PER_REQUEST = 100
CLIENTS = 8
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _body(seed: int) -> bytes:
    batch: dict[str, Any] = {}
    for d in range(10):  # 10 endpoints x 10 events
        endpoint_id = f"bench-{seed % 5000}-{d}"
        events = {
            f"e{i}": {
                "EventType": "song.play" if i % 2 else "_session.start",
                "Timestamp": "2026-11-23T10:00:00.000Z",
                "Attributes": {"genre": "jazz", "artist": f"artist-{i}"},
                "Metrics": {"duration": 180 + i},
                "Session": {"Id": f"s-{seed}-{d}", "StartTimestamp": "2026-11-23T09:59:00.000Z"},
            }
            for i in range(EVENTS_PER_REQUEST // 10)
        }
        batch[endpoint_id] = {
            "Endpoint": {
                "ChannelType": "GCM",
                "Address": f"token-{endpoint_id}",
                "Demographic": {"Platform": "android"},
            },
            "Events": events,
        }
    return json.dumps({"BatchItem": batch}).encode()


def _client(port: int, path: str, auth: str, requests: int, seed: int, out: Any) -> None:
    bodies = [_body(seed * 1000 + i) for i in range(20)]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, failures = [], 0
    for i in range(requests):
        started = time.perf_counter()
        conn.request(
            "POST",
            path,
            body=bodies[i % len(bodies)],
            headers={"Authorization": auth, "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 202:
            failures += 1
    out.put((latencies, failures))


def _start_server(port: int) -> subprocess.Popen[bytes]:
    workers = str(max(2, (os.cpu_count() or 2) * 2))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "engage.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            workers,
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _copy_floor(n: int) -> float:
    """Rows/s of a raw COPY of n event rows shaped like ours into a temp copy of the events table."""
    arrival = datetime.now(UTC).isoformat()
    line = "\t".join(
        [
            "song.play",
            "bench-1-1",
            "u",
            "e1",
            arrival,
            arrival,
            '{"genre": "jazz", "artist": "a"}',
            '{"duration": 180}',
            '{"Id": "s", "StartTimestamp": "2026-11-23T09:59:00Z"}',
            "{}",
            "",
            "",
            "1",
        ]
    )
    data = ("\n".join([line] * n) + "\n").encode()
    columns = (
        "event_type, endpoint_id, user_id, client_event_id, timestamp, arrival, attributes, metrics, "
        "session, client, campaign_id, journey_id, tenant_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_events (LIKE events_event INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
        started = time.perf_counter()
        with cursor.copy(f"COPY bench_events ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            stream = io.BytesIO(data)
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_events")
    return n / elapsed


def run(n: int) -> dict[str, Any]:
    from engage.tenancy.models import ApiKey
    from engage.tenancy.services import apikey_create

    requests_total = max(CLIENTS, n // EVENTS_PER_REQUEST)
    per_client = requests_total // CLIENTS
    port = _free_port()
    with bench_tenant("ingest") as tenant:
        key, secret = apikey_create(tenant=tenant, name="bench", role=ApiKey.Role.INGEST, by="bench")
        server = _start_server(port)
        try:
            path = f"/api/v1/tenants/{tenant.public_id}/events/"
            auth = f"Bearer {key.key_id}:{secret}"
            _client(port, path, auth, 5, 999, _Sink())  # warm up every worker's connections and caches
            queue: Any = multiprocessing.Queue()
            procs = [
                multiprocessing.Process(target=_client, args=(port, path, auth, per_client, c, queue))
                for c in range(CLIENTS)
            ]
            started = time.perf_counter()
            for p in procs:
                p.start()
            results = [queue.get() for _ in procs]
            elapsed = time.perf_counter() - started
            for p in procs:
                p.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
        latencies = [x for lat, _ in results for x in lat]
        failures = sum(f for _, f in results)
        events = per_client * CLIENTS * EVENTS_PER_REQUEST
        from engage.events.models import Event

        stored = Event.objects.filter(tenant=tenant).count()
        floor = _copy_floor(events)
    per_s = events / elapsed
    return {
        "per_s": round(per_s),
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "failed_requests": failures,
        "events_stored": stored,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "copy_floor_per_s": round(floor),
        "ratio_to_copy": round(per_s / floor, 3),
        "clients": CLIENTS,
        "run_id": uuid.uuid4().hex[:8],
        **machine(),
    }


class _Sink:
    def put(self, item: Any) -> None:
        pass
