"""End to end with the real Celery worker: ticks queue exports, the worker sends to a moto server over HTTP."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from rest_framework.test import APIClient

from engage import clock
from engage.events.models import Event, EventStream
from engage.events.services import events_record
from engage.events.tasks import streams_tick
from engage.tenancy.models import Tenant
from tests.events.conftest import REGION

KEYS = {"access_key_id": "testing", "secret_access_key": "testing"}


@pytest.fixture
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def s3_lines(endpoint: str, bucket: str, prefix: str, *, gzipped: bool) -> list[dict[str, Any]]:
    s3 = client("s3", endpoint)
    lines: list[dict[str, Any]] = []
    for item in sorted(s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []), key=lambda i: i["Key"]):
        raw = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        lines += [json.loads(line) for line in (gzip.decompress(raw) if gzipped else raw).splitlines()]
    return lines


def kinesis_bodies(endpoint: str, name: str) -> list[dict[str, Any]]:
    kinesis = client("kinesis", endpoint)
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return [json.loads(r["Data"]) for r in kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_exports_every_event_to_s3_kinesis_and_firehose(
    celery_worker: Any, moto_server: str, api: APIClient, tenant: Tenant
) -> None:
    client("s3", moto_server).create_bucket(Bucket="lake")
    client("s3", moto_server).create_bucket(Bucket="hose-out")
    client("kinesis", moto_server).create_stream(StreamName="events", ShardCount=1)
    client("firehose", moto_server).create_delivery_stream(
        DeliveryStreamName="events",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::hose-out",
            "Prefix": "raw/",
        },
    )
    aws = {"region": REGION, "endpoint_url": moto_server, **KEYS}
    base = f"/api/v1/tenants/{tenant.public_id}/"
    for body in (
        {"name": "Lake", "kind": "s3", "s3_url": "s3://lake/pinpoint/", **aws},
        {"name": "Stream", "kind": "kinesis", "stream_name": "events", **aws},
        {"name": "Hose", "kind": "firehose", "stream_name": "events", **aws},
    ):
        assert api.post(base + "event-streams/", body, format="json").status_code == 201
    for request in range(2):
        events = {f"e{i}": {"EventType": "level.up", "Timestamp": "2026-11-20T10:00:00Z"} for i in range(100)}
        batch = {
            "BatchItem": {
                f"ep-{request}": {"Endpoint": {"ChannelType": "EMAIL", "Address": "p@x.test"}, "Events": events}
            }
        }
        assert api.post(base + "events/", batch, format="json").status_code == 202
    now = clock.now()
    events_record(
        tenant=tenant,
        events=[Event(event_type="_email.send", endpoint_id="ep-0", timestamp=now, arrival=now, campaign_id="c-1")],
    )
    expected = list(Event.objects.filter(tenant=tenant).order_by("id").values_list("id", flat=True))
    assert len(expected) == 201

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        streams_tick.delay()  # what beat does every 5 s
        if all(s.cursor == expected[-1] for s in EventStream.objects.filter(tenant=tenant)):
            break
        time.sleep(1)
    streams = {s.kind: s for s in EventStream.objects.filter(tenant=tenant)}
    assert {k: (s.cursor, s.last_error) for k, s in streams.items()} == dict.fromkeys(
        ("s3", "kinesis", "firehose"), (expected[-1], "")
    )

    lake = s3_lines(moto_server, "lake", "pinpoint/", gzipped=True)
    stream = kinesis_bodies(moto_server, "events")
    hose = s3_lines(moto_server, "hose-out", "raw/", gzipped=False)
    for records in (lake, stream, hose):
        assert sorted(int(r["event_id"]) for r in records) == expected
        assert records[-1]["event_type"] == "_email.send" and records[-1]["event_version"] == "3.1"
    assert [int(r["event_id"]) for r in stream] == expected  # one shard: in order
    lag = api.get(base + "event-streams/").json()["results"]
    assert {item["lag"]["events"] for item in lag} == {0}
