"""manage.py apikey create --tenant ID [--allow-ip CIDR] | apikey list --tenant ID | apikey revoke KEY_ID"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from engage.tenancy.management.cli import CLI_ACTOR, OperatorCommand, tenant_by_id
from engage.tenancy.models import TENANT_KEY_ROLES, ApiKey
from engage.tenancy.services import apikey_create, apikey_revoke


class Command(OperatorCommand):
    help = "Issue, list and revoke API keys (tenant keys, or --operator keys that manage tenants)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a key and print its id and secret (shown once)")
        target = create.add_mutually_exclusive_group(required=True)
        target.add_argument("--tenant", help="the tenant's 32-hex id")
        target.add_argument(
            "--operator", action="store_true", help="a key that belongs to no tenant and manages tenants"
        )
        create.add_argument("--role", choices=[value for value, _ in TENANT_KEY_ROLES], default=ApiKey.Role.MARKETER)
        create.add_argument("--name", default="API key")
        create.add_argument(
            "--allow-ip",
            action="append",
            default=[],
            metavar="CIDR",
            help="only accept requests from this address or range (repeatable)",
        )
        self.add_json(create)
        listing = sub.add_parser("list", help="list a tenant's keys (never their secrets)")
        listing.add_argument("--tenant", required=True)
        self.add_json(listing)
        revoke = sub.add_parser("revoke", help="revoke a key")
        revoke.add_argument("key_id")
        self.add_json(revoke)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        tenant = None if options["operator"] else tenant_by_id(options["tenant"])
        role = ApiKey.Role.OPERATOR if options["operator"] else options["role"]
        key, secret = apikey_create(
            tenant=tenant, name=options["name"], role=role, allowed_cidrs=options["allow_ip"], by=CLI_ACTOR
        )
        data = {
            "key_id": key.key_id,
            "secret": secret,
            "role": key.role,
            "tenant": tenant.public_id if tenant else None,
            "allowed_cidrs": key.allowed_cidrs,
        }
        scope = f"tenant {tenant.name} ({tenant.public_id})" if tenant else "operator (no tenant)"
        self.emit(
            options,
            data,
            f"Created {key.role} key for {scope}\n  key id: {key.key_id}\n  secret: {secret}\n"
            f"  allowed from: {', '.join(key.allowed_cidrs) or 'anywhere'}\n"
            "The secret is not shown again.",
        )

    def _list(self, options: dict[str, Any]) -> None:
        tenant = tenant_by_id(options["tenant"])
        keys = ApiKey.objects.filter(tenant=tenant)
        rows = [
            {
                "key_id": k.key_id,
                "name": k.name,
                "role": k.role,
                "allowed_cidrs": k.allowed_cidrs,
                "last_used_at": k.last_used_at,
                "revoked": k.revoked_at is not None,
            }
            for k in keys
        ]
        text = "\n".join(
            f"{r['key_id']}  {r['role']:<9} {'revoked' if r['revoked'] else 'active ':<8} {r['name']}" for r in rows
        )
        self.emit(options, {"keys": rows}, text or "No keys.")

    def _revoke(self, options: dict[str, Any]) -> None:
        key = ApiKey.objects.filter(key_id=options["key_id"]).first()
        if key is None:
            raise CommandError(f"no key has the id {options['key_id']}")
        apikey_revoke(key=key, by=CLI_ACTOR)
        self.emit(options, {"key_id": key.key_id, "revoked": True}, f"Revoked {key.key_id}.")
