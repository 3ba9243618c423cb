"""Route definitions for the isolation matrix (see tests/test_isolation.py).

Each app's tests add their object routes in a ``tests/<app>/routes*.py`` module
exporting ``PAGE_ROUTES`` and/or ``API_ROUTES``; the matrix merges them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kanali.accounts.services import invite_member, token_create
from kanali.core.models import Membership
from kanali.core.roles import Role
from tests.conftest import VendorActors, workspace_for


@dataclass(frozen=True)
class Route:
    """How to build the object a route takes, inside vendor A, and who owns it."""

    side: str  # "vendor" (console, owned by A's staff), "partner" (portal, A's partner 1) or "public"
    build: Callable[[VendorActors], dict[str, Any]]
    method: str = "get"
    #: API routes only: whether the owning partner (A's partner 1) may read the object too.
    partner_visible: bool = True
    #: API routes only: a JSON body for POST/PUT/PATCH.
    body: dict[str, Any] | None = None


def _partnership(a: VendorActors) -> dict[str, Any]:
    return {"partnership_id": a.partners[0].partnership.pk}


def _staff_membership(a: VendorActors) -> dict[str, Any]:
    return {"membership_id": Membership.objects.get(user=a.channel_manager, organization=a.vendor).pk}


def _partner_membership(a: VendorActors) -> dict[str, Any]:
    p = a.partners[0]
    return {"membership_id": Membership.objects.get(user=p.sales, organization=p.org).pk}


def _staff_invitation(a: VendorActors) -> dict[str, Any]:
    inv = invite_member(workspace=workspace_for(a.owner, a.vendor), email="new@acme.example.com", role=Role.TRAINER)
    return {"invitation_id": inv.pk}


def _partner_invitation(a: VendorActors) -> dict[str, Any]:
    p = a.partners[0]
    ws = workspace_for(p.admin, a.vendor, "partner")
    inv = invite_member(workspace=ws, email="colleague@p1.example.com", role=Role.PARTNER_TECHNICAL)
    return {"invitation_id": inv.pk}


def _staff_token(a: VendorActors) -> dict[str, Any]:
    return {"token_id": token_create(workspace=workspace_for(a.owner, a.vendor), name="t").token.pk}


def _partner_token(a: VendorActors) -> dict[str, Any]:
    ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    return {"token_id": token_create(workspace=ws, name="t").token.pk}


PAGE_ROUTES: dict[str, Route] = {
    "core:partner_detail": Route("vendor", _partnership),
    "accounts:vendor_member_edit": Route("vendor", _staff_membership),
    "accounts:vendor_invitation_revoke": Route("vendor", _staff_invitation, "post"),
    "accounts:vendor_token_revoke": Route("vendor", _staff_token, "post"),
    "accounts:portal_member_edit": Route("partner", _partner_membership),
    "accounts:portal_invitation_revoke": Route("partner", _partner_invitation, "post"),
    "accounts:portal_token_revoke": Route("partner", _partner_token, "post"),
}

API_ROUTES: dict[str, Route] = {
    "/api/v1/partnerships/{partnership_id}": Route("vendor", _partnership),
}
