"""Review recommendations marked as reviewed stay marked across reloads (Journey.reviewed, outside the definition)
until the part of the journey they are about changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from campaigns.journeys.services.review import journey_review
from campaigns.journeys.services.reviewed import recommendation_key
from campaigns.journeys.services.writes import journey_create
from campaigns.models import Journey
from engage.tenancy.models import Tenant
from tests.journeys.bodies import Audience, audience, event_entry, simple

pytestmark = pytest.mark.django_db


def body(a: Audience, **extra: Any) -> dict[str, Any]:
    """Two recommendations: a re-entry interval (journey settings) and a 100 % holdout (activity "hold")."""
    b = simple(a, StartCondition=event_entry(), Limits={"EndpointReentryCap": 0}, **extra)
    b["Activities"]["hold"] = {"Holdout": {"Percentage": 100}}
    b["Activities"]["sms1"]["SMS"]["NextActivity"] = "hold"
    return b


def keys_of(j: Journey) -> tuple[str, str]:
    recs = journey_review(tenant=j.tenant, definition=j.definition).recommendations
    by_field = {r.field: recommendation_key(r) for r in recs}
    return by_field["Limits.EndpointReentryInterval"], by_field["Activities.hold.Holdout.Percentage"]


def mark(client: Client, j: Journey, key: str, reviewed: bool = True) -> Any:
    url = f"/t/{j.tenant.public_id}/journeys/{j.pk}/reviewed/"
    return client.post(url, data=json.dumps({"key": key, "reviewed": reviewed}), content_type="application/json")


def builder_state(client: Client, j: Journey) -> dict[str, Any]:
    html = client.get(f"/t/{j.tenant.public_id}/journeys/{j.pk}/").content.decode()
    start = html.index('<script id="journey-builder-data" type="application/json">')
    raw = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return dict(json.loads(raw))


def test_marks_survive_a_reload_and_stay_out_of_the_definition(owner_client: Client, tenant: Tenant) -> None:
    j = journey_create(tenant=tenant, body=body(audience(tenant)), by="tests")
    settings_key, hold_key = keys_of(j)
    r = mark(owner_client, j, settings_key)
    assert r.status_code == 200 and r.json() == {"reviewed": [settings_key]}
    assert mark(owner_client, j, hold_key).json()["reviewed"] == sorted([settings_key, hold_key])
    assert builder_state(owner_client, j)["reviewed"] == sorted([settings_key, hold_key])
    j.refresh_from_db()
    assert "reviewed" not in json.dumps(j.definition) and set(j.reviewed) == {settings_key, hold_key}
    assert mark(owner_client, j, hold_key, reviewed=False).json()["reviewed"] == [settings_key]
    refused = mark(owner_client, j, "|Name|not a recommendation")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "key"


def test_a_material_change_voids_only_the_marks_it_concerns(owner_client: Client, tenant: Tenant) -> None:
    a = audience(tenant)
    j = journey_create(tenant=tenant, body=body(a), by="tests")
    settings_key, hold_key = keys_of(j)
    mark(owner_client, j, settings_key)
    mark(owner_client, j, hold_key)
    described = body(a)
    described["Activities"]["hold"]["Description"] = "Keep everyone out for now"
    saved = owner_client.post(f"/t/{tenant.public_id}/journeys/{j.pk}/save/", json.dumps(described), "application/json")
    assert saved.json()["reviewed"] == sorted([settings_key, hold_key])  # a description is not a material change
    changed = body(a, QuietTime={"Start": "22:00", "End": "07:00"}, WaitForQuietTime=True)
    changed["Activities"]["hold"]["Description"] = "Keep everyone out for now"
    saved = owner_client.post(f"/t/{tenant.public_id}/journeys/{j.pk}/save/", json.dumps(changed), "application/json")
    assert saved.json()["reviewed"] == [hold_key]  # the settings changed: review the settings advice again
    changed["Activities"]["wait1"]["Wait"]["WaitTime"] = {"WaitFor": "P2D"}
    saved = owner_client.post(f"/t/{tenant.public_id}/journeys/{j.pk}/save/", json.dumps(changed), "application/json")
    assert saved.json()["reviewed"] == [hold_key]  # another activity's edit leaves the holdout's mark alone
    assert builder_state(owner_client, j)["reviewed"] == [hold_key]


def test_another_tenants_journey_is_not_found(owner_client: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    j = journey_create(tenant=other_tenant, body=body(audience(other_tenant)), by="tests")
    url = f"/t/{tenant.public_id}/journeys/{j.pk}/reviewed/"
    assert owner_client.post(url, data=json.dumps({"key": "x"}), content_type="application/json").status_code == 404
