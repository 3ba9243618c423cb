"""Racing accept, decline, expiry and reassignment of one lead: exactly one outcome (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections

from kanali.leads import selectors, services
from kanali.leads.errors import LeadStateError
from kanali.leads.models import Lead, Offer
from tests.conftest import World, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory

pytestmark = pytest.mark.postgres_only

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


def race(actions: dict[str, Callable[[], object]]) -> dict[str, str]:
    """Run every action at once on its own connection; ``{name: "ok" | "refused"}``."""
    barrier = threading.Barrier(len(actions))
    outcomes: dict[str, str] = {}
    lock = threading.Lock()

    def run(name: str, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            result = action()
            outcome = "refused" if result is False else "ok"
        except LeadStateError:
            outcome = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes[name] = outcome

    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.fixture
def setup(world: World) -> World:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    RoutingProfileFactory(partnership=world.a.partners[0].partnership)
    RoutingProfileFactory(partnership=world.a.partners[1].partnership, offices=[THESSALONIKI])
    return world


def offered(world: World) -> Lead:
    lead = LeadFactory(program=world.a.program)
    services.route_lead(workspace=workspace_for(world.a.owner, world.a.vendor), lead=lead)
    lead.refresh_from_db()
    assert lead.partnership_id == world.a.partners[0].partnership.pk
    return lead


@pytest.mark.django_db(transaction=True)
def test_accept_decline_expire_and_reassign_at_once_end_with_one_outcome(setup: World) -> None:
    a = setup.a
    p1, p2 = a.partners
    for _round in range(4):
        lead = offered(setup)
        offer = selectors.pending_offer(lead)
        assert offer is not None
        after_deadline = offer.deadline + timedelta(seconds=1)

        def accept(lead: Lead = lead) -> object:
            return services.offer_accept(workspace=workspace_for(p1.admin, a.vendor, "partner"), lead=lead)

        def decline(lead: Lead = lead) -> object:
            ws = workspace_for(p1.sales, a.vendor, "partner")
            return services.offer_decline(workspace=ws, lead=lead, reason="no_capacity")

        def expire(offer_id: int = offer.pk, now: object = after_deadline) -> object:
            return services.offer_expire(offer_id=offer_id, now=now)  # type: ignore[arg-type]

        def reassign(lead: Lead = lead) -> object:
            ws = workspace_for(a.owner, a.vendor)
            return services.lead_reassign(workspace=ws, lead=lead, partnership=p2.partnership)

        outcomes = race({"accept": accept, "decline": decline, "expire": expire, "reassign": reassign})
        assert len(outcomes) == 4
        offer.refresh_from_db()
        answered = [name for name in ("accept", "decline", "expire") if outcomes[name] == "ok"]
        # At most one answer to the first offer; it matches the offer's final state.
        assert len(answered) <= 1, outcomes
        expected = {
            "accept": Offer.Status.ACCEPTED,
            "decline": Offer.Status.DECLINED,
            "expire": Offer.Status.EXPIRED,
        }
        if answered:
            assert offer.status == expected[answered[0]], (outcomes, offer.status)
        else:
            assert offer.status == Offer.Status.WITHDRAWN and outcomes["reassign"] == "ok", outcomes
        offers = Offer.objects.for_vendor(a.vendor).filter(lead=lead)
        assert offers.filter(status=Offer.Status.PENDING).count() <= 1
        assert offers.filter(status=Offer.Status.ACCEPTED).count() <= 1
        lead.refresh_from_db()
        pending = offers.filter(status=Offer.Status.PENDING).first()
        if lead.status == Lead.Status.OFFERED:
            assert pending is not None and pending.partnership_id == lead.partnership_id
        else:
            assert pending is None


@pytest.mark.django_db(transaction=True)
def test_two_partners_never_both_hold_an_accepted_offer(setup: World) -> None:
    """Partner 1 accepts while the vendor hands the lead to partner 2 and partner 2 accepts at once."""
    a = setup.a
    p1, p2 = a.partners
    for _round in range(4):
        lead = offered(setup)

        def accept_1(lead: Lead = lead) -> object:
            return services.offer_accept(workspace=workspace_for(p1.admin, a.vendor, "partner"), lead=lead)

        def reassign_and_accept_2(lead: Lead = lead) -> object:
            services.lead_reassign(workspace=workspace_for(a.owner, a.vendor), lead=lead, partnership=p2.partnership)
            return services.offer_accept(workspace=workspace_for(p2.admin, a.vendor, "partner"), lead=lead)

        outcomes = race({"p1": accept_1, "p2": reassign_and_accept_2})
        lead.refresh_from_db()
        accepted = Offer.objects.for_vendor(a.vendor).filter(lead=lead, status=Offer.Status.ACCEPTED)
        # The vendor's reassignment may take an accepted lead back, but only one acceptance stands open.
        assert lead.status == Lead.Status.ACCEPTED
        holder = accepted.order_by("-responded_at").first()
        assert holder is not None and holder.partnership_id == lead.partnership_id
        assert Offer.objects.for_vendor(a.vendor).filter(lead=lead, status=Offer.Status.PENDING).count() == 0
        assert "ok" in outcomes.values()
