"""Isolation-matrix entries of the leads API (see tests/test_isolation.py).

Each builder makes a lead of vendor A offered to (or accepted by) A's partner
1: only partner 1 works from a routing profile in Athens, and partner 2 is
paused, so the engine has one choice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kanali.leads import services
from kanali.leads.models import Lead
from tests.conftest import VendorActors, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory
from tests.isolation import Route


def offered_lead(a: VendorActors) -> Lead:
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    RoutingProfileFactory(partnership=a.partners[1].partnership, paused_until=timezone.localdate() + timedelta(days=30))
    lead = LeadFactory(program=a.program)
    services.route_lead(workspace=workspace_for(a.owner, a.vendor), lead=lead)
    lead.refresh_from_db()
    assert lead.partnership_id == a.partners[0].partnership.pk
    return lead


def accepted_lead(a: VendorActors) -> Lead:
    lead = offered_lead(a)
    services.offer_accept(workspace=workspace_for(a.partners[0].sales, a.vendor, "partner"), lead=lead)
    return lead


def _offered(a: VendorActors) -> dict[str, Any]:
    return {"lead_id": offered_lead(a).pk}


def _accepted(a: VendorActors) -> dict[str, Any]:
    return {"lead_id": accepted_lead(a).pk}


def _program(a: VendorActors) -> dict[str, Any]:
    return {"program_id": a.program.pk}


def _partnership(a: VendorActors) -> dict[str, Any]:
    return {"partnership_id": a.partners[0].partnership.pk}


API_ROUTES: dict[str, Route] = {
    "/api/v1/leads/{lead_id}": Route("vendor", _offered),
    "/api/v1/leads/{lead_id}/accept": Route("partner", _offered, "post"),
    "/api/v1/leads/{lead_id}/decline": Route("partner", _offered, "post", body={"reason": "not_a_fit"}),
    "/api/v1/leads/{lead_id}/status": Route("partner", _accepted, "post", body={"status": "contacted"}),
    "/api/v1/leads/{lead_id}/reassign": Route(
        "vendor", _offered, "post", partner_visible=False, body={"partnership_id": None}
    ),
    "/api/v1/leads/{lead_id}/return": Route("vendor", _offered, "post", partner_visible=False),
    "/api/v1/leads/{lead_id}/decisions": Route("vendor", _offered, partner_visible=False),
    "/api/v1/lead-settings/{program_id}": Route("vendor", _program, partner_visible=False),
    "/api/v1/partnerships/{partnership_id}/routing-profile": Route("vendor", _partnership),
}
