"""Why a single sign-on login was refused, in words the person can act on, and the page that says so."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# code -> (title, message); messages name what to do next. {email}, {domain}, {tenant} are filled in.
REFUSALS: dict[str, tuple[str, str]] = {
    "no_workspace": (
        "Use your work account",
        "{email} is not a Google Workspace account. Log in with the account your company gave you.",
    ),
    "unknown_domain": (
        "Your company is not set up yet",
        "No team in Engage logs in with {domain} accounts. Check that you picked your work account, or ask your "
        "Engage admin to have {domain} added to your team.",
    ),
    "no_email": (
        "No email address",
        "Your identity provider did not say which email address you have, so Engage cannot tell who you are. "
        "Ask your admin to send the email address with the login.",
    ),
    "unverified": (
        "Email address not verified",
        "Your identity provider has not verified {email}. Verify the address there, then log in again.",
    ),
    "domain": (
        "This address cannot log in here",
        "{email} is not in the domains {tenant} logs in with. Log in with your work address, or ask an admin of "
        "{tenant} to check the team's domains.",
    ),
    "oidc_disabled": (
        "Google Workspace login is off",
        "{tenant} has not turned on login with Google Workspace. Use the login method your admin gave you.",
    ),
    "saml_disabled": (
        "SAML login is off",
        "{tenant} has not turned on SAML login. Use the login method your admin gave you.",
    ),
    "operator": (
        "Operators log in with a password",
        "{email} is an Engage operator account. Operators log in with their password and two-factor code.",
    ),
    "email_changed": (
        "Your email address changed",
        "Your identity provider now says you are {email}, but this login belongs to another address. Ask an "
        "admin of {tenant} to invite {email}.",
    ),
    "inactive": ("Account disabled", "The Engage account of {email} is disabled. Ask your Engage operator."),
    "removed": (
        "Your access was removed",
        "An admin of {tenant} removed {email} from the team. Ask them to invite you again.",
    ),
    "saml_invalid": (
        "The login response was refused",
        "The sign-in response from your identity provider could not be trusted: {detail} Nobody was logged in. "
        "Try again; if it keeps happening, send this message to your admin.",
    ),
    "saml_unsolicited": (
        "Start the login at Engage",
        "This sign-in response does not answer a login started in this browser (it was started from the identity "
        "provider, or it was already used). Nobody was logged in. Start again from the Engage login page.",
    ),
    "saml_replayed": (
        "This login response was already used",
        "A sign-in response works only once. Nobody was logged in. Start again from the Engage login page.",
    ),
    "no_subject": (
        "No user in the response",
        "Your identity provider's response names no user (no NameID and no email). Ask your admin to send the "
        "email address as the NameID.",
    ),
    "provider_error": (
        "Single sign-on failed",
        "The identity provider did not complete the login ({detail}). Nobody was logged in. Try again.",
    ),
    "provider_unreachable": (
        "The identity provider could not be reached",
        "Engage could not talk to your identity provider. Try again in a moment; if it keeps failing, tell your "
        "Engage operator.",
    ),
    "not_login": ("Not available", "Engage uses single sign-on only to log in. Start again from the login page."),
}


def refusal_text(code: str, **params: str) -> tuple[str, str]:
    """The title and message of a refusal, with its details filled in."""
    title, message = REFUSALS.get(code, REFUSALS["provider_error"])
    values = {"email": "this address", "domain": "this domain", "tenant": "this team", "detail": "unknown error."}
    values.update({k: v for k, v in params.items() if v})
    return title, message.format(**values)


def refusal_page(request: HttpRequest, code: str, *, status: int = 403, **params: str) -> HttpResponse:
    """The page that tells someone why single sign-on did not let them in (nobody is logged in)."""
    title, message = refusal_text(code, **params)
    return render(
        request, "account/sso_refused.html", {"title": title, "message": message, "code": code}, status=status
    )
