"""REST API: an endpoint's in-app messages, as Pinpoint's GetInAppMessages answers them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from channels.services.inapp_reads import inapp_messages_for_endpoint
from engage.api.base import TenantViewSet
from engage.tenancy.models import Capability
from segments.api.audience import EndpointSerializer
from segments.models import Endpoint


class InAppMessagesViewSet(TenantViewSet):
    """GET .../endpoints/{endpoint_id}/in-app-messages/ → InAppMessagesResponse {InAppMessageCampaigns: [...]}.

    The app's own (ingest) keys may call it, as may anyone who can read the tenant. `session_id` (optional) applies
    each message's SessionCap to that session."""

    queryset = Endpoint.objects.all()
    serializer_class = EndpointSerializer
    lookup_field = "endpoint_id"
    lookup_value_regex = "[^/]+"

    def required_capability(self, request: Request) -> str:
        return Capability.INGEST if self.access.can(Capability.INGEST) else Capability.VIEW

    @extend_schema(
        operation_id="v1_tenants_endpoints_in_app_messages",
        parameters=[OpenApiParameter("session_id", str, description="the app's current session id (Session.Id)")],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        session_id = (request.query_params.get("session_id") or "").strip()[:256] or None
        body = inapp_messages_for_endpoint(tenant=self.tenant, endpoint_id=endpoint.endpoint_id, session_id=session_id)
        return Response(body)
