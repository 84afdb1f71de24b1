"""Segment evaluation over N endpoints on PostgreSQL.

Seeds N endpoints with SQL (generate_series), then for a freshly made 3-criteria dynamic segment
(attribute INCLUSIVE + metric GREATER_THAN + channel) measures the exact estimate (one query, no cache) and
streaming every member id; prints the query plan (EXPLAIN ANALYZE) of the estimate.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from bench._common import bench_tenant, machine

DEFAULT_N = 1_000_000

SEED = """
INSERT INTO segments_endpoint (tenant_id, endpoint_id, channel_type, address, endpoint_status, opt_out, attributes,
    metrics, user_id, user_attributes, app_version, locale, make, model, model_version, platform, platform_version,
    timezone, city, country, latitude, longitude, postal_code, region, cohort_id, effective_date, creation_date,
    request_id, last_active_at)
SELECT %(tenant)s, 'ep-' || g, (ARRAY['EMAIL','SMS','GCM','APNS'])[1 + g %% 4],
    CASE g %% 4 WHEN 0 THEN 'user' || g || '@example.com' WHEN 1 THEN '+1555' || lpad(g::text, 7, '0')
         ELSE 'token-' || g END,
    CASE WHEN g %% 50 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END, CASE WHEN g %% 40 = 0 THEN 'ALL' ELSE 'NONE' END,
    jsonb_build_object('Interests', jsonb_build_array((ARRAY['golf','tennis','chess','music','travel'])[1 + g %% 5],
                                                      (ARRAY['books','film','food'])[1 + g %% 3]),
                       'Tier', jsonb_build_array((ARRAY['free','pro','gold'])[1 + g %% 3])),
    jsonb_build_object('spend', (g %% 1000)::float, 'visits', g %% 37),
    'user-' || (g / 2), jsonb_build_object('Plan', jsonb_build_array('p' || (g %% 7))),
    '', 'en_US', '', '', '', (ARRAY['ios','android','web'])[1 + g %% 3], '', 'Asia/Seoul', '',
    (ARRAY['KR','US','JP','DE'])[1 + g %% 4], NULL, NULL, '', '', (g %% 100)::text, now(), now(), '',
    now() - (g %% 60) * interval '1 day'
FROM generate_series(1, %(n)s) g
"""


def run(n: int) -> dict[str, Any]:
    from segments.compiler.query import segment_estimate, segment_member_ids
    from segments.definition import parse_definition

    with bench_tenant("segments") as tenant:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(SEED, {"tenant": tenant.pk, "n": n})
            cursor.execute("ANALYZE segments_endpoint")
        seed_seconds = time.perf_counter() - started
        # A definition made now (a random value keeps any cache from helping): attribute + metric + channel.
        marker = uuid.uuid4().hex[:6]
        body = {
            "Dimensions": {
                "Attributes": {"Interests": {"AttributeType": "INCLUSIVE", "Values": ["golf", f"none-{marker}"]}},
                "Metrics": {"spend": {"ComparisonOperator": "GREATER_THAN", "Value": 500}},
                "Demographic": {"Channel": {"DimensionType": "INCLUSIVE", "Values": ["EMAIL", "GCM"]}},
            }
        }
        definition = parse_definition(body)
        now = datetime.now(UTC)
        timings = []
        for _ in range(3):
            t0 = time.perf_counter()
            estimate = segment_estimate(tenant=tenant, definition=definition, now=now)
            timings.append(time.perf_counter() - t0)
        # Streaming is measured on a broad segment (every eligible EMAIL/SMS/GCM/APNS endpoint) so the figure
        # is about moving ids, not about how few match.
        broad = parse_definition(
            {"Dimensions": {"Demographic": {"Channel": {"Values": ["EMAIL", "SMS", "GCM", "APNS"]}}}}
        )
        t0 = time.perf_counter()
        streamed = sum(len(chunk) for chunk in segment_member_ids(tenant=tenant, definition=broad, now=now))
        stream_seconds = time.perf_counter() - t0
        plan = _plan(tenant, definition, now)
    best = min(timings)
    return {
        "per_s": round(streamed / stream_seconds),
        "ids_streamed": streamed,
        "stream_seconds": round(stream_seconds, 3),
        "estimate_ms": round(best * 1000, 1),
        "estimate_ms_runs": [round(t * 1000, 1) for t in timings],
        "total": estimate.total,
        "eligible": estimate.eligible,
        "seed_seconds": round(seed_seconds, 1),
        "plan": plan,
        **machine(),
    }


def _plan(tenant: Any, definition: Any, now: datetime) -> list[str]:
    from segments.compiler.query import segment_compile
    from segments.compiler.tree import render

    compiled = segment_compile(tenant=tenant, definition=definition, now=now)
    criteria_sql, criteria_params = render(compiled.criteria)
    eligible_sql, eligible_params = render(compiled.eligible)
    query = (
        f'SELECT COUNT(*), COUNT(*) FILTER (WHERE {eligible_sql}) FROM "segments_endpoint" '
        f'WHERE "segments_endpoint".tenant_id = %s AND {criteria_sql}'
    )
    with connection.cursor() as cursor:
        params: list[Any] = [*eligible_params, tenant.pk, *criteria_params]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
        return [row[0] for row in cursor.fetchall()]
