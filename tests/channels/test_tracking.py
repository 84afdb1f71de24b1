"""Engagement tracking through the real send path and the public URLs: open pixel, click redirect, unsubscribe."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from django.test import Client
from moto import mock_aws

from channels.models import Delivery, Source, Status
from channels.services.send import deliveries_send
from channels.tracking.tokens import token_make, token_read
from engage import clock
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import Endpoint, SuppressedAddress
from templates.models import Channel
from tests.channels.support import email_message, make_endpoints, plan
from tests.channels.transport_support import channel_config, dispatch_to, hooked, send, set_aws_env

pytestmark = pytest.mark.django_db

HTML = (
    "<html><body><p>Hi {{User.UserAttributes.FirstName}}</p>"
    '<a href="https://shop.example/sale?a=1&amp;b=2">Sale</a> '
    "<a class='x' href='http://blog.example/post'>Blog</a> "
    '<a href="mailto:help@example.com">Mail us</a> '
    '<a href="https://docs.example/" ses:no-track>Docs</a> '
    '<a ses:tags="unsubscribeLinkTag:footer" href="https://prefs.example/">Preferences</a> '
    '<a href="#unsubscribe">Unsubscribe</a>'
    '<link rel="stylesheet" href="https://cdn.example/s.css">'
    "</body></html>"
)


def tracked_message() -> dict[str, Any]:
    message = email_message()
    message["content"]["HtmlPart"] = HTML
    return message


def send_one(tenant: Tenant, **kw: Any) -> Delivery:
    ids = make_endpoints(tenant, 1)
    dispatch, _ = plan(tenant, ids, message=tracked_message(), **kw)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    return Delivery.objects.get(dispatch=dispatch)


def urls(html: str, kind: str) -> list[str]:
    return re.findall(rf'"(http://127\.0\.0\.1:8000/t/{kind}/[^"]+)"', html)


def b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def path(url: str) -> str:
    return urlsplit(url).path


def events(tenant: Tenant, kind: str) -> list[Event]:
    return list(Event.objects.filter(tenant=tenant, event_type=kind).order_by("id"))


def test_it_puts_the_pixel_and_rewritten_links_in_the_outbox_payload(tenant: Tenant) -> None:
    row = send_one(tenant)
    html = row.payload["HtmlPart"]
    assert html.startswith("<html><body><p>Hi Name0</p>")
    [pixel] = urls(html, "o")
    assert html.index(pixel) < html.index("</body>")
    clicks = urls(html, "c")
    assert [token_read(kind="click", token=path(u).rsplit("/", 1)[1]).data for u in clicks] == [  # type: ignore[union-attr]
        "https://shop.example/sale?a=1&b=2",
        "http://blog.example/post",
    ]
    assert 'href="mailto:help@example.com"' in html and 'href="https://docs.example/"' in html
    assert 'href="https://prefs.example/"' in html and 'href="https://cdn.example/s.css"' in html
    [unsubscribe] = urls(html, "u")
    target = token_read(kind="unsubscribe", token=path(unsubscribe).rsplit("/", 1)[1])
    assert target is not None and (target.tenant_id, target.delivery_id, target.data) == (
        tenant.pk,
        row.pk,
        "user0@example.com",
    )


def test_it_leaves_test_messages_and_configs_with_tracking_off_alone(tenant: Tenant) -> None:
    untouched = HTML.replace("{{User.UserAttributes.FirstName}}", "Name0")
    assert send_one(tenant, source=Source.TEST).payload["HtmlPart"] == untouched
    config = channel_config(tenant, provider="sandbox", channel=Channel.EMAIL, tracking=False)
    ids = make_endpoints(tenant, 1, prefix="quiet")
    dispatch, _ = plan(tenant, ids, message=tracked_message(), config=config, campaign_id="c2")
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    assert Delivery.objects.get(dispatch=dispatch).payload["HtmlPart"] == untouched


def test_it_records_one_open_per_delivery_and_hour(tenant: Tenant, client: Client) -> None:
    row = send_one(tenant)
    [pixel] = urls(row.payload["HtmlPart"], "o")
    for _ in range(2):
        response = client.get(path(pixel), HTTP_USER_AGENT="Mail/1.0")
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
        assert response.content.startswith(b"GIF89a") and "no-store" in response["Cache-Control"]
    [opened] = events(tenant, "_email.open")
    assert opened.delivery_id == row.pk and opened.endpoint_id == "ep0" and opened.campaign_id == "c1"
    assert opened.attributes["user_agent"] == "Mail/1.0" and opened.attributes["feedback"] == "opened"
    assert opened.attributes["message_id"] == row.provider_message_id and opened.attributes["treatment_id"] == "0"
    clock.advance(seconds=3600)
    assert client.get(path(pixel)).status_code == 200
    assert len(events(tenant, "_email.open")) == 2


def test_an_edited_tracking_url_gets_404_and_records_nothing(tenant: Tenant, client: Client) -> None:
    row = send_one(tenant)
    [pixel] = urls(row.payload["HtmlPart"], "o")
    token = path(pixel).removeprefix("/t/o/").removesuffix(".gif")
    tenant_part, delivery_part, signature = token.split(".")
    edited = [
        f"{tenant_part}.{b36(int(delivery_part, 36) + 1)}.{signature}",
        f"{tenant_part}.{delivery_part}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{tenant_part}.{delivery_part}",
        "garbage",
    ]
    for bad in edited:
        assert client.get(f"/t/o/{bad}.gif").status_code == 404
    # A valid token of another kind is no open token.
    assert client.get(f"/t/o/{path(urls(row.payload['HtmlPart'], 'u')[0]).rsplit('/', 1)[1]}.gif").status_code == 404
    assert events(tenant, "_email.open") == []


def test_it_redirects_a_click_to_the_original_link_and_never_elsewhere(tenant: Tenant, client: Client) -> None:
    row = send_one(tenant)
    first = urls(row.payload["HtmlPart"], "c")[0]
    response = client.get(path(first), HTTP_USER_AGENT="Browser/2")
    assert response.status_code == 302 and response["Location"] == "https://shop.example/sale?a=1&b=2"
    client.get(path(first))
    [clicked] = events(tenant, "_email.click")
    assert clicked.attributes["link"] == "https://shop.example/sale?a=1&b=2" and clicked.delivery_id == row.pk
    token = path(first).rsplit("/", 1)[1]
    evil = token_make(kind="click", tenant_id=tenant.pk, delivery_id=row.pk, data="https://evil.example/")
    forged = ".".join([*token.split(".")[:2], evil.split(".")[2], token.split(".")[3]])
    assert client.get(f"/t/c/{forged}").status_code == 404
    assert client.get(f"/t/c/{token[:-2]}").status_code == 404
    script = token_make(kind="click", tenant_id=tenant.pk, delivery_id=row.pk, data="javascript:alert(1)")
    assert client.get(f"/t/c/{script}").status_code == 404
    assert len(events(tenant, "_email.click")) == 1


def test_the_unsubscribe_page_and_one_click_post_opt_the_address_out_once(tenant: Tenant, client: Client) -> None:
    row = send_one(tenant)
    url = path(urls(row.payload["HtmlPart"], "u")[0])
    page = client.get(url)
    assert page.status_code == 200 and b"Stop email from Acme to <strong>user0@example.com</strong>" in page.content
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_out == "NONE"
    assert client.post(url, {}).status_code == 400
    for _ in range(2):
        response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200 and b"unsubscribed" in response.content
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_out == "ALL"
    suppressed = SuppressedAddress.objects.get(tenant=tenant, address="user0@example.com")
    assert (suppressed.reason, suppressed.channel, suppressed.source) == ("UNSUBSCRIBE", "EMAIL", "unsubscribe-link")
    [unsubscribed] = events(tenant, "_email.unsubscribe")
    assert unsubscribed.delivery_id == row.pk and unsubscribed.attributes["campaign_id"] == "c1"
    assert client.post(url, {"confirm": "yes"}).status_code == 200
    assert len(events(tenant, "_email.unsubscribe")) == 1
    assert client.get(url.replace("/t/u/", "/t/u/x")).status_code == 404


def test_a_link_of_one_tenant_cannot_reach_another(tenant: Tenant, other_tenant: Tenant, client: Client) -> None:
    row = send_one(tenant)
    make_endpoints(other_tenant, 1)
    url = path(urls(row.payload["HtmlPart"], "u")[0])
    token = url.rsplit("/", 1)[1]
    moved = ".".join([b36(other_tenant.pk), *token.split(".")[1:]])
    assert client.post(f"/t/u/{moved}", {"confirm": "yes"}).status_code == 404
    assert Endpoint.objects.get(tenant=other_tenant, endpoint_id="ep0").opt_out == "NONE"
    assert not SuppressedAddress.objects.filter(tenant=other_tenant).exists()
    # Even a correctly signed token naming the other tenant's delivery finds nothing of this tenant's.
    crossed = token_make(kind="open", tenant_id=other_tenant.pk, delivery_id=row.pk)
    assert client.get(f"/t/o/{crossed}.gif").status_code == 200
    assert not Event.objects.filter(event_type="_email.open").exists()


def test_it_gives_the_ses_transport_our_one_click_unsubscribe_url(
    tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ENGAGE_PUBLIC_URL = "https://engage.example"
    set_aws_env(monkeypatch)
    requests: list[dict[str, Any]] = []
    with mock_aws():
        boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity="example.com")
        config = channel_config(tenant, provider="ses", channel=Channel.EMAIL, from_address="news@example.com")
        ids = make_endpoints(tenant, 1)
        dispatch = dispatch_to(tenant, config, tracked_message(), [(ids[0], None)])
        with hooked("before-call.sesv2.SendEmail", lambda params, **_: requests.append(json.loads(params["body"]))):
            [row] = send(dispatch)
    assert row.status == Status.SENT
    headers = {h["Name"]: h["Value"] for h in requests[0]["Content"]["Simple"]["Headers"]}
    assert re.fullmatch(r"<https://engage\.example/t/u/[\w.-]+>", headers["List-Unsubscribe"])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = requests[0]["Content"]["Simple"]["Body"]["Html"]["Data"]
    assert "https://engage.example/t/o/" in html and "https://engage.example/t/c/" in html
