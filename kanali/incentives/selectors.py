"""Reads of the incentives app; every one takes the acting workspace.

Vendor staff see every plan, line and statement of the vendor; a partner
only the lines and statements of its own partnerships, and no plans (they are
the vendor's pricing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from kanali.core import selectors as core_selectors
from kanali.core.models import Partnership
from kanali.core.workspace import Workspace
from kanali.designer.models import Tier
from kanali.incentives.models import CommissionLine, CommissionPlan, CommissionRule, PayoutAccount, Statement


def _vendor_only(workspace: Workspace) -> None:
    if not workspace.is_vendor:
        raise Http404


# --- Plans -------------------------------------------------------------------------------


def list_plans(workspace: Workspace, *, program_id: int | None = None) -> QuerySet[CommissionPlan]:
    _vendor_only(workspace)
    qs = (
        CommissionPlan.objects.for_vendor(workspace.vendor)
        .select_related("program")
        .annotate(rule_count=Count("rules"))
    )
    if program_id:
        qs = qs.filter(program_id=program_id)
    return qs.order_by("program__name", "-active", "name", "pk")


def get_plan(workspace: Workspace, plan_id: int) -> CommissionPlan:
    return get_object_or_404(list_plans(workspace), pk=plan_id)


def list_rules(plan: CommissionPlan) -> QuerySet[CommissionRule]:
    return CommissionRule.objects.for_vendor(plan.vendor_id).filter(plan=plan).select_related("tier")


def rules_by_plan(workspace: Workspace, plans: list[CommissionPlan]) -> dict[int, list[CommissionRule]]:
    """Every rule of ``plans`` in one query (API lists)."""
    out: dict[int, list[CommissionRule]] = {p.pk: [] for p in plans}
    rows = (
        CommissionRule.objects.for_vendor(workspace.vendor)
        .filter(plan_id__in=list(out))
        .select_related("tier")
        .order_by("position", "pk")
    )
    for rule in rows:
        out[rule.plan_id].append(rule)
    return out


def program_tiers(workspace: Workspace, program_id: int) -> QuerySet[Tier]:
    return Tier.objects.for_vendor(workspace.vendor).filter(program_id=program_id).order_by("rank", "pk")


# --- Lines ---------------------------------------------------------------------------------


def list_lines(
    workspace: Workspace,
    *,
    partnership_id: int | None = None,
    statement_id: int | None = None,
    kind: str = "",
) -> QuerySet[CommissionLine]:
    qs = CommissionLine.objects.for_vendor(workspace.vendor).select_related(
        "partnership__partner", "statement", "program"
    )
    if workspace.is_partner:
        qs = qs.filter(partnership__partner=workspace.organization)
    if partnership_id:
        qs = qs.filter(partnership_id=partnership_id)
    if statement_id:
        qs = qs.filter(statement_id=statement_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-earned_on", "-pk")


def get_line(workspace: Workspace, line_id: int) -> CommissionLine:
    """One commission or clawback line; another partner's line does not exist for a partner (404)."""
    return get_object_or_404(list_lines(workspace), pk=line_id)


def statement_lines(statement: Statement) -> QuerySet[CommissionLine]:
    """``statement`` came from :func:`get_statement`, so its lines are the workspace's."""
    return (
        CommissionLine.objects.for_vendor(statement.vendor_id).filter(statement=statement).order_by("earned_on", "pk")
    )


# --- Statements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementFilter:
    status: str = ""
    partnership_id: int | None = None
    program_id: int | None = None
    currency: str = ""
    period_from: date | None = None
    period_until: date | None = None


def list_statements(workspace: Workspace, filters: StatementFilter | None = None) -> QuerySet[Statement]:
    f = filters or StatementFilter()
    qs = Statement.objects.for_vendor(workspace.vendor).select_related("partnership__partner", "program")
    if workspace.is_partner:
        qs = qs.filter(partnership__partner=workspace.organization)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.partnership_id:
        qs = qs.filter(partnership_id=f.partnership_id)
    if f.program_id:
        qs = qs.filter(program_id=f.program_id)
    if f.currency:
        qs = qs.filter(currency=f.currency.upper())
    if f.period_from:
        qs = qs.filter(period_end__gt=f.period_from)
    if f.period_until:
        qs = qs.filter(period_start__lte=f.period_until)
    return qs.order_by("-period_start", "partnership__partner__name", "currency", "pk")


def get_statement(workspace: Workspace, statement_id: int) -> Statement:
    return get_object_or_404(list_statements(workspace).select_related("vendor"), pk=statement_id)


@dataclass(frozen=True)
class Total:
    currency: str
    status: str
    amount: Decimal
    count: int


def statement_totals(statements: QuerySet[Statement]) -> list[Total]:
    """Sums per currency and status of a filtered list (money in different currencies is never added up)."""
    rows = (
        statements.order_by()
        .values("currency", "status")
        .annotate(amount=Sum("total"), n=Count("id"))
        .order_by("currency", "status")
    )
    return [Total(r["currency"], r["status"], r["amount"] or Decimal(0), r["n"]) for r in rows]


# --- Bank details -----------------------------------------------------------------------------


def partner_partnerships(workspace: Workspace) -> list[Partnership]:
    """The partner's own partnerships with this vendor (one per program)."""
    return list(core_selectors.list_partnerships(workspace))


def payout_accounts(workspace: Workspace, partnership_ids: list[int]) -> dict[int, PayoutAccount]:
    qs = PayoutAccount.objects.for_vendor(workspace.vendor).filter(partnership_id__in=partnership_ids)
    if workspace.is_partner:
        qs = qs.filter(partnership__partner=workspace.organization)
    return {a.partnership_id: a for a in qs}


def payout_account(workspace: Workspace, partnership: Partnership) -> PayoutAccount | None:
    return payout_accounts(workspace, [partnership.pk]).get(partnership.pk)
