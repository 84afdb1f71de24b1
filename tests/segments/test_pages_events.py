"""The event stream page through Django's test client: filters, the live partial, older pages, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from engage.tenancy.models import Membership, Role, Tenant
from segments.models import Endpoint
from tests.segments.audience_pages import endpoint, event, event_ids, login, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(tenant: Tenant, member_factory: Callable[..., Membership]) -> Client:
    return login(member_factory(tenant, Role.VIEWER))


@pytest.fixture
def jane(tenant: Tenant) -> list[Endpoint]:
    return [endpoint(tenant, name, User={"UserId": "jane"}) for name in ("jane-mail", "jane-phone")]


def test_the_event_stream_filters_on_type_endpoint_and_user(viewer: Client, tenant: Tenant, jane: Any) -> None:
    a = event(tenant, "jane-mail", "open")
    b = event(tenant, "jane-phone", "reply")
    endpoint(tenant, "bob-mail", User={"UserId": "bob"})
    c = event(tenant, "bob-mail", "open")
    stream = page(tenant, "events/")
    assert event_ids(viewer.get(stream).content.decode()) == [c.pk, b.pk, a.pk]
    assert event_ids(viewer.get(stream, {"event_type": "open"}).content.decode()) == [c.pk, a.pk]
    assert event_ids(viewer.get(stream, {"endpoint_id": "jane-phone"}).content.decode()) == [b.pk]
    assert event_ids(viewer.get(stream, {"user_id": "jane"}).content.decode()) == [b.pk, a.pk]


def test_the_live_partial_returns_only_newer_events(viewer: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    seen = event(tenant, "d1", "open")
    stream = page(tenant, "events/")
    html = viewer.get(stream).content.decode()
    assert f"after={seen.pk}" in html and 'hx-trigger="every 3s"' in html
    assert viewer.get(stream, {"after": seen.pk}).status_code == 204
    event(other_tenant, "d1", "open")
    newer = [event(tenant, "d1", "click"), event(tenant, "d2", "open")]
    r = viewer.get(stream, {"after": seen.pk}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and event_ids(html) == [newer[1].pk, newer[0].pk]
    assert 'hx-swap-oob="true"' in html and f"after={newer[1].pk}" in html
    assert event_ids(viewer.get(stream, {"after": seen.pk, "event_type": "click"}).content.decode()) == [newer[0].pk]


def test_older_events_load_below_the_last_one(viewer: Client, tenant: Tenant) -> None:
    created = [event(tenant, "d1", f"step.{n}") for n in range(55)]
    stream = page(tenant, "events/")
    first = viewer.get(stream).content.decode()
    assert event_ids(first) == [e.pk for e in created[::-1][:50]]
    r = viewer.get(stream, {"before": created[5].pk}, HTTP_HX_REQUEST="true")
    assert event_ids(r.content.decode()) == [e.pk for e in created[4::-1]]
    assert "<html" not in r.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"after": "abc"},
        {"after": "-1"},
        {"after": "9" * 30},
        {"before": "zzz"},
        {"before": "99999999"},
        {"event_type": "x" * 5000},
        {"endpoint_id": "\x00"},
    ],
)
def test_bad_stream_parameters_never_fail(viewer: Client, tenant: Tenant, query: dict[str, str]) -> None:
    assert viewer.get(page(tenant, "events/"), query).status_code == 200
