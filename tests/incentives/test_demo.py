"""The demo's commissions: plans, statements in every state, a clawback, bank details; loading twice adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from stdnum import iban

from kanali.core.models import Organization
from kanali.demo import incentives
from kanali.incentives import payouts
from kanali.incentives.models import CommissionLine, CommissionPlan, PayoutAccount, Statement
from tests.conftest import workspace_for

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.unscoped.count() for m in (CommissionPlan, CommissionLine, Statement, PayoutAccount))  # type: ignore[attr-defined]


def test_demo_commissions() -> None:
    call_command("demo", stdout=StringIO())
    before = counts()
    incentives.load()
    assert counts() == before

    for slug in ("nefeli", "voltera"):
        vendor = Organization.objects.get(slug=slug)
        statements = Statement.objects.for_vendor(vendor)
        assert set(statements.values_list("status", flat=True)) >= {"draft", "approved", "paid"}, slug
        assert CommissionPlan.objects.for_vendor(vendor).filter(active=True).count() == 1
        lines = CommissionLine.objects.for_vendor(vendor)
        assert lines.filter(kind="clawback").count() == 1, slug
        for s in statements:
            assert s.total == sum(line.amount for line in lines.filter(statement=s)), s.number
        for account in PayoutAccount.objects.for_vendor(vendor):
            assert iban.is_valid(account.iban)
    nefeli = Organization.objects.get(slug="nefeli")
    finance = nefeli.memberships.get(role="finance").user
    payout = payouts.build(workspace_for(finance, nefeli))
    assert payout.rows or payout.errors
