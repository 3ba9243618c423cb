"""Isolation-matrix entries of agreements and onboarding (see tests/test_isolation.py).

Partner-side objects live in a program of vendor A that only A's partner 1
takes part in, so A's partner 2 must get 404 for them like everyone else.
"""

from __future__ import annotations

from typing import Any

from kanali.core.models import Partnership, Program
from kanali.partners import services_agreements as services
from kanali.partners.models_agreements import AgreementAcceptance, AgreementTemplate, OnboardingStep
from tests.conftest import VendorActors, workspace_for
from tests.factories import PartnershipFactory, ProgramFactory
from tests.isolation import Route

BODY = "Between the vendor and {{ partner_name }} ({{ partner_type }}, {{ tier }}) in {{ territory }}."


def partner_program(a: VendorActors) -> Program:
    """A second program of vendor A with only A's partner 1 in it."""
    program = ProgramFactory(vendor=a.vendor, slug="agreements-only")
    PartnershipFactory(program=program, partner=a.partners[0].org, status=Partnership.Status.ACTIVE)
    return program


def draft_template(a: VendorActors, program: Program | None = None) -> AgreementTemplate:
    ws = workspace_for(a.owner, a.vendor)
    template = services.agreement_template_create(workspace=ws, program=program or a.program)
    return services.agreement_template_update(workspace=ws, template=template, body=BODY)


def published_template(a: VendorActors, program: Program | None = None) -> AgreementTemplate:
    ws = workspace_for(a.owner, a.vendor)
    return services.agreement_template_publish(workspace=ws, template=draft_template(a, program))


def accepted(a: VendorActors, program: Program | None = None) -> AgreementAcceptance:
    template = published_template(a, program or partner_program(a))
    ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    return services.agreement_accept(workspace=ws, template=template, user_agent="pytest")


def custom_step(a: VendorActors, program: Program) -> OnboardingStep:
    ws = workspace_for(a.owner, a.vendor)
    return services.onboarding_step_create(workspace=ws, program=program, title="Attend the kick-off call")


def _program(a: VendorActors) -> dict[str, Any]:
    return {"program_id": a.program.pk}


def _draft(a: VendorActors) -> dict[str, Any]:
    return {"template_id": draft_template(a).pk}


def _acceptance(a: VendorActors) -> dict[str, Any]:
    return {"acceptance_id": accepted(a).pk}


def _step(a: VendorActors) -> dict[str, Any]:
    return {"step_id": custom_step(a, a.program).pk}


def _step_and_partnership(a: VendorActors) -> dict[str, Any]:
    return {"step_id": custom_step(a, a.program).pk, "partnership_id": a.partners[0].partnership.pk}


def _partner_template(a: VendorActors) -> dict[str, Any]:
    return {"template_id": published_template(a, partner_program(a)).pk}


def _partner_accepted(a: VendorActors) -> dict[str, Any]:
    return {"template_id": accepted(a).template_id}


def _partner_step(a: VendorActors) -> dict[str, Any]:
    return {"step_id": custom_step(a, partner_program(a)).pk}


def _agreement(a: VendorActors) -> dict[str, Any]:
    return {"agreement_id": published_template(a, partner_program(a)).pk}


def _partnership(a: VendorActors) -> dict[str, Any]:
    return {"partnership_id": a.partners[0].partnership.pk}


PAGE_ROUTES: dict[str, Route] = {
    "partners:agreements": Route("vendor", _program),
    "partners:agreement_new": Route("vendor", _program, "post"),
    "partners:agreement_edit": Route("vendor", _draft),
    "partners:agreement_preview": Route("vendor", _draft),
    "partners:agreement_publish": Route("vendor", _draft, "post"),
    "partners:agreement_delete": Route("vendor", _draft, "post"),
    "partners:agreement_acceptance_pdf": Route("vendor", _acceptance),
    "partners:onboarding": Route("vendor", _program),
    "partners:onboarding_step_edit": Route("vendor", _step),
    "partners:onboarding_step_delete": Route("vendor", _step, "post"),
    "partners:onboarding_tick": Route("vendor", _step_and_partnership, "post"),
    "partners:portal_agreement": Route("partner", _partner_template),
    "partners:portal_agreement_accept": Route("partner", _partner_template, "post"),
    "partners:portal_agreement_pdf": Route("partner", _partner_accepted),
    "partners:portal_onboarding_tick": Route("partner", _partner_step, "post"),
}

API_ROUTES: dict[str, Route] = {
    "/api/v1/agreements/{agreement_id}": Route("vendor", _agreement),
    # A partner's own action: vendor staff cannot accept for it (403). The matrix asks the vendor's
    # owner for a 2xx on every route, so this entry needs test_isolation.py to honour side="partner"
    # for API routes (see the agreements area's report); tests/partners/test_agreements_api.py walks
    # the right expectations for it meanwhile.
    "/api/v1/agreements/{agreement_id}/accept": Route("partner", _agreement, "post", body={}),
    "/api/v1/partnerships/{partnership_id}/agreement-status": Route("vendor", _partnership),
    "/api/v1/partnerships/{partnership_id}/onboarding": Route("vendor", _partnership),
}
