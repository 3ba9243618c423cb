"""Protection over time: reminders N days before the end (once), expiry after it, and what expiry frees."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kanali.core.models import AuditLog, Notification
from kanali.deals import services_registrations
from kanali.deals.models import Deal, DealRegistration, DealSettings
from kanali.deals.tasks import daily_protection_sweep, next_run_at, sweep
from tests.conftest import World, workspace_for
from tests.deals.routes_api import approve, fresh_index, submit  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def at(days: int) -> datetime:
    """Noon, ``days`` from today."""
    noon = datetime.combine(timezone.localdate() + timedelta(days=days), datetime.min.time()).replace(hour=12)
    return timezone.make_aware(noon)


def test_reminder_once_within_the_programs_reminder_days_then_expiry(world: World) -> None:
    a = world.a
    DealSettings.objects.create(vendor=a.vendor, program=a.program, protection_days=30, reminder_days=7)
    reg = approve(a, submit(a))
    assert reg.protected_until == timezone.localdate() + timedelta(days=30)

    assert sweep(now=at(22)) == {"reminded": 0, "expired": 0}  # 8 days left
    assert sweep(now=at(23)) == {"reminded": 1, "expired": 0}  # 7 days left
    assert sweep(now=at(24)) == {"reminded": 0, "expired": 0}  # already reminded
    note = Notification.objects.get(kind="deals.protection_ending", recipient=a.partners[0].admin)
    assert "in 7 days" in note.body

    assert sweep(now=at(30)) == {"reminded": 0, "expired": 0}  # the last protected day
    assert sweep(now=at(31)) == {"reminded": 0, "expired": 1}
    reg.refresh_from_db()
    assert reg.status == DealRegistration.Status.EXPIRED
    assert Deal.objects.for_vendor(a.vendor).get(registration=reg).status == Deal.Status.OPEN
    assert AuditLog.objects.filter(action="deal_registration.expire", object_id=str(reg.pk)).exists()
    assert Notification.objects.filter(kind="deals.protection_expired", recipient=a.partners[0].sales).exists()
    assert sweep(now=at(32)) == {"reminded": 0, "expired": 0}


def test_a_granted_extension_moves_the_end_and_reminds_again(world: World) -> None:
    a = world.a
    DealSettings.objects.create(vendor=a.vendor, program=a.program, protection_days=10, reminder_days=5)
    reg = approve(a, submit(a))
    sweep(now=at(6))
    partner = workspace_for(a.partners[0].admin, a.vendor, "partner")
    reg = services_registrations.extension_request(workspace=partner, registration=reg)
    reg = services_registrations.extension_decide(
        workspace=workspace_for(a.owner, a.vendor), registration=reg, grant=True
    )
    assert reg.reminded_at is None
    assert sweep(now=at(11)) == {"reminded": 0, "expired": 0}
    assert sweep(now=at(36)) == {"reminded": 1, "expired": 0}
    assert sweep(now=at(41)) == {"reminded": 0, "expired": 1}


def test_expiry_frees_the_customer_for_another_partner(world: World) -> None:
    a = world.a
    first = approve(a, submit(a, 0))
    second = submit(a, 1)
    with pytest.raises(services_registrations.DealStateError):
        approve(a, second)
    DealRegistration.objects.for_vendor(a.vendor).filter(pk=first.pk).update(
        protected_until=timezone.localdate() - timedelta(days=1)
    )
    sweep()
    assert approve(a, second).status == DealRegistration.Status.APPROVED


def test_the_management_command_and_the_daily_task(world: World) -> None:
    a = world.a
    reg = approve(a, submit(a))
    DealRegistration.objects.for_vendor(a.vendor).filter(pk=reg.pk).update(
        protected_until=timezone.localdate() - timedelta(days=2)
    )
    out = StringIO()
    call_command("expire_deal_protection", stdout=out)
    assert "expired 1" in out.getvalue()
    result = daily_protection_sweep.call()
    assert result == {"reminded": 0, "expired": 0, "scheduled": 0}  # the immediate backend cannot defer
    assert next_run_at(at(0)).date() == timezone.localdate() + timedelta(days=1)
