"""The deals demo: every kind of registration, a deal in every stage, wins over months; loading twice adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kanali.core.models import Organization, Program
from kanali.deals import index
from kanali.deals.models import Account, Deal, DealRegistration, Product
from kanali.deals.selectors import program_stages
from kanali.demo import deals as demo_deals

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.unscoped.count() for m in (Product, Account, DealRegistration, Deal))  # type: ignore[attr-defined]


def test_demo_deals() -> None:
    index.invalidate()
    call_command("demo", stdout=StringIO())
    before = counts()
    demo_deals.load()
    assert counts() == before

    for slug, program_slug in (("nefeli", "partners"), ("voltera", "resellers")):
        vendor = Organization.objects.get(slug=slug)
        program = Program.objects.for_vendor(vendor).get(slug=program_slug)
        regs = DealRegistration.objects.for_vendor(vendor).filter(program=program)
        statuses = set(regs.values_list("status", flat=True))
        assert {"submitted", "approved", "rejected", "expired"} <= statuses, slug
        conflicted = regs.filter(in_conflict=True, status="submitted")
        assert conflicted.exists(), slug
        assert any(c["kind"] == "registration" for r in conflicted for c in r.conflicts), slug
        assert regs.filter(extension_requested_at__isnull=False).exists() or slug == "voltera"

        deals = Deal.objects.for_vendor(vendor).filter(program=program)
        open_positions = set(deals.filter(status="open").values_list("stage_position", flat=True))
        assert open_positions == {s.position for s in program_stages(program)}, slug
        assert deals.filter(status="lost").exclude(lost_reason="").exists()
        won_months = {d.won_at.strftime("%Y-%m") for d in deals.filter(status="won")}
        assert len(won_months) >= 4, won_months
        assert all(d.won_at <= timezone.now() for d in deals.filter(status="won"))
        assert Product.objects.for_vendor(vendor).filter(program=program, active=True).count() >= 3
    index.invalidate()
