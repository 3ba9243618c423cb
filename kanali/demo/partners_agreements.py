"""Demo data of the partner lifecycle: agreements and onboarding.

Both designed programs get a published agreement v1, accepted (with evidence)
by nearly every live partner when it joined; Voltera later published a v2 that
a few resellers still have to accept, so the portal shows open items and the
console an acceptance table with pending and overdue rows. Each program gets
its onboarding checklist (Nefeli adds a kick-off call), with progress and
times to activation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.partners import services_agreements as services
from kanali.partners.models_agreements import (
    AgreementAcceptance,
    AgreementTemplate,
    OnboardingProgress,
    OnboardingStep,
    PartnershipMilestones,
)

NEFELI_BODY = """This agreement is made between Nefeli Cloud and **{{ partner_name }}** (the partner), \
who joins the Nefeli Partner Network as a {{ partner_type }}.

## 1. What the partner does

The partner introduces, sells and supports Nefeli's cloud accounting in {{ territory }}, \
following the responsibilities below.

{{ responsibility_matrix }}

## 2. Commission

{{ commission_terms }}

## 3. Brand and data

The partner uses the Nefeli name and logo as the brand guide says, and handles customer data \
under the GDPR as Nefeli's processor where it operates accounts for customers.

## 4. Term

One year from acceptance, renewed automatically unless either side gives 30 days' written notice.
"""

VOLTERA_V1 = """This reseller agreement is made between Voltera Devices GmbH and **{{ partner_name }}** \
(the reseller), a {{ partner_type }} partner at the {{ tier }} level.

## 1. Territory

The reseller sells Voltera products to business customers in {{ territory }}.

## 2. Margins and commission

{{ commission_terms }}

## 3. Who does what

{{ responsibility_matrix }}

## 4. Term

Two years from acceptance; either side may end it with 90 days' written notice.
"""

VOLTERA_V2 = VOLTERA_V1.replace(
    "## 4. Term",
    "## 4. Returns (new in version 2)\n\n"
    "Defective devices are returned through the Voltera RMA portal within 30 days of delivery; "
    "Voltera pays the return shipping.\n\n## 5. Term",
)


class Version(NamedTuple):
    title: str
    body: str
    commission_terms: str
    days_ago: int  # published this many days ago
    deadline: int  # days to accept


AGREEMENTS: dict[tuple[str, str], list[Version]] = {
    ("nefeli", "partners"): [
        Version(
            "Nefeli Partner Network agreement",
            NEFELI_BODY,
            "20 % of the first year's subscription revenue and 10 % of renewals, paid quarterly.",
            400,
            30,
        ),
    ],
    ("voltera", "resellers"): [
        Version(
            "Voltera reseller agreement",
            VOLTERA_V1,
            "A 25 % reseller margin on the list price; tier bonuses are added on top.",
            900,
            30,
        ),
        Version(
            "Voltera reseller agreement",
            VOLTERA_V2,
            "A 25 % reseller margin on the list price; tier bonuses are added on top.",
            40,
            45,
        ),
    ],
}

#: Partners (by demo key, the e-mail domain) that have not accepted the latest version yet.
NOT_ACCEPTED: dict[tuple[str, str], set[str]] = {
    ("nefeli", "partners"): {"lefkosia", "carpati", "ionianbytes", "lusitania"},
    ("voltera", "resellers"): {"nordlicht", "dunarea", "wisla", "adriatica", "portosistemas", "valenciadigital"},
}
KICK_OFF = "Book the kick-off call with your partner account manager"

ADDRESSES = ("192.0.2.", "198.51.100.", "203.0.113.")
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
)


def _staff(vendor: Organization) -> Workspace:
    owner = Membership.objects.select_related("user").filter(organization=vendor, role=Role.OWNER).earliest("pk")
    return Workspace(user=owner.user, membership=owner, vendor=vendor, kind="vendor")


def _admin(vendor: Organization, partner: Organization, n: int) -> Workspace | None:
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=partner, role=Role.PARTNER_ADMIN)
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    ip = f"{ADDRESSES[n % 3]}{10 + n % 200}"
    return Workspace(user=membership.user, membership=membership, vendor=vendor, kind="partner", ip=ip)


def _key(partner: Organization) -> str:
    """The demo key of a partner: its admin's e-mail domain without ``.example``."""
    email = Membership.objects.filter(organization=partner).values_list("user__email", flat=True).first() or ""
    return email.split("@")[-1].removesuffix(".example")


def load() -> None:
    """Add agreements and onboarding to the demo programs (idempotent: a program with agreements is left alone)."""
    now = timezone.now()
    for (vendor_slug, program_slug), versions in AGREEMENTS.items():
        vendor = Organization.objects.filter(slug=vendor_slug, is_vendor=True).first()
        program = Program.objects.for_vendor(vendor).filter(slug=program_slug).first() if vendor else None
        if vendor is None or program is None:
            continue
        if AgreementTemplate.objects.for_vendor(vendor).filter(program=program).exists():
            continue
        with transaction.atomic():
            _load_program(vendor, program, versions, NOT_ACCEPTED[(vendor_slug, program_slug)], now)


def _load_program(
    vendor: Organization, program: Program, versions: list[Version], holdouts: set[str], now: datetime
) -> None:
    staff = _staff(vendor)
    services.ensure_default_steps(program)
    if vendor.slug == "nefeli":
        services.onboarding_step_create(workspace=staff, program=program, title=KICK_OFF, required=False)
    live = list(
        Partnership.objects.for_vendor(vendor)
        .filter(program=program, status__in=Partnership.PORTAL_STATUSES)
        .select_related("partner", "program")
        .order_by("pk")
    )
    keys = {p.pk: _key(p.partner) for p in live}
    for number, spec in enumerate(versions, 1):
        draft = services.agreement_template_create(workspace=staff, program=program)
        draft = services.agreement_template_update(
            workspace=staff,
            template=draft,
            title=spec.title,
            body=spec.body,
            commission_terms=spec.commission_terms,
            acceptance_deadline_days=spec.deadline,
        )
        template = services.agreement_template_publish(workspace=staff, template=draft)
        published = now - timedelta(days=spec.days_ago)
        AgreementTemplate.objects.for_vendor(vendor).filter(pk=template.pk).update(published_at=published)
        latest = number == len(versions)
        for n, partnership in enumerate(live):
            if latest and keys[partnership.pk] in holdouts:
                continue
            if not latest and partnership.status != Partnership.Status.ACTIVE:
                continue  # partners that joined lately only ever saw the current version
            admin = _admin(vendor, partnership.partner, n)
            if admin is None:
                continue
            acceptance = services.agreement_accept(
                workspace=admin, template=template, user_agent=BROWSERS[n % len(BROWSERS)]
            )
            start = max(published, partnership.created_at)
            when = min(start + timedelta(days=1 + n % 9, hours=n % 7), now - timedelta(hours=1 + n))
            AgreementAcceptance.objects.for_vendor(vendor).filter(pk=acceptance.pk).update(accepted_at=when)
    _onboarding(vendor, program, live, staff, now)


def _onboarding(
    vendor: Organization, program: Program, live: list[Partnership], staff: Workspace, now: datetime
) -> None:
    """Progress for every live partnership; active ones were activated 4–40 days after joining."""
    kick_off = OnboardingStep.objects.for_vendor(vendor).filter(program=program, title=KICK_OFF).first()
    for n, partnership in enumerate(live):
        if partnership.status == Partnership.Status.APPROVED:
            continue  # approved lately: nobody has signed in yet
        if kick_off is not None and (partnership.status == Partnership.Status.ACTIVE or n % 2):
            services.onboarding_tick(workspace=staff, partnership=partnership, step=kick_off)
        else:
            services.onboarding_refresh(partnership=partnership, workspace=staff)
        joined = partnership.created_at
        values: dict[str, object] = {"approved_at": joined}
        if partnership.status == Partnership.Status.ACTIVE:
            activated = min(joined + timedelta(days=4 + (n * 7) % 37), now)
            values["activated_at"] = activated
            OnboardingProgress.objects.for_vendor(vendor).filter(partnership=partnership).update(done_at=activated)
        PartnershipMilestones.objects.for_vendor(vendor).filter(partnership=partnership).update(**values)
