"""/api/v1/tenants/<id>/event-streams/: CRUD, write-only secrets, field errors, lag, test, isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from engage import clock
from engage.crypto import decrypt
from engage.events.models import EventStream
from engage.events.streams.export import stream_export
from engage.tenancy.models import ApiKey, AuditLog, Membership, Role, Tenant
from tests.events.conftest import WEBHOOK_SECRET, Receiver, put_events, webhook_stream

pytestmark = pytest.mark.django_db

SECRETS = ("webhook_secret", "access_key_id", "secret_access_key")
S3 = {"name": "Lake", "kind": "s3", "s3_url": "s3://acme-events/pinpoint", "region": "eu-west-1"}


def url(tenant: Tenant, pk: int | None = None, suffix: str = "") -> str:
    base = f"/api/v1/tenants/{tenant.public_id}/event-streams/"
    return f"{base}{pk}/{suffix}" if pk is not None else base


def raw(pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM events_eventstream WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


class TestCreate:
    def test_it_creates_an_s3_destination_with_keys_it_never_returns(self, api: APIClient, tenant: Tenant) -> None:
        body = {**S3, "access_key_id": "AKIAEXAMPLE123456", "secret_access_key": "s3cr3t/KEY+value"}
        r = api.post(url(tenant), body, format="json")

        assert r.status_code == 201, r.content
        data = r.json()
        assert (data["bucket"], data["prefix"], data["s3_url"]) == (
            "acme-events",
            "pinpoint/",
            "s3://acme-events/pinpoint/",
        )
        assert data["credentials"] == "access_key"
        assert not set(SECRETS) & set(data)
        assert "s3cr3t" not in r.content.decode() and "AKIAEXAMPLE" not in r.content.decode()
        stream = EventStream.objects.get(pk=data["id"], tenant=tenant)
        assert decrypt(raw(stream.pk, "secret_access_key")) == "s3cr3t/KEY+value"
        assert "s3cr3t" not in raw(stream.pk, "secret_access_key")
        entry = AuditLog.objects.get(tenant=tenant, action="event_stream.create")
        assert "s3cr3t" not in str(entry.data) and "AKIAEXAMPLE" not in str(entry.data)

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "K", "kind": "kinesis", "stream_name": "engage-events", "region": "us-east-1"},
            {
                "name": "K",
                "kind": "kinesis",
                "region": "us-east-1",
                "stream_name": "arn:aws:kinesis:us-east-1:123456789012:stream/engage-events",
            },
            {
                "name": "F",
                "kind": "firehose",
                "stream_name": "engage-events",
                "region": "us-east-1",
                "endpoint_url": "http://127.0.0.1:5055",
            },
            {
                "name": "W",
                "kind": "webhook",
                "url": "https://hooks.example.com/engage",
                "webhook_secret": WEBHOOK_SECRET,
                "timeout_seconds": 3,
            },
        ],
    )
    def test_it_creates_every_kind(self, api: APIClient, tenant: Tenant, body: dict[str, Any]) -> None:
        r = api.post(url(tenant), body, format="json")
        assert r.status_code == 201, r.content
        assert r.json()["kind"] == body["kind"]
        assert r.json()["credentials"] == (None if body["kind"] == "webhook" else "default_chain")
        assert "webhook_secret" not in r.json()

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            ({**S3, "s3_url": "https://acme-events.s3.amazonaws.com/x"}, "s3_url", "s3://bucket/prefix"),
            ({**S3, "s3_url": "s3://Acme_Events/x"}, "s3_url", "not a valid bucket name"),
            ({**S3, "s3_url": "s3://ab"}, "s3_url", "not a valid bucket name"),
            ({**S3, "s3_url": "s3://192.168.1.1/x"}, "s3_url", "not a valid bucket name"),
            ({k: v for k, v in S3.items() if k != "s3_url"}, "s3_url", "S3 location"),
            ({**S3, "kind": "ftp"}, "kind", "not a valid choice"),
            ({"name": "K", "kind": "kinesis", "region": "us-east-1"}, "stream_name", "name is required"),
            (
                {"name": "K", "kind": "kinesis", "region": "us-east-1", "stream_name": "has spaces"},
                "stream_name",
                "not a valid Kinesis stream",
            ),
            ({"name": "F", "kind": "firehose", "region": "us-east-1", "stream_name": ""}, "stream_name", "required"),
            ({**S3, "region": ""}, "region", "region is required"),
            ({**S3, "region": "Europe"}, "region", "not an AWS region"),
            ({**S3, "access_key_id": "AKIAEXAMPLE123456"}, "secret_access_key", "both"),
            ({**S3, "endpoint_url": "ftp://x"}, "endpoint_url", "http"),
            ({"name": "W", "kind": "webhook", "webhook_secret": WEBHOOK_SECRET}, "url", "URL is required"),
            (
                {"name": "W", "kind": "webhook", "url": "file:///etc/passwd", "webhook_secret": WEBHOOK_SECRET},
                "url",
                "http",
            ),
            (
                {"name": "W", "kind": "webhook", "url": "https://x.test/h", "webhook_secret": "short"},
                "webhook_secret",
                "16",
            ),
            (
                {
                    "name": "W",
                    "kind": "webhook",
                    "url": "https://x.test/h",
                    "webhook_secret": WEBHOOK_SECRET,
                    "timeout_seconds": 99,
                },
                "timeout_seconds",
                "30",
            ),
            (
                {
                    "name": "W",
                    "kind": "webhook",
                    "url": "https://x.test/h",
                    "webhook_secret": WEBHOOK_SECRET,
                    "timeout_seconds": "soon",
                },
                "timeout_seconds",
                "integer",
            ),
            ({**S3, "name": ""}, "name", "blank"),
            ({**S3, "name": "x" * 101}, "name", "100"),
        ],
    )
    def test_it_refuses_bad_configuration_naming_the_field(
        self, api: APIClient, tenant: Tenant, body: dict[str, Any], field: str, words: str
    ) -> None:
        r = api.post(url(tenant), body, format="json")

        assert r.status_code == 400, r.content
        errors = r.json()["errors"]
        assert list(errors) == [field], errors
        assert words.lower() in " ".join(errors[field]).lower()
        assert not EventStream.objects.exists()

    def test_it_refuses_a_duplicate_name(self, api: APIClient, tenant: Tenant) -> None:
        assert api.post(url(tenant), S3, format="json").status_code == 201
        r = api.post(url(tenant), S3, format="json")
        assert r.status_code == 400 and "already exists" in r.json()["errors"]["name"][0]

    @pytest.mark.parametrize("body", [[], "text", {"name": {"x": 1}, "kind": []}, None])
    def test_garbage_is_a_400_not_a_500(self, api: APIClient, tenant: Tenant, body: Any) -> None:
        assert api.post(url(tenant), body, format="json").status_code == 400


class TestReadUpdateDelete:
    def test_it_lists_each_destination_with_its_lag(self, api: APIClient, tenant: Tenant, receiver: Receiver) -> None:
        stream = webhook_stream(tenant, receiver.url)
        put_events(tenant, 3)
        clock.advance(seconds=90)

        (data,) = api.get(url(tenant)).json()["results"]

        assert data["id"] == stream.pk
        assert data["lag"]["events"] == 3 and data["lag"]["capped"] is False
        assert 90 <= data["lag"]["oldest_age_seconds"] < 120
        assert data["last_success_at"] is None and data["last_error"] == ""

        receiver.fail_next = 1
        stream_export(tenant_id=tenant.pk, stream_id=stream.pk)
        failing = api.get(url(tenant, stream.pk)).json()
        assert "HTTP 503" in failing["last_error"] and failing["failures"] == 1 and failing["last_error_at"]
        clock.advance(seconds=5)
        stream_export(tenant_id=tenant.pk, stream_id=stream.pk)
        caught_up = api.get(url(tenant, stream.pk)).json()
        assert caught_up["lag"] == {"events": 0, "capped": False, "oldest_arrival": None, "oldest_age_seconds": None}
        assert caught_up["last_success_at"] and caught_up["exported_count"] == 3 and caught_up["failures"] == 0

    def test_a_patch_keeps_the_secrets_it_does_not_name(self, api: APIClient, tenant: Tenant) -> None:
        body = {**S3, "access_key_id": "AKIAEXAMPLE123456", "secret_access_key": "s3cr3t/KEY+value"}
        pk = api.post(url(tenant), body, format="json").json()["id"]

        r = api.patch(url(tenant, pk), {"s3_url": "s3://acme-events/v2/", "enabled": False}, format="json")

        assert r.status_code == 200, r.content
        stream = EventStream.objects.get(pk=pk)
        assert (stream.prefix, stream.enabled, stream.secret_access_key) == ("v2/", False, "s3cr3t/KEY+value")
        cleared = api.patch(url(tenant, pk), {"access_key_id": "", "secret_access_key": ""}, format="json")
        assert cleared.json()["credentials"] == "default_chain"
        assert AuditLog.objects.filter(tenant=tenant, action="event_stream.update").count() == 2

    def test_the_kind_cannot_change(self, api: APIClient, tenant: Tenant) -> None:
        pk = api.post(url(tenant), S3, format="json").json()["id"]
        r = api.patch(url(tenant, pk), {"kind": "kinesis"}, format="json")
        assert r.status_code == 400 and "kind" in r.json()["errors"]

    def test_a_bad_update_changes_nothing(self, api: APIClient, tenant: Tenant) -> None:
        pk = api.post(url(tenant), S3, format="json").json()["id"]
        r = api.patch(url(tenant, pk), {"s3_url": "s3://no/", "name": "Renamed"}, format="json")
        assert r.status_code == 400 and list(r.json()["errors"]) == ["s3_url"]
        assert EventStream.objects.get(pk=pk).name == "Lake"

    def test_delete_is_audited(self, api: APIClient, tenant: Tenant) -> None:
        pk = api.post(url(tenant), S3, format="json").json()["id"]
        assert api.delete(url(tenant, pk)).status_code == 204
        assert not EventStream.objects.filter(pk=pk).exists()
        assert AuditLog.objects.filter(tenant=tenant, action="event_stream.delete").exists()


class TestTestAction:
    def test_it_reports_the_destinations_answer(self, api: APIClient, tenant: Tenant, receiver: Receiver) -> None:
        stream = webhook_stream(tenant, receiver.url)

        ok = api.post(url(tenant, stream.pk, "test/"))
        receiver.fail_next = 1
        refused = api.post(url(tenant, stream.pk, "test/"))

        assert ok.status_code == refused.status_code == 200
        assert (ok.json()["ok"], ok.json()["message"]) == (True, "HTTP 200")
        assert ok.json()["record"]["event_type"] == "_engage.test"
        assert refused.json()["ok"] is False and "HTTP 503" in refused.json()["message"]


class TestAccess:
    def test_another_tenants_destination_is_not_found(
        self, api: APIClient, tenant: Tenant, other_tenant: Tenant, receiver: Receiver
    ) -> None:
        theirs = webhook_stream(other_tenant, receiver.url)
        for method, suffix in (("get", ""), ("patch", ""), ("put", ""), ("delete", ""), ("post", "test/")):
            r = getattr(api, method)(url(tenant, theirs.pk, suffix), {"name": "Mine now"}, format="json")
            assert r.status_code == 404, (method, r.content)
        assert api.get(url(other_tenant)).status_code == 404
        assert receiver.requests == []
        assert EventStream.objects.get(pk=theirs.pk).name == "Webhook"

    @pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.VIEWER])
    def test_only_managers_see_or_change_destinations(
        self,
        tenant: Tenant,
        member_factory: Callable[..., Membership],
        client_for: Callable[[Membership], APIClient],
        role: str,
    ) -> None:
        client = client_for(member_factory(tenant, role))
        assert client.get(url(tenant)).status_code == 403
        assert client.post(url(tenant), S3, format="json").status_code == 403
        assert not EventStream.objects.exists()

    def test_api_keys_need_the_admin_role(self, tenant: Tenant, key_client: Callable[..., Any]) -> None:
        marketer, _ = key_client(tenant, ApiKey.Role.MARKETER)
        admin, _ = key_client(tenant, ApiKey.Role.ADMIN)
        assert marketer.get(url(tenant)).status_code == 403
        assert admin.post(url(tenant), S3, format="json").status_code == 201
        assert admin.get(url(tenant)).status_code == 200
