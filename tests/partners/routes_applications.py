"""Isolation-matrix routes of applications; and builders the application tests share.

The matrix's object is an application of A's first partner (signed in as its
admin, linked to its company) to a second program of vendor A: the partner
may read it, the other partner and vendor B may not, and only A's staff
score and decide it.
"""

from __future__ import annotations

from typing import Any

from kanali.core.models import Program
from kanali.designer.models import ProgramPartnerType
from kanali.partners.models_applications import Application
from kanali.partners.services_applications import application_submit
from tests.conftest import VendorActors
from tests.designer.routes_publishing import published_program
from tests.factories import ProgramFactory
from tests.isolation import Route


def values(**overrides: Any) -> dict[str, Any]:
    """A valid submission; override what the test is about."""
    return {
        "company_name": "Olympus IT",
        "vat_number": "",
        "website": "https://olympus.example.com",
        "country": "GR",
        "regions": ["GR-I"],
        "partner_type": "var",
        "industries": ["Retail"],
        "specializations": ["ERP"],
        "team_size": 12,
        "certified_people": 2,
        "revenue_band": "500k_2m",
        "references": "Acropolis Bakery\nPlaka Hotels",
        "motivation": "We sell to accountants.",
        "contact_name": "Eleni Papadaki",
        "contact_email": "eleni@olympus.example.com",
        **overrides,
    }


def with_partner_type(program: Program, key: str = "var", name: str = "Value-added reseller") -> Program:
    ProgramPartnerType.objects.get_or_create(vendor=program.vendor, program=program, key=key, defaults={"name": name})
    return program


def second_program(a: VendorActors) -> Program:
    """A published program of vendor A that neither of its partners belongs to yet."""
    program = Program.objects.for_vendor(a.vendor).filter(slug="resellers").first()
    return program or with_partner_type(ProgramFactory(vendor=a.vendor, name="Acme Resellers", slug="resellers"))


def partner_application(a: VendorActors, **overrides: Any) -> Application:
    """A's first partner applies to A's second program from its company profile."""
    partner = a.partners[0]
    return application_submit(
        program=second_program(a),
        values=values(
            company_name=partner.org.name, contact_email=partner.admin.email, contact_name="Admin One", **overrides
        ),
        user=partner.admin,
        organization=partner.org,
    )


def _application(a: VendorActors) -> dict[str, Any]:
    return {"application_id": partner_application(a).pk}


def _apply(a: VendorActors) -> dict[str, Any]:
    program = published_program(a)
    with_partner_type(program)
    return {"program_slug": program.slug}


PAGE_ROUTES: dict[str, Route] = {
    "partners:application_apply": Route("public", _apply),
    "partners:application_detail": Route("vendor", _application),
    "partners:application_approve": Route("vendor", _application, "post"),
    "partners:application_reject": Route("vendor", _application, "post"),
}

API_ROUTES: dict[str, Route] = {
    "/api/v1/applications/{application_id}": Route("vendor", _application),
    # Deciding is the vendor's: the applicant itself gets 404.
    "/api/v1/applications/{application_id}/approve": Route("vendor", _application, "post", partner_visible=False),
    "/api/v1/applications/{application_id}/reject": Route(
        "vendor", _application, "post", partner_visible=False, body={"reason": "Not a fit for now."}
    ),
}
