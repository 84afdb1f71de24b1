"""SendMessages and SendUsersMessages through boto3, landing in the sandbox Outbox, personalised."""

from __future__ import annotations

from channels.outbox import outbox_entry, outbox_filtered
from engage.tenancy.models import ApiKey, Tenant
from tests.pinpoint.conftest import Client, ClientMaker, KeyMaker, error_of

SIMPLE_EMAIL = {
    "EmailMessage": {
        "FromAddress": "shop@example.com",
        "SimpleEmail": {
            "Subject": {"Charset": "UTF-8", "Data": "Hi {{User.UserAttributes.FirstName}}"},
            "HtmlPart": {"Data": "<p>Hello {{User.UserAttributes.FirstName}}</p>"},
            "TextPart": {"Data": "Hello {{User.UserAttributes.FirstName}}"},
        },
    }
}


def _endpoints(pinpoint: Client, tenant: Tenant) -> None:
    items = [
        {
            "Id": "ann-mail",
            "ChannelType": "EMAIL",
            "Address": "ann@example.com",
            "User": {"UserId": "ann", "UserAttributes": {"FirstName": ["Ann"]}},
        },
        {"Id": "ann-sms", "ChannelType": "SMS", "Address": "+14155550100", "User": {"UserId": "ann"}},
        {
            "Id": "bob-mail",
            "ChannelType": "EMAIL",
            "Address": "bob@example.com",
            "User": {"UserId": "bob", "UserAttributes": {"FirstName": ["Bob"]}},
        },
    ]
    pinpoint.update_endpoints_batch(ApplicationId=tenant.public_id, EndpointBatchRequest={"Item": items})


def test_send_messages_lands_in_the_outbox_personalised(pinpoint: Client, acme: Tenant) -> None:
    _endpoints(pinpoint, acme)
    answer = pinpoint.send_messages(
        ApplicationId=acme.public_id,
        MessageRequest={
            "Addresses": {"guest@example.com": {"ChannelType": "EMAIL"}},
            "Endpoints": {"ann-mail": {}, "bob-mail": {"TitleOverride": "Just for Bob"}, "nobody": {}},
            "MessageConfiguration": SIMPLE_EMAIL,
        },
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    body = answer["MessageResponse"]
    assert body["ApplicationId"] == acme.public_id and body["RequestId"]
    assert body["Result"]["guest@example.com"]["DeliveryStatus"] == "SUCCESSFUL"
    ann = body["EndpointResult"]["ann-mail"]
    assert (ann["DeliveryStatus"], ann["StatusCode"], ann["Address"]) == ("SUCCESSFUL", 200, "ann@example.com")
    assert ann["MessageId"].startswith("sandbox-")
    assert body["EndpointResult"]["nobody"]["DeliveryStatus"] == "PERMANENT_FAILURE"
    entries = {e.address: e for e in map(outbox_entry, outbox_filtered(tenant=acme))}
    assert set(entries) == {"guest@example.com", "ann@example.com", "bob@example.com"}
    assert entries["ann@example.com"].subject == "Hi Ann" and entries["ann@example.com"].body == "Hello Ann"
    assert entries["bob@example.com"].subject == "Just for Bob"
    assert entries["ann@example.com"].source == "transactional"


def test_send_users_messages_reaches_every_endpoint_of_each_user(pinpoint: Client, acme: Tenant) -> None:
    _endpoints(pinpoint, acme)
    pinpoint.create_sms_template(TemplateName="hello", SMSTemplateRequest={"Body": "Hey {{User.UserId}}"})
    answer = pinpoint.send_users_messages(
        ApplicationId=acme.public_id,
        SendUsersMessageRequest={
            "Users": {"ann": {}, "bob": {}},
            "MessageConfiguration": {**SIMPLE_EMAIL, "SMSMessage": {"MessageType": "TRANSACTIONAL"}},
            "TemplateConfiguration": {"SMSTemplate": {"Name": "hello"}},
        },
    )
    result = answer["SendUsersMessageResponse"]["Result"]
    assert set(result["ann"]) == {"ann-mail", "ann-sms"} and set(result["bob"]) == {"bob-mail"}
    assert all(r["DeliveryStatus"] == "SUCCESSFUL" for user in result.values() for r in user.values())
    texts = {e.address: e.body for e in map(outbox_entry, outbox_filtered(tenant=acme, channel="SMS"))}
    assert texts == {"+14155550100": "Hey ann"}


def test_it_refuses_bad_send_requests(
    pinpoint: Client, client_for: ClientMaker, make_key: KeyMaker, acme: Tenant
) -> None:
    loose = client_for(make_key(acme), check=False)
    code, message, status = error_of(
        lambda: loose.send_messages(ApplicationId=acme.public_id, MessageRequest={"Addresses": {}})
    )
    assert (code, message, status) == ("BadRequestException", "Missing required parameter MessageConfiguration", 400)
    no_content = error_of(
        lambda: pinpoint.send_messages(
            ApplicationId=acme.public_id,
            MessageRequest={
                "Addresses": {"+14155550100": {"ChannelType": "SMS"}},
                "MessageConfiguration": SIMPLE_EMAIL,
            },
        )
    )
    assert no_content[0] == "BadRequestException" and "SMS" in no_content[1]
    ingest = client_for(make_key(acme, ApiKey.Role.INGEST))
    denied = error_of(
        lambda: ingest.send_messages(
            ApplicationId=acme.public_id,
            MessageRequest={
                "Addresses": {"a@example.com": {"ChannelType": "EMAIL"}},
                "MessageConfiguration": SIMPLE_EMAIL,
            },
        )
    )
    assert denied[::2] == ("ForbiddenException", 403)
    assert not outbox_filtered(tenant=acme).exists()
