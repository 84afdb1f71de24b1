"""SMTP: one connection per transport instance, reused for the whole batch and closed in close().

Replies map like this: 2xx → sent (our Message-ID is the provider id); 4xx → sent again later; 5xx →
that recipient failed; 421 or a dropped connection → sent again later on a fresh connection. A sender
refused with 5xx, a failed login or a TLS problem stops the batch: every message would meet it.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from channels.transports.base import (
    CheckResult,
    OutboundMessage,
    SendResult,
    Transport,
    TransportError,
    transport_register,
)
from channels.transports.common import PerMessageSender, config_secrets
from channels.transports.mime import email_build, headers_of, new_message_id, reply_to_of, sender_of

if TYPE_CHECKING:
    from channels.models import ChannelConfig

DEFAULT_TIMEOUT = 30.0


def _text(reply: Any) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _reply_error(code: int, reply: Any, what: str) -> TransportError:
    text = f"{what}: {code} {_text(reply)}"
    return TransportError(text, permanent=500 <= code < 600)


@transport_register
class SmtpTransport(Transport):
    """Plain smtplib: STARTTLS, implicit TLS or none; optional login; multipart text + HTML."""

    name = "smtp"
    batch_size = 50

    def __init__(self, config: ChannelConfig | None) -> None:
        super().__init__(config)
        self._connection: smtplib.SMTP | None = None
        self._sender = PerMessageSender(1)

    def _open(self) -> tuple[smtplib.SMTP, str]:
        """Connect, greet, secure and log in; returns the session and the server's banner."""
        host = str(self.setting("host", ""))
        if not host:
            raise TransportError("the SMTP channel has no host: set one", permanent=True)
        security = str(self.setting("security", "starttls") or "starttls")
        try:
            port = int(self.setting("port", 0) or 0) or {"ssl": 465, "none": 25}.get(security, 587)
            timeout = float(self.setting("timeout_seconds", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
        except (TypeError, ValueError):
            raise TransportError("the SMTP port and timeout must be numbers", permanent=True) from None
        self._check_address(host, port)
        context = ssl.create_default_context()
        conn: smtplib.SMTP = (
            smtplib.SMTP_SSL(timeout=timeout, context=context) if security == "ssl" else smtplib.SMTP(timeout=timeout)
        )
        conn._host = host  # type: ignore[attr-defined]  # the TLS server name; set by smtplib only when its constructor connects
        try:
            code, banner = conn.connect(host, port)
            if code != 220:
                raise _reply_error(code, banner, f"{host}:{port} refused the connection")
            conn.ehlo()
            if security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            username = str(self.setting("username", "") or "")
            if username:
                conn.login(username, config_secrets(self.config).get("password", ""))
        except Exception as exc:
            conn.close()
            raise self._connect_error(exc, host, port) from exc
        return conn, _text(banner)

    def _check_address(self, host: str, port: int) -> None:
        from engage.events.streams.destinations.base import DeliveryError
        from engage.events.streams.destinations.network import address_check

        try:
            address_check(f"smtp://{host}:{port}")
        except DeliveryError as exc:
            raise TransportError(f"SMTP server refused: {exc}", permanent=True) from exc

    @staticmethod
    def _connect_error(exc: Exception, host: str, port: int) -> TransportError:
        if isinstance(exc, TransportError):
            return exc
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return TransportError(f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=True)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return TransportError(f"{host}:{port}: {exc} (check the security setting)", permanent=True)
        if isinstance(exc, ssl.SSLError):
            return TransportError(f"TLS with {host}:{port} failed: {exc}", permanent=True)
        if isinstance(exc, smtplib.SMTPResponseException):
            return _reply_error(exc.smtp_code, exc.smtp_error, f"{host}:{port}")
        return TransportError(f"cannot reach {host}:{port}: {exc}", permanent=False)

    def connection(self) -> smtplib.SMTP:
        if self._connection is None:
            self._connection = self._open()[0]
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        return self._sender.run(batch, self._send_one)

    def _send_one(self, message: OutboundMessage) -> SendResult:
        sender = sender_of(self, message)
        message_id = new_message_id(sender)
        try:
            mime = email_build(
                message,
                sender=sender,
                reply_to=reply_to_of(self, message),
                headers=headers_of(self, message),
                message_id=message_id,
            )
        except ValueError as exc:
            return SendResult.failed(message, f"the message cannot be built: {exc}")
        conn = self.connection()
        try:
            conn.send_message(mime, from_addr=parseaddr(sender)[1], to_addrs=[message.address])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (550, b"recipient refused"))
            return self._refused(message, code, reply)
        except smtplib.SMTPSenderRefused as exc:
            raise _reply_error(exc.smtp_code, exc.smtp_error, f"sender {exc.sender} refused") from exc
        except smtplib.SMTPResponseException as exc:
            return self._refused(message, exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            return SendResult(message.delivery_id, "retry", message=f"connection lost: {exc}", status_code=421)
        return SendResult.sent(message, message_id)

    def _refused(self, message: OutboundMessage, code: int, reply: Any) -> SendResult:
        text = f"{code} {_text(reply)}"
        if code == 421:
            self._drop()  # the server is closing the session
        if 400 <= code < 500:
            return SendResult(message.delivery_id, "retry", message=text, status_code=code)
        return SendResult.failed(message, text, status_code=code)

    def check(self) -> CheckResult:
        """Connect, EHLO (and STARTTLS and login when configured); the banner and the server's extensions."""
        try:
            conn, banner = self._open()
        except TransportError as exc:
            return CheckResult(ok=False, error=exc.message)
        features = dict(conn.esmtp_features)
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()
        values: dict[str, Any] = {
            "banner": banner,
            "features": sorted(features),
            "security": str(self.setting("security", "starttls") or "starttls"),
            "authenticated": bool(self.setting("username", "")),
        }
        if features.get("size", "").strip().isdigit():
            values["max_message_size"] = int(features["size"])
        return CheckResult(ok=True, values=values)

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
            self._drop()
