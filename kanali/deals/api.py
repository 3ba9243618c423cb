"""``/deal-registrations``, ``/deals``, ``/deal-pipeline``, ``/accounts`` and ``/products``.

A partner sees only its own registrations and deals (another partner's is a
404) and never the conflicting records: its serialiser says only whether the
registration conflicts with an existing record. Vendor-only actions
(approve, reject, decide an extension, reopen) are 404 for partners, like the
vendor console's pages; acting in a state that does not allow it is 409.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from kanali.core.selectors import get_program
from kanali.core.workspace import Workspace
from kanali.deals import imports, services_accounts, services_pipeline, services_products, services_registrations
from kanali.deals import selectors as sel
from kanali.deals.models import Account, Deal, DealRegistration, DealStageChange
from kanali.deals.services import DealStateError

router = Router(tags=["deals"])

T = TypeVar("T")


class Mapped(Generic[T]):
    """A queryset the paginator slices and counts, each row turned into a dict only after slicing."""

    def __init__(self, qs: QuerySet[Any], fn: Callable[[Any], T]) -> None:
        self.qs, self.fn = qs, fn

    def all(self) -> "Mapped[T]":
        return self

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[T]:
        return [self.fn(row) for row in self.qs[key]]

    def __iter__(self) -> Iterator[T]:
        return (self.fn(row) for row in self.qs)


def workspace_of(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def vendor_only(request: HttpRequest) -> Workspace:
    """The vendor console's actions do not exist for a partner (404, as the pages)."""
    ws = workspace_of(request)
    if not ws.is_vendor:
        raise Http404
    return ws


class ErrorOut(Schema):
    detail: Any


# --- products -----------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    program_id: int
    code: str
    name: str
    active: bool


class ProductIn(Schema):
    program_id: int
    code: str
    name: str
    active: bool = True


class ProductFilter(Schema):
    program_id: int | None = None
    active: bool | None = None


@router.get("/products", response=list[ProductOut])
@paginate(LimitOffsetPagination)
def list_products(request: HttpRequest, filters: Query[ProductFilter]):  # type: ignore[no-untyped-def]
    """Vendor staff: the catalogue. A partner: the active products it may register."""
    return sel.list_products(workspace_of(request), program_id=filters.program_id, active=filters.active)


@router.post("/products", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    ws = workspace_of(request)
    if not ws.is_vendor:
        raise PermissionDenied
    program = get_program(ws, payload.program_id)
    product = services_products.product_create(
        workspace=ws, program=program, name=payload.name, code=payload.code, active=payload.active
    )
    return Status(201, product)


# --- accounts ------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    name: str
    domain: str
    vat_number: str
    country: str
    external_id: str
    source: str
    created_at: datetime

    @staticmethod
    def resolve_country(obj: Account) -> str:
        return str(obj.country or "")


class AccountIn(Schema):
    name: str
    domain: str = ""
    vat_number: str = ""
    country: str = ""
    external_id: str = ""


class AccountFilter(Schema):
    search: str = ""
    source: str = ""


class ImportRowErrorOut(Schema):
    row: int
    errors: dict[str, list[str]]


class ImportOut(Schema):
    dry_run: bool
    preset: str
    row_count: int
    created: int
    updated: int
    errors: list[ImportRowErrorOut]


@router.get("/accounts", response=list[AccountOut])
@paginate(LimitOffsetPagination)
def list_accounts(request: HttpRequest, filters: Query[AccountFilter]):  # type: ignore[no-untyped-def]
    """The vendor's known customers and prospects (vendor staff only)."""
    return sel.list_accounts(workspace_of(request), search=filters.search, source=filters.source)


@router.post("/accounts", response={201: AccountOut})
def create_account(request: HttpRequest, payload: AccountIn) -> Any:
    account = services_accounts.account_create(workspace=workspace_of(request), **payload.dict())
    return Status(201, account)


@router.post("/accounts/import", response={200: ImportOut, 422: ErrorOut})
def import_accounts(
    request: HttpRequest,
    file: File[UploadedFile],
    preset: Form[str] = "",
    dry_run: Form[bool] = True,
) -> Any:
    """A CSV or XLSX of accounts (presets: ``salesforce``, ``hubspot``, or our own headings).

    ``dry_run`` (the default) only checks; without it every row is created or
    updated (same ``external_id``), or — if any row has an error — none is.
    """
    ws = workspace_of(request)
    result = imports.import_accounts(
        workspace=ws, content=file.read(), filename=file.name or "", preset=preset, dry_run=dry_run
    )
    status = 200 if not result.errors else 422
    body = result.as_dict()
    if status == 422:
        return Status(422, {"detail": body})
    return body


# --- registrations --------------------------------------------------------------------


class ConflictOut(Schema):
    kind: str
    id: int
    reason: str
    reasons: list[str] = []
    score: float
    label: str = ""
    owner: int | None = None
    owner_name: str = ""
    status: str = ""


class RegistrationOut(Schema):
    id: int
    program_id: int
    partnership_id: int
    partner_name: str
    company: str
    domain: str
    vat_number: str
    country: str
    contact_name: str
    contact_email: str
    products: list[str]
    estimated_value: Decimal
    currency: str
    expected_close: date
    notes: str
    status: str
    in_conflict: bool
    #: For a partner: a sentence, never whose record it is. For vendor staff: the same, with ``conflicts``.
    conflict_message: str
    #: Vendor staff only (always empty for a partner): the conflicting records, reason and score.
    conflicts: list[ConflictOut]
    account_id: int | None
    deal_id: int | None
    decided_at: datetime | None
    rejection_reason: str
    protected_until: date | None
    extension_requested_at: datetime | None
    extension_decided_at: datetime | None
    extension_granted: bool
    created_at: datetime


def _registration(reg: DealRegistration, *, vendor: bool) -> dict[str, Any]:
    """One serialiser per side: the partner's never carries other partners' records."""
    deal = getattr(reg, "deal", None)  # select_related by the selector; None when not approved
    return {
        "id": reg.pk,
        "program_id": reg.program_id,
        "partnership_id": reg.partnership_id,
        "partner_name": reg.partnership.partner.name,
        "company": reg.company,
        "domain": reg.domain,
        "vat_number": reg.vat_number,
        "country": str(reg.country),
        "contact_name": reg.contact_name,
        "contact_email": reg.contact_email,
        "products": reg.products,
        "estimated_value": reg.estimated_value,
        "currency": reg.currency,
        "expected_close": reg.expected_close,
        "notes": reg.notes,
        "status": reg.status,
        "in_conflict": reg.in_conflict,
        "conflict_message": _("This registration conflicts with an existing record.") if reg.in_conflict else "",
        "conflicts": reg.conflicts if vendor else [],
        "account_id": reg.account_id if vendor else None,
        "deal_id": deal.pk if deal is not None else None,
        "decided_at": reg.decided_at,
        "rejection_reason": reg.rejection_reason,
        "protected_until": reg.protected_until,
        "extension_requested_at": reg.extension_requested_at,
        "extension_decided_at": reg.extension_decided_at,
        "extension_granted": reg.extension_granted,
        "created_at": reg.created_at,
    }


def _serialise_for(ws: Workspace) -> Callable[[DealRegistration], dict[str, Any]]:
    return lambda reg: _registration(reg, vendor=ws.is_vendor)


class RegistrationIn(Schema):
    #: Needed only when the partner is in several of the vendor's programs.
    program_id: int | None = None
    company: str = ""
    domain: str = ""
    vat_number: str = ""
    country: str = ""
    contact_name: str = ""
    contact_email: str = ""
    products: list[str] = []
    estimated_value: Decimal | str | None = None
    currency: str = ""
    expected_close: str = ""
    notes: str = ""


class RegistrationFilter(Schema):
    status: str = ""
    program_id: int | None = None
    partnership_id: int | None = None
    in_conflict: bool | None = None
    search: str = ""


class ApproveIn(Schema):
    #: Approve even though another partner's registration claims the customer first.
    override: bool = False
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ExtensionDecisionIn(Schema):
    grant: bool
    note: str = ""


def _state(fn: Callable[..., T], **kwargs: Any) -> T:
    try:
        return fn(**kwargs)
    except DealStateError as exc:
        raise HttpError(409, str(exc)) from exc


@router.get("/deal-registrations", response=list[RegistrationOut])
@paginate(LimitOffsetPagination)
def list_registrations(request: HttpRequest, filters: Query[RegistrationFilter]):  # type: ignore[no-untyped-def]
    ws = workspace_of(request)
    qs = sel.list_registrations(ws, **filters.dict())
    return Mapped(qs, _serialise_for(ws))


@router.post("/deal-registrations", response={201: RegistrationOut})
def create_registration(request: HttpRequest, payload: RegistrationIn) -> Any:
    """A partner registers an opportunity; field errors are 422, the conflict check runs on save."""
    ws = workspace_of(request)
    if not ws.is_partner:
        raise PermissionDenied
    data = payload.dict()
    partnership = sel.partnership_for(ws, data.pop("program_id"))
    reg = services_registrations.registration_submit(workspace=ws, partnership=partnership, data=data)
    return Status(201, _registration(reg, vendor=False))


@router.get("/deal-registrations/{registration_id}", response=RegistrationOut)
def get_registration(request: HttpRequest, registration_id: int) -> dict[str, Any]:
    ws = workspace_of(request)
    return _registration(sel.get_registration(ws, registration_id), vendor=ws.is_vendor)


@router.post("/deal-registrations/{registration_id}/approve", response={200: RegistrationOut, 409: ErrorOut})
def approve_registration(request: HttpRequest, registration_id: int, payload: ApproveIn) -> dict[str, Any]:
    """First valid registration wins: refused (409) while another claims the customer first, unless ``override``."""
    ws = vendor_only(request)
    reg = _state(
        services_registrations.registration_approve,
        workspace=ws,
        registration=sel.get_registration(ws, registration_id),
        override=payload.override,
        note=payload.note,
    )
    return _registration(sel.get_registration(ws, reg.pk), vendor=True)


@router.post("/deal-registrations/{registration_id}/reject", response={200: RegistrationOut, 409: ErrorOut})
def reject_registration(request: HttpRequest, registration_id: int, payload: ReasonIn) -> dict[str, Any]:
    ws = vendor_only(request)
    reg = _state(
        services_registrations.registration_reject,
        workspace=ws,
        registration=sel.get_registration(ws, registration_id),
        reason=payload.reason,
    )
    return _registration(reg, vendor=True)


@router.post("/deal-registrations/{registration_id}/extend", response={200: RegistrationOut, 409: ErrorOut})
def request_extension(request: HttpRequest, registration_id: int, payload: ReasonIn) -> dict[str, Any]:
    """The partner asks once to extend an approved registration's protection."""
    ws = workspace_of(request)
    reg = sel.get_registration(ws, registration_id)
    if not ws.is_partner:
        raise PermissionDenied
    reg = _state(services_registrations.extension_request, workspace=ws, registration=reg, reason=payload.reason)
    return _registration(reg, vendor=False)


@router.post("/deal-registrations/{registration_id}/withdraw", response={200: RegistrationOut, 409: ErrorOut})
def withdraw_registration(request: HttpRequest, registration_id: int) -> dict[str, Any]:
    """The partner takes back a registration the vendor has not decided yet."""
    ws = workspace_of(request)
    reg = sel.get_registration(ws, registration_id)
    if not ws.is_partner:
        raise PermissionDenied
    reg = _state(services_registrations.registration_withdraw, workspace=ws, registration=reg)
    return _registration(reg, vendor=False)


@router.post("/deal-registrations/{registration_id}/extension", response={200: RegistrationOut, 409: ErrorOut})
def decide_extension(request: HttpRequest, registration_id: int, payload: ExtensionDecisionIn) -> dict[str, Any]:
    ws = vendor_only(request)
    reg = _state(
        services_registrations.extension_decide,
        workspace=ws,
        registration=sel.get_registration(ws, registration_id),
        grant=payload.grant,
        note=payload.note,
    )
    return _registration(reg, vendor=True)


# --- deals ------------------------------------------------------------------------------------


class DealOut(Schema):
    id: int
    program_id: int
    partnership_id: int
    partner_name: str
    registration_id: int | None
    lead_id: int | None
    account_id: int | None
    account_name: str
    name: str
    amount: Decimal
    currency: str
    products: list[str]
    stage: str
    stage_position: int
    probability: int
    expected_close: date | None
    status: str
    won_at: datetime | None
    lost_reason: str
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_partner_name(obj: Deal) -> str:
        return obj.partnership.partner.name

    @staticmethod
    def resolve_account_name(obj: Deal) -> str:
        return obj.account.name if obj.account is not None else ""


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    from_status: str
    to_status: str
    actor_email: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_actor_email(obj: DealStageChange) -> str:
        return obj.actor.email if obj.actor is not None else ""


class DealDetailOut(DealOut):
    history: list[StageChangeOut]

    @staticmethod
    def resolve_history(obj: Deal) -> list[DealStageChange]:
        return list(sel.stage_history(obj))


class DealFilter(Schema):
    status: str = ""
    program_id: int | None = None
    partnership_id: int | None = None
    stage_position: int | None = None
    search: str = ""


class StageIn(Schema):
    stage_position: int
    note: str = ""


class WonIn(Schema):
    #: The final amount in the deal's currency; the current amount when left out.
    amount: Decimal | str | None = None
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class PipelineTotalOut(Schema):
    currency: str
    count: int
    amount: Decimal
    weighted: Decimal


@router.get("/deals", response=list[DealOut])
@paginate(LimitOffsetPagination)
def list_deals(request: HttpRequest, filters: Query[DealFilter]):  # type: ignore[no-untyped-def]
    return sel.list_deals(workspace_of(request), **filters.dict())


@router.get("/deal-pipeline", response=list[PipelineTotalOut])
def pipeline_totals(request: HttpRequest, filters: Query[DealFilter]) -> Any:
    """Open deals per currency: their total and the total weighted by each stage's win probability."""
    return sel.weighted_pipeline(sel.list_deals(workspace_of(request), **filters.dict()))


@router.get("/deals/{deal_id}", response=DealDetailOut)
def get_deal(request: HttpRequest, deal_id: int) -> Deal:
    return sel.get_deal(workspace_of(request), deal_id)


def _fresh(ws: Workspace, deal: Deal) -> Deal:
    return sel.get_deal(ws, deal.pk)


@router.post("/deals/{deal_id}/stage", response={200: DealDetailOut, 409: ErrorOut})
def move_deal(request: HttpRequest, deal_id: int, payload: StageIn) -> Deal:
    ws = workspace_of(request)
    deal = sel.get_deal(ws, deal_id)
    _state(
        services_pipeline.deal_move, workspace=ws, deal=deal, stage_position=payload.stage_position, note=payload.note
    )
    return _fresh(ws, deal)


@router.post("/deals/{deal_id}/won", response={200: DealDetailOut, 409: ErrorOut})
def win_deal(request: HttpRequest, deal_id: int, payload: WonIn) -> Deal:
    ws = workspace_of(request)
    deal = sel.get_deal(ws, deal_id)
    _state(services_pipeline.deal_won, workspace=ws, deal=deal, amount=payload.amount, note=payload.note)
    return _fresh(ws, deal)


@router.post("/deals/{deal_id}/lost", response={200: DealDetailOut, 409: ErrorOut})
def lose_deal(request: HttpRequest, deal_id: int, payload: ReasonIn) -> Deal:
    ws = workspace_of(request)
    deal = sel.get_deal(ws, deal_id)
    _state(services_pipeline.deal_lost, workspace=ws, deal=deal, reason=payload.reason)
    return _fresh(ws, deal)


@router.post("/deals/{deal_id}/reopen", response={200: DealDetailOut, 409: ErrorOut})
def reopen_deal(request: HttpRequest, deal_id: int, payload: NoteIn) -> Deal:
    """Vendor staff only: reopening a won deal reverses its win (commission clawback)."""
    ws = vendor_only(request)
    deal = sel.get_deal(ws, deal_id)
    _state(services_pipeline.deal_reopen, workspace=ws, deal=deal, note=payload.note)
    return _fresh(ws, deal)
