"""Journey bodies for the definition, review, lifecycle, API and Pinpoint tests: a realistic multi-activity
Pinpoint JourneyResponse, a minimal publishable journey, and the segments and templates they name."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from engage.tenancy.models import Tenant
from segments.models import Segment
from segments.services.segments import segment_create
from templates.codec import template_request_parse
from templates.services.templates import template_create

# Members of a JourneyResponse the server sets: everything else must come back as it was sent.
SERVER_SET = ("Id", "ApplicationId", "CreationDate", "LastModifiedDate", "State")


@dataclass
class Audience:
    """What a tenant's journeys refer to: two dynamic segments and one template per channel."""

    everyone: Segment
    vip: Segment


def audience(tenant: Tenant) -> Audience:
    """Segments "Everyone" and "VIP", and the templates Welcome (email), Reminder (SMS), Offer (push)."""
    templates: list[dict[str, Any]] = [
        {"TemplateName": "Welcome", "TemplateType": "EMAIL", "Subject": "Hi", "HtmlPart": "<p>Hi</p>"},
        {"TemplateName": "Reminder", "TemplateType": "SMS", "Body": "Still there?"},
        {"TemplateName": "Offer", "TemplateType": "PUSH", "Default": {"Title": "Offer", "Body": "10% off"}},
    ]
    for body in templates:
        template_create(tenant=tenant, data=template_request_parse(body), by="tests")
    vip_dims = {"Attributes": {"Tier": {"AttributeType": "INCLUSIVE", "Values": ["vip"]}}}
    return Audience(
        everyone=segment_create(tenant=tenant, body={"Name": "Everyone"}, by="tests"),
        vip=segment_create(tenant=tenant, body={"Name": "VIP", "Dimensions": vip_dims}, by="tests"),
    )


def email_open_condition(source: str = "welcomeEmail") -> dict[str, Any]:
    return {
        "EventCondition": {
            "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["_email.open"]}},
            "MessageActivity": source,
        }
    }


def onboarding(a: Audience) -> dict[str, Any]:
    """A JourneyResponse as Pinpoint's GetJourney returned it: every activity kind but contact center."""
    return copy.deepcopy(
        {
            "Activities": {
                "welcomeEmail": {
                    "Description": "Say hello",
                    "EMAIL": {
                        "MessageConfig": {"FromAddress": "Shop <news@example.com>"},
                        "NextActivity": "waitTwoDays",
                        "TemplateName": "Welcome",
                        "TemplateVersion": "1",
                    },
                },
                "waitTwoDays": {"Wait": {"NextActivity": "openedSplit", "WaitTime": {"WaitFor": "P2D"}}},
                "openedSplit": {
                    "ConditionalSplit": {
                        "Condition": {"Conditions": [email_open_condition()], "Operator": "ALL"},
                        "EvaluationWaitTime": {"WaitFor": "PT1H"},
                        "FalseActivity": "reminderSms",
                        "TrueActivity": "randomSplit",
                    }
                },
                "reminderSms": {
                    "SMS": {
                        "MessageConfig": {"MessageType": "PROMOTIONAL", "OriginationNumber": "+12065550100"},
                        "TemplateName": "Reminder",
                    }
                },
                "randomSplit": {
                    "RandomSplit": {
                        "Branches": [
                            {"NextActivity": "holdout", "Percentage": 40},
                            {"NextActivity": "vipBranch", "Percentage": 60},
                        ]
                    }
                },
                "holdout": {"Holdout": {"NextActivity": "pushOffer", "Percentage": 10}},
                "pushOffer": {"PUSH": {"MessageConfig": {"TimeToLive": "3600"}, "TemplateName": "Offer"}},
                "vipBranch": {
                    "MultiCondition": {
                        "Branches": [
                            {
                                "Condition": {"SegmentCondition": {"SegmentId": a.vip.public_id}},
                                "NextActivity": "webhook",
                            }
                        ],
                        "DefaultActivity": "lastWait",
                        "EvaluationWaitTime": {"WaitUntil": "2030-06-20T12:00:00Z"},
                    }
                },
                "webhook": {
                    "CUSTOM": {
                        "DeliveryUri": "https://hooks.example.com/journey",
                        "EndpointTypes": ["EMAIL", "SMS"],
                        "MessageConfig": {"Data": '{"offer":"vip"}'},
                    }
                },
                "lastWait": {"Wait": {"WaitTime": {"WaitUntil": "2030-06-25T00:00:00Z"}}},
            },
            "ApplicationId": "3a7f0c1e5b2d4c6e8f9a0b1c2d3e4f50",
            "ClosedDays": {
                "EMAIL": [
                    {"Name": "New year", "StartDateTime": "2030-12-31T20:00:00", "EndDateTime": "2031-01-02T08:00:00"}
                ]
            },
            "CreationDate": "2024-05-01T10:00:00.000Z",
            "Id": "0b5c2f7d9e1a4b3c8d6e0f1a2b3c4d5e",
            "JourneyChannelSettings": {},
            "LastModifiedDate": "2024-05-02T11:30:00.000Z",
            "Limits": {
                "DailyCap": 3,
                "EndpointReentryCap": 2,
                "EndpointReentryInterval": "P7D",
                "MessagesPerSecond": 100,
                "TimeframeCap": {"Cap": 5, "Days": 7},
                "TotalCap": 10,
            },
            "LocalTime": False,
            "Name": "Onboarding",
            "OpenHours": {
                "EMAIL": {
                    "MONDAY": [{"StartTime": "08:00", "EndTime": "12:00"}, {"StartTime": "13:00", "EndTime": "18:00"}]
                },
                "SMS": {"SATURDAY": [{"StartTime": "10:00", "EndTime": "16:00"}]},
            },
            "QuietTime": {"End": "08:00", "Start": "21:00"},
            "RefreshFrequency": "PT12H",
            "RefreshOnSegmentUpdate": True,
            "Schedule": {
                "EndTime": "2030-06-30T00:00:00Z",
                "StartTime": "2030-06-01T09:00:00Z",
                "Timezone": "America/New_York",
            },
            "SendingSchedule": True,
            "StartActivity": "welcomeEmail",
            "StartCondition": {
                "Description": "New sign-ups",
                "SegmentStartCondition": {"SegmentId": a.everyone.public_id},
            },
            "State": "DRAFT",
            "TimezoneEstimationMethods": ["PHONE_NUMBER", "POSTAL_CODE"],
            "WaitForQuietTime": True,
            "tags": {"team": "growth"},
        }
    )


def simple(a: Audience, **extra: Any) -> dict[str, Any]:
    """A small journey that passes the review: email, wait a day, SMS."""
    return {
        "Name": "Welcome series",
        "StartActivity": "email1",
        "StartCondition": {"SegmentStartCondition": {"SegmentId": a.everyone.public_id}},
        "Activities": {
            "email1": {"EMAIL": {"TemplateName": "Welcome", "NextActivity": "wait1"}},
            "wait1": {"Wait": {"WaitTime": {"WaitFor": "P1D"}, "NextActivity": "sms1"}},
            "sms1": {"SMS": {"TemplateName": "Reminder"}},
        },
        **extra,
    }


def event_entry(event_type: str = "signed_up", segment: Segment | None = None) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "EventFilter": {
            "FilterType": "ENDPOINT",
            "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": [event_type]}},
        }
    }
    if segment is not None:
        condition["SegmentId"] = segment.public_id
    return {"EventStartCondition": condition}


def without_server_members(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in SERVER_SET and k.isascii() and not k.islower()} | {
        "tags": body.get("tags", {})
    }
