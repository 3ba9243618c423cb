"""Isolation-matrix entries of the deals pages (see tests/test_isolation.py), and the builders the view tests share.

Partner-side objects belong to vendor A's partner 1, so A's partner 2 (and
everyone of vendor B) must get 404 for them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kanali.deals import services_products, services_registrations
from kanali.deals.models import Deal, DealRegistration, Product
from tests.conftest import VendorActors, workspace_for
from tests.isolation import Route


def product(a: VendorActors, code: str = "cloud-erp", name: str = "Cloud ERP") -> Product:
    ws = workspace_for(a.owner, a.vendor)
    return services_products.product_create(workspace=ws, program=a.program, name=name, code=code)


def registration_data(**over: Any) -> dict[str, Any]:
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
        "expected_close": timezone.localdate() + timedelta(days=45),
        "notes": "",
    }
    data.update(over)
    return data


def submitted(a: VendorActors, partner: int = 0, **over: Any) -> DealRegistration:
    p = a.partners[partner]
    ws = workspace_for(p.admin, a.vendor, "partner")
    return services_registrations.registration_submit(
        workspace=ws, partnership=p.partnership, data=registration_data(**over)
    )


def approved(a: VendorActors, partner: int = 0, **over: Any) -> DealRegistration:
    reg = submitted(a, partner, **over)
    return services_registrations.registration_approve(
        workspace=workspace_for(a.owner, a.vendor), registration=reg, override=True
    )


def deal(a: VendorActors, partner: int = 0, **over: Any) -> Deal:
    reg = approved(a, partner, **over)
    return Deal.objects.for_vendor(a.vendor).get(registration=reg)


def extension_requested(a: VendorActors) -> DealRegistration:
    reg = approved(a)
    ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    return services_registrations.extension_request(workspace=ws, registration=reg, reason="Board meeting moved")


def _registration(a: VendorActors) -> dict[str, Any]:
    return {"pk": submitted(a).pk}


def _extension(a: VendorActors) -> dict[str, Any]:
    return {"pk": extension_requested(a).pk}


def _approved(a: VendorActors) -> dict[str, Any]:
    return {"pk": approved(a).pk}


def _deal(a: VendorActors) -> dict[str, Any]:
    return {"pk": deal(a).pk}


def _won_deal(a: VendorActors) -> dict[str, Any]:
    d = deal(a)
    Deal.objects.for_vendor(a.vendor).filter(pk=d.pk).update(status=Deal.Status.WON, won_at=timezone.now())
    return {"pk": d.pk}


def _product(a: VendorActors) -> dict[str, Any]:
    return {"pk": product(a).pk}


PAGE_ROUTES: dict[str, Route] = {
    "deals:vendor_deal_detail": Route("vendor", _deal),
    "deals:deal_stage": Route("vendor", _deal, "post"),
    "deals:deal_won": Route("vendor", _deal, "post"),
    "deals:deal_lost": Route("vendor", _deal, "post"),
    "deals:deal_edit": Route("vendor", _deal, "post"),
    "deals:deal_reopen": Route("vendor", _won_deal, "post"),
    "deals:vendor_registration_detail": Route("vendor", _registration),
    "deals:registration_approve": Route("vendor", _registration, "post"),
    "deals:registration_reject": Route("vendor", _registration, "post"),
    "deals:registration_extension": Route("vendor", _extension, "post"),
    "deals:product_edit": Route("vendor", _product),
    "deals:portal_registration_detail": Route("partner", _registration),
    "deals:portal_registration_extend": Route("partner", _approved, "post"),
    "deals:portal_deal_detail": Route("partner", _deal),
    "deals:portal_deal_stage": Route("partner", _deal, "post"),
    "deals:portal_deal_won": Route("partner", _deal, "post"),
    "deals:portal_deal_lost": Route("partner", _deal, "post"),
    "deals:portal_deal_edit": Route("partner", _deal, "post"),
    "deals:portal_registration_withdraw": Route("partner", _registration, "post"),
}
