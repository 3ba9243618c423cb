"""Reads of deals data; every one takes the acting workspace.

Vendor staff see every row of their vendor; a partner only the rows of its
own live partnerships — another partner's registration or deal is a 404.
Accounts are the vendor's own list and are not shown to partners.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanali.core.models import Partnership, Program
from kanali.core.money import quantize
from kanali.core.selectors import list_partnerships
from kanali.core.workspace import Workspace
from kanali.deals.models import Account, Deal, DealRegistration, DealStageChange, Product
from kanali.designer.selectors import pipeline_stages


@dataclass(frozen=True)
class Stage:
    """A pipeline column: the designer's stage (or a default one when the program has none)."""

    position: int
    name: str
    probability: int


#: Used when a program's sales process (design step 2) has no stages yet.
DEFAULT_STAGES = (
    Stage(1, str(_("Qualification")), 10),
    Stage(2, str(_("Needs analysis")), 25),
    Stage(3, str(_("Proposal")), 50),
    Stage(4, str(_("Negotiation")), 75),
)


def program_stages(program: Program) -> list[Stage]:
    """The pipeline's stages in order, numbered 1…n by their order in the designer."""
    rows = list(pipeline_stages(program).values_list("name", "win_probability"))
    if not rows:
        return [Stage(s.position, str(s.name), s.probability) for s in DEFAULT_STAGES]
    return [Stage(n, name, probability) for n, (name, probability) in enumerate(rows, start=1)]


def partner_partnerships(workspace: Workspace) -> QuerySet[Partnership]:
    """The acting partner's live partnerships with this vendor."""
    return list_partnerships(workspace)


def partnership_for(workspace: Workspace, program_id: int | None = None) -> Partnership:
    """The partner's partnership in ``program_id`` (or its only one); 404 when it has none there."""
    qs = partner_partnerships(workspace)
    if program_id is not None:
        return get_object_or_404(qs, program_id=program_id)
    found = list(qs[:2])
    if len(found) != 1:
        if not found:
            raise PermissionDenied
        raise ValidationError({"program_id": [_("Choose the program this deal belongs to.")]})
    return found[0]


# --- products -----------------------------------------------------------------


def list_products(
    workspace: Workspace, *, program_id: int | None = None, active: bool | None = None
) -> QuerySet[Product]:
    """Vendor staff: the catalogue; a partner: the active products of its programs."""
    qs = Product.objects.for_vendor(workspace.vendor).select_related("program")
    if workspace.is_partner:
        qs = qs.filter(program__in=partner_partnerships(workspace).values("program_id"), active=True)
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("program_id", "name", "pk")


def get_product(workspace: Workspace, product_id: int) -> Product:
    return get_object_or_404(list_products(workspace), pk=product_id)


def product_names(program: Program) -> dict[str, str]:
    """Code → name of the program's products (active or not), to label stored codes."""
    return dict(Product.objects.for_vendor(program.vendor_id).filter(program=program).values_list("code", "name"))


# --- accounts -----------------------------------------------------------------


def list_accounts(workspace: Workspace, *, search: str = "", source: str = "") -> QuerySet[Account]:
    """The vendor's accounts; partners never see the vendor's customer list."""
    if not workspace.is_vendor:
        raise PermissionDenied
    qs = Account.objects.for_vendor(workspace.vendor)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(domain__icontains=search) | Q(vat_number__icontains=search))
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("name", "pk")


def get_account(workspace: Workspace, account_id: int) -> Account:
    return get_object_or_404(list_accounts(workspace), pk=account_id)


# --- registrations ------------------------------------------------------------


def list_registrations(
    workspace: Workspace,
    *,
    status: str = "",
    program_id: int | None = None,
    partnership_id: int | None = None,
    in_conflict: bool | None = None,
    search: str = "",
) -> QuerySet[DealRegistration]:
    qs = DealRegistration.objects.for_vendor(workspace.vendor).select_related(
        "partnership__partner", "program", "account", "decided_by", "created_by", "deal"
    )
    if workspace.is_partner:
        qs = qs.filter(partnership__in=partner_partnerships(workspace))
    if status:
        qs = qs.filter(status=status)
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    if partnership_id is not None:
        qs = qs.filter(partnership_id=partnership_id)
    if in_conflict is not None:
        qs = qs.filter(in_conflict=in_conflict)
    if search:
        qs = qs.filter(Q(company__icontains=search) | Q(domain__icontains=search))
    return qs.order_by("-created_at", "-pk")


def get_registration(workspace: Workspace, registration_id: int) -> DealRegistration:
    return get_object_or_404(list_registrations(workspace), pk=registration_id)


def registration_status_counts(workspace: Workspace) -> dict[str, int]:
    rows = list_registrations(workspace).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def expiring_registrations(workspace: Workspace, *, within_days: int = 14) -> QuerySet[DealRegistration]:
    """Approved registrations whose protection ends within ``within_days``."""
    today = timezone.localdate()
    return list_registrations(workspace, status=DealRegistration.Status.APPROVED).filter(
        protected_until__gte=today, protected_until__lte=today + timedelta(days=within_days)
    )


# --- deals --------------------------------------------------------------------


def list_deals(
    workspace: Workspace,
    *,
    status: str = "",
    program_id: int | None = None,
    partnership_id: int | None = None,
    stage_position: int | None = None,
    search: str = "",
) -> QuerySet[Deal]:
    qs = Deal.objects.for_vendor(workspace.vendor).select_related(
        "partnership__partner", "program", "account", "registration"
    )
    if workspace.is_partner:
        qs = qs.filter(partnership__in=partner_partnerships(workspace))
    if status:
        qs = qs.filter(status=status)
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    if partnership_id is not None:
        qs = qs.filter(partnership_id=partnership_id)
    if stage_position is not None:
        qs = qs.filter(stage_position=stage_position)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(account__name__icontains=search))
    return qs.order_by("-created_at", "-pk")


def get_deal(workspace: Workspace, deal_id: int) -> Deal:
    return get_object_or_404(list_deals(workspace), pk=deal_id)


def stage_history(deal: Deal) -> QuerySet[DealStageChange]:
    return deal.stage_changes.select_related("actor").order_by("created_at", "pk")


@dataclass
class PipelineTotal:
    """Open deals of one currency: their sum, and their sum weighted by win probability."""

    currency: str
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


def weighted_pipeline(deals: QuerySet[Deal]) -> list[PipelineTotal]:
    """Σ amount and Σ amount × probability of the open ``deals``, per currency (one query)."""
    rows = (
        deals.filter(status=Deal.Status.OPEN)
        .order_by()
        .values("currency", "probability")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    totals: dict[str, PipelineTotal] = {}
    for row in rows:
        t = totals.setdefault(row["currency"], PipelineTotal(row["currency"]))
        amount = Decimal(row["total"] or 0)
        t.count += row["n"]
        t.amount += amount
        t.weighted += amount * Decimal(row["probability"]) / Decimal(100)
    for t in totals.values():
        t.amount = quantize(t.amount, t.currency)
        t.weighted = quantize(t.weighted, t.currency)
    return sorted(totals.values(), key=lambda t: (-t.count, t.currency))


@dataclass
class BoardColumn:
    stage: Stage
    deals: list[Deal] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)


def board(workspace: Workspace, program: Program, deals: QuerySet[Deal] | None = None) -> list[BoardColumn]:
    """The program's open deals in one column per stage (deals at a removed stage go to the last column)."""
    stages = program_stages(program)
    columns = [BoardColumn(stage) for stage in stages]
    by_position = {c.stage.position: c for c in columns}
    qs = deals if deals is not None else list_deals(workspace, program_id=program.pk)
    for deal in qs.filter(status=Deal.Status.OPEN, program=program).order_by("expected_close", "pk"):
        column = by_position.get(deal.stage_position) or columns[-1]
        column.deals.append(deal)
        column.totals[deal.currency] = column.totals.get(deal.currency, Decimal(0)) + deal.amount
    return columns


# --- metrics --------------------------------------------------------------------


def won_in_window(partnership: Partnership, start: date, end: date) -> QuerySet[Deal]:
    """The partnership's deals won between ``start`` and ``end`` (inclusive, local dates)."""
    tz = timezone.get_current_timezone()
    start_at = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    end_at = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return Deal.objects.for_vendor(partnership.vendor_id).filter(
        partnership=partnership, status=Deal.Status.WON, won_at__gte=start_at, won_at__lt=end_at
    )


def won_totals_by_partnership(program: Program, start: date, end: date) -> dict[int, dict[str, Decimal]]:
    """Partnership → currency → revenue won in the window (one query, for dashboards)."""
    tz = timezone.get_current_timezone()
    rows = (
        Deal.objects.for_vendor(program.vendor_id)
        .filter(
            program=program,
            status=Deal.Status.WON,
            won_at__gte=datetime.combine(start, datetime.min.time(), tzinfo=tz),
            won_at__lt=datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz),
        )
        .order_by()
        .values("partnership_id", "currency")
        .annotate(total=Sum("amount"))
    )
    result: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        result[row["partnership_id"]][row["currency"]] = Decimal(row["total"] or 0)
    return dict(result)
