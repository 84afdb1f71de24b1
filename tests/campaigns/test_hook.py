"""The campaign hook in FILTER mode through the real planner and a real local HTTP server: signed batches of ≤ 50
endpoints, endpoints left out are skipped, returned attributes and overrides reach the message; a hook that keeps
failing skips its batch with a reason after 3 attempts; Lambda, DELIVERY mode and bad URLs are refused."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRun
from campaigns.services import campaign_create, campaign_launch
from campaigns.services.plan import run_plan
from channels.models import ChannelConfig, Delivery, Status
from channels.services.send import deliveries_send
from engage import clock
from engage.tenancy.models import Tenant
from templates.models import Channel
from tests.campaigns.support import endpoints, push_body, segment_all, url
from tests.channels.webhook_server import verify

pytestmark = pytest.mark.django_db
SECRET = "hook-secret"


@dataclass
class Receiver:
    """A hook: drops `drop`, adds Attributes.deal and a TitleOverride to the rest; or answers `status`."""

    url: str = ""
    status: int = 200
    drop: set[str] = field(default_factory=set)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    signed: list[bool] = field(default_factory=list)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in body["Endpoints"].items() if k not in self.drop}
        return {k: {**v, "Attributes": {"deal": f"deal-{k}"}, "TitleOverride": f"Hi {k}"} for k, v in kept.items()}


@contextmanager
def receiver(**options: Any) -> Iterator[Receiver]:
    hook = Receiver(**options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.loads(raw)
            hook.bodies.append(body)
            hook.signed.append(verify(SECRET, dict(self.headers.items()), raw, now=clock.now().timestamp()))
            reply = json.dumps(hook.answer(body)).encode() if hook.status == 200 else b"broken"
            self.send_response(hook.status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def private_networks(settings: Any) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = True


def signing_config(tenant: Tenant) -> None:
    now = clock.now()
    ChannelConfig.objects.create(
        tenant=tenant,
        name="Hooks",
        channel=Channel.CUSTOM,
        provider="webhook",
        settings={"url": "https://example.com/custom"},
        secrets=json.dumps({"signing_secret": SECRET}),
        created_at=now,
        updated_at=now,
    )


def launch_and_plan(tenant: Tenant, hook_url: str) -> tuple[Campaign, CampaignRun]:
    body = push_body(segment_all(tenant), Hook={"WebUrl": hook_url, "Mode": "FILTER"})
    body["MessageConfiguration"]["DefaultMessage"]["Body"] = "Your {{Attributes.deal}}"
    campaign = campaign_launch(campaign=campaign_create(tenant=tenant, by="tests", body=body), by="tests")
    run = CampaignRun.objects.filter(campaign=campaign).latest("id")
    planned = run_plan(tenant_id=tenant.pk, run_id=run.pk)
    assert planned is not None
    return campaign, planned


def test_it_filters_and_enriches_recipients_through_the_signed_hook(tenant: Tenant) -> None:
    ids = endpoints(tenant, 60)
    signing_config(tenant)
    with receiver(drop={"ep1", "ep55"}) as hook:
        campaign, run = launch_and_plan(tenant, hook.url)
    assert [len(b["Endpoints"]) for b in hook.bodies] == [50, 10] and all(hook.signed)
    first = hook.bodies[0]
    assert first["CampaignId"] == str(campaign.pk) and first["TreatmentId"] == "0"
    assert first["ApplicationId"] == tenant.public_id and first["ActivityId"] == str(run.pk)
    assert first["MessageConfiguration"]["DefaultMessage"]["Title"] == "Hello {{User.UserId}}"
    assert first["Endpoints"]["ep0"]["User"]["UserId"] == "u0" and first["ScheduledTime"].endswith("Z")
    rows = {d.endpoint_id: d for d in Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk))}
    assert len(rows) == len(ids)
    assert {k for k, d in rows.items() if d.status == Status.SKIPPED} == {"ep1", "ep55"}
    assert rows["ep1"].reason == "hook_dropped" and "left this endpoint out" in rows["ep1"].context["HookError"]
    assert rows["ep2"].context["Substitutions"] == {"deal": "deal-ep2"}
    assert rows["ep2"].context["TitleOverride"] == "Hi ep2"
    for dispatch_id in run.dispatches.values():
        deliveries_send(tenant_id=tenant.pk, dispatch_id=int(dispatch_id), chunk=0)
    sent = Delivery.objects.get(pk=rows["ep2"].pk)
    assert sent.status == Status.SENT
    text = json.dumps(sent.payload)
    assert "Your deal-ep2" in text and "Hi ep2" in text


def test_a_failing_hook_skips_its_batch_after_three_attempts(tenant: Tenant) -> None:
    endpoints(tenant, 3)
    signing_config(tenant)
    with receiver(status=500) as hook:
        campaign, _ = launch_and_plan(tenant, hook.url)
    assert len(hook.bodies) == 3
    rows = list(Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk)))
    assert len(rows) == 3 and {(d.status, d.reason) for d in rows} == {(Status.SKIPPED, "hook_failed")}
    assert "failed after 3 attempts" in rows[0].context["HookError"] and "HTTP 500" in rows[0].context["HookError"]


def test_without_a_signing_secret_the_hook_is_not_called(tenant: Tenant) -> None:
    endpoints(tenant, 2)
    with receiver() as hook:
        campaign, _ = launch_and_plan(tenant, hook.url)
    assert hook.bodies == []
    rows = list(Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk)))
    assert {d.reason for d in rows} == {"hook_failed"} and "no signing secret" in rows[0].context["HookError"]


@pytest.mark.parametrize(
    ("hook", "field"),
    [
        ({"LambdaFunctionName": "arn:aws:lambda:us-east-1:1:function:f"}, "Hook.LambdaFunctionName"),
        ({"WebUrl": "https://example.com/h", "Mode": "DELIVERY"}, "Hook.Mode"),
        ({"WebUrl": "ftp://example.com/h"}, "Hook.WebUrl"),
    ],
)
def test_it_refuses_lambda_delivery_mode_and_bad_urls(
    api: APIClient, tenant: Tenant, hook: dict[str, Any], field: str
) -> None:
    r = api.post(url(tenant), push_body(segment_all(tenant), Hook=hook), format="json")
    assert r.status_code == 400 and field in r.json()["detail"], r.content


def test_it_stores_a_filter_hook(api: APIClient, tenant: Tenant) -> None:
    r = api.post(url(tenant), push_body(segment_all(tenant), Hook={"WebUrl": "https://example.com/h"}), format="json")
    assert r.status_code == 201 and r.json()["Hook"] == {"WebUrl": "https://example.com/h", "Mode": "FILTER"}
