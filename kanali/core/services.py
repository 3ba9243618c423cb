"""Writes to tenancy data: one function per use case, one transaction each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from anyascii import anyascii
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from kanali.core import audit, hooks
from kanali.core.models import Membership, Organization, Program
from kanali.core.roles import Perm, Role, invitable_roles
from kanali.core.validators import normalize_vat
from kanali.core.workspace import Workspace

if TYPE_CHECKING:
    from kanali.accounts.models import User

ORGANIZATION_FIELDS = ("name", "country", "vat_number", "website", "require_mfa")


def unique_slug(name: str, *, taken: Any, fallback: str = "org", max_length: int = 50) -> str:
    """A URL slug from any script (Greek is transliterated), unique under ``taken``."""
    base = slugify(anyascii(name))[:max_length].strip("-") or fallback
    slug, n = base, 2
    while taken.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
        n += 1
    return slug


def require(workspace: Workspace, perm: Perm) -> None:
    if not workspace.can(perm):
        raise PermissionDenied


@transaction.atomic
def vendor_create(*, user: User, name: str, country: str = "", vat_number: str = "", website: str = "") -> Organization:
    """A new vendor organization with its owner and a first draft program."""
    org = Organization.objects.create(
        name=name,
        slug=unique_slug(name, taken=Organization.objects.all()),
        country=country,
        vat_number=normalize_vat(vat_number, country),
        website=website,
        is_vendor=True,
    )
    membership = Membership.objects.create(user=user, organization=org, role=Role.OWNER)
    program = Program.objects.create(vendor=org, name=f"{name} Partner Program", slug="partners")
    workspace = Workspace(user=user, membership=membership, vendor=org, kind="vendor")
    audit.record(workspace=workspace, action="organization.create", obj=org)
    audit.record(workspace=workspace, action="program.create", obj=program)
    return org


@transaction.atomic
def organization_update(*, workspace: Workspace, organization: Organization, **values: Any) -> Organization:
    """Update the acting organization's profile; only the listed fields may change."""
    if organization.pk != workspace.organization.pk:
        raise PermissionDenied
    require(workspace, Perm.MANAGE_ORGANIZATION if workspace.is_vendor else Perm.MANAGE_PARTNER_PROFILE)
    unknown = set(values) - {*ORGANIZATION_FIELDS, "logo"}
    if unknown:
        raise ValueError(f"Unknown organization fields: {sorted(unknown)}")
    if "logo" in values:
        if values["logo"] is None:  # no new upload: keep the current logo
            values.pop("logo")
        elif values["logo"] is False:  # "clear" ticked
            values["logo"] = ""
    if "vat_number" in values:
        values["vat_number"] = normalize_vat(values["vat_number"], values.get("country", organization.country))
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    changes = audit.diff(org, values)
    for name, value in values.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()
    if changes:
        audit.record(workspace=workspace, action="organization.update", obj=org, changes=changes)
        hooks.organization_changed(org)
    return org


@transaction.atomic
def program_create(*, workspace: Workspace, name: str) -> Program:
    require(workspace, Perm.MANAGE_PROGRAMS)
    program = Program(
        vendor=workspace.vendor,
        name=name,
        slug=unique_slug(name, taken=Program.objects.for_vendor(workspace.vendor), fallback="program"),
    )
    program.full_clean()
    program.save()
    audit.record(workspace=workspace, action="program.create", obj=program)
    return program


@transaction.atomic
def member_change_role(*, workspace: Workspace, membership: Membership, role: str) -> Membership:
    """Change a colleague's role; an organization never loses its last owner/admin."""
    perm = Perm.MANAGE_STAFF if workspace.is_vendor else Perm.INVITE_COLLEAGUES
    require(workspace, perm)
    member = Membership.objects.select_for_update().get(pk=membership.pk, organization=workspace.organization)
    if Role(role) not in invitable_roles(workspace.role):
        raise ValueError("role")
    _guard_last_admin(member, new_role=role)
    changes = audit.diff(member, {"role": role})
    member.role = role
    member.save(update_fields=["role"])
    if changes:
        audit.record(workspace=workspace, action="membership.change_role", obj=member, changes=changes)
    return member


@transaction.atomic
def member_remove(*, workspace: Workspace, membership: Membership) -> None:
    perm = Perm.MANAGE_STAFF if workspace.is_vendor else Perm.INVITE_COLLEAGUES
    require(workspace, perm)
    member = Membership.objects.select_for_update().get(pk=membership.pk, organization=workspace.organization)
    _guard_last_admin(member, new_role=None)
    audit.record(workspace=workspace, action="membership.remove", obj=member)
    member.delete()


class LastAdminError(ValueError):
    """The change would leave the organization without anyone able to manage it."""


def _guard_last_admin(member: Membership, *, new_role: str | None) -> None:
    top = Role.OWNER if member.role == Role.OWNER else Role.PARTNER_ADMIN
    if member.role != top or new_role == top:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(organization_id=member.organization_id, role=top)
        .exclude(pk=member.pk)
    )
    if not others.exists():
        raise LastAdminError
