"""NHN Cloud's AlimTalk result callback (KakaoTalk Bizmessage webhook, event MESSAGE_RESULT_UPDATE) → the ledger.

Each hook names one recipient of one send request: requestId + recipientSeq (our provider message id
`<requestId>:<recipientSeq>`) and recipientGroupingKey (our delivery key). Result code 1000 (or messageStatus
COMPLETED) means KakaoTalk delivered it; any other code (or FAILED / CANCEL) that it did not. Rows are found
only within the config's tenant and the ALIMTALK channel.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from channels.hooktokens import alimtalk_hook_config_id
from channels.models import ChannelConfig, Delivery, Provider, Reason, Status
from channels.services.fallback import delivery_fall_back
from channels.transports.common import config_secrets
from engage import clock
from templates.models import Channel

DELIVERED_CODES = frozenset({"1000"})
DELIVERED_STATUSES = frozenset({"COMPLETED"})
FAILED_STATUSES = frozenset({"FAILED", "CANCEL"})
# A result may arrive for a row the send has not resolved yet (unknown after a lost answer), and a later
# result may correct an earlier one; skipped or expired rows were never sent and stay as they are.
UPDATABLE = (Status.SENT, Status.UNKNOWN, Status.DELIVERED, Status.FAILED)


@dataclass
class HookResult:
    delivered: int = 0
    failed: int = 0
    unmatched: int = 0


def alimtalk_hook_config(*, token: str) -> ChannelConfig | None:
    """The AlimTalk config a callback token names (None for an edited or unknown token)."""
    config_id = alimtalk_hook_config_id(token)
    if config_id is None:
        return None
    return ChannelConfig.objects.select_related("tenant").filter(pk=config_id, provider=Provider.KAKAO_ALIMTALK).first()


def alimtalk_signature_ok(*, config: ChannelConfig, given: str) -> bool:
    """X-Toast-Webhook-Signature must equal the config's `webhook_signature` secret when one is set."""
    expected = config_secrets(config).get("webhook_signature", "")
    return not expected or hmac.compare_digest(expected.encode(), (given or "").encode())


def _outcome(hook: dict[str, Any]) -> tuple[str, str] | None:
    """(status, text) a hook reports, or None when it says nothing final."""
    code = str(hook.get("resultCode") or "").strip()
    state = str(hook.get("messageStatus") or "").strip().upper()
    name = str(hook.get("resultCodeName") or "").strip()
    if code in DELIVERED_CODES or (not code and state in DELIVERED_STATUSES):
        return Status.DELIVERED, ""
    if code or state in FAILED_STATUSES:
        detail = f"KakaoTalk result {code or state}" + (f": {name}" if name else "")
        return Status.FAILED, f"{detail} (NHN Cloud result callback)"
    return None


def _provider_id(hook: dict[str, Any]) -> str:
    request_id, seq = hook.get("requestId"), hook.get("recipientSeq")
    return f"{request_id}:{seq}" if request_id and seq not in (None, "") else ""


@dataclass
class Reported:
    """What one hook says about one recipient."""

    status: str
    text: str
    provider_id: str
    key: str


def _reported(hook: Any) -> Reported | None:
    if not isinstance(hook, dict):
        return None
    outcome = _outcome(hook)
    provider_id, key = _provider_id(hook), str(hook.get("recipientGroupingKey") or "")
    if outcome is None or not (provider_id or key):
        return None
    return Reported(outcome[0], outcome[1], provider_id, key)


def _mark(row: Delivery, report: Reported, now: datetime) -> None:
    row.status, row.status_message = report.status, report.text
    row.reason = Reason.NONE if report.status == Status.DELIVERED else Reason.PROVIDER_REJECTED
    row.delivered_at = now if report.status == Status.DELIVERED else None
    row.provider_message_id = report.provider_id or row.provider_message_id
    row.updated_at = now


@transaction.atomic
def alimtalk_results_apply(*, config: ChannelConfig, hooks: list[Any]) -> HookResult:
    """Mark the ledger rows the hooks name delivered or failed; hooks that name no row are counted, not kept."""
    reports = [r for r in map(_reported, hooks) if r is not None]
    result = HookResult(unmatched=len(hooks) - len(reports))
    if not reports:
        return result
    rows = (
        Delivery.objects.for_tenant(config.tenant)
        .filter(channel=Channel.ALIMTALK, status__in=UPDATABLE)
        .filter(
            Q(provider_message_id__in={r.provider_id for r in reports if r.provider_id})
            | Q(key__in={r.key for r in reports if r.key})
        )
        .select_for_update()
    )
    by_pid = {r.provider_message_id: r for r in rows if r.provider_message_id}
    by_key = {r.key: r for r in rows}
    now = clock.now()
    changed: dict[int, Delivery] = {}
    for report in reports:
        row = by_pid.get(report.provider_id) or by_key.get(report.key)
        if row is None:
            result.unmatched += 1
            continue
        _mark(row, report, now)
        changed[row.pk] = row
        result.delivered += report.status == Status.DELIVERED
        result.failed += report.status == Status.FAILED
    fields = ["status", "status_message", "reason", "delivered_at", "provider_message_id", "updated_at"]
    Delivery.objects.bulk_update(list(changed.values()), fields, batch_size=500)
    for row in changed.values():
        if row.status == Status.FAILED:
            delivery_fall_back(delivery=row, now=now)  # e.g. AlimTalk → SMS, within the chain's window
    return result
