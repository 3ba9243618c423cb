"""``/api/v1/applications``: apply (public), list and read, approve and reject (vendor staff).

Vendor staff see every application to the vendor's programs, with scores;
a partner sees only its own company's, without scores. Deciding an
application that is already decided is 409.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django_ratelimit.decorators import ratelimit
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from kanali.core.http import client_ip
from kanali.core.models import Organization, Program
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.partners import selectors_applications as selectors
from kanali.partners import services_applications as services
from kanali.partners.models_applications import Application

router = Router(tags=["partners"])


class ApplicationIn(Schema):
    vendor: str = Field(description="The vendor's slug, as in /programs/<vendor>/<program>/")
    program: str = Field(description="The program's slug")
    company_name: str
    vat_number: str = ""
    website: str = ""
    country: str = Field(description="ISO 3166-1 alpha-2 code, e.g. GR")
    regions: list[str] = Field(description="ISO 3166-2 codes of the regions served, e.g. GR-I")
    partner_type: str = Field(description="A key of the program's partner types (design step 4)")
    industries: list[str] = []
    specializations: list[str] = []
    team_size: int
    certified_people: int = 0
    revenue_band: Application.RevenueBand
    references: str = ""
    motivation: str = ""
    contact_name: str
    contact_email: str


class ProgramRef(Schema):
    id: int
    name: str
    slug: str


class ApplicationOut(Schema):
    id: int
    program: ProgramRef
    status: str
    company_name: str
    vat_number: str
    website: str
    country: str
    regions: list[str]
    partner_type: str
    industries: list[str]
    specializations: list[str]
    team_size: int
    certified_people: int
    revenue_band: str
    references: str
    motivation: str
    contact_name: str
    contact_email: str
    rejection_reason: str
    organization_id: int | None
    partnership_id: int | None
    pre_score: Decimal | None = Field(None, description="Vendor staff only")
    total_score: Decimal | None = Field(None, description="Vendor staff only")
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_country(obj: Application) -> str:
        return str(obj.country or "")

    @staticmethod
    def resolve_pre_score(obj: Application, context: Any) -> Decimal | None:
        return obj.pre_score if _is_staff(context) else None

    @staticmethod
    def resolve_total_score(obj: Application, context: Any) -> Decimal | None:
        return obj.total_score if _is_staff(context) else None


class SubmittedOut(Schema):
    id: int
    status: str
    status_url: str


class ReviewOut(Schema):
    reviewer: str
    score: int
    note: str


class CriterionScoreOut(Schema):
    criterion_id: int
    name: str
    weight: Decimal
    data_source: str
    pre_score: int | None
    reviews: list[ReviewOut]
    score: Decimal | None


class ApplicationDetailOut(ApplicationOut):
    criteria: list[CriterionScoreOut] = Field([], description="The selection matrix; vendor staff only")


class ApplicationFilters(Schema):
    status: Application.Status | None = None
    program: int | None = None


class RejectIn(Schema):
    reason: str


def _is_staff(context: Any) -> bool:
    request = (context or {}).get("request")
    workspace = getattr(request, "auth", None)
    return isinstance(workspace, Workspace) and workspace.is_vendor


def workspace_of(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.post("/applications", auth=None, response={201: SubmittedOut})
@ratelimit(key="ip", rate="5/h", method="POST", block=True)
def submit_application(request: HttpRequest, payload: ApplicationIn) -> Status:
    """Apply to a published program. No token needed; a second open application of the same company is 409."""
    vendor = Organization.objects.filter(slug=payload.vendor, is_vendor=True).first()
    program = (
        Program.objects.for_vendor(vendor).filter(slug=payload.program, status=Program.Status.PUBLISHED).first()
        if vendor is not None
        else None
    )
    if program is None:
        raise Http404
    values = payload.dict(exclude={"vendor", "program"})
    base_url = request.build_absolute_uri("/").rstrip("/")
    try:
        application = services.application_submit(
            program=program, values=values, base_url=base_url, ip=client_ip(request)
        )
    except services.DuplicateApplicationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from exc
    return Status(
        201,
        {"id": application.pk, "status": application.status, "status_url": services.status_url(application, base_url)},
    )


@router.get("/applications", response=list[ApplicationOut])
@paginate(LimitOffsetPagination)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]):  # type: ignore[no-untyped-def]
    """Vendor staff: every application to the vendor's programs, best score first. Partners: their company's own."""
    workspace = workspace_of(request)
    if workspace.is_vendor:
        require(workspace, Perm.VIEW_PARTNERS)
    return selectors.list_applications(workspace, program_id=filters.program, status=filters.status or "")


@router.get("/applications/{application_id}", response=ApplicationDetailOut)
def get_application(request: HttpRequest, application_id: int) -> Application:
    workspace = workspace_of(request)
    application = selectors.get_application(workspace, application_id)
    criteria: list[dict[str, Any]] = []
    if workspace.is_vendor:
        sheet = selectors.score_sheet(application)
        criteria = [
            {
                "criterion_id": row.criterion.pk,
                "name": row.criterion.name,
                "weight": row.weight,
                "data_source": row.criterion.data_source,
                "pre_score": row.pre_score,
                "reviews": [{"reviewer": str(r.reviewer), "score": r.score, "note": r.note} for r in row.reviews],
                "score": row.effective,
            }
            for row in sheet.rows
        ]
    application.criteria = criteria  # type: ignore[attr-defined]
    return application


def _staff_application(request: HttpRequest, application_id: int) -> tuple[Workspace, Application]:
    workspace = workspace_of(request)
    if not workspace.is_vendor:
        raise Http404
    return workspace, selectors.get_staff_application(workspace, application_id)


@router.post("/applications/{application_id}/approve", response=ApplicationOut)
def approve_application(request: HttpRequest, application_id: int) -> Application:
    """Create the partnership (onboarding) and invite the partner's admin; 409 if already decided."""
    workspace, application = _staff_application(request, application_id)
    try:
        approval = services.application_approve(
            workspace=workspace, application=application, base_url=request.build_absolute_uri("/").rstrip("/")
        )
    except services.ApplicationDecidedError as exc:
        raise HttpError(409, str(exc)) from exc
    return approval.application


@router.post("/applications/{application_id}/reject", response=ApplicationOut)
def reject_application(request: HttpRequest, application_id: int, payload: RejectIn) -> Application:
    """Reject with a reason the applicant is told; 409 if already decided."""
    workspace, application = _staff_application(request, application_id)
    try:
        return services.application_reject(
            workspace=workspace,
            application=application,
            reason=payload.reason,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except services.ApplicationDecidedError as exc:
        raise HttpError(409, str(exc)) from exc
