"""A tenant's SAML IdP details: its signing certificate, and importing them from the IdP's metadata URL."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from engage.errors import Invalid

_PEM_LINES = re.compile(r"-----(BEGIN|END) CERTIFICATE-----")
METADATA_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class CertificateSummary:
    subject: str
    not_after: datetime
    sha256: str


def normalize_certificate(text: str) -> str:
    """An X.509 certificate given as PEM or bare base64, returned as one line of base64 (Invalid otherwise)."""
    body = "".join(_PEM_LINES.sub("", text or "").split())
    try:
        der = base64.b64decode(body, validate=True)
        x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError):
        raise Invalid(
            "this is not an X.509 certificate: paste the whole certificate, from -----BEGIN CERTIFICATE----- "
            "to -----END CERTIFICATE-----",
            field="saml_x509cert",
        ) from None
    return base64.b64encode(der).decode()


def certificate_summary(b64: str) -> CertificateSummary | None:
    """Subject, expiry and SHA-256 fingerprint of a stored certificate (None when there is none)."""
    if not b64:
        return None
    cert = x509.load_der_x509_certificate(base64.b64decode(b64))
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return CertificateSummary(
        subject=cert.subject.rfc4514_string(),
        not_after=cert.not_valid_after_utc,
        sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
    )


def _check_address(url: str) -> None:
    """Keep tenant-given URLs out of Engage's own network unless the operator allows it (against SSRF)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise Invalid("the metadata URL must be an http:// or https:// address", field="saml_metadata_url")
    if settings.SSO_METADATA_ALLOW_PRIVATE_NETWORKS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid(f"{parts.hostname} does not resolve", field="saml_metadata_url") from None
    for info in infos:
        if not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global:
            raise Invalid(
                f"{parts.hostname} is a private address; ask your Engage operator to allow private networks, or "
                "enter the IdP's details by hand",
                field="saml_metadata_url",
            )


def _download(url: str) -> bytes:
    try:
        with requests.get(url, timeout=10, stream=True, allow_redirects=False) as response:
            if response.is_redirect:
                raise Invalid(f"the URL redirects to {response.headers.get('Location')}; enter that address")
            response.raise_for_status()
            body = response.raw.read(METADATA_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise Invalid(f"could not download the metadata: {exc.__class__.__name__}", field="saml_metadata_url") from None
    if len(body) > METADATA_MAX_BYTES:
        raise Invalid("the metadata is larger than 1 MB", field="saml_metadata_url")
    return bytes(body)


def idp_metadata_import(url: str) -> dict[str, str]:
    """Entity id, SSO URL and signing certificate read from an IdP's metadata URL."""
    _check_address(url)
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            _download(url), required_sso_binding=Saml.BINDING_HTTP_REDIRECT
        ).get("idp", {})
    except Invalid as exc:
        raise Invalid(exc.message, field="saml_metadata_url") from None
    except Exception:  # lxml and python3-saml raise many kinds; all mean "not IdP metadata"
        raise Invalid("this URL does not serve SAML IdP metadata", field="saml_metadata_url") from None
    signing = (parsed.get("x509certMulti") or {}).get("signing") or [parsed.get("x509cert")]
    values = {
        "saml_entity_id": parsed.get("entityId") or "",
        "saml_sso_url": (parsed.get("singleSignOnService") or {}).get("url") or "",
        "saml_x509cert": signing[0] or "",
    }
    if not all(values.values()):
        raise Invalid(
            "the metadata lacks an entity ID, an HTTP-Redirect SSO URL or a signing certificate",
            field="saml_metadata_url",
        )
    values["saml_x509cert"] = normalize_certificate(values["saml_x509cert"])
    return values
