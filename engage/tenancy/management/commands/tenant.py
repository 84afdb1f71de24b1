"""manage.py tenant create NAME | tenant list"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from engage.tenancy.management.cli import CLI_ACTOR, OperatorCommand
from engage.tenancy.models import Membership, Tenant
from engage.tenancy.services import tenant_create


def _tenant_json(tenant: Tenant) -> dict[str, Any]:
    return {"id": tenant.public_id, "name": tenant.name, "timezone": tenant.timezone, "created_at": tenant.created_at}


class Command(OperatorCommand):
    help = "Create and list tenants."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a tenant")
        create.add_argument("name")
        create.add_argument("--timezone", default="UTC", help="IANA time zone, default UTC")
        self.add_json(create)
        listing = sub.add_parser("list", help="list tenants")
        self.add_json(listing)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            tenant = tenant_create(name=options["name"], timezone=options["timezone"], by=CLI_ACTOR)
            self.emit(options, _tenant_json(tenant), f"Created tenant {tenant.name}\n  id: {tenant.public_id}")
            return
        tenants = list(Tenant.objects.order_by("created_at"))
        members = {t.pk: Membership.objects.filter(tenant=t).count() for t in tenants}
        if options["json"]:
            self.emit(options, {"tenants": [_tenant_json(t) | {"members": members[t.pk]} for t in tenants]}, "")
            return
        if not tenants:
            self.stdout.write("No tenants yet: create one with `manage.py tenant create NAME`.")
        for t in tenants:
            self.stdout.write(f"{t.public_id}  {t.name}  ({members[t.pk]} members, {t.timezone})")
