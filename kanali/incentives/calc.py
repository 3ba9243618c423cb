"""Commission arithmetic: which rule of a plan pays a won deal, how much, and which period it falls in.

Pure functions of plain values (no database, no clock), so the rules are
tested exhaustively and the services only gather the facts and store the result.

Rules
-----
* **Matching.** A rule names any of: a tier, a partner type, a product code;
  an empty criterion matches everything. A product rule matches when the deal
  lists that product. The most specific matching rule wins: the one naming
  more criteria; between rules naming the same number, product beats tier
  beats partner type (a product rule is the most deliberate price); still
  tied (a deal with two products that each have a rule), the rule earlier in
  the plan's order (``position``, then id) wins.
* **Currency.** A flat amount and an accelerator threshold are in the rule's
  currency. Kanali keeps no exchange rates, so a flat rule only matches deals
  in its currency (a less specific rule then pays), and a threshold is only
  applied to deals in its currency (the base rate pays the whole amount).
* **Rate.** A percentage of the deal amount, or a flat amount per deal.
* **Accelerator** (percentage rules only). Revenue won by the partnership in
  the same statement period (month or quarter) and currency, *before* this
  deal, is counted against the threshold; the part of this deal above the
  threshold is paid at the accelerator rate, the part below at the base rate
  (marginal, like tax brackets: no cliff where one more euro of revenue
  changes the rate of everything already earned).
* **Tier bonus.** The partner's current tier's ``commission_bonus_pct`` adds
  that many percentage points of the deal amount on top (to a flat rule too),
  only when some rule pays the deal.
* **Rounding.** Everything is computed exactly in Decimal and rounded once, to
  the currency's minor unit, half-up (:func:`kanali.core.money.quantize`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kanali.core.money import quantize

PERCENT = "percent"
FLAT = "flat"
MONTH = "month"
QUARTER = "quarter"

HUNDRED = Decimal(100)
ZERO = Decimal(0)

#: How much each criterion weighs when two rules name the same number of criteria.
_WEIGHT = {"product": 4, "tier": 2, "partner_type": 1}


@dataclass(frozen=True)
class Rule:
    """One line of a commission plan, as plain values."""

    id: int
    kind: str = PERCENT
    rate_pct: Decimal = ZERO
    flat_amount: Decimal = ZERO
    currency: str = "EUR"
    tier_id: int | None = None
    partner_type: str = ""
    product: str = ""
    accelerator_threshold: Decimal | None = None
    accelerator_rate_pct: Decimal | None = None
    position: int = 0

    @property
    def criteria(self) -> tuple[str, ...]:
        named = (("product", self.product), ("tier", self.tier_id), ("partner_type", self.partner_type))
        return tuple(name for name, value in named if value not in (None, ""))

    @property
    def has_accelerator(self) -> bool:
        return self.kind == PERCENT and self.accelerator_threshold is not None and self.accelerator_rate_pct is not None


@dataclass(frozen=True)
class DealFacts:
    """What the calculation needs to know about a won deal and its partner."""

    amount: Decimal
    currency: str
    products: Sequence[str] = ()
    partner_type: str = ""
    tier_id: int | None = None
    tier_bonus_pct: Decimal = ZERO
    #: Revenue the partnership won earlier in the same period and currency.
    period_revenue_before: Decimal = ZERO


@dataclass(frozen=True)
class Commission:
    """The result: the amount to pay and how it was reached (shown on statements)."""

    rule: Rule
    amount: Decimal
    base_amount: Decimal
    currency: str
    rate_pct: Decimal | None
    flat_amount: Decimal | None
    accelerated_base: Decimal = ZERO
    accelerator_rate_pct: Decimal | None = None
    bonus_pct: Decimal = ZERO
    explanation: list[str] = field(default_factory=list)

    @property
    def effective_rate_pct(self) -> Decimal | None:
        """The whole commission as a percentage of the deal amount (two decimals), for display."""
        if not self.base_amount:
            return None
        return (self.amount / self.base_amount * HUNDRED).quantize(Decimal("0.01"))


def matches(rule: Rule, facts: DealFacts) -> bool:
    if rule.tier_id is not None and rule.tier_id != facts.tier_id:
        return False
    if rule.partner_type and rule.partner_type != facts.partner_type:
        return False
    if rule.product and rule.product not in facts.products:
        return False
    return not (rule.kind == FLAT and rule.currency.upper() != facts.currency.upper())


def specificity(rule: Rule) -> tuple[int, int]:
    """Higher is more specific: (number of criteria, weight of the criteria named)."""
    names = rule.criteria
    return len(names), sum(_WEIGHT[n] for n in names)


def match_rule(rules: Iterable[Rule], facts: DealFacts) -> Rule | None:
    """The rule that pays the deal, or None (see the module docstring for the tie-break)."""
    candidates = [r for r in rules if matches(r, facts)]
    if not candidates:
        return None
    # Most specific first; among equals, the earliest in the plan.
    return min(candidates, key=lambda r: (tuple(-x for x in specificity(r)), r.position, r.id))


def compute(rule: Rule, facts: DealFacts) -> Commission:
    """The commission ``rule`` pays on the deal, rounded to the deal currency's minor unit."""
    amount = Decimal(facts.amount)
    currency = facts.currency.upper()
    bonus = Decimal(facts.tier_bonus_pct or 0)
    accelerated = ZERO
    if rule.kind == FLAT:
        exact = Decimal(rule.flat_amount)
        rate: Decimal | None = None
        flat: Decimal | None = Decimal(rule.flat_amount)
    else:
        rate, flat = Decimal(rule.rate_pct), None
        if rule.has_accelerator and rule.currency.upper() == currency:
            accelerated = part_above(amount, Decimal(rule.accelerator_threshold or 0), facts.period_revenue_before)
        exact = (amount - accelerated) * rate / HUNDRED
        if accelerated:
            exact += accelerated * Decimal(rule.accelerator_rate_pct or 0) / HUNDRED
    if bonus:
        exact += amount * bonus / HUNDRED
    return Commission(
        rule=rule,
        amount=quantize(exact, currency),
        base_amount=amount,
        currency=currency,
        rate_pct=rate,
        flat_amount=flat,
        accelerated_base=accelerated,
        accelerator_rate_pct=rule.accelerator_rate_pct if accelerated else None,
        bonus_pct=bonus,
    )


def commission_for(rules: Iterable[Rule], facts: DealFacts) -> Commission | None:
    rule = match_rule(rules, facts)
    return compute(rule, facts) if rule is not None else None


def part_above(amount: Decimal, threshold: Decimal, before: Decimal) -> Decimal:
    """How much of ``amount`` lies above ``threshold`` once ``before`` has already been won."""
    if amount <= 0:
        return ZERO
    room = max(threshold - max(before, ZERO), ZERO)
    return max(amount - room, ZERO)


# --- Periods ---------------------------------------------------------------------------


def period_bounds(day: date, kind: str) -> tuple[date, date]:
    """First day of the period containing ``day`` and first day of the next one (half-open)."""
    if kind == QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        start = date(day.year, first_month, 1)
        months = 3
    else:
        start = date(day.year, day.month, 1)
        months = 1
    return start, add_months(start, months)


def next_period(start: date, kind: str) -> tuple[date, date]:
    _, end = period_bounds(start, kind)
    return period_bounds(end, kind)


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month (``day`` is a first of month here)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_label(start: date, kind: str) -> str:
    """``2026-11`` or ``2026-Q4``: language-neutral, used in statement numbers and CSV files."""
    if kind == QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"
