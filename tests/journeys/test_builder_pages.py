"""The journeys console through the test client: the list and its filter, creating a journey, the builder page and
its save endpoint (field errors come back for the panel, nothing saved), lifecycle buttons, roles, other tenants."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from campaigns.journeys.services.writes import journey_create
from campaigns.models import ActivityCount, Journey, Participant
from engage import clock
from engage.tenancy.models import Role, Tenant
from tests.journeys.bodies import Audience, audience, simple

pytestmark = pytest.mark.django_db


def web(tenant: Tenant, path: str = "") -> str:
    return f"/t/{tenant.public_id}/journeys/{path}"


@pytest.fixture
def aud(tenant: Tenant) -> Audience:
    return audience(tenant)


def journey(tenant: Tenant, body: dict[str, Any]) -> Journey:
    return journey_create(tenant=tenant, body=body, by="tests")


def save(client: Client, tenant: Tenant, j: Journey, body: dict[str, Any]) -> Any:
    return client.post(web(tenant, f"{j.pk}/save/"), data=json.dumps(body), content_type="application/json")


def test_it_lists_journeys_with_state_entry_and_participants(
    owner_client: Client, tenant: Tenant, aud: Audience
) -> None:
    draft = journey(tenant, simple(aud, Name="Draft one"))
    live = journey(tenant, simple(aud, Name="Live one"))
    Journey.objects.filter(pk=live.pk).update(state=Journey.State.ACTIVE, version=1)
    now = clock.now()
    for i in range(3):
        Participant.objects.create(
            tenant=tenant, journey=live, version=1, key=f"ep{i}", activity="wait1", entered_at=now, updated_at=now
        )
    page = owner_client.get(web(tenant)).content.decode()
    assert "Draft one" in page and "Live one" in page and 'class="badge ACTIVE"' in page
    assert f'<tr data-journey="{live.pk}">' in page and 'data-metric="inside">3<' in page
    assert 'class="entry-pill segment"' in page
    filtered = owner_client.get(web(tenant), {"state": "DRAFT"}).content.decode()
    assert "Draft one" in filtered and "Live one" not in filtered
    assert f'href="{web(tenant, f"{draft.pk}/")}"' in filtered


def test_it_creates_a_journey_and_opens_the_builder(owner_client: Client, tenant: Tenant) -> None:
    r = owner_client.post(web(tenant), {"name": "Re-engagement"})
    created = Journey.objects.get(tenant=tenant)
    assert r.status_code == 302 and r["Location"] == web(tenant, f"{created.pk}/")
    assert created.name == "Re-engagement" and created.state == Journey.State.DRAFT
    page = owner_client.get(r["Location"]).content.decode()
    assert 'id="journey-builder"' in page and 'id="journey-builder-data"' in page
    data = json.loads(page.split('id="journey-builder-data" type="application/json">')[1].split("</script>")[0])
    assert data["body"]["Name"] == "Re-engagement" and data["editable"] is True and data["draft"] is True
    assert any(e["field"] == "Activities" for e in data["review"]["errors"])


def test_it_refuses_an_empty_name_on_the_form(owner_client: Client, tenant: Tenant) -> None:
    r = owner_client.post(web(tenant), {"name": ""})
    assert r.status_code == 400 and "This field is required." in r.content.decode()
    assert not Journey.objects.filter(tenant=tenant).exists()


def test_it_saves_the_whole_body_and_returns_the_review(owner_client: Client, tenant: Tenant, aud: Audience) -> None:
    j = journey(tenant, {"Name": "Empty"})
    r = save(owner_client, tenant, j, simple(aud, Name="Welcome"))
    assert r.status_code == 200, r.content
    reply = r.json()
    j.refresh_from_db()
    assert j.name == "Welcome" and j.definition["StartActivity"] == "email1"
    assert reply["review"]["errors"] == [] and reply["body"]["Activities"]["sms1"]["SMS"]["TemplateName"] == "Reminder"


def test_it_returns_a_body_error_for_the_panel_field_and_keeps_the_draft(
    owner_client: Client, tenant: Tenant, aud: Audience
) -> None:
    j = journey(tenant, simple(aud))
    body = simple(aud)
    body["Activities"]["email1"]["EMAIL"]["TemplateName"] = "Nope"
    r = save(owner_client, tenant, j, body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["field"] == "Activities.email1.EMAIL.TemplateName" and "Nope" in error["message"]
    j.refresh_from_db()
    assert j.definition["Activities"]["email1"]["EMAIL"]["TemplateName"] == "Welcome"
    assert save(owner_client, tenant, j, ["not", "an", "object"]).status_code == 400  # type: ignore[arg-type]
    bad = owner_client.post(web(tenant, f"{j.pk}/save/"), data="{", content_type="application/json")
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]["message"]


def test_it_shows_review_errors_as_badges_data(owner_client: Client, tenant: Tenant, aud: Audience) -> None:
    body = simple(aud)
    del body["Activities"]["sms1"]["SMS"]["TemplateName"]
    j = journey(tenant, body)
    review = owner_client.get(web(tenant, f"{j.pk}/review/")).json()
    assert [e["activity"] for e in review["errors"]] == ["sms1"]


def test_it_publishes_pauses_resumes_and_stops(owner_client: Client, tenant: Tenant, aud: Audience) -> None:
    j = journey(tenant, simple(aud))
    for action, state in (("publish", "ACTIVE"), ("pause", "PAUSED"), ("resume", "ACTIVE"), ("stop", "CANCELLED")):
        r = owner_client.post(web(tenant, f"{j.pk}/{action}/"))
        assert r.status_code == 302 and r["Location"] == web(tenant, f"{j.pk}/")
        j.refresh_from_db()
        assert j.state == state, action
    page = owner_client.get(web(tenant, f"{j.pk}/")).content.decode()
    assert "Stopped" in page and "Pause</button>" not in page


def test_it_shows_why_publishing_was_refused(owner_client: Client, tenant: Tenant) -> None:
    j = journey(tenant, {"Name": "Nothing yet"})
    r = owner_client.post(web(tenant, f"{j.pk}/publish/"), follow=True)
    j.refresh_from_db()
    assert j.state == Journey.State.DRAFT and 'class="error"' in r.content.decode()


def test_it_edits_an_active_journey_as_a_new_version(owner_client: Client, tenant: Tenant, aud: Audience) -> None:
    j = journey(tenant, simple(aud))
    owner_client.post(web(tenant, f"{j.pk}/publish/"))
    page = owner_client.get(web(tenant, f"{j.pk}/")).content.decode()
    assert "participants already in the journey finish the version they entered" in page
    body = simple(aud)
    body["Activities"]["wait1"]["Wait"]["WaitTime"]["WaitFor"] = "P2D"
    r = save(owner_client, tenant, j, body)
    assert r.status_code == 200 and r.json()["version"] == 2


def test_it_duplicates_tests_and_deletes(owner_client: Client, tenant: Tenant, aud: Audience) -> None:
    j = journey(tenant, simple(aud))
    r = owner_client.post(web(tenant, f"{j.pk}/duplicate/"))
    copy = Journey.objects.exclude(pk=j.pk).get(tenant=tenant)
    assert r["Location"] == web(tenant, f"{copy.pk}/") and copy.name == "Copy of Welcome series"
    assert copy.definition == j.definition and copy.state == Journey.State.DRAFT
    r = owner_client.post(
        web(tenant, f"{j.pk}/test/"), {"segment": aud.vip.public_id, "wait": "custom", "wait_seconds": "5"}
    )
    test = Journey.objects.get(tenant=tenant, test_of=j)
    assert r["Location"] == web(tenant, f"{test.pk}/") and test.state == Journey.State.ACTIVE
    assert test.name == "Test-Welcome series" and test.test_wait_seconds == 5
    r = owner_client.post(web(tenant, f"{j.pk}/test/"), {"segment": "nope", "wait": "skip"}, follow=True)
    assert "Test not started" in r.content.decode()
    r = owner_client.post(web(tenant, f"{copy.pk}/delete/"))
    assert r["Location"] == web(tenant) and not Journey.objects.filter(pk=copy.pk).exists()


def test_it_reads_live_counts_for_the_canvas(owner_client: Client, tenant: Tenant, aud: Audience) -> None:
    j = journey(tenant, simple(aud))
    owner_client.post(web(tenant, f"{j.pk}/publish/"))
    ActivityCount.objects.create(tenant=tenant, journey=j, activity="email1", metric="sent", count=7)
    page = owner_client.get(web(tenant, f"{j.pk}/counts/")).content.decode()
    assert 'hx-trigger="every 4s"' in page and '"sent": 7' in page


def test_it_hides_other_tenants_journeys(owner_client: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = journey(other_tenant, {"Name": "Theirs"})
    for path in ("", "save/", "review/", "counts/", "publish/", "duplicate/", "delete/", "test/"):
        method = owner_client.get if path in ("", "review/", "counts/") else owner_client.post
        assert method(web(tenant, f"{theirs.pk}/{path}")).status_code == 404, path
    assert owner_client.get(web(other_tenant)).status_code == 404


def test_it_keeps_viewers_read_only(tenant: Tenant, aud: Audience, member_factory: Any) -> None:
    j = journey(tenant, simple(aud))
    client = Client()
    client.force_login(member_factory(tenant, Role.VIEWER).user)
    page = client.get(web(tenant, f"{j.pk}/")).content.decode()
    data = json.loads(page.split('id="journey-builder-data" type="application/json">')[1].split("</script>")[0])
    assert data["editable"] is False and "Duplicate</button>" not in page
    assert "Create journey" not in client.get(web(tenant)).content.decode()
    assert save(client, tenant, j, simple(aud, Name="Hijack")).status_code == 403
    assert client.post(web(tenant, f"{j.pk}/publish/")).status_code == 403
    assert client.post(web(tenant), {"name": "Mine"}).status_code == 403
