"""Writes of agreements and onboarding: one function per use case, one transaction each.

Hooks for other apps: :func:`onboarding_refresh` (call after anything that may
complete a step), :func:`record_first_deal` (the deals app) and
:func:`record_approval` (the applications area); steps that another app
computes register a rule with
:func:`kanali.partners.selectors_agreements.register_onboarding_rule`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import AuditLog, Partnership, Program
from kanali.core.roles import Perm, Role
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.partners import selectors_agreements as sel
from kanali.partners.models_agreements import (
    AgreementAcceptance,
    AgreementTemplate,
    OnboardingProgress,
    OnboardingStep,
    PartnershipMilestones,
)

if TYPE_CHECKING:
    from datetime import datetime


class AgreementConflict(Exception):
    """The action conflicts with the agreement's state (already accepted, text changed, not current)."""


# --- Agreement templates --------------------------------------------------------------------------


def default_body() -> str:
    return _(
        "This agreement is made between the vendor and **{{ partner_name }}** (the partner), "
        "a {{ partner_type }} partner in the program.\n\n"
        "## 1. Territory\n\nThe partner sells and serves customers in {{ territory }}.\n\n"
        "## 2. Tier\n\nThe partner joins at the following level: {{ tier }}.\n\n"
        "## 3. Commission\n\n{{ commission_terms }}\n\n"
        "## 4. Who does what\n\n{{ responsibility_matrix }}\n\n"
        "## 5. Term\n\nThis agreement runs for one year and renews itself unless either side ends it "
        "with 30 days' written notice."
    )


def _check_program(workspace: Workspace, program: Program) -> None:
    require(workspace, Perm.MANAGE_PROGRAMS)
    if not workspace.is_vendor or program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied


@transaction.atomic
def agreement_template_create(*, workspace: Workspace, program: Program) -> AgreementTemplate:
    """The program's open draft; a new one (a copy of the latest version) when there is none."""
    _check_program(workspace, program)
    # The program row is the lock that keeps two editors from taking the same number.
    Program.objects.for_vendor(workspace.vendor).select_for_update().get(pk=program.pk)
    versions = AgreementTemplate.objects.for_vendor(workspace.vendor).filter(program=program).order_by("-version")
    latest = versions.first()
    if latest is not None and latest.status == AgreementTemplate.Status.DRAFT:
        return latest
    template = AgreementTemplate(
        vendor=workspace.vendor,
        program=program,
        version=(latest.version if latest else 0) + 1,
        title=latest.title if latest else _("Partner agreement: %(program)s") % {"program": program.name},
        body=latest.body if latest else default_body(),
        commission_terms=latest.commission_terms if latest else "",
        acceptance_deadline_days=latest.acceptance_deadline_days if latest else 30,
    )
    template.full_clean()
    template.save()
    audit.record(workspace=workspace, action="agreement.create", obj=template)
    return template


TEMPLATE_FIELDS = ("title", "body", "commission_terms", "acceptance_deadline_days")


@transaction.atomic
def agreement_template_update(*, workspace: Workspace, template: AgreementTemplate, **values: Any) -> AgreementTemplate:
    """Edit a draft; a published version is frozen. Unknown ``{{ variables }}`` are refused."""
    _check_program(workspace, template.program)
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown agreement fields: {sorted(unknown)}")
    row = AgreementTemplate.objects.for_vendor(workspace.vendor).select_for_update().get(pk=template.pk)
    if row.is_published:
        raise ValidationError(
            _("Version %(n)d is published and cannot change; start a new version.") % {"n": row.version}
        )
    changes = audit.diff(row, values)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    if changes:
        # The text itself can be long: the audit keeps which fields changed, not the whole body.
        audit.record(
            workspace=workspace,
            action="agreement.update",
            obj=row,
            changes={k: (v if k in ("title", "acceptance_deadline_days") else ["…", "…"]) for k, v in changes.items()},
        )
    return row


@transaction.atomic
def agreement_template_delete(*, workspace: Workspace, template: AgreementTemplate) -> None:
    _check_program(workspace, template.program)
    row = AgreementTemplate.objects.for_vendor(workspace.vendor).select_for_update().get(pk=template.pk)
    if row.is_published:
        raise ValidationError(_("A published version cannot be deleted."))
    audit.record(workspace=workspace, action="agreement.delete", obj=row)
    row.delete()


@transaction.atomic
def agreement_template_publish(*, workspace: Workspace, template: AgreementTemplate) -> AgreementTemplate:
    """Publish a draft: every live partnership of the program is asked to accept it by its deadline."""
    _check_program(workspace, template.program)
    Program.objects.for_vendor(workspace.vendor).select_for_update().get(pk=template.program_id)
    row = AgreementTemplate.objects.for_vendor(workspace.vendor).select_for_update().get(pk=template.pk)
    if row.is_published:
        raise AgreementConflict(_("Version %(n)d is already published.") % {"n": row.version})
    row.full_clean()
    row.status = AgreementTemplate.Status.PUBLISHED
    row.published_at = timezone.now()
    row.published_by = workspace.user
    row.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    asked = (
        Partnership.objects.for_vendor(workspace.vendor)
        .filter(program_id=row.program_id, status__in=sel.LIVE_STATUSES)
        .count()
    )
    audit.record(
        workspace=workspace,
        action="agreement.publish",
        obj=row,
        changes={"status": ["draft", "published"], "partners_asked": [None, asked]},
    )
    return row


# --- Acceptance -----------------------------------------------------------------------------------


def can_accept(workspace: Workspace) -> bool:
    return workspace.is_partner and workspace.role == Role.PARTNER_ADMIN


@transaction.atomic
def agreement_accept(
    *, workspace: Workspace, template: AgreementTemplate, sha256: str = "", user_agent: str = ""
) -> AgreementAcceptance:
    """A partner admin accepts the current version of its program's agreement, with the evidence kept.

    ``sha256`` is the hash of the text the partner was shown; when given and the
    text has changed since (the partner's tier, say), nothing is accepted.
    """
    if not can_accept(workspace):
        raise PermissionDenied
    require(workspace, Perm.MANAGE_PARTNER_PROFILE)
    partnership = sel.partner_partnership(workspace, template.program)
    partnership = Partnership.objects.for_vendor(workspace.vendor).select_for_update().get(pk=partnership.pk)
    current = sel.latest_published(template.program)
    if current is None or current.pk != template.pk:
        raise AgreementConflict(_("This is not the current version of the agreement; accept the current one."))
    if sel.find_acceptance(partnership, template) is not None:
        raise AgreementConflict(_("You have already accepted version %(n)d.") % {"n": template.version})
    rendered = sel.render_agreement(template, partnership)
    if sha256 and sha256.strip().lower() != rendered.sha256:
        raise AgreementConflict(_("The agreement changed while you were reading it. Read it again, then accept."))
    user = workspace.user
    acceptance = AgreementAcceptance(
        vendor=workspace.vendor,
        partnership=partnership,
        template=template,
        accepted_by=user,
        accepted_by_name=(user.get_full_name() or user.email)[:300],
        accepted_by_email=user.email,
        accepted_at=timezone.now(),
        ip=workspace.ip,
        user_agent=(user_agent or "")[:500],
        sha256=rendered.sha256,
        rendered_text=rendered.text,
    )
    acceptance.full_clean(exclude=["accepted_by"])
    try:
        with transaction.atomic():
            acceptance.save()
    except IntegrityError as exc:  # a second click raced the first
        raise AgreementConflict(_("You have already accepted version %(n)d.") % {"n": template.version}) from exc
    audit.record(
        workspace=workspace,
        action="agreement.accept",
        obj=acceptance,
        changes={"version": [None, template.version], "sha256": [None, rendered.sha256]},
    )
    onboarding_refresh(partnership=partnership, workspace=workspace)
    return acceptance


# --- Onboarding steps ------------------------------------------------------------------------------

DEFAULT_STEPS: tuple[tuple[str, bool], ...] = (
    (OnboardingStep.Kind.AGREEMENT, True),
    (OnboardingStep.Kind.PROFILE, True),
    (OnboardingStep.Kind.COLLEAGUE, True),
    # Not required until the training module and the lead and deal apps exist and say when these are done.
    (OnboardingStep.Kind.TRAINING, False),
    (OnboardingStep.Kind.FIRST_DEAL_OR_LEAD, False),
)


@transaction.atomic
def ensure_default_steps(program: Program) -> list[OnboardingStep]:
    """The program's steps, creating the defaults when it has none (safe to run twice at once)."""
    steps = OnboardingStep.objects.for_vendor(program.vendor_id).filter(program=program)
    if not steps.exists():
        for position, (kind, required) in enumerate(DEFAULT_STEPS, 1):
            try:
                with transaction.atomic():
                    OnboardingStep.objects.create(
                        vendor_id=program.vendor_id, program=program, kind=kind, position=position, required=required
                    )
            except IntegrityError:  # another request created it first
                continue
    return list(steps.order_by("position", "pk"))


STEP_FIELDS = ("title", "description", "required", "position")


@transaction.atomic
def onboarding_step_create(
    *, workspace: Workspace, program: Program, title: str, description: str = "", required: bool = True
) -> OnboardingStep:
    """Add a custom step at the end of the checklist."""
    _check_program(workspace, program)
    steps = ensure_default_steps(program)
    step = OnboardingStep(
        vendor=workspace.vendor,
        program=program,
        kind=OnboardingStep.Kind.CUSTOM,
        title=title.strip(),
        description=description.strip(),
        required=required,
        position=max((s.position for s in steps), default=0) + 1,
    )
    step.full_clean()
    step.save()
    audit.record(workspace=workspace, action="onboarding_step.create", obj=step)
    return step


@transaction.atomic
def onboarding_step_update(*, workspace: Workspace, step: OnboardingStep, **values: Any) -> OnboardingStep:
    _check_program(workspace, step.program)
    unknown = set(values) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"Unknown step fields: {sorted(unknown)}")
    row = OnboardingStep.objects.for_vendor(workspace.vendor).select_for_update().get(pk=step.pk)
    changes = audit.diff(row, values)
    for name, value in values.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.full_clean()
    row.save()
    if changes:
        audit.record(workspace=workspace, action="onboarding_step.update", obj=row, changes=changes)
    return row


@transaction.atomic
def onboarding_step_delete(*, workspace: Workspace, step: OnboardingStep) -> None:
    """Remove a custom step; built-in ones are made optional instead."""
    _check_program(workspace, step.program)
    row = OnboardingStep.objects.for_vendor(workspace.vendor).select_for_update().get(pk=step.pk)
    if not row.is_custom:
        raise ValidationError(_("Built-in steps cannot be removed; make them optional instead."))
    audit.record(workspace=workspace, action="onboarding_step.delete", obj=row)
    row.delete()


@transaction.atomic
def onboarding_tick(
    *, workspace: Workspace, partnership: Partnership, step: OnboardingStep, done: bool = True
) -> sel.Checklist:
    """Tick (or untick) a step done by hand: the partner's admin for its own partnership, or the vendor."""
    if workspace.is_partner:
        if workspace.role != Role.PARTNER_ADMIN or partnership.partner_id != workspace.organization.pk:
            raise PermissionDenied
    else:
        require(workspace, Perm.MANAGE_PARTNERS)
    if partnership.vendor_id != workspace.vendor.pk or step.program_id != partnership.program_id:
        raise PermissionDenied
    if not sel.is_manual(step):
        raise ValidationError(_("This step is done by itself when the partner does it; it cannot be ticked."))
    rows = OnboardingProgress.objects.for_vendor(workspace.vendor).filter(partnership=partnership, step=step)
    existing = rows.first()
    if done and existing is None:
        row = OnboardingProgress.objects.create(
            vendor=workspace.vendor, partnership=partnership, step=step, done_at=timezone.now(), done_by=workspace.user
        )
        audit.record(workspace=workspace, action="onboarding.tick", obj=row, changes={"done": [False, True]})
    elif not done and existing is not None:
        audit.record(workspace=workspace, action="onboarding.untick", obj=existing, changes={"done": [True, False]})
        rows.delete()
    return onboarding_refresh(partnership=partnership, workspace=workspace)


# --- Progress and activation -----------------------------------------------------------------------


def _milestones(partnership: Partnership) -> PartnershipMilestones:
    row, _created = PartnershipMilestones.objects.for_vendor(partnership.vendor_id).get_or_create(
        vendor_id=partnership.vendor_id,
        partnership=partnership,
        # Invited and approved partnerships are created at approval.
        defaults={"approved_at": partnership.created_at},
    )
    return row


def _system_audit(partnership: Partnership, action: str, changes: dict[str, Any]) -> None:
    """An entry for a change the system made (no acting user), e.g. from another app's hook."""
    AuditLog.objects.create(
        vendor_id=partnership.vendor_id,
        organization_id=partnership.partner_id,
        action=action,
        object_type=partnership._meta.label_lower,
        object_id=str(partnership.pk),
        object_repr=str(partnership)[:200],
        changes=changes,
    )


@transaction.atomic
def onboarding_refresh(*, partnership: Partnership, workspace: Workspace | None = None) -> sel.Checklist:
    """Record newly done steps; activate the partnership when every required step is done.

    Approved partnerships move to onboarding at their first done step, and to
    active (with ``activated_at`` recorded) once the required steps are done.
    Activation is not undone: a later agreement version shows as an open item.
    """
    partnership = (
        Partnership.objects.for_vendor(partnership.vendor_id)
        .select_for_update()
        .select_related("partner", "program")
        .get(pk=partnership.pk)
    )
    result = sel.checklist(partnership)
    now = timezone.now()
    missing = [
        OnboardingProgress(vendor_id=partnership.vendor_id, partnership=partnership, step=s.step, done_at=now)
        for s in result.steps
        if s.done and not s.manual and s.done_at is None
    ]
    if missing:
        existing = set(
            OnboardingProgress.objects.for_vendor(partnership.vendor_id)
            .filter(partnership=partnership)
            .values_list("step_id", flat=True)
        )
        OnboardingProgress.objects.bulk_create([m for m in missing if m.step_id not in existing])
    milestones = _milestones(partnership)
    old = partnership.status
    if old in (Partnership.Status.APPROVED, Partnership.Status.ONBOARDING):
        if result.complete:
            partnership.status = Partnership.Status.ACTIVE
            if milestones.activated_at is None:
                milestones.activated_at = now
                milestones.save(update_fields=["activated_at"])
        elif old == Partnership.Status.APPROVED and result.done_count:
            partnership.status = Partnership.Status.ONBOARDING
    if partnership.status != old:
        partnership.save(update_fields=["status", "updated_at"])
        changes = {"status": [old, partnership.status]}
        action = "partnership.activate" if partnership.status == Partnership.Status.ACTIVE else "partnership.onboard"
        if workspace is not None:
            audit.record(workspace=workspace, action=action, obj=partnership, changes=changes)
        else:
            _system_audit(partnership, action, changes)
    result.partnership = partnership
    result.milestones = milestones
    return result


@transaction.atomic
def record_approval(*, partnership: Partnership, when: datetime | None = None) -> PartnershipMilestones:
    """The applications area calls this when it approves: time to activation counts from here."""
    milestones = _milestones(partnership)
    milestones.approved_at = when or timezone.now()
    milestones.save(update_fields=["approved_at"])
    return milestones


@transaction.atomic
def record_first_deal(*, partnership: Partnership, when: datetime | None = None) -> PartnershipMilestones:
    """The deals app calls this when a partnership wins or registers its first deal (kept once)."""
    milestones = _milestones(partnership)
    if milestones.first_deal_at is None:
        milestones.first_deal_at = when or timezone.now()
        milestones.save(update_fields=["first_deal_at"])
        onboarding_refresh(partnership=partnership)
    return milestones
