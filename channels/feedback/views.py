"""Public feedback hooks for Amazon SNS HTTPS subscriptions: /hooks/ses/<token>/ and /hooks/sms/<token>/.

No session and no tenant in the URL: the token names the channel config, and every message must carry a valid
SNS signature. A forged or unsigned message gets 403, changes nothing and is logged as a warning.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels.feedback.config import config_for_feedback
from channels.feedback.services import feedback_receive
from channels.feedback.sns import SnsRejected, sns_message_parse
from engage.tenancy.netaddr import client_ip

log = logging.getLogger(__name__)


def _hook(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    config = config_for_feedback(kind=kind, token=token)
    if config is None:
        return JsonResponse({"detail": "no such feedback URL"}, status=404)
    try:
        message = sns_message_parse(request.body, message_type_header=request.headers.get("x-amz-sns-message-type", ""))
        outcome = feedback_receive(config=config, kind=kind, message=message)
    except SnsRejected as exc:
        log.warning(
            "rejected %s feedback for channel config %s from %s: %s", kind, config.pk, client_ip(request), exc.reason
        )
        return JsonResponse({"detail": "not a valid SNS message"}, status=403)
    return JsonResponse({"status": outcome})


@csrf_exempt
@require_POST
def ses_hook(request: HttpRequest, token: str) -> HttpResponse:
    """SES event publishing (or notifications) through SNS."""
    return _hook(request, "ses", token)


@csrf_exempt
@require_POST
def sms_hook(request: HttpRequest, token: str) -> HttpResponse:
    """Two-way SMS (inbound messages) and SMS delivery receipts through SNS."""
    return _hook(request, "sms", token)
