"""Isolation-matrix entries of the deals API, and the builders the deals backend tests share.

Objects belong to vendor A's partner 1. Vendor-only actions (approve, reject,
decide an extension, reopen) are 404 for partners, so they are
``partner_visible=False``; won / lost / stage are idempotent, so the owning
partner repeating what the vendor just did gets 200.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kanali.deals import index, services_pipeline, services_registrations
from kanali.deals.models import Deal, DealRegistration
from tests.conftest import VendorActors, workspace_for
from tests.isolation import Route


@pytest.fixture
def fresh_index() -> Iterator[None]:
    """Conflict indexes live in process memory; each test starts and ends without them."""
    index.invalidate()
    yield
    index.invalidate()


def reg_data(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "company": "Alfa Pliroforiki SA",
        "domain": "alfa-pliroforiki.gr",
        "vat_number": "",
        "country": "GR",
        "contact_name": "Maria K.",
        "contact_email": "maria@alfa-pliroforiki.gr",
        "products": [],
        "estimated_value": "12500.00",
        "currency": "EUR",
        "expected_close": (timezone.localdate() + timedelta(days=45)).isoformat(),
        "notes": "",
    }
    data.update(over)
    return data


def submit(a: VendorActors, partner: int = 0, **over: Any) -> DealRegistration:
    p = a.partners[partner]
    ws = workspace_for(p.sales, a.vendor, "partner")
    return services_registrations.registration_submit(workspace=ws, partnership=p.partnership, data=reg_data(**over))


def approve(a: VendorActors, reg: DealRegistration, *, override: bool = False) -> DealRegistration:
    return services_registrations.registration_approve(
        workspace=workspace_for(a.owner, a.vendor), registration=reg, override=override
    )


def open_deal(a: VendorActors, partner: int = 0, **over: Any) -> Deal:
    reg = approve(a, submit(a, partner, **over), override=True)
    return Deal.objects.for_vendor(a.vendor).get(registration=reg)


def _registration(a: VendorActors) -> dict[str, Any]:
    return {"registration_id": submit(a).pk}


def _approved(a: VendorActors) -> dict[str, Any]:
    return {"registration_id": approve(a, submit(a)).pk}


def _extension(a: VendorActors) -> dict[str, Any]:
    reg = approve(a, submit(a))
    ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    services_registrations.extension_request(workspace=ws, registration=reg, reason="Board meets in March")
    return {"registration_id": reg.pk}


def _deal(a: VendorActors) -> dict[str, Any]:
    return {"deal_id": open_deal(a).pk}


def _won(a: VendorActors) -> dict[str, Any]:
    deal = open_deal(a)
    services_pipeline.deal_won(workspace=workspace_for(a.owner, a.vendor), deal=deal)
    return {"deal_id": deal.pk}


API_ROUTES: dict[str, Route] = {
    "/api/v1/deal-registrations/{registration_id}": Route("vendor", _registration),
    "/api/v1/deal-registrations/{registration_id}/approve": Route(
        "vendor", _registration, "post", partner_visible=False, body={}
    ),
    "/api/v1/deal-registrations/{registration_id}/reject": Route(
        "vendor", _registration, "post", partner_visible=False, body={"reason": "Direct account"}
    ),
    "/api/v1/deal-registrations/{registration_id}/extend": Route(
        "partner", _approved, "post", body={"reason": "Board meets in March"}
    ),
    "/api/v1/deal-registrations/{registration_id}/withdraw": Route("partner", _registration, "post", body={}),
    "/api/v1/deal-registrations/{registration_id}/extension": Route(
        "vendor", _extension, "post", partner_visible=False, body={"grant": True}
    ),
    "/api/v1/deals/{deal_id}": Route("vendor", _deal),
    "/api/v1/deals/{deal_id}/stage": Route("vendor", _deal, "post", body={"stage_position": 2}),
    "/api/v1/deals/{deal_id}/won": Route("vendor", _deal, "post", body={}),
    "/api/v1/deals/{deal_id}/lost": Route("vendor", _deal, "post", body={"reason": "Budget cut"}),
    "/api/v1/deals/{deal_id}/reopen": Route("vendor", _won, "post", partner_visible=False, body={}),
}
