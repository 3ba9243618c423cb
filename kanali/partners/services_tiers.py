"""Writes of the tiers engine: evaluations, direct assignments, the grace-period setting, and the metrics event.

Evaluations run as vendor staff (``workspace``, needing ``manage_partners``)
or as the system (``workspace=None``: the daily run and metric events, which
have no acting user; their audit rows carry the vendor and no actor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import AuditLog, Partnership, Program
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer.models import Tier
from kanali.partners import engine
from kanali.partners.models_tiers import TierAssignment, TierChange, TierSettings
from kanali.partners.selectors_tiers import get_tier_settings

#: History lines the partner is told about by e-mail.
NOTIFY_KINDS = (
    TierChange.Kind.PROMOTION,
    TierChange.Kind.DEMOTION,
    TierChange.Kind.DEMOTION_SCHEDULED,
    TierChange.Kind.DEMOTION_CANCELLED,
)


@dataclass
class EvaluationSummary:
    evaluated: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    changes: list[TierChange] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.changes)

    def as_dict(self) -> dict[str, int]:
        return {"evaluated": self.evaluated, **{kind: self.counts.get(kind, 0) for kind in TierChange.Kind.values}}


def _check_vendor(workspace: Workspace | None, program: Program, perm: Perm) -> None:
    if workspace is None:
        return
    require(workspace, perm)
    if not workspace.is_vendor or program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied


def _audit_rows(workspace: Workspace | None, vendor_id: int, rows: list[tuple[str, TierChange]]) -> None:
    """One audit entry per tier change, in one insert (``audit.record`` writes one row per call)."""
    entries = [
        AuditLog(
            vendor_id=vendor_id,
            organization=workspace.organization if workspace else None,
            actor=workspace.user if workspace else None,
            role=workspace.role if workspace else "",
            action=action,
            object_type=Partnership._meta.label_lower,
            object_id=str(change.partnership_id),
            object_repr=str(change.partnership)[:200],
            changes={"tier": [change.from_tier_name or None, change.to_tier_name or None], "kind": change.kind},
            ip_address=workspace.ip if workspace else None,
        )
        for action, change in rows
    ]
    AuditLog.objects.bulk_create(entries)


def _notify(changes: list[TierChange]) -> None:
    from kanali.partners.tasks import send_tier_notice

    language = translation.get_language() or settings.LANGUAGE_CODE
    for change in changes:
        if change.kind in NOTIFY_KINDS:
            pk = change.pk
            transaction.on_commit(lambda pk=pk: send_tier_notice.enqueue(pk, language))  # type: ignore[misc]


@transaction.atomic
def evaluate_program(
    *,
    workspace: Workspace | None,
    program: Program,
    partnership_ids: list[int] | None = None,
    now: datetime | None = None,
) -> EvaluationSummary:
    """Evaluate every live partnership of ``program`` (or only ``partnership_ids``) and store the outcome.

    The ladder, settings, partnerships and assignments are read once; metric
    functions may query per partnership; the writes are bulk inserts/updates.
    """
    _check_vendor(workspace, program, Perm.MANAGE_PARTNERS)
    summary = EvaluationSummary()
    if not engine.uses_tiers(program):
        return summary
    now = now or timezone.now()
    rungs = engine.ladder(program)
    if not rungs:
        return summary
    grace_days = get_tier_settings(program).grace_days
    vendor_id = program.vendor_id
    partnerships_qs = (
        Partnership.objects.for_vendor(vendor_id)
        .filter(program=program, status__in=Partnership.PORTAL_STATUSES)
        .select_related("partner", "program")
        .order_by("pk")
    )
    if partnership_ids is not None:
        partnerships_qs = partnerships_qs.filter(pk__in=partnership_ids)
    partnerships = list(partnerships_qs.select_for_update(of=("self",)))
    if not partnerships:
        return summary
    assignments = {
        a.partnership_id: a
        for a in TierAssignment.objects.for_vendor(vendor_id)
        .select_for_update()
        .filter(partnership__in=[p.pk for p in partnerships])
    }
    start, end = engine.period(now)
    keys = engine.metric_keys(rungs)

    new_assignments: list[TierAssignment] = []
    updated_assignments: list[TierAssignment] = []
    renamed: list[Partnership] = []
    changes: list[TierChange] = []
    for partnership in partnerships:
        values = engine.measure(partnership, keys, start, end)
        standings = engine.assess(rungs, values)
        stored = assignments.get(partnership.pk)
        current = engine.Current(
            tier_id=stored.tier_id if stored else None,
            pending_tier_id=stored.pending_tier_id if stored else None,
            demotion_due_at=stored.demotion_due_at if stored else None,
            assigned=stored is not None,
        )
        outcome = engine.decide(standings, current, now=now, grace_days=grace_days)
        measured = engine.snapshot(values)
        assignment = stored or TierAssignment(vendor_id=vendor_id, partnership=partnership)
        assignment.tier = outcome.tier
        assignment.pending_tier = outcome.pending_tier
        assignment.demotion_due_at = outcome.demotion_due_at
        assignment.evaluated_at = now
        assignment.metrics = measured
        if outcome.changed_tier or (assignment.since is None and outcome.tier is not None):
            assignment.since = now
        (updated_assignments if stored else new_assignments).append(assignment)
        name = outcome.tier.name if outcome.tier else ""
        if outcome.changed_tier and partnership.tier != name:
            partnership.tier = name
            renamed.append(partnership)
        if outcome.kind:
            changes.append(_change(vendor_id, partnership, outcome, measured, now))
        summary.evaluated += 1

    TierAssignment.objects.bulk_create(new_assignments)
    TierAssignment.objects.for_vendor(vendor_id).bulk_update(
        updated_assignments, ["tier", "pending_tier", "demotion_due_at", "evaluated_at", "metrics", "since"]
    )
    if renamed:
        Partnership.objects.for_vendor(vendor_id).bulk_update(renamed, ["tier"])
    TierChange.objects.bulk_create(changes)
    _audit_rows(workspace, vendor_id, [(f"tier.{c.kind}", c) for c in changes])
    for change in changes:
        summary.counts[change.kind] = summary.counts.get(change.kind, 0) + 1
    summary.changes = changes
    _notify(changes)
    return summary


def _change(
    vendor_id: int, partnership: Partnership, outcome: engine.Outcome, measured: dict, now: datetime
) -> TierChange:
    return TierChange(
        vendor_id=vendor_id,
        partnership=partnership,
        from_tier=outcome.from_tier,
        to_tier=outcome.to_tier,
        from_tier_name=outcome.from_tier.name if outcome.from_tier else "",
        to_tier_name=outcome.to_tier.name if outcome.to_tier else "",
        kind=outcome.kind or "",
        reason=outcome.reason[:300],
        effective_at=outcome.effective_at,
        metrics=measured,
        created_at=now,
    )


def evaluate_partnership(
    *, workspace: Workspace | None, partnership: Partnership, now: datetime | None = None
) -> EvaluationSummary:
    """Evaluate one partnership (after an event that changed its metrics)."""
    return evaluate_program(workspace=workspace, program=partnership.program, partnership_ids=[partnership.pk], now=now)


def on_partnership_metrics_changed(partnership: Partnership) -> None:
    """Other apps call this when something a metric counts changed (a deal won, a certification earned).

    The partnership is evaluated in the background once the caller's transaction commits.
    """
    from kanali.partners.tasks import evaluate_partnership_tier

    pk = partnership.pk
    transaction.on_commit(lambda: evaluate_partnership_tier.enqueue(pk))


@transaction.atomic
def tier_assign(
    *,
    workspace: Workspace,
    partnership: Partnership,
    tier: Tier | None,
    reason: str,
    kind: str = TierChange.Kind.INITIAL,
    at: datetime | None = None,
) -> TierAssignment:
    """Set a partnership's tier directly (imports, manual corrections), clearing any scheduled demotion."""
    require(workspace, Perm.MANAGE_PARTNERS)
    if partnership.vendor_id != workspace.vendor.pk or not workspace.is_vendor:
        raise PermissionDenied
    if tier is not None and (tier.vendor_id != partnership.vendor_id or tier.program_id != partnership.program_id):
        raise ValidationError({"tier": _("Choose a tier of this partnership's program.")})
    if kind not in TierChange.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of tier change.")})
    at = at or timezone.now()
    assignment = (
        TierAssignment.objects.for_vendor(workspace.vendor).select_for_update().filter(partnership=partnership).first()
    ) or TierAssignment(vendor=workspace.vendor, partnership=partnership)
    previous = assignment.tier if assignment.pk else None
    assignment.tier = tier
    assignment.since = at
    assignment.pending_tier = None
    assignment.demotion_due_at = None
    assignment.full_clean(exclude=["partnership", "vendor"])
    assignment.save()
    TierChange.objects.create(
        vendor=workspace.vendor,
        partnership=partnership,
        from_tier=previous,
        to_tier=tier,
        from_tier_name=previous.name if previous else "",
        to_tier_name=tier.name if tier else "",
        kind=kind,
        reason=reason[:300],
        created_at=at,
    )
    name = tier.name if tier else ""
    if partnership.tier != name:
        Partnership.objects.for_vendor(workspace.vendor).filter(pk=partnership.pk).update(tier=name)
        partnership.tier = name
    audit.record(
        workspace=workspace,
        action=f"tier.{kind}",
        obj=partnership,
        changes={"tier": [previous.name if previous else None, tier.name if tier else None]},
    )
    return assignment


@transaction.atomic
def tier_demotion_schedule(
    *,
    workspace: Workspace,
    partnership: Partnership,
    to_tier: Tier | None,
    due_at: datetime,
    reason: str,
    at: datetime | None = None,
) -> TierAssignment:
    """Schedule a demotion by hand (and for the demo); the daily run applies it when due unless the partner recovers."""
    require(workspace, Perm.MANAGE_PARTNERS)
    if partnership.vendor_id != workspace.vendor.pk or not workspace.is_vendor:
        raise PermissionDenied
    assignment = (
        TierAssignment.objects.for_vendor(workspace.vendor).select_for_update().filter(partnership=partnership).first()
    )
    if assignment is None or assignment.tier is None:
        raise ValidationError(_("This partner has no tier to move down from."))
    at = at or timezone.now()
    assignment.pending_tier = to_tier
    assignment.demotion_due_at = due_at
    assignment.save(update_fields=["pending_tier", "demotion_due_at"])
    change = TierChange.objects.create(
        vendor=workspace.vendor,
        partnership=partnership,
        from_tier=assignment.tier,
        to_tier=to_tier,
        from_tier_name=assignment.tier.name,
        to_tier_name=to_tier.name if to_tier else "",
        kind=TierChange.Kind.DEMOTION_SCHEDULED,
        reason=reason[:300],
        effective_at=due_at,
        created_at=at,
    )
    audit.record(
        workspace=workspace,
        action="tier.demotion_scheduled",
        obj=partnership,
        changes={"demotion_due_at": [None, due_at.isoformat()]},
    )
    _notify([change])
    return assignment


@transaction.atomic
def tier_settings_update(*, workspace: Workspace, program: Program, grace_days: int) -> TierSettings:
    require(workspace, Perm.MANAGE_PROGRAMS)
    if program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied
    current = TierSettings.objects.for_vendor(workspace.vendor).select_for_update().filter(program=program).first()
    settings_row = current or TierSettings(vendor=workspace.vendor, program=program)
    changes = audit.diff(settings_row, {"grace_days": grace_days})
    settings_row.grace_days = grace_days
    settings_row.full_clean(exclude=["vendor", "program"])
    settings_row.save()
    if changes:
        audit.record(workspace=workspace, action="tier_settings.update", obj=program, changes=changes)
    return settings_row
