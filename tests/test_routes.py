"""The generic tenant-isolation test: every tenant route, walked with another tenant's ids, answers 404.

Routes are found by walking Django's URL resolver, so a new tenant route is covered the day it is added.
A route this module cannot build arguments for fails the suite until someone teaches it (usually by
adding a line to VIEW_MODELS or FACTORIES in tests/route_tables.py); so does any unscoped route not in
the allow-list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.apps import apps
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from engage.tenancy.models import ROLE_CAPABILITIES, ApiKey, Role, Tenant
from engage.tenancy.services import apikey_create
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.route_tables import (
    ALL_METHODS,
    EXCLUDED_PREFIXES,
    FACTORIES,
    FORM_BODY,
    JSON_BODY,
    NESTED_KWARGS,
    PUBLIC_PREFIXES,
    PUBLIC_ROUTES,
    TENANT_KWARG,
    UPSERTS,
    VIEW_MODELS,
    WRITE_METHODS,
)


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    kwargs: frozenset[str]
    callback: Any

    def __str__(self) -> str:
        return self.name or self.route

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_viewset(self) -> bool:
        return hasattr(self.callback, "actions") and hasattr(self.callback, "cls")

    def allows(self, method: str) -> bool:
        """Whether the view has a handler for `method` (not whether the caller may use it)."""
        if self.is_viewset:
            actions = self.callback.actions
            return method.lower() in actions or (method == "HEAD" and "get" in actions) or method == "OPTIONS"
        view_class = self.view_class
        if view_class is None:
            return True  # a function view: assume it answers anything
        return method.lower() in view_class.http_method_names and (
            hasattr(view_class, method.lower()) or (method == "HEAD" and hasattr(view_class, "get"))
        )

    @property
    def view_class(self) -> Any:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def lookup(self) -> tuple[str, str] | None:
        """(URL kwarg, model field) naming the object, or None for a collection route."""
        extra = sorted(self.kwargs - {TENANT_KWARG} - set(NESTED_KWARGS))
        if not extra:
            return None
        if self.is_viewset:
            field = getattr(self.view_class, "lookup_field", "pk")
            return getattr(self.view_class, "lookup_url_kwarg", None) or field, field
        declared = VIEW_MODELS.get(self.name or "")
        return extra[0], declared[1] if isinstance(declared, tuple) else "pk"

    def model(self) -> str | None:
        declared = VIEW_MODELS.get(self.name or "")
        if declared is not None:
            return declared[0] if isinstance(declared, tuple) else declared
        queryset = getattr(self.view_class, "queryset", None)
        return queryset.model._meta.label if queryset is not None else None


def walk(
    resolver: URLResolver, prefix: str = "", namespace: str = "", kwargs: frozenset[str] = frozenset()
) -> Iterator[Route]:
    """Every URL pattern under `resolver`: full route, namespaced name and all keyword arguments on the way."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        here = kwargs | frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route, f"{namespace}{entry.namespace}:" if entry.namespace else namespace, here)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(route=route, name=name, kwargs=here, callback=entry.callback)


ROUTES = [r for r in walk(get_resolver()) if not r.route.startswith(EXCLUDED_PREFIXES)]
TENANT_ROUTES = [r for r in ROUTES if TENANT_KWARG in r.kwargs]
OBJECT_ROUTES = [r for r in TENANT_ROUTES if r.lookup]
API_TENANT_ROUTES = [r for r in TENANT_ROUTES if r.is_api]


@dataclass
class Side:
    """One tenant with an owner, a viewer and one object of every model its routes name."""

    tenant: Tenant
    owner: Client
    viewer: Client
    objects: dict[str, models.Model]

    def url(self, route: Route, *, objects_of: Side | None = None, lookup_value: str | None = None) -> str:
        """The route's address in this tenant, naming the object of `objects_of` (default: this side)."""
        assert route.name, f"{route.route}: a tenant route needs a name so the isolation test can reverse it"
        kwargs: dict[str, Any] = {TENANT_KWARG: self.tenant.public_id}
        lookup = route.lookup
        if lookup is not None:
            kwarg, field = lookup
            unknown = route.kwargs - {TENANT_KWARG, kwarg} - set(NESTED_KWARGS)
            assert not unknown, f"{route.route}: no way to build {sorted(unknown)}; teach tests/test_routes.py"
            for nested in sorted(route.kwargs & set(NESTED_KWARGS)):
                nested_label, nested_field = NESTED_KWARGS[nested]
                kwargs[nested] = getattr((objects_of or self).objects[nested_label], nested_field)
            label = route.model()
            assert label, f"{route}: cannot tell which model `{kwarg}` names; add the route to VIEW_MODELS"
            assert label in FACTORIES, f"{route}: no factory for {label}; add one to FACTORIES"
            obj = (objects_of or self).objects[label]
            kwargs[kwarg] = lookup_value if lookup_value is not None else getattr(obj, field)
            assert kwargs[kwarg] not in ("", None), f"{route}: the {label} factory leaves {field} empty"
        url = reverse(route.name, kwargs=kwargs)
        assert resolve(url).func is route.callback, f"{url} does not reach the view of {route.route}"
        return url


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _side(name: str) -> Side:
    tenant = cast(Tenant, TenantFactory(name=name))
    owner = MembershipFactory(tenant=tenant, user=UserFactory(), role=Role.OWNER)
    viewer = MembershipFactory(tenant=tenant, user=UserFactory(), role=Role.VIEWER)
    return Side(
        tenant=tenant,
        owner=_login(owner.user),
        viewer=_login(viewer.user),
        objects={label: make(tenant) for label, make in FACTORIES.items()},
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Dozens of users per test; the production hasher's cost is not what this module is about."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def a(db: Any) -> Side:
    return _side("Acme Route Walk")


@pytest.fixture
def b(db: Any) -> Side:
    return _side("Globex Route Walk")


def send(client: Client, route: Route, method: str, url: str, **extra: Any) -> HttpResponse:
    call = getattr(client, method.lower())
    if method in ("GET", "HEAD", "OPTIONS"):
        return call(url, **extra)
    if route.is_api:
        return call(url, data=json.dumps(JSON_BODY), content_type="application/json", **extra)
    if method == "POST":
        return call(url, data=FORM_BODY, **extra)
    return call(url, data="&".join(f"{k}={v}" for k, v in FORM_BODY.items()), **extra)


TENANT_MODELS = [
    model
    for model in apps.get_models()
    if any(f.is_relation and f.related_model is Tenant and f.name == "tenant" for f in model._meta.fields)
]


def snapshot(tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tenant, in every tenant-owned table (last-used hints left out)."""
    rows: dict[str, list[dict[str, Any]]] = {
        "tenancy.Tenant": [dict(r) for r in Tenant.objects.filter(pk=tenant.pk).values()]
    }
    for model in TENANT_MODELS:
        rows[model._meta.label] = list(model._default_manager.filter(tenant=tenant).order_by("pk").values())
    for table in rows.values():
        for row in table:
            row.pop("last_used_at", None)
    return rows


def _missing_id(route: Route, side: Side) -> str:
    """An id of the route's shape that names no object at all."""
    for candidate in ("999999999", "0" * 32, "no-such-object"):
        try:
            side.url(route, lookup_value=candidate)
        except NoReverseMatch:
            continue
        return candidate
    raise AssertionError(f"{route}: cannot make up an id that matches its URL pattern")


def declared_read(route: Route, method: str) -> bool:
    """A write method the view declares a read (an action needing only VIEW, like estimating a draft)."""
    if not route.is_viewset:
        # A console view whose writes need only VIEW: the segment builder posts its draft for the live estimate.
        needed = getattr(route.view_class, "write_capability", None)
        return needed in ROLE_CAPABILITIES[Role.VIEWER]
    action = route.callback.actions.get(method.lower())
    needed = getattr(route.view_class, "action_capabilities", {}).get(action)
    return needed in ROLE_CAPABILITIES[Role.VIEWER]


def methods_for(route: Route) -> list[str]:
    """GET and POST always, plus every other method the view maps (OPTIONS is checked on its own)."""
    return [m for m in ALL_METHODS if m != "OPTIONS" and (m in ("GET", "POST") or route.allows(m))]


def test_it_finds_the_tenant_routes_it_knows_about() -> None:
    names = {r.name for r in TENANT_ROUTES}
    assert {
        "api:campaign-detail",
        "api:member-list",
        "api:tenant-detail",
        "campaigns:delete",
        "tenancy:member",
    } <= names
    assert {r.route for r in TENANT_ROUTES} >= {
        "t/<str:tenant_id>/campaigns/<int:pk>/delete/",
        "api/v1/tenants/<str:tenant_id>/^campaigns/(?P<pk>[^/.]+)/$",
    }


def test_every_unscoped_route_is_meant_to_be_unscoped() -> None:
    stray = [
        r.route
        for r in ROUTES
        if TENANT_KWARG not in r.kwargs and r.route not in PUBLIC_ROUTES and not r.route.startswith(PUBLIC_PREFIXES)
    ]
    assert stray == [], f"routes without <tenant_id> that are not in the allow-list of tests/test_routes.py: {stray}"


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=str)
def test_it_hides_another_tenant_from_a_member(route: Route, a: Side, b: Side) -> None:
    before = snapshot(b.tenant)
    url = b.url(route)
    answers = {method: send(a.owner, route, method, url) for method in ALL_METHODS}
    assert {m: r.status_code for m, r in answers.items()} == dict.fromkeys(ALL_METHODS, 404), url
    for response in answers.values():
        assert b.tenant.name.encode() not in response.content
    assert snapshot(b.tenant) == before


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_it_hides_another_tenants_object_inside_your_own_tenant(route: Route, a: Side, b: Side) -> None:
    before = snapshot(b.tenant)
    url = a.url(route, objects_of=b)
    upserts = UPSERTS.get(str(route), set())
    # DRF's OPTIONS describes the route without the object: B's object must look like no object at all.
    nowhere = a.url(route, lookup_value=_missing_id(route, a))
    assert send(a.owner, route, "OPTIONS", url).content == send(a.owner, route, "OPTIONS", nowhere).content
    # Upserts go last: they create A's own object under that id, which later methods would then find.
    methods = sorted(methods_for(route), key=lambda m: m in upserts)
    answers = {method: send(a.owner, route, method, url) for method in methods}
    for method, response in answers.items():
        if method in upserts:
            assert 200 <= response.status_code < 300, (method, url, response.content)
        else:
            assert response.status_code == (404 if route.allows(method) else 405), (method, url, response.content)
    assert snapshot(b.tenant) == before


def _key_client(tenant: Tenant | None, role: str) -> Client:
    key, secret = apikey_create(tenant=tenant, name=f"{role} key", role=role, by="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.key_id}:{secret}")


@pytest.mark.parametrize("route", API_TENANT_ROUTES, ids=str)
def test_it_hides_another_tenant_from_an_api_key(route: Route, a: Side, b: Side) -> None:
    admin_of_a = _key_client(a.tenant, ApiKey.Role.ADMIN)
    operator = _key_client(None, ApiKey.Role.OPERATOR)  # manages tenants, reads none of them
    before = snapshot(b.tenant)
    url = b.url(route)
    for client in (admin_of_a, operator):
        answers = {method: send(client, route, method, url).status_code for method in ALL_METHODS}
        assert answers == dict.fromkeys(ALL_METHODS, 404), url
    assert snapshot(b.tenant) == before
    # The same key does reach its own tenant, so the 404s above are about the tenant, not the key.
    own = a.url(route)
    assert send(admin_of_a, route, "OPTIONS", own).status_code == 200, own


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=str)
def test_it_refuses_every_write_to_a_viewer(route: Route, a: Side) -> None:
    before = snapshot(a.tenant)
    url = a.url(route)
    for method in WRITE_METHODS:
        code = send(a.viewer, route, method, url).status_code
        if declared_read(route, method):
            assert code < 500, (method, url, code)  # allowed, but it must not change anything (below)
        else:
            assert code == 403 or (code == 405 and not route.allows(method)), (method, url, code)
    assert snapshot(a.tenant) == before
