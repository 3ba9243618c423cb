"""``/api/v1/partners``, ``PATCH /api/v1/partnerships/{id}`` and a partnership's notes: vendor staff only.

A partner token gets 404 on all of them: the management view and the notes
are the vendor's. (``GET /partnerships`` and ``GET /partnerships/{id}`` live
in ``kanali/core/api.py``.)

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import model_validator

from kanali.core.api import router as partnerships_router
from kanali.core.models import Partnership
from kanali.core.roles import Perm
from kanali.core.schemas import PartnershipOut, ProgramOut
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.partners import selectors_management as selectors
from kanali.partners import services_management as services
from kanali.partners.models_management import PartnerNote

router = Router(tags=["partners"])


def staff_workspace(request: HttpRequest) -> Workspace:
    return selectors.staff_only(request.auth)  # type: ignore[attr-defined]


# --- Schemas ---------------------------------------------------------------------


class PartnerPartnershipOut(Schema):
    id: int
    program: ProgramOut
    status: str
    partner_type: str
    tier: str
    inactive: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_inactive(obj: Any) -> bool:
        return bool(getattr(obj, "is_inactive", False))


class PartnerOut(Schema):
    id: int
    name: str
    slug: str
    country: str
    website: str
    city: str
    regions: list[str]
    last_sign_in: datetime | None
    partnerships: list[PartnerPartnershipOut]

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return str(obj.country or "")

    @staticmethod
    def _profile(obj: Any) -> Any:
        # A missing reverse one-to-one raises a subclass of AttributeError, so getattr's default applies.
        return getattr(obj, "directory_profile", None)

    @staticmethod
    def resolve_city(obj: Any) -> str:
        profile = PartnerOut._profile(obj)
        return profile.city if profile else ""

    @staticmethod
    def resolve_regions(obj: Any) -> list[str]:
        profile = PartnerOut._profile(obj)
        return list(profile.regions) if profile else []

    @staticmethod
    def resolve_partnerships(obj: Any) -> list[Any]:
        return list(obj.vendor_partnerships)


class PartnerFilters(Schema):
    search: str = ""
    program: int | None = None
    status: Partnership.Status | None = None
    partner_type: str = ""
    tier: str = ""
    country: str = Field("", description="ISO 3166-1 alpha-2 code of the partner's country")
    region: str = Field("", description="ISO 3166-2 code the partner serves (from its directory profile)")
    inactive: bool | None = Field(
        None, description="Only partners with an inactive (true) or active (false) partnership"
    )


class PartnershipPatch(Schema):
    status: Partnership.Status | None = None
    reason: str = Field("", description="Required when status changes; kept in the partnership's history")
    partner_type: str | None = Field(None, description="A key of the program's designed partner types")

    @model_validator(mode="after")
    def _something(self) -> "PartnershipPatch":
        if self.status is None and self.partner_type is None:
            raise ValueError("Send status (with reason) or partner_type.")
        return self


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)


class NoteOut(Schema):
    id: int
    partnership_id: int
    text: str
    author: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: PartnerNote) -> str | None:
        return obj.author.email if obj.author else None


class ErrorOut(Schema):
    detail: Any


# --- Routes -------------------------------------------------------------------------


@router.get("/partners", response=list[PartnerOut])
@paginate(LimitOffsetPagination)
def list_partners(request: HttpRequest, filters: Query[PartnerFilters]):  # type: ignore[no-untyped-def]
    """Partner organizations in the vendor's programs, each with all its partnerships here.

    The filters keep organizations with at least one partnership that matches them all.
    """
    workspace = staff_workspace(request)
    return selectors.list_partner_organizations(
        workspace,
        inactive=filters.inactive,
        search=filters.search,
        program_id=filters.program,
        status=filters.status or "",
        partner_type=filters.partner_type,
        tier=filters.tier,
        country=filters.country.upper(),
        region=filters.region.strip().upper(),
    )


# Registered on core's partnerships router: django-ninja gives each router its own URL pattern, so a
# PATCH on a second router with the same path would never be reached (core's GET pattern answers 405).
# core cannot import partners, so the higher app plugs its operation into the lower app's router.
@partnerships_router.patch(
    "/partnerships/{partnership_id}", response={200: PartnershipOut, 409: ErrorOut, 422: ErrorOut}, tags=["partners"]
)
def patch_partnership(request: HttpRequest, partnership_id: int, payload: PartnershipPatch) -> Any:
    """Change the partner type and/or the status (suspend, reactivate, terminate) with a reason.

    A transition the current status does not allow is 409; an unknown partner
    type or a missing reason is 422. Both changes happen together or not at all.
    """
    workspace = staff_workspace(request)
    partnership = selectors.get_managed_partnership(workspace, partnership_id)
    require(workspace, Perm.MANAGE_PARTNERS)
    try:
        with transaction.atomic():
            if payload.partner_type is not None:
                partnership = services.partnership_set_type(
                    workspace=workspace, partnership=partnership, partner_type=payload.partner_type
                )
            if payload.status is not None:
                partnership = services.partnership_change_status(
                    workspace=workspace, partnership=partnership, status=payload.status, reason=payload.reason
                )
    except services.TransitionError as exc:
        raise HttpError(409, str(exc)) from exc
    except ValidationError as exc:
        return Status(422, {"detail": exc.message_dict if hasattr(exc, "error_dict") else exc.messages})
    return Status(200, selectors.get_managed_partnership(workspace, partnership.pk))


@router.get("/partnerships/{partnership_id}/notes", response=list[NoteOut])
@paginate(LimitOffsetPagination)
def list_notes(request: HttpRequest, partnership_id: int):  # type: ignore[no-untyped-def]
    """The vendor's private notes on a partnership, newest first."""
    workspace = staff_workspace(request)
    partnership = selectors.get_managed_partnership(workspace, partnership_id)
    return selectors.list_notes(workspace, partnership)


@router.post("/partnerships/{partnership_id}/notes", response={201: NoteOut, 422: ErrorOut})
def create_note(request: HttpRequest, partnership_id: int, payload: NoteIn) -> Any:
    workspace = staff_workspace(request)
    partnership = selectors.get_managed_partnership(workspace, partnership_id)
    if not payload.text.strip():
        return Status(422, {"detail": {"text": [_("Write the note.")]}})
    return Status(201, services.note_create(workspace=workspace, partnership=partnership, text=payload.text))
