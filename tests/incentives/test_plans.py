"""Commission plans: validation of rules, one active plan per program, permissions, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kanali.core.models import AuditLog
from kanali.designer.models import Tier
from kanali.incentives import services
from kanali.incentives.models import CommissionPlan, CommissionRule
from kanali.incentives.services import RuleInput
from tests.conftest import World, workspace_for
from tests.factories import CommissionPlanFactory, CommissionRuleFactory, PayoutAccountFactory, ProgramFactory
from tests.incentives.routes import plan, product

D = Decimal
pytestmark = pytest.mark.django_db


def test_plan_with_rules_is_saved_in_order_and_audited(world: World) -> None:
    a = world.a
    product(a, "cloud")
    saved = plan(a, [RuleInput(rate_pct=D("10")), RuleInput(kind="flat", flat_amount=D("250"), product="cloud")])
    rules = list(CommissionRule.objects.for_vendor(a.vendor).filter(plan=saved))
    assert [(r.position, r.kind, r.product) for r in rules] == [(0, "percent", ""), (1, "flat", "cloud")]
    assert AuditLog.objects.filter(vendor=a.vendor, action="commission_plan.create").count() == 1


def test_activating_a_plan_deactivates_the_other(world: World) -> None:
    a = world.a
    first = plan(a, name="2025")
    second = plan(a, name="2026")
    first.refresh_from_db()
    assert not first.active and second.active
    assert services.active_plan(a.program.pk, a.vendor.pk) == second
    other = ProgramFactory(vendor=a.vendor)
    third = plan(a, program=other)
    second.refresh_from_db()
    assert second.active and third.active  # one active plan per program, not per vendor


def test_updating_a_plan_replaces_its_rules(world: World) -> None:
    a = world.a
    saved = plan(a, [RuleInput(rate_pct=D("10")), RuleInput(rate_pct=D("12"), partner_type="msp")])
    services.plan_save(
        workspace=workspace_for(a.finance, a.vendor),
        program=a.program,
        plan=saved,
        name="Renamed",
        period="quarter",
        active=True,
        rules=[RuleInput(rate_pct=D("8"))],
    )
    saved.refresh_from_db()
    assert (saved.name, saved.period) == ("Renamed", "quarter")
    assert [r.rate_pct for r in CommissionRule.objects.for_vendor(a.vendor).filter(plan=saved)] == [D("8")]


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        (RuleInput(rate_pct=D("10"), product="nope"), "rules[0].product"),
        (RuleInput(kind="flat", flat_amount=D("0")), "rules[0].flat_amount"),
        (RuleInput(rate_pct=D("0")), "rules[0].rate_pct"),
        (RuleInput(rate_pct=D("101")), "rules[0].rate_pct"),
        (RuleInput(rate_pct=D("5"), currency="XYZ"), "rules[0].currency"),
        (RuleInput(rate_pct=D("5"), accelerator_threshold=D("100")), "rules[0].accelerator_rate_pct"),
        (
            RuleInput(kind="flat", flat_amount=D("5"), accelerator_threshold=D("1"), accelerator_rate_pct=D("2")),
            "rules[0].accelerator_rate_pct",
        ),
        (RuleInput(rate_pct=D("5"), partner_type="pirate"), "rules[0].partner_type"),
    ],
)
def test_bad_rules_are_refused_with_the_row_and_field(world: World, rule: RuleInput, key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        plan(world.a, [rule])
    assert key in exc.value.message_dict
    assert CommissionPlan.objects.for_vendor(world.a.vendor).count() == 0


def test_a_tier_of_another_program_is_refused(world: World) -> None:
    a = world.a
    other = ProgramFactory(vendor=a.vendor)
    foreign = Tier.objects.create(vendor=a.vendor, program=other, rank=1, name="Gold")
    with pytest.raises(ValidationError) as exc:
        plan(a, [RuleInput(rate_pct=D("5"), tier=foreign)])
    assert "rules[0].tier" in exc.value.message_dict


def test_only_commission_managers_write_plans(world: World) -> None:
    a = world.a
    partner_ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    with pytest.raises(PermissionDenied):
        services.plan_save(workspace=partner_ws, program=a.program, name="x", period="month", active=True, rules=[])
    # The channel manager and finance may (both hold manage_commissions).
    for user in (a.channel_manager, a.finance):
        ws = workspace_for(user, a.vendor)
        services.plan_save(workspace=ws, program=a.program, name=user.email, period="month", active=False, rules=[])
    assert CommissionPlan.objects.for_vendor(a.vendor).count() == 2


def test_factories_build_a_plan_that_pays(world: World) -> None:
    a = world.a
    rule = CommissionRuleFactory(plan=CommissionPlanFactory(program=a.program), rate_pct=5)
    account = PayoutAccountFactory(partnership=a.partners[0].partnership)
    assert services.active_plan(a.program.pk, a.vendor.pk) == rule.plan
    assert account.vendor == a.vendor and account.account_holder == a.partners[0].org.name
