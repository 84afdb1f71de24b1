"""Who an identity provider says someone is, read the same way from an OpenID Connect or a SAML login."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OIDC = "oidc"
SAML = "saml"
KIND_LABELS = {OIDC: "Google Workspace (OpenID Connect)", SAML: "SAML"}


@dataclass(frozen=True)
class SsoIdentity:
    """The claims that matter to Engage, plus everything the IdP sent (shown by the test login)."""

    kind: str
    email: str
    email_verified: bool
    hosted_domain: str | None
    first_name: str = ""
    last_name: str = ""
    groups: tuple[str, ...] = ()
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def email_domain(self) -> str:
        return self.email.rpartition("@")[2]


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if str(v).strip())
    return ()


def oidc_identity(extra_data: dict[str, Any]) -> SsoIdentity:
    """Claims of an OpenID Connect login: the id_token (audience-checked by allauth) first, userinfo second."""
    token = extra_data.get("id_token") or {}
    info = extra_data.get("userinfo") or {}
    hd_token, hd_info = token.get("hd"), info.get("hd")
    # Two different hosted domains in one login is a broken or hostile IdP: treat as no Workspace domain.
    hosted = None if hd_token and hd_info and hd_token != hd_info else (hd_token or hd_info)
    verified = token.get("email_verified", info.get("email_verified"))
    return SsoIdentity(
        kind=OIDC,
        email=str(token.get("email") or info.get("email") or "").strip().lower(),
        email_verified=_truthy(verified),
        hosted_domain=str(hosted).lower() if hosted else None,
        first_name=str(token.get("given_name") or info.get("given_name") or "")[:150],
        last_name=str(token.get("family_name") or info.get("family_name") or "")[:150],
        groups=_strings(token.get("groups") or info.get("groups")),
        claims={"id_token": token, "userinfo": info},
    )


def _first(attributes: dict[str, Any], names: list[str]) -> str:
    for name in names:
        values = _strings(attributes.get(name))
        if values:
            return values[0].strip()
    return ""


def saml_identity(
    *, name_id: str, attributes: dict[str, Any], mapping: dict[str, list[str]], groups: str
) -> SsoIdentity:
    """Attributes of a SAML login, mapped as the tenant configured; an email-shaped NameID stands in for email.

    Read from the assertion itself, not from allauth's user: for a returning person that is the stored user.
    """
    email = _first(attributes, mapping.get("email", [])) or (name_id if "@" in name_id else "")
    return SsoIdentity(
        kind=SAML,
        email=email.lower(),
        # A signed assertion from the tenant's own IdP vouches for addresses in the tenant's domains.
        email_verified=True,
        hosted_domain=None,
        first_name=_first(attributes, mapping.get("first_name", []))[:150],
        last_name=_first(attributes, mapping.get("last_name", []))[:150],
        groups=_strings(attributes.get(groups)) if groups else (),
        claims={"name_id": name_id, "attributes": attributes},
    )
