"""The campaign hook at planning time (Pinpoint's CampaignHook in FILTER mode, as a signed webhook; the campaign's
own, else the tenant's default): each chunk's sendable recipients are POSTed in batches of ≤ 50 endpoints; an endpoint
missing from the answer is skipped (`hook_dropped`), returned `Attributes` become the recipient's substitutions and
`TitleOverride`/`BodyOverride` (push and SMS) its overrides. A batch not answered after 3 attempts (15 s each) is
skipped (`hook_failed`)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from campaigns.models import Campaign, CampaignRun
from channels.models import ChannelConfig, Reason, Status
from channels.models.config import Provider
from channels.services.dispatch import Recipient
from channels.transports.base import TransportError
from channels.transports.httpclient import HttpConnection, response_text
from channels.transports.webhook import USER_AGENT
from engage import clock
from engage.events.streams.destinations.webhook import signature
from segments.codec import endpoint_to_pinpoint
from segments.models import Endpoint
from templates.models import Channel

BATCH = 50
TIMEOUT = 15.0
ATTEMPTS = 3
DROPPED = Reason.HOOK_DROPPED
FAILED = Reason.HOOK_FAILED
OVERRIDE_CHANNELS = (Channel.PUSH, Channel.SMS)


class HookFailed(Exception):
    """The hook gave no usable answer."""


def hook_signing_secret(*, tenant_id: int) -> str:
    """The secret hooks are signed with: the tenant's webhook channel config's (the default one first)."""
    config = (
        ChannelConfig.objects.filter(tenant_id=tenant_id, provider=Provider.WEBHOOK, enabled=True)
        .order_by("-is_default", "pk")
        .first()
    )
    try:
        secrets = json.loads(config.secrets or "{}") if config is not None else {}
    except ValueError:
        secrets = {}
    return str(secrets.get("signing_secret", "")) if isinstance(secrets, dict) else ""


def hook_url(campaign: Campaign) -> str:
    """The campaign's own hook, else its tenant's default one ("" for none)."""
    return str((campaign.hook or {}).get("WebUrl") or campaign.tenant.campaign_hook_url or "")


def hook_filter(
    *, campaign: Campaign, run: CampaignRun, treatment_id: str, recipients: list[Recipient]
) -> list[Recipient]:
    """A chunk's recipients of one treatment after the campaign's FILTER hook (as they are without a hook)."""
    url = hook_url(campaign)
    sendable = [r for r in recipients if r.status != Status.SKIPPED and r.endpoint_id]
    if not url or not sendable:
        return recipients
    changed: dict[str, Recipient] = {}
    secret = hook_signing_secret(tenant_id=campaign.tenant_id)
    rows = Endpoint.objects.filter(tenant_id=campaign.tenant_id, endpoint_id__in=[r.endpoint_id for r in sendable])
    endpoints = {e.endpoint_id: e for e in rows}
    http = HttpConnection(url, connect_timeout=TIMEOUT, read_timeout=TIMEOUT)
    base = _payload(campaign, run, treatment_id)
    try:
        for start in range(0, len(sendable), BATCH):
            batch = sendable[start : start + BATCH]
            body = {**base, "Endpoints": _endpoints(campaign, batch, endpoints)}
            try:
                answer = _call(http, secret, body)
            except HookFailed as exc:
                for r in batch:
                    changed[r.key] = _skip(r, FAILED, f"the campaign hook failed after {ATTEMPTS} attempts: {exc}")
                continue
            for r in batch:
                changed[r.key] = _apply(campaign, r, answer.get(r.endpoint_id))
    finally:
        http.close()
    return [changed.get(r.key, r) for r in recipients]


def _payload(campaign: Campaign, run: CampaignRun, treatment_id: str) -> dict[str, Any]:
    """Pinpoint's hook event, without its Endpoints."""
    mc = campaign.message_configuration
    for treatment in campaign.additional_treatments:
        if str(treatment.get("Id")) == treatment_id:
            mc = treatment.get("MessageConfiguration") or mc
    return {
        "MessageConfiguration": mc,
        "ApplicationId": campaign.tenant.public_id,
        "CampaignId": str(campaign.pk),
        "TreatmentId": treatment_id,
        "ActivityId": str(run.pk),
        "ScheduledTime": run.scheduled_for.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


def _endpoints(campaign: Campaign, batch: list[Recipient], found: dict[str, Endpoint]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in batch:
        endpoint = found.get(r.endpoint_id)
        out[r.endpoint_id] = (
            endpoint_to_pinpoint(endpoint, application_id=campaign.tenant.public_id)
            if endpoint is not None
            else {"Id": r.endpoint_id}
        )
    return out


def _call(http: HttpConnection, secret: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST one batch (signed), up to ATTEMPTS times; the answered endpoints by id."""
    if not secret:
        raise HookFailed("no signing secret: add a webhook channel config with one (Channels → Custom)")
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    problem = ""
    for _ in range(ATTEMPTS):
        timestamp = int(clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Engage-Timestamp": str(timestamp),
            "X-Engage-Signature": signature(secret=secret, timestamp=timestamp, body=body),
        }
        try:
            answer = http.exchange("POST", body=body, headers=headers)
        except TransportError as exc:
            problem = exc.message
            continue
        if not 200 <= answer.status < 300:
            problem = f"{http.host} answered HTTP {answer.status}: {response_text(answer.body)}"
            continue
        try:
            parsed = json.loads(answer.body)
        except ValueError:
            problem = f"{http.host} answered with no JSON: {response_text(answer.body)}"
            continue
        answered = parsed.get("Endpoints", parsed) if isinstance(parsed, dict) else None
        if isinstance(answered, dict):
            return answered
        problem = f"{http.host} answered JSON that is not an object of endpoints"
    raise HookFailed(problem)


def _apply(campaign: Campaign, r: Recipient, entry: Any) -> Recipient:
    """Use the hook's answer for one recipient: missing → skipped; Attributes and overrides into its context."""
    if not isinstance(entry, dict):
        return _skip(r, DROPPED, "the campaign hook left this endpoint out")
    context = dict(r.context or {})
    attributes = entry.get("Attributes")
    if isinstance(attributes, dict) and attributes:
        context["Substitutions"] = {**(context.get("Substitutions") or {}), **attributes}
    if campaign.channel in OVERRIDE_CHANNELS:
        for name in ("TitleOverride", "BodyOverride"):
            if isinstance(entry.get(name), str) and entry[name]:
                context[name] = entry[name]
    return replace(r, context=context or None)


def _skip(r: Recipient, reason: str, text: str) -> Recipient:
    return replace(r, status=Status.SKIPPED, reason=reason, context={**(r.context or {}), "HookError": text})
