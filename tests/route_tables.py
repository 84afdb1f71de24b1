"""What the generic route walker (tests/test_routes.py) needs to know about the routes: which unscoped routes are
meant to be unscoped, which model each console view's object argument names, how to make one object of each
model in a tenant, and request bodies that would change something if a request got through.

A new tenant route usually needs one line here (VIEW_MODELS or FACTORIES); the walker fails until it has it."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.apps import apps
from django.db import models

from engage.tenancy.audit import audit
from engage.tenancy.models import ApiKey, Role, Tenant
from engage.tenancy.services import apikey_create
from tests.factories import CampaignFactory, MembershipFactory

TENANT_KWARG = "tenant_id"
ALL_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Unscoped routes that are meant to be unscoped: exact routes, then prefixes.
PUBLIC_ROUTES = {"", "healthz", "readyz", "api/schema/", "api/docs/", "api/v1/tenants/"}
# /hooks/: provider callbacks (AlimTalk results, SNS feedback...), each authenticated by a secret-token URL of its
# own; /t/o|c|u/: open pixel, click redirect and unsubscribe links, authenticated by their signed token.
PUBLIC_PREFIXES = ("accounts/", "admin/", "hooks/", "t/o/", "t/c/", "t/u/")
# The Pinpoint-compatible facade answers strangers with 403 by its own protocol; it has its own test.
EXCLUDED_PREFIXES = ("pinpoint/",)

# Console (plain Django) views name no model: say which model their object kwarg names, and by which
# field (the primary key unless given).
VIEW_MODELS: dict[str, str | tuple[str, str]] = {
    "tenancy:member": "tenancy.Membership",
    "tenancy:api_key_revoke": "tenancy.ApiKey",
    "campaigns:delete": "campaigns.Campaign",
    "campaigns:detail": "campaigns.Campaign",
    "campaigns:live": "campaigns.Campaign",
    "campaigns:export": "campaigns.Campaign",
    **{f"campaigns:setup_{step}": "campaigns.Campaign" for step in ("details", "segment", "message", "treatments")},
    **{f"campaigns:setup_{step}": "campaigns.Campaign" for step in ("schedule", "review")},
    "campaigns:eligible": "campaigns.Campaign",
    "campaigns:preview": "campaigns.Campaign",
    "campaigns:test_send": "campaigns.Campaign",
    **{f"campaigns:{action}": "campaigns.Campaign" for action in ("launch", "pause", "resume", "stop", "duplicate")},
    "event_streams:edit": "events.EventStream",
    "event_streams:toggle": "events.EventStream",
    "event_streams:test": "events.EventStream",
    "event_streams:delete": "events.EventStream",
    "segments:endpoint": ("segments.Endpoint", "endpoint_id"),
    "segments:endpoint_edit": ("segments.Endpoint", "endpoint_id"),
    "segments:endpoint_delete": ("segments.Endpoint", "endpoint_id"),
    "segments:user": ("segments.Endpoint", "user_id"),
    "segments:user_erase": ("segments.Endpoint", "user_id"),
    "segments:import": "segments.ImportJob",
    "segments:import_errors": "segments.ImportJob",
    "segments:export_download": "segments.ExportJob",
    "segments:detail": ("segments.Segment", "public_id"),
    "segments:edit": ("segments.Segment", "public_id"),
    "segments:estimate": ("segments.Segment", "public_id"),
    "segments:explain": ("segments.Segment", "public_id"),
    "segments:copy": ("segments.Segment", "public_id"),
    "segments:delete": ("segments.Segment", "public_id"),
    "templates:edit": "templates.MessageTemplate",
    "templates:preview": "templates.MessageTemplate",
    "templates:delete": "templates.MessageTemplate",
    "templates:versions": "templates.MessageTemplate",
    "templates:activate": "templates.MessageTemplate",
    "templates:restore": "templates.MessageTemplate",
    "channels:edit": "channels.ChannelConfig",
    "channels:check": "channels.ChannelConfig",
    "channels:delete": "channels.ChannelConfig",
    "channels:identities": "channels.ChannelConfig",
    "channels:identity_refresh": "channels.EmailIdentity",
    "channels:identity_delete": "channels.EmailIdentity",
    "channels:suppression_remove": "segments.SuppressedAddress",
    "channels:dispatch": "channels.Dispatch",
    "channels:template_test_send": "templates.MessageTemplate",
    "channels:pause": "channels.ChannelConfig",
    "channels:resume": "channels.ChannelConfig",
    "journeys:metrics": "campaigns.Journey",
    "journeys:metrics_csv": "campaigns.Journey",
    "journeys:participants": "campaigns.Journey",
    **{
        f"journeys:{name}": "campaigns.Journey"
        for name in (
            "builder",
            "save",
            "review",
            "reviewed",
            "counts",
            "publish",
            "pause",
            "resume",
            "stop",
            "duplicate",
        )
    },
    "journeys:test": "campaigns.Journey",
    "journeys:delete": "campaigns.Journey",
}

# A second id in a nested route (an object under the one the route names), by URL kwarg: model and field.
NESTED_KWARGS: dict[str, tuple[str, str]] = {"identity_id": ("channels.EmailIdentity", "pk")}
# A journey's activity id (a key of its definition, not a row): any text does; the journey decides the 404.
NESTED_KWARGS["activity_id"] = ("campaigns.Journey", "state")

# Methods that create-or-update by a client-chosen id (Pinpoint's UpdateEndpoint): inside tenant A, the id
# of B's object simply names a new object of A, so they answer 2xx instead of 404 (B stays untouched).
UPSERTS: dict[str, set[str]] = {
    "api:endpoint-detail": {"PUT", "PATCH"},
    # A channel's consent policy always exists (the default until set): PUT/PATCH set A's own.
    "api:consent-policy-detail": {"PUT", "PATCH"},
}


def _make_membership(tenant: Tenant) -> models.Model:
    return cast(models.Model, MembershipFactory(tenant=tenant, role=Role.MARKETER))


def _make_campaign(tenant: Tenant) -> models.Model:
    return cast(models.Model, CampaignFactory(tenant=tenant))


def _make_api_key(tenant: Tenant) -> models.Model:
    return apikey_create(tenant=tenant, name="target", role=ApiKey.Role.MARKETER, by="tests")[0]


def _make_audit_entry(tenant: Tenant) -> models.Model:
    return audit(tenant=tenant, actor="tests", action="test.seed")


def _make_endpoint(tenant: Tenant) -> models.Model:
    from segments.services.endpoints import endpoint_upsert

    # Client-chosen ids differ per tenant, so B's id never happens to name an object of A.
    suffix = tenant.public_id[:8]
    body = {"ChannelType": "EMAIL", "Address": f"{suffix}@example.test", "User": {"UserId": f"user-{suffix}"}}
    return endpoint_upsert(tenant=tenant, endpoint_id=f"ep-{suffix}", data=body)


def _make_event_stream(tenant: Tenant) -> models.Model:
    from engage.events.streams.services import stream_create

    # A webhook to a closed local port: should a test ever get through, nothing leaves the machine.
    return stream_create(
        tenant=tenant,
        by="tests",
        name="route walk",
        kind="webhook",
        url="http://127.0.0.1:9/route-walk",
        webhook_secret="route-walk-signing-secret-0123456789",
        timeout_seconds=1,
    )


def _make_segment(tenant: Tenant) -> models.Model:
    from segments.services.segments import segment_create

    return segment_create(tenant=tenant, body={"Name": "route walk"}, by="tests")


def _make_import_job(tenant: Tenant) -> models.Model:
    model = apps.get_model("segments", "ImportJob")
    return cast(models.Model, model.objects.create(tenant=tenant, format="CSV", source="route-walk.csv"))


def _make_export_job(tenant: Tenant) -> models.Model:
    model = apps.get_model("segments", "ExportJob")
    return cast(models.Model, model.objects.create(tenant=tenant))


def _make_channel_config(tenant: Tenant) -> models.Model:
    from channels.services.configs import config_create

    # Disabled, and its AWS endpoint is a closed local port: should a test ever get through, nothing leaves.
    settings = {"from_address": "walk@example.test", "endpoint_url": "http://127.0.0.1:9"}
    return config_create(
        tenant=tenant, by="tests", name="route walk", channel="EMAIL", provider="ses", enabled=False, settings=settings
    )


def _make_email_identity(tenant: Tenant) -> models.Model:
    from channels.models import ChannelConfig, EmailIdentity
    from engage import clock

    config = ChannelConfig.objects.filter(tenant=tenant, name="route walk").first() or _make_channel_config(tenant)
    return EmailIdentity.objects.create(
        tenant=tenant, config=config, identity="example.test", kind="DOMAIN", created_at=clock.now()
    )


def _make_suppression(tenant: Tenant) -> models.Model:
    from segments.services.suppression import suppression_add

    return suppression_add(tenant=tenant, address=f"walk-{tenant.public_id[:8]}@example.test", by="tests")[0]


def _make_consent_policy(tenant: Tenant) -> models.Model:
    from segments.services.policies import consent_policy_update

    return consent_policy_update(tenant=tenant, channel="SMS", require_opt_in=True, by="tests")


def _make_dispatch(tenant: Tenant) -> models.Model:
    from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create

    # Planned, never sent (no task is enqueued): one ledger row for the deliveries list to show.
    dispatch = dispatch_create(tenant=tenant, channel="SMS", source="test", message={}, use_default_config=False)
    deliveries_enqueue(dispatch=dispatch, recipients=[Recipient(key="walk", address="+15550000000")], send=False)
    return dispatch


def _make_journey(tenant: Tenant) -> models.Model:
    from campaigns.models import Journey

    return Journey.objects.create(tenant=tenant, name="route walk")


def _make_template(tenant: Tenant) -> models.Model:
    from templates.codec import template_request_parse
    from templates.services.templates import template_create

    body = {"TemplateName": "route-walk", "TemplateType": "SMS", "Body": "Hi {{User.UserId}}"}
    return template_create(tenant=tenant, data=template_request_parse(body), by="tests")


# One object of each model that a tenant route can name, created inside the given tenant (by model label).
FACTORIES: dict[str, Callable[[Tenant], models.Model]] = {
    "campaigns.Campaign": _make_campaign,
    "campaigns.Journey": _make_journey,
    "tenancy.Membership": _make_membership,
    "tenancy.ApiKey": _make_api_key,
    "tenancy.AuditLog": _make_audit_entry,
    "segments.Endpoint": _make_endpoint,
    "events.EventStream": _make_event_stream,
    "segments.Segment": _make_segment,
    "segments.ImportJob": _make_import_job,
    "segments.ExportJob": _make_export_job,
    "templates.MessageTemplate": _make_template,
    "channels.ChannelConfig": _make_channel_config,
    "channels.EmailIdentity": _make_email_identity,
    "channels.Dispatch": _make_dispatch,
    "segments.SuppressedAddress": _make_suppression,
    "segments.ConsentPolicy": _make_consent_policy,
}

# Bodies that would change something if a request got through: valid for every form and serializer.
FORM_BODY = {
    "name": "Hijacked",
    "description": "hijacked",
    "email": "intruder@example.test",
    "role": Role.ANALYST,
    "timezone": "UTC",
    "remove": "1",
}
JSON_BODY = {k: v for k, v in FORM_BODY.items() if k != "remove"} | {
    "ChannelType": "EMAIL",
    "Address": "intruder@example.test",
}
