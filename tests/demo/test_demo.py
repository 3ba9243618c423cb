"""``manage.py demo``: believable, complete, idempotent and rebuildable."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password
from django.core.management import call_command

from kanali.accounts.models import User
from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import VENDOR_ROLES
from kanali.core.validators import normalize_vat
from kanali.demo.data import DEMO_PASSWORD, VENDOR_SLUGS
from kanali.demo.designs import DEMO_DESIGNS
from kanali.designer import readiness, selectors
from kanali.designer.models import DesignVersion
from kanali.designer.steps import STEPS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "emails": EmailAddress.objects.count(),
        "programs": Program.unscoped.count(),
        "partnerships": Partnership.unscoped.count(),
        "versions": DesignVersion.unscoped.count(),
    }


def test_demo_builds_two_complete_vendors() -> None:
    run()
    vendors = Organization.objects.filter(is_vendor=True)
    assert sorted(vendors.values_list("slug", flat=True)) == sorted(VENDOR_SLUGS)
    for vendor in vendors:
        assert Program.objects.for_vendor(vendor).filter(status=Program.Status.PUBLISHED).exists()
        roles = set(Membership.objects.filter(organization=vendor).values_list("role", flat=True))
        assert roles == set(VENDOR_ROLES)
        partnerships = Partnership.objects.for_vendor(vendor)
        assert partnerships.count() >= 25
        assert len(set(partnerships.values_list("partner_type", flat=True))) >= 5
        statuses = set(partnerships.values_list("status", flat=True))
        assert {"active", "applied", "suspended", "terminated"} <= statuses

    both = [
        org
        for org in Organization.objects.filter(is_partner=True)
        if len({p.vendor_id for p in Partnership.unscoped.filter(partner=org)}) == 2
    ]
    assert any(org.name == "ErgoTech Solutions" for org in both)
    assert all(org.slug.isascii() for org in Organization.objects.all())
    for org in Organization.objects.exclude(vat_number=""):
        assert normalize_vat(org.vat_number, org.country) == org.vat_number


def test_demo_users_can_sign_in() -> None:
    run()
    users = User.objects.all()
    assert users.count() > 100
    verified = set(EmailAddress.objects.filter(verified=True, primary=True).values_list("user_id", "email"))
    assert {(u.pk, u.email) for u in users} <= verified
    owner = User.objects.get(email="owner@nefeli.example")
    assert check_password(DEMO_PASSWORD, owner.password)
    admin = User.objects.get(email="admin@kanali.example")
    assert admin.is_superuser and admin.is_staff
    assert Membership.objects.filter(user__email="admin@ergotech.example", role="partner_admin").exists()


def test_demo_is_idempotent_and_resettable() -> None:
    run()
    before = counts()
    assert "already loaded" in run()
    assert counts() == before
    run("--reset")
    assert counts() == before


def test_logins_only_prints() -> None:
    out = run("--logins")
    assert "owner@nefeli.example" in out
    assert DEMO_PASSWORD in out
    assert not Organization.objects.exists()


def test_demo_programs_are_fully_designed_and_published() -> None:
    run()
    assert {vendor for vendor, _program, _example in DEMO_DESIGNS} == set(VENDOR_SLUGS)
    for vendor_slug, program_slug, _example in DEMO_DESIGNS:
        vendor = Organization.objects.get(slug=vendor_slug)
        program = Program.objects.for_vendor(vendor).get(slug=program_slug)
        # Every one of the fourteen steps holds data, and readiness agrees.
        assert [s.step.key for s in readiness.step_status(program) if not s.complete] == []
        design = selectors.get_design(program)
        for step in STEPS:
            lists = [c.queryset(program).count() for c in step.collections]
            answers = [getattr(design, name) for name in step.design_fields]
            assert any(lists) or any(answers), step.key
        assert selectors.pipeline_stages(program).count() >= 4
        assert selectors.competitors(program).count() >= 2
        criteria = list(selectors.selection_criteria(program))
        assert len(criteria) >= 4 and all(c.weight > 0 for c in criteria)
        chief = selectors.channel_team(program).filter(role="channel_chief").first()
        assert chief is not None and chief.member.organization_id == vendor.pk
        assert chief.member.user.email == f"channel@{vendor_slug}.example"
        owners = {c.owner.user.email for c in selectors.capabilities(program) if c.owner}
        assert owners and all(email.endswith(f"@{vendor_slug}.example") for email in owners)
        version = selectors.published_version(program)
        assert version is not None and version.number == 1
        assert version.snapshot["collections"]["stages"]
    voltera = Organization.objects.get(slug="voltera")
    resellers = Program.objects.for_vendor(voltera).get(slug="resellers")
    tiers = list(selectors.tiers(resellers))
    assert [t.name for t in tiers] == ["Bronze", "Silver", "Gold"]
    assert all(t.requirements.all() for t in tiers)
    nefeli = Program.objects.for_vendor(Organization.objects.get(slug="nefeli")).get(slug="partners")
    assert selectors.get_design(nefeli).framework == "no_tiers"
