"""Exports to S3, Kinesis and Firehose, read back from moto (in this process)."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from engage import clock
from engage.events.models import Event, EventStream
from engage.events.services import events_record
from engage.events.streams.destinations import aws
from engage.events.streams.export import stream_export
from engage.events.streams.services import stream_create, stream_test
from engage.tenancy.models import Tenant
from tests.events.conftest import REGION, event_ids, put_events

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moto")]


def s3_objects(bucket: str, prefix: str = "") -> dict[str, list[dict[str, Any]]]:
    s3 = boto3.client("s3", region_name=REGION)
    out = {}
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        raw = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        out[item["Key"]] = [json.loads(line) for line in gzip.decompress(raw).splitlines()]
    return out


def kinesis_records(stream_name: str) -> list[dict[str, Any]]:
    kinesis = boto3.client("kinesis", region_name=REGION)
    out = []
    for shard in kinesis.list_shards(StreamName=stream_name)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream_name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            out += page["Records"]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return out


def test_it_writes_hourly_gzipped_ndjson_objects_to_s3(tenant: Tenant) -> None:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="acme-events")
    stream = stream_create(
        tenant=tenant, by="tests", name="Lake", kind="s3", s3_url="s3://acme-events/pinpoint", region=REGION
    )
    first = put_events(tenant, 3)
    clock.advance(seconds=3600)
    second = put_events(tenant, 2)

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    assert (result.exported, result.batches, result.error) == (5, 1, "")
    arrivals = {e.pk: e.arrival for e in Event.objects.filter(tenant=tenant)}
    expected_keys = {
        f"pinpoint/{arrivals[ids[0]]:%Y/%m/%d/%H}/{ids[0]}-{ids[-1]}.json.gz": ids for ids in (first, second)
    }
    objects = s3_objects("acme-events")
    assert set(objects) == set(expected_keys)
    for key, ids in expected_keys.items():
        assert [int(r["event_id"]) for r in objects[key]] == ids
        assert all(r["application"]["app_id"] == tenant.public_id for r in objects[key])
    stream.refresh_from_db()
    assert (stream.cursor, stream.exported_count, stream.failures) == (second[-1], 5, 0)
    assert stream.last_success_at is not None


def test_it_reports_a_missing_bucket_keeps_the_cursor_and_recovers(tenant: Tenant) -> None:
    stream = stream_create(
        tenant=tenant, by="tests", name="Lake", kind="s3", s3_url="s3://not-there-yet/p/", region=REGION
    )
    ids = put_events(tenant, 4)

    failed = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    start = stream.cursor
    stream.refresh_from_db()
    assert failed.exported == 0
    assert "NoSuchBucket" in failed.error and "create the bucket" in failed.error
    assert (stream.cursor, stream.failures, stream.last_error) == (start, 1, failed.error)
    assert stream.cursor < ids[0]
    assert stream.next_attempt_at == stream.last_error_at + timedelta(seconds=5)

    boto3.client("s3", region_name=REGION).create_bucket(Bucket="not-there-yet")
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 0  # still backing off
    clock.advance(seconds=5)
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 4

    stream.refresh_from_db()
    assert (stream.cursor, stream.failures, stream.next_attempt_at) == (ids[-1], 0, None)
    assert [int(r["event_id"]) for records in s3_objects("not-there-yet").values() for r in records] == ids


def test_the_s3_test_record_lands_where_tables_do_not_read(tenant: Tenant) -> None:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="acme-events")
    stream = stream_create(
        tenant=tenant, by="tests", name="Lake", kind="s3", s3_url="s3://acme-events/ev/", region=REGION
    )

    result = stream_test(stream=stream)

    assert result.ok, result.message
    (key,) = s3_objects("acme-events")
    assert key.startswith("ev/_engage-test/") and key.endswith(".json.gz")
    assert s3_objects("acme-events")[key][0]["event_type"] == "_engage.test"
    assert EventStream.objects.get(pk=stream.pk).cursor == stream.cursor


def test_it_puts_records_on_kinesis_keyed_by_endpoint_in_calls_of_at_most_500(tenant: Tenant) -> None:
    boto3.client("kinesis", region_name=REGION).create_stream(StreamName="engage-events", ShardCount=1)
    stream = stream_create(
        tenant=tenant, by="tests", name="Kinesis", kind="kinesis", stream_name="engage-events", region=REGION
    )
    now = clock.now()
    events_record(
        tenant=tenant,
        events=[
            Event(event_type="_email.send", endpoint_id=f"ep-{i % 7}", timestamp=now, arrival=now) for i in range(1201)
        ],
    )
    calls: list[int] = []
    aws.client_for(stream, "kinesis").meta.events.register(
        "provide-client-params.kinesis.PutRecords", lambda params, **kw: calls.append(len(params["Records"]))
    )

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    assert (result.exported, result.batches, result.error) == (1201, 3, "")
    assert calls == [500, 500, 201]
    records = kinesis_records("engage-events")
    bodies = [json.loads(r["Data"]) for r in records]
    assert [int(b["event_id"]) for b in bodies] == event_ids(tenant)
    assert [r["PartitionKey"] for r in records] == [b["client"]["client_id"] for b in bodies]
    assert {b["event_version"] for b in bodies} == {"3.1"}


def test_it_sends_newline_terminated_records_to_firehose(tenant: Tenant) -> None:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="firehose-out")
    boto3.client("firehose", region_name=REGION).create_delivery_stream(
        DeliveryStreamName="engage-events",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::firehose-out",
            "Prefix": "raw/",
        },
    )
    stream = stream_create(
        tenant=tenant, by="tests", name="Firehose", kind="firehose", stream_name="engage-events", region=REGION
    )
    ids = put_events(tenant, 7)

    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 7

    s3 = boto3.client("s3", region_name=REGION)
    (item,) = s3.list_objects_v2(Bucket="firehose-out")["Contents"]
    content = s3.get_object(Bucket="firehose-out", Key=item["Key"])["Body"].read()
    assert content.endswith(b"\n") and content.count(b"\n") == 7
    assert [int(json.loads(line)["event_id"]) for line in content.splitlines()] == ids


def test_it_names_the_missing_stream(tenant: Tenant) -> None:
    stream = stream_create(tenant=tenant, by="tests", name="Kinesis", kind="kinesis", stream_name="nope", region=REGION)
    put_events(tenant, 1)

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    assert "ResourceNotFoundException" in result.error and "create the stream" in result.error
    assert EventStream.objects.get(pk=stream.pk).cursor == stream.cursor
