"""/api/v1/tenants/<id>/campaigns/: CRUD, lifecycle actions, runs, metrics, KPIs and activities."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.api.representation import campaign_json, run_json
from campaigns.kpis import KPI_DEFAULT_DAYS, campaign_kpi, kpi_check, run_activities
from campaigns.models import Campaign, CampaignRun
from campaigns.selectors import campaign_metrics, campaign_runs, campaigns_list
from campaigns.services import (
    campaign_create,
    campaign_delete,
    campaign_duplicate,
    campaign_launch,
    campaign_pause,
    campaign_resume,
    campaign_stop,
    campaign_update,
)
from campaigns.services.testsend import campaign_send_test
from engage import clock
from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.tenancy.models import Capability
from segments.segment_json import iso


class CampaignSerializer(serializers.Serializer):
    """Output only: requests are WriteCampaignRequest bodies, parsed and checked by the services."""

    def to_representation(self, instance: Campaign) -> dict[str, Any]:
        return campaign_json(instance)


def _when(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("must be an ISO 8601 date and time", field=name) from None
    if parsed.tzinfo is None:
        raise Invalid("give a time zone offset, e.g. 2026-05-01T00:00:00Z", field=name)
    return parsed


class CampaignViewSet(TenantViewSet):
    queryset = Campaign.objects.select_related("tenant", "segment")
    serializer_class = CampaignSerializer
    action_capabilities = {
        "runs": Capability.VIEW,
        "metrics": Capability.VIEW,
        "kpis": Capability.VIEW,
        "activities": Capability.VIEW,
    }

    def handle_exception(self, exc: Exception) -> Response:
        # The request parser names the field apart from the text ("must be text" on `Limits.Daily`): the answer's
        # detail says both, so it reads on its own.
        if isinstance(exc, Invalid) and exc.field and not exc.message.startswith(exc.field):
            exc = Invalid(f"{exc.field}: {exc.message}", field=exc.field)
        return super().handle_exception(exc)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        params = self.request.query_params
        return campaigns_list(
            tenant=self.tenant, status=params.get("status"), search=params.get("search")
        ).select_related("tenant", "segment")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([campaign_json(c) for c in page or []])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(campaign_json(self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = campaign_create(tenant=self.tenant, by=self.actor, body=_body(request))
        return Response(campaign_json(campaign), status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = campaign_update(campaign=self.get_object(), by=self.actor, body=_body(request))
        return Response(campaign_json(campaign))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign_delete(campaign=self.get_object(), by=self.actor, ip=self.ip)
        return Response(status=204)

    @action(detail=True, methods=["post"])
    def launch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(campaign_json(campaign_launch(campaign=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(campaign_json(campaign_pause(campaign=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(campaign_json(campaign_resume(campaign=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def stop(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(campaign_json(campaign_stop(campaign=self.get_object(), by=self.actor, ip=self.ip)))

    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        name = _body(request).get("name") or _body(request).get("Name")
        copy = campaign_duplicate(
            campaign=self.get_object(), by=self.actor, name=name if isinstance(name, str) else None
        )
        return Response(campaign_json(copy), status=201)

    @action(detail=True, methods=["post"], url_path="test-send")
    def test_send(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = _body(request)
        answer = campaign_send_test(
            campaign=self.get_object(),
            by=self.actor,
            addresses=body.get("Addresses") or [],
            segment_id=str(body.get("SegmentId") or ""),
            ip=self.ip,
        )
        return Response(answer)

    @action(detail=True, methods=["get"])
    def runs(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(campaign_runs(campaign=self.get_object()))
        return self.get_paginated_response([run_json(r) for r in page or []])

    @action(detail=True, methods=["get"])
    def metrics(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        run = None
        if request.query_params.get("run"):
            run_id = request.query_params["run"]
            if not run_id.isdigit():
                raise Invalid("must be a run id", field="run")
            run = get_object_or_404(CampaignRun, pk=int(run_id), campaign=campaign)
        start, end = _when(request, "start"), _when(request, "end")
        return Response(campaign_metrics(campaign=campaign, run=run, start=start, end=end))

    @action(detail=True, methods=["get"])
    def kpis(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GetCampaignDateRangeKpi's answer for `?kpi=` over messages queued in [start, end) (default: 7 days)."""
        campaign = self.get_object()
        name = request.query_params.get("kpi") or ""
        kpi_check(name, field="kpi")
        end = _when(request, "end") or clock.now()
        start = _when(request, "start") or end - timedelta(days=KPI_DEFAULT_DAYS)
        if start >= end:
            raise Invalid("must be before end", field="start")
        rows = campaign_kpi(campaign=campaign, name=name, start=start, end=end)
        return Response(
            {
                "ApplicationId": self.tenant.public_id,
                "CampaignId": str(campaign.pk),
                "KpiName": name,
                "StartTime": iso(start),
                "EndTime": iso(end),
                "KpiResult": {"Rows": rows},
            }
        )

    @action(detail=True, methods=["get"])
    def activities(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GetCampaignActivities' items: one per run and treatment, latest run first (paged by runs)."""
        campaign = self.get_object()
        page = self.paginate_queryset(campaign_runs(campaign=campaign)) or []
        items = [activity for run in page for activity in run_activities(campaign=campaign, run=run)]
        return self.get_paginated_response(items)


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise Invalid("send a JSON object", field="body")
    return dict(data)
