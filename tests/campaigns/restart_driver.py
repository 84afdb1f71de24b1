"""The Django side of the restart tests, run as its own process on the private servers' DATABASE_URL/REDIS_URL.

The test process keeps its own settings (the suite's test database and Redis) untouched: it starts, restarts and
watches the private servers, and asks this script to seed and launch a campaign and to report the ledger.

    python -m tests.campaigns.restart_driver launch --channel PUSH --count 3000 --mps 300 [--hook-url URL]
    python -m tests.campaigns.restart_driver report --tenant 1 --campaign 1

Each prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any

import django

django.setup()

from campaigns.models import Campaign, CampaignRun  # noqa: E402
from campaigns.services.lifecycle import campaign_launch  # noqa: E402
from campaigns.services.writes import campaign_create  # noqa: E402
from channels.models import ChannelConfig, Delivery  # noqa: E402
from engage import clock  # noqa: E402
from engage.tenancy.models import Tenant  # noqa: E402
from templates.models import Channel  # noqa: E402
from tests.campaigns.support import endpoints, segment_all  # noqa: E402
from tests.factories import TenantFactory  # noqa: E402

SIGNING_SECRET = "whsec-restart-test-0123456789"
MESSAGES = {
    "PUSH": {"DefaultMessage": {"Title": "Hello {{User.UserId}}", "Body": "Your offer is waiting"}},
    "CUSTOM": {"CustomMessage": {"Data": '{"offer": "spring"}'}},
}
ENDPOINT_TYPE = {"PUSH": "GCM", "CUSTOM": "CUSTOM"}


def launch(*, channel: str, count: int, mps: int, hook_url: str) -> dict[str, Any]:
    """A tenant with `count` endpoints in a segment and an immediate campaign at `mps` messages/s, launched."""
    tenant = TenantFactory(name="Restart")
    if channel == "CUSTOM":
        now = clock.now()
        ChannelConfig.objects.create(
            tenant=tenant,
            name="Restart test hook",
            channel=Channel.CUSTOM,
            provider="webhook",
            settings={"url": hook_url, "timeout_seconds": 10},
            secrets=json.dumps({"signing_secret": SIGNING_SECRET}),
            created_at=now,
            updated_at=now,
        )
    ids = endpoints(tenant, count, channel=ENDPOINT_TYPE[channel])
    body = {
        "Name": "Restart",
        "SegmentId": segment_all(tenant).public_id,
        "MessageConfiguration": MESSAGES[channel],
        "Schedule": {"StartTime": "IMMEDIATE", "Frequency": "ONCE"},
        "Limits": {"MessagesPerSecond": mps},
    }
    campaign = campaign_launch(campaign=campaign_create(tenant=tenant, by="tests", body=body), by="tests")
    return {"tenant": tenant.pk, "campaign": campaign.pk, "endpoints": ids}


def report(*, tenant: int, campaign: int) -> dict[str, Any]:
    """The run's and the campaign's state and every ledger row of the tenant."""
    rows = list(
        Delivery.objects.filter(tenant_id=tenant).values_list("endpoint_id", "address", "status", "reason", "key")
    )
    runs = list(CampaignRun.objects.filter(campaign_id=campaign).values("status", "planned", "counts"))
    return {
        "campaign": Campaign.objects.get(pk=campaign).status,
        "runs": runs,
        "rows": rows,
        "statuses": dict(Counter(f"{status}:{reason}" for _, _, status, reason, _ in rows)),
        "tenants": Tenant.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["launch", "report"])
    parser.add_argument("--channel", choices=sorted(MESSAGES), default="PUSH")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--mps", type=int, default=0)
    parser.add_argument("--hook-url", default="")
    parser.add_argument("--tenant", type=int, default=0)
    parser.add_argument("--campaign", type=int, default=0)
    args = parser.parse_args()
    if args.command == "launch":
        answer = launch(channel=args.channel, count=args.count, mps=args.mps, hook_url=args.hook_url)
    else:
        answer = report(tenant=args.tenant, campaign=args.campaign)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
