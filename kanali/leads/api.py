"""``/api/v1/leads``: create (idempotent), import, list and read leads, and act on them.

Vendor staff see every lead of their programs with the routing explanation;
a partner sees the leads offered to it or that it works (contact details
only after accepting) and, of a decision, only why the lead fits it. A lead
of another vendor or another partner is 404. An action that is no longer
possible (accepting after the deadline, answering twice) is 409 with the
reason; bad values are 422 with the fields.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from kanali.core.models import Partnership
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.leads import selectors, services
from kanali.leads.errors import LeadStateError
from kanali.leads.models import Lead, LeadEvent, LeadImport, LeadSettings, Offer, RoutingDecision, RoutingProfile

router = Router(tags=["leads"])


class ErrorOut(Schema):
    detail: Any


def _ws(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _vendor_ws(request: HttpRequest) -> Workspace:
    """Vendor staff with MANAGE_LEADS; a partner token gets 404 (these objects are not its to see)."""
    ws = _ws(request)
    if not ws.is_vendor:
        raise Http404
    require(ws, Perm.MANAGE_LEADS)
    return ws


def _own_ids(request: HttpRequest) -> set[int]:
    """The partner's partnership ids, read once per request (schemas resolve many rows with it)."""
    cached = getattr(request, "_lead_own_ids", None)
    if cached is None:
        cached = set(selectors.own_partnership_ids(_ws(request)))
        request._lead_own_ids = cached  # type: ignore[attr-defined]
    return cached


def _holds(context: Any, lead: Lead) -> bool:
    """Vendor staff always; a partner when it holds the lead (offered, working, or closed by it)."""
    request = context["request"]
    if _ws(request).is_vendor:
        return True
    return lead.partnership_id is not None and lead.partnership_id in _own_ids(request)


def _works(context: Any, lead: Lead) -> bool:
    """Contact details: vendor staff, or the partner that accepted the lead."""
    if not _holds(context, lead):
        return False
    return _ws(context["request"]).is_vendor or lead.status not in (Lead.Status.NEW, Lead.Status.OFFERED)


# --- Schemas -----------------------------------------------------------------------------------------


class LeadIn(Schema):
    program_id: int
    company: str
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    country: str = Field(description="ISO 3166-1 alpha-2 code or English/Greek name, e.g. GR")
    region: str = Field("", description="ISO 3166-2 code, e.g. GR-I")
    city: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    industry: str = ""
    product: str = ""
    estimated_value: Decimal | None = None
    currency: str = Field("", description="ISO 4217 code; the program's default when empty")
    language: str = Field("", description="ISO 639-1 code, e.g. el")
    campaign: str = ""
    notes: str = ""
    external_id: str = ""


class LeadOut(Schema):
    id: int
    program_id: int
    program: str
    company: str
    contact_name: str
    email: str
    phone: str
    country: str
    region: str
    city: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    industry: str
    product: str
    estimated_value: Decimal | None
    currency: str
    language: str
    source: str
    campaign: str
    status: str = Field(
        description="The lead's status; for a partner that no longer holds it, what became of its own offer "
        "(declined, expired, withdrawn)"
    )
    partnership_id: int | None
    partner: str
    attempts: int
    duplicate_of_id: int | None
    disqualify_reason: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_program(obj: Lead) -> str:
        return obj.program.name

    @staticmethod
    def resolve_country(obj: Lead) -> str:
        return str(obj.country or "")

    @staticmethod
    def resolve_currency(obj: Lead) -> str:
        return str(obj.currency or "")

    @staticmethod
    def resolve_status(obj: Lead, context: Any) -> str:
        if _holds(context, obj):
            return obj.status
        return getattr(obj, "own_offer_status", None) or obj.status

    @staticmethod
    def resolve_contact_name(obj: Lead, context: Any) -> str:
        return obj.contact_name if _works(context, obj) else ""

    @staticmethod
    def resolve_email(obj: Lead, context: Any) -> str:
        return obj.email if _works(context, obj) else ""

    @staticmethod
    def resolve_phone(obj: Lead, context: Any) -> str:
        return obj.phone if _works(context, obj) else ""

    @staticmethod
    def resolve_partnership_id(obj: Lead, context: Any) -> int | None:
        return obj.partnership_id if _holds(context, obj) else None

    @staticmethod
    def resolve_partner(obj: Lead, context: Any) -> str:
        if obj.partnership_id is None or not _holds(context, obj):
            return ""
        return obj.partnership.partner.name  # type: ignore[union-attr]

    @staticmethod
    def resolve_duplicate_of_id(obj: Lead, context: Any) -> int | None:
        return obj.duplicate_of_id if _ws(context["request"]).is_vendor else None


class OfferOut(Schema):
    id: int
    partnership_id: int
    partner: str
    attempt: int
    status: str
    offered_at: datetime
    deadline: datetime
    reminded_at: datetime | None
    responded_at: datetime | None
    decline_reason: str
    decline_note: str

    @staticmethod
    def resolve_partner(obj: Offer) -> str:
        return obj.partnership.partner.name


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    partnership_id: int | None
    actor: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: LeadEvent) -> str:
        return obj.actor.get_full_name() or obj.actor.email if obj.actor else ""


class DecisionOut(Schema):
    id: int
    lead_id: int
    kind: str
    winner_id: int | None
    created_at: datetime
    explanation: dict[str, Any]


class LeadDetailOut(LeadOut):
    notes: str
    explanation: dict[str, Any] | None = Field(
        None, description="Vendor: the latest routing decision in full. Partner: why the lead fits it."
    )
    offers: list[OfferOut] = []
    history: list[EventOut] = []

    @staticmethod
    def resolve_notes(obj: Lead, context: Any) -> str:
        return obj.notes if _works(context, obj) else ""

    @staticmethod
    def resolve_explanation(obj: Lead) -> dict[str, Any] | None:
        return getattr(obj, "_api_explanation", None)

    @staticmethod
    def resolve_offers(obj: Lead) -> list[Offer]:
        return getattr(obj, "_api_offers", [])

    @staticmethod
    def resolve_history(obj: Lead) -> list[LeadEvent]:
        return getattr(obj, "_api_history", [])


class LeadFilters(Schema):
    program: int | None = None
    status: Lead.Status | None = None
    partnership: int | None = None
    q: str = ""


class DeclineIn(Schema):
    reason: Offer.DeclineReason
    note: str = Field("", max_length=300)


class ReassignIn(Schema):
    partnership_id: int | None = Field(None, description="Offer to this partnership; null re-runs the engine")


class StatusIn(Schema):
    status: str = Field(description="contacted, qualified, converted or disqualified")
    reason: str = Field("", max_length=200, description="Required to disqualify")


class ImportOut(Schema):
    id: int
    status: str
    preset: str
    row_count: int
    error_count: int
    duplicate_count: int
    errors: list[dict[str, Any]]
    created: int = 0


class SettingsOut(Schema):
    program_id: int
    mode: str
    weights: dict[str, float]
    max_distance_km: int
    acceptance_hours: int
    max_attempts: int
    fairness_window_days: int
    web_form_enabled: bool
    partner_types: list[str]

    @staticmethod
    def resolve_weights(obj: LeadSettings) -> dict[str, float]:
        return selectors.settings_from(obj).to_dict()["weights"]  # type: ignore[no-any-return]


class SettingsIn(Schema):
    mode: str | None = None
    weights: dict[str, float] | None = None
    max_distance_km: int | None = None
    acceptance_hours: int | None = None
    max_attempts: int | None = None
    fairness_window_days: int | None = None
    web_form_enabled: bool | None = None
    partner_types: list[str] | None = None


class ProfileOut(Schema):
    partnership_id: int
    countries: list[str]
    regions: list[str]
    languages: list[str]
    industries: list[str]
    specializations: list[str]
    offices: list[dict[str, Any]]
    capacity: int | None
    paused_until: Any


class ProfileIn(Schema):
    countries: list[str] | None = None
    regions: list[str] | None = None
    languages: list[str] | None = None
    industries: list[str] | None = None
    specializations: list[str] | None = None
    offices: list[dict[str, Any]] | None = None
    capacity: int | None = None
    paused_until: str | None = None


# --- Leads -----------------------------------------------------------------------------------------


def _detail(request: HttpRequest, lead: Lead) -> Lead:
    """The lead with its explanation, offers and history attached for :class:`LeadDetailOut`."""
    ws = _ws(request)
    offers = selectors.lead_offers(ws, lead)
    explanation: dict[str, Any] | None = None
    if ws.is_vendor:
        decision = selectors.latest_decision(lead)
        explanation = selectors.explanation_for(ws, decision) if decision is not None else None
    elif offers:
        explanation = selectors.offer_decision(ws, offers[0])
    lead._api_explanation = explanation  # type: ignore[attr-defined]
    lead._api_offers = offers  # type: ignore[attr-defined]
    lead._api_history = selectors.lead_history(ws, lead)  # type: ignore[attr-defined]
    return lead


@router.get("/leads", response=list[LeadOut])
@paginate(LimitOffsetPagination)
def list_leads(request: HttpRequest, filters: Query[LeadFilters]) -> Any:
    """Vendor: every lead, filtered by program, status, partnership or text. Partner: its own leads."""
    return selectors.list_leads(
        _ws(request), program=filters.program, status=filters.status, partnership=filters.partnership, q=filters.q
    )


@router.post("/leads", response={200: LeadDetailOut, 201: LeadDetailOut, 409: ErrorOut})
def create_lead(request: HttpRequest, payload: LeadIn) -> Any:
    """Create a lead and route it.

    Send an ``Idempotency-Key`` header to retry safely: the same key with the
    same body returns the same lead (200, not created again); with another
    body it is 409.
    """
    from kanali.leads.models import Lead as LeadModel
    from kanali.leads.services_intake import IdempotencyConflict, lead_create

    ws = _vendor_ws(request)
    program = get_object_or_404(selectors.lead_programs(ws), pk=payload.program_id)
    data = payload.dict(exclude={"program_id"}, exclude_unset=True)
    try:
        result = lead_create(
            workspace=ws,
            program=program,
            data=data,
            source=LeadModel.Source.API,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            actor=ws.user,
        )
    except IdempotencyConflict as exc:
        return Status(409, {"detail": str(exc)})
    lead = selectors.get_lead(ws, result.lead.pk)
    return Status(201 if result.created else 200, _detail(request, lead))


@router.post("/leads/import", response={200: ImportOut, 422: ErrorOut})
def import_leads(
    request: HttpRequest,
    file: File[UploadedFile],
    program_id: Form[int],
    preset: Form[str] = "",
    dry_run: Form[bool] = True,
) -> Any:
    """A CSV or XLSX of leads (presets ``salesforce``, ``hubspot``, or Kanali's headings).

    ``dry_run`` (the default) checks every row and creates nothing. Without
    it the leads are created and routed — all of them, or, when any row has
    an error, none (422 with each row's errors).
    """
    from kanali.leads.services_intake import import_check, import_commit

    ws = _vendor_ws(request)
    program = get_object_or_404(selectors.lead_programs(ws), pk=program_id)
    checked: LeadImport = import_check(
        workspace=ws, program=program, content=file.read(), filename=file.name or "", preset=preset
    )
    body = {
        "id": checked.pk,
        "status": checked.status,
        "preset": checked.preset,
        "row_count": checked.row_count,
        "error_count": checked.error_count,
        "duplicate_count": checked.duplicate_count,
        "errors": checked.errors,
        "created": 0,
    }
    if dry_run:
        return body
    if checked.error_count:
        return Status(422, {"detail": body})
    created = import_commit(workspace=ws, lead_import=checked, actor=ws.user)
    checked.refresh_from_db()
    return {**body, "status": checked.status, "created": len(created)}


@router.get("/leads/{lead_id}", response=LeadDetailOut)
def get_lead(request: HttpRequest, lead_id: int) -> Any:
    return _detail(request, selectors.get_lead(_ws(request), lead_id))


def _act(request: HttpRequest, lead_id: int, action: Any) -> Any:
    ws = _ws(request)
    lead = selectors.get_lead(ws, lead_id)
    try:
        action(ws, lead)
    except LeadStateError as exc:
        return Status(409, {"detail": exc.reason})
    return _detail(request, selectors.get_lead(ws, lead_id))


def _partner_only(request: HttpRequest) -> Workspace:
    ws = _ws(request)
    if not ws.is_partner:
        raise Http404
    return ws


@router.post("/leads/{lead_id}/accept", response={200: LeadDetailOut, 409: ErrorOut})
def accept_lead(request: HttpRequest, lead_id: int) -> Any:
    """The partner accepts the lead offered to it (409 after the deadline or once answered)."""
    _partner_only(request)
    return _act(request, lead_id, lambda ws, lead: services.offer_accept(workspace=ws, lead=lead, actor=ws.user))


@router.post("/leads/{lead_id}/decline", response={200: LeadDetailOut, 409: ErrorOut})
def decline_lead(request: HttpRequest, lead_id: int, payload: DeclineIn) -> Any:
    """The partner declines; the lead goes to the next partner."""
    _partner_only(request)
    return _act(
        request,
        lead_id,
        lambda ws, lead: services.offer_decline(
            workspace=ws, lead=lead, reason=payload.reason, note=payload.note, actor=ws.user
        ),
    )


@router.post("/leads/{lead_id}/status", response={200: LeadDetailOut, 409: ErrorOut})
def update_status(request: HttpRequest, lead_id: int, payload: StatusIn) -> Any:
    """The partner that accepted the lead reports progress: contacted, qualified, converted, disqualified."""
    _partner_only(request)
    return _act(
        request,
        lead_id,
        lambda ws, lead: services.lead_status_update(
            workspace=ws, lead=lead, status=payload.status, reason=payload.reason, actor=ws.user
        ),
    )


@router.post("/leads/{lead_id}/reassign", response={200: DecisionOut, 409: ErrorOut})
def reassign_lead(request: HttpRequest, lead_id: int, payload: ReassignIn) -> Any:
    """Vendor: withdraw the pending offer and offer the lead to a partnership, or let the engine choose again."""
    ws = _vendor_ws(request)
    lead = selectors.get_lead(ws, lead_id)
    try:
        decision = services.lead_reassign(workspace=ws, lead=lead, partnership=payload.partnership_id, actor=ws.user)
    except LeadStateError as exc:
        return Status(409, {"detail": exc.reason})
    return decision


@router.post("/leads/{lead_id}/return", response={200: LeadDetailOut, 409: ErrorOut})
def return_lead(request: HttpRequest, lead_id: int) -> Any:
    """Vendor: take the lead back into the queue, withdrawing any pending offer."""
    _vendor_ws(request)
    return _act(request, lead_id, lambda ws, lead: services.lead_return(workspace=ws, lead=lead, actor=ws.user))


@router.get("/leads/{lead_id}/decisions", response=list[DecisionOut])
def lead_decisions(request: HttpRequest, lead_id: int) -> Any:
    """Vendor: every routing decision of the lead with its explanation, newest first."""
    ws = _vendor_ws(request)
    return list(selectors.list_decisions(ws, lead=selectors.get_lead(ws, lead_id)))


@router.get("/routing-decisions", response=list[DecisionOut])
@paginate(LimitOffsetPagination)
def routing_log(request: HttpRequest, program: int | None = None) -> Any:
    """Vendor: the routing log, newest first."""
    return selectors.list_decisions(_vendor_ws(request), program=program)


# --- Settings and profiles ----------------------------------------------------------------------------


@router.get("/lead-settings/{program_id}", response=SettingsOut)
def get_settings(request: HttpRequest, program_id: int) -> Any:
    ws = _vendor_ws(request)
    return selectors.get_lead_settings(get_object_or_404(selectors.lead_programs(ws), pk=program_id))


@router.put("/lead-settings/{program_id}", response=SettingsOut)
def put_settings(request: HttpRequest, program_id: int, payload: SettingsIn) -> Any:
    """Change the program's routing settings; only the fields sent change."""
    ws = _vendor_ws(request)
    program = get_object_or_404(selectors.lead_programs(ws), pk=program_id)
    data = payload.dict(exclude_unset=True)
    return services.lead_settings_update(workspace=ws, program=program, data=data)


def _partnership(ws: Workspace, partnership_id: int) -> Partnership:
    if ws.is_vendor:
        require(ws, Perm.MANAGE_LEADS)
        return get_object_or_404(Partnership.objects.for_vendor(ws.vendor), pk=partnership_id)
    return get_object_or_404(selectors.own_partnerships(ws), pk=partnership_id)


@router.get("/partnerships/{partnership_id}/routing-profile", response=ProfileOut)
def get_profile(request: HttpRequest, partnership_id: int) -> RoutingProfile:
    """How routing sees a partnership (the vendor's, or the partner's own)."""
    ws = _ws(request)
    return selectors.get_routing_profile(_partnership(ws, partnership_id))


@router.put("/partnerships/{partnership_id}/routing-profile", response=ProfileOut)
def put_profile(request: HttpRequest, partnership_id: int, payload: ProfileIn) -> RoutingProfile:
    """Vendor: anything; partner admin: capacity, pause, languages and offices of its own partnership."""
    ws = _ws(request)
    partnership = _partnership(ws, partnership_id)
    return services.routing_profile_update(workspace=ws, partnership=partnership, data=payload.dict(exclude_unset=True))


__all__ = ["RoutingDecision", "router"]
