"""The leads demo data: a few hundred leads in every state, each routed one with its explanation; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from kanali.core.models import Notification, Organization
from kanali.demo import leads as demo_leads
from kanali.leads import selectors
from kanali.leads.models import Lead, LeadEvent, Offer, RoutingDecision, RoutingProfile
from tests.conftest import workspace_for

pytestmark = pytest.mark.django_db


def test_demo_leads_cover_every_state_with_explanations() -> None:
    call_command("demo", stdout=StringIO())
    leads = Lead.unscoped.all()
    total = leads.count()
    assert 250 <= total <= 400
    statuses = dict(leads.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    assert set(statuses) == set(Lead.Status.values), statuses
    offer_states = set(Offer.unscoped.values_list("status", flat=True))
    assert {Offer.Status.ACCEPTED, Offer.Status.DECLINED, Offer.Status.EXPIRED, Offer.Status.PENDING} <= offer_states
    # Every lead that was routed has a stored explanation naming its candidates.
    routed = leads.exclude(status=Lead.Status.NEW)
    with_decision = RoutingDecision.unscoped.values("lead").distinct().count()
    assert with_decision == routed.count()
    offered = RoutingDecision.unscoped.filter(winner__isnull=False).first()
    assert offered is not None and offered.explanation["top"] and offered.explanation["eligible"] >= 1
    # At most one pending offer per lead, and the lead says who holds it.
    for offer in Offer.unscoped.filter(status=Offer.Status.PENDING).select_related("lead"):
        assert offer.lead.status == Lead.Status.OFFERED and offer.lead.partnership_id == offer.partnership_id
    # History is spread over months, not stamped "now".
    assert LeadEvent.unscoped.dates("created_at", "month").count() >= 3
    # Quiet: nobody got hundreds of lead notices.
    assert not Notification.objects.filter(kind__startswith="lead.").exists()
    assert RoutingProfile.unscoped.filter(paused_until__isnull=False).count() == 2

    # A vendor reads its queue; a partner its own leads.
    voltera = Organization.objects.get(slug="voltera")
    ws = workspace_for(voltera.memberships.get(role="owner").user, voltera)
    assert selectors.list_leads(ws).count() == Lead.unscoped.filter(vendor=voltera).count()

    call_command("demo", stdout=StringIO())  # already loaded: nothing changes
    assert Lead.unscoped.count() == total
    vendor = Organization.objects.get(slug="nefeli")
    demo_leads.load()  # the area on its own is idempotent too
    assert Lead.unscoped.filter(vendor=vendor).count() == Lead.unscoped.filter(vendor=vendor).count()
    assert Lead.unscoped.count() == total
