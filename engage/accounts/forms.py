"""Forms of the single sign-on pages (they only shape input; services decide)."""

from __future__ import annotations

import textwrap
from typing import Any

from django import forms

from engage.accounts.models import SsoSettings
from engage.accounts.models.sso import JIT_ROLES

_GROUP_HELP = (
    "One mapping per line, “group = role” (roles: admin, marketer, analyst, viewer). "
    "With mappings, the IdP's groups set a member's role at each login (owners keep theirs); "
    "someone in no mapped group gets the role above."
)


def _pem(b64: str) -> str:
    if not b64:
        return ""
    body = "\n".join(textwrap.wrap(b64, 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"


class SsoSettingsForm(forms.Form):
    oidc_enabled = forms.BooleanField(required=False, label="Log in with Google Workspace (OpenID Connect)")
    saml_enabled = forms.BooleanField(required=False, label="Log in with SAML")
    sso_required = forms.BooleanField(
        required=False,
        label="Require single sign-on",
        help_text="Members can no longer log in with a password. Engage operators keep their own logins.",
    )
    default_role = forms.ChoiceField(
        choices=JIT_ROLES,
        label="Role of new members",
        help_text="People from your domains who log in for the first time join with this role.",
    )
    group_roles = forms.CharField(
        required=False,
        label="Group → role mappings",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "marketing@acme.com = marketer\nit-admins = admin"}),
        help_text=_GROUP_HELP,
    )
    saml_metadata_url = forms.URLField(
        required=False,
        label="IdP metadata URL",
        max_length=2048,
        assume_scheme="https",
        help_text="Optional: Engage reads the three values below from it when you save.",
    )
    saml_entity_id = forms.CharField(required=False, max_length=1024, label="IdP entity ID")
    saml_sso_url = forms.URLField(required=False, max_length=2048, assume_scheme="https", label="IdP SSO URL")
    saml_x509cert = forms.CharField(
        required=False,
        label="IdP signing certificate",
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "placeholder": "-----BEGIN CERTIFICATE-----"}),
    )
    saml_allow_idp_initiated = forms.BooleanField(
        required=False,
        label="Allow logins started from the IdP (IdP-initiated)",
        help_text="Off: every login starts at Engage, which protects against replayed and injected responses.",
    )
    saml_attr_email = forms.CharField(max_length=255, label="Email attribute")
    saml_attr_first_name = forms.CharField(max_length=255, required=False, label="First name attribute")
    saml_attr_last_name = forms.CharField(max_length=255, required=False, label="Last name attribute")
    saml_attr_groups = forms.CharField(max_length=255, required=False, label="Groups attribute")

    @classmethod
    def for_settings(cls, sso: SsoSettings, data: Any = None) -> SsoSettingsForm:
        initial = {name: getattr(sso, name) for name in cls.base_fields if name != "group_roles"}
        initial["group_roles"] = "\n".join(f"{group} = {role}" for group, role in sso.group_roles)
        initial["saml_x509cert"] = _pem(sso.saml_x509cert)
        return cls(data=data, initial=initial)

    def clean_group_roles(self) -> list[list[str]]:
        pairs = []
        for number, line in enumerate((self.cleaned_data.get("group_roles") or "").splitlines(), start=1):
            if not line.strip():
                continue
            group, sep, role = line.rpartition("=")
            if not sep or not group.strip():
                raise forms.ValidationError(f"Line {number}: write it as group = role.")
            pairs.append([group.strip(), role.strip().lower()])
        return pairs


class SsoStartForm(forms.Form):
    email = forms.EmailField(
        label="Work email", widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@company.com"})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
