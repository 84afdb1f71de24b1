"""Settings → Event streams in the console, and the operators' admin pages."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from engage import clock
from engage.accounts.models import User
from engage.events.models import EventStream
from engage.events.streams.export import stream_export
from engage.events.streams.services import stream_create
from engage.tenancy.models import Membership, Role, Tenant
from tests.events.conftest import WEBHOOK_SECRET, Receiver, put_events, webhook_stream
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def page(name: str, tenant: Tenant, *args: Any) -> str:
    return reverse(f"event_streams:{name}", args=[tenant.public_id, *args])


def test_the_list_shows_lag_last_error_and_last_success(
    owner_client: Client, tenant: Tenant, receiver: Receiver
) -> None:
    stream = webhook_stream(tenant, receiver.url, name="Warehouse hook")
    put_events(tenant, 3)
    clock.advance(seconds=180)
    receiver.fail_next = 1
    stream_export(tenant_id=tenant.pk, stream_id=stream.pk)

    body = owner_client.get(page("list", tenant)).content.decode()

    assert "Warehouse hook" in body and receiver.url in body
    assert "Failing" in body and "HTTP 503" in body
    assert "<strong>3</strong> events" in body and "oldest waiting 3 min" in body
    assert "never" in body  # no success yet
    assert 'hx-trigger="every 5s"' in body

    clock.advance(seconds=5)
    stream_export(tenant_id=tenant.pk, stream_id=stream.pk)
    body = owner_client.get(page("list", tenant)).content.decode()
    assert "Up to date" in body and "3 sent in all" in body


def test_the_settings_tabs_show_event_streams_to_managers_only(
    owner_client: Client, tenant: Tenant, member_factory: Callable[..., Membership]
) -> None:
    assert (
        page("list", tenant) in owner_client.get(reverse("tenancy:settings", args=[tenant.public_id])).content.decode()
    )
    marketer = Client()
    marketer.force_login(member_factory(tenant, Role.MARKETER).user)
    assert (
        page("list", tenant) not in marketer.get(reverse("tenancy:settings", args=[tenant.public_id])).content.decode()
    )
    assert marketer.get(page("list", tenant)).status_code == 403
    assert marketer.post(page("create", tenant), {"kind": "s3", "name": "x"}).status_code == 403


def test_it_creates_a_destination_of_each_kind_from_its_form(owner_client: Client, tenant: Tenant) -> None:
    chooser = owner_client.get(page("create", tenant)).content.decode()
    assert "?kind=s3" in chooser and "?kind=webhook" in chooser
    form = owner_client.get(page("create", tenant) + "?kind=webhook").content.decode()
    assert 'name="webhook_secret"' in form and "s3_url" not in form

    forms = {
        "s3": {"name": "Lake", "s3_url": "s3://acme-events/ev/", "region": "us-east-1"},
        "kinesis": {
            "name": "Stream",
            "stream_name": "engage-events",
            "region": "us-east-1",
            "access_key_id": "AKIAEXAMPLE123456",
            "secret_access_key": "very-secret-key",
        },
        "firehose": {"name": "Hose", "stream_name": "engage-events", "region": "us-east-1"},
        "webhook": {
            "name": "Hook",
            "url": "https://hooks.example.com/e",
            "webhook_secret": WEBHOOK_SECRET,
            "timeout_seconds": "5",
            "from_beginning": "on",
        },
    }
    for kind, data in forms.items():
        r = owner_client.post(page("create", tenant), {"kind": kind, **data})
        assert r.status_code == 302, r.content.decode()[:2000]

    streams = {s.kind: s for s in EventStream.objects.filter(tenant=tenant)}
    assert set(streams) == set(forms)
    assert (streams["s3"].bucket, streams["s3"].prefix) == ("acme-events", "ev/")
    assert streams["kinesis"].secret_access_key == "very-secret-key"
    assert (streams["webhook"].webhook_secret, streams["webhook"].cursor) == (WEBHOOK_SECRET, 0)


def test_it_shows_what_to_fix_on_the_field(owner_client: Client, tenant: Tenant) -> None:
    r = owner_client.post(
        page("create", tenant), {"kind": "s3", "name": "Lake", "s3_url": "s3://Bad_Bucket/x", "region": "us-east-1"}
    )

    assert r.status_code == 400
    assert r.context["form"].errors == {
        "s3_url": ["'Bad_Bucket' is not a valid bucket name (3–63 lowercase letters, digits, dots and hyphens)"]
    }
    assert not EventStream.objects.exists()
    unknown = owner_client.post(page("create", tenant), {"kind": "ftp", "name": "x"})
    assert unknown.status_code == 302 and not EventStream.objects.exists()


def test_editing_keeps_secrets_left_empty_and_never_shows_them(owner_client: Client, tenant: Tenant) -> None:
    stream = stream_create(
        tenant=tenant,
        by="tests",
        name="Stream",
        kind="kinesis",
        stream_name="a",
        region="us-east-1",
        access_key_id="AKIAEXAMPLE123456",
        secret_access_key="very-secret-key",
    )
    form = owner_client.get(page("edit", tenant, stream.pk)).content.decode()
    assert "very-secret-key" not in form and "AKIAEXAMPLE123456" not in form
    assert "an access key" in form

    r = owner_client.post(
        page("edit", tenant, stream.pk),
        {"name": "Stream 2", "stream_name": "b", "region": "eu-west-1", "access_key_id": "", "secret_access_key": ""},
    )

    assert r.status_code == 302
    stream.refresh_from_db()
    assert (stream.name, stream.stream_name, stream.region) == ("Stream 2", "b", "eu-west-1")
    assert stream.secret_access_key == "very-secret-key"
    owner_client.post(
        page("edit", tenant, stream.pk),
        {"name": "Stream 2", "stream_name": "b", "region": "eu-west-1", "default_credentials": "on"},
    )
    stream.refresh_from_db()
    assert not stream.uses_access_key


def test_enable_disable_test_and_delete(owner_client: Client, tenant: Tenant, receiver: Receiver) -> None:
    stream = webhook_stream(tenant, receiver.url)

    owner_client.post(page("toggle", tenant, stream.pk))
    assert EventStream.objects.get(pk=stream.pk).enabled is False
    owner_client.post(page("toggle", tenant, stream.pk))
    assert EventStream.objects.get(pk=stream.pk).enabled is True

    shown = owner_client.post(page("test", tenant, stream.pk), follow=True).content.decode()
    assert "Test record sent to Webhook: HTTP 200" in shown
    receiver.fail_next = 1
    shown = owner_client.post(page("test", tenant, stream.pk), follow=True).content.decode()
    assert "did not take the test record" in shown and "HTTP 503" in shown

    owner_client.post(page("delete", tenant, stream.pk))
    assert not EventStream.objects.filter(pk=stream.pk).exists()


def test_another_tenants_destination_is_not_found(
    owner_client: Client, tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    theirs = webhook_stream(other_tenant, receiver.url)
    for name in ("edit", "toggle", "test", "delete"):
        assert owner_client.post(page(name, tenant, theirs.pk)).status_code == 404
    assert owner_client.get(page("edit", tenant, theirs.pk)).status_code == 404
    assert owner_client.get(page("list", other_tenant)).status_code == 404
    assert EventStream.objects.get(pk=theirs.pk).enabled and receiver.requests == []


def test_operators_see_destinations_of_every_tenant_without_secrets(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    operator = User.objects.create_superuser(email="ops@engage.test", password=PASSWORD)
    admin = Client()
    admin.force_login(operator)
    mine = webhook_stream(tenant, receiver.url, name="Acme hook")
    stream_create(
        tenant=other_tenant,
        by="tests",
        name="Globex stream",
        kind="kinesis",
        stream_name="s",
        region="us-east-1",
        access_key_id="AKIAEXAMPLE123456",
        secret_access_key="very-secret-key",
    )

    listing = admin.get(reverse("admin:events_eventstream_changelist")).content.decode()
    filtered = admin.get(reverse("admin:events_eventstream_changelist") + f"?tenant__id__exact={tenant.pk}")
    change = admin.get(reverse("admin:events_eventstream_change", args=[mine.pk])).content.decode()
    other = EventStream.objects.get(name="Globex stream")
    other_change = admin.get(reverse("admin:events_eventstream_change", args=[other.pk])).content.decode()

    assert "Acme hook" in listing and "Globex stream" in listing
    assert "Globex stream" not in filtered.content.decode()
    for text in (change, other_change, listing):
        assert WEBHOOK_SECRET not in text and "very-secret-key" not in text and "AKIAEXAMPLE123456" not in text
    assert "access key (stored encrypted)" in other_change


def test_beat_runs_the_export_tick_every_five_seconds() -> None:
    # Transactional tests empty the tables the migration filled, so run its function again (it is idempotent).
    migration = importlib.import_module("engage.events.migrations.0003_event_streams_beat")
    install = migration.Migration.operations[0].code
    install(apps, None)
    install(apps, None)

    task = PeriodicTask.objects.get(task="events.streams_tick")
    assert task.enabled and (task.interval.every, task.interval.period) == (5, "seconds")
    assert task.expire_seconds == 30
