"""The commission arithmetic: rule matching and tie-breaks, rates, accelerators, tier bonus, rounding, periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kanali.incentives import calc
from kanali.incentives.calc import DealFacts, Rule

D = Decimal


def facts(**kw: object) -> DealFacts:
    base: dict[str, object] = {"amount": D("1000"), "currency": "EUR"}
    base.update(kw)
    return DealFacts(**base)  # type: ignore[arg-type]


def test_a_catch_all_rule_pays_a_percentage() -> None:
    result = calc.commission_for([Rule(id=1, rate_pct=D("10"))], facts())
    assert result is not None
    assert result.amount == D("100.00")
    assert result.rate_pct == D("10")
    assert result.effective_rate_pct == D("10.00")


def test_no_matching_rule_pays_nothing() -> None:
    assert calc.commission_for([Rule(id=1, rate_pct=D("10"), partner_type="msp")], facts(partner_type="var")) is None
    assert calc.commission_for([], facts()) is None


def test_most_specific_rule_wins_whatever_the_order() -> None:
    rules = [
        Rule(id=1, rate_pct=D("5")),
        Rule(id=2, rate_pct=D("7"), partner_type="var"),
        Rule(id=3, rate_pct=D("9"), tier_id=30, partner_type="var"),
        Rule(id=4, rate_pct=D("8"), tier_id=30),
    ]
    assert calc.match_rule(rules, facts(partner_type="var", tier_id=30)).id == 3  # type: ignore[union-attr]
    assert calc.match_rule(rules, facts(partner_type="var", tier_id=31)).id == 2  # type: ignore[union-attr]
    assert calc.match_rule(rules, facts(partner_type="msp", tier_id=30)).id == 4  # type: ignore[union-attr]
    assert calc.match_rule(rules, facts(partner_type="msp")).id == 1  # type: ignore[union-attr]


def test_tie_break_product_beats_tier_beats_partner_type() -> None:
    rules = [
        Rule(id=1, rate_pct=D("1"), partner_type="var"),
        Rule(id=2, rate_pct=D("2"), tier_id=5),
        Rule(id=3, rate_pct=D("3"), product="cloud"),
    ]
    full = facts(partner_type="var", tier_id=5, products=["cloud"])
    assert calc.match_rule(rules, full).id == 3  # type: ignore[union-attr]
    assert calc.match_rule(rules[:2], full).id == 2  # type: ignore[union-attr]
    two = [
        Rule(id=7, rate_pct=D("1"), partner_type="var", tier_id=5),
        Rule(id=8, rate_pct=D("2"), product="cloud", partner_type="var"),
    ]
    assert calc.match_rule(two, full).id == 8  # type: ignore[union-attr]


def test_equal_rules_fall_back_to_plan_order() -> None:
    rules = [
        Rule(id=9, rate_pct=D("4"), product="b", position=1),
        Rule(id=3, rate_pct=D("6"), product="a", position=2),
    ]
    assert calc.match_rule(rules, facts(products=["a", "b"])).id == 9  # type: ignore[union-attr]
    same_position = [Rule(id=9, product="b"), Rule(id=3, product="a")]
    assert calc.match_rule(same_position, facts(products=["a", "b"])).id == 3  # type: ignore[union-attr]


def test_flat_rule_only_pays_deals_in_its_currency() -> None:
    rules = [Rule(id=1, rate_pct=D("2")), Rule(id=2, kind=calc.FLAT, flat_amount=D("250"), currency="EUR", product="x")]
    eur = calc.commission_for(rules, facts(products=["x"]))
    usd = calc.commission_for(rules, facts(products=["x"], currency="USD"))
    assert eur is not None and eur.amount == D("250.00") and eur.flat_amount == D("250") and eur.rate_pct is None
    assert usd is not None and usd.rule.id == 1 and usd.amount == D("20.00") and usd.currency == "USD"


def test_accelerator_pays_the_part_above_the_threshold() -> None:
    rule = Rule(id=1, rate_pct=D("10"), accelerator_threshold=D("5000"), accelerator_rate_pct=D("15"))
    # 4,500 already won this period: 500 at 10 %, 500 at 15 %.
    result = calc.compute(rule, facts(period_revenue_before=D("4500")))
    assert result.accelerated_base == D("500")
    assert result.amount == D("125.00")
    # Below the threshold: all at the base rate; already above: all accelerated.
    assert calc.compute(rule, facts(period_revenue_before=D("0"))).amount == D("100.00")
    above = calc.compute(rule, facts(period_revenue_before=D("9000")))
    assert above.amount == D("150.00") and above.accelerator_rate_pct == D("15")


def test_accelerator_threshold_is_ignored_for_another_currency() -> None:
    rule = Rule(id=1, rate_pct=D("10"), currency="EUR", accelerator_threshold=D("0"), accelerator_rate_pct=D("20"))
    assert calc.compute(rule, facts(currency="USD")).amount == D("100.00")
    assert calc.compute(rule, facts(currency="EUR")).amount == D("200.00")


def test_tier_bonus_adds_percentage_points_even_to_flat_rules() -> None:
    assert calc.compute(Rule(id=1, rate_pct=D("10")), facts(tier_bonus_pct=D("2.5"))).amount == D("125.00")
    flat = Rule(id=2, kind=calc.FLAT, flat_amount=D("100"))
    assert calc.compute(flat, facts(tier_bonus_pct=D("1"))).amount == D("110.00")


@pytest.mark.parametrize(
    ("amount", "currency", "rate", "expected"),
    [
        ("0.05", "EUR", "10", "0.01"),  # 0.005 rounds half-up
        ("0.04", "EUR", "10", "0.00"),
        ("333.33", "EUR", "7.5", "25.00"),  # 24.99975
        ("1005", "JPY", "5", "50"),  # 50.25, JPY has no minor unit
        ("1010", "JPY", "5", "51"),  # 50.5 half-up
        ("1000.005", "KWD", "10", "100.001"),  # three decimals (100.0005 half-up)
        ("999999999999", "EUR", "100", "999999999999.00"),
    ],
)
def test_rounding_to_the_currency_minor_unit_half_up(amount: str, currency: str, rate: str, expected: str) -> None:
    result = calc.compute(Rule(id=1, rate_pct=D(rate)), facts(amount=D(amount), currency=currency))
    assert result.amount == D(expected)
    assert str(result.amount) == expected


def test_rounding_happens_once_not_per_part() -> None:
    # 0.333… at 10 % and 0.333… at 15 % would round to 0.03 + 0.05; exactly it is 0.0833 → 0.08.
    rule = Rule(id=1, rate_pct=D("10"), accelerator_threshold=D("0.333"), accelerator_rate_pct=D("15"))
    assert calc.compute(rule, facts(amount=D("0.666"))).amount == D("0.08")


def test_part_above() -> None:
    assert calc.part_above(D("100"), D("50"), D("0")) == D("50")
    assert calc.part_above(D("100"), D("50"), D("80")) == D("100")
    assert calc.part_above(D("100"), D("500"), D("80")) == D("0")
    assert calc.part_above(D("-10"), D("0"), D("0")) == D("0")


@pytest.mark.parametrize(
    ("day", "kind", "start", "end", "label"),
    [
        (date(2026, 11, 26), calc.MONTH, date(2026, 11, 1), date(2026, 12, 1), "2026-11"),
        (date(2026, 12, 31), calc.MONTH, date(2026, 12, 1), date(2027, 1, 1), "2026-12"),
        (date(2026, 11, 26), calc.QUARTER, date(2026, 10, 1), date(2027, 1, 1), "2026-Q4"),
        (date(2026, 1, 1), calc.QUARTER, date(2026, 1, 1), date(2026, 4, 1), "2026-Q1"),
        (date(2026, 6, 30), calc.QUARTER, date(2026, 4, 1), date(2026, 7, 1), "2026-Q2"),
    ],
)
def test_periods(day: date, kind: str, start: date, end: date, label: str) -> None:
    assert calc.period_bounds(day, kind) == (start, end)
    assert calc.period_label(start, kind) == label


def test_next_period() -> None:
    assert calc.next_period(date(2026, 12, 1), calc.MONTH) == (date(2027, 1, 1), date(2027, 2, 1))
    assert calc.next_period(date(2026, 10, 1), calc.QUARTER) == (date(2027, 1, 1), date(2027, 4, 1))
