"""Receiving one verified SNS message for a channel config: confirm subscriptions, apply notifications once."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction

from channels.feedback.config import KINDS
from channels.feedback.ses import ses_record_apply
from channels.feedback.sms import sms_record_apply
from channels.feedback.sns import SnsRejected, sns_verify, subscription_confirm
from channels.models import ChannelConfig
from engage import clock
from engage.redis import redis_client

log = logging.getLogger(__name__)

# SNS may deliver a message more than once (and retries for up to an hour by default): each counts once.
SEEN_SECONDS = 3 * 24 * 3600


def feedback_receive(*, config: ChannelConfig, kind: str, message: dict[str, str]) -> str:
    """Verify an SNS message addressed to `config` and act on it; SnsRejected when it is not genuine or not
    from one of the config's topics. Returns what was done (confirmed, delivered, hardbounce, optout...)."""
    if kind not in KINDS or KINDS[kind] != config.channel:
        raise SnsRejected("this feedback URL does not take that kind of message")
    sns_verify(message)
    topics = config.setting("feedback_topic_arns", []) or []
    if topics and message["TopicArn"] not in topics:
        raise SnsRejected(f"topic {message['TopicArn']} is not one of the channel config's feedback topics")
    if message["Type"] == "SubscriptionConfirmation":
        subscription_confirm(message)
        log.info("confirmed SNS subscription to %s for channel config %s", message["TopicArn"], config.pk)
        return "confirmed"
    if message["Type"] == "UnsubscribeConfirmation":
        log.info("SNS subscription to %s ended for channel config %s", message["TopicArn"], config.pk)
        return "unsubscribed"
    key = f"engage:sns-seen:{config.pk}:{message['MessageId']}"
    if not redis_client().set(key, "1", nx=True, ex=SEEN_SECONDS):
        return "duplicate"
    try:
        return _notification(config, kind, message["Message"])
    except Exception:
        redis_client().delete(key)  # let SNS's retry apply it
        raise


def _notification(config: ChannelConfig, kind: str, text: str) -> str:
    try:
        record: Any = json.loads(text)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        log.info("SNS notification without a JSON record ignored (channel config %s)", config.pk)
        return "ignored"
    now = clock.now()
    with transaction.atomic():
        if kind == "ses":
            return ses_record_apply(config=config, record=record, now=now)
        return sms_record_apply(config=config, record=record, now=now)
