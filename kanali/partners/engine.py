"""The tiers engine: measure a partnership through the metric registry and decide its tier.

Everything here is a pure function of the program's tier ladder, the measured
metric values and the clock (``now`` is always passed in), so the simulator can
run the same rules on draft requirements without writing anything. The writes
live in :mod:`kanali.partners.services_tiers`.

Rules
-----
* A tier is met when every one of its requirements is met; a tier without
  requirements is met by everyone. The highest met tier wins.
* A requirement on a metric that nothing computes yet ("unknown", "not
  measured yet") is **not** met, so it never promotes anyone.
* Demotion needs evidence: when every requirement a partner misses on its
  current tier is unmeasured, it keeps the tier (an app that has not shipped
  its metric yet must not demote the whole channel).
* Promotion takes effect at once; a demotion is scheduled ``grace_days``
  ahead and applied when due if the partner still misses its tier; a partner
  that recovers before then has the demotion cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kanali.core.models import Partnership, Program
from kanali.designer import metrics as metric_registry
from kanali.designer import selectors as designer_selectors
from kanali.designer.models import Design, Tier

logger = logging.getLogger(__name__)

Values = dict[str, Decimal | None]
Measure = Callable[[Partnership, Iterable[str], date, date], Values]


class Kind:
    """TierChange kinds (mirrors ``TierChange.Kind`` without importing the model into pure code)."""

    INITIAL = "initial"
    PROMOTION = "promotion"
    DEMOTION = "demotion"
    DEMOTION_SCHEDULED = "demotion_scheduled"
    DEMOTION_CANCELLED = "demotion_cancelled"


# --- The ladder -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rung:
    """A tier and the requirements it is evaluated against (stored or draft)."""

    tier: Tier
    requirements: tuple[tuple[str, Decimal], ...]


def uses_tiers(program: Program) -> bool:
    """Programs designed without tiers (``framework == "no_tiers"``) show and evaluate nothing."""
    return designer_selectors.get_design(program).framework == Design.Framework.TIERS


def ladder(program: Program) -> list[Rung]:
    """The program's tiers from entry upwards with their stored requirements: two queries, whatever the size."""
    return [
        Rung(tier, tuple((r.metric, r.threshold) for r in tier.requirements.all()))
        for tier in designer_selectors.tiers(program)
    ]


def draft_ladder(rungs: list[Rung], rows: Iterable[tuple[int, str, Decimal]]) -> list[Rung]:
    """The same tiers with their requirements replaced by draft ``(tier id, metric, threshold)`` rows."""
    draft: dict[int, dict[str, Decimal]] = {rung.tier.pk: {} for rung in rungs}
    for tier_id, metric, threshold in rows:
        if tier_id in draft:
            draft[tier_id][metric] = threshold
    return [Rung(rung.tier, tuple(draft[rung.tier.pk].items())) for rung in rungs]


def metric_keys(rungs: Iterable[Rung]) -> list[str]:
    seen: dict[str, None] = {}
    for rung in rungs:
        for metric, _threshold in rung.requirements:
            seen.setdefault(metric, None)
    return list(seen)


# --- Measuring ------------------------------------------------------------------------


def period(now: datetime) -> tuple[date, date]:
    """The last twelve months up to ``now``'s day, inclusive: the window every metric is computed over."""
    end = timezone.localdate(now)
    return end - timedelta(days=365), end


def measure(partnership: Partnership, keys: Iterable[str], start: date, end: date) -> Values:
    """Each metric's value, or ``None`` when nothing computes it yet, it has no data for this partnership
    (the function returned ``None``), or its function failed (which is logged)."""
    values: Values = {}
    for key in keys:
        metric = metric_registry.get(key)
        if metric is None or metric.compute is None:
            values[key] = None
            continue
        try:
            value = metric.compute(partnership, start, end)
            values[key] = None if value is None else Decimal(value)
        except Exception:
            logger.exception("Metric %s failed for partnership %s", key, partnership.pk)
            values[key] = None
    return values


# --- Assessing ------------------------------------------------------------------------


def metric_label(key: str) -> str:
    metric = metric_registry.get(key)
    return str(metric.label) if metric else key


def metric_unit(key: str) -> str:
    metric = metric_registry.get(key)
    return metric.unit if metric else "count"


@dataclass(frozen=True)
class Check:
    """One requirement against one measured value."""

    metric: str
    threshold: Decimal
    value: Decimal | None

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= self.threshold

    @property
    def label(self) -> str:
        return metric_label(self.metric)

    @property
    def unit(self) -> str:
        return metric_unit(self.metric)

    @property
    def percent(self) -> int:
        """Progress toward the threshold, 0–100 (an unmeasured metric is 0)."""
        if self.value is None:
            return 0
        if self.threshold <= 0:
            return 100
        share = (self.value / self.threshold * 100).quantize(Decimal(1), ROUND_HALF_UP)
        return int(max(Decimal(0), min(Decimal(100), share)))


@dataclass(frozen=True)
class Standing:
    """How a partnership stands against one tier."""

    rung: Rung
    checks: tuple[Check, ...]

    @property
    def tier(self) -> Tier:
        return self.rung.tier

    @property
    def met(self) -> bool:
        return all(check.met for check in self.checks)

    @property
    def missed(self) -> list[Check]:
        return [check for check in self.checks if not check.met]

    @property
    def missed_only_unmeasured(self) -> bool:
        missed = self.missed
        return bool(missed) and all(not check.known for check in missed)


def assess(rungs: list[Rung], values: Mapping[str, Decimal | None]) -> list[Standing]:
    return [
        Standing(rung, tuple(Check(metric, threshold, values.get(metric)) for metric, threshold in rung.requirements))
        for rung in rungs
    ]


def qualified(standings: list[Standing]) -> Tier | None:
    """The highest tier whose every requirement is met."""
    best = None
    for standing in standings:
        if standing.met:
            best = standing.tier
    return best


def position(standings: list[Standing], tier_id: int | None) -> int:
    """A tier's place on the ladder (0 = entry); -1 for no tier or a tier no longer on it."""
    for index, standing in enumerate(standings):
        if standing.tier.pk == tier_id:
            return index
    return -1


def target(standings: list[Standing], current_id: int | None) -> Tier | None:
    """The tier the rules point at: the highest met one, but never below the current tier on unmeasured data alone."""
    best = qualified(standings)
    current_pos = position(standings, current_id)
    below = current_pos > position(standings, best.pk if best else None)
    if below and standings[current_pos].missed_only_unmeasured:
        return standings[current_pos].tier
    return best


def explain(standing: Standing | None) -> str:
    """Why a partner misses a tier, in words: "Certified people: 1 of 2; Deals won: not measured yet"."""
    if standing is None:
        return ""
    parts = []
    for check in standing.missed:
        if check.known:
            parts.append(
                _("%(metric)s: %(value)s of %(threshold)s")
                % {"metric": check.label, "value": _number(check.value), "threshold": _number(check.threshold)}
            )
        else:
            parts.append(_("%(metric)s: not measured yet") % {"metric": check.label})
    return "; ".join(parts)


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def snapshot(values: Mapping[str, Decimal | None]) -> dict[str, str | None]:
    """JSON-safe metric values for the history and the assignment."""
    return {key: (None if value is None else str(value)) for key, value in values.items()}


# --- Deciding -------------------------------------------------------------------------


@dataclass(frozen=True)
class Current:
    """What is stored about a partnership now (``assigned`` is False when it has no assignment row yet)."""

    tier_id: int | None = None
    pending_tier_id: int | None = None
    demotion_due_at: datetime | None = None
    assigned: bool = False


@dataclass(frozen=True)
class Outcome:
    """What to store after one evaluation; ``kind`` is the history line to write, or ``None``."""

    tier: Tier | None
    pending_tier: Tier | None
    demotion_due_at: datetime | None
    kind: str | None = None
    from_tier: Tier | None = None
    to_tier: Tier | None = None
    reason: str = ""
    effective_at: datetime | None = None
    changed_tier: bool = False


def decide(standings: list[Standing], current: Current, *, now: datetime, grace_days: int) -> Outcome:
    """Apply the promotion / delayed demotion rules to one partnership."""
    tiers = {s.tier.pk: s.tier for s in standings}
    cur = tiers.get(current.tier_id) if current.tier_id is not None else None
    cur_pos = position(standings, cur.pk if cur else None)
    goal = target(standings, cur.pk if cur else None)
    goal_pos = position(standings, goal.pk if goal else None)
    pending = tiers.get(current.pending_tier_id) if current.pending_tier_id is not None else None
    due = current.demotion_due_at
    keep = Outcome(tier=cur, pending_tier=pending, demotion_due_at=due)
    missed_current = explain(standings[cur_pos]) if cur_pos >= 0 else ""

    if cur is None and not current.assigned:
        if goal is None:
            return Outcome(tier=None, pending_tier=None, demotion_due_at=None)
        return Outcome(
            tier=goal,
            pending_tier=None,
            demotion_due_at=None,
            kind=Kind.INITIAL,
            to_tier=goal,
            reason=_("Meets every requirement of %(tier)s.") % {"tier": goal.name},
            changed_tier=True,
        )
    if goal is not None and goal_pos > cur_pos:
        return Outcome(
            tier=goal,
            pending_tier=None,
            demotion_due_at=None,
            kind=Kind.PROMOTION,
            from_tier=cur,
            to_tier=goal,
            reason=_("Meets every requirement of %(tier)s.") % {"tier": goal.name},
            changed_tier=True,
        )
    if goal_pos == cur_pos:
        if due is None:
            return keep
        held = cur_pos >= 0 and standings[cur_pos].missed_only_unmeasured
        return Outcome(
            tier=cur,
            pending_tier=None,
            demotion_due_at=None,
            kind=Kind.DEMOTION_CANCELLED,
            from_tier=cur,
            to_tier=cur,
            reason=(
                _("Keeps %(tier)s: the requirements it misses are not measured yet.")
                if held
                else _("Meets the requirements of %(tier)s again.")
            )
            % {"tier": cur.name if cur else "—"},
        )
    # Below the current tier.
    if due is None and grace_days > 0:
        return Outcome(
            tier=cur,
            pending_tier=goal,
            demotion_due_at=now + timedelta(days=grace_days),
            kind=Kind.DEMOTION_SCHEDULED,
            from_tier=cur,
            to_tier=goal,
            reason=missed_current,
            effective_at=now + timedelta(days=grace_days),
        )
    if due is None or now >= due:
        return Outcome(
            tier=goal,
            pending_tier=None,
            demotion_due_at=None,
            kind=Kind.DEMOTION,
            from_tier=cur,
            to_tier=goal,
            reason=missed_current,
            changed_tier=True,
        )
    # Still within the grace period: keep the date, follow the tier it would land on.
    return Outcome(tier=cur, pending_tier=goal, demotion_due_at=due)


# --- Simulating and progress ------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One partnership under draft requirements: where it is, where it would be."""

    partnership: Partnership
    current: Tier | None
    simulated: Tier | None
    direction: str  # "up", "down" or "same"
    values: Values
    reason: str


def simulate(
    partnerships: Iterable[Partnership],
    assigned: Mapping[int, int | None],
    rungs: list[Rung],
    *,
    now: datetime,
    measure_fn: Measure = measure,
) -> list[Move]:
    """Which tier each partnership would reach under ``rungs``, compared with its assigned tier. Writes nothing."""
    start, end = period(now)
    keys = metric_keys(rungs)
    moves = []
    for partnership in partnerships:
        values = measure_fn(partnership, keys, start, end)
        standings = assess(rungs, values)
        current_id = assigned.get(partnership.pk)
        goal = target(standings, current_id)
        cur_pos, goal_pos = position(standings, current_id), position(standings, goal.pk if goal else None)
        direction = "up" if goal_pos > cur_pos else "down" if goal_pos < cur_pos else "same"
        current = standings[cur_pos].tier if cur_pos >= 0 else None
        reason = explain(standings[cur_pos]) if direction == "down" and cur_pos >= 0 else ""
        moves.append(Move(partnership, current, goal, direction, values, reason))
    return moves


@dataclass(frozen=True)
class Progress:
    """A partnership's tier, the next one up, and how far it is on each of that tier's requirements."""

    current: Tier | None
    next: Standing | None
    current_standing: Standing | None


def progress(rungs: list[Rung], values: Mapping[str, Decimal | None], current_id: int | None) -> Progress:
    standings = assess(rungs, values)
    cur_pos = position(standings, current_id)
    nxt = standings[cur_pos + 1] if cur_pos + 1 < len(standings) else None
    return Progress(
        current=standings[cur_pos].tier if cur_pos >= 0 else None,
        next=nxt,
        current_standing=standings[cur_pos] if cur_pos >= 0 else None,
    )
