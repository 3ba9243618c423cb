"""Isolation-matrix routes of the lead pages: the console's lead, settings, simulator and profiles, and the
portal's lead with its actions. (The signed offer link takes a token, not an object id.)"""

from __future__ import annotations

from typing import Any

from kanali.leads import pool, services
from kanali.leads.models import Lead
from tests.conftest import VendorActors, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory
from tests.isolation import Route

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


def offered_lead(a: VendorActors) -> Lead:
    """A lead of vendor A offered to its partner 1 (Athens; partner 2 works from Thessaloniki)."""
    pool.invalidate(a.program.pk)
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    RoutingProfileFactory(partnership=a.partners[1].partnership, offices=[THESSALONIKI])
    lead = LeadFactory(program=a.program)
    services.route_lead(workspace=workspace_for(a.owner, a.vendor), lead=lead)
    lead.refresh_from_db()
    assert lead.partnership_id == a.partners[0].partnership.pk
    return lead


def _lead(a: VendorActors) -> dict[str, Any]:
    return {"lead_id": offered_lead(a).pk}


def _program(a: VendorActors) -> dict[str, Any]:
    return {"program_id": a.program.pk}


def _partnership(a: VendorActors) -> dict[str, Any]:
    return {"partnership_id": a.partners[0].partnership.pk}


PAGE_ROUTES: dict[str, Route] = {
    "leads:vendor_lead": Route("vendor", _lead),
    "leads:lead_reassign": Route("vendor", _lead, "post"),
    "leads:lead_return": Route("vendor", _lead, "post"),
    "leads:routing_settings": Route("vendor", _program),
    "leads:simulator": Route("vendor", _program),
    "leads:profile_list": Route("vendor", _program),
    "leads:profile_edit": Route("vendor", _partnership),
    "leads:portal_lead": Route("partner", _lead),
    "leads:portal_accept": Route("partner", _lead, "post"),
    "leads:portal_decline": Route("partner", _lead, "post"),
    "leads:portal_status": Route("partner", _lead, "post"),
}
