"""Public provider callbacks (no login: a secret-token URL, plus the provider's own signature when configured)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from channels.services.alimtalk_results import alimtalk_hook_config, alimtalk_results_apply, alimtalk_signature_ok

log = logging.getLogger(__name__)
RESULT_EVENT = "MESSAGE_RESULT_UPDATE"
MAX_HOOKS = 10_000


def _answer(status: int, message: str, **extra: Any) -> JsonResponse:
    body = {
        "header": {"isSuccessful": status < 300, "resultCode": 0 if status < 300 else status, "resultMessage": message}
    }
    return JsonResponse({**body, **extra}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
class AlimTalkResultView(View):
    """POST /hooks/alimtalk/<token>/: NHN Cloud KakaoTalk Bizmessage webhook. MESSAGE_RESULT_UPDATE hooks mark
    ledger rows delivered or failed; other events (template reviews...) are acknowledged and ignored."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        config = alimtalk_hook_config(token=token)
        if config is None:
            return _answer(404, "no such callback")
        if not alimtalk_signature_ok(config=config, given=request.headers.get("X-Toast-Webhook-Signature", "")):
            log.warning("AlimTalk callback for config %s refused: wrong X-Toast-Webhook-Signature", config.pk)
            return _answer(403, "X-Toast-Webhook-Signature does not match the channel's webhook signature")
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return _answer(400, "the body must be the webhook's JSON object")
        if not isinstance(data, dict):
            return _answer(400, "the body must be the webhook's JSON object")
        if data.get("event") != RESULT_EVENT:
            return _answer(200, f"ignored event {str(data.get('event'))[:64]!r}")
        hooks = data.get("hooks")
        if not isinstance(hooks, list) or len(hooks) > MAX_HOOKS:
            return _answer(400, f"hooks must be a list of at most {MAX_HOOKS} results")
        result = alimtalk_results_apply(config=config, hooks=hooks)
        return _answer(200, "SUCCESS", delivered=result.delivered, failed=result.failed, unmatched=result.unmatched)
