"""A local stand-in for NHN Cloud's KakaoTalk Bizmessage AlimTalk API v2.3, strict about the request schema.

It answers POST /alimtalk/v2.3/appkeys/{appkey}/messages and GET .../senders[/{senderKey}] the way NHN documents
them (header {resultCode, resultMessage, isSuccessful}, message {requestId, sendResults[...]}), and refuses a
malformed request with an NHN-style error body: no or a wrong X-Secret-Key (401), a Content-Type other than
application/json;charset=UTF-8 (415), a body without senderKey / templateCode / recipients, more than 1,000
recipients, a recipientNo that is not national digits or a templateParameter that is not strings (400), an
unknown sender key or template code (200 with isSuccessful false). The result codes are this stand-in's own.
Tests can make chosen numbers fail, queue HTTP answers (429, 503...) and read every request it got.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

CONTENT_TYPE = "application/json;charset=utf-8"
NATIONAL = re.compile(r"^0\d{8,10}$")
MAX_RECIPIENTS = 1000


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class AlimTalkServer:
    """State and knobs: `fail_numbers` {recipientNo: (resultCode, resultMessage)}; `answers` HTTP statuses to give
    the next POSTs instead of accepting them; `delay`; `sent` requestId → the accepted recipients."""

    appkey: str = "app-key-1"
    secret: str = "nhn-secret-0123456789"
    senders: dict[str, str] = field(default_factory=lambda: {"SENDERKEY1": "@engage-shop"})
    templates: set[str] = field(default_factory=lambda: {"ORDER_SHIPPED", "WELCOME"})
    fail_numbers: dict[str, tuple[int, str]] = field(default_factory=dict)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0  # seconds before answering an accepted send (the send is recorded first)
    base_url: str = ""
    requests: list[Request] = field(default_factory=list)
    keys: Counter[str] = field(default_factory=Counter)
    sent: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == "POST"]

    def callback(self, request_id: str, result_code: str = "1000", **extra: Any) -> dict[str, Any]:
        """The MESSAGE_RESULT_UPDATE webhook body NHN would send for every recipient of one request."""
        hooks = [
            {
                "kakaoMessageType": "ALIMTALK_NORMAL",
                "requestId": request_id,
                "recipientSeq": r["recipientSeq"],
                "requestDate": "2026-11-23 10:00:00",
                "createDate": "2026-11-23 10:00:00",
                "receiveDate": "2026-11-23 10:00:03",
                "recipientNo": r["recipientNo"],
                "resultCode": result_code,
                "senderGroupingKey": "",
                "recipientGroupingKey": r["recipientGroupingKey"],
                "_links": {"self": {"href": f"/alimtalk/v2.3/appkeys/{self.appkey}/messages/{request_id}"}},
                "hookId": uuid.uuid4().hex,
                **extra,
            }
            for r in self.sent[request_id]
        ]
        return {
            "hooksId": uuid.uuid4().hex,
            "webhookConfigId": "wh-1",
            "productName": "KakaoTalk Bizmessage",
            "appKey": self.appkey,
            "event": "MESSAGE_RESULT_UPDATE",
            "hooks": hooks,
        }


def _header(code: int, message: str) -> dict[str, Any]:
    return {"header": {"resultCode": code, "resultMessage": message, "isSuccessful": code == 0}}


class Refused(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _recipient(item: Any, index: int) -> dict[str, Any]:
    where = f"recipientList[{index}]"
    if not isinstance(item, dict):
        raise Refused(400, -1000, f"{where} must be an object")
    number = item.get("recipientNo")
    if not isinstance(number, str) or not NATIONAL.match(number):
        raise Refused(400, -1002, f"{where}.recipientNo is invalid (national digits, like 01012345678): {number!r}")
    parameters = item.get("templateParameter", {})
    if not isinstance(parameters, dict) or not all(isinstance(v, str) for v in parameters.values()):
        raise Refused(400, -1003, f"{where}.templateParameter must map names to strings")
    key = item.get("recipientGroupingKey", "")
    if not isinstance(key, str) or len(key) > 100:
        raise Refused(400, -1004, f"{where}.recipientGroupingKey is longer than 100 characters")
    return item


def _validate(server: AlimTalkServer, data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        raise Refused(400, -1000, "the body must be a JSON object")
    for name in ("senderKey", "templateCode"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise Refused(400, -1001, f"{name} is required")
    recipients = data.get("recipientList")
    if not isinstance(recipients, list) or not recipients:
        raise Refused(400, -1001, "recipientList is required")
    if len(recipients) > MAX_RECIPIENTS:
        raise Refused(400, -1005, f"recipientList holds {len(recipients)} recipients; at most {MAX_RECIPIENTS}")
    checked = [_recipient(item, i) for i, item in enumerate(recipients)]
    if data["senderKey"] not in server.senders:
        raise Refused(200, -3001, f"no sender profile with senderKey {data['senderKey']}")
    if data["templateCode"] not in server.templates:
        raise Refused(200, -3002, f"no approved template {data['templateCode']}")
    return checked


def _accept(server: AlimTalkServer, recipients: list[dict[str, Any]]) -> dict[str, Any]:
    request_id = "20261123100000" + uuid.uuid4().hex[:8]
    results = []
    for seq, item in enumerate(recipients, start=1):
        code, text = server.fail_numbers.get(item["recipientNo"], (0, "SUCCESS"))
        results.append(
            {
                "recipientSeq": seq,
                "recipientNo": item["recipientNo"],
                "resultCode": code,
                "resultMessage": text,
                "recipientGroupingKey": item.get("recipientGroupingKey", ""),
            }
        )
    server.sent[request_id] = [r for r in results if r["resultCode"] == 0]
    return {
        **_header(0, "SUCCESS"),
        "message": {"requestId": request_id, "senderGroupingKey": "", "sendResults": results},
    }


def _handler(server: AlimTalkServer) -> type[BaseHTTPRequestHandler]:
    prefix = f"/alimtalk/v2.3/appkeys/{server.appkey}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._handle(b"")

        def do_POST(self) -> None:
            self._handle(self.rfile.read(int(self.headers.get("Content-Length", 0))))

        def _handle(self, body: bytes) -> None:
            with server.lock:
                server.requests.append(Request(self.command, self.path, dict(self.headers.items()), body))
            try:
                status, reply = self._route(body)
            except Refused as exc:
                status, reply = exc.status, _header(exc.code, exc.message)
            data = json.dumps(reply, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, body: bytes) -> tuple[int, dict[str, Any]]:
            path = urlsplit(self.path).path
            if not path.startswith(prefix + "/") or self.headers.get("X-Secret-Key") != server.secret:
                raise Refused(401, -1401, "unknown appkey or wrong X-Secret-Key")
            if self.command == "GET":
                return self._senders(path[len(prefix) :])
            if path != prefix + "/messages":
                raise Refused(404, -1404, f"no API at {path}")
            content_type = self.headers.get("Content-Type", "").replace(" ", "").lower()
            if content_type != CONTENT_TYPE:
                raise Refused(415, -1415, f"Content-Type must be application/json;charset=UTF-8, not {content_type!r}")
            with server.lock:
                queued = server.answers.pop(0) if server.answers else None
                server.keys[self.headers.get("X-NC-API-IDEMPOTENCY-KEY", "")] += 1
            if queued is not None:
                raise Refused(queued, -9000 - queued, f"answering HTTP {queued} as the test asked")
            try:
                data = json.loads(body)
            except ValueError:
                raise Refused(400, -1000, "the body is not JSON") from None
            recipients = _validate(server, data)
            with server.lock:
                answer = _accept(server, recipients)
            time.sleep(server.delay)
            return 200, answer

        def _senders(self, path: str) -> tuple[int, dict[str, Any]]:
            if path.startswith("/senders/"):
                key = path[len("/senders/") :]
                if key not in server.senders:
                    raise Refused(200, -3001, f"no sender profile with senderKey {key}")
                return 200, {**_header(0, "SUCCESS"), "sender": _sender(key, server.senders[key])}
            listed = [_sender(k, v) for k, v in server.senders.items()]
            return 200, {**_header(0, "SUCCESS"), "senders": listed, "totalCount": len(listed)}

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _sender(key: str, plus_friend_id: str) -> dict[str, Any]:
    return {
        "plusFriendId": plus_friend_id,
        "senderKey": key,
        "status": "YSC03",
        "statusName": "정상 등록",
        "kakaoStatus": "A",
        "kakaoStatusName": "정상",
        "kakaoProfileStatus": "A",
        "kakaoProfileStatusName": "활성화",
        "alimtalk": {"isResend": False, "dailyMaxCount": 0, "sentCount": 12},
        "block": False,
        "dormant": False,
    }


@contextmanager
def running_alimtalk(**options: Any) -> Iterator[AlimTalkServer]:
    """An AlimTalkServer on 127.0.0.1 (a random port), served from a background thread."""
    state = AlimTalkServer(**options)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
