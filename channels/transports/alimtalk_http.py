"""The HTTP connection to NHN Cloud: the shared keep-alive client (URL policy, connect vs read timeouts), reading
whole answers — a 1,000-recipient send result is ~150 KB, past the shared client's 64 KiB cap for webhooks."""

from __future__ import annotations

import http.client

from channels.transports.base import TransportError
from channels.transports.httpclient import Answer, HttpConnection

MAX_ANSWER = 4 * 1024 * 1024


class NhnConnection(HttpConnection):
    """HttpConnection with a per-call path under the base URL and up to 4 MiB of answer."""

    def exchange(self, method: str, *, body: bytes | None, headers: dict[str, str]) -> Answer:
        conn = self._open()
        try:
            conn.request(method, self.path, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise TransportError(f"could not send to {self.host}: {exc}", permanent=False) from exc
        try:
            response = conn.getresponse()
            data = response.read(MAX_ANSWER)
        except TimeoutError as exc:
            self.close()
            text = f"{self.host} did not answer within {self.read_timeout:g} s; it may have received the request"
            raise TransportError(text, permanent=False, delivered_unknown=True) from exc
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            text = f"{self.host} dropped the connection before answering ({exc}); it may have received the request"
            raise TransportError(text, permanent=False, delivered_unknown=True) from exc
        if response.will_close or not response.isclosed():
            self.close()
        return Answer(status=response.status, headers=response.headers, body=data)
