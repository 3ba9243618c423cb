"""Isolation-matrix routes of lead intake: a checked import of vendor A, and A's public web form."""

from __future__ import annotations

from typing import Any

from kanali.leads.models import LeadSettings
from kanali.leads.services_intake import import_check
from tests.conftest import VendorActors, workspace_for
from tests.isolation import Route


def _lead_import(a: VendorActors) -> dict[str, Any]:
    lead_import = import_check(
        workspace=workspace_for(a.owner, a.vendor),
        program=a.program,
        content=b"company,country,email\nOlympus IT,GR,info@olympus.gr\n",
        filename="leads.csv",
        route=False,
    )
    return {"import_id": lead_import.pk}


def enable_web_form(a: VendorActors) -> dict[str, Any]:
    """A's program (published by the factory) with its web form switched on."""
    LeadSettings.objects.for_vendor(a.vendor).update_or_create(
        vendor=a.vendor, program=a.program, defaults={"web_form_enabled": True}
    )
    return {"program_slug": a.program.slug}


PAGE_ROUTES: dict[str, Route] = {
    "leads:intake_import_preview": Route("vendor", _lead_import),
    "leads:intake_import_commit": Route("vendor", _lead_import, "post"),
    "leads:intake_web": Route("public", enable_web_form),
}
