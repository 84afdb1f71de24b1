"""factory_boy factories; related objects always stay inside one tenant."""

from __future__ import annotations

import factory

from campaigns.models import Campaign
from engage.accounts.models import User
from engage.tenancy.models import Membership, Role, Tenant

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Tenant {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MARKETER


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
