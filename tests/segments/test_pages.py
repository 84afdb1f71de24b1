"""The audience console pages through Django's test client: endpoints and users."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from engage.events.models import Event
from engage.tenancy.models import AuditLog, Membership, Role, Tenant
from segments.forms import lists_to_text, text_to_lists
from segments.models import Endpoint
from segments.selectors import count_capped, endpoints_filter
from segments.services.endpoints import endpoints_upsert
from tests.segments.audience_pages import endpoint, event, event_ids, login, page, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.VIEWER))


@pytest.fixture
def marketer(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.MARKETER))


@pytest.fixture
def jane(tenant: Tenant) -> list[Endpoint]:
    user = {"UserId": "jane", "UserAttributes": {"FirstName": ["Jane"]}}
    return [
        endpoint(tenant, "jane-mail", User=user, Attributes={"Plan": ["pro"], "Teams": ["red", "blue"]}),
        endpoint(tenant, "jane-phone", ChannelType="SMS", Address="+821012345678", User={"UserId": "jane"}),
    ]


def test_every_page_renders_for_a_viewer_without_edit_controls(viewer: Client, tenant: Tenant, jane: Any) -> None:
    event(tenant, "jane-mail", "purchase", item="socks")
    for path, text in [
        ("", "jane-mail"),
        ("endpoints/jane-mail/", "purchase"),
        ("users/jane/", "jane-phone"),
        ("events/", "purchase"),
    ]:
        r = viewer.get(page(tenant, path))
        assert r.status_code == 200, path
        assert text in r.content.decode(), path
        assert "Edit endpoint" not in r.content.decode()
        assert "Erase this user" not in r.content.decode()
    assert viewer.get(page(tenant, "endpoints/jane-mail/edit/")).status_code == 403


def test_the_detail_page_shows_every_field_group_and_the_raw_json(viewer: Client, tenant: Tenant, jane: Any) -> None:
    endpoint(
        tenant,
        "jane-mail",
        Demographic={"Timezone": "Asia/Seoul", "Platform": "ios"},
        Location={"Country": "KR", "City": "Seoul", "Latitude": 37.56},
        Metrics={"visits": 3},
    )
    html = viewer.get(page(tenant, "endpoints/jane-mail/")).content.decode()
    for text in (
        "Channel",
        "User attributes",
        "Attributes",
        "Metrics",
        "Demographic",
        "Location",
        "CohortId",
        "RequestId",
        "Asia/Seoul",
        "Seoul",
        "37.6",
        "visits",
        "Pinpoint JSON",
        "&quot;ApplicationId&quot;",
    ):
        assert text in html, text
    assert f'href="{page(tenant, "users/jane/")}"' in html


def test_the_empty_endpoints_page_explains_how_endpoints_arrive(viewer: Client, tenant: Tenant) -> None:
    html = viewer.get(page(tenant)).content.decode()
    assert "No endpoints yet" in html
    assert f"PUT /api/v1/tenants/{tenant.public_id}/endpoints/" in html
    assert "PutEvents" in html


def test_it_searches_by_prefix_and_filters_by_channel_and_status(viewer: Client, tenant: Tenant, jane: Any) -> None:
    endpoint(tenant, "bob-mail", Address="bob@example.com", OptOut="ALL")
    endpoint(tenant, "old-phone", ChannelType="SMS", Address="+15555550100", EndpointStatus="INACTIVE")
    assert rows(viewer.get(page(tenant), {"q": "jane"}).content.decode()) == ["jane-mail", "jane-phone"]
    assert rows(viewer.get(page(tenant), {"q": "bob@ex"}).content.decode()) == ["bob-mail"]
    assert rows(viewer.get(page(tenant), {"channel": "SMS"}).content.decode()) == ["jane-phone", "old-phone"]
    assert rows(viewer.get(page(tenant), {"status": "INACTIVE"}).content.decode()) == ["old-phone"]
    assert rows(viewer.get(page(tenant), {"status": "OPTED_OUT"}).content.decode()) == ["bob-mail"]
    html = viewer.get(page(tenant), {"q": "nobody"}).content.decode()
    assert rows(html) == [] and "No endpoint matches “nobody”" in html


def test_it_pages_by_keyset_with_next_and_previous(viewer: Client, tenant: Tenant) -> None:
    items = [(f"ep-{n:03d}", {"ChannelType": "EMAIL", "Address": f"p{n}@example.com"}) for n in range(120)]
    endpoints_upsert(tenant=tenant, items=items[:100])
    endpoints_upsert(tenant=tenant, items=items[100:])
    first = viewer.get(page(tenant)).content.decode()
    assert rows(first) == [f"ep-{n:03d}" for n in range(50)]
    assert "<strong>120</strong> endpoints" in first
    second = viewer.get(page(tenant), {"after": "ep-049"}).content.decode()
    assert rows(second) == [f"ep-{n:03d}" for n in range(50, 100)]
    last = viewer.get(page(tenant), {"after": "ep-099"}).content.decode()
    assert rows(last) == [f"ep-{n:03d}" for n in range(100, 120)] and 'rel="next"' not in last
    back = viewer.get(page(tenant), {"before": "ep-100"}).content.decode()
    assert rows(back) == rows(second)
    assert count_capped(endpoints_filter(tenant=tenant), cap=50) == (50, True)


def test_a_viewer_cannot_write(viewer: Client, tenant: Tenant, jane: Any) -> None:
    answers = [
        viewer.post(page(tenant, "endpoints/jane-mail/edit/"), {"channel_type": "EMAIL", "address": "x@example.com"}),
        viewer.post(page(tenant, "endpoints/jane-mail/delete/")),
        viewer.post(page(tenant, "users/jane/erase/"), {"confirm": "jane"}),
    ]
    assert [r.status_code for r in answers] == [403, 403, 403]
    assert Endpoint.objects.filter(tenant=tenant).count() == 2
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="jane-mail").address == "jane-mail@example.com"


def form_data(client: Client, tenant: Tenant, endpoint_id: str) -> dict[str, Any]:
    """The edit form as the page renders it (every input and textarea with its current value)."""
    r = client.get(page(tenant, f"endpoints/{endpoint_id}/edit/"))
    assert r.status_code == 200
    form = r.context["form"]
    return {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}


def test_a_marketer_edits_an_endpoint_and_omitted_attributes_are_removed(
    marketer: Client, tenant: Tenant, jane: Any
) -> None:
    data = form_data(marketer, tenant, "jane-mail")
    assert data["attributes"] == "Plan = pro\nTeams = red, blue"
    data |= {
        "attributes": 'Plan = enterprise\nInterests = "Rock, Pop", Jazz',
        "user_attributes": "FirstName = Janet",
        "metrics": "visits = 4",
        "timezone": "Europe/Paris",
        "opt_out": "ALL",
    }
    r = marketer.post(page(tenant, "endpoints/jane-mail/edit/"), data)
    assert r.status_code == 302 and r.url == page(tenant, "endpoints/jane-mail/")
    saved = Endpoint.objects.get(tenant=tenant, endpoint_id="jane-mail")
    assert saved.attributes == {"Plan": ["enterprise"], "Interests": ["Rock, Pop", "Jazz"]}
    assert saved.user_attributes == {"FirstName": ["Janet"]}
    assert (saved.metrics, saved.timezone, saved.opt_out, saved.user_id) == (
        {"visits": 4},
        "Europe/Paris",
        "ALL",
        "jane",
    )
    assert "Endpoint jane-mail saved." in marketer.get(r.url).content.decode()


def test_a_refused_field_shows_on_that_field_and_saves_nothing(marketer: Client, tenant: Tenant, jane: Any) -> None:
    before = Endpoint.objects.get(tenant=tenant, endpoint_id="jane-phone")
    data = form_data(marketer, tenant, "jane-phone") | {"address": "010-1234-5678", "attributes": "Plan = free"}
    r = marketer.post(page(tenant, "endpoints/jane-phone/edit/"), data)
    assert r.status_code == 400
    assert list(r.context["form"].errors) == ["address"]
    assert "E.164" in r.context["form"].errors["address"][0]
    assert re.search(r'class="field has-error">\s*<label for="id_address"', r.content.decode())
    after = Endpoint.objects.get(tenant=tenant, endpoint_id="jane-phone")
    assert (after.address, after.attributes, after.effective_date) == (before.address, {}, before.effective_date)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attributes", "Plan pro", "line 1: write it as name = value"),
        ("attributes", 'Plan = "unclosed', "put quotes around the whole value"),
        ("metrics", "visits = lots", "visits must be a number"),
        ("timezone", "Mars/Olympus", "not an IANA time zone"),
        ("latitude", "123", "between -90 and 90"),
        ("user_attributes", "Bio = " + "x" * 101, "longer than 100 characters"),
    ],
)
def test_each_kind_of_bad_input_is_reported_on_its_field(
    marketer: Client, tenant: Tenant, jane: Any, field: str, value: str, message: str
) -> None:
    r = marketer.post(
        page(tenant, "endpoints/jane-mail/edit/"), form_data(marketer, tenant, "jane-mail") | {field: value}
    )
    assert r.status_code == 400
    assert message in " ".join(r.context["form"].errors.get(field, [])), r.context["form"].errors
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="jane-mail").attributes == {
        "Plan": ["pro"],
        "Teams": ["red", "blue"],
    }


def test_removing_a_metric_is_explained_not_silently_ignored(marketer: Client, tenant: Tenant, jane: Any) -> None:
    endpoint(tenant, "jane-mail", Metrics={"visits": 3})
    r = marketer.post(
        page(tenant, "endpoints/jane-mail/edit/"), form_data(marketer, tenant, "jane-mail") | {"metrics": ""}
    )
    assert r.status_code == 400
    assert "visits cannot be removed" in r.context["form"].errors["metrics"][0]


def test_a_marketer_deletes_an_endpoint(marketer: Client, tenant: Tenant, jane: Any) -> None:
    r = marketer.post(page(tenant, "endpoints/jane-mail/delete/"))
    assert r.status_code == 302 and r.url == page(tenant)
    assert not Endpoint.objects.filter(tenant=tenant, endpoint_id="jane-mail").exists()
    assert AuditLog.objects.get(tenant=tenant, action="endpoint.delete").data == {"endpoint_id": "jane-mail"}
    assert marketer.post(page(tenant, "endpoints/jane-mail/delete/")).status_code == 404


def test_the_user_page_shows_all_endpoints_attributes_and_events(viewer: Client, tenant: Tenant, jane: Any) -> None:
    first = event(tenant, "jane-mail", "open")
    second = event(tenant, "jane-phone", "reply")
    endpoint(tenant, "someone-else", User={"UserId": "bob"})
    event(tenant, "someone-else", "open")
    r = viewer.get(page(tenant, "users/jane/"))
    html = r.content.decode()
    assert [e.endpoint_id for e in r.context["endpoints"]] == ["jane-mail", "jane-phone"]
    assert r.context["user_attributes"] == {"FirstName": ["Jane"]}
    assert event_ids(html) == [second.pk, first.pk]
    assert viewer.get(page(tenant, "users/nobody/")).status_code == 404


def test_erasing_a_user_requires_the_typed_user_id(marketer: Client, tenant: Tenant, jane: Any) -> None:
    event(tenant, "jane-mail", "open")
    r = marketer.post(page(tenant, "users/jane/erase/"), {"confirm": "Jane"})
    assert r.status_code == 400
    assert "Type jane exactly" in r.content.decode() and "data-open-on-load" in r.content.decode()
    assert Endpoint.objects.filter(tenant=tenant, user_id="jane").count() == 2
    r = marketer.post(page(tenant, "users/jane/erase/"), {"confirm": "jane"})
    assert r.status_code == 302 and r.url == page(tenant)
    assert not Endpoint.objects.filter(tenant=tenant, user_id="jane").exists()
    assert not Event.objects.filter(tenant=tenant).exists()
    entry = AuditLog.objects.get(tenant=tenant, action="user.erase")
    assert entry.data["user_id"] == "jane" and entry.data["endpoints"] == 2
    assert marketer.get(page(tenant, "users/jane/")).status_code == 404


def test_another_tenants_endpoint_and_user_are_not_found(
    marketer: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    endpoint(other_tenant, "theirs", User={"UserId": "their-user"})
    for path in ("endpoints/theirs/", "endpoints/theirs/edit/", "users/their-user/"):
        assert marketer.get(page(tenant, path)).status_code == 404, path
    assert marketer.post(page(tenant, "endpoints/theirs/edit/"), {"channel_type": "EMAIL"}).status_code == 404
    assert marketer.post(page(tenant, "endpoints/theirs/delete/")).status_code == 404
    assert marketer.post(page(tenant, "users/their-user/erase/"), {"confirm": "their-user"}).status_code == 404
    assert marketer.get(page(other_tenant)).status_code == 404
    assert Endpoint.objects.filter(tenant=other_tenant).count() == 1
    assert not Endpoint.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize(
    "query", [{"channel": "BOGUS"}, {"status": "x"}, {"after": "\x00"}, {"before": "é" * 400}, {"q": "%_\\"}]
)
def test_bad_endpoint_list_parameters_never_fail(
    viewer: Client, tenant: Tenant, jane: Any, query: dict[str, str]
) -> None:
    assert viewer.get(page(tenant), query).status_code == 200


def test_attribute_text_round_trips_values_with_commas_and_quotes() -> None:
    values = {"Tags": ["Rock, Pop", 'say "hi"', " padded ", ""], "Plan": ["pro"]}
    assert text_to_lists(lists_to_text(values)) == values
    assert text_to_lists("A = x,  y ,\n\nB =") == {"A": ["x", "y"], "B": []}


def test_odd_endpoint_and_user_ids_render_and_link_safely(viewer: Client, tenant: Tenant) -> None:
    endpoint(tenant, "dev/1", Address="d1@example.com", User={"UserId": "team/a"})  # a slash cannot be routed
    endpoint(tenant, "a b?c#d", Address="ab@example.com", User={"UserId": "<jane>"})
    r = viewer.get(page(tenant))
    html = r.content.decode()
    assert r.status_code == 200 and rows(html) == ["a b?c#d", "dev/1"]
    assert f'href="{page(tenant, "endpoints/a%20b%3Fc%23d/")}"' in html
    assert "&lt;jane&gt;" in html and "<jane>" not in html
    assert viewer.get(page(tenant, "endpoints/a%20b%3Fc%23d/")).status_code == 200
    assert viewer.get(page(tenant, "users/%3Cjane%3E/")).status_code == 200
