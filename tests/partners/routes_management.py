"""Isolation-matrix routes of partner management, the notes API and the public partner locator."""

from __future__ import annotations

from typing import Any

from kanali.partners.models_management import LocatorListing
from tests.conftest import VendorActors
from tests.designer.routes_publishing import published_program
from tests.isolation import Route


def _partnership(a: VendorActors) -> dict[str, Any]:
    return {"partnership_id": a.partners[0].partnership.pk}


def _locator(a: VendorActors) -> dict[str, Any]:
    program = published_program(a)
    LocatorListing.objects.create(vendor=a.vendor, partnership=a.partners[0].partnership, listed_in_locator=True)
    return {"program_slug": program.slug}


PAGE_ROUTES: dict[str, Route] = {
    "partners:management_detail": Route("vendor", _partnership),
    "partners:management_note_add": Route("vendor", _partnership, "post"),
    "partners:management_status": Route("vendor", _partnership, "post"),
    "partners:locator": Route("public", _locator),
}

API_ROUTES: dict[str, Route] = {
    # Notes are the vendor's: the owning partner gets 404 too.
    "/api/v1/partnerships/{partnership_id}/notes": Route("vendor", _partnership, partner_visible=False),
}
