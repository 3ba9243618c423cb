"""Reads of tenancy data; every one takes the acting workspace."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from kanali.core.models import AuditLog, Membership, Organization, Partnership, Program
from kanali.core.roles import PARTNER_ROLES, VENDOR_ROLES
from kanali.core.workspace import Workspace


def list_programs(workspace: Workspace) -> QuerySet[Program]:
    programs = Program.objects.for_vendor(workspace.vendor)
    if workspace.is_partner:
        programs = programs.filter(
            partnerships__partner=workspace.organization,
            partnerships__status__in=Partnership.PORTAL_STATUSES,
        ).distinct()
    return programs


def get_program(workspace: Workspace, program_id: int) -> Program:
    return get_object_or_404(list_programs(workspace), pk=program_id)


def list_partnerships(
    workspace: Workspace, *, status: str = "", program_id: int | None = None, search: str = ""
) -> QuerySet[Partnership]:
    """Vendor staff see every partnership of the vendor; a partner only its own live ones."""
    qs = Partnership.objects.for_vendor(workspace.vendor).select_related("partner", "program")
    if workspace.is_partner:
        qs = qs.filter(partner=workspace.organization, status__in=Partnership.PORTAL_STATUSES)
    if status:
        qs = qs.filter(status=status)
    if program_id:
        qs = qs.filter(program_id=program_id)
    if search:
        qs = qs.filter(partner__name__icontains=search)
    return qs.order_by("partner__name", "pk")


def get_partnership(workspace: Workspace, partnership_id: int) -> Partnership:
    return get_object_or_404(list_partnerships(workspace), pk=partnership_id)


def partnership_status_counts(workspace: Workspace) -> dict[str, int]:
    rows = list_partnerships(workspace).order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    return dict(rows)


def list_members(organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")


def list_staff(workspace: Workspace) -> QuerySet[Membership]:
    return list_members(workspace.organization).filter(role__in=VENDOR_ROLES)


def list_colleagues(workspace: Workspace) -> QuerySet[Membership]:
    return list_members(workspace.organization).filter(role__in=PARTNER_ROLES)


def get_member(workspace: Workspace, membership_id: int) -> Membership:
    return get_object_or_404(list_members(workspace.organization), pk=membership_id)


def list_partner_people(workspace: Workspace, partnership: Partnership) -> QuerySet[Membership]:
    """The partner's users, visible to the vendor that partners with it."""
    return list_members(partnership.partner).filter(role__in=PARTNER_ROLES)


def list_audit_entries(workspace: Workspace) -> QuerySet[AuditLog]:
    return AuditLog.objects.filter(vendor=workspace.vendor).select_related("actor", "organization")
