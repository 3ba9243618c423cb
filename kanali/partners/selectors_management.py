"""Reads of partner management and the directory.

Console reads take the acting workspace and exist only for vendor staff (a
partner workspace gets ``Http404``: notes and the management view are not
theirs). The public locator has no workspace: the vendor and program come
from the URL and scope every read. The ecosystem directory is the one
deliberate cross-tenant read here, limited to what partners opted in to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kanali.core.models import AuditLog, Membership, Organization, Partnership, Program
from kanali.core.roles import PARTNER_ROLES
from kanali.core.selectors import list_partnerships
from kanali.core.workspace import Workspace
from kanali.designer.models import DesignVersion
from kanali.designer.publishing import get_public_version
from kanali.partners.models_management import (
    DirectoryProfile,
    LocatorListing,
    PartnerNote,
    PartnershipStatusChange,
)

#: A live partnership with no partner sign-in and no change for this long is flagged inactive.
INACTIVE_DAYS = 90
#: How many audit entries the partner page's activity timeline shows.
TIMELINE_LENGTH = 50


def staff_only(workspace: Workspace) -> Workspace:
    """Management data is the vendor's: for a partner it does not exist."""
    if not workspace.is_vendor:
        raise Http404
    return workspace


def inactive_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=INACTIVE_DAYS)


def json_list_contains(qs: QuerySet, field: str, key: str) -> QuerySet:
    """Rows whose JSON list ``field`` holds the string ``key`` (catalogue keys and region codes).

    JSON ``contains`` is not available on SQLite, so the list is compared as its
    JSON text, where each ASCII key appears quoted; works on SQLite and PostgreSQL.
    """
    alias = f"_{field.replace('__', '_')}_text"
    return qs.alias(**{alias: Cast(field, TextField())}).filter(**{f"{alias}__contains": f'"{key}"'})


def last_sign_in_subquery(partner_ref: str) -> Subquery:
    """The latest sign-in of any of the partner organization's users (one subquery, not one per row)."""
    logins = (
        Membership.objects.filter(organization=OuterRef(partner_ref), role__in=PARTNER_ROLES)
        .order_by()
        .values("organization")
        .annotate(latest=Max("user__last_login"))
        .values("latest")
    )
    return Subquery(logins)


def with_activity(qs: QuerySet[Partnership], now: datetime | None = None) -> QuerySet[Partnership]:
    """Annotate ``last_sign_in`` and ``is_inactive`` (live, no partner sign-in and no change for 90 days)."""
    cutoff = inactive_cutoff(now)
    return qs.annotate(last_sign_in=last_sign_in_subquery("partner")).annotate(
        is_inactive=Case(
            When(
                Q(status__in=Partnership.PORTAL_STATUSES, updated_at__lt=cutoff)
                & (Q(last_sign_in__isnull=True) | Q(last_sign_in__lt=cutoff)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def list_managed_partnerships(
    workspace: Workspace,
    *,
    search: str = "",
    program_id: int | None = None,
    status: str = "",
    partner_type: str = "",
    tier: str = "",
    country: str = "",
    region: str = "",
    activity: str = "",
) -> QuerySet[Partnership]:
    """Every partnership of the vendor with its activity, filtered; the management list and the API read this."""
    qs = list_partnerships(staff_only(workspace), status=status, program_id=program_id, search=search)
    qs = qs.select_related("partner__directory_profile")
    if partner_type:
        qs = qs.filter(partner_type=partner_type)
    if tier:
        qs = qs.filter(tier__iexact=tier)
    if country:
        qs = qs.filter(partner__country=country)
    if region:
        qs = json_list_contains(qs, "partner__directory_profile__regions", region)
    qs = with_activity(qs)
    if activity == "inactive":
        qs = qs.filter(is_inactive=True)  # type: ignore[misc]
    elif activity == "active":
        qs = qs.filter(is_inactive=False)  # type: ignore[misc]
    return qs


def get_managed_partnership(workspace: Workspace, partnership_id: int) -> Partnership:
    return get_object_or_404(list_managed_partnerships(workspace), pk=partnership_id)


def tier_choices(workspace: Workspace) -> list[str]:
    """The tier names in use among the vendor's partnerships (one query)."""
    names = (
        Partnership.objects.for_vendor(workspace.vendor)
        .exclude(tier="")
        .order_by("tier")
        .values_list("tier", flat=True)
        .distinct()
    )
    return list(dict.fromkeys(name.capitalize() for name in names))


def list_partner_organizations(workspace: Workspace, *, inactive: bool | None = None, **filters: object) -> QuerySet:
    """Partner organizations with a partnership matching the filters, each with all its partnerships here.

    The filters are those of :func:`list_managed_partnerships`; ``inactive``
    keeps organizations with at least one (in)active partnership.
    """
    matching = list_managed_partnerships(workspace, **filters)  # type: ignore[arg-type]
    if inactive is not None:
        matching = matching.filter(is_inactive=inactive)  # type: ignore[misc]
    partnerships = with_activity(
        Partnership.objects.for_vendor(workspace.vendor).select_related("program").order_by("program__name", "pk")
    )
    return (
        Organization.objects.filter(pk__in=matching.order_by().values("partner_id"))
        .select_related("directory_profile")
        .annotate(last_sign_in=last_sign_in_subquery("pk"))
        .prefetch_related(Prefetch("partnerships", queryset=partnerships, to_attr="vendor_partnerships"))
        .order_by("name", "pk")
    )


# --- The partner page ----------------------------------------------------------


def list_notes(workspace: Workspace, partnership: Partnership) -> QuerySet[PartnerNote]:
    return (
        PartnerNote.objects.for_vendor(staff_only(workspace).vendor)
        .filter(partnership=partnership)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def status_history(workspace: Workspace, partnership: Partnership) -> QuerySet[PartnershipStatusChange]:
    return (
        PartnershipStatusChange.objects.for_vendor(staff_only(workspace).vendor)
        .filter(partnership=partnership)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def previous_status(partnership: Partnership) -> str | None:
    """The status a suspended partnership had before its latest suspension, if recorded."""
    change = (
        PartnershipStatusChange.objects.for_vendor(partnership.vendor_id)
        .filter(partnership=partnership, to_status=Partnership.Status.SUSPENDED)
        .order_by("-created_at", "-pk")
        .first()
    )
    return change.from_status if change else None


def partnership_timeline(workspace: Workspace, partnership: Partnership) -> QuerySet[AuditLog]:
    """Audit entries in this vendor about the partnership or its organization, or by the partner's people."""
    partner = partnership.partner_id
    about = (
        Q(object_type="core.partnership", object_id=str(partnership.pk))
        | Q(object_type="core.organization", object_id=str(partner))
        | Q(organization_id=partner)
    )
    return (
        AuditLog.objects.filter(vendor=staff_only(workspace).vendor)
        .filter(about)
        .select_related("actor", "organization")
        .order_by("-created_at", "-id")[:TIMELINE_LENGTH]
    )


def get_directory_profile(organization: Organization) -> DirectoryProfile:
    """The organization's profile, or an unsaved blank one."""
    profile = DirectoryProfile.objects.filter(organization=organization).first()
    return profile or DirectoryProfile(organization=organization)


def locator_listed_ids(workspace: Workspace, partnership_ids: list[int]) -> set[int]:
    """Which of these partnerships (of the workspace's vendor) are listed in their program's locator."""
    return set(
        LocatorListing.objects.for_vendor(workspace.vendor)
        .filter(partnership_id__in=partnership_ids, listed_in_locator=True)
        .values_list("partnership_id", flat=True)
    )


# --- Partner portal ----------------------------------------------------------------


def portal_partnerships(workspace: Workspace) -> list[Partnership]:
    """The partner's live partnerships with this vendor: the programs whose locator it may join."""
    if not workspace.is_partner:
        raise Http404
    return list(list_partnerships(workspace))


# --- The public locator ----------------------------------------------------------------


@dataclass(frozen=True)
class LocatorProgram:
    program: Program
    version: DesignVersion


def get_locator_program(vendor_slug: str, program_slug: str) -> LocatorProgram:
    """A program with a published version; anything else does not exist for visitors (404)."""
    version = get_public_version(vendor_slug, program_slug)
    program = Program.objects.for_vendor(version.vendor_id).select_related("vendor").get(pk=version.program_id)
    return LocatorProgram(program=program, version=version)


def list_locator_partners(
    program: Program,
    *,
    country: str = "",
    region: str = "",
    partner_type: str = "",
    tier: str = "",
    specialization: str = "",
) -> QuerySet[Partnership]:
    """Active partnerships of the program whose partner opted in to this program's locator."""
    listed = LocatorListing.objects.for_vendor(program.vendor_id).filter(
        partnership=OuterRef("pk"), listed_in_locator=True
    )
    qs = (
        Partnership.objects.for_vendor(program.vendor_id)
        .filter(program=program, status=Partnership.Status.ACTIVE)
        .filter(Exists(listed))
        .select_related("partner__directory_profile")
        .order_by("partner__name", "pk")
    )
    if country:
        qs = qs.filter(partner__country=country)
    if region:
        qs = json_list_contains(qs, "partner__directory_profile__regions", region)
    if partner_type:
        qs = qs.filter(partner_type=partner_type)
    if tier:
        qs = qs.filter(tier__iexact=tier)
    if specialization:
        qs = json_list_contains(qs, "partner__directory_profile__specializations", specialization)
    return qs


# --- The ecosystem directory ---------------------------------------------------------------


def list_ecosystem(
    workspace: Workspace,
    *,
    search: str = "",
    country: str = "",
    region: str = "",
    specialization: str = "",
    industry: str = "",
) -> QuerySet[DirectoryProfile]:
    """Partner organizations across the installation that chose to be listed.

    Deliberately cross-tenant: any vendor's staff may discover any partner
    that opted in (``listed_in_ecosystem``). Only the organization's public
    fields and its directory profile are read; nothing of its partnerships
    with other vendors. ``partners_here`` marks those already in one of this
    vendor's programs (read within this vendor only).
    """
    here = Partnership.objects.for_vendor(staff_only(workspace).vendor).filter(partner=OuterRef("organization"))
    qs = (
        DirectoryProfile.objects.filter(listed_in_ecosystem=True, organization__is_partner=True)
        .exclude(organization=workspace.organization)
        .select_related("organization")
        .annotate(partners_here=Exists(here))
        .order_by("organization__name", "pk")
    )
    if search:
        qs = qs.filter(Q(organization__name__icontains=search) | Q(description__icontains=search))
    if country:
        qs = qs.filter(organization__country=country)
    if region:
        qs = json_list_contains(qs, "regions", region)
    if specialization:
        qs = json_list_contains(qs, "specializations", specialization)
    if industry:
        qs = json_list_contains(qs, "industries", industry)
    return qs
