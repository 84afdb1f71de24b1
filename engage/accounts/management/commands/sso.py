"""manage.py sso domain add|remove --tenant ID DOMAIN | sso domain list [--tenant ID]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from engage.accounts.models import SsoDomain
from engage.accounts.services import sso_domain_add, sso_domain_remove
from engage.tenancy.management.cli import CLI_ACTOR, OperatorCommand, tenant_by_id


class Command(OperatorCommand):
    help = "Give tenants the email domains whose people log in to them through single sign-on."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        domain = sub.add_parser("domain", help="login domains of tenants")
        actions = domain.add_subparsers(dest="action", required=True)
        for name, text in (("add", "give a tenant a domain"), ("remove", "take a domain from a tenant")):
            action = actions.add_parser(name, help=text)
            action.add_argument("--tenant", required=True, help="the tenant's 32-hex id")
            action.add_argument("domain")
            self.add_json(action)
        listing = actions.add_parser("list", help="list domains")
        listing.add_argument("--tenant", help="only this tenant's")
        self.add_json(listing)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            rows = SsoDomain.objects.select_related("tenant").order_by("domain")
            if options.get("tenant"):
                rows = rows.filter(tenant=tenant_by_id(options["tenant"]))
            data = [{"domain": r.domain, "tenant": r.tenant.public_id, "name": r.tenant.name} for r in rows]
            text = "\n".join(f"{d['domain']}  {d['tenant']}  {d['name']}" for d in data) or "No login domains yet."
            self.emit(options, {"domains": data}, text)
            return
        tenant = tenant_by_id(options["tenant"])
        if action == "add":
            row = sso_domain_add(tenant=tenant, domain=options["domain"], by=CLI_ACTOR)
            self.emit(
                options,
                {"domain": row.domain, "tenant": tenant.public_id},
                f"{row.domain} now logs in to {tenant.name}",
            )
            return
        sso_domain_remove(tenant=tenant, domain=options["domain"], by=CLI_ACTOR)
        self.emit(
            options,
            {"removed": options["domain"], "tenant": tenant.public_id},
            f"{options['domain']} removed from {tenant.name}",
        )
