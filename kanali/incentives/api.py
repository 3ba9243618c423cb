"""Commission routes: lines, plans, statements (approve, pay, PDF) and the payout file.

Vendor staff with ``manage_commissions`` read everything of the vendor;
approving, paying and the payout file need ``approve_payments``. A partner
admin (``view_statements``) reads its own lines and statements; plans and the
payout file do not exist for partners (404).

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from kanali.core import selectors as core_selectors
from kanali.core.money import quantize
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer.models import Tier
from kanali.incentives import payouts, pdf, selectors, services
from kanali.incentives.models import CommissionLine, CommissionPlan, Statement

router = Router(tags=["incentives"])

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The statement as a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "Approved statements ready to pay, one row each. Statements that cannot be paid (no bank "
            "details, invalid IBAN, nothing to pay) are left out and named in the X-Payout-Skipped header.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def workspace_of(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def reader(request: HttpRequest) -> Workspace:
    """Staff need ``manage_commissions``; a partner ``view_statements``."""
    workspace = workspace_of(request)
    require(workspace, Perm.MANAGE_COMMISSIONS if workspace.is_vendor else Perm.VIEW_STATEMENTS)
    return workspace


def staff(request: HttpRequest, perm: Perm = Perm.MANAGE_COMMISSIONS) -> Workspace:
    workspace = workspace_of(request)
    if not workspace.is_vendor:
        raise Http404
    require(workspace, perm)
    return workspace


# --- Schemas ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: Any


class LineOut(Schema):
    id: int
    kind: str = Field(..., description="commission or clawback")
    cycle: int = Field(..., description="Which win of the deal the line belongs to (a reopened deal can win again).")
    deal_id: int
    deal_name: str
    customer: str
    partnership_id: int
    partner: str
    statement_id: int
    statement_number: str
    earned_on: date
    base_amount: Decimal = Field(..., description="The deal amount (negative on a clawback).")
    currency: str
    rate_pct: Decimal | None = None
    flat_amount: Decimal | None = None
    accelerated_base: Decimal
    accelerator_rate_pct: Decimal | None = None
    bonus_pct: Decimal
    tier: str
    amount: Decimal
    reverses_id: int | None = None

    @staticmethod
    def resolve_partner(obj: CommissionLine) -> str:
        return obj.partnership.partner.name

    @staticmethod
    def resolve_statement_number(obj: CommissionLine) -> str:
        return obj.statement.number

    @staticmethod
    def resolve_tier(obj: CommissionLine) -> str:
        return obj.tier_name

    @staticmethod
    def resolve_amount(obj: CommissionLine) -> Decimal:
        return quantize(obj.amount, obj.currency)

    @staticmethod
    def resolve_base_amount(obj: CommissionLine) -> Decimal:
        return quantize(obj.base_amount, obj.currency)

    @staticmethod
    def resolve_accelerated_base(obj: CommissionLine) -> Decimal:
        return quantize(obj.accelerated_base, obj.currency)


class LineFilters(Schema):
    partnership_id: int | None = None
    statement_id: int | None = None
    kind: Literal["commission", "clawback"] | None = None


class RuleOut(Schema):
    id: int
    position: int
    tier_id: int | None
    tier: str | None
    partner_type: str
    product: str
    kind: str
    rate_pct: Decimal
    flat_amount: Decimal
    currency: str
    accelerator_threshold: Decimal | None
    accelerator_rate_pct: Decimal | None

    @staticmethod
    def resolve_tier(obj: Any) -> str | None:
        return obj.tier.name if obj.tier_id else None


class PlanOut(Schema):
    id: int
    program_id: int
    name: str
    active: bool
    period: str
    rules: list[RuleOut]
    created_at: datetime
    updated_at: datetime


class RuleIn(Schema):
    tier_id: int | None = Field(None, description="A tier of the plan's program; null matches every tier.")
    partner_type: str = Field("", description="var, msp, …; empty matches every type.")
    product: str = Field("", description="A product code of the program; empty matches every product.")
    kind: Literal["percent", "flat"] = "percent"
    rate_pct: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    flat_amount: Decimal = Field(Decimal(0), ge=0, max_digits=15, decimal_places=3)
    currency: str = Field("EUR", description="ISO 4217: the currency of the flat amount and the threshold.")
    accelerator_threshold: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=3)
    accelerator_rate_pct: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)


class PlanIn(Schema):
    program_id: int
    name: str = Field(..., min_length=1, max_length=120)
    period: Literal["month", "quarter"] = "month"
    active: bool = Field(True, description="Activating a plan deactivates the program's other active plan.")
    rules: list[RuleIn] = Field(..., max_length=100)


class StatementOut(Schema):
    id: int
    number: str
    program_id: int
    partnership_id: int
    partner: str
    period_kind: str
    period_start: date
    period_end: date = Field(..., description="The first day after the period.")
    period_label: str
    currency: str
    total: Decimal
    line_count: int
    status: str
    approved_at: datetime | None
    paid_on: date | None
    payment_reference: str
    paid_at: datetime | None

    @staticmethod
    def resolve_partner(obj: Statement) -> str:
        return obj.partnership.partner.name

    @staticmethod
    def resolve_total(obj: Statement) -> Decimal:
        return quantize(obj.total, obj.currency)


class StatementDetailOut(StatementOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[CommissionLine]:
        return obj.lines_out  # type: ignore[no-any-return]


class StatementFilters(Schema):
    status: Literal["draft", "approved", "paid"] | None = None
    partnership_id: int | None = None
    program_id: int | None = None
    currency: str | None = None
    period_from: date | None = None
    period_until: date | None = None


class PayIn(Schema):
    reference: str = Field(..., description="The bank's payment reference.")
    paid_on: date


# --- Lines ------------------------------------------------------------------------------------


@router.get("/commissions", response=list[LineOut])
@paginate(LimitOffsetPagination)
def list_commissions(request: HttpRequest, filters: Query[LineFilters]):  # type: ignore[no-untyped-def]
    """Commission and clawback lines, newest first; a partner sees its own."""
    workspace = reader(request)
    return selectors.list_lines(
        workspace,
        partnership_id=filters.partnership_id,
        statement_id=filters.statement_id,
        kind=filters.kind or "",
    )


@router.get("/commissions/{line_id}", response=LineOut)
def get_commission(request: HttpRequest, line_id: int):  # type: ignore[no-untyped-def]
    """One commission or clawback line, with the deal and the rate it was computed from."""
    return selectors.get_line(reader(request), line_id)


# --- Plans ------------------------------------------------------------------------------------


def _plan_out(plan: CommissionPlan, rules: list[Any]) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "program_id": plan.program_id,
        "name": plan.name,
        "active": plan.active,
        "period": plan.period,
        "rules": rules,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


@router.get("/commission-plans", response=list[PlanOut])
@paginate(LimitOffsetPagination)
def list_commission_plans(request: HttpRequest, program_id: int | None = None):  # type: ignore[no-untyped-def]
    """The vendor's plans with their rules (two queries whatever the number of plans)."""
    workspace = staff(request)
    plans = list(selectors.list_plans(workspace, program_id=program_id))
    rules = selectors.rules_by_plan(workspace, plans)
    return [_plan_out(p, rules[p.pk]) for p in plans]


@router.get("/commission-plans/{plan_id}", response=PlanOut)
def get_commission_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    workspace = staff(request)
    plan = selectors.get_plan(workspace, plan_id)
    return _plan_out(plan, list(selectors.list_rules(plan)))


@router.post("/commission-plans", response={201: PlanOut, 422: ErrorOut})
def create_commission_plan(request: HttpRequest, payload: PlanIn) -> Any:
    """A new plan; 422 names the rule and field at fault (``rules[1].product``)."""
    workspace = staff(request)
    program = core_selectors.get_program(workspace, payload.program_id)
    tiers = {t.pk: t for t in selectors.program_tiers(workspace, program.pk)}
    errors: dict[str, list[str]] = {}
    rules = []
    for n, row in enumerate(payload.rules):
        tier: Tier | None = None
        if row.tier_id is not None:
            tier = tiers.get(row.tier_id)
            if tier is None:
                errors[f"rules[{n}].tier_id"] = [_("Choose a tier of this program.")]
        rules.append(
            services.RuleInput(
                kind=row.kind,
                rate_pct=row.rate_pct,
                flat_amount=row.flat_amount,
                currency=row.currency,
                tier=tier,
                partner_type=row.partner_type,
                product=row.product,
                accelerator_threshold=row.accelerator_threshold,
                accelerator_rate_pct=row.accelerator_rate_pct,
            )
        )
    if errors:
        raise ValidationError(errors)
    plan = services.plan_save(
        workspace=workspace,
        program=program,
        name=payload.name,
        period=payload.period,
        active=payload.active,
        rules=rules,
    )
    return Status(201, _plan_out(plan, list(selectors.list_rules(plan))))


# --- Statements --------------------------------------------------------------------------------


@router.get("/statements", response=list[StatementOut])
@paginate(LimitOffsetPagination)
def list_statements(request: HttpRequest, filters: Query[StatementFilters]):  # type: ignore[no-untyped-def]
    """Statements, newest period first; a partner sees its own."""
    workspace = reader(request)
    return selectors.list_statements(
        workspace,
        selectors.StatementFilter(
            status=filters.status or "",
            partnership_id=filters.partnership_id,
            program_id=filters.program_id,
            currency=filters.currency or "",
            period_from=filters.period_from,
            period_until=filters.period_until,
        ),
    )


def _detail(statement: Statement) -> Statement:
    statement.lines_out = list(  # type: ignore[attr-defined]
        selectors.statement_lines(statement).select_related("partnership__partner", "statement")
    )
    return statement


@router.get("/statements/{statement_id}", response=StatementDetailOut)
def get_statement(request: HttpRequest, statement_id: int) -> Statement:
    return _detail(selectors.get_statement(reader(request), statement_id))


@router.post("/statements/{statement_id}/approve", response={200: StatementDetailOut, 409: ErrorOut})
def approve_statement(request: HttpRequest, statement_id: int) -> Any:
    """Approve a draft (``approve_payments``); 409 when it is already approved or paid."""
    workspace = staff(request, Perm.APPROVE_PAYMENTS)
    statement = selectors.get_statement(workspace, statement_id)
    try:
        services.statement_approve(workspace=workspace, statement=statement)
    except services.StatementStateError as exc:
        raise HttpError(409, exc.message) from None
    return _detail(selectors.get_statement(workspace, statement_id))


@router.post("/statements/{statement_id}/pay", response={200: StatementDetailOut, 409: ErrorOut, 422: ErrorOut})
def pay_statement(request: HttpRequest, statement_id: int, payload: PayIn) -> Any:
    """Mark an approved statement paid; 409 for a draft or one already paid, 422 for a bad reference or date."""
    workspace = staff(request, Perm.APPROVE_PAYMENTS)
    statement = selectors.get_statement(workspace, statement_id)
    try:
        services.statement_pay(
            workspace=workspace, statement=statement, reference=payload.reference, paid_on=payload.paid_on
        )
    except services.StatementStateError as exc:
        raise HttpError(409, exc.message) from None
    return _detail(selectors.get_statement(workspace, statement_id))


@router.get("/statements/{statement_id}/pdf", openapi_extra=PDF_RESPONSE)
def get_statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    workspace = reader(request)
    statement = selectors.get_statement(workspace, statement_id)
    response = HttpResponse(
        pdf.statement_pdf(statement, account=selectors.payout_account(workspace, statement.partnership)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(statement)}"'
    return response


@router.get("/payouts.csv", openapi_extra=CSV_RESPONSE)
def get_payouts_csv(request: HttpRequest, program_id: int | None = None) -> HttpResponse:
    """Approved statements with IBAN, holder, amount, currency and reference, for the bank (finance only)."""
    return payouts.csv_response(payouts.build(staff(request, Perm.APPROVE_PAYMENTS), program_id))
