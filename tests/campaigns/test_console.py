"""The campaign console through the test client: wizard steps and their field errors, lifecycle buttons, roles,
other tenants, the live panels and the CSV export."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from campaigns.models import Campaign
from engage.tenancy.models import AuditLog, Role, Tenant
from tests.campaigns.support import endpoints, segment_all
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def web(tenant: Tenant, path: str = "") -> str:
    return f"/t/{tenant.public_id}/campaigns/{path}"


def email_step(**extra: Any) -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "source": "inline",
        "subject": "Hi {{User.UserId}}",
        "html_body": "<p>Hello</p>",
        **extra,
    }


def test_it_walks_the_wizard_to_a_launchable_draft(owner_client: Client, tenant: Tenant) -> None:
    endpoints(tenant, 4, channel="EMAIL")
    segment = segment_all(tenant)
    r = owner_client.post(web(tenant, "new/"), {"name": "Spring sale", "description": ""})
    campaign = Campaign.objects.get(tenant=tenant)
    assert r.status_code == 302 and r["Location"] == web(tenant, f"{campaign.pk}/setup/segment/")
    steps: list[tuple[str, dict[str, Any]]] = [
        ("segment", {"segment": segment.public_id}),
        ("message", email_step()),
        (
            "treatments",
            {
                "holdout_percent": "10",
                "t1_name": "Short",
                "t1_size": "30",
                "t1_source": "inline",
                "t1_subject": "Hey",
                "t1_html_body": "<p>B</p>",
            },
        ),
        ("schedule", {"start": "now", "timezone": "Europe/Paris", "no_timezone": "SKIP", "quiet_action": "HOLD"}),
    ]
    for step, data in steps:
        r = owner_client.post(web(tenant, f"{campaign.pk}/setup/{step}/"), data)
        assert r.status_code == 302, (step, r.content.decode()[:2000])
    campaign.refresh_from_db()
    assert (campaign.segment, campaign.channel, campaign.holdout_percent) == (segment, "EMAIL", 10)
    assert campaign.additional_treatments[0]["SizePercent"] == 30
    assert (campaign.start_immediate, campaign.timezone) == (True, "Europe/Paris")
    review = owner_client.get(web(tenant, f"{campaign.pk}/setup/review/")).content.decode()
    assert 'data-count="confirm-eligible">4<' in review and "<strong>Email</strong>" in review
    eligible = owner_client.get(
        web(tenant, f"{campaign.pk}/eligible/"), {"segment": segment.public_id}
    ).content.decode()
    assert 'data-count="eligible">4<' in eligible


def test_it_shows_the_services_errors_on_the_form_fields(owner_client: Client, tenant: Tenant) -> None:
    campaign = CampaignFactory(tenant=tenant)
    r = owner_client.post(web(tenant, f"{campaign.pk}/setup/message/"), email_step(subject=""))
    assert r.status_code == 400
    form = r.context["form"]
    assert "subject" in form.errors, form.errors
    r = owner_client.post(
        web(tenant, f"{campaign.pk}/setup/schedule/"),
        {
            "start": "now",
            "timezone": "UTC",
            "no_timezone": "SKIP",
            "quiet_action": "HOLD",
            "quiet_start": "22:00",
            "messages_per_second": "10",
        },
    )
    assert r.status_code == 400
    assert set(r.context["form"].errors) >= {"quiet_start"} or set(r.context["form"].errors) >= {"messages_per_second"}


def test_it_previews_the_message_for_a_real_endpoint(owner_client: Client, tenant: Tenant) -> None:
    endpoints(tenant, 1, channel="EMAIL")
    campaign = CampaignFactory(tenant=tenant)
    r = owner_client.post(web(tenant, f"{campaign.pk}/preview/"), email_step(preview_endpoint="ep0"))
    body = r.content.decode()
    assert r.status_code == 200 and "Hi u0" in body and "ep0" in body


def test_it_runs_the_lifecycle_buttons_through_the_audited_services(owner_client: Client, tenant: Tenant) -> None:
    endpoints(tenant, 2, channel="EMAIL")
    segment = segment_all(tenant)
    campaign = CampaignFactory(tenant=tenant, name="Later")
    owner_client.post(web(tenant, f"{campaign.pk}/setup/segment/"), {"segment": segment.public_id})
    owner_client.post(web(tenant, f"{campaign.pk}/setup/message/"), email_step())
    data = {
        "start": "once",
        "start_at": "2099-01-01T09:00",
        "timezone": "UTC",
        "no_timezone": "SKIP",
        "quiet_action": "HOLD",
    }
    assert owner_client.post(web(tenant, f"{campaign.pk}/setup/schedule/"), data).status_code == 302
    for action, status in (
        ("launch", "SCHEDULED"),
        ("pause", "PAUSED"),
        ("resume", "SCHEDULED"),
        ("stop", "COMPLETED"),
    ):
        assert owner_client.post(web(tenant, f"{campaign.pk}/{action}/")).status_code == 302
        campaign.refresh_from_db()
        assert campaign.status == status, action
    r = owner_client.post(web(tenant, f"{campaign.pk}/duplicate/"))
    copy = Campaign.objects.get(tenant=tenant, name="Copy of Later")
    assert r["Location"] == web(tenant, f"{copy.pk}/")
    assert owner_client.post(web(tenant, f"{copy.pk}/delete/")).status_code == 302
    actions = set(AuditLog.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert {"campaign.launch", "campaign.pause", "campaign.stop", "campaign.duplicate", "campaign.delete"} <= actions
    page = owner_client.get(web(tenant, f"{campaign.pk}/")).content.decode()
    assert "Launch…" not in page and "Duplicate" in page


def test_it_hides_other_tenants_campaigns(owner_client: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = CampaignFactory(tenant=other_tenant)
    for path in ("", "live/", "metrics.csv", "setup/message/", "eligible/", "launch/"):
        assert owner_client.get(web(tenant, f"{theirs.pk}/{path}")).status_code == 404, path
    assert owner_client.post(web(tenant, f"{theirs.pk}/launch/")).status_code == 404
    assert owner_client.get(web(other_tenant, f"{theirs.pk}/")).status_code == 404


def test_it_lets_a_viewer_see_but_not_launch(tenant: Tenant, member_factory: Any) -> None:
    viewer = member_factory(tenant, Role.VIEWER, "viewer@acme.test")
    campaign = CampaignFactory(tenant=tenant, name="Read only")
    client = Client()
    client.force_login(viewer.user)
    page = client.get(web(tenant, f"{campaign.pk}/"))
    assert page.status_code == 200 and "Launch…" not in page.content.decode()
    assert client.post(web(tenant, f"{campaign.pk}/launch/")).status_code == 403
    assert client.get(web(tenant, f"{campaign.pk}/metrics.csv")).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_it_exports_the_metrics_as_csv(owner_client: Client, tenant: Tenant) -> None:
    campaign = CampaignFactory(tenant=tenant)
    r = owner_client.get(web(tenant, f"{campaign.pk}/metrics.csv"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.decode().splitlines()[0] == "hour,treatment,sends,deliveries,opens,clicks,bounces,unsubscribes"
