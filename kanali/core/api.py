"""``/api/v1/partnerships``: the partnerships the acting workspace may see.

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kanali.core import selectors
from kanali.core.models import Partnership
from kanali.core.schemas import PartnershipOut
from kanali.core.workspace import Workspace

router = Router(tags=["partnerships"])


class PartnershipFilters(Schema):
    status: Partnership.Status | None = None
    program: int | None = None
    search: str = ""


def workspace_of(request: HttpRequest) -> Workspace:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/partnerships", response=list[PartnershipOut])
@paginate(LimitOffsetPagination)
def list_partnerships(request: HttpRequest, filters: Query[PartnershipFilters]):  # type: ignore[no-untyped-def]
    return selectors.list_partnerships(
        workspace_of(request),
        status=filters.status or "",
        program_id=filters.program,
        search=filters.search,
    )


@router.get("/partnerships/{partnership_id}", response=PartnershipOut)
def get_partnership(request: HttpRequest, partnership_id: int) -> Partnership:
    return selectors.get_partnership(workspace_of(request), partnership_id)
