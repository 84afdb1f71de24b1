"""The wizard's "When an event occurs" schedule: it saves an EVENT campaign with the event filter it shows again,
names the field to fix, and the launched campaign answers the matching event with a message."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from campaigns.models import Campaign
from campaigns.services.lifecycle import campaign_launch
from channels.models import Delivery
from engage.tenancy.models import Tenant
from segments.services.ingest import events_ingest
from tests.campaigns.support import endpoints, segment_all
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def schedule_url(campaign: Campaign) -> str:
    return f"/t/{campaign.tenant.public_id}/campaigns/{campaign.pk}/setup/schedule/"


def event_step(**extra: Any) -> dict[str, Any]:
    return {
        "start": "event",
        "event_type": "cart.abandoned",
        "event_attribute": "plan",
        "event_values": "gold, silver",
        "event_metric": "total",
        "metric_operator": "GREATER_THAN",
        "metric_value": "20",
        "timezone": "UTC",
        "no_timezone": "SKIP",
        "quiet_action": "HOLD",
        **extra,
    }


def test_it_saves_the_event_filter_and_shows_it_again(owner_client: Client, tenant: Tenant) -> None:
    campaign = CampaignFactory(tenant=tenant)
    r = owner_client.post(schedule_url(campaign), event_step())
    assert r.status_code == 302, r.content.decode()[:2000]
    campaign.refresh_from_db()
    assert campaign.frequency == Campaign.Frequency.EVENT and campaign.start_immediate
    dims = campaign.event_filter["Dimensions"]
    assert dims["EventType"]["Values"] == ["cart.abandoned"]
    assert dims["Attributes"] == {"plan": {"AttributeType": "INCLUSIVE", "Values": ["gold", "silver"]}}
    assert dims["Metrics"] == {"total": {"ComparisonOperator": "GREATER_THAN", "Value": 20.0}}
    form = owner_client.get(schedule_url(campaign)).context["form"]
    assert (form.initial["start"], form.initial["event_type"], form.initial["event_values"]) == (
        "event",
        "cart.abandoned",
        "gold, silver",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_type": ""}, "event_type"),
        ({"event_values": ""}, "event_values"),
        ({"metric_value": ""}, "metric_value"),
    ],
)
def test_it_names_the_event_field_to_fix(
    owner_client: Client, tenant: Tenant, change: dict[str, str], field: str
) -> None:
    campaign = CampaignFactory(tenant=tenant)
    r = owner_client.post(schedule_url(campaign), event_step(**change))
    assert r.status_code == 400
    assert field in r.context["form"].errors
    campaign.refresh_from_db()
    assert campaign.frequency == Campaign.Frequency.ONCE  # nothing saved from the refused step


def test_the_launched_campaign_sends_on_the_matching_event_only(
    owner_client: Client, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    endpoints(tenant, 2, channel="EMAIL")
    segment = segment_all(tenant)
    campaign = CampaignFactory(tenant=tenant)
    web = f"/t/{tenant.public_id}/campaigns/{campaign.pk}/setup/"
    assert owner_client.post(web + "segment/", {"segment": segment.public_id}).status_code == 302
    message = {"channel": "EMAIL", "source": "inline", "subject": "Your cart", "html_body": "<p>Come back</p>"}
    assert owner_client.post(web + "message/", message).status_code == 302
    assert owner_client.post(web + "schedule/", event_step()).status_code == 302
    campaign_launch(campaign=Campaign.objects.get(pk=campaign.pk), by="tests")

    def event(endpoint_id: str, plan: str, total: float) -> dict[str, Any]:
        attrs = {"plan": plan}
        body = {"EventType": "cart.abandoned", "Timestamp": "2026-11-23T10:00:00Z", "Attributes": attrs}
        return {endpoint_id: {"Endpoint": {}, "Events": {f"e-{endpoint_id}": {**body, "Metrics": {"total": total}}}}}

    with django_capture_on_commit_callbacks(execute=True):  # the trigger handlers run once the events commit
        events_ingest(tenant=tenant, batch={"BatchItem": {**event("ep0", "gold", 42), **event("ep1", "bronze", 42)}})
    sent_to = set(Delivery.objects.filter(dispatch__campaign_id=str(campaign.pk)).values_list("endpoint_id", flat=True))
    assert sent_to == {"ep0"}
