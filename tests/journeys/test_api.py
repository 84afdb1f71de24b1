"""/api/v1/tenants/<id>/journeys/: WriteJourneyRequest in, JourneyResponse out; the lifecycle, test copies and the
review; roles and other tenants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from campaigns.journeys.services.writes import journey_create
from campaigns.models import Journey
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from tests.journeys.bodies import Audience, audience, onboarding, simple, without_server_members

pytestmark = pytest.mark.django_db

MemberFactory = Callable[..., Membership]
ClientFor = Callable[[Membership], APIClient]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def a(tenant: Tenant) -> Audience:
    return audience(tenant)


def url(tenant: Tenant, pk: int | None = None, action: str = "") -> str:
    base = f"/api/v1/tenants/{tenant.public_id}/journeys/"
    if pk is None:
        return base
    return f"{base}{pk}/{action + '/' if action else ''}"


def created(api: APIClient, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post(url(tenant), body, format="json")
    assert r.status_code == 201, r.json()
    answer: dict[str, Any] = r.json()
    return answer


def test_a_pinpoint_journey_round_trips(api: APIClient, tenant: Tenant, a: Audience) -> None:
    sent = onboarding(a)
    made = created(api, tenant, sent)
    assert (made["State"], made["ApplicationId"], made["Id"]) == ("DRAFT", tenant.public_id, str(made["id"]))
    got = api.get(url(tenant, made["id"])).json()
    assert without_server_members(got) == without_server_members(sent)
    assert got["CreationDate"].endswith("Z") and got["LastModifiedDate"].endswith("Z")
    again = api.put(url(tenant, made["id"]), got, format="json")
    assert again.status_code == 200, again.json()
    assert without_server_members(again.json()) == without_server_members(sent)


def test_it_answers_400_naming_the_member(api: APIClient, tenant: Tenant, a: Audience) -> None:
    body = simple(a)
    body["Activities"]["wait1"]["Wait"]["WaitTime"]["WaitFor"] = "PT5M"
    r = api.post(url(tenant), body, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["Activities.wait1.Wait.WaitTime.WaitFor"]
    assert "at least 1 hour" in r.json()["detail"]
    assert api.post(url(tenant), [1, 2], format="json").status_code == 400
    assert not Journey.objects.exists()


def test_it_lists_with_a_state_filter(api: APIClient, tenant: Tenant, a: Audience) -> None:
    draft = created(api, tenant, simple(a, Name="Draft one"))
    live = created(api, tenant, simple(a, Name="Live one", State="ACTIVE"))
    assert live["State"] == "ACTIVE" and live["version"] == 1
    names = [j["Name"] for j in api.get(url(tenant)).json()["results"]]
    assert names == ["Live one", "Draft one"]
    only = api.get(url(tenant), {"state": "DRAFT"}).json()["results"]
    assert [j["Id"] for j in only] == [draft["Id"]]
    assert api.get(url(tenant), {"state": "SLEEPING"}).status_code == 400


def test_the_lifecycle_endpoints(api: APIClient, tenant: Tenant, a: Audience) -> None:
    pk = created(api, tenant, simple(a))["id"]
    assert api.get(url(tenant, pk, "review")).json() == {"ok": True, "errors": [], "recommendations": []}
    assert api.post(url(tenant, pk, "pause")).status_code == 409
    assert api.post(url(tenant, pk, "publish")).json()["State"] == "ACTIVE"
    assert api.post(url(tenant, pk, "publish")).status_code == 409
    assert api.post(url(tenant, pk, "pause")).json()["State"] == "PAUSED"
    assert api.post(url(tenant, pk, "resume")).json()["State"] == "ACTIVE"
    assert api.post(url(tenant, pk, "state"), {"State": "PAUSED"}, format="json").json()["State"] == "PAUSED"
    assert api.post(url(tenant, pk, "state"), {"State": "ACTIVE"}, format="json").json()["State"] == "ACTIVE"
    r = api.post(url(tenant, pk, "state"), {"State": "DRAFT"}, format="json")
    assert (r.status_code, list(r.json()["errors"])) == (400, ["State"])
    assert api.delete(url(tenant, pk)).status_code == 409
    assert api.post(url(tenant, pk, "stop")).json()["State"] == "CANCELLED"
    assert api.post(url(tenant, pk, "resume")).status_code == 409
    assert api.post(url(tenant, pk, "state"), {"State": "ACTIVE"}, format="json").status_code == 409
    assert api.delete(url(tenant, pk)).status_code == 204
    assert api.get(url(tenant, pk)).status_code == 404
    logged = set(AuditLog.objects.filter(target_type="campaigns.journey").values_list("action", flat=True))
    assert logged >= {"journey.create", "journey.publish", "journey.pause", "journey.resume", "journey.stop"}


def test_publishing_a_journey_with_errors_says_what_to_fix(api: APIClient, tenant: Tenant, a: Audience) -> None:
    pk = created(api, tenant, simple(a, StartActivity="nowhere"))["id"]
    review = api.get(url(tenant, pk, "review")).json()
    assert review["ok"] is False and review["errors"][0]["field"] == "StartActivity"
    r = api.post(url(tenant, pk, "publish"))
    assert (r.status_code, list(r.json()["errors"])) == (400, ["StartActivity"])


def test_editing_a_live_journey_makes_a_version(api: APIClient, tenant: Tenant, a: Audience) -> None:
    made = created(api, tenant, simple(a, State="ACTIVE"))
    body = simple(a, LocalTime=True, TimezoneEstimationMethods=["PHONE_NUMBER"])
    edited = api.put(url(tenant, made["id"]), body, format="json").json()
    assert (edited["version"], edited["LocalTime"], edited["State"]) == (2, True, "ACTIVE")


def test_a_test_copy_starts(api: APIClient, tenant: Tenant, a: Audience) -> None:
    pk = created(api, tenant, simple(a))["id"]
    body = {"SegmentId": a.vip.public_id, "Wait": "custom", "WaitSeconds": "30"}
    r = api.post(url(tenant, pk, "test"), body, format="json")
    assert r.status_code == 201, r.json()
    test = r.json()
    assert (test["Name"], test["State"], test["test_of"]) == ("Test-Welcome series", "ACTIVE", pk)
    assert (test["test_wait"], test["test_wait_seconds"]) == ("custom", 30)
    assert test["StartCondition"] == {"SegmentStartCondition": {"SegmentId": a.vip.public_id}}
    r = api.post(url(tenant, pk, "test"), {"SegmentId": "nope"}, format="json")
    assert (r.status_code, list(r.json()["errors"])) == (400, ["SegmentId"])


def test_other_tenants_journeys_are_not_found(
    api: APIClient, tenant: Tenant, other_tenant: Tenant, a: Audience
) -> None:
    theirs = journey_create(tenant=other_tenant, body={"Name": "Theirs"}, by="tests")
    for method, action in (("get", ""), ("put", ""), ("delete", ""), ("post", "publish"), ("get", "review")):
        r = getattr(api, method)(url(tenant, theirs.pk, action), simple(a), format="json")
        assert r.status_code == 404, (method, action)
    assert api.get(url(other_tenant)).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.state) == ("Theirs", "DRAFT")


def test_a_viewer_reads_but_cannot_write(
    tenant: Tenant, a: Audience, member_factory: MemberFactory, client_for: ClientFor
) -> None:
    journey = journey_create(tenant=tenant, body=simple(a), by="tests")
    viewer = client_for(member_factory(tenant, Role.VIEWER))
    assert viewer.get(url(tenant, journey.pk)).status_code == 200
    assert viewer.get(url(tenant, journey.pk, "review")).status_code == 200
    assert viewer.post(url(tenant), simple(a), format="json").status_code == 403
    assert viewer.put(url(tenant, journey.pk), simple(a), format="json").status_code == 403
    for action in ("publish", "pause", "resume", "stop", "state", "test"):
        assert viewer.post(url(tenant, journey.pk, action), {}, format="json").status_code == 403, action
    assert viewer.delete(url(tenant, journey.pk)).status_code == 403
    journey.refresh_from_db()
    assert journey.state == "DRAFT"


def test_staff_see_journeys_versions_and_participants_read_only_in_the_admin(tenant: Tenant, a: Audience) -> None:
    from django.test import Client

    from campaigns.models import Participant
    from engage import clock
    from engage.accounts.models import User

    journey = journey_create(tenant=tenant, body=simple(a, State="ACTIVE"), by="tests")
    draft = journey_create(tenant=tenant, body=simple(a, Name="Still a draft"), by="tests")
    now = clock.now()
    Participant.objects.create(
        tenant=tenant, journey=journey, version=1, key="ep-admin", activity="wait1", entered_at=now, updated_at=now
    )
    client = Client()
    client.force_login(User.objects.create_superuser(email="ops@engage.test", password="correct-horse-battery"))
    listing = client.get("/admin/campaigns/journey/", {"state__exact": "ACTIVE"}).content.decode()
    assert "Welcome series" in listing and "Still a draft" not in listing
    page = client.get(f"/admin/campaigns/journey/{journey.pk}/change/").content.decode()
    assert "&quot;TemplateName&quot;: &quot;Welcome&quot;" in page and 'name="name"' not in page
    assert client.get(f"/admin/campaigns/journeyversion/?q={journey.name}").status_code == 200
    assert "ep-admin" in client.get("/admin/campaigns/participant/").content.decode()
    assert client.get("/admin/campaigns/journey/add/").status_code == 403
    assert client.post(f"/admin/campaigns/journey/{draft.pk}/change/", {"name": "Hacked"}).status_code == 403
    assert client.post(f"/admin/campaigns/journey/{draft.pk}/delete/", {"post": "yes"}).status_code == 403
    draft.refresh_from_db()
    assert draft.name == "Still a draft"
