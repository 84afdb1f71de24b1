"""Shared helpers of the operator commands: tenant lookup by public id, readable or --json output."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engage.errors import DomainError
from engage.tenancy.models import Tenant
from engage.tenancy.selectors import PUBLIC_ID_RE

CLI_ACTOR = "operator (cli)"


def tenant_by_id(public_id: str) -> Tenant:
    if not PUBLIC_ID_RE.match(public_id or ""):
        raise CommandError(f"{public_id!r} is not a tenant id: use the 32-hex id from `manage.py tenant list`")
    tenant = Tenant.objects.filter(public_id=public_id).first()
    if tenant is None:
        raise CommandError(f"no tenant has the id {public_id}")
    return tenant


class OperatorCommand(BaseCommand):
    """A command with sub-actions, a --json switch, and domain errors shown as plain messages."""

    def add_json(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")

    def emit(self, options: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, default=str) if options.get("json") else text)

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message) from None
