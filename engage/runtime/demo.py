"""The demo tenant and login the embedded default starts with."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from engage.accounts.models import User
from engage.tenancy.models import Membership, Role, Tenant
from engage.tenancy.services import tenant_create

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
    return Demo(tenant=tenant, user=user, created=True)
