"""REST API: direct sends (SendMessages / SendUsersMessages), the sandbox Outbox, and a template's test send."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from channels.outbox import outbox_entry, outbox_filtered, page_size
from channels.services.testsend import MAX_TEST_RECIPIENTS, template_send_test
from channels.services.transactional import messages_send, users_messages_send
from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.tenancy.models import Capability
from templates.models import MessageTemplate

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description="The same key with the same body returns the first answer and sends nothing; with another body, 409.",
)


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise Invalid("the body must be a JSON object", field="body")
    return dict(request.data)


class MessagesViewSet(TenantViewSet):
    """SendMessages: a MessageRequest (Addresses and/or Endpoints, MessageConfiguration, TemplateConfiguration)."""

    write_capability = Capability.EDIT

    @extend_schema(
        operation_id="v1_tenants_messages_send",
        parameters=[IDEMPOTENCY],
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send now, at most 100 recipients; the answer is Pinpoint's MessageResponse."""
        key = request.headers.get("Idempotency-Key", "")
        body = messages_send(tenant=self.tenant, request=_body(request), by=self.actor, idempotency_key=key)
        return Response(body)


class UsersMessagesViewSet(TenantViewSet):
    """SendUsersMessages: a SendUsersMessageRequest (Users, MessageConfiguration, TemplateConfiguration)."""

    write_capability = Capability.EDIT

    @extend_schema(
        operation_id="v1_tenants_users_messages_send",
        parameters=[IDEMPOTENCY],
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send now to every endpoint of each user; the answer is Pinpoint's SendUsersMessageResponse."""
        key = request.headers.get("Idempotency-Key", "")
        body = users_messages_send(tenant=self.tenant, request=_body(request), by=self.actor, idempotency_key=key)
        return Response(body)


class OutboxEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    address = serializers.CharField()
    endpoint_id = serializers.CharField()
    user_id = serializers.CharField()
    subject = serializers.CharField(help_text="email subject, rendered")
    title = serializers.CharField(help_text="push title, rendered")
    body = serializers.CharField(help_text="text body: email text part, SMS, voice script or push body")
    html = serializers.CharField(help_text="email HTML part")
    data = serializers.JSONField(  # type: ignore[assignment]  # named as the API names it
        allow_null=True, help_text="custom-channel payload (push: the data part)"
    )
    campaign_id = serializers.CharField()
    journey_id = serializers.CharField()
    run_id = serializers.CharField()
    treatment_id = serializers.CharField()
    activity_id = serializers.CharField()
    source = serializers.CharField(help_text="campaign, journey, transactional or test")  # type: ignore[assignment]
    sent_at = serializers.DateTimeField(allow_null=True)


class OutboxViewSet(TenantViewSet):
    """The sandbox Outbox: every message the sandbox channel delivered, newest first."""

    serializer_class = OutboxEntrySerializer

    @extend_schema(
        operation_id="v1_tenants_outbox_list",
        parameters=[
            OpenApiParameter("page_size", int, description="1–500 (default 50)"),
            OpenApiParameter("cursor", str),
            OpenApiParameter("channel", str),
            OpenApiParameter("source", str),
        ],
        responses=OutboxEntrySerializer(many=True),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = request.query_params
        page_size(params.get("page_size"))
        rows = outbox_filtered(tenant=self.tenant, channel=params.get("channel", ""), source=params.get("source", ""))
        page = self.paginate_queryset(rows)
        entries = [outbox_entry(row) for row in (page if page is not None else rows)]
        return self.get_paginated_response(OutboxEntrySerializer(entries, many=True).data)


class TemplateTestSendViewSet(TenantViewSet):
    """Send a template's version to ≤ 15 addresses or endpoint ids as a test message (not in any metric)."""

    queryset = MessageTemplate.objects.all()
    lookup_value_regex = "[0-9]{1,18}"

    @extend_schema(
        operation_id="v1_tenants_templates_test_send",
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """{"Addresses": [...], "EndpointIds": [...], "Version": "3", "ChannelType": "APNS"} → a MessageResponse."""
        template = self.get_object()
        body = _body(request)
        addresses = _strings(body, "Addresses")
        endpoint_ids = _strings(body, "EndpointIds")
        if not addresses and not endpoint_ids:
            raise Invalid("give Addresses or EndpointIds to send the test to", field="Addresses")
        if len(addresses) + len(endpoint_ids) > MAX_TEST_RECIPIENTS:
            raise Invalid(f"a test goes to at most {MAX_TEST_RECIPIENTS} recipients", field="Addresses")
        answer = template_send_test(
            template=template,
            by=self.actor,
            addresses=addresses,
            endpoint_ids=endpoint_ids,
            version=body.get("Version"),
            channel_type=str(body.get("ChannelType") or ""),
        )
        return Response(answer)


def _strings(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Invalid(f"{name} must be a list of non-empty strings", field=name)
    return list(dict.fromkeys(value))
