"""Commission lines from won deals, clawbacks, idempotency, statement placement, approval and payment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kanali.core.models import AuditLog, Notification
from kanali.deals.hooks import deal_won
from kanali.designer.models import Tier
from kanali.incentives import services
from kanali.incentives.models import CommissionLine, Statement
from kanali.incentives.services import RuleInput, StatementStateError
from kanali.partners.models_tiers import TierAssignment
from tests.conftest import World, workspace_for
from tests.incentives.routes import lose, open_deal, plan, product, reopen, statement, win

D = Decimal
pytestmark = pytest.mark.django_db


def lines(world: World) -> list[CommissionLine]:
    return list(CommissionLine.objects.for_vendor(world.a.vendor).order_by("pk"))


def test_a_won_deal_creates_one_line_on_a_draft_statement(world: World) -> None:
    a = world.a
    plan(a)
    deal = win(a, open_deal(a, amount="1234.56", name="ERP rollout"))
    (line,) = lines(world)
    assert line.kind == "commission" and line.cycle == 1
    assert line.amount == D("123.46")  # 123.456 rounded half-up
    assert line.base_amount == D("1234.56") and line.currency == "EUR" and line.rate_pct == D("10")
    assert line.deal_id == deal.pk and line.deal_name == "ERP rollout"
    s = line.statement
    today = timezone.localdate()
    assert s.status == "draft" and s.period_start == today.replace(day=1) and s.currency == "EUR"
    assert s.total == D("123.46") and s.line_count == 1
    assert s.number == f"{today:%Y-%m}-{a.partners[0].partnership.pk:05d}-EUR"


def test_no_plan_or_no_matching_rule_pays_nothing(world: World) -> None:
    a = world.a
    win(a, open_deal(a))
    assert lines(world) == []
    plan(a, [RuleInput(rate_pct=D("5"), partner_type="msp")])  # partners are VARs
    win(a, open_deal(a))
    assert lines(world) == []


def test_the_hook_firing_twice_pays_once(world: World) -> None:
    a = world.a
    plan(a)
    deal = win(a, open_deal(a))
    deal_won(deal)  # a retry or a second registration of the hook
    assert services.record_win(deal) is None
    assert len(lines(world)) == 1
    assert Statement.objects.for_vendor(a.vendor).get().total == D("100.00")


def test_the_unique_constraint_stops_a_duplicate_line(world: World) -> None:
    a = world.a
    plan(a)
    win(a, open_deal(a))
    (line,) = lines(world)
    line.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_lines_are_in_the_deal_currency_with_its_minor_unit(world: World) -> None:
    a = world.a
    plan(a, [RuleInput(rate_pct=D("7.5"))])
    win(a, open_deal(a, amount="100333", currency="JPY"))
    win(a, open_deal(a, amount="1000.005", currency="KWD"))
    jpy, kwd = lines(world)
    assert (jpy.amount, jpy.currency) == (D("7525"), "JPY")  # 7524.975 → 7525
    assert (kwd.amount, kwd.currency) == (D("75.000"), "KWD")  # 75.000375 → 75.000
    assert Statement.objects.for_vendor(a.vendor).count() == 2  # one statement per currency


def test_tier_bonus_and_tier_rule_use_the_current_assignment(world: World) -> None:
    a = world.a
    gold = Tier.objects.create(vendor=a.vendor, program=a.program, rank=3, name="Gold", commission_bonus_pct=D("2"))
    TierAssignment.objects.create(vendor=a.vendor, partnership=a.partners[0].partnership, tier=gold)
    plan(a, [RuleInput(rate_pct=D("10")), RuleInput(rate_pct=D("12"), tier=gold)])
    win(a, open_deal(a, partner=0))
    win(a, open_deal(a, partner=1))
    gold_line, plain_line = lines(world)
    assert gold_line.amount == D("140.00") and gold_line.rate_pct == D("12") and gold_line.bonus_pct == D("2")
    assert gold_line.tier_name == "Gold"
    assert plain_line.amount == D("100.00") and plain_line.bonus_pct == D("0")


def test_product_rule_beats_catch_all(world: World) -> None:
    a = world.a
    product(a, "cloud")
    plan(a, [RuleInput(rate_pct=D("10")), RuleInput(kind="flat", flat_amount=D("300"), product="cloud")])
    win(a, open_deal(a, products=["cloud"]))
    win(a, open_deal(a, products=["onprem"]))
    cloud, other = lines(world)
    assert cloud.amount == D("300.00") and cloud.flat_amount == D("300") and cloud.rate_pct is None
    assert other.amount == D("100.00")


def test_accelerator_counts_revenue_won_earlier_in_the_period(world: World) -> None:
    a = world.a
    plan(a, [RuleInput(rate_pct=D("10"), accelerator_threshold=D("1500"), accelerator_rate_pct=D("20"))])
    start = timezone.now() - timedelta(minutes=10)
    win(a, open_deal(a, amount="1000"), at=start)
    win(a, open_deal(a, amount="1000"), at=start + timedelta(minutes=1))
    win(a, open_deal(a, amount="1000", partner=1), at=start + timedelta(minutes=2))  # another partner's revenue
    first, second, other = lines(world)
    assert first.amount == D("100.00") and first.accelerated_base == 0
    # 500 below the threshold at 10 %, 500 above at 20 %.
    assert second.amount == D("150.00") and second.accelerated_base == D("500") and second.accelerator_rate_pct == 20
    assert other.amount == D("100.00")


def test_quarterly_plan_opens_quarterly_statements(world: World) -> None:
    a = world.a
    plan(a, period="quarter")
    win(a, open_deal(a), at=datetime(2026, 5, 20, 12, tzinfo=UTC))
    s = Statement.objects.for_vendor(a.vendor).get()
    assert (s.period_kind, s.period_start, s.period_end) == ("quarter", date(2026, 4, 1), date(2026, 7, 1))
    assert s.period_label == "2026-Q2" and s.number.startswith("2026-Q2-")


def test_reversal_before_approval_nets_out_on_the_same_statement(world: World) -> None:
    a = world.a
    plan(a)
    deal = win(a, open_deal(a))
    lose(a, deal)
    earned, clawback = lines(world)
    assert clawback.kind == "clawback" and clawback.reverses_id == earned.pk and clawback.cycle == 1
    assert clawback.amount == D("-100.00") and clawback.base_amount == D("-1000.00")
    assert clawback.statement_id == earned.statement_id
    s = Statement.objects.for_vendor(a.vendor).get()
    assert s.total == D("0.00") and s.line_count == 2


def test_reversal_after_payment_goes_onto_the_next_open_statement(world: World) -> None:
    a = world.a
    plan(a)
    last_month = timezone.now() - timedelta(days=40)
    deal = win(a, open_deal(a), at=last_month)
    paid = Statement.objects.for_vendor(a.vendor).get()
    fin = workspace_for(a.finance, a.vendor)
    services.statement_approve(workspace=fin, statement=paid)
    services.statement_pay(workspace=fin, statement=paid, reference="TRF-9", paid_on=timezone.localdate())
    reopen(a, deal)
    _earned, clawback = lines(world)
    assert clawback.statement_id != paid.pk
    current = clawback.statement
    assert current.status == "draft" and current.period_start == timezone.localdate().replace(day=1)
    assert current.total == D("-100.00")
    paid.refresh_from_db()
    assert paid.total == D("100.00") and paid.line_count == 1  # the paid statement never changes


def test_reopened_and_won_again_pays_again_and_the_reversal_is_idempotent(world: World) -> None:
    a = world.a
    plan(a)
    deal = win(a, open_deal(a))
    deal = reopen(a, deal)
    assert services.record_reversal(deal) is None  # second reversal of the same win: nothing
    deal = win(a, deal)
    kinds = [(line.kind, line.cycle, line.amount) for line in lines(world)]
    assert kinds == [("commission", 1, D("100.00")), ("clawback", 1, D("-100.00")), ("commission", 2, D("100.00"))]
    assert Statement.objects.for_vendor(a.vendor).get().total == D("100.00")


def test_a_win_after_approval_of_its_period_goes_to_the_next_period(world: World) -> None:
    a = world.a
    s = statement(a)
    services.statement_approve(workspace=workspace_for(a.finance, a.vendor), statement=s)
    win(a, open_deal(a, name="Late"))
    late = CommissionLine.objects.for_vendor(a.vendor).get(deal_name="Late")
    assert late.statement_id != s.pk and late.statement.period_start == s.period_end
    s.refresh_from_db()
    assert s.line_count == 1


def test_approve_once_then_409_and_notify_the_partner_admin(world: World) -> None:
    a = world.a
    s = statement(a)
    fin = workspace_for(a.finance, a.vendor)
    approved = services.statement_approve(workspace=fin, statement=s)
    assert approved.status == "approved" and approved.approved_by == a.finance and approved.approved_at
    with pytest.raises(StatementStateError):
        services.statement_approve(workspace=fin, statement=s)
    assert AuditLog.objects.filter(vendor=a.vendor, action="statement.approve").count() == 1
    notices = Notification.objects.filter(kind="incentives.statement")
    assert {n.recipient for n in notices} == {a.partners[0].admin}


def test_only_finance_or_owner_approve_and_pay(world: World) -> None:
    a = world.a
    s = statement(a)
    with pytest.raises(PermissionDenied):
        services.statement_approve(workspace=workspace_for(a.channel_manager, a.vendor), statement=s)
    partner_ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    with pytest.raises(PermissionDenied):
        services.statement_approve(workspace=partner_ws, statement=s)


def test_pay_needs_approval_a_reference_and_a_past_date(world: World) -> None:
    a = world.a
    s = statement(a)
    fin = workspace_for(a.finance, a.vendor)
    today = timezone.localdate()
    with pytest.raises(StatementStateError):
        services.statement_pay(workspace=fin, statement=s, reference="X", paid_on=today)
    services.statement_approve(workspace=fin, statement=s)
    with pytest.raises(ValidationError) as exc:
        services.statement_pay(workspace=fin, statement=s, reference="  ", paid_on=today + timedelta(days=1))
    assert set(exc.value.message_dict) == {"reference", "paid_on"}
    paid = services.statement_pay(workspace=fin, statement=s, reference=" TRF-2026-11 ", paid_on=today)
    assert paid.status == "paid" and paid.payment_reference == "TRF-2026-11" and paid.paid_on == today
    with pytest.raises(StatementStateError):
        services.statement_pay(workspace=fin, statement=s, reference="again", paid_on=today)
