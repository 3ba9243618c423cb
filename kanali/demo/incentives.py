"""Demo data of the incentives app: commission plans, a few months of statements in every state, bank details.

Runs after the deals demo, whose deals were won (backdated) before any plan
existed, so this module gives each demo program a plan and then credits the
won deals in the order they were won, through the same service the
``deal_won`` hook calls. Statements of closed periods are approved and paid,
except the latest closed period's, which wait for payment; the most advanced
open deal is won today, so the current period has a draft; one paid win is
lost afterwards, so a clawback appears on the open statement. Most partners
enter bank details (valid IBANs made with python-stdnum); one does not, so
the payout page shows that error.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum import iban as stdnum_iban

from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.deals import services_pipeline
from kanali.deals.models import Deal
from kanali.designer.models import Tier
from kanali.incentives import services
from kanali.incentives.models import CommissionLine, CommissionPlan, PayoutAccount, Statement
from kanali.incentives.services import RuleInput

D = Decimal


def _rules(vendor: Organization, program: Program) -> tuple[str, str, list[RuleInput]]:
    """Name, statement period and rules of each demo program's plan."""
    if vendor.slug == "nefeli":
        return (
            "Nefeli partner commissions",
            "month",
            [
                RuleInput(rate_pct=D("10")),
                RuleInput(rate_pct=D("12"), partner_type="msp"),
                RuleInput(rate_pct=D("15"), product="managed-k8s"),
                RuleInput(
                    kind="flat", flat_amount=D("400"), currency="EUR", product="cloud-backup", partner_type="var"
                ),
                RuleInput(
                    rate_pct=D("10"), accelerator_threshold=D("20000"), accelerator_rate_pct=D("14"), partner_type="si"
                ),
            ],
        )
    tiers = {t.name.lower(): t for t in Tier.objects.for_vendor(vendor).filter(program=program)}
    rules = [RuleInput(rate_pct=D("8"), accelerator_threshold=D("100000"), accelerator_rate_pct=D("11"))]
    if "gold" in tiers:
        rules.append(RuleInput(rate_pct=D("10"), tier=tiers["gold"]))
    rules.append(RuleInput(rate_pct=D("9"), product="scada-suite"))
    return "Voltera reseller commissions", "quarter", rules


PROGRAMS = (("nefeli", "partners"), ("voltera", "resellers"))
#: Partner (website key) that has not entered bank details yet.
NO_BANK_DETAILS = "thermaikos"


def _staff(vendor: Organization) -> Workspace:
    owner = Membership.objects.select_related("user").filter(organization=vendor, role=Role.OWNER).earliest("pk")
    return Workspace(user=owner.user, membership=owner, vendor=vendor, kind="vendor")


def _partner_admin(vendor: Organization, partnership: Partnership) -> Workspace | None:
    admin = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=partnership.partner_id, role=Role.PARTNER_ADMIN)
        .order_by("pk")
        .first()
    )
    if admin is None:
        return None
    return Workspace(user=admin.user, membership=admin, vendor=vendor, kind="partner")


def demo_iban(n: int) -> str:
    """A valid Greek IBAN (bank 011, branch 0125) for the n-th demo partner."""
    bban = f"0110125{n:016d}"
    return f"GR{stdnum_iban.calc_check_digits('GR00' + bban)}{bban}"


def load() -> None:
    """Plans, credited wins, statements and bank details (idempotent: a program with a plan is left alone)."""
    for vendor_slug, program_slug in PROGRAMS:
        vendor = Organization.objects.filter(slug=vendor_slug, is_vendor=True).first()
        if vendor is None:
            continue
        program = Program.objects.for_vendor(vendor).filter(slug=program_slug).first()
        if program is None or CommissionPlan.objects.for_vendor(vendor).filter(program=program).exists():
            continue
        with transaction.atomic():
            _load_program(vendor, program)


def _load_program(vendor: Organization, program: Program) -> None:
    staff = _staff(vendor)
    name, period, rules = _rules(vendor, program)
    services.plan_save(workspace=staff, program=program, name=name, period=period, active=True, rules=rules)
    won = list(
        Deal.objects.for_vendor(vendor)
        .filter(program=program, status=Deal.Status.WON)
        .select_related("account", "registration")
        .order_by("won_at", "pk")
    )
    for deal in won:
        services.record_win(deal)
    # This month's win, furthest down the pipeline: it lands on the open (draft) statement.
    ripe = (
        Deal.objects.for_vendor(vendor)
        .filter(program=program, status=Deal.Status.OPEN)
        .order_by("-stage_position", "pk")
        .first()
    )
    if ripe is not None:
        services_pipeline.deal_won(workspace=staff, deal=ripe)
    _bank_details(vendor, program)
    _settle(vendor, program, staff)
    # A customer cancelled after signing: the win is reversed and clawed back on the open statement.
    paid_deal = (
        CommissionLine.objects.for_vendor(vendor)
        .filter(program=program, statement__status=Statement.Status.PAID, kind=CommissionLine.Kind.COMMISSION)
        .order_by("-earned_on", "-pk")
        .first()
    )
    if paid_deal is not None:
        deal = Deal.objects.for_vendor(vendor).get(pk=paid_deal.deal_id)
        services_pipeline.deal_lost(workspace=staff, deal=deal, reason="The customer withdrew within the trial period.")


def _bank_details(vendor: Organization, program: Program) -> None:
    partnerships = (
        Partnership.objects.for_vendor(vendor)
        .filter(program=program, status__in=Partnership.PORTAL_STATUSES)
        .select_related("partner")
        .order_by("pk")
    )
    for n, partnership in enumerate(partnerships, start=1):
        if partnership.partner.website.startswith(f"https://{NO_BANK_DETAILS}."):
            continue
        ws = _partner_admin(vendor, partnership)
        if ws is None or PayoutAccount.objects.for_vendor(vendor).filter(partnership=partnership).exists():
            continue
        services.payout_account_save(
            workspace=ws,
            partnership=partnership,
            account_holder=partnership.partner.name,
            iban=demo_iban(vendor.pk * 1000 + n),
            bic="ETHNGRAA" if n % 2 else "",
        )


def _settle(vendor: Organization, program: Program, staff: Workspace) -> None:
    """Approve and pay old periods, approve last period, leave the current one open; dates follow the periods."""
    today = timezone.localdate()
    statements = list(
        Statement.objects.for_vendor(vendor)
        .filter(program=program, status=Statement.Status.DRAFT)
        .order_by("period_start", "pk")
    )
    closed = [s for s in statements if s.period_end <= today]
    latest = max((s.period_start for s in closed), default=None)
    rows = Statement.objects.for_vendor(vendor)
    for n, statement in enumerate(closed):
        services.statement_approve(workspace=staff, statement=statement)
        approved_at = timezone.make_aware(datetime.combine(statement.period_end + timedelta(days=3), time(9)))
        rows.filter(pk=statement.pk).update(approved_at=min(approved_at, timezone.now()))
        paid_on = min(statement.period_end + timedelta(days=14), today)
        if statement.period_start != latest:  # the latest closed period waits for payment
            services.statement_pay(
                workspace=staff,
                statement=statement,
                reference=f"SEPA-{statement.period_start:%Y%m}-{n + 1:03d}",
                paid_on=paid_on,
            )
