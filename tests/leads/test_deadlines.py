"""Acceptance deadlines: the half-time reminder, expiry to the next partner, late tasks, the sweep, scheduling."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kanali.core.models import Notification
from kanali.leads import selectors, services, tasks
from kanali.leads.models import Lead, LeadEvent, Offer
from tests.conftest import World, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


@pytest.fixture
def lead(world: World) -> Lead:
    a = world.a
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    RoutingProfileFactory(partnership=a.partners[1].partnership, offices=[THESSALONIKI])
    lead = LeadFactory(program=a.program)
    services.route_lead(workspace=workspace_for(a.owner, a.vendor), lead=lead)
    lead.refresh_from_db()
    return lead


def pending(lead: Lead) -> Offer:
    offer = selectors.pending_offer(lead)
    assert offer is not None
    return offer


def test_reminder_at_half_time_once(world: World, lead: Lead) -> None:
    offer = pending(lead)
    admin = world.a.partners[0].admin
    assert not services.offer_remind(offer_id=offer.pk, now=offer.offered_at + timedelta(hours=23))
    assert services.offer_remind(offer_id=offer.pk, now=offer.offered_at + timedelta(hours=24))
    assert not services.offer_remind(offer_id=offer.pk, now=offer.offered_at + timedelta(hours=25))
    assert Notification.objects.filter(recipient=admin, kind="lead.reminder").count() == 1
    offer.refresh_from_db()
    assert offer.reminded_at is not None and offer.status == Offer.Status.PENDING


def test_no_reminder_after_an_answer(world: World, lead: Lead) -> None:
    offer = pending(lead)
    services.offer_accept(workspace=workspace_for(world.a.partners[0].admin, world.a.vendor, "partner"), lead=lead)
    assert not services.offer_remind(offer_id=offer.pk, now=offer.offered_at + timedelta(hours=30))


def test_expiry_waits_for_the_deadline_then_goes_to_the_next_partner(world: World, lead: Lead) -> None:
    offer = pending(lead)
    assert not services.offer_expire(offer_id=offer.pk, now=offer.deadline - timedelta(seconds=1))
    assert services.offer_expire(offer_id=offer.pk, now=offer.deadline)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OFFERED and lead.partnership_id == world.a.partners[1].partnership.pk
    assert lead.attempts == 2
    actions = list(LeadEvent.objects.for_vendor(lead.vendor_id).filter(lead=lead).values_list("action", flat=True))
    assert actions == ["offered", "expired", "offered"]
    assert Notification.objects.filter(recipient=world.a.partners[0].admin, kind="lead.expired").exists()
    # Running it again (a duplicate or late task) changes nothing.
    assert not services.offer_expire(offer_id=offer.pk, now=offer.deadline + timedelta(hours=1))
    lead.refresh_from_db()
    assert lead.partnership_id == world.a.partners[1].partnership.pk


def test_a_late_expiry_never_overrides_an_acceptance(world: World, lead: Lead) -> None:
    offer = pending(lead)
    services.offer_accept(workspace=workspace_for(world.a.partners[0].sales, world.a.vendor, "partner"), lead=lead)
    assert not services.offer_expire(offer_id=offer.pk, now=offer.deadline + timedelta(days=1))
    lead.refresh_from_db()
    assert lead.status == Lead.Status.ACCEPTED
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED


def test_a_late_expiry_never_overrides_a_reassignment(world: World, lead: Lead) -> None:
    offer = pending(lead)
    services.lead_reassign(
        workspace=workspace_for(world.a.owner, world.a.vendor), lead=lead, partnership=world.a.partners[1].partnership
    )
    assert not services.offer_expire(offer_id=offer.pk, now=offer.deadline + timedelta(hours=1))
    lead.refresh_from_db()
    assert lead.partnership_id == world.a.partners[1].partnership.pk
    assert pending(lead).partnership_id == world.a.partners[1].partnership.pk


def test_last_attempt_expiring_returns_the_lead_with_an_alert(world: World, lead: Lead) -> None:
    first = pending(lead)
    services.offer_expire(offer_id=first.pk, now=first.deadline)
    second = pending(lead)
    services.offer_expire(offer_id=second.pk, now=second.deadline)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.RETURNED and lead.partnership_id is None
    assert Notification.objects.filter(recipient=world.a.channel_manager, kind="lead.returned").exists()
    assert selectors.pending_offer(lead) is None


def test_sweep_and_command_catch_up_after_a_worker_was_down(world: World, lead: Lead) -> None:
    offer = pending(lead)
    assert services.remind_due_offers(now=offer.offered_at + timedelta(hours=1)) == 0
    assert services.remind_due_offers(now=offer.offered_at + timedelta(hours=30)) == 1
    assert services.expire_overdue_offers(now=offer.deadline - timedelta(minutes=1)) == 0
    assert services.expire_overdue_offers(now=offer.deadline + timedelta(minutes=1)) == 1
    lead.refresh_from_db()
    assert lead.partnership_id == world.a.partners[1].partnership.pk
    # The command runs the same sweep at the real clock: the second offer is not due yet.
    out = StringIO()
    call_command("expire_lead_offers", stdout=out)
    assert "expired 0" in out.getvalue()
    Offer.objects.for_vendor(world.a.vendor).filter(status=Offer.Status.PENDING).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    call_command("expire_lead_offers", stdout=out)
    assert "expired 1" in out.getvalue()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.RETURNED


def test_task_functions_call_the_services(world: World, lead: Lead) -> None:
    offer = pending(lead)
    Offer.objects.for_vendor(world.a.vendor).filter(pk=offer.pk).update(
        offered_at=timezone.now() - timedelta(hours=47), deadline=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.remind_offer_task.call(offer.pk) is False  # past the deadline: no reminder, it expires
    assert tasks.expire_offer_task.call(offer.pk) is True
    assert tasks.expire_offers_task.call([offer.pk]) == 0


@override_settings(TASKS=DUMMY_TASKS)
def test_offers_are_scheduled_at_half_time_and_deadline(world: World, django_capture_on_commit_callbacks: Any) -> None:
    a = world.a
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    ws = workspace_for(a.owner, a.vendor)
    backend = tasks.expire_offer_task.get_backend()
    with django_capture_on_commit_callbacks(execute=True):
        services.route_lead(workspace=ws, lead=LeadFactory(program=a.program))
    offer = Offer.objects.for_vendor(a.vendor).get()
    queued = {r.task.module_path: r for r in backend.results}  # type: ignore[attr-defined]
    assert queued[tasks.expire_offer_task.module_path].task.run_after == offer.deadline
    half = offer.offered_at + timedelta(hours=24)
    assert queued[tasks.remind_offer_task.module_path].task.run_after == half
    assert queued[tasks.expire_offer_task.module_path].args == [offer.pk]

    # A batch is one pair of tasks for all its offers.
    backend.clear()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        services.route_leads(workspace=ws, leads=[LeadFactory(program=a.program) for _ in range(3)])
    paths = sorted(
        r.task.module_path
        for r in backend.results  # type: ignore[attr-defined]
        if r.task.module_path.startswith("kanali.leads")
    )
    assert paths == sorted([tasks.expire_offers_task.module_path, tasks.remind_offers_task.module_path])
