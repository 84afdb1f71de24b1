"""The HTTP connection to NHN Cloud: the shared keep-alive client (URL policy, connect vs read timeouts), reading
whole answers — a 1,000-recipient send result is ~150 KB, past the shared client's 64 KiB cap for webhooks."""

from __future__ import annotations

from channels.transports.httpclient import HttpConnection

MAX_ANSWER = 4 * 1024 * 1024


class NhnConnection(HttpConnection):
    """HttpConnection reading up to 4 MiB of answer."""

    max_body = MAX_ANSWER
