"""The acting workspace: who acts, as which organization and role, in which vendor.

A workspace is resolved from the URL (``/v/<vendor>/`` is the vendor console,
``/p/<vendor>/`` the partner portal) or from an API token, and is passed to
every selector and service. Nothing else decides what a request may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.urls import reverse

from kanali.core.models import Membership, Organization, Partnership
from kanali.core.roles import PARTNER_ROLES, PERMISSIONS, VENDOR_ROLES, Perm, Role, role_can

if TYPE_CHECKING:
    from kanali.accounts.models import User

Kind = Literal["vendor", "partner"]


@dataclass(frozen=True)
class Workspace:
    user: User
    membership: Membership
    vendor: Organization
    kind: Kind
    ip: str | None = field(default=None, compare=False)

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    @property
    def is_vendor(self) -> bool:
        return self.kind == "vendor"

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"

    def can(self, perm: Perm) -> bool:
        return role_can(self.role, perm)

    @property
    def perms(self) -> frozenset[str]:
        """Permission names for templates: ``{% if "invite_partners" in ws.perms %}``."""
        return frozenset(str(p) for p in PERMISSIONS.get(self.role, frozenset()))

    @property
    def home_url(self) -> str:
        name = "core:vendor_home" if self.is_vendor else "core:portal_home"
        return reverse(name, kwargs={"vendor_slug": self.vendor.slug})


@dataclass(frozen=True)
class WorkspaceLink:
    """One entry of the workspace switcher."""

    kind: Kind
    vendor: Organization
    organization: Organization
    role: Role

    @property
    def url(self) -> str:
        name = "core:vendor_home" if self.kind == "vendor" else "core:portal_home"
        return reverse(name, kwargs={"vendor_slug": self.vendor.slug})


def resolve_vendor_workspace(user: User, vendor_slug: str, *, ip: str | None = None) -> Workspace | None:
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(
            user=user,
            organization__slug=vendor_slug,
            organization__is_vendor=True,
            role__in=VENDOR_ROLES,
        )
        .first()
    )
    if membership is None:
        return None
    return Workspace(user=user, membership=membership, vendor=membership.organization, kind="vendor", ip=ip)


def resolve_partner_workspace(
    user: User, vendor_slug: str, *, ip: str | None = None, organization_id: int | None = None
) -> Workspace | None:
    """The user's partner organization that has a live partnership with this vendor."""
    if not user.is_authenticated:
        return None
    vendor = Organization.objects.filter(slug=vendor_slug, is_vendor=True).first()
    if vendor is None:
        return None
    memberships = (
        Membership.objects.select_related("organization", "user")
        .filter(
            user=user,
            role__in=PARTNER_ROLES,
            organization__partnerships__vendor=vendor,
            organization__partnerships__status__in=Partnership.PORTAL_STATUSES,
        )
        .distinct()
        .order_by("organization__name")
    )
    if organization_id is not None:
        memberships = memberships.filter(organization_id=organization_id)
    membership = memberships.first()
    if membership is None:
        return None
    return Workspace(user=user, membership=membership, vendor=vendor, kind="partner", ip=ip)


def resolve_workspace(user: User, kind: Kind, vendor_slug: str, *, ip: str | None = None) -> Workspace | None:
    if kind == "vendor":
        return resolve_vendor_workspace(user, vendor_slug, ip=ip)
    return resolve_partner_workspace(user, vendor_slug, ip=ip)


def list_workspaces(user: User) -> list[WorkspaceLink]:
    """Every console and portal the user can open, in two queries."""
    if not user.is_authenticated:
        return []
    memberships = list(Membership.objects.select_related("organization").filter(user=user))
    links = [
        WorkspaceLink("vendor", m.organization, m.organization, Role(m.role))
        for m in memberships
        if m.role in VENDOR_ROLES and m.organization.is_vendor
    ]
    partner_memberships = {m.organization_id: m for m in memberships if m.role in PARTNER_ROLES}
    if partner_memberships:
        # Deliberately across vendors: the user's own partner organizations' programs.
        rows = (
            Partnership.unscoped.filter(partner_id__in=partner_memberships, status__in=Partnership.PORTAL_STATUSES)
            .select_related("vendor")
            .order_by("vendor__name")
        )
        seen: set[tuple[int, int]] = set()
        for p in rows:
            key = (p.vendor_id, p.partner_id)
            if key in seen:
                continue
            seen.add(key)
            m = partner_memberships[p.partner_id]
            links.append(WorkspaceLink("partner", p.vendor, m.organization, Role(m.role)))
    return links
