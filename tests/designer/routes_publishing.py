"""Isolation-matrix routes of readiness, publishing, documents and the program pages; and design builders.

``complete_design`` fills the steps publishing needs with the least data that
passes, so tests (and the public route's builder) can publish a program.
"""

from __future__ import annotations

from typing import Any

from kanali.core.models import Program
from kanali.core.workspace import Workspace
from kanali.designer.publishing import publish
from kanali.designer.services import design_update, items_replace
from kanali.designer.steps import COLLECTIONS
from tests.conftest import VendorActors, workspace_for
from tests.factories import PartnershipFactory, ProgramFactory
from tests.isolation import Route

STAGES = ("Discovery", "Proposal", "Decision")


def replace(ws: Workspace, program: Program, key: str, rows: list[dict[str, Any]]) -> None:
    items_replace(workspace=ws, program=program, collection=COLLECTIONS[key], rows=rows)


def complete_design(ws: Workspace, program: Program, *, stages: tuple[str, ...] = STAGES) -> None:
    """Just enough for every required step (1, 2, 4, 8, 9, 13) to be complete."""
    design_update(
        workspace=ws,
        program=program,
        values={
            "customer_segment": "Small accounting firms",
            "framework": "no_tiers",
            "ideal_partner": "An IT reseller serving accountants",
            "performance_measures": "Deals won per quarter",
            "recruitment_target": 10,
        },
    )
    replace(ws, program, "canvas_job", [{"text": "Close the books every month"}])
    replace(ws, program, "canvas_pain", [{"text": "Manual data entry"}])
    replace(ws, program, "canvas_gain", [{"text": "Happy clients"}])
    replace(ws, program, "canvas_product", [{"text": "Cloud ledger"}])
    replace(ws, program, "canvas_pain_reliever", [{"text": "Bank feeds", "addresses": ["Manual data entry"]}])
    replace(
        ws,
        program,
        "stages",
        [{"position": n, "name": name, "win_probability": min(15 * n, 100)} for n, name in enumerate(stages, 1)],
    )
    replace(ws, program, "partner_types", [{"key": "var", "name": "Value-added reseller", "reason": "They own IT"}])
    replace(
        ws,
        program,
        "responsibilities",
        [
            {"position": 1, "activity": "Deliver qualified leads", "assignee": "vendor"},
            {"position": 2, "activity": "Prospecting and first meetings", "assignee": "partner"},
        ],
    )
    replace(ws, program, "criteria", [{"name": "Accounting customers", "weight": 3}])


def published_program(a: VendorActors) -> Program:
    ws = workspace_for(a.owner, a.vendor)
    complete_design(ws, a.program)
    publish(workspace=ws, program=a.program, change_note="First version")
    return a.program


def _program(a: VendorActors) -> dict[str, Any]:
    return {"program_id": a.program.pk}


def _public(a: VendorActors) -> dict[str, Any]:
    return {"program_slug": published_program(a).slug}


def _portal(a: VendorActors) -> dict[str, Any]:
    """A program only A's first partner belongs to (both partners share A's default program)."""
    program = ProgramFactory(vendor=a.vendor, slug="resellers")
    PartnershipFactory(program=program, partner=a.partners[0].org)
    return {"program_id": program.pk}


PAGE_ROUTES: dict[str, Route] = {
    "designer:readiness": Route("vendor", _program),
    "designer:publish": Route("vendor", _program),
    "designer:versions": Route("vendor", _program),
    "designer:handbook_pdf": Route("vendor", _program),
    "designer:handbook_md": Route("vendor", _program),
    "designer:brochure_pdf": Route("vendor", _program),
    "designer:public_program": Route("public", _public),
    "designer:portal_program": Route("partner", _portal),
}
