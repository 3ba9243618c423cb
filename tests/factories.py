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


# --- Leads: routing, offers, lifecycle (helper l1) -----------------------------------------------


class LeadFactory(DjangoModelFactory):
    """A new lead in Athens, in its program's vendor."""

    class Meta:
        model = "leads.Lead"

    program = factory.SubFactory(ProgramFactory)
    vendor = factory.SelfAttribute("program.vendor")
    company = factory.Sequence(lambda n: f"Customer {n} S.A.")
    contact_name = "Maria Papadopoulou"
    email = factory.Sequence(lambda n: f"buyer{n}@customer{n}.gr")
    country = "GR"
    region = "GR-I"
    city = "Athens"
    latitude = 37.9838
    longitude = 23.7275
    currency = "EUR"


class RoutingProfileFactory(DjangoModelFactory):
    """A partnership that serves Greece from an office in Athens."""

    class Meta:
        model = "leads.RoutingProfile"

    partnership = factory.SubFactory(PartnershipFactory)
    vendor = factory.SelfAttribute("partnership.vendor")
    countries = factory.LazyFunction(lambda: ["GR"])
    offices = factory.LazyFunction(lambda: [{"city": "Athens", "country": "GR", "lat": 37.9838, "lon": 23.7275}])


# --- Deals: products, accounts, registrations, deals (helper d1) -----------------------------------


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = "deals.Product"

    program = factory.SubFactory(ProgramFactory)
    vendor = factory.SelfAttribute("program.vendor")
    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = "deals.Account"

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Account {n} GmbH")
    country = "DE"


class DealRegistrationFactory(DjangoModelFactory):
    """A submitted registration, written straight to the table (no conflict check: use the service for that)."""

    class Meta:
        model = "deals.DealRegistration"

    partnership = factory.SubFactory(PartnershipFactory)
    program = factory.SelfAttribute("partnership.program")
    vendor = factory.SelfAttribute("partnership.vendor")
    company = factory.Sequence(lambda n: f"Registered Customer {n} Ltd")
    country = "GR"
    estimated_value = 10000
    currency = "EUR"
    expected_close = factory.Faker("future_date")


class DealFactory(DjangoModelFactory):
    """An open deal at stage 1."""

    class Meta:
        model = "deals.Deal"

    partnership = factory.SubFactory(PartnershipFactory)
    program = factory.SelfAttribute("partnership.program")
    vendor = factory.SelfAttribute("partnership.vendor")
    name = factory.Sequence(lambda n: f"Deal {n}")
    amount = 10000
    currency = "EUR"
    stage = "Qualification"
    stage_position = 1
    probability = 10


# --- Incentives: commission plans, rules, bank details (helper i1) ----------------------------------


class CommissionPlanFactory(DjangoModelFactory):
    """An active monthly plan (add rules with CommissionRuleFactory; use the service to replace another plan)."""

    class Meta:
        model = "incentives.CommissionPlan"

    program = factory.SubFactory(ProgramFactory)
    vendor = factory.SelfAttribute("program.vendor")
    name = factory.Sequence(lambda n: f"Plan {n}")
    active = True
    period = "month"


class CommissionRuleFactory(DjangoModelFactory):
    """10 % of every deal."""

    class Meta:
        model = "incentives.CommissionRule"

    plan = factory.SubFactory(CommissionPlanFactory)
    vendor = factory.SelfAttribute("plan.vendor")
    kind = "percent"
    rate_pct = 10
    currency = "EUR"


class PayoutAccountFactory(DjangoModelFactory):
    """Valid Greek bank details for a partnership."""

    class Meta:
        model = "incentives.PayoutAccount"

    partnership = factory.SubFactory(PartnershipFactory)
    vendor = factory.SelfAttribute("partnership.vendor")
    account_holder = factory.SelfAttribute("partnership.partner.name")
    iban = "GR1601101250000000012300695"
    bic = "ETHNGRAA"
