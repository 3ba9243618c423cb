"""Isolation-matrix routes of the incentives app, and the builders its tests share.

``plan`` gives a program an active plan; ``open_deal`` / ``win`` create a deal
and win it through the deals service, so commission lines arrive the real way
(the ``deal_won`` hook); ``statement`` does both and returns the partner's
statement.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kanali.core.models import Program
from kanali.deals.models import Deal, Product
from kanali.deals.services_pipeline import deal_lost, deal_reopen, deal_won
from kanali.incentives import services
from kanali.incentives.models import CommissionPlan, Statement
from tests.conftest import VendorActors, workspace_for
from tests.isolation import Route

IBAN = "GR1601101250000000012300695"


def plan(
    a: VendorActors,
    rules: list[services.RuleInput] | None = None,
    *,
    period: str = "month",
    program: Program | None = None,
    name: str = "Standard",
) -> CommissionPlan:
    return services.plan_save(
        workspace=workspace_for(a.owner, a.vendor),
        program=program or a.program,
        name=name,
        period=period,
        active=True,
        rules=rules if rules is not None else [services.RuleInput(rate_pct=Decimal("10"))],
    )


def product(a: VendorActors, code: str, program: Program | None = None) -> Product:
    return Product.objects.create(vendor=a.vendor, program=program or a.program, code=code, name=code.title())


def open_deal(
    a: VendorActors,
    *,
    partner: int = 0,
    amount: str = "1000",
    currency: str = "EUR",
    products: list[str] | None = None,
    name: str = "Deal",
) -> Deal:
    partnership = a.partners[partner].partnership
    return Deal.objects.create(
        vendor=a.vendor,
        program=partnership.program,
        partnership=partnership,
        name=name,
        amount=Decimal(amount),
        currency=currency,
        products=products or [],
        stage="Negotiation",
        stage_position=3,
    )


def win(a: VendorActors, deal: Deal, at: datetime | None = None) -> Deal:
    return deal_won(workspace=workspace_for(a.owner, a.vendor), deal=deal, at=at)


def lose(a: VendorActors, deal: Deal) -> Deal:
    return deal_lost(workspace=workspace_for(a.owner, a.vendor), deal=deal, reason="Customer backed out")


def reopen(a: VendorActors, deal: Deal) -> Deal:
    return deal_reopen(workspace=workspace_for(a.owner, a.vendor), deal=deal)


def statement(a: VendorActors, *, amount: str = "1000", partner: int = 0) -> Statement:
    """A draft statement of A's partner with one commission line (10 % of ``amount``)."""
    if not CommissionPlan.objects.for_vendor(a.vendor).filter(program=a.program, active=True).exists():
        plan(a)
    deal = win(a, open_deal(a, amount=amount, partner=partner, name=f"Deal {timezone.now().timestamp()}"))
    return Statement.objects.for_vendor(a.vendor).get(partnership_id=deal.partnership_id, status="draft")


def approved(a: VendorActors) -> Statement:
    return services.statement_approve(workspace=workspace_for(a.finance, a.vendor), statement=statement(a))


def _plan(a: VendorActors) -> dict[str, Any]:
    return {"plan_id": plan(a).pk}


def _statement(a: VendorActors) -> dict[str, Any]:
    return {"statement_id": statement(a).pk}


def _line(a: VendorActors) -> dict[str, Any]:
    return {"line_id": statement(a).lines.get().pk}


def _approved(a: VendorActors) -> dict[str, Any]:
    return {"statement_id": approved(a).pk}


PAGE_ROUTES: dict[str, Route] = {
    "incentives:plan_edit": Route("vendor", _plan),
    "incentives:statement_detail": Route("vendor", _statement),
    "incentives:statement_approve": Route("vendor", _statement, "post"),
    "incentives:statement_pay": Route("vendor", _approved, "post"),
    "incentives:statement_pdf": Route("vendor", _statement),
    "incentives:portal_statement_detail": Route("partner", _statement),
    "incentives:portal_statement_pdf": Route("partner", _statement),
}

API_ROUTES: dict[str, Route] = {
    "/api/v1/commissions/{line_id}": Route("vendor", _line),
    "/api/v1/commission-plans/{plan_id}": Route("vendor", _plan, partner_visible=False),
    "/api/v1/statements/{statement_id}": Route("vendor", _statement),
    "/api/v1/statements/{statement_id}/approve": Route("vendor", _statement, "post", partner_visible=False),
    "/api/v1/statements/{statement_id}/pay": Route(
        "vendor", _approved, "post", partner_visible=False, body={"reference": "TRF-1", "paid_on": "2026-01-02"}
    ),
    "/api/v1/statements/{statement_id}/pdf": Route("vendor", _statement),
}
