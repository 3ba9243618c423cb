"""factory_boy factories for the tenancy and accounts models."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from kanali.accounts.models import User
from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import Role

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    country = "GR"


class VendorFactory(OrganizationFactory):
    is_vendor = True


class PartnerOrgFactory(OrganizationFactory):
    is_partner = True


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(VendorFactory)
    role = Role.OWNER


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    status = Program.Status.PUBLISHED


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    program = factory.SubFactory(ProgramFactory)
    vendor = factory.SelfAttribute("program.vendor")
    partner = factory.SubFactory(PartnerOrgFactory)
    status = Partnership.Status.ACTIVE
    partner_type = "var"
