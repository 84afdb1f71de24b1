"""SES email identities of an `ses` config: create and verify through SES v2, read back DKIM, delete."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.db import transaction

from channels.models import ChannelConfig, EmailIdentity, Provider
from channels.services.field_types import email
from channels.transports import TransportError
from channels.transports.aws import aws_client, error_code, error_text
from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, audit

Kind = EmailIdentity.Kind
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
DKIM_TARGET = "dkim.amazonses.com"


def identity_name_clean(value: str) -> tuple[str, str]:
    """(identity, kind): an address keeps its local part's case (SES treats it as case-sensitive), a domain
    is lowercased; labels ≤ 63 characters, the whole name ≤ 253."""
    value = (value or "").strip()
    if not value:
        raise Invalid("give an email address or a domain", field="identity")
    if "@" in value:
        return email(value, "identity", "email address"), Kind.EMAIL_ADDRESS
    domain = value.lower().rstrip(".")
    if not DOMAIN.match(domain):
        raise Invalid(f"{value!r} is neither an email address nor a domain name (like example.com)", field="identity")
    return domain, Kind.DOMAIN


def identity_covers(identity: EmailIdentity, address: str) -> bool:
    """Whether a verified identity lets SES send From `address`: the same address (or address+label), the
    domain itself, or one of its subdomains."""
    local, _, domain = address.rpartition("@")
    domain = domain.lower()
    if identity.kind == Kind.DOMAIN:
        return domain == identity.identity or domain.endswith("." + identity.identity)
    id_local, _, id_domain = identity.identity.rpartition("@")
    return domain == id_domain.lower() and (local == id_local or local.startswith(id_local + "+"))


def from_address_verified(*, config: ChannelConfig, address: str, exclude: int | None = None) -> bool:
    """Whether a verified identity of the config covers `address` (optionally leaving one identity out)."""
    identities = EmailIdentity.objects.filter(config=config, verified=True)
    if exclude is not None:
        identities = identities.exclude(pk=exclude)
    return any(identity_covers(identity, address) for identity in identities)


def dkim_records(identity: EmailIdentity) -> list[dict[str, str]]:
    """The Easy DKIM CNAME records to publish for a domain identity."""
    if identity.kind != Kind.DOMAIN:
        return []
    return [
        {"name": f"{token}._domainkey.{identity.identity}", "type": "CNAME", "value": f"{token}.{DKIM_TARGET}"}
        for token in identity.dkim_tokens
    ]


def _state(answer: dict[str, Any], now: datetime) -> dict[str, Any]:
    verified = bool(answer.get("VerifiedForSendingStatus"))
    dkim = answer.get("DkimAttributes") or {}
    return {
        "verified": verified,
        "verification_status": str(answer.get("VerificationStatus") or ("SUCCESS" if verified else "PENDING")),
        "dkim_status": str(dkim.get("Status") or ""),
        "dkim_tokens": [str(t) for t in dkim.get("Tokens") or []],
        "checked_at": now,
    }


def _client(config: ChannelConfig) -> Any:
    try:
        return aws_client("sesv2", config)
    except TransportError as exc:
        raise Invalid(exc.message) from None


def _text(exc: Exception, permission: str) -> str:
    """AWS's words, naming the IAM action when the credentials lack it."""
    if isinstance(exc, ClientError) and error_code(exc) in ("AccessDenied", "AccessDeniedException"):
        message = exc.response.get("Error", {}).get("Message", "")
        return f"{error_code(exc)}: {message} (the credentials need {permission})"
    return error_text(exc)


def _ses_config(config: ChannelConfig) -> None:
    if config.provider != Provider.SES:
        raise Invalid("email identities belong to Amazon SES configs", field="config")


def identity_create(*, config: ChannelConfig, by: Actor, identity: str, ip: str | None = None) -> EmailIdentity:
    """Ask SES to verify an address (it mails a link) or a domain (DKIM CNAMEs to publish) and keep its state."""
    _ses_config(config)
    name, kind = identity_name_clean(identity)
    if EmailIdentity.objects.filter(config=config, identity=name).exists():
        raise Invalid(f"{name} is already an identity of {config.name}", field="identity")
    client = _client(config)
    try:
        answer = client.create_email_identity(EmailIdentity=name)
    except (ClientError, BotoCoreError) as exc:
        if error_code(exc) != "AlreadyExistsException":
            text = _text(exc, "ses:CreateEmailIdentity")
            raise Invalid(f"SES did not add {name}: {text}", field="identity") from exc
        answer = _get(config, name)  # already in the AWS account: take its current state
    now = clock.now()
    with transaction.atomic():
        row = EmailIdentity.objects.create(
            tenant=config.tenant, config=config, identity=name, kind=kind, created_at=now, **_state(answer, now)
        )
        data = {"config": config.name, "kind": kind}
        audit(tenant=config.tenant, actor=by, action="email_identity.create", target=row, ip=ip, data=data)
    return row


def _get(config: ChannelConfig, name: str) -> dict[str, Any]:
    try:
        return dict(_client(config).get_email_identity(EmailIdentity=name))
    except (ClientError, BotoCoreError) as exc:
        if error_code(exc) == "NotFoundException":
            return {"VerificationStatus": "NOT_FOUND"}
        text = _text(exc, "ses:GetEmailIdentity")
        raise Invalid(f"SES did not answer for {name}: {text}", field="identity") from exc


def identity_refresh(*, identity: EmailIdentity) -> EmailIdentity:
    """Read the identity's verification and DKIM state from SES again (NOT_FOUND once deleted there)."""
    answer = _get(identity.config, identity.identity)
    for field, value in _state(answer, clock.now()).items():
        setattr(identity, field, value)
    identity.save(update_fields=["verified", "verification_status", "dkim_status", "dkim_tokens", "checked_at"])
    return identity


@transaction.atomic
def identity_delete(*, identity: EmailIdentity, by: Actor, ip: str | None = None) -> None:
    """Delete the identity in SES and here; refused while it is what lets an enabled config send its From."""
    config = ChannelConfig.objects.select_for_update().get(pk=identity.config_id)
    address = str(config.setting("from_address", ""))
    if (
        config.enabled
        and identity.verified
        and address
        and identity_covers(identity, address)
        and not from_address_verified(config=config, address=address, exclude=identity.pk)
    ):
        raise Conflict(
            f"{identity.identity} verifies the From address {address} of the enabled config {config.name}: "
            "disable the config or change its From address first"
        )
    try:
        _client(config).delete_email_identity(EmailIdentity=identity.identity)
    except (ClientError, BotoCoreError) as exc:
        if error_code(exc) != "NotFoundException":
            text = _text(exc, "ses:DeleteEmailIdentity")
            raise Invalid(f"SES did not delete {identity.identity}: {text}") from exc
    audit(
        tenant=config.tenant,
        actor=by,
        action="email_identity.delete",
        target=identity,
        ip=ip,
        data={"config": config.name, "kind": identity.kind},
    )
    identity.delete()
