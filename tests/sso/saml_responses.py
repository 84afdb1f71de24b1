"""SAML responses built and signed in-process (python3-saml's signing helper) for fast tests of the ACS.

Every field an attacker or a broken IdP could get wrong is a parameter: issuer, audience, validity, signing key
and algorithm, what is signed, and the person.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from django.test import Client
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from engage.tenancy.models import Tenant

NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
ASSERTION = """<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
ID="{assertion_id}" Version="2.0" IssueInstant="{now}">
<saml:Issuer>{issuer}</saml:Issuer>
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{email}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData {in_response_to_attr} NotOnOrAfter="{not_after}" Recipient="{acs}"/>
</saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}">
<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AuthnStatement AuthnInstant="{now}" SessionIndex="_{session}"><saml:AuthnContext>
<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef>
</saml:AuthnContext></saml:AuthnStatement>
<saml:AttributeStatement>{attributes}</saml:AttributeStatement>
</saml:Assertion>"""
RESPONSE = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" \
xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{response_id}" Version="2.0" IssueInstant="{now}" \
Destination="{acs}" {in_response_to_attr}>
<saml:Issuer>{issuer}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{assertion}
</samlp:Response>"""


def _instant(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(name: str, values: list[str]) -> str:
    inner = "".join(f'<saml:AttributeValue xsi:type="xs:string">{escape(v)}</saml:AttributeValue>' for v in values)
    return f'<saml:Attribute Name="{escape(name)}">{inner}</saml:Attribute>'


@dataclass(frozen=True)
class SamlResponse:
    """One IdP response to one AuthnRequest; `.encoded()` is the SAMLResponse form value."""

    issuer: str
    acs: str
    audience: str
    key_pem: str
    cert_pem: str
    email: str = "alice@acme.test"
    in_response_to: str | None = None
    groups: tuple[str, ...] = ()
    valid_for: datetime.timedelta = datetime.timedelta(minutes=5)
    issued_ago: datetime.timedelta = datetime.timedelta(0)
    sign_assertion: bool = True
    sign_response: bool = True
    algorithm: str = Saml.RSA_SHA256
    digest: str = Saml.SHA256
    tamper_email: str | None = None  # changed after signing
    ids: tuple[str, str] = field(default_factory=lambda: (f"_{uuid.uuid4().hex}", f"_{uuid.uuid4().hex}"))

    def but(self, **changes: object) -> SamlResponse:
        return replace(self, **changes)  # type: ignore[arg-type]

    def xml(self) -> bytes:
        now = datetime.datetime.now(datetime.UTC) - self.issued_ago
        irt = f'InResponseTo="{self.in_response_to}"' if self.in_response_to else ""
        attributes = [_attribute("email", [self.email]), _attribute("first_name", ["Alice"])]
        attributes.append(_attribute("last_name", ["Example"]))
        if self.groups:
            attributes.append(_attribute("groups", list(self.groups)))
        values = {
            "now": _instant(now),
            "not_before": _instant(now - datetime.timedelta(minutes=1)),
            "not_after": _instant(now + self.valid_for),
            "issuer": escape(self.issuer),
            "acs": escape(self.acs),
            "audience": escape(self.audience),
            "email": escape(self.email),
            "in_response_to_attr": irt,
            "session": uuid.uuid4().hex,
            "attributes": "".join(attributes),
            "response_id": self.ids[0],
            "assertion_id": self.ids[1],
        }
        assertion = ASSERTION.format(**values)
        if self.sign_assertion:
            assertion = self._sign(assertion.encode()).decode()
        response = RESPONSE.format(**values, assertion=assertion).encode()
        if self.sign_response:
            response = self._sign(response)
        if self.tamper_email:
            response = response.replace(f">{self.email}<".encode(), f">{self.tamper_email}<".encode())
        return response

    def _sign(self, xml: bytes) -> bytes:
        signed = OneLogin_Saml2_Utils.add_sign(
            etree.fromstring(xml),
            self.key_pem,
            self.cert_pem,
            sign_algorithm=self.algorithm,
            digest_algorithm=self.digest,
        )
        return signed if isinstance(signed, bytes) else str(signed).encode()

    def encoded(self) -> str:
        return base64.b64encode(self.xml()).decode()


def start_login(client: Client, tenant: Tenant, next_url: str | None = None) -> str:
    """Start a SAML login as a browser would (POST to allauth's login URL); returns the AuthnRequest's ID."""
    data = {"next": next_url} if next_url else {}
    response = client.post(f"/accounts/saml/{tenant.public_id}/login/", data)
    assert response.status_code == 302, response.content
    request = parse_qs(urlsplit(response["Location"]).query)["SAMLRequest"][0]
    xml = OneLogin_Saml2_Utils.decode_base64_and_inflate(request)
    return str(etree.fromstring(xml).get("ID"))


def post_response(client: Client, tenant: Tenant, saml_response: str) -> object:
    """POST to the ACS as the IdP's auto-submitting form does, then follow allauth's hop to the finish view."""
    acs = client.post(f"/accounts/saml/{tenant.public_id}/acs/", {"SAMLResponse": saml_response})
    assert acs.status_code == 302, acs.content
    return client.get(acs["Location"])
