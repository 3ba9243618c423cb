"""``manage.py demo``: load two believable vendors with staff, programs and partners.

Idempotent so ``make run`` can call it every time; ``--reset`` throws the demo
rows away and builds them again; ``--logins`` only prints who to sign in as.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kanali.accounts.models import User
from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import PARTNER_ROLES, Role
from kanali.core.services import unique_slug
from kanali.demo import (
    data,
    deals,
    designs,
    incentives,
    leads,
    partners_agreements,
    partners_applications,
    partners_management,
    partners_tiers,
)

PARTNER_AREAS = (partners_applications, partners_agreements, partners_tiers, partners_management)
#: The running program on top of the lifecycle, in layer order (deals convert leads, commissions pay deals).
RUNNING_AREAS = (leads, deals, incentives)

UserSpec = tuple[str, str, str]  # e-mail, first name, last name


class Command(BaseCommand):
    help = "Load demo vendors, programs, partners and sign-ins (idempotent; --reset rebuilds, --logins prints)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete the demo data and build it again.")
        parser.add_argument("--logins", action="store_true", help="Only print the demo sign-ins.")

    def handle(self, *args: Any, reset: bool = False, logins: bool = False, **options: Any) -> None:
        if logins:
            self.print_logins()
            return
        with transaction.atomic():
            if not reset and Organization.objects.filter(slug__in=data.VENDOR_SLUGS).exists():
                self.stdout.write("Demo data already loaded (use --reset to rebuild it).")
                return
            # Also clears leftovers (e.g. vendors deleted by hand) so the build never collides.
            deleted = delete_demo()
            counts = build(make_password(data.DEMO_PASSWORD))
        if reset:
            self.stdout.write(f"Deleted {deleted} demo rows.")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded: {vendors} vendors, {programs} programs, {partners} partner organizations, "
                "{partnerships} partnerships, {users} users.".format(**counts)
            )
        )
        self.print_logins()

    def print_logins(self) -> None:
        width = max(len(email) for email, _ in data.DEMO_LOGINS)
        self.stdout.write(f"Demo sign-ins (password for all: {data.DEMO_PASSWORD})")
        for email, description in data.DEMO_LOGINS:
            self.stdout.write(f"  {email.ljust(width)}  {description}")
        self.stdout.write(f"  {data.DEMO_LOGINS_NOTE}")


def demo_users() -> Any:
    return User.objects.filter(email__iendswith=data.DEMO_EMAIL_SUFFIX)


def delete_demo() -> int:
    """Delete demo vendors, partner organizations run by demo users, and the demo users.

    Programs, partnerships, memberships and e-mail addresses go with them by
    cascade (the collector uses the plain base manager, so tenant scoping does
    not get in the way).
    """
    partner_orgs = Organization.objects.filter(
        memberships__user__in=demo_users(), memberships__role__in=PARTNER_ROLES, is_vendor=False
    )
    org_ids = set(
        Organization.objects.filter(Q(slug__in=data.VENDOR_SLUGS) | Q(pk__in=partner_orgs)).values_list("pk", flat=True)
    )
    deleted, _ = Organization.objects.filter(pk__in=org_ids).delete()
    deleted_users, _ = demo_users().delete()
    return deleted + deleted_users


def build(password_hash: str) -> dict[str, int]:
    """Create everything in a handful of bulk inserts; ``password_hash`` is shared by all demo users."""
    people: list[UserSpec] = [data.SUPERUSER]
    memberships: list[tuple[str, str, Role]] = []  # e-mail, organization key, role
    orgs: dict[str, Organization] = {}

    for vendor in data.VENDORS:
        orgs[vendor.slug] = Organization.objects.create(
            name=vendor.name,
            slug=vendor.slug,
            country=vendor.country,
            vat_number=vendor.vat_number,
            website=vendor.website,
            is_vendor=True,
        )
        for staff in vendor.staff:
            email = f"{staff.local}@{vendor.slug}{data.DEMO_EMAIL_SUFFIX}"
            people.append((email, staff.first_name, staff.last_name))
            memberships.append((email, vendor.slug, staff.role))

    per_pool: dict[str, int] = {}  # one counter per pool, so Cypriot and Greek people differ
    for partner in data.PARTNERS:
        orgs[partner.key] = Organization.objects.create(
            name=partner.name,
            slug=unique_slug(partner.name, taken=Organization.objects.all()),
            country=partner.country,
            vat_number=partner.vat_number,
            website=f"https://{partner.key}{data.DEMO_EMAIL_SUFFIX}",
            is_partner=True,
        )
        roles = data.PARTNER_USER_ROLES if partner.technical else data.PARTNER_USER_ROLES[:2]
        pool = data.name_pool(partner.country)
        for local, role in roles:
            n = per_pool.get(pool, 0)
            per_pool[pool] = n + 1
            email = f"{local}@{partner.key}{data.DEMO_EMAIL_SUFFIX}"
            people.append((email, *data.person(partner.country, n)))
            memberships.append((email, partner.key, role))

    users = create_users(people, password_hash)
    Membership.objects.bulk_create(
        Membership(user=users[email], organization=orgs[key], role=role) for email, key, role in memberships
    )
    programs, partnerships = create_programs(orgs)
    designs.design_programs()
    # The partner lifecycle on top of the designed programs: applications, agreements, tiers, notes.
    for area in PARTNER_AREAS:
        area.load()
    for area in RUNNING_AREAS:
        area.load()
    return {
        "vendors": len(data.VENDORS),
        "programs": programs,
        "partners": len(data.PARTNERS),
        "partnerships": partnerships,
        "users": len(users),
    }


def create_users(people: list[UserSpec], password_hash: str) -> dict[str, User]:
    """Bulk-create the users, each with a verified primary address so allauth lets them straight in."""
    superuser = data.SUPERUSER[0]
    users = User.objects.bulk_create(
        User(
            email=email,
            first_name=first,
            last_name=last,
            password=password_hash,
            is_staff=email == superuser,
            is_superuser=email == superuser,
        )
        for email, first, last in people
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return {user.email: user for user in users}


def create_programs(orgs: dict[str, Organization]) -> tuple[int, int]:
    """Programs and partnerships, backdated so dashboards show a program that grew over time."""
    now = timezone.now()
    program_count, rows, joined = 0, [], []
    for vendor in data.VENDORS:
        org = orgs[vendor.slug]
        programs = {
            spec.slug: Program.objects.create(vendor=org, name=spec.name, slug=spec.slug, status=spec.status)
            for spec in vendor.programs
        }
        program_count += len(programs)
        for i, e in enumerate(vendor.enrolments):
            joined.append(now - timedelta(days=e.months_ago * 30 + i % 7 * 3))
            rows.append(
                Partnership(
                    vendor=org,
                    program=programs[e.program],
                    partner=orgs[e.partner],
                    status=e.status,
                    partner_type=e.partner_type,
                    tier=e.tier,
                )
            )
    created = Partnership.unscoped.bulk_create(rows)
    # auto_now_add stamps "now" on insert; backdate in one more statement.
    for partnership, when in zip(created, joined, strict=True):
        partnership.created_at = when
    Partnership.unscoped.bulk_update(created, ["created_at"])
    return program_count, len(created)
