"""Isolation-matrix entries for the design API and the example loader (see tests/test_isolation.py)."""

from __future__ import annotations

from typing import Any

from kanali.core.models import Partnership
from kanali.designer.examples import load_example
from tests.conftest import VendorActors, workspace_for
from tests.factories import PartnershipFactory, ProgramFactory
from tests.isolation import Route


def _partner_program(a: VendorActors) -> dict[str, Any]:
    """A second program of vendor A that only A's partner 1 takes part in."""
    program = ProgramFactory(vendor=a.vendor, slug="resellers")
    PartnershipFactory(program=program, partner=a.partners[0].org, status=Partnership.Status.ACTIVE)
    return {"program_id": program.pk}


def _program(a: VendorActors) -> dict[str, Any]:
    return {"program_id": a.program.pk}


def _designed_program(a: VendorActors) -> dict[str, Any]:
    """A's program with a complete design, ready to publish."""
    load_example(workspace=workspace_for(a.owner, a.vendor), program=a.program, example="saas")
    return {"program_id": a.program.pk}


def _program_step(a: VendorActors) -> dict[str, Any]:
    return {"program_id": a.program.pk, "step": "sales_process"}


API_ROUTES: dict[str, Route] = {
    "/api/v1/programs/{program_id}": Route("vendor", _partner_program),
    # The working design is the vendor's: the owning partner gets 404 too.
    "/api/v1/programs/{program_id}/design": Route("vendor", _program, partner_visible=False),
    "/api/v1/programs/{program_id}/design/{step}": Route("vendor", _program_step, partner_visible=False),
    "/api/v1/programs/{program_id}/readiness": Route("vendor", _program, partner_visible=False),
    "/api/v1/programs/{program_id}/publish": Route(
        "vendor", _designed_program, "post", partner_visible=False, body={"change_note": "First version"}
    ),
    "/api/v1/programs/{program_id}/handbook.pdf": Route("vendor", _program, partner_visible=False),
}

PAGE_ROUTES: dict[str, Route] = {
    "designer:load_example": Route("vendor", _program_step, "post"),
    "designer:load_example_all": Route("vendor", _program, "post"),
}
