"""Direct (transactional) sends with Pinpoint's SendMessages / SendUsersMessages semantics: plan one Dispatch per
channel, send it inline through the send service (synchronous, as Pinpoint is), answer from the ledger, and honour
an Idempotency-Key (the same key and body again returns the stored answer and sends nothing)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction

from channels.models import Delivery, Dispatch, Reason, Source, Status
from channels.services.direct_content import ChannelMessage, channel_message
from channels.services.direct_plan import (
    Target,
    address_targets,
    endpoint_targets,
    fingerprint,
    key_check,
    mark_duplicates,
    recipient_context,
    request_check,
    user_targets,
)
from channels.services.direct_results import PERMANENT_FAILURE, delivery_result, endpoint_result, result
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.send import deliveries_send, lease
from engage import clock
from engage.errors import Conflict, Invalid
from engage.tenancy.audit import Actor, actor_label
from engage.tenancy.models import Tenant
from templates.models import Channel

MAX_RECIPIENTS = 100
MESSAGES = "SendMessages"
USERS_MESSAGES = "SendUsersMessages"


def messages_send(
    *,
    tenant: Tenant,
    request: dict[str, Any],
    by: Actor,
    idempotency_key: str = "",
    source: str = Source.TRANSACTIONAL,
    limit: int = MAX_RECIPIENTS,
) -> dict[str, Any]:
    """SendMessages: a MessageRequest to Addresses and/or Endpoints → a MessageResponse."""
    request_check(request, ("Addresses", "Endpoints"), limit)
    stored = _replay(tenant, idempotency_key, fingerprint(MESSAGES, source, request))
    if stored is not None:
        return stored
    targets = address_targets(request) + endpoint_targets(tenant=tenant, request=request)
    return _run(tenant, request, targets, by, idempotency_key, source, MESSAGES)


def users_messages_send(
    *,
    tenant: Tenant,
    request: dict[str, Any],
    by: Actor,
    idempotency_key: str = "",
    source: str = Source.TRANSACTIONAL,
    limit: int = MAX_RECIPIENTS,
) -> dict[str, Any]:
    """SendUsersMessages: a SendUsersMessageRequest to every endpoint of each user → a SendUsersMessageResponse."""
    request_check(request, ("Users",), limit)
    stored = _replay(tenant, idempotency_key, fingerprint(USERS_MESSAGES, source, request))
    if stored is not None:
        return stored
    targets = user_targets(tenant=tenant, request=request)
    return _run(tenant, request, targets, by, idempotency_key, source, USERS_MESSAGES)


def _replay(tenant: Tenant, key: str, print_: str) -> dict[str, Any] | None:
    """The stored answer to an earlier request with this key; Conflict when the body differs or it is running."""
    if not key:
        return None
    key_check(key)
    holder = Dispatch.objects.for_tenant(tenant).filter(request_key=key).first()
    if holder is None:
        return None
    stored = holder.response or {}
    if stored.get("fingerprint") != print_:
        raise Conflict(
            "this Idempotency-Key was already used for a different request; send a new key with a new request",
            field="Idempotency-Key",
        )
    if "response" in stored:
        return dict(stored["response"])
    if holder.created_at + lease() > clock.now():
        text = "the request with this Idempotency-Key is still being sent; retry in a moment"
        raise Conflict(text, field="Idempotency-Key")
    # The process that took the key stopped before answering: answer from the ledger as it stands now.
    targets = [Target(**t) for t in stored.get("targets", [])]
    return _finish(holder, targets, stored)


def _messages(tenant: Tenant, request: dict[str, Any], targets: list[Target]) -> dict[str, ChannelMessage]:
    """The message of each channel a target needs; an address whose channel has no content is a 400."""
    messages: dict[str, ChannelMessage] = {}
    for target in targets:
        if target.result is not None or target.channel in messages:
            continue
        message = channel_message(tenant=tenant, request=request, channel=target.channel)
        if message is not None:
            messages[target.channel] = message
        elif target.group == "Result":
            raise Invalid(_no_content(target.channel), field=f"Addresses.{target.name}.ChannelType")
    for target in targets:
        if target.result is None and target.channel not in messages:
            target.result = result(PERMANENT_FAILURE, _no_content(target.channel))
    return messages


def _no_content(channel: str) -> str:
    what: dict[str, str] = {
        Channel.EMAIL: "EmailMessage.SimpleEmail or TemplateConfiguration.EmailTemplate",
        Channel.SMS: "SMSMessage.Body, DefaultMessage.Body or TemplateConfiguration.SMSTemplate",
        Channel.VOICE: "VoiceMessage.Body, DefaultMessage.Body or TemplateConfiguration.VoiceTemplate",
        Channel.PUSH: "a push message (DefaultPushNotificationMessage, GCMMessage, APNSMessage…) or a PushTemplate",
        Channel.CUSTOM: "CustomMessage.Data",
    }
    return f"the request has no {channel} message: add {what.get(channel, 'content')}"


def _run(
    tenant: Tenant,
    request: dict[str, Any],
    targets: list[Target],
    by: Actor,
    key: str,
    source: str,
    operation: str,
) -> dict[str, Any]:
    messages = _messages(tenant, request, targets)
    mark_duplicates(targets)
    for target in targets:
        if target.result is None:
            target.context = recipient_context(target, messages[target.channel])
    print_ = fingerprint(operation, source, request) if key else ""
    if not key and all(t.result is not None for t in targets):
        return _answer(tenant, targets)  # nothing to plan or to remember
    try:
        holder, dispatches = _plan(tenant, targets, messages, by, key, source, operation, print_)
    except IntegrityError:
        # Another request took the key between our check and our insert.
        replayed = _replay(tenant, key, print_)
        if replayed is None:
            raise
        return replayed
    for dispatch, chunks in dispatches:
        _send(dispatch, chunks)
    stored = {"fingerprint": print_, "operation": operation}
    return _finish(holder, targets, stored)


def _plan(
    tenant: Tenant,
    targets: list[Target],
    messages: dict[str, ChannelMessage],
    by: Actor,
    key: str,
    source: str,
    operation: str,
    print_: str,
) -> tuple[Dispatch, list[tuple[Dispatch, list[int]]]]:
    """Create one Dispatch per channel (the first holds the key) and its Delivery rows, all or nothing."""
    channels = list(dict.fromkeys(t.channel for t in targets if t.result is None)) or [
        next(iter(messages), Channel.EMAIL)
    ]
    label = actor_label(by)[:255]
    planned: list[tuple[Dispatch, list[int]]] = []
    with transaction.atomic():
        dispatches: dict[str, Dispatch] = {}
        for index, channel in enumerate(channels):
            message = messages.get(channel)
            dispatches[channel] = dispatch_create(
                tenant=tenant,
                channel=channel,
                source=source,
                message=message.snapshot() if message else {},
                request_key=key if index == 0 else "",
                created_by=label,
            )
        holder = dispatches[channels[0]]
        for index, target in enumerate(targets):
            target.key = f"tx:{holder.pk}:{index}"
        if key:
            holder.response = {"fingerprint": print_, "operation": operation, "targets": [asdict(t) for t in targets]}
            holder.save(update_fields=["response"])
        for channel, dispatch in dispatches.items():
            recipients = [_recipient(t) for t in targets if t.result is None and t.channel == channel]
            planned.append((dispatch, deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=False)))
    return holder, planned


def _recipient(target: Target) -> Recipient:
    return Recipient(
        key=target.key,
        endpoint_id=target.endpoint_id,
        user_id=target.user_id,
        address=target.address if not target.endpoint_id else "",
        context=target.context,
        status=Status.SKIPPED if target.duplicate else Status.QUEUED,
        reason=Reason.DUPLICATE if target.duplicate else "",
    )


def _send(dispatch: Dispatch, chunks: list[int]) -> None:
    """Send inline, as Pinpoint does; what the provider throttled stays queued for the worker to retry."""
    from channels.tasks import chunk_enqueue

    for chunk in chunks:
        outcome = deliveries_send(tenant_id=dispatch.tenant_id, dispatch_id=dispatch.pk, chunk=chunk)
        if outcome.retry_at is not None:
            retry_at = max(outcome.retry_at, clock.now() + timedelta(seconds=1))
            transaction.on_commit(
                lambda c=chunk, at=retry_at: chunk_enqueue(dispatch.tenant_id, dispatch.pk, c, eta=at)  # type: ignore[misc]
            )


def _answer(tenant: Tenant, targets: list[Target]) -> dict[str, Any]:
    """The MessageResponse (or SendUsersMessageResponse) read off the ledger rows of the targets."""
    keys = [t.key for t in targets if t.key and t.result is None]
    rows = {d.key: d for d in Delivery.objects.for_tenant(tenant).filter(key__in=keys)}
    body: dict[str, Any] = {"ApplicationId": tenant.public_id, "RequestId": str(uuid.uuid4())}
    for target in targets:
        row = rows.get(target.key)
        if target.group == "Result":
            body.setdefault("Result", {})[target.name] = target.result or (delivery_result(row) if row else _lost())
            continue
        answer = target.result or (endpoint_result(row) if row else _lost())
        if target.group == "Users":
            answers = body.setdefault("Result", {}).setdefault(target.user_id, {})
            if target.endpoint_id:
                answers[target.endpoint_id] = answer
        else:
            body.setdefault("EndpointResult", {})[target.name] = answer
    return body


def _finish(holder: Dispatch, targets: list[Target], stored: dict[str, Any]) -> dict[str, Any]:
    """Answer from the ledger and keep the answer on the dispatch that holds the key."""
    body = _answer(holder.tenant, targets)
    Dispatch.objects.filter(pk=holder.pk).update(response={**stored, "response": body})
    return body


def _lost() -> dict[str, Any]:
    return result("UNKNOWN_FAILURE", "no ledger row was found for this recipient")
