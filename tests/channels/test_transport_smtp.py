"""The SMTP transport through the real send service, against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from channels.models import ChannelConfig, Reason, Status
from channels.transports import transport_class
from engage.events.models import Event
from engage.tenancy.models import Tenant
from templates.models import Channel
from tests.channels.smtp_server import Server, free_port, running_smtp
from tests.channels.support import email_message, make_endpoints
from tests.channels.transport_support import channel_config, dispatch_to, send

pytestmark = pytest.mark.django_db

LOGIN = ("mailer", "s3cret-password")
UNSUBSCRIBE = "https://engage.example/u/token"


@pytest.fixture(autouse=True)
def _private_networks_allowed(settings: Any) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def smtp() -> Iterator[Server]:
    with running_smtp(login=LOGIN) as server:
        yield server


def smtp_config(tenant: Tenant, server: Server, *, password: str = LOGIN[1], **settings: Any) -> ChannelConfig:
    base = {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "username": LOGIN[0],
        "from_address": "news@example.com",
        "from_name": "Acme News",
        "timeout_seconds": 5,
        "tracking": False,  # engagement tracking has its own tests (tests/channels/test_tracking.py)
    }
    return channel_config(
        tenant, provider="smtp", channel=Channel.EMAIL, secrets={"password": password}, **{**base, **settings}
    )


def test_it_sends_multipart_mail_with_headers_over_one_connection(tenant: Tenant, smtp: Server) -> None:
    ids = make_endpoints(tenant, 3)
    message = email_message(ReplyToAddresses=["help@example.com"])
    message["content"]["Headers"] = [{"Name": "X-Campaign", "Value": "spring-{{User.UserId}}"}]
    dispatch = dispatch_to(
        tenant, smtp_config(tenant, smtp), message, [(i, {"UnsubscribeUrl": UNSUBSCRIBE}) for i in ids]
    )
    rows = send(dispatch)
    assert [r.status for r in rows] == [Status.SENT] * 3
    received = smtp.mailbox.by_recipient()
    assert sorted(received) == ["user0@example.com", "user1@example.com", "user2@example.com"]
    assert len(smtp.mailbox.peers) == 1
    mail = received["user0@example.com"]
    assert smtp.mailbox.received[0].mail_from == "news@example.com"
    assert mail["From"] == "Acme News <news@example.com>" and mail["Subject"] == "Hi Name0"
    assert mail["Reply-To"] == "help@example.com" and mail["X-Campaign"] == "spring-u0"
    assert mail["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    assert mail.get_body(("plain",)).get_content().strip() == "Hello Name0"
    assert mail.get_body(("html",)).get_content().strip() == "<p>Hello Name0</p>"
    assert rows[0].provider_message_id == mail["Message-ID"] and mail["Message-ID"].endswith("@example.com>")
    assert Event.objects.filter(tenant=tenant, event_type="_email.send").count() == 3


def test_a_550_fails_only_that_recipient_and_a_451_is_tried_again(tenant: Tenant, smtp: Server) -> None:
    smtp.mailbox.rcpt_replies["user1@example.com"] = "550 5.1.1 No such user here"
    smtp.mailbox.rcpt_replies["user2@example.com"] = "451 4.3.0 Try again later"
    ids = make_endpoints(tenant, 4)
    rows = send(dispatch_to(tenant, smtp_config(tenant, smtp), email_message(), [(i, None) for i in ids]))
    assert [(r.status, r.reason) for r in rows] == [
        (Status.SENT, ""),
        (Status.FAILED, Reason.PROVIDER_REJECTED),
        (Status.QUEUED, ""),
        (Status.SENT, ""),
    ]
    assert rows[1].status_message == "550 5.1.1 No such user here"
    assert rows[2].status_message == "451 4.3.0 Try again later" and rows[2].not_before is not None
    assert sorted(smtp.mailbox.by_recipient()) == ["user0@example.com", "user3@example.com"]
    assert len(smtp.mailbox.peers) == 1

    del smtp.mailbox.rcpt_replies["user2@example.com"]
    from channels.models import Delivery

    Delivery.objects.filter(pk=rows[2].pk).update(not_before=None)
    [_, _, retried, _] = send(rows[2].dispatch)
    assert retried.status == Status.SENT and "user2@example.com" in smtp.mailbox.by_recipient()


def test_a_421_retries_that_message_and_reconnects_for_the_next(tenant: Tenant, smtp: Server) -> None:
    smtp.mailbox.data_replies["user0@example.com"] = "421 4.3.2 Service shutting down"
    ids = make_endpoints(tenant, 2)
    rows = send(dispatch_to(tenant, smtp_config(tenant, smtp), email_message(), [(i, None) for i in ids]))
    assert [r.status for r in rows] == [Status.QUEUED, Status.SENT]
    assert rows[0].status_message.startswith("421")
    assert len(smtp.mailbox.peers) == 2


def test_a_refused_login_fails_the_batch_with_the_servers_words(tenant: Tenant, smtp: Server) -> None:
    ids = make_endpoints(tenant, 2)
    config = smtp_config(tenant, smtp, password="wrong")
    rows = send(dispatch_to(tenant, config, email_message(), [(i, None) for i in ids]))
    assert {(r.status, r.reason) for r in rows} == {(Status.FAILED, Reason.PROVIDER_REJECTED)}
    assert rows[0].status_message.startswith("login refused: 535")
    assert not smtp.mailbox.received


def test_an_unreachable_server_leaves_the_rows_queued(tenant: Tenant) -> None:
    ids = make_endpoints(tenant, 2)
    server = Server("127.0.0.1", free_port(), mailbox=None)  # type: ignore[arg-type]
    rows = send(dispatch_to(tenant, smtp_config(tenant, server), email_message(), [(i, None) for i in ids]))
    assert {r.status for r in rows} == {Status.QUEUED}
    assert rows[0].status_message.startswith(f"cannot reach 127.0.0.1:{server.port}")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_it_sends_over_tls(tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, security: str) -> None:
    with running_smtp(security=security, login=LOGIN, folder=tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)
        ids = make_endpoints(tenant, 1)
        config = smtp_config(tenant, server, security=security)
        [row] = send(dispatch_to(tenant, config, email_message(), [(ids[0], None)]))
        assert row.status == Status.SENT, row.status_message
        assert list(server.mailbox.by_recipient()) == ["user0@example.com"]
        result = transport_class("smtp")(config).check()
    assert result.ok and result.values["authenticated"] is True
    if security == "starttls":
        assert "starttls" not in result.values["features"]  # we are already in TLS when the features are read
        assert "auth" in result.values["features"]


def test_an_untrusted_certificate_is_refused(tenant: Tenant, tmp_path: Path) -> None:
    with running_smtp(security="starttls", folder=tmp_path) as server:
        result = transport_class("smtp")(smtp_config(tenant, server, security="starttls", username="")).check()
    assert not result.ok and result.error.startswith("TLS with 127.0.0.1")


def test_check_reports_the_banner_and_extensions_or_the_error(tenant: Tenant, smtp: Server) -> None:
    result = transport_class("smtp")(smtp_config(tenant, smtp)).check()
    assert result.ok
    assert "mx.test.local" in result.values["banner"]
    assert {"auth", "size", "8bitmime"} <= set(result.values["features"])
    assert result.values["max_message_size"] == 33554432
    refused = transport_class("smtp")(smtp_config(tenant, smtp, password="nope")).check()
    assert not refused.ok and refused.error.startswith("login refused: 535")


def test_private_servers_are_refused_unless_the_operator_allows_them(
    tenant: Tenant, smtp: Server, settings: Any
) -> None:
    settings.EVENT_STREAMS_ALLOW_PRIVATE_NETWORKS = False
    result = transport_class("smtp")(smtp_config(tenant, smtp)).check()
    assert not result.ok and "private or reserved address" in result.error


def test_another_tenant_cannot_send_the_dispatch(tenant: Tenant, other_tenant: Tenant, smtp: Server) -> None:
    from channels.services.send import deliveries_send

    ids = make_endpoints(tenant, 1)
    dispatch = dispatch_to(tenant, smtp_config(tenant, smtp), email_message(), [(ids[0], None)])
    assert deliveries_send(tenant_id=other_tenant.pk, dispatch_id=dispatch.pk, chunk=0).claimed == 0
    assert not smtp.mailbox.received
