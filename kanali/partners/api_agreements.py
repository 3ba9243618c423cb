"""``/agreements`` and a partnership's agreement status and onboarding checklist.

Vendor staff see every version of their programs' agreements (the template
text); a partner sees the current version of each of its programs and what it
accepted, filled in for it, with the SHA-256 of the text it would accept.
Only a partner admin accepts (403 otherwise); accepting twice, an old version,
or a text that changed since it was read is 409.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from kanali.core.selectors import get_partnership, list_partnerships
from kanali.core.workspace import Workspace
from kanali.partners import selectors_agreements as sel
from kanali.partners import services_agreements as services
from kanali.partners.models_agreements import AgreementAcceptance, AgreementTemplate

router = Router(tags=["partners"])


class AcceptanceOut(Schema):
    id: int
    template_id: int
    version: int
    partnership_id: int
    accepted_by_name: str
    accepted_by_email: str
    accepted_at: datetime
    ip: str | None
    user_agent: str
    sha256: str

    @staticmethod
    def resolve_version(obj: AgreementAcceptance) -> int:
        return obj.template.version


class AgreementOut(Schema):
    id: int
    program_id: int
    version: int
    title: str
    status: str
    published_at: datetime | None
    acceptance_deadline_days: int
    #: A partner's view: whether it must still accept this version, by when, and when it did.
    must_accept: bool = False
    due_at: datetime | None = None
    accepted_at: datetime | None = None


class AgreementDetailOut(AgreementOut):
    #: Vendor staff: the template's Markdown with its {{ variables }}; a partner: the text filled in for it.
    body: str
    commission_terms: str = ""
    html: str
    #: A partner's view: the SHA-256 of ``body``, to send back when accepting.
    sha256: str | None = None
    acceptance: AcceptanceOut | None = None


class AcceptIn(Schema):
    #: The SHA-256 of the text the partner read (``GET /agreements/{id}``); refused with 409 if it changed.
    sha256: str = ""


class ErrorOut(Schema):
    detail: Any


class VersionStatusOut(Schema):
    template_id: int
    version: int
    title: str
    published_at: datetime | None
    status: str  # accepted, pending, overdue, superseded
    due_at: datetime | None
    acceptance: AcceptanceOut | None


class AgreementStatusOut(Schema):
    partnership_id: int
    #: Of the current version: accepted, pending, overdue, or none (nothing published).
    status: str
    current_version: int | None
    versions: list[VersionStatusOut]


class StepOut(Schema):
    id: int
    kind: str
    title: str
    required: bool
    done: bool
    done_at: datetime | None
    manual: bool


class OnboardingOut(Schema):
    partnership_id: int
    partnership_status: str
    complete: bool
    percent: int
    required_done: int
    required_total: int
    approved_at: datetime | None
    activated_at: datetime | None
    first_deal_at: datetime | None
    days_to_activation: int | None
    steps: list[StepOut]


def workspace_of(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _agreement(template: AgreementTemplate, **extra: Any) -> dict[str, Any]:
    return {
        "id": template.pk,
        "program_id": template.program_id,
        "version": template.version,
        "title": template.title,
        "status": template.status,
        "published_at": template.published_at,
        "acceptance_deadline_days": template.acceptance_deadline_days,
        **extra,
    }


@router.get("/agreements", response=list[AgreementOut])
@paginate(LimitOffsetPagination)
def list_agreements(request: HttpRequest, program_id: int | None = None):  # type: ignore[no-untyped-def]
    """Vendor staff: every version, drafts too. A partner: the versions it must accept or has accepted."""
    ws = workspace_of(request)
    templates = list(sel.list_agreement_templates(ws, program_id=program_id))
    if ws.is_vendor:
        return [_agreement(t) for t in templates]
    partnerships = {p.program_id: p for p in list_partnerships(ws)}
    accepted = {a.template_id: a.accepted_at for a in sel.list_acceptances(ws).filter(template__in=templates)}
    latest = set(sel.latest_ids(ws.vendor.pk, partnerships))
    rows = []
    for t in templates:
        p = partnerships.get(t.program_id)
        rows.append(
            _agreement(
                t,
                must_accept=t.pk in latest and t.pk not in accepted,
                due_at=sel.due_at(t, p) if p is not None and t.pk in latest else None,
                accepted_at=accepted.get(t.pk),
            )
        )
    return rows


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut)
def get_agreement(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    ws = workspace_of(request)
    template = sel.get_agreement_template(ws, agreement_id)
    if ws.is_vendor:
        sample = sel.preview_partnership(template.program)
        return {
            **_agreement(template),
            "body": template.body,
            "commission_terms": template.commission_terms,
            "html": str(sel.render_agreement(template, sample).html),
        }
    partnership = sel.partner_partnership(ws, template.program)
    acceptance = sel.find_acceptance(partnership, template)
    current = sel.latest_published(template.program)
    is_current = current is not None and current.pk == template.pk
    if acceptance is not None:
        text, digest = acceptance.rendered_text, acceptance.sha256
    else:
        rendered = sel.render_agreement(template, partnership)
        text, digest = rendered.text, rendered.sha256
    return {
        **_agreement(
            template,
            must_accept=is_current and acceptance is None,
            due_at=sel.due_at(template, partnership) if is_current else None,
            accepted_at=acceptance.accepted_at if acceptance else None,
        ),
        "body": text,
        "html": str(sel.markdown_html(text)),
        "sha256": digest,
        "acceptance": acceptance,
    }


@router.post("/agreements/{agreement_id}/accept", response={201: AcceptanceOut, 409: ErrorOut})
def accept_agreement(request: HttpRequest, agreement_id: int, payload: AcceptIn) -> Any:
    """Accept the current version as the partner's admin; the evidence (user, time, IP, browser, SHA-256) is kept."""
    ws = workspace_of(request)
    template = sel.get_agreement_template(ws, agreement_id)
    try:
        acceptance = services.agreement_accept(
            workspace=ws, template=template, sha256=payload.sha256, user_agent=request.headers.get("user-agent", "")
        )
    except services.AgreementConflict as exc:
        raise HttpError(409, str(exc)) from exc
    return Status(201, acceptance)


@router.get("/partnerships/{partnership_id}/agreement-status", response=AgreementStatusOut)
def agreement_status(request: HttpRequest, partnership_id: int) -> dict[str, Any]:
    """Every published version of the program's agreement and whether this partnership accepted it."""
    partnership = get_partnership(workspace_of(request), partnership_id)
    history = sel.partnership_agreement_history(partnership)
    current = history[0] if history else None
    return {
        "partnership_id": partnership.pk,
        "status": current["status"] if current else "none",
        "current_version": current["template"].version if current else None,
        "versions": [
            {
                "template_id": row["template"].pk,
                "version": row["template"].version,
                "title": row["template"].title,
                "published_at": row["template"].published_at,
                "status": row["status"],
                "due_at": row["due_at"],
                "acceptance": row["acceptance"],
            }
            for row in history
        ],
    }


@router.get("/partnerships/{partnership_id}/onboarding", response=OnboardingOut)
def onboarding(request: HttpRequest, partnership_id: int) -> dict[str, Any]:
    """The partnership's checklist from live data, and its time to activation."""
    checklist = sel.partnership_checklist(workspace_of(request), partnership_id)
    m = checklist.milestones
    return {
        "partnership_id": checklist.partnership.pk,
        "partnership_status": checklist.partnership.status,
        "complete": checklist.complete,
        "percent": checklist.percent,
        "required_done": checklist.required_done,
        "required_total": len(checklist.required),
        "approved_at": m.approved_at if m else None,
        "activated_at": m.activated_at if m else None,
        "first_deal_at": m.first_deal_at if m else None,
        "days_to_activation": m.days_to_activation if m else None,
        "steps": [
            {
                "id": s.step.pk,
                "kind": s.step.kind,
                "title": str(s.step.display_title),
                "required": s.step.required,
                "done": s.done,
                "done_at": s.done_at,
                "manual": s.manual,
            }
            for s in checklist.steps
        ],
    }
