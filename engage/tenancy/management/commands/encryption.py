"""manage.py encryption rotate: re-encrypt every stored secret under the first FIELD_ENCRYPTION_KEY."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from engage.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt secrets at rest with the newest key (after prepending it to FIELD_ENCRYPTION_KEY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate"])

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            with transaction.atomic():
                for obj in model._default_manager.select_for_update().iterator():
                    obj.save(update_fields=fields)  # read decrypts with any key, save encrypts with the first
                    total += 1
        self.stdout.write(f"Re-encrypted {total} rows under the current primary key.")
