"""A real local SMTP server (aiosmtpd) for the SMTP transport tests: plain, STARTTLS or implicit TLS,
optional AUTH, per-recipient replies (550, 451, 421...) and a record of every message it accepted."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    peer: Any


@dataclass
class Mailbox:
    """The handler: `rcpt_replies` / `data_replies` map a recipient to the reply the server gives it."""

    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_replies: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    peers: set[Any] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.peers.add(session.peer)
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for address in envelope.rcpt_tos:
            if address in self.data_replies:
                return self.data_replies[address]
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, session.peer))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict[str, EmailMessage]:
        return {r.rcpt_tos[0]: r.message for r in self.received}


@dataclass
class Server:
    host: str
    port: int
    mailbox: Mailbox
    ca_file: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for localhost / 127.0.0.1 and its key, as files; the certificate is its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


def _authenticator(login: tuple[str, str]) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == login
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def running_smtp(
    *, security: str = "none", login: tuple[str, str] | None = None, folder: Path | None = None
) -> Iterator[Server]:
    """An SMTP server on 127.0.0.1 for the block; security: none | starttls | ssl (those need `folder`)."""
    mailbox = Mailbox()
    # aiosmtpd only counts STARTTLS as TLS for AUTH; behind implicit TLS it would hide AUTH.
    kwargs: dict[str, Any] = {"auth_require_tls": security == "starttls"}
    if login is not None:
        kwargs["authenticator"] = _authenticator(login)
    ca_file = ""
    if security != "none":
        assert folder is not None
        ca_file, key_file = self_signed(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(ca_file, key_file)
        if security == "ssl":
            kwargs["ssl_context"] = context
        else:
            kwargs.update(tls_context=context, require_starttls=True)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, server_hostname="mx.test.local", **kwargs)
    controller.start()
    try:
        yield Server("127.0.0.1", port, mailbox, ca_file)
    finally:
        controller.stop()
