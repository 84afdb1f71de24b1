"""SMS feedback through a signed SNS subscription: inbound STOP / HELP / keywords and delivery receipts, posted to
the real /hooks/sms/<token>/ URL by the local SNS stand-in; answers go out through the real send path."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from channels.feedback.config import feedback_settings_clean, feedback_url
from channels.models import ChannelConfig, Delivery, Dispatch, Source, Status
from channels.services.send import deliveries_send
from engage.errors import Invalid
from engage.events.models import Event
from engage.tenancy.models import Tenant
from segments.models import Endpoint, SuppressedAddress
from templates.models import Channel
from tests.channels import sns_signer
from tests.channels.sns_signer import SnsStandIn
from tests.channels.support import make_endpoints, plan, sms_message
from tests.channels.transport_support import channel_config

pytestmark = pytest.mark.django_db
sns = sns_signer.sns  # the fixture

OUR_NUMBER = "+12065550100"


def sms_config(tenant: Tenant, **settings: Any) -> ChannelConfig:
    base = {"help_text": "Acme alerts: reply STOP to stop. Help at acme.example", "keywords": {"HOURS": "9-5 daily"}}
    return channel_config(tenant, provider="sandbox", channel=Channel.SMS, **{**base, **settings})


def inbound(phone: str, body: str, inbound_id: str = "in-1") -> dict[str, Any]:
    return {
        "originationNumber": phone,
        "destinationNumber": OUR_NUMBER,
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": body,
        "inboundMessageId": inbound_id,
        "previousPublishedMessageId": "prev-1",
    }


def receipt(row: Delivery, status: str, final: bool = True) -> dict[str, Any]:
    return {
        "eventType": f"TEXT_{status}",
        "eventVersion": "1.0",
        "isFinal": final,
        "originationPhoneNumber": OUR_NUMBER,
        "destinationPhoneNumber": row.address,
        "isoCountryCode": "US",
        "messageId": row.provider_message_id,
        "messageType": "TRANSACTIONAL",
        "messageStatus": status,
        "messageStatusDescription": f"carrier says {status}",
        "totalMessageParts": 1,
        "totalMessagePrice": 0.00581,
        "context": {"engage_delivery": str(row.pk)},
    }


def post(client: Client, config: ChannelConfig, message: dict[str, Any]) -> Any:
    return client.post(
        urlsplit(feedback_url(config=config) or "").path,
        json.dumps(message),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message["Type"],
    )


def answers(tenant: Tenant) -> list[Delivery]:
    return list(Delivery.objects.filter(tenant=tenant, dispatch__source=Source.TRANSACTIONAL).order_by("id"))


def test_stop_opts_the_numbers_endpoints_out_and_records_the_optout(
    tenant: Tenant, client: Client, sns: SnsStandIn
) -> None:
    config = sms_config(tenant)
    make_endpoints(tenant, 2, channel="SMS")
    response = post(client, config, sns.notification(inbound("+15550000000", "Stop please")))
    assert response.json() == {"status": "optout"}
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_out == "ALL"
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep1").opt_out == "NONE"
    suppressed = SuppressedAddress.objects.get(tenant=tenant, address="+15550000000")
    assert (suppressed.reason, suppressed.channel) == ("SMS_STOP", "SMS")
    [event] = Event.objects.filter(tenant=tenant, event_type="_SMS.OPTOUT")
    assert event.endpoint_id == "ep0" and event.user_id == "u0"
    assert event.attributes["keyword"] == "STOP" and event.attributes["origination_phone_number"] == OUR_NUMBER
    for keyword in ("arret", "UNSUBSCRIBE", "opt-out", "quit!"):
        assert post(client, config, sns.notification(inbound("+15550000001", keyword))).json() == {"status": "optout"}
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep1").opt_out == "ALL"


def test_help_and_custom_keywords_are_answered_once_through_the_send_path(
    tenant: Tenant, client: Client, sns: SnsStandIn
) -> None:
    config = sms_config(tenant)
    help_message = sns.notification(inbound("+15550000007", "help", "in-help"))
    assert post(client, config, help_message).json() == {"status": "help"}
    assert post(client, config, sns.notification(inbound("+15550000007", "help", "in-help"))).json() == {
        "status": "help"
    }
    assert post(client, config, sns.notification(inbound("+15550000007", "Hours?", "in-hours"))).json() == {
        "status": "keyword"
    }
    assert post(client, config, sns.notification(inbound("+15550000007", "hello", "in-x"))).json() == {
        "status": "ignored"
    }
    rows = answers(tenant)
    assert [r.address for r in rows] == ["+15550000007", "+15550000007"]
    for row in rows:
        assert row.dispatch.config_id == config.pk
        assert row.dispatch.message["options"]["OriginationNumber"] == OUR_NUMBER
        deliveries_send(tenant_id=tenant.pk, dispatch_id=row.dispatch_id, chunk=0)
    bodies = [r.payload["Body"] for r in answers(tenant)]
    assert bodies == ["Acme alerts: reply STOP to stop. Help at acme.example", "9-5 daily"]


def test_help_without_help_text_gets_no_answer_from_engage(tenant: Tenant, client: Client, sns: SnsStandIn) -> None:
    config = sms_config(tenant, help_text="")
    assert post(client, config, sns.notification(inbound("+15550000007", "AIDE"))).json() == {"status": "help"}
    assert answers(tenant) == [] and not Dispatch.objects.filter(tenant=tenant).exists()


def test_delivery_receipts_move_the_ledger_and_record_sms_events(
    tenant: Tenant, client: Client, sns: SnsStandIn
) -> None:
    config = sms_config(tenant)
    ids = make_endpoints(tenant, 3, channel="SMS")
    dispatch, _ = plan(tenant, ids, message=sms_message("Sale today"), channel=Channel.SMS, config=config)
    deliveries_send(tenant_id=tenant.pk, dispatch_id=dispatch.pk, chunk=0)
    ok, bad, later = Delivery.objects.filter(dispatch=dispatch).order_by("endpoint_id")
    assert post(client, config, sns.notification(receipt(ok, "DELIVERED"))).json() == {"status": "delivered"}
    assert post(client, config, sns.notification(receipt(ok, "DELIVERED"))).json() == {"status": "delivered"}
    assert post(client, config, sns.notification(receipt(bad, "CARRIER_UNREACHABLE", final=False))).json() == {
        "status": "interim"
    }
    assert post(client, config, sns.notification(receipt(bad, "UNREACHABLE"))).json() == {"status": "failed"}
    assert post(client, config, sns.notification(receipt(later, "PENDING"))).json() == {"status": "interim"}
    for row in (ok, bad, later):
        row.refresh_from_db()
    assert (ok.status, bad.status, later.status) == (Status.DELIVERED, Status.FAILED, Status.SENT)
    assert ok.delivered_at is not None and "UNREACHABLE" in bad.status_message
    [success] = Event.objects.filter(tenant=tenant, event_type="_SMS.SUCCESS")
    [failure] = Event.objects.filter(tenant=tenant, event_type="_SMS.FAILURE")
    assert success.delivery_id == ok.pk and success.attributes["record_status"] == "DELIVERED"
    assert success.attributes["campaign_id"] == "c1" and success.metrics["price_in_millicents_usd"] == 581.0
    assert failure.delivery_id == bad.pk and failure.attributes["record_status"] == "UNREACHABLE"


def test_a_forged_stop_changes_nothing(tenant: Tenant, client: Client, sns: SnsStandIn) -> None:
    config = sms_config(tenant)
    make_endpoints(tenant, 1, channel="SMS")
    genuine = sns.notification(inbound("+15550000000", "STOP"))
    forged = {**genuine, "Message": json.dumps(inbound("+15550000000", "STOP", "in-2"))}
    assert post(client, config, forged).status_code == 403
    assert post(client, config, {k: v for k, v in genuine.items() if k != "Signature"}).status_code == 403
    assert Endpoint.objects.get(tenant=tenant, endpoint_id="ep0").opt_out == "NONE"
    assert not SuppressedAddress.objects.filter(tenant=tenant).exists()
    assert not Event.objects.filter(tenant=tenant, event_type="_SMS.OPTOUT").exists()


def test_a_stop_reaches_only_the_tenant_of_the_url(
    tenant: Tenant, other_tenant: Tenant, client: Client, sns: SnsStandIn
) -> None:
    mine = sms_config(tenant)
    make_endpoints(other_tenant, 1, channel="SMS")
    assert post(client, mine, sns.notification(inbound("+15550000000", "STOP"))).status_code == 200
    assert Endpoint.objects.get(tenant=other_tenant, endpoint_id="ep0").opt_out == "NONE"
    assert not SuppressedAddress.objects.filter(tenant=other_tenant).exists()
    # An email config's token is no SMS feedback URL.
    email = channel_config(tenant, provider="sandbox", channel=Channel.EMAIL)
    token = urlsplit(feedback_url(config=email) or "").path.split("/")[3]
    assert client.post(f"/hooks/sms/{token}/", "{}", content_type="text/plain").status_code == 404


def test_the_feedback_settings_are_validated() -> None:
    out: dict[str, Any] = {}
    feedback_settings_clean(
        provider="eum_sms", data={"help_text": " Help! ", "keywords": {"hours": "9-5"}, "tracking": False}, out=out
    )
    assert out == {"help_text": "Help!", "keywords": {"HOURS": "9-5"}}
    for keywords in ({"STOP": "no"}, {"two words": "x"}, ["HOURS"]):
        with pytest.raises(Invalid) as caught:
            feedback_settings_clean(provider="eum_sms", data={"keywords": keywords}, out={})
        assert caught.value.field == "settings.keywords"
    out = {}
    feedback_settings_clean(provider="ses", data={"tracking": "false"}, out=out)
    assert out == {"tracking": False}


def test_the_operator_command_prints_each_configs_feedback_url(tenant: Tenant, other_tenant: Tenant) -> None:
    config = sms_config(tenant)
    sms_config(other_tenant)
    out = StringIO()
    call_command("feedback_urls", "--tenant", tenant.public_id, "--json", stdout=out)
    [row] = json.loads(out.getvalue())["feedback_urls"]
    assert row == {"config": config.name, "channel": "SMS", "provider": "sandbox", "url": feedback_url(config=config)}
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/hooks/sms/[\w-]{32}/", row["url"])
