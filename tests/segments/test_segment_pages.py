"""The segment console pages through Django's test client: list, builder, live estimate, detail, explain, guard."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from segments.models import AudienceGuard, Endpoint, ImportedMember, Segment
from segments.segment_selectors import value_suggestions
from segments.services.endpoints import endpoints_upsert
from segments.services.segments import segment_create
from tests.segments.audience_pages import login, page

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
GOLF = {"Attributes": {"Interests": {"AttributeType": "INCLUSIVE", "Values": ["golf"]}}}
BIG_SPENDERS = {
    "SegmentGroups": {
        "Include": "ALL",
        "Groups": [
            {
                "Type": "ALL",
                "SourceType": "ANY",
                "Dimensions": [
                    {
                        **GOLF,
                        "Metrics": {"spend": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 100}},
                    }
                ],
            }
        ],
    }
}


def counts(html: str) -> dict[str, int]:
    found = re.findall(r'data-count="([a-z-]+)"[^>]*>([\d,]+)<', html)
    return {name: int(value.replace(",", "")) for name, value in found}


@pytest.fixture
def viewer(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.VIEWER))


@pytest.fixture
def marketer(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.MARKETER))


@pytest.fixture
def admin(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.ADMIN))


@pytest.fixture
def golfers(tenant: Tenant) -> None:
    """g1 and g3 play golf and spend ≥ 100 (g3 opted out); g2 spends little; t1 plays tennis."""

    def ep(address: str, interest: str, spend: int, **extra: Any) -> dict[str, Any]:
        return {
            "ChannelType": "EMAIL",
            "Address": address,
            "Attributes": {"Interests": [interest]},
            "Metrics": {"spend": spend},
            "Demographic": {"Platform": "ios"},
            **extra,
        }

    endpoints_upsert(
        tenant=tenant,
        items=[
            ("g1", ep("g1@x.test", "golf", 150)),
            ("g2", ep("g2@x.test", "golf", 20)),
            ("g3", ep("g3@x.test", "golf", 500, OptOut="ALL")),
            ("t1", ep("t1@x.test", "tennis", 900, Demographic={"Platform": "android"})),
        ],
    )


def make(tenant: Tenant, name: str = "Big spenders", body: dict[str, Any] | None = None) -> Segment:
    return segment_create(tenant=tenant, body={"Name": name, **(BIG_SPENDERS if body is None else body)}, by="tests")


def estimate(client: Client, tenant: Tenant, definition: Any, **extra: str) -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    r = client.post(page(tenant, "segments/estimate/"), {"definition": text, **extra}, headers=HX)
    assert r.status_code == 200
    return r.content.decode()


def test_every_segment_page_renders_for_a_viewer(viewer: Client, tenant: Tenant, golfers: None) -> None:
    segment = make(tenant)
    sid = segment.public_id
    for path, text in [
        ("segments/", "Big spenders"),
        ("segments/new/", "Live estimate"),
        (f"segments/{sid}/edit/", "Live estimate"),
        (f"segments/{sid}/", "Who is in it"),
        (f"segments/{sid}/estimate/?as=cell", "/ 2"),
        (f"segments/{sid}/estimate/", "Sample of matching endpoints"),
        ("segments/audience-guard/", "Only owners and admins can change the audience guard"),
        ("segments/suggest/?field=Platform", "ios"),
    ]:
        r = viewer.get(page(tenant, path))
        assert r.status_code == 200, path
        assert text in r.content.decode(), path
    for path in ("segments/new/", f"segments/{sid}/edit/"):
        html = viewer.get(page(tenant, path)).content.decode()
        assert "can try definitions here" in html and "Create segment" not in html and "Save segment" not in html
    detail = viewer.get(page(tenant, f"segments/{sid}/")).content.decode()
    assert "Delete" not in detail and ">Edit<" not in detail
    explained = viewer.get(page(tenant, f"segments/{sid}/explain/?endpoint_id=g1"), headers=HX)
    assert explained.status_code == 200 and "would receive its messages" in explained.content.decode()


def test_writes_need_the_edit_capability(viewer: Client, marketer: Client, tenant: Tenant) -> None:
    segment = make(tenant)
    sid = segment.public_id
    body = {"name": "x", "definition": "{}"}
    for path in ("segments/new/", f"segments/{sid}/edit/", f"segments/{sid}/copy/", f"segments/{sid}/delete/"):
        assert viewer.post(page(tenant, path), body).status_code == 403, path
    guard = {"enabled": "on", "definition": json.dumps({"Dimensions": GOLF})}
    assert marketer.post(page(tenant, "segments/audience-guard/"), guard).status_code == 403
    assert Segment.objects.filter(tenant=tenant).count() == 1
    assert not AudienceGuard.objects.filter(tenant=tenant).exists()


def test_the_live_estimate_counts_a_posted_definition(viewer: Client, tenant: Tenant, golfers: None) -> None:
    html = estimate(viewer, tenant, BIG_SPENDERS)
    assert counts(html) == {"total": 2, "eligible-before-guard": 1, "eligible": 1}
    assert "the guard is off" in html
    assert re.findall(r">(g\d|t\d)</a>", html) == ["g3", "g1"]  # the sample, newest first

    assert counts(estimate(viewer, tenant, {"Dimensions": GOLF})) == {
        "total": 3,
        "eligible-before-guard": 2,
        "eligible": 2,
    }
    assert counts(estimate(viewer, tenant, {}))["total"] == 4
    assert "No endpoint matches" in estimate(
        viewer, tenant, {"Dimensions": {"Location": {"Country": {"Values": ["FR"]}}}}
    )


@pytest.mark.parametrize(
    ("definition", "message", "field"),
    [
        (
            {"Dimensions": {"Attributes": {"Interests": {"AttributeType": "LIKE", "Values": ["golf"]}}}},
            "AttributeType must be one of",
            "Dimensions.Attributes.Interests.AttributeType",
        ),
        (
            {"Dimensions": {"Attributes": {"Joined": {"AttributeType": "BEFORE", "Values": ["last week"]}}}},
            "ISO 8601",
            "Dimensions.Attributes.Joined.Values",
        ),
        (
            {"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": "f" * 32}]}]}},
            "does not exist in this tenant",
            "SegmentGroups.SourceSegments",
        ),
        (
            {"Dimensions": {"Events": [{"EventType": "buy", "Count": 10**30}]}},
            "Count must be a whole number 0–1,000,000",
            "Dimensions.Events[0].Count",
        ),
        (
            {"Dimensions": {"Metrics": {"spend": {"ComparisonOperator": "EQUAL", "Value": 10**400}}}},
            "must be a finite number",
            "Dimensions.Metrics.spend.Value",
        ),
        ({"Dimensions": {"Attributes": {"Plan": {"Values": ["a\x00b"]}}}}, "NUL character", "body"),
        ('{"Dimensions": ', "not valid JSON", "definition"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON", "definition"),
        ("[1, 2]", "must be a JSON object", "definition"),
    ],
)
def test_the_live_estimate_shows_the_field_level_error(
    viewer: Client, tenant: Tenant, definition: Any, message: str, field: str
) -> None:
    html = estimate(viewer, tenant, definition)
    assert message in html
    assert f'data-error-field="{field}"' in html
    assert "data-count" not in html


def test_it_creates_and_versions_a_segment_from_the_builder(marketer: Client, tenant: Tenant, golfers: None) -> None:
    r = marketer.post(
        page(tenant, "segments/new/"), {"name": "Golfers", "definition": json.dumps({"Dimensions": GOLF})}
    )
    segment = Segment.objects.get(tenant=tenant, name="Golfers")
    assert r.status_code == 302 and r["Location"] == page(tenant, f"segments/{segment.public_id}/")
    assert segment.definition == {"Dimensions": GOLF} and segment.version == 1
    assert "created — version 1" in marketer.get(r["Location"]).content.decode()

    edit = page(tenant, f"segments/{segment.public_id}/edit/")
    r = marketer.post(edit, {"name": "Golfers", "definition": json.dumps(BIG_SPENDERS)}, follow=True)
    segment.refresh_from_db()
    assert segment.version == 2 and "new version 2" in r.content.decode()
    r = marketer.post(edit, {"name": "Golf fans", "definition": json.dumps(BIG_SPENDERS)}, follow=True)
    segment.refresh_from_db()
    assert (segment.name, segment.version) == ("Golf fans", 2) and "still version 2" in r.content.decode()
    marketer.post(edit, {"name": "Golf fans", "definition": "{}"})
    segment.refresh_from_db()
    assert (segment.definition, segment.version) == ({}, 3)  # no criteria at all is a change too


def test_a_refused_save_keeps_the_draft_and_names_the_field(marketer: Client, tenant: Tenant) -> None:
    draft = json.dumps({"Dimensions": GOLF})
    r = marketer.post(page(tenant, "segments/new/"), {"name": " ", "definition": draft})
    html = r.content.decode()
    assert r.status_code == 400 and "Give the segment a name" in html and 'class="field has-error"' in html
    assert "Golf".lower() in html and "Interests" in html  # the draft is still in the form
    r = marketer.post(page(tenant, "segments/new/"), {"name": "Bad", "definition": '{"Dimensions": {"Metrics": 3}}'})
    assert r.status_code == 400 and "Dimensions.Metrics must be a JSON object" in r.content.decode()
    assert not Segment.objects.filter(tenant=tenant).exists()


def test_delete_is_refused_while_in_use_with_the_message(marketer: Client, tenant: Tenant) -> None:
    base = make(tenant, "Base")
    child = make(tenant, "Child", {"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": base.public_id}]}]}})
    r = marketer.post(page(tenant, f"segments/{base.public_id}/delete/"), follow=True)
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == page(tenant, f"segments/{base.public_id}/")
    assert "is in use by segment “Child” (as a base segment)" in html and 'class="error"' in html
    assert Segment.objects.filter(pk=base.pk).exists()

    r = marketer.post(page(tenant, f"segments/{child.public_id}/delete/"), follow=True)
    assert r.redirect_chain[-1][0] == page(tenant, "segments/") and "deleted" in r.content.decode()
    assert not Segment.objects.filter(pk=child.pk).exists()
    assert AuditLog.objects.filter(tenant=tenant, action="segment.delete").count() == 1


def test_copy_and_refine(marketer: Client, tenant: Tenant, golfers: None) -> None:
    segment = make(tenant)
    r = marketer.post(page(tenant, f"segments/{segment.public_id}/copy/"), {"name": "Big spenders B"})
    copy = Segment.objects.get(tenant=tenant, name="Big spenders B")
    assert r["Location"] == page(tenant, f"segments/{copy.public_id}/") and copy.definition == segment.definition

    imported = Segment.objects.create(
        tenant=tenant,
        name="VIP list",
        kind=Segment.Kind.IMPORT,
        import_source="s3://bucket/vip.csv",
        import_size=2,
        import_format="CSV",
        channel_counts={"EMAIL": 2},
    )
    for endpoint in Endpoint.objects.filter(tenant=tenant, endpoint_id__in=["g1", "t1"]):
        ImportedMember.objects.create(segment=imported, endpoint=endpoint)
    html = marketer.get(page(tenant, f"segments/{imported.public_id}/")).content.decode()
    assert "s3://bucket/vip.csv" in html and "EMAIL · 2" in html and "Refine with filters" in html
    assert marketer.get(page(tenant, f"segments/{imported.public_id}/edit/"))["Location"].endswith(
        f"segments/{imported.public_id}/"
    )
    r = marketer.post(page(tenant, f"segments/{imported.public_id}/copy/"), {"refine": "1"})
    refined = Segment.objects.get(tenant=tenant, name="VIP list (refined)")
    assert r["Location"] == page(tenant, f"segments/{refined.public_id}/edit/")
    assert refined.definition["SegmentGroups"]["Groups"][0]["SourceSegments"] == [{"Id": imported.public_id}]
    exports = marketer.get(page(tenant, f"exports/?segment={imported.public_id}")).content.decode()
    assert re.search(rf'<option value="{imported.public_id}" selected>', exports)
    cell = marketer.get(page(tenant, f"segments/{imported.public_id}/estimate/?as=cell")).content.decode()
    assert 'data-eligible="2" data-total="2"' in cell


def test_explain_shows_each_criterion_and_the_audience_guard(admin: Client, tenant: Tenant, golfers: None) -> None:
    segment = make(tenant)
    url = page(tenant, f"segments/{segment.public_id}/explain/")
    html = admin.get(url + "?endpoint_id=g2", headers=HX).content.decode()
    assert "is not in “Big spenders”" in html
    assert re.search(r"✓</span><span>Attributes.Interests is any of \[golf\]", html)
    assert re.search(r"✗</span><span>Metrics.spend GREATER_THAN_OR_EQUAL 100", html)
    assert "Off — no extra condition" in html

    guard = {"Dimensions": {"Demographic": {"Platform": {"Values": ["android"]}}}}
    admin.post(page(tenant, "segments/audience-guard/"), {"enabled": "on", "definition": json.dumps(guard)})
    html = admin.get(url + "?endpoint_id=g1", headers=HX).content.decode()
    assert "but would not receive messages" in html and "fails the audience guard" in html
    assert "Demographic.Platform is any of [android]" in html
    assert "No endpoint “nobody” in this tenant" in admin.get(url + "?endpoint_id=nobody", headers=HX).content.decode()
    assert admin.get(url + "?endpoint_id=g1")["Location"].endswith(f"/{segment.public_id}/?endpoint_id=g1#explain")

    check = admin.get(page(tenant, f"segments/explain/?segment={segment.public_id}&endpoint_id=g1"), headers=HX)
    assert "fails the audience guard" in check.content.decode()
    endpoint_page = admin.get(page(tenant, "endpoints/g1/")).content.decode()
    assert "Is it in a segment?" in endpoint_page and segment.public_id in endpoint_page


def test_the_audience_guard_page_saves_through_the_service(admin: Client, tenant: Tenant, golfers: None) -> None:
    guard = json.dumps({"Dimensions": {"Demographic": {"Platform": {"Values": ["ios"]}}}})
    html = estimate(admin, tenant, guard, mode="guard")
    assert counts(html) == {"eligible-before-guard": 3, "excluded": 1, "eligible": 2}  # t1 (android) held back

    r = admin.post(page(tenant, "segments/audience-guard/"), {"enabled": "on", "definition": guard}, follow=True)
    assert "Audience guard saved." in r.content.decode()
    stored = AudienceGuard.objects.get(tenant=tenant)
    platform = {"DimensionType": "INCLUSIVE", "Values": ["ios"]}
    assert stored.enabled and stored.definition == {"Dimensions": {"Demographic": {"Platform": platform}}}
    assert AuditLog.objects.filter(tenant=tenant, action="audience_guard.set").count() == 1
    html = admin.get(page(tenant, "segments/audience-guard/")).content.decode()
    assert 'name="enabled" checked' in html and "Platform" in html
    assert counts(estimate(admin, tenant, {}))["eligible"] == 2  # the builder's panel applies the guard now

    r = admin.post(page(tenant, "segments/audience-guard/"), {"enabled": "on", "definition": "{}"})
    assert r.status_code == 400 and "needs at least one criterion" in r.content.decode()
    settings = admin.get(f"/t/{tenant.public_id}/settings/").content.decode()
    assert page(tenant, "segments/audience-guard/") in settings


def test_the_list_searches_counts_lazily_and_explains_an_empty_tenant(
    marketer: Client, tenant: Tenant, golfers: None
) -> None:
    html = marketer.get(page(tenant, "segments/")).content.decode()
    assert "No segments yet" in html and "Build a segment" in html
    make(tenant, "Golfers")
    make(tenant, "Tennis", {"Dimensions": {"Attributes": {"Interests": {"Values": ["tennis"]}}}})
    html = marketer.get(page(tenant, "segments/?q=golf")).content.decode()
    assert "Golfers" in html and "Tennis" not in html and 'hx-trigger="revealed"' in html
    assert re.search(r'<a href="[^"]+/segments/"[^>]*class="active"', html)  # Segments lit, not Endpoints too
    assert not re.search(r'<a href="[^"]+/audience/"[^>]*class="active"', html)


def test_another_tenants_segment_is_not_found(marketer: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make(other_tenant)
    for path in ("", "edit/", "estimate/", "explain/?endpoint_id=x"):
        assert marketer.get(page(tenant, f"segments/{theirs.public_id}/{path}")).status_code == 404, path
    for path in ("edit/", "copy/", "delete/"):
        assert marketer.post(page(tenant, f"segments/{theirs.public_id}/{path}"), {"name": "x"}).status_code == 404
    r = marketer.get(page(tenant, f"segments/explain/?segment={theirs.public_id}&endpoint_id=x"), headers=HX)
    assert "Choose a segment" in r.content.decode()
    assert Segment.objects.get(pk=theirs.pk).name == "Big spenders"


@pytest.mark.django_db(databases=["default", "sqlite"])
@pytest.mark.parametrize("alias", ["default", "sqlite"])
def test_value_suggestions_come_from_one_bounded_query_on_both_databases(alias: str) -> None:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from engage.clock import now

    tenant = Tenant.objects.using(alias).create(name="Suggest")
    for i, (interests, platform) in enumerate([(["golf", "jazz"], "ios"), (["golf"], "ios"), (["chess"], "android")]):
        Endpoint.objects.using(alias).create(
            tenant=tenant,
            endpoint_id=f"e{i}",
            channel_type="EMAIL",
            address=f"e{i}@x.test",
            cohort_id="1",
            attributes={"Interests": interests},
            platform=platform,
            effective_date=now(),
            creation_date=now(),
        )
    with CaptureQueriesContext(connections[alias]) as queries:
        values = value_suggestions(tenant=tenant, field="attribute", name="Interests", using=alias)
    assert values == [("golf", 2), ("chess", 1), ("jazz", 1)] and len(queries) == 1
    assert "LIMIT" in queries[0]["sql"]
    assert value_suggestions(tenant=tenant, field="Platform", using=alias) == [("ios", 2), ("android", 1)]
    assert value_suggestions(tenant=tenant, field="attribute", name="Missing", using=alias) == []
    assert ("EMAIL", 0) in value_suggestions(tenant=tenant, field="Channel", using=alias)
