"""What the deals services share: the state error, the program's settings, the vendor lock, links.

The writes themselves are split by area: :mod:`.services_products`,
:mod:`.services_accounts`, :mod:`.services_registrations` and
:mod:`.services_pipeline`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import Organization, Partnership, Program
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.deals.models import ConflictLock, DealSettings


class DealStateError(Exception):
    """The object is not in a state that allows this (already decided, already won…): the API answers 409."""


def deal_settings(program: Program) -> DealSettings:
    """The program's deal settings, or the defaults (unsaved) until the vendor changes them."""
    found = DealSettings.objects.for_vendor(program.vendor_id).filter(program=program).first()
    return found or DealSettings(vendor_id=program.vendor_id, program=program)


SETTINGS_LIMITS = {
    "protection_days": (1, 3650),
    "reminder_days": (0, 365),
    "extension_days": (1, 3650),
    "name_threshold": (50, 100),
}


@transaction.atomic
def deal_settings_update(*, workspace: Workspace, program: Program, **values: int) -> DealSettings:
    """Change a program's protection, reminder and extension days or its name-match threshold."""
    require_vendor(workspace)
    if program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key not in SETTINGS_LIMITS:
            raise TypeError(f"unknown deal setting {key!r}")
        low, high = SETTINGS_LIMITS[key]
        if not isinstance(value, int) or not low <= value <= high:
            errors[key] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
    if errors:
        raise ValidationError(errors)
    DealSettings.objects.get_or_create(vendor_id=program.vendor_id, program=program)
    row = DealSettings.objects.for_vendor(program.vendor_id).select_for_update().get(program=program)
    changes = audit.diff(row, values)
    if changes:
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
        audit.record(workspace=workspace, action="deal_settings.update", obj=program, changes=changes)
    return row


def lock_vendor(vendor: Organization | int) -> ConflictLock:
    """Lock the vendor's conflict row until the transaction ends; its pk is the index generation.

    Registration submits and approvals of one vendor run one after the other
    from here on, so two of them about one customer always see each other.
    """
    vendor_id = vendor if isinstance(vendor, int) else vendor.pk
    ConflictLock.objects.get_or_create(vendor_id=vendor_id)
    return ConflictLock.objects.select_for_update().get(vendor_id=vendor_id)


def require_vendor(workspace: Workspace | None, perm: Perm = Perm.MANAGE_DEALS) -> None:
    """Vendor staff with ``perm`` (``None`` is the system acting from a task)."""
    if workspace is None:
        return
    if not workspace.is_vendor:
        raise PermissionDenied
    require(workspace, perm)


def require_actor(workspace: Workspace | None, partnership: Partnership) -> None:
    """Vendor staff who manage deals, or the partner who owns the row and may register deals."""
    if workspace is None:
        return
    if workspace.is_vendor:
        require(workspace, Perm.MANAGE_DEALS)
        return
    require(workspace, Perm.REGISTER_DEALS)
    if partnership.partner_id != workspace.organization.pk or partnership.vendor_id != workspace.vendor.pk:
        raise PermissionDenied


def page_url(name: str, vendor: Organization, pk: int) -> str:
    """The console or portal page of an object, or "" while the page is not there."""
    try:
        return reverse(name, kwargs={"vendor_slug": vendor.slug, "pk": pk})
    except NoReverseMatch:
        return ""
