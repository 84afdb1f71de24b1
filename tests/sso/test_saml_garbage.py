"""Whatever is posted to a tenant's ACS, the answer is a clear refusal, never a server error."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from engage.tenancy.models import Tenant
from tests.factories import TenantFactory
from tests.sso.conftest import KeyPair, configure_sso

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db: Any, idp_keys: KeyPair) -> Tenant:
    tenant = TenantFactory(name="Acme")
    configure_sso(
        tenant,
        saml_enabled=True,
        saml_entity_id="https://idp.acme.test/metadata",
        saml_sso_url="https://idp.acme.test/sso",
        saml_x509cert=idp_keys.cert_pem,
    )
    return tenant


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"SAMLResponse": "%%% not base64"},
        {"SAMLResponse": b64("hello")},
        {"SAMLResponse": b64("<notsaml/>")},
        {"SAMLResponse": b64('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x"/>')},
        {"SAMLResponse": b64('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')},
    ],
    ids=["nothing", "not-base64", "not-xml", "not-saml", "empty-response", "doctype"],
)
def test_it_refuses_garbage_with_a_clear_page(acme: Tenant, body: dict[str, str]) -> None:
    client = Client()
    acs = client.post(f"/accounts/saml/{acme.public_id}/acs/", body)

    response = client.get(acs["Location"])

    assert response.status_code in (400, 401, 403), response.content[:300]
    assert b"Nobody was logged in" in response.content
    assert "_auth_user_id" not in client.session


def test_an_unknown_tenant_has_no_acs(db: Any) -> None:
    client = Client()
    acs = client.post(f"/accounts/saml/{'0' * 32}/acs/", {"SAMLResponse": b64("hello")})

    assert client.get(acs["Location"]).status_code == 404
    assert client.get(f"/accounts/saml/{'0' * 32}/metadata/").status_code == 404
