"""KakaoTalk AlimTalk through NHN Cloud's KakaoTalk Bizmessage API v2.3 (a substitution send).

`POST {base_url}/alimtalk/v2.3/appkeys/{appkey}/messages` with the secret key in X-Secret-Key, ≤ 1,000
recipients per call (one sender key and template code each), every recipient's national number, its
templateParameter values and our delivery key as recipientGroupingKey. Each call carries
X-NC-API-IDEMPOTENCY-KEY (a digest of its delivery keys): NHN refuses the same key for 10 minutes, so the
same batch never goes out twice. The transport is not `idempotent` in the send service's sense (NHN refuses
a repeat instead of answering it again): a call that may have arrived (a read timeout) ends `unknown`, and
the result callback (channels/services/alimtalk_results.py) can still resolve it. See docs/channels.md.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from channels.hooktokens import alimtalk_hook_path
from channels.transports.alimtalk_http import NhnConnection
from channels.transports.alimtalk_wire import (
    Call,
    calls_for,
    error_for,
    header_text,
    obj,
    parse_json,
    results_for,
    retry_after,
)
from channels.transports.base import (
    CheckResult,
    OutboundMessage,
    SendResult,
    Transport,
    TransportError,
    transport_register,
)
from channels.transports.common import config_secrets, error_result, not_sent
from channels.transports.httpclient import Answer

DEFAULT_BASE_URL = "https://api-alimtalk.cloud.toast.com"
API = "/alimtalk/v2.3/appkeys"
CONTENT_TYPE = "application/json;charset=UTF-8"
IDEMPOTENCY_HEADER = "X-NC-API-IDEMPOTENCY-KEY"
USER_AGENT = "Engage-AlimTalk/1"
DEFAULT_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0


def _renamed(exc: TransportError) -> TransportError:
    """The shared HTTP client speaks of "the webhook URL"; here the URL is the AlimTalk base_url."""
    text = exc.message.replace("the webhook URL", "the AlimTalk base_url").replace("the webhook", "AlimTalk")
    return TransportError(
        text,
        permanent=exc.permanent,
        throttled=exc.throttled,
        delivered_unknown=exc.delivered_unknown,
        retry_after=exc.retry_after,
    )


@transport_register
class AlimTalkTransport(Transport):
    """Settings: base_url, appkey, sender_key (used when the template has no SenderKey), timeout_seconds;
    secrets: secret_key (X-Secret-Key), webhook_signature (the result callback's X-Toast-Webhook-Signature)."""

    name = "kakao_alimtalk"
    batch_size = 1000
    idempotent = False

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.secret = config_secrets(config).get("secret_key", "")
        self.appkey = str(self.setting("appkey", "") or "").strip()
        self.sender_key = str(self.setting("sender_key", "") or "").strip()
        base = str(self.setting("base_url", "") or DEFAULT_BASE_URL).rstrip("/")
        self.prefix = urlsplit(base).path.rstrip("/")
        read = float(self.setting("timeout_seconds", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
        self.http = NhnConnection(base, connect_timeout=min(CONNECT_TIMEOUT, read), read_timeout=read)

    def _exchange(self, method: str, path: str, body: bytes | None, extra: dict[str, str] | None = None) -> Answer:
        if not self.appkey:
            raise TransportError("set the NHN Cloud appkey in the channel settings", permanent=True)
        if not self.secret:
            raise TransportError("set the NHN Cloud secret key (X-Secret-Key) in the channel settings", permanent=True)
        headers = {
            "X-Secret-Key": self.secret,
            "Content-Type": CONTENT_TYPE,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **(extra or {}),
        }
        self.http.path = f"{self.prefix}{API}/{quote(self.appkey, safe='')}{path}"
        try:
            return self.http.exchange(method, body=body, headers=headers)
        except TransportError as exc:
            raise _renamed(exc) from exc

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        calls, results = calls_for(batch, self.sender_key)
        for index, call in enumerate(calls):
            try:
                results.extend(self._post(call))
            except TransportError as exc:
                results.extend(error_result(m, exc) for m in call.messages)
                if not exc.permanent:
                    # NHN is unwell or throttling us: the calls not made yet go back to the queue, unsent.
                    later = not_sent(exc)
                    results.extend(error_result(m, later) for c in calls[index + 1 :] for m in c.messages)
                    break
        return results

    def _post(self, call: Call) -> list[SendResult]:
        answer = self._exchange("POST", "/messages", call.body(), {IDEMPOTENCY_HEADER: call.idempotency_key})
        if not 200 <= answer.status < 300:
            raise error_for(answer.status, answer.body, retry_after(answer.headers.get("Retry-After")))
        return results_for(call, parse_json(answer.body), answer.status)

    def check(self) -> CheckResult:
        """GET the sender profile (or, without sender_key, the list of sender profiles) and show what NHN says."""
        path = f"/senders/{quote(self.sender_key, safe='')}" if self.sender_key else "/senders?pageNum=1&pageSize=15"
        try:
            answer = self._exchange("GET", path, None)
        except TransportError as exc:
            return CheckResult(ok=False, error=exc.message)
        finally:
            self.http.close()
        data = parse_json(answer.body)
        if not 200 <= answer.status < 300:
            return CheckResult(ok=False, error=error_for(answer.status, answer.body, None).message)
        header = obj(data.get("header"))
        if header.get("isSuccessful") is not True:
            return CheckResult(ok=False, error=f"NHN Cloud AlimTalk refused: {header_text(data) or 'no header'}")
        result = _sender_check(obj(data.get("sender"))) if self.sender_key else _senders_check(data)
        if self.config is not None and self.config.pk is not None:
            result.values["result_callback"] = alimtalk_hook_path(self.config)
        return result

    def close(self) -> None:
        self.http.close()


def _senders_check(data: dict[str, Any]) -> CheckResult:
    senders = [s for s in data.get("senders") or [] if isinstance(s, dict)]
    names = ", ".join(str(s.get("plusFriendId") or s.get("senderKey")) for s in senders)
    return CheckResult(ok=True, values={"senders": names, "totalCount": data.get("totalCount", len(senders))})


def _sender_check(sender: dict[str, Any]) -> CheckResult:
    alimtalk = obj(sender.get("alimtalk"))
    values = {
        "plusFriendId": sender.get("plusFriendId", ""),
        "status": f"{sender.get('status', '')} {sender.get('statusName') or ''}".strip(),
        "kakaoStatus": sender.get("kakaoStatusName") or sender.get("kakaoStatus") or "",
        "kakaoProfileStatus": sender.get("kakaoProfileStatusName") or sender.get("kakaoProfileStatus") or "",
        "dailyMaxCount": alimtalk.get("dailyMaxCount", ""),
        "sentCount": alimtalk.get("sentCount", ""),
    }
    problems = [w for w, on in (("blocked", sender.get("block")), ("dormant", sender.get("dormant"))) if on]
    if sender.get("status") not in (None, "YSC03"):
        problems.append("not registered yet (token authentication pending)")
    if problems:
        return CheckResult(ok=False, values=values, error=f"the sender profile is {' and '.join(problems)}")
    return CheckResult(ok=True, values=values)
