"""manage.py member add --tenant ID EMAIL ROLE | member list --tenant ID | member remove --tenant ID EMAIL"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from engage.tenancy.management.cli import CLI_ACTOR, OperatorCommand, tenant_by_id
from engage.tenancy.models import Membership, Role
from engage.tenancy.services import member_invite, member_remove


class Command(OperatorCommand):
    help = "Add, list and remove the members of a tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a person (created if new) with a role; they are emailed")
        add.add_argument("--tenant", required=True)
        add.add_argument("email")
        add.add_argument("role", choices=Role.values)
        add.add_argument("--password", help="set this password for a new login (otherwise they set one from the email)")
        self.add_json(add)
        listing = sub.add_parser("list")
        listing.add_argument("--tenant", required=True)
        self.add_json(listing)
        remove = sub.add_parser("remove")
        remove.add_argument("--tenant", required=True)
        remove.add_argument("email")
        self.add_json(remove)

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_by_id(options["tenant"])
        if options["action"] == "add":
            membership, new_user = member_invite(
                tenant=tenant, email=options["email"], role=options["role"], by=CLI_ACTOR
            )
            if new_user and options["password"]:
                membership.user.set_password(options["password"])
                membership.user.save(update_fields=["password"])
            data = {
                "tenant": tenant.public_id,
                "email": membership.user.email,
                "role": membership.role,
                "new_user": new_user,
            }
            self.emit(
                options,
                data,
                f"Added {membership.user.email} to {tenant.name} as {membership.role}"
                + (" (new login)" if new_user else ""),
            )
        elif options["action"] == "list":
            members = Membership.objects.for_tenant(tenant).select_related("user")
            rows = [{"email": m.user.email, "role": m.role, "last_used_at": m.last_used_at} for m in members]
            self.emit(
                options, {"members": rows}, "\n".join(f"{r['email']}  {r['role']}" for r in rows) or "No members."
            )
        else:
            found = Membership.objects.for_tenant(tenant).filter(user__email__iexact=options["email"]).first()
            if found is None:
                raise CommandError(f"{options['email']} is not a member of {tenant.name}")
            member_remove(membership=found, by=CLI_ACTOR)
            self.emit(
                options, {"email": options["email"], "removed": True}, f"Removed {options['email']} from {tenant.name}."
            )
