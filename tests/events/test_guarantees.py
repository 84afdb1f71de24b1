"""Delivery guarantees: one exporter per destination, no event skipped, each tenant's events to its own."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from engage import clock
from engage.events.models import Event, EventStream
from engage.events.services import events_record
from engage.events.streams.export import ExportResult, StreamLock, stream_export, streams_dispatch
from engage.events.streams.services import stream_update
from engage.tenancy.models import Tenant
from tests.events.conftest import Receiver, event_ids, put_events, webhook_stream


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_exports_of_one_destination_do_not_send_twice(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)
    ids = put_events(tenant, 250)
    receiver.delay = 0.3  # both calls overlap while the first request is in flight
    results: list[ExportResult] = []
    gate = threading.Barrier(2)

    def export() -> None:
        try:
            gate.wait()
            results.append(stream_export(tenant_id=tenant.pk, stream_id=stream.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.locked for r in results) == [False, True]
    assert sum(r.exported for r in results) == 250
    assert receiver.accepted_ids() == ids  # each event once, in order
    assert EventStream.objects.get(pk=stream.pk).cursor == ids[-1]


@pytest.mark.django_db
def test_the_lock_expires_and_only_its_holder_releases_it(tenant: Tenant) -> None:
    first, second = StreamLock(4242), StreamLock(4242)
    assert first.acquire() and not second.acquire()
    second.release()  # not the holder: nothing happens
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_late_is_not_skipped(tenant: Tenant, receiver: Receiver) -> None:
    """Ids are taken at insert, not at commit: a cursor must not pass an id whose transaction is still open."""
    stream = webhook_stream(tenant, receiver.url)
    inserted, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                now = clock.now()
                events_record(tenant=tenant, events=[Event(event_type="late", timestamp=now, arrival=now)])
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert inserted.wait(10)
    put_events(tenant, 2)  # committed now, with ids above the open transaction's

    early = stream_export(tenant_id=tenant.pk, stream_id=stream.pk)
    assert early.exported == 0 and receiver.requests == []

    release.set()
    writer.join()
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 3

    ids = event_ids(tenant)
    assert receiver.accepted_ids() == ids
    assert [r["event_type"] for r in receiver.accepted_records()] == ["late", "song.play", "song.play"]


@pytest.mark.django_db
def test_a_destination_receives_only_its_tenants_events(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    mine = webhook_stream(tenant, receiver.url, from_beginning=True)
    theirs = webhook_stream(other_tenant, receiver.url + "/other", from_beginning=True)
    own = put_events(tenant, 3)
    foreign = put_events(other_tenant, 4)

    assert stream_export(tenant_id=tenant.pk, stream_id=mine.pk).exported == 3
    assert {r["application"]["app_id"] for r in receiver.accepted_records()} == {tenant.public_id}
    assert receiver.accepted_ids() == own
    # A destination id paired with another tenant's id exports nothing.
    assert stream_export(tenant_id=tenant.pk, stream_id=theirs.pk).exported == 0
    assert stream_export(tenant_id=other_tenant.pk, stream_id=theirs.pk).exported == 4
    assert receiver.accepted_ids() == own + foreign


@pytest.mark.django_db
def test_a_new_destination_starts_after_the_newest_event_unless_asked_for_all(
    tenant: Tenant, receiver: Receiver
) -> None:
    old = put_events(tenant, 3)
    from_now = webhook_stream(tenant, receiver.url, name="From now")
    everything = webhook_stream(tenant, receiver.url + "/all", name="Everything", from_beginning=True)
    new = put_events(tenant, 2)

    assert (from_now.cursor, everything.cursor) == (old[-1], 0)
    assert stream_export(tenant_id=tenant.pk, stream_id=from_now.pk).exported == 2
    assert stream_export(tenant_id=tenant.pk, stream_id=everything.pk).exported == 5
    assert receiver.accepted_ids() == new + old + new


@pytest.mark.django_db
def test_a_disabled_destination_waits_and_then_resumes_where_it_stopped(tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)
    first = put_events(tenant, 2)
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 2
    stream = stream_update(stream=stream, by="tests", enabled=False)
    held = put_events(tenant, 3)

    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 0
    stream_update(stream=stream, by="tests", enabled=True)
    assert stream_export(tenant_id=tenant.pk, stream_id=stream.pk).exported == 3
    assert receiver.accepted_ids() == first + held


@pytest.mark.django_db
def test_the_tick_queues_each_due_destination_once(tenant: Tenant, other_tenant: Tenant, receiver: Receiver) -> None:
    due = webhook_stream(tenant, receiver.url, name="Due")
    waiting = webhook_stream(tenant, receiver.url, name="Backing off")
    disabled = webhook_stream(other_tenant, receiver.url, name="Off")
    EventStream.objects.filter(pk=waiting.pk).update(next_attempt_at=datetime(2999, 1, 1, tzinfo=UTC))
    stream_update(stream=disabled, by="tests", enabled=False)
    queued: list[tuple[int, int]] = []

    streams_dispatch(now=clock.now(), enqueue=lambda t, s: queued.append((t, s)))
    streams_dispatch(now=clock.now(), enqueue=lambda t, s: queued.append((t, s)))  # already queued: not again

    assert queued == [(tenant.pk, due.pk)]
    stream_export(tenant_id=tenant.pk, stream_id=due.pk)  # the export takes the mark off
    streams_dispatch(now=clock.now(), enqueue=lambda t, s: queued.append((t, s)))
    assert queued == [(tenant.pk, due.pk)] * 2
