"""The demo tenant and login the embedded default starts with."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from engage.accounts.models import User
from engage.tenancy.models import Membership, Role, Tenant
from engage.tenancy.services import tenant_create
from segments.models import Segment

DEMO_EMAIL = "demo@engage.local"
DEMO_PASSWORD = "engage-demo"
DEMO_TENANT = "Demo"


@dataclass
class Demo:
    tenant: Tenant
    user: User
    created: bool


@transaction.atomic
def demo_seed() -> Demo:
    """Create the demo tenant and its owner login once; later calls return what exists."""
    user = User.objects.filter(email=DEMO_EMAIL).first()
    membership = Membership.objects.select_related("tenant").filter(user__email=DEMO_EMAIL, role=Role.OWNER).first()
    if user is not None and membership is not None:
        return Demo(tenant=membership.tenant, user=user, created=False)
    if user is None:
        # Staff too, so the demo login also opens the operator admin.
        user = User.objects.create_user(
            email=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            first_name="Demo",
            last_name="Marketer",
            is_staff=True,
            is_superuser=True,
        )
    tenant = tenant_create(name=DEMO_TENANT, timezone="UTC", by="demo seed")
    Membership.objects.create(tenant=tenant, user=user, role=Role.OWNER)
    segment = _demo_audience_and_campaign(tenant, user)
    _demo_journey(tenant, user, segment.public_id)
    return Demo(tenant=tenant, user=user, created=True)


DEMO_PEOPLE = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Donald",
    "Annie",
    "John",
    "Karen",
    "Guido",
    "Sophie",
]


def _demo_audience_and_campaign(tenant: Tenant, user: User) -> Segment:
    """Twenty email endpoints, a segment of them and a draft campaign ready to launch: the first campaign goes
    out (to the sandbox Outbox) a minute after cloning."""
    from campaigns.services import campaign_create
    from segments.services.endpoints import endpoints_upsert
    from segments.services.segments import segment_create

    items = [
        (
            f"demo-{i + 1:02d}",
            {
                "ChannelType": "EMAIL",
                "Address": f"{name.lower()}@example.com",
                "User": {"UserId": f"user-{i + 1:02d}", "UserAttributes": {"FirstName": [name]}},
            },
        )
        for i, name in enumerate(DEMO_PEOPLE)
    ]
    endpoints_upsert(tenant=tenant, items=items, trusted=True)
    channel = {"DimensionType": "INCLUSIVE", "Values": ["EMAIL"]}
    segment = segment_create(
        tenant=tenant,
        by=user,
        body={"Name": "Everyone with email", "Dimensions": {"Demographic": {"Channel": channel}}},
    )
    campaign_create(
        tenant=tenant,
        by=user,
        body={
            "Name": "Welcome to Engage",
            "Description": "Launch it, then watch the messages arrive in Channels → Outbox.",
            "SegmentId": segment.public_id,
            "MessageConfiguration": {
                "EmailMessage": {
                    "Title": "Welcome, {{User.UserAttributes.FirstName}}",
                    "HtmlBody": "<h1>Hello {{User.UserAttributes.FirstName}}!</h1>"
                    "<p>This came from your first Engage campaign.</p>",
                    "Body": "Hello {{User.UserAttributes.FirstName}}! This came from your first Engage campaign.",
                }
            },
            "Schedule": {"StartTime": "IMMEDIATE"},
        },
    )
    return segment


def _demo_journey(tenant: Tenant, user: User, segment_id: str) -> None:
    """Two email templates and a draft journey using them: welcome → wait a day → opened? → no: a reminder."""
    from campaigns.journeys.services.writes import journey_create
    from templates.codec import template_request_parse
    from templates.services.templates import template_create

    for name, subject, body in (
        ("demo-welcome", "Welcome, {{User.UserAttributes.FirstName}}", "<p>Glad you are here.</p>"),
        ("demo-reminder", "Did you see this, {{User.UserAttributes.FirstName}}?", "<p>Three tips to start.</p>"),
    ):
        data = {"TemplateName": name, "TemplateType": "EMAIL", "Subject": subject, "HtmlPart": body}
        template_create(tenant=tenant, data=template_request_parse(data), by="demo seed")
    event_type = {"DimensionType": "INCLUSIVE", "Values": ["_email.open"]}
    opened = {"EventCondition": {"MessageActivity": "welcome", "Dimensions": {"EventType": event_type}}}
    journey_create(
        tenant=tenant,
        by=user,
        body={
            "Name": "Welcome series",
            "StartCondition": {"SegmentStartCondition": {"SegmentId": segment_id}},
            "StartActivity": "welcome",
            "Activities": {
                "welcome": {"EMAIL": {"TemplateName": "demo-welcome", "NextActivity": "wait"}},
                "wait": {"Wait": {"WaitTime": {"WaitFor": "P1D"}, "NextActivity": "opened"}},
                "opened": {
                    "ConditionalSplit": {
                        "Condition": {"Conditions": [opened], "Operator": "ALL"},
                        "FalseActivity": "reminder",
                    }
                },
                "reminder": {"EMAIL": {"TemplateName": "demo-reminder"}},
            },
        },
    )
