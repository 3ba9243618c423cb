"""Writes of the incentives app: plans, commission and clawback lines, statement approval and payment, bank details.

Lines are written by the deals hooks inside the deal's transaction (no
workspace: the deal change is audited by the deals service); everything else
is a use case of a person, with its permission check and audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from kanali.core import audit
from kanali.core.models import Partnership, Program
from kanali.core.notifications import notify, organization_people
from kanali.core.roles import Perm, Role
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.deals.models import Deal, Product
from kanali.designer.models import Tier
from kanali.incentives import calc
from kanali.incentives.models import CommissionLine, CommissionPlan, CommissionRule, PayoutAccount, Statement
from kanali.partners.models_tiers import TierAssignment

RULE_FIELDS = (
    "tier",
    "partner_type",
    "product",
    "kind",
    "rate_pct",
    "flat_amount",
    "currency",
    "accelerator_threshold",
    "accelerator_rate_pct",
)


class StatementStateError(Exception):
    """The statement is not in a state that allows this (approving twice, paying a draft): HTTP 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Plans -------------------------------------------------------------------------------


@dataclass
class RuleInput:
    """One rule as a form or the API gives it (``tier`` is a Tier of the plan's program or None)."""

    kind: str = calc.PERCENT
    rate_pct: Decimal = Decimal(0)
    flat_amount: Decimal = Decimal(0)
    currency: str = "EUR"
    tier: Tier | None = None
    partner_type: str = ""
    product: str = ""
    accelerator_threshold: Decimal | None = None
    accelerator_rate_pct: Decimal | None = None


@transaction.atomic
def plan_save(
    *,
    workspace: Workspace,
    program: Program,
    name: str,
    period: str,
    active: bool,
    rules: Sequence[RuleInput],
    plan: CommissionPlan | None = None,
) -> CommissionPlan:
    """Create or replace a plan and its rules; activating it deactivates the program's other plan.

    Rules are validated together: errors are keyed ``rules[n].field`` so a
    form or the API can show them next to the row.
    """
    require(workspace, Perm.MANAGE_COMMISSIONS)
    if plan is not None:
        plan = CommissionPlan.objects.for_vendor(workspace.vendor).select_for_update().get(pk=plan.pk)
        program = plan.program
        changes = audit.diff(plan, {"name": name, "period": period, "active": active})
    else:
        plan = CommissionPlan(vendor=workspace.vendor, program=program)
        changes = {}
    plan.name, plan.period, plan.active = name, period, active
    plan.full_clean(exclude=["vendor", "program"], validate_constraints=False)
    built = _build_rules(workspace, program, plan, rules)
    if active:
        others = CommissionPlan.objects.for_vendor(workspace.vendor).filter(program=program, active=True)
        if plan.pk:
            others = others.exclude(pk=plan.pk)
        for other in others.select_for_update():
            other.active = False
            other.save(update_fields=["active", "updated_at"])
            audit.record(workspace=workspace, action="commission_plan.deactivate", obj=other)
    created = plan.pk is None
    plan.save()
    CommissionRule.objects.for_vendor(workspace.vendor).filter(plan=plan).delete()
    for rule in built:
        rule.plan = plan
    CommissionRule.objects.bulk_create(built)
    changes["rules"] = [len(built)]
    audit.record(
        workspace=workspace,
        action="commission_plan.create" if created else "commission_plan.update",
        obj=plan,
        changes=changes,
    )
    return plan


def _build_rules(
    workspace: Workspace, program: Program, plan: CommissionPlan, rules: Sequence[RuleInput]
) -> list[CommissionRule]:
    products = set(Product.objects.for_vendor(workspace.vendor).filter(program=program).values_list("code", flat=True))
    errors: dict[str, list[str]] = {}
    built = []
    for n, row in enumerate(rules):
        rule = CommissionRule(
            vendor=workspace.vendor,
            plan=plan,
            position=n,
            tier=row.tier,
            partner_type=row.partner_type or "",
            product=(row.product or "").strip(),
            kind=row.kind,
            rate_pct=row.rate_pct if row.kind == calc.PERCENT else Decimal(0),
            flat_amount=row.flat_amount if row.kind == calc.FLAT else Decimal(0),
            currency=(row.currency or "").upper(),
            accelerator_threshold=row.accelerator_threshold,
            accelerator_rate_pct=row.accelerator_rate_pct,
        )
        row_errors: dict[str, list[str]] = {}
        try:
            rule.full_clean(exclude=["vendor", "plan"])
        except ValidationError as exc:
            row_errors.update(exc.message_dict)
        if row.tier is not None and (row.tier.vendor_id != workspace.vendor.pk or row.tier.program_id != program.pk):
            row_errors.setdefault("tier", []).append(_("Choose a tier of this program."))
        if rule.product and rule.product not in products:
            row_errors.setdefault("product", []).append(
                _("No product of this program has the code “%(code)s”.") % {"code": rule.product}
            )
        if rule.kind == calc.FLAT and not rule.flat_amount:
            row_errors.setdefault("flat_amount", []).append(_("Enter the amount paid per deal."))
        if rule.kind == calc.PERCENT and not rule.rate_pct and rule.accelerator_rate_pct is None:
            row_errors.setdefault("rate_pct", []).append(_("Enter the percentage paid."))
        accelerator = (rule.accelerator_threshold is not None, rule.accelerator_rate_pct is not None)
        if any(accelerator) and not all(accelerator):
            row_errors.setdefault("accelerator_rate_pct", []).append(
                _("An accelerator needs both a threshold and a rate.")
            )
        if all(accelerator) and rule.kind == calc.FLAT:
            row_errors.setdefault("accelerator_rate_pct", []).append(_("Accelerators apply to percentage rules only."))
        for field, messages in row_errors.items():
            errors[f"rules[{n}].{field}"] = messages
        built.append(rule)
    if errors:
        raise ValidationError(errors)
    return built


# --- Lines (deals hooks) --------------------------------------------------------------------


def active_plan(program_id: int, vendor_id: int) -> CommissionPlan | None:
    return CommissionPlan.objects.for_vendor(vendor_id).filter(program_id=program_id, active=True).first()


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_revenue_before(deal: Deal, start: date, end: date) -> Decimal:
    """Revenue the deal's partnership won in ``[start, end)`` and the deal's currency before this deal."""
    won_at = deal.won_at or timezone.now()
    total = (
        Deal.objects.for_vendor(deal.vendor_id)
        .filter(
            partnership_id=deal.partnership_id,
            status=Deal.Status.WON,
            currency=deal.currency,
            won_at__gte=_start_of(start),
            won_at__lt=_start_of(end),
            won_at__lte=won_at,
        )
        .exclude(pk=deal.pk)
        .aggregate(total=Sum("amount"))["total"]
    )
    return Decimal(total or 0)


def _customer(deal: Deal) -> str:
    if deal.account_id and deal.account is not None:
        return deal.account.name
    if deal.registration_id and deal.registration is not None:
        return deal.registration.company
    return ""


def _lines_of(deal: Deal) -> Any:
    return CommissionLine.objects.for_vendor(deal.vendor_id).filter(deal_id=deal.pk)


def _win_state(deal: Deal) -> tuple[int, int]:
    """How many wins of the deal were credited and how many of them clawed back."""
    counts = {row["kind"]: row["n"] for row in _lines_of(deal).order_by().values("kind").annotate(n=Count("id"))}
    return int(counts.get(CommissionLine.Kind.COMMISSION, 0)), int(counts.get(CommissionLine.Kind.CLAWBACK, 0))


def record_win(deal: Deal) -> CommissionLine | None:
    """The commission line for a deal that was just won, on its partnership's open statement.

    Idempotent: a deal whose current win is already credited gets nothing
    more (and the unique constraint stops a racing duplicate). No active plan,
    or no rule matching, means no line.
    """
    wins, clawbacks = _win_state(deal)
    if wins > clawbacks:
        return None
    plan = active_plan(deal.program_id, deal.vendor_id)
    if plan is None:
        return None
    rules = [r.as_calc() for r in CommissionRule.objects.for_vendor(deal.vendor_id).filter(plan=plan)]
    partnership = Partnership.objects.for_vendor(deal.vendor_id).get(pk=deal.partnership_id)
    assignment = (
        TierAssignment.objects.for_vendor(deal.vendor_id)
        .filter(partnership_id=partnership.pk)
        .select_related("tier")
        .first()
    )
    tier = assignment.tier if assignment is not None else None
    earned_on = timezone.localdate(deal.won_at) if deal.won_at else timezone.localdate()
    start, end = calc.period_bounds(earned_on, plan.period)
    facts = calc.DealFacts(
        amount=deal.amount,
        currency=deal.currency,
        products=tuple(deal.products or ()),
        partner_type=partnership.partner_type,
        tier_id=tier.pk if tier else None,
        tier_bonus_pct=tier.commission_bonus_pct if tier else Decimal(0),
        period_revenue_before=Decimal(0),
    )
    rule = calc.match_rule(rules, facts)
    if rule is None:
        return None
    if rule.has_accelerator:
        facts = calc.DealFacts(**{**facts.__dict__, "period_revenue_before": period_revenue_before(deal, start, end)})
    result = calc.compute(rule, facts)
    statement = _open_statement(
        partnership=partnership, program_id=deal.program_id, currency=result.currency, day=earned_on, kind=plan.period
    )
    line = CommissionLine(
        vendor_id=deal.vendor_id,
        program_id=deal.program_id,
        partnership=partnership,
        deal=deal,
        statement=statement,
        kind=CommissionLine.Kind.COMMISSION,
        cycle=wins + 1,
        rule_id=rule.id or None,
        earned_on=earned_on,
        deal_name=deal.name[:200],
        customer=_customer(deal)[:200],
        base_amount=result.base_amount,
        currency=result.currency,
        rate_pct=result.rate_pct,
        flat_amount=result.flat_amount,
        accelerated_base=result.accelerated_base,
        accelerator_rate_pct=result.accelerator_rate_pct,
        bonus_pct=result.bonus_pct,
        tier_name=tier.name if tier else "",
        amount=result.amount,
    )
    return _add_line(line, statement)


def record_reversal(deal: Deal) -> CommissionLine | None:
    """A negative line cancelling the deal's last credited win (idempotent like :func:`record_win`).

    The clawback joins the original's statement while that is still a draft
    (they cancel out); once that statement is approved or paid, it goes onto
    the partnership's open statement of the current period.
    """
    original = (
        _lines_of(deal)
        .filter(kind=CommissionLine.Kind.COMMISSION)
        .select_related("statement")
        .order_by("-cycle")
        .first()
    )
    if original is None or _lines_of(deal).filter(reverses=original).exists():
        return None
    source = Statement.objects.for_vendor(deal.vendor_id).select_for_update().get(pk=original.statement_id)
    if source.is_draft:
        statement = source
    else:
        statement = _open_statement(
            partnership=original.partnership,
            program_id=original.program_id,
            currency=original.currency,
            day=timezone.localdate(),
            kind=source.period_kind,
        )
    line = CommissionLine(
        vendor_id=deal.vendor_id,
        program_id=original.program_id,
        partnership_id=original.partnership_id,
        deal=deal,
        statement=statement,
        kind=CommissionLine.Kind.CLAWBACK,
        cycle=original.cycle,
        reverses=original,
        rule_id=original.rule_id,
        earned_on=timezone.localdate(),
        deal_name=original.deal_name,
        customer=original.customer,
        base_amount=-original.base_amount,
        currency=original.currency,
        rate_pct=original.rate_pct,
        flat_amount=-original.flat_amount if original.flat_amount is not None else None,
        accelerated_base=-original.accelerated_base,
        accelerator_rate_pct=original.accelerator_rate_pct,
        bonus_pct=original.bonus_pct,
        tier_name=original.tier_name,
        amount=-original.amount,
    )
    return _add_line(line, statement)


def _add_line(line: CommissionLine, statement: Statement) -> CommissionLine | None:
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        # The same event was recorded by a concurrent call: nothing to add.
        return None
    statement.total = statement.total + line.amount
    statement.line_count = statement.line_count + 1
    statement.save(update_fields=["total", "line_count", "updated_at"])
    return line


def _open_statement(*, partnership: Partnership, program_id: int, currency: str, day: date, kind: str) -> Statement:
    """The locked draft statement of the period containing ``day``, or of the first later period still open."""
    start, end = calc.period_bounds(day, kind)
    for _attempt in range(120):  # ten years of monthly statements: far more than ever approved ahead
        statement = _statement_for(partnership, program_id, currency, start, end, kind)
        if statement.is_draft:
            return statement
        start, end = calc.next_period(start, kind)
    raise RuntimeError("No open statement period found")  # pragma: no cover - needs 120 approved periods ahead


def _statement_for(
    partnership: Partnership, program_id: int, currency: str, start: date, end: date, kind: str
) -> Statement:
    rows = Statement.objects.for_vendor(partnership.vendor_id).select_for_update()
    found = rows.filter(partnership=partnership, period_start=start, currency=currency).first()
    if found is not None:
        return found
    statement = Statement(
        vendor_id=partnership.vendor_id,
        program_id=program_id,
        partnership=partnership,
        number=f"{calc.period_label(start, kind)}-{partnership.pk:05d}-{currency}",
        period_kind=kind,
        period_start=start,
        period_end=end,
        currency=currency,
    )
    try:
        with transaction.atomic():
            statement.save()
    except IntegrityError:
        # Another transaction opened it a moment ago; wait for its lock.
        return rows.get(partnership=partnership, period_start=start, currency=currency)
    return statement


# --- Statements ---------------------------------------------------------------------------


def _lock_statement(workspace: Workspace, statement: Statement) -> Statement:
    return (
        Statement.objects.for_vendor(workspace.vendor)
        .select_for_update()
        .select_related("partnership__partner")
        .get(pk=statement.pk)
    )


def _tell_partner(statement: Statement, title: str, body: str) -> None:
    from django.urls import reverse

    url = reverse(
        "incentives:portal_statement_detail",
        kwargs={"vendor_slug": statement.vendor.slug, "statement_id": statement.pk},
    )
    notify(
        recipients=organization_people(statement.partnership.partner_id, [Role.PARTNER_ADMIN]),
        vendor=statement.vendor,
        kind="incentives.statement",
        title=title,
        body=body,
        url=url,
    )


@transaction.atomic
def statement_approve(*, workspace: Workspace, statement: Statement) -> Statement:
    """Finance approves a draft; from then on nothing on it changes (later lines go to the next period)."""
    require(workspace, Perm.APPROVE_PAYMENTS)
    row = _lock_statement(workspace, statement)
    if row.status != Statement.Status.DRAFT:
        raise StatementStateError(_("This statement is already approved."))
    row.status = Statement.Status.APPROVED
    row.approved_by = workspace.user
    row.approved_at = timezone.now()
    row.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit.record(
        workspace=workspace,
        action="statement.approve",
        obj=row,
        changes={"status": ["draft", "approved"], "total": [None, str(row.total)]},
    )
    _tell_partner(
        row,
        _("Commission statement %(number)s approved") % {"number": row.number},
        _("%(vendor)s approved your statement for %(period)s: %(total)s %(currency)s.")
        % {"vendor": workspace.vendor.name, "period": row.period_label, "total": row.total, "currency": row.currency},
    )
    return row


@transaction.atomic
def statement_pay(*, workspace: Workspace, statement: Statement, reference: str, paid_on: date) -> Statement:
    """Record that an approved statement was paid, with the bank's reference."""
    require(workspace, Perm.APPROVE_PAYMENTS)
    reference = (reference or "").strip()
    errors: dict[str, list[str]] = {}
    if not reference:
        errors["reference"] = [_("Enter the payment reference.")]
    elif len(reference) > 100:
        errors["reference"] = [_("Keep the reference to 100 characters.")]
    if paid_on > timezone.localdate():
        errors["paid_on"] = [_("The payment date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    row = _lock_statement(workspace, statement)
    if row.status == Statement.Status.DRAFT:
        raise StatementStateError(_("Approve the statement before marking it paid."))
    if row.status == Statement.Status.PAID:
        raise StatementStateError(_("This statement is already marked paid."))
    row.status = Statement.Status.PAID
    row.payment_reference = reference
    row.paid_on = paid_on
    row.paid_by = workspace.user
    row.paid_at = timezone.now()
    row.save(update_fields=["status", "payment_reference", "paid_on", "paid_by", "paid_at", "updated_at"])
    audit.record(
        workspace=workspace,
        action="statement.pay",
        obj=row,
        changes={"status": ["approved", "paid"], "payment_reference": [None, reference]},
    )
    _tell_partner(
        row,
        _("Commission statement %(number)s paid") % {"number": row.number},
        _("%(vendor)s paid %(total)s %(currency)s on %(date)s (reference %(reference)s).")
        % {
            "vendor": workspace.vendor.name,
            "total": row.total,
            "currency": row.currency,
            "date": paid_on.isoformat(),
            "reference": reference,
        },
    )
    return row


# --- Bank details ---------------------------------------------------------------------------


def clean_iban(value: str) -> str:
    try:
        return str(stdnum_iban.validate(value or ""))
    except StdnumError:
        raise ValidationError({"iban": [_("Enter a valid IBAN.")]}) from None


def clean_bic(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return str(stdnum_bic.validate(value))
    except StdnumError:
        raise ValidationError({"bic": [_("Enter a valid BIC (8 or 11 characters).")]}) from None


@transaction.atomic
def payout_account_save(
    *, workspace: Workspace, partnership: Partnership, account_holder: str, iban: str, bic: str = ""
) -> PayoutAccount:
    """The partner admin's bank details for one partnership (``partnership`` from the workspace's selector)."""
    require(workspace, Perm.MANAGE_PARTNER_PROFILE)
    if not workspace.is_partner or partnership.partner_id != workspace.organization.pk:
        raise ValidationError(_("Bank details are entered by the partner."))
    errors: dict[str, list[str]] = {}
    values = {"account_holder": (account_holder or "").strip(), "iban": "", "bic": ""}
    for name, cleaner, raw in (("iban", clean_iban, iban), ("bic", clean_bic, bic)):
        try:
            values[name] = cleaner(raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not values["account_holder"]:
        errors["account_holder"] = [_("Enter the account holder's name.")]
    if errors:
        raise ValidationError(errors)
    account = (
        PayoutAccount.objects.for_vendor(workspace.vendor).select_for_update().filter(partnership=partnership).first()
    )
    if account is None:
        account = PayoutAccount(vendor=workspace.vendor, partnership=partnership)
        changes = {}
        action = "payout_account.create"
    else:
        changes = audit.diff(account, values)
        action = "payout_account.update"
    for name, value in values.items():
        setattr(account, name, value)
    account.updated_by = workspace.user
    account.full_clean(exclude=["vendor", "partnership"], validate_constraints=False)
    account.save()
    if "iban" in changes:  # never write a full IBAN into the audit log
        changes["iban"] = ["…", account.masked_iban]
    audit.record(workspace=workspace, action=action, obj=account, changes=changes)
    return account
