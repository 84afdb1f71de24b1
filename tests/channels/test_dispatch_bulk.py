"""deliveries_enqueue_bulk numbers its chunk from a sequence: two open transactions enqueueing to the same dispatch
(two journey advancers at the same send activity) neither wait for each other nor share a chunk number, and the
dispatch counts both chunks once they commit."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from channels.models import Delivery, Dispatch, Source
from channels.services.dispatch import Recipient, deliveries_enqueue_bulk, dispatch_create
from engage.tenancy.models import Tenant
from tests.channels.support import email_message


@pytest.mark.django_db(transaction=True)
def test_two_open_transactions_enqueue_to_one_dispatch_without_waiting(tenant: Tenant) -> None:
    dispatch = dispatch_create(tenant=tenant, channel="EMAIL", source=Source.JOURNEY, message=email_message())
    enqueued, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                deliveries_enqueue_bulk(
                    dispatch=dispatch, recipients=[Recipient(key="a", endpoint_id="e1")], send=False
                )
                enqueued.set()
                assert release.wait(10)  # still uncommitted while the other transaction enqueues
        except BaseException as exc:
            failures.append(exc)
            enqueued.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert enqueued.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # the old Dispatch row lock would fail here
            inserted = deliveries_enqueue_bulk(
                dispatch=dispatch, recipients=[Recipient(key="b", endpoint_id="e2")], send=False
            )
    finally:
        release.set()
        thread.join(20)
    assert not failures and inserted == {"b"}
    chunks = dict(Delivery.objects.filter(dispatch=dispatch).values_list("key", "chunk"))
    assert set(chunks) == {"a", "b"} and chunks["a"] != chunks["b"]
    assert Dispatch.objects.get(pk=dispatch.pk).chunks == 2
