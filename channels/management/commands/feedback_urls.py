"""manage.py feedback_urls --tenant ID [--json]: the SNS HTTPS subscription URL of each email and SMS config."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from channels.feedback.config import feedback_url
from channels.selectors import configs_for_tenant
from engage.tenancy.management.cli import OperatorCommand, tenant_by_id


class Command(OperatorCommand):
    help = "Print the provider-feedback URL (for an SNS HTTPS subscription) of each email and SMS channel config."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's 32-hex id")
        self.add_json(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_by_id(options["tenant"])
        rows = []
        for config in configs_for_tenant(tenant=tenant):
            url = feedback_url(config=config)
            if url is not None:
                rows.append({"config": config.name, "channel": config.channel, "provider": config.provider, "url": url})
        text = "\n".join(f"{r['channel']:<6} {r['config']} ({r['provider']}): {r['url']}" for r in rows)
        self.emit(options, {"feedback_urls": rows}, text or f"{tenant.name} has no email or SMS channel config yet.")
