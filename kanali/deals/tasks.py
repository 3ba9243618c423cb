"""Protection of approved registrations over time: reminders before it ends, expiry once it has.

:func:`sweep` does one pass over every vendor for a given "now" (tests pass
a fake one); :func:`daily_protection_sweep` runs it and queues itself for the
next day; ``manage.py expire_deal_protection`` runs it at once (and with
``--schedule`` starts the daily chain). Reading across vendors through
``unscoped`` is deliberate here: the sweep is system work, with no request.

Expiry only ends the *protection*: the registration becomes "expired" and
stops blocking other partners' registrations of the customer; its deal stays
in the pipeline.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task

from kanali.core.models import AuditLog
from kanali.core.notifications import notify, organization_people
from kanali.deals.models import DealRegistration, DealSettings
from kanali.deals.services import page_url
from kanali.deals.services_registrations import DEAL_REGISTRARS

#: Local time of day the daily sweep runs.
DAILY_RUN_AT = time(2, 30)
#: No program reminds earlier than this many days before the end.
MAX_REMINDER_DAYS = 366


def _settings_by_program(program_ids: set[int]) -> dict[int, DealSettings]:
    rows = DealSettings.unscoped.filter(program_id__in=program_ids)  # system work: ids from our own rows
    return {s.program_id: s for s in rows}


def _notify_partner(reg: DealRegistration, *, kind: str, title: str, body: str) -> None:
    recipients = organization_people(reg.partnership.partner_id, DEAL_REGISTRARS)
    notify(
        recipients=recipients,
        vendor=reg.vendor,
        kind=kind,
        title=title,
        body=body,
        url=page_url("deals:portal_registration_detail", reg.vendor, reg.pk),
    )


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Send due reminders and expire lapsed protection, as of ``now``; each registration in its own transaction."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminded = expired = 0

    # System work across vendors: approved registrations near or past their end.
    base = DealRegistration.unscoped.filter(status=DealRegistration.Status.APPROVED).select_related(
        "vendor", "partnership__partner", "program"
    )
    lapsed = list(base.filter(protected_until__lt=today).values_list("pk", flat=True))
    for pk in lapsed:
        with transaction.atomic():
            reg = base.select_for_update(of=("self",)).filter(pk=pk, protected_until__lt=today).first()
            if reg is None:
                continue
            reg.status = DealRegistration.Status.EXPIRED
            reg.save(update_fields=["status", "updated_at"])
            AuditLog.objects.create(
                vendor_id=reg.vendor_id,
                action="deal_registration.expire",
                object_type=DealRegistration._meta.label_lower,
                object_id=str(reg.pk),
                object_repr=str(reg)[:200],
                changes={"protected_until": str(reg.protected_until)},
            )
            _notify_partner(
                reg,
                kind="deals.protection_expired",
                title=_("Deal protection ended: %(company)s") % {"company": reg.company},
                body=_("The protection of your registration ended on %(date)s.") % {"date": reg.protected_until},
            )
            expired += 1

    due = list(
        base.filter(
            reminded_at__isnull=True,
            protected_until__gte=today,
            protected_until__lte=today + timedelta(days=MAX_REMINDER_DAYS),
        ).values_list("pk", "program_id", "protected_until")
    )
    settings = _settings_by_program({program_id for _pk, program_id, _end in due})
    by_days: dict[int, list[int]] = defaultdict(list)
    for pk, program_id, end in due:
        days = settings[program_id].reminder_days if program_id in settings else DealSettings().reminder_days
        if end is not None and (end - today).days <= days:
            by_days[days].append(pk)
    for pks in by_days.values():
        for pk in pks:
            with transaction.atomic():
                reg = base.select_for_update(of=("self",)).filter(pk=pk, reminded_at__isnull=True).first()
                if reg is None:
                    continue
                reg.reminded_at = now
                reg.save(update_fields=["reminded_at", "updated_at"])
                left = (reg.protected_until - today).days if reg.protected_until else 0
                body = _("Protection ends on %(date)s (in %(days)d days). Win the deal or ask for an extension.") % {
                    "date": reg.protected_until,
                    "days": left,
                }
                _notify_partner(
                    reg,
                    kind="deals.protection_ending",
                    title=_("Deal protection ends soon: %(company)s") % {"company": reg.company},
                    body=body,
                )
                reminded += 1
    return {"reminded": reminded, "expired": expired}


def next_run_at(now: datetime) -> datetime:
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, DAILY_RUN_AT))


def pending_daily_sweeps() -> int:
    """Daily sweeps already waiting in the queue (so the chain never forks)."""
    backend = daily_protection_sweep.get_backend()
    results: Any = getattr(backend, "results", None)
    path = daily_protection_sweep.module_path
    if results is not None:
        return sum(1 for r in results if r.task.module_path == path and r.status == TaskResultStatus.READY)
    if backend.__class__.__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).count()
    return 0


def schedule_next(now: datetime) -> bool:
    if not daily_protection_sweep.get_backend().supports_defer or pending_daily_sweeps():
        return False
    daily_protection_sweep.using(run_after=next_run_at(now)).enqueue()
    return True


@task()
def daily_protection_sweep() -> dict[str, int]:
    """Remind and expire as of now, then queue itself for tomorrow."""
    now = timezone.now()
    result = sweep(now=now)
    result["scheduled"] = int(schedule_next(now))
    return result
