"""Background work of the tiers engine: evaluations on events and every day, and the partner's notices.

Tasks receive ids, never a workspace: they act as the system. Reading a
program or partnership by id through ``unscoped`` is deliberate here; the ids
come from our own services and schedules, never from a request.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task

from kanali.core.models import Membership, Partnership, Program
from kanali.core.roles import Role
from kanali.designer.models import Design
from kanali.partners.models_tiers import TierChange, TierRun

#: Local time of day the daily run is scheduled for.
DAILY_RUN_AT = time(3, 0)


@task()
def evaluate_program_tiers(program_id: int) -> dict[str, int]:
    from kanali.partners import services_tiers

    program = Program.unscoped.filter(pk=program_id).first()  # system work: the id is ours
    if program is None:
        return {}
    return services_tiers.evaluate_program(workspace=None, program=program).as_dict()


@task()
def evaluate_partnership_tier(partnership_id: int) -> dict[str, int]:
    from kanali.partners import services_tiers

    partnership = Partnership.unscoped.select_related("program").filter(pk=partnership_id).first()  # system work
    if partnership is None:
        return {}
    return services_tiers.evaluate_partnership(workspace=None, partnership=partnership).as_dict()


def tier_programs() -> list[Program]:
    """Every program, of every vendor, designed with tiers: the daily run's work list (deliberately cross-tenant)."""
    designs = Design.unscoped.filter(framework=Design.Framework.TIERS).select_related("program").order_by("pk")
    return [d.program for d in designs]


def run_day(*, now: datetime) -> dict[str, int]:
    """Evaluate each tier program once for ``now``'s day; a program already run that day is skipped."""
    from kanali.partners import services_tiers

    day = timezone.localdate(now)
    ran = skipped = changes = 0
    for program in tier_programs():
        with transaction.atomic():
            run, created = TierRun.objects.get_or_create(
                vendor_id=program.vendor_id, program=program, day=day, defaults={"started_at": now}
            )
            if not created:
                skipped += 1
                continue
            summary = services_tiers.evaluate_program(workspace=None, program=program, now=now)
            run.evaluated, run.changes = summary.evaluated, summary.changed
            run.save(update_fields=["evaluated", "changes"])
            ran += 1
            changes += summary.changed
    return {"programs": ran, "skipped": skipped, "changes": changes}


def next_run_at(now: datetime) -> datetime:
    """Tomorrow at :data:`DAILY_RUN_AT`, local time."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, DAILY_RUN_AT))


def pending_daily_runs() -> int:
    """Daily runs already waiting in the queue (so a schedule never forks into two chains)."""
    backend = daily_tier_run.get_backend()
    results: Any = getattr(backend, "results", None)
    if results is not None:  # the dummy backend keeps them in memory
        path = daily_tier_run.module_path
        return sum(1 for r in results if r.task.module_path == path and r.status == TaskResultStatus.READY)
    if backend.__class__.__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(task_path=daily_tier_run.module_path, status=TaskResultStatus.READY).count()
    return 0


def schedule_next(now: datetime) -> bool:
    """Queue the next daily run for tomorrow, unless the backend cannot defer or one is already queued."""
    if not daily_tier_run.get_backend().supports_defer or pending_daily_runs():
        return False
    daily_tier_run.using(run_after=next_run_at(now)).enqueue()
    return True


@task()
def daily_tier_run() -> dict[str, int]:
    """Evaluate every tier program once today, then queue itself for tomorrow."""
    now = timezone.now()
    result = run_day(now=now)
    result["scheduled"] = int(schedule_next(now))
    return result


@task()
def send_tier_notice(change_id: int, language: str = "en") -> int:
    """Tell the partner's admins about a promotion, a demotion, or a demotion scheduled or cancelled."""
    change = (
        TierChange.unscoped.select_related("partnership__partner", "partnership__program", "vendor")  # system work
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        return 0
    partnership = change.partnership
    recipients = list(
        Membership.objects.filter(organization=partnership.partner, role=Role.PARTNER_ADMIN)
        .select_related("user")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    with translation.override(language):
        context = {
            "change": change,
            "partnership": partnership,
            "vendor": change.vendor,
            "portal_url": base + reverse("partners:portal_tiers", kwargs={"vendor_slug": change.vendor.slug}),
        }
        subject = render_to_string("partners/tiers_email_subject.txt", context).strip()
        body = render_to_string("partners/tiers_email_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
