"""Applications, their settings (the tenant's project defaults) and the event stream, through boto3."""

from __future__ import annotations

from datetime import time

from engage.events.streams.models import EventStream
from engage.tenancy.models import ApiKey, Tenant
from engage.tenancy.services import tenant_update_settings
from tests.pinpoint.conftest import Client, ClientMaker, KeyMaker, error_of

KINESIS = "arn:aws:kinesis:eu-west-1:123456789012:stream/pinpoint-events"
FIREHOSE = "arn:aws:firehose:us-east-2:123456789012:deliverystream/pinpoint-firehose"
ROLE = "arn:aws:iam::123456789012:role/pinpoint-events"


def test_it_reads_the_application(pinpoint: Client, acme: Tenant) -> None:
    app = pinpoint.get_app(ApplicationId=acme.public_id)["ApplicationResponse"]
    assert app["Arn"] == f"arn:aws:mobiletargeting:us-east-1:000000000000:apps/{acme.public_id}"
    assert app["CreationDate"].endswith("Z") and app["tags"] == {}
    apps = pinpoint.get_apps(PageSize="10")["ApplicationsResponse"]
    assert [a["Id"] for a in apps["Item"]] == [acme.public_id] and "NextToken" not in apps


def test_it_reads_and_writes_the_project_defaults(client_for: ClientMaker, make_key: KeyMaker, acme: Tenant) -> None:
    admin = client_for(make_key(acme, ApiKey.Role.ADMIN))
    settings = admin.get_application_settings(ApplicationId=acme.public_id)["ApplicationSettingsResource"]
    assert settings == {"ApplicationId": acme.public_id, "Limits": {}, "JourneyLimits": {}}
    answer = admin.update_application_settings(
        ApplicationId=acme.public_id,
        WriteApplicationSettingsRequest={
            "Limits": {"Daily": 5, "Total": 10, "MessagesPerSecond": 100, "MaximumDuration": 600},
            "QuietTime": {"Start": "22:00", "End": "07:30"},
            "JourneyLimits": {"DailyCap": 3, "TimeframeCap": {"Cap": 4, "Days": 7}},
            "CloudWatchMetricsEnabled": True,
        },
    )["ApplicationSettingsResource"]
    assert answer["Limits"] == {"Daily": 5, "Total": 10, "MessagesPerSecond": 100, "MaximumDuration": 600}
    assert answer["QuietTime"] == {"Start": "22:00", "End": "07:30"}
    assert answer["JourneyLimits"] == {"DailyCap": 3, "TimeframeCap": {"Cap": 4, "Days": 7}}
    acme.refresh_from_db()
    assert (acme.campaign_daily_cap, acme.quiet_time_start, acme.journey_timeframe_days) == (5, time(22, 0), 7)
    # 0 is Pinpoint's "no limit"; members left out keep their values; a console change shows up.
    admin.update_application_settings(
        ApplicationId=acme.public_id, WriteApplicationSettingsRequest={"Limits": {"Daily": 0}}
    )
    tenant_update_settings(tenant=acme, by="console", campaign_total_cap=20)
    settings = admin.get_application_settings(ApplicationId=acme.public_id)["ApplicationSettingsResource"]
    assert settings["Limits"] == {"Total": 20, "MessagesPerSecond": 100, "MaximumDuration": 600}
    assert settings["QuietTime"] == {"Start": "22:00", "End": "07:30"}


def test_the_campaign_hook_is_a_project_default(client_for: ClientMaker, make_key: KeyMaker, acme: Tenant) -> None:
    admin = client_for(make_key(acme, ApiKey.Role.ADMIN))
    hook = {"WebUrl": "https://hooks.example.com/filter", "Mode": "FILTER"}
    answer = admin.update_application_settings(
        ApplicationId=acme.public_id, WriteApplicationSettingsRequest={"CampaignHook": hook}
    )["ApplicationSettingsResource"]
    assert answer["CampaignHook"] == hook
    acme.refresh_from_db()
    assert acme.campaign_hook_url == "https://hooks.example.com/filter"
    admin.update_application_settings(ApplicationId=acme.public_id, WriteApplicationSettingsRequest={"Limits": {}})
    got = admin.get_application_settings(ApplicationId=acme.public_id)["ApplicationSettingsResource"]
    assert got["CampaignHook"] == hook  # left out: kept
    admin.update_application_settings(
        ApplicationId=acme.public_id, WriteApplicationSettingsRequest={"CampaignHook": {"WebUrl": ""}}
    )
    got = admin.get_application_settings(ApplicationId=acme.public_id)["ApplicationSettingsResource"]
    assert "CampaignHook" not in got


def test_it_refuses_settings_it_cannot_hold(client_for: ClientMaker, make_key: KeyMaker, acme: Tenant) -> None:
    admin = client_for(make_key(acme, ApiKey.Role.ADMIN))

    def update(body: dict[str, object]) -> tuple[str, str, int]:
        return error_of(
            lambda: admin.update_application_settings(
                ApplicationId=acme.public_id, WriteApplicationSettingsRequest=body
            )
        )

    assert update({"Limits": {"MessagesPerSecond": 10}})[1].startswith("Limits.MessagesPerSecond: ")
    assert update({"QuietTime": {"Start": "25:00", "End": "07:00"}})[1].startswith("QuietTime.Start must be")
    assert update({"QuietTime": {"Start": "22:00"}})[1].startswith("QuietTime.End: ")
    lambda_hook = update({"CampaignHook": {"LambdaFunctionName": "filter"}})[1]
    assert lambda_hook.startswith("CampaignHook.LambdaFunctionName: ")
    assert update({"CampaignHook": {"WebUrl": "https://example.com/h", "Mode": "DELIVERY"}})[1].startswith(
        "CampaignHook.Mode: "
    )
    assert update({"CampaignHook": {"WebUrl": "ftp://example.com/h"}})[1].startswith("CampaignHook.WebUrl: ")
    assert update({"Limits": {"Session": 2}})[1].startswith("Limits.Session: ")
    marketer = client_for(make_key(acme))
    denied = error_of(
        lambda: marketer.update_application_settings(ApplicationId=acme.public_id, WriteApplicationSettingsRequest={})
    )
    assert denied[::2] == ("ForbiddenException", 403)
    acme.refresh_from_db()
    assert acme.messages_per_second is None and acme.quiet_time_start is None


def test_it_keeps_one_event_stream_per_application(client_for: ClientMaker, make_key: KeyMaker, acme: Tenant) -> None:
    admin = client_for(make_key(acme, ApiKey.Role.ADMIN))
    missing = error_of(lambda: admin.get_event_stream(ApplicationId=acme.public_id))
    assert missing[::2] == ("NotFoundException", 404)
    put = admin.put_event_stream(
        ApplicationId=acme.public_id, WriteEventStream={"DestinationStreamArn": KINESIS, "RoleArn": ROLE}
    )["EventStream"]
    assert (put["ApplicationId"], put["DestinationStreamArn"]) == (acme.public_id, KINESIS)
    stream = EventStream.objects.get(tenant=acme)
    assert (stream.kind, stream.region, stream.stream_name) == ("kinesis", "eu-west-1", KINESIS)
    admin.put_event_stream(
        ApplicationId=acme.public_id, WriteEventStream={"DestinationStreamArn": FIREHOSE, "RoleArn": ROLE}
    )
    got = admin.get_event_stream(ApplicationId=acme.public_id)["EventStream"]
    assert got["DestinationStreamArn"] == "arn:aws:firehose:us-east-2:000000000000:deliverystream/pinpoint-firehose"
    stream = EventStream.objects.get(tenant=acme)
    assert (stream.kind, stream.region, stream.stream_name) == ("firehose", "us-east-2", "pinpoint-firehose")
    bad = error_of(
        lambda: admin.put_event_stream(
            ApplicationId=acme.public_id, WriteEventStream={"DestinationStreamArn": "arn:aws:sqs:x", "RoleArn": ROLE}
        )
    )
    assert bad[0] == "BadRequestException" and bad[1].startswith("DestinationStreamArn must be a Kinesis")
    deleted = admin.delete_event_stream(ApplicationId=acme.public_id)["EventStream"]
    assert deleted["DestinationStreamArn"].endswith("deliverystream/pinpoint-firehose")
    assert not EventStream.objects.filter(tenant=acme).exists()
