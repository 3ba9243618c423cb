"""Reads of the tiers engine; every one takes the acting workspace or a program already scoped by one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from kanali.core import selectors as core_selectors
from kanali.core.models import Partnership, Program
from kanali.core.workspace import Workspace
from kanali.designer.models import Tier
from kanali.partners import engine
from kanali.partners.models_tiers import TierAssignment, TierChange, TierRun, TierSettings


def get_tier_settings(program: Program) -> TierSettings:
    """The program's tier settings; an unsaved default (90 days' grace) when none were saved."""
    found = TierSettings.objects.for_vendor(program.vendor_id).filter(program=program).first()
    return found or TierSettings(vendor_id=program.vendor_id, program=program)


def list_assignments(workspace: Workspace, program: Program) -> QuerySet[TierAssignment]:
    qs = (
        TierAssignment.objects.for_vendor(workspace.vendor)
        .filter(partnership__program=program)
        .select_related("tier", "pending_tier")
    )
    if workspace.is_partner:
        qs = qs.filter(partnership__partner=workspace.organization)
    return qs


def assignments_by_partnership(workspace: Workspace, program: Program) -> dict[int, TierAssignment]:
    return {a.partnership_id: a for a in list_assignments(workspace, program)}


def get_assignment(workspace: Workspace, partnership: Partnership) -> TierAssignment | None:
    """``partnership`` comes from :func:`kanali.core.selectors.get_partnership`, so it is the workspace's."""
    return (
        TierAssignment.objects.for_vendor(workspace.vendor)
        .filter(partnership=partnership)
        .select_related("tier", "pending_tier")
        .first()
    )


def list_tier_changes(workspace: Workspace, partnership: Partnership) -> QuerySet[TierChange]:
    changes = TierChange.objects.for_vendor(workspace.vendor).filter(partnership=partnership)
    return changes.order_by("-created_at", "-pk")


def list_program_partnerships(workspace: Workspace, program: Program) -> QuerySet[Partnership]:
    """The partnerships the engine evaluates: live ones (approved, onboarding, active)."""
    return core_selectors.list_partnerships(workspace, program_id=program.pk).filter(
        status__in=Partnership.PORTAL_STATUSES
    )


def last_run(program: Program) -> TierRun | None:
    return TierRun.objects.for_vendor(program.vendor_id).filter(program=program).order_by("-day", "-pk").first()


@dataclass(frozen=True)
class TierStatus:
    """Everything the partner sees about one partnership's tier (portal widget, portal page, API)."""

    partnership: Partnership
    assignment: TierAssignment | None
    tier: Tier | None
    progress: engine.Progress
    tiers: list[Tier]

    @property
    def next_tier(self) -> Tier | None:
        return self.progress.next.tier if self.progress.next else None

    @property
    def checks(self) -> tuple[engine.Check, ...]:
        return self.progress.next.checks if self.progress.next else ()

    @property
    def pending_tier(self) -> Tier | None:
        return self.assignment.pending_tier if self.assignment else None

    @property
    def demotion_due_at(self) -> datetime | None:
        return self.assignment.demotion_due_at if self.assignment else None


def tier_status(workspace: Workspace, partnership: Partnership, *, now: datetime | None = None) -> TierStatus | None:
    """The partnership's tier and live progress toward the next one; ``None`` for a program without tiers."""
    program = partnership.program
    if not engine.uses_tiers(program):
        return None
    rungs = engine.ladder(program)
    assignment = get_assignment(workspace, partnership)
    current_id = assignment.tier_id if assignment else None
    start, end = engine.period(now or timezone.now())
    values = engine.measure(partnership, engine.metric_keys(rungs), start, end)
    progress = engine.progress(rungs, values, current_id)
    return TierStatus(
        partnership=partnership,
        assignment=assignment,
        tier=progress.current,
        progress=progress,
        tiers=[r.tier for r in rungs],
    )


def partner_tier_statuses(workspace: Workspace, *, now: datetime | None = None) -> list[TierStatus]:
    """A partner's live partnerships with this vendor that run on tiers."""
    found = []
    for partnership in core_selectors.list_partnerships(workspace).filter(status__in=Partnership.PORTAL_STATUSES):
        status = tier_status(workspace, partnership, now=now)
        if status is not None:
            found.append(status)
    return found
