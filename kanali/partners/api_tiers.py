"""Tier routes: a partnership's tier and history (vendor staff and the owning partner), the simulator and a
manual evaluation (vendor staff).

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from kanali.core import selectors as core_selectors
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer import metrics
from kanali.designer.models import Tier
from kanali.partners import engine, selectors_tiers, services_tiers

router = Router(tags=["partners"])


def workspace_of(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def staff_workspace(request: HttpRequest) -> Workspace:
    """The simulator and evaluations are the vendor's tools: they do not exist for partners."""
    workspace = workspace_of(request)
    if not workspace.is_vendor:
        raise Http404
    return workspace


# --- Schemas ---------------------------------------------------------------------


class TierRefOut(Schema):
    id: int
    name: str
    rank: int


class BenefitsOut(Schema):
    description: str
    discount_pct: Decimal
    commission_bonus_pct: Decimal
    fund_accrual_pct: Decimal
    lead_priority_weight: Decimal
    other_benefits: str


class RequirementProgressOut(Schema):
    metric: str
    label: str
    unit: str
    threshold: Decimal
    value: Decimal | None = Field(None, description="Null when the metric is not measured yet (never met).")
    measured: bool
    met: bool
    percent: int


class TierOut(Schema):
    partnership_id: int
    program_id: int
    uses_tiers: bool
    tier: TierRefOut | None = None
    since: datetime | None = None
    benefits: BenefitsOut | None = None
    pending_tier: TierRefOut | None = Field(None, description="The tier a scheduled demotion moves to.")
    demotion_due_at: datetime | None = None
    evaluated_at: datetime | None = None
    next_tier: TierRefOut | None = None
    progress: list[RequirementProgressOut] = Field(default_factory=list, description="Toward the next tier.")


class TierChangeOut(Schema):
    id: int
    kind: str
    from_tier: str | None
    to_tier: str | None
    reason: str
    effective_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_from_tier(obj: Any) -> str | None:
        return obj.from_tier_name or None

    @staticmethod
    def resolve_to_tier(obj: Any) -> str | None:
        return obj.to_tier_name or None


class RequirementIn(Schema):
    tier: str = Field(..., description="Tier name, as in the design's tier_requirements.")
    metric: str
    threshold: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)


class SimulateIn(Schema):
    requirements: list[RequirementIn] = Field(
        ..., description="The draft requirements of every tier; they replace the stored ones in the simulation."
    )


class MoveOut(Schema):
    partnership_id: int
    partner: str
    current_tier: str | None
    simulated_tier: str | None
    direction: str = Field(..., description="up, down or same")
    reason: str
    metrics: dict[str, Decimal | None]


class SimulateOut(Schema):
    up: int
    down: int
    moves: list[MoveOut]


class EvaluateOut(Schema):
    evaluated: int
    initial: int
    promotion: int
    demotion: int
    demotion_scheduled: int
    demotion_cancelled: int


def _ref(tier: Tier | None) -> dict[str, Any] | None:
    return {"id": tier.pk, "name": tier.name, "rank": tier.rank} if tier else None


# --- Routes ----------------------------------------------------------------------


@router.get("/partnerships/{partnership_id}/tier", response=TierOut)
def get_partnership_tier(request: HttpRequest, partnership_id: int) -> dict[str, Any]:
    """The partnership's tier, its benefits, a scheduled demotion, and progress toward the next tier."""
    workspace = workspace_of(request)
    partnership = core_selectors.get_partnership(workspace, partnership_id)
    out: dict[str, Any] = {
        "partnership_id": partnership.pk,
        "program_id": partnership.program_id,
        "uses_tiers": False,
    }
    status = selectors_tiers.tier_status(workspace, partnership)
    if status is None:
        return out
    a = status.assignment
    tier = status.tier
    out.update(
        uses_tiers=True,
        tier=_ref(tier),
        since=a.since if a else None,
        benefits=BenefitsOut.model_validate(tier, from_attributes=True) if tier else None,
        pending_tier=_ref(status.pending_tier),
        demotion_due_at=status.demotion_due_at,
        evaluated_at=a.evaluated_at if a else None,
        next_tier=_ref(status.next_tier),
        progress=[
            {
                "metric": c.metric,
                "label": c.label,
                "unit": c.unit,
                "threshold": c.threshold,
                "value": c.value,
                "measured": c.known,
                "met": c.met,
                "percent": c.percent,
            }
            for c in status.checks
        ],
    )
    return out


@router.get("/partnerships/{partnership_id}/tier-history", response=list[TierChangeOut])
@paginate(LimitOffsetPagination)
def list_partnership_tier_history(request: HttpRequest, partnership_id: int):  # type: ignore[no-untyped-def]
    """Promotions, demotions and scheduled or cancelled demotions, newest first."""
    workspace = workspace_of(request)
    partnership = core_selectors.get_partnership(workspace, partnership_id)
    return selectors_tiers.list_tier_changes(workspace, partnership)


@router.post("/programs/{program_id}/tiers/simulate", response=SimulateOut)
def simulate_tiers(request: HttpRequest, program_id: int, payload: SimulateIn) -> dict[str, Any]:
    """Which partners would move up or down under draft requirements. Nothing is written.

    422 names an unknown tier or metric; 409 when the program runs without tiers.
    """
    workspace = staff_workspace(request)
    require(workspace, Perm.VIEW_PARTNERS)
    program = core_selectors.get_program(workspace, program_id)
    if not engine.uses_tiers(program):
        raise HttpError(409, _("This program runs without tiers."))
    rungs = engine.ladder(program)
    by_name = {r.tier.name: r.tier.pk for r in rungs}
    errors: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(payload.requirements):
        if row.tier not in by_name:
            message = _("No tier of this program is called “%(tier)s”.") % {"tier": row.tier}
            errors[f"requirements[{n}].tier"] = [message]
        if metrics.get(row.metric) is None:
            errors[f"requirements[{n}].metric"] = [_("Unknown metric “%(metric)s”.") % {"metric": row.metric}]
        if (row.tier, row.metric) in seen:
            errors[f"requirements[{n}]"] = [_("This tier already has a requirement on this metric.")]
        seen.add((row.tier, row.metric))
    if errors:
        raise ValidationError(errors)
    draft = engine.draft_ladder(rungs, [(by_name[r.tier], r.metric, r.threshold) for r in payload.requirements])
    partnerships = list(selectors_tiers.list_program_partnerships(workspace, program))
    assigned = {pid: a.tier_id for pid, a in selectors_tiers.assignments_by_partnership(workspace, program).items()}
    moves = engine.simulate(partnerships, assigned, draft, now=timezone.now())
    return {
        "up": sum(m.direction == "up" for m in moves),
        "down": sum(m.direction == "down" for m in moves),
        "moves": [
            {
                "partnership_id": m.partnership.pk,
                "partner": m.partnership.partner.name,
                "current_tier": m.current.name if m.current else None,
                "simulated_tier": m.simulated.name if m.simulated else None,
                "direction": m.direction,
                "reason": m.reason,
                "metrics": m.values,
            }
            for m in moves
        ],
    }


@router.post("/programs/{program_id}/tiers/evaluate", response=EvaluateOut)
def evaluate_tiers(request: HttpRequest, program_id: int) -> dict[str, int]:
    """Evaluate every live partnership of the program now (needs ``manage_partners``); counts the changes by kind."""
    workspace = staff_workspace(request)
    program = core_selectors.get_program(workspace, program_id)
    require(workspace, Perm.MANAGE_PARTNERS)
    if not engine.uses_tiers(program):
        raise HttpError(409, _("This program runs without tiers."))
    return services_tiers.evaluate_program(workspace=workspace, program=program).as_dict()
