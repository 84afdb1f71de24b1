"""manage.py demo: create the demo tenant and login (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from engage.runtime.demo import DEMO_EMAIL, DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo tenant and its owner login if they do not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = demo_seed()
        state = "Created" if demo.created else "Found"
        self.stdout.write(
            f"{state} tenant {demo.tenant.name} ({demo.tenant.public_id}); login {DEMO_EMAIL} / {DEMO_PASSWORD}"
        )
