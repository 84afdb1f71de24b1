"""REST API for message templates, in Pinpoint's JSON: CRUD (a Get*Template response POSTed back creates the
template), versions, activate, restore, render previews and the SMS encoding helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.tenancy.models import Capability
from segments.codec import endpoint_to_pinpoint
from segments.selectors import endpoint_for_tenant
from templates.codec import (
    template_request_parse,
    template_summary_to_pinpoint,
    template_to_pinpoint,
    version_to_pinpoint,
)
from templates.content import TemplateInvalid
from templates.models import NAME_MAX, Channel, MessageTemplate
from templates.selectors import SORTS, template_version_get, templates_search
from templates.services.rendering import RenderedMessage, RenderFailed, RenderingSkipped, content_render
from templates.services.sms import sms_encoding_measure
from templates.services.templates import (
    template_create,
    template_delete,
    template_update,
    template_version_activate,
    template_version_restore,
)

MAX_PAGE = 1_000
SMS_HELPER_LIMIT = 10_000


class TemplateSerializer(serializers.Serializer):
    def to_representation(self, instance: MessageTemplate) -> dict[str, Any]:
        return template_to_pinpoint(instance, instance.latest_version, application_id=self.context["tenant"].public_id)


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise Invalid("the body must be a JSON object (a template request)", field="body")
    return dict(request.data)


def _flag(value: str | None, default: bool) -> bool:
    if value in (None, ""):
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise Invalid("must be true or false", field="create-new-version")


def _whole(value: str | None, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        raise Invalid(f"{name} must be a whole number", field=name) from None
    if number < low or (high is not None and number > high):
        raise Invalid(f"{name} must be between {low} and {high}", field=name)
    return number


def invalid_json(exc: TemplateInvalid) -> dict[str, Any]:
    positions = {f: {"line": p.line, "column": p.column} for f, p in exc.positions.items()}
    return {"detail": f"{exc.field}: {exc.message}", "code": "invalid", "errors": exc.errors, "positions": positions}


def render_failed_json(exc: RenderFailed) -> dict[str, Any]:
    return {
        "detail": exc.message,
        "code": exc.code,
        "errors": {exc.path: [exc.detail]},
        "position": {"field": exc.path, "line": exc.line, "column": exc.column},
    }


def rendered_json(rendered: RenderedMessage | None, skipped: RenderingSkipped | None = None) -> dict[str, Any]:
    if skipped is not None:
        return {"Skipped": True, "MissingVariables": skipped.variables, "Message": None}
    assert rendered is not None
    out: dict[str, Any] = {"Skipped": False, "MissingVariables": list(rendered.missing), "Message": rendered.parts}
    if rendered.sms is not None:
        out["Sms"] = rendered.sms.as_json()
    return out


class TemplateViewSet(TenantViewSet, mixins.RetrieveModelMixin):
    """Message templates. Bodies are Pinpoint's EmailTemplateRequest, SMSTemplateRequest,
    PushNotificationTemplateRequest, VoiceTemplateRequest or InAppTemplateRequest (plus TemplateName,
    TemplateType, MissingVariablePolicy, and ALIMTALK / CUSTOM content)."""

    queryset = MessageTemplate.objects.select_related("active_version", "latest_version")
    serializer_class = TemplateSerializer
    lookup_value_regex = "[0-9]{1,18}"
    action_capabilities = {
        "render": Capability.VIEW,
        "render_draft": Capability.VIEW,
        "encoding": Capability.VIEW,
    }

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, TemplateInvalid):
            return Response(invalid_json(exc), status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, RenderFailed):
            return Response(render_failed_json(exc), status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, RecursionError):  # JSON nested thousands deep, refused by the parser
            return Response({"detail": "the JSON body nests too deeply", "code": "parse_error"}, status=400)
        return super().handle_exception(exc)

    def _json(self, template: MessageTemplate, version: Any) -> dict[str, Any]:
        return template_to_pinpoint(template, version, application_id=self.tenant.public_id)

    @extend_schema(
        operation_id="v1_tenants_templates_list",
        parameters=[
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("q", str, description="name prefix"),
            OpenApiParameter("sort", str, enum=list(SORTS)),
            OpenApiParameter("page-size", int),
            OpenApiParameter("next-token", str),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """ListTemplates: {"Item": [TemplateResponse], "NextToken"}. Filters mirror Pinpoint's prefix/template-type."""
        params = request.query_params
        channel = params.get("channel") or params.get("template-type") or ""
        if channel and channel not in Channel.values:
            raise Invalid(f"channel must be one of {', '.join(Channel.values)}", field="channel")
        sort = params.get("sort") or "-updated"
        if sort not in SORTS:
            raise Invalid(f"sort must be one of {', '.join(SORTS)}", field="sort")
        size = _whole(params.get("page-size"), "page-size", 50, low=1, high=MAX_PAGE)
        offset = _whole(params.get("next-token"), "next-token", 0)
        q = (params.get("q") or params.get("prefix") or "").replace("\x00", "")[:NAME_MAX]
        rows = list(templates_search(tenant=self.tenant, channel=channel, q=q, sort=sort)[offset : offset + size + 1])
        items = [template_summary_to_pinpoint(t, application_id=self.tenant.public_id) for t in rows[:size]]
        return Response({"Item": items, "NextToken": str(offset + size) if len(rows) > size else None})

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        template = template_create(tenant=self.tenant, data=template_request_parse(_body(request)), by=self.actor)
        return Response(self._json(template, template.latest_version), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("version", str)], responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The active version (as Pinpoint's Get*Template), or ?version=N | latest."""
        template = self.get_object()
        version = template_version_get(template=template, number=request.query_params.get("version"))
        return Response(self._json(template, version))

    @extend_schema(
        parameters=[OpenApiParameter("create-new-version", bool), OpenApiParameter("version", int)],
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save a new version; ?create-new-version=false overwrites the latest (whose number ?version= must be)."""
        template = self.get_object()
        body = _body(request)
        if kwargs.get("partial") and template.latest_version is not None:
            body = {**self._json(template, template.latest_version), **body}
        data = template_request_parse(body, channel=template.channel, name=template.name)
        new = _flag(request.query_params.get("create-new-version"), True)
        expected = request.query_params.get("version")
        version = template_update(
            template=template,
            data=data,
            by=self.actor,
            create_new_version=new,
            expected_latest=_whole(expected, "version", 0, low=1) if expected else None,
        )
        template.refresh_from_db()
        return Response(self._json(template, version))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Like update, with the members left out taken from the latest version."""
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the template and all its versions (Pinpoint's Delete*Template without a version)."""
        template = self.get_object()
        if request.query_params.get("version"):
            raise Invalid(
                "single versions cannot be deleted; leave out version to delete the whole template", field="version"
            )
        data = self._json(template, template.latest_version)
        template_delete(template=template, by=self.actor, ip=self.ip)
        return Response(data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """ListTemplateVersions: {"Item": [TemplateVersionResponse]}, newest first."""
        template = self.get_object()
        return Response({"Item": [version_to_pinpoint(template, v) for v in template.versions.all()]})

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post", "put"])
    def activate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """UpdateTemplateActiveVersion: {"Version": "3"}."""
        template = template_version_activate(
            template=self.get_object(), number=_body(request).get("Version"), by=self.actor
        )
        return Response(self._json(template, template.active_version))

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save version {"Version": n} again as a new (latest) version."""
        template = self.get_object()
        version = template_version_restore(template=template, number=_body(request).get("Version"), by=self.actor)
        template.refresh_from_db()
        return Response(self._json(template, version), status=status.HTTP_201_CREATED)

    def _preview(self, body: dict[str, Any], render: Callable[[dict[str, Any], str, str], RenderedMessage]) -> Response:
        endpoint_id, sample = body.get("EndpointId"), body.get("Context")
        if endpoint_id not in (None, ""):
            endpoint = endpoint_for_tenant(tenant=self.tenant, endpoint_id=str(endpoint_id))
            if endpoint is None:
                raise Invalid(f"endpoint {endpoint_id} does not exist in this tenant", field="EndpointId")
            sample = endpoint_to_pinpoint(endpoint, application_id=self.tenant.public_id)
        elif sample in (None, ""):
            sample = {}
        if not isinstance(sample, dict):
            raise Invalid("Context must be a JSON object shaped like an endpoint", field="Context")
        for key in ("CampaignId", "JourneyId"):
            if not isinstance(body.get(key, ""), str):
                raise Invalid(f"{key} must be text", field=key)
        try:
            return Response(rendered_json(render(sample, body.get("CampaignId", ""), body.get("JourneyId", ""))))
        except RenderingSkipped as skipped:
            return Response(rendered_json(None, skipped))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def render(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Render a saved version: {"Version"?, "EndpointId"? | "Context"?, "CampaignId"?, "JourneyId"?}."""
        template = self.get_object()
        body = _body(request)
        version = template_version_get(template=template, number=body.get("Version"))

        def render(sample: dict[str, Any], campaign_id: str, journey_id: str) -> RenderedMessage:
            return content_render(
                channel=template.channel,
                content=version.content,
                default_substitutions=version.default_substitutions,
                policy=template.missing_variable_policy,
                endpoint_json=sample,
                application_id=self.tenant.public_id,
                campaign_id=campaign_id,
                journey_id=journey_id,
            )

        return self._preview(body, render)

    @extend_schema(
        operation_id="v1_tenants_templates_render_draft", request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
    )
    @action(detail=False, methods=["post"], url_path="render")
    def render_draft(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Render an unsaved template: a create body plus "EndpointId" or "Context". Nothing is stored."""
        body = _body(request)
        body.setdefault("TemplateName", "draft")
        data = template_request_parse(body)

        def render(sample: dict[str, Any], campaign_id: str, journey_id: str) -> RenderedMessage:
            return content_render(
                channel=data.channel,
                content=data.content,
                default_substitutions=data.default_substitutions,
                policy=data.policy or "DEFAULT",
                endpoint_json=sample,
                application_id=self.tenant.public_id,
                campaign_id=campaign_id,
                journey_id=journey_id,
            )

        return self._preview(body, render)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def encoding(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """How an SMS body travels: {"Body"} → {"Encoding": "GSM-7" | "UCS-2", "Parts", "Characters", "Units"}."""
        body = _body(request).get("Body", "")
        if not isinstance(body, str):
            raise Invalid("Body must be text", field="Body")
        if len(body) > SMS_HELPER_LIMIT:
            raise Invalid(f"Body is longer than {SMS_HELPER_LIMIT:,} characters", field="Body")
        return Response(sms_encoding_measure(body=body).as_json())
