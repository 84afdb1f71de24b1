"""The signed webhook, against a real local HTTP server: signature, timestamps, failures and recovery."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from engage import clock
from engage.events.models import EventStream
from engage.events.streams.export import BATCH_SIZE, stream_export
from engage.events.streams.services import stream_create, stream_test
from engage.tenancy.models import Tenant
from tests.events.conftest import WEBHOOK_SECRET, Receiver, put_events, webhook_stream

pytestmark = pytest.mark.django_db


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What docs/event-streams.md tells receivers to do."""
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_it_posts_signed_json_arrays_of_records(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)
    ids = put_events(tenant, 3)

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    assert (result.exported, result.error) == (3, "")
    (request,) = receiver.requests
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert verify(WEBHOOK_SECRET, headers["X-Engage-Timestamp"], request.body, headers["X-Engage-Signature"])
    assert not verify(
        "another-secret-0123456789", headers["X-Engage-Timestamp"], request.body, headers["X-Engage-Signature"]
    )
    assert not verify(WEBHOOK_SECRET, headers["X-Engage-Timestamp"], request.body + b" ", headers["X-Engage-Signature"])
    assert abs(int(headers["X-Engage-Timestamp"]) - clock.now().timestamp()) <= 5
    assert headers["X-Engage-Stream"] == str(stream.pk)
    assert headers["X-Engage-Batch"] == f"{ids[0]}-{ids[-1]}"
    records = json.loads(request.body)
    assert isinstance(records, list)
    assert [int(r["event_id"]) for r in records] == ids
    assert {r["event_type"] for r in records} == {"song.play"}


def test_the_timestamp_follows_the_shared_clock(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)
    clock.advance(seconds=7200)
    put_events(tenant, 1)

    stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    (request,) = receiver.requests
    assert abs(int(request.headers["X-Engage-Timestamp"]) - clock.now().timestamp()) <= 5


def test_a_failing_receiver_gets_every_event_in_order_once_it_recovers(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)
    start = stream.cursor
    receiver.fail_next = 2
    ids = put_events(tenant, 5)

    first = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)
    stream.refresh_from_db()
    assert first.exported == 0
    assert "HTTP 503" in first.error and "receiver is down" in first.error
    assert (stream.cursor, stream.failures, stream.last_error) == (start, 1, first.error)

    ids += put_events(tenant, 5)
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 0  # backing off: nothing sent
    assert len(receiver.requests) == 1
    clock.advance(seconds=5)
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).error  # second failure
    stream.refresh_from_db()
    assert (stream.cursor, stream.failures) == (start, 2)
    assert (stream.next_attempt_at - stream.last_error_at).total_seconds() == 10

    ids += put_events(tenant, 5)
    clock.advance(seconds=10)
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 15

    assert receiver.accepted_ids() == ids
    stream.refresh_from_db()
    assert (stream.cursor, stream.failures, stream.next_attempt_at) == (ids[-1], 0, None)
    assert stream.last_error  # kept, so the console can show what happened


def test_the_cursor_never_passes_a_batch_the_receiver_refused_part_of(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)
    start = stream.cursor
    ids = put_events(tenant, BATCH_SIZE + 50)
    # The batch goes out as requests of 100 records: the first is accepted, the second refused.
    receiver.refuse = {2}

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    stream.refresh_from_db()
    assert result.error and result.exported == 0
    assert stream.cursor == start
    assert receiver.accepted_ids() == ids[:100]

    clock.advance(seconds=5)
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == BATCH_SIZE + 50
    delivered = receiver.accepted_ids()
    # At least once: the first 100 came twice; dropping duplicates by event_id leaves all, in order, none missing.
    assert delivered[:100] == delivered[100:200] == ids[:100]
    assert list(dict.fromkeys(delivered)) == ids


def test_it_reports_a_receiver_that_does_not_answer_in_time(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url, timeout_seconds=1)
    receiver.delay = 1.5
    put_events(tenant, 1)

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    assert "did not answer within 1 s" in result.error
    assert EventStream.objects.get(pk=stream.pk).cursor == stream.cursor


def test_it_does_not_follow_redirects(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)
    receiver.redirect_to = "http://127.0.0.1:9/elsewhere"
    put_events(tenant, 1)

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    assert "HTTP 302" in result.error and "redirects are not followed" in result.error
    assert len(receiver.requests) == 1


def test_it_reports_an_unreachable_receiver(tenant: Tenant) -> None:
    stream = webhook_stream(tenant, "http://127.0.0.1:9/hook")
    put_events(tenant, 1)

    assert "could not reach 127.0.0.1:9" in stream_export(tenant_id=tenant.pk, stream_id=stream.pk).error


def test_the_test_record_reports_the_receivers_answer(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)

    ok = stream_test(stream=stream)
    receiver.fail_next = 1
    refused = stream_test(stream=stream)

    assert (ok.ok, ok.message) == (True, "HTTP 200")
    assert refused.ok is False and "HTTP 503" in refused.message
    sent = receiver.requests[0]
    assert verify(WEBHOOK_SECRET, sent.headers["X-Engage-Timestamp"], sent.body, sent.headers["X-Engage-Signature"])
    assert sent.records[0]["event_type"] == "_engage.test"
    assert EventStream.objects.get(pk=stream.pk).cursor == stream.cursor


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}/hook", "http://localhost:{port}/hook", "http://169.254.169.254/latest/meta-data/"]
)
def test_private_addresses_are_refused_unless_the_operator_allows_them(
    tenant: Tenant, receiver: Receiver, settings: Any, url: str
) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = False
    stream = webhook_stream(tenant, url.format(port=receiver.url.split(":")[2].split("/")[0]))
    put_events(tenant, 1)

    result = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    assert "a private or reserved address" in result.error and "EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS" in result.error
    assert receiver.requests == []
    assert "private or reserved" in stream_test(stream=stream).message


def test_an_aws_endpoint_url_in_a_private_network_is_refused_too(tenant: Tenant, settings: Any) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = False
    stream = stream_create(
        tenant=tenant,
        by="tests",
        name="Lake",
        kind="s3",
        s3_url="s3://lake/",
        region="us-east-1",
        endpoint_url="http://10.0.0.5:9000",
    )
    put_events(tenant, 1)

    assert (
        "10.0.0.5 is 10.0.0.5, a private or reserved address"
        in stream_export(tenant_id=tenant.pk, stream_id=stream.pk).error
    )
