"""Writes of partner management and the directory: status changes, notes, what partners publish.

Status changes follow a small state machine; each is one transaction that
locks the partnership row, records the change with its reason, and writes an
audit entry. A partner whose partnership leaves the portal statuses loses
the portal and API at its next request (the workspace is resolved every
time); apps above this one take back what the partner holds through
:data:`ON_SUSPEND`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import Partnership
from kanali.core.roles import Perm
from kanali.core.selectors import list_partnerships
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer import selectors as design
from kanali.partners.models_management import (
    DirectoryProfile,
    Industry,
    LocatorListing,
    PartnerNote,
    PartnershipStatusChange,
    Specialization,
)
from kanali.partners.selectors_management import previous_status

Status = Partnership.Status

#: Called with the partnership, inside the transaction, when it is suspended or terminated from a
#: live status. Later apps append a function that takes back what the partner holds (open leads,
#: pending deal registrations, …): ``ON_SUSPEND.append(my_hook)`` in their registrations.
ON_SUSPEND: list[Callable[[Partnership], None]] = []

SUSPENDABLE = (Status.APPROVED, Status.ONBOARDING, Status.ACTIVE)
RESTORABLE = (Status.APPROVED, Status.ONBOARDING, Status.ACTIVE)
REASON_MAX = 2000


class TransitionError(Exception):
    """The partnership's current status does not allow the change (the API answers 409)."""


def _staff(workspace: Workspace, perm: Perm) -> None:
    if not workspace.is_vendor:
        raise PermissionDenied
    require(workspace, perm)


def _lock(workspace: Workspace, partnership: Partnership) -> Partnership:
    """Re-read the partnership inside this vendor, locked for the rest of the transaction."""
    locked = Partnership.objects.for_vendor(workspace.vendor).select_for_update().filter(pk=partnership.pk).first()
    if locked is None:
        raise Http404
    return locked


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Give a reason; it is kept in the partner's history.")})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}})
    return text


def _change(workspace: Workspace, partnership: Partnership, to_status: str, reason: str, action: str) -> Partnership:
    old = partnership.status
    partnership.status = to_status
    partnership.save(update_fields=["status", "updated_at"])
    PartnershipStatusChange.objects.create(
        vendor=workspace.vendor,
        partnership=partnership,
        from_status=old,
        to_status=to_status,
        reason=reason,
        actor=workspace.user,
    )
    audit.record(
        workspace=workspace,
        action=action,
        obj=partnership,
        changes={"status": [old, to_status], "reason": [None, reason]},
    )
    return partnership


def _take_back(partnership: Partnership) -> None:
    for hook in ON_SUSPEND:
        hook(partnership)


def _label(status: str) -> str:
    return str(Status(status).label).lower()


@transaction.atomic
def partnership_suspend(*, workspace: Workspace, partnership: Partnership, reason: str) -> Partnership:
    """approved / onboarding / active → suspended: the partner's people lose the portal at once."""
    _staff(workspace, Perm.MANAGE_PARTNERS)
    text = _reason(reason)
    locked = _lock(workspace, partnership)
    if locked.status not in SUSPENDABLE:
        raise TransitionError(
            _("A partnership that is %(status)s cannot be suspended.") % {"status": _label(locked.status)}
        )
    _change(workspace, locked, Status.SUSPENDED, text, "partnership.suspend")
    _take_back(locked)
    return locked


@transaction.atomic
def partnership_reactivate(
    *, workspace: Workspace, partnership: Partnership, reason: str, to_status: str | None = None
) -> Partnership:
    """suspended → the status it had before (active when that was not recorded).

    ``to_status``, when given, must be that status: a suspension never skips onboarding.
    """
    _staff(workspace, Perm.MANAGE_PARTNERS)
    text = _reason(reason)
    locked = _lock(workspace, partnership)
    if locked.status != Status.SUSPENDED:
        raise TransitionError(
            _("Only a suspended partnership can be reactivated; this one is %(status)s.")
            % {"status": _label(locked.status)}
        )
    before = previous_status(locked)
    restore = before if before in RESTORABLE else Status.ACTIVE
    if to_status and to_status != restore:
        raise TransitionError(
            _("This partnership was %(status)s before it was suspended, and can only return to that status.")
            % {"status": _label(restore)}
        )
    return _change(workspace, locked, restore, text, "partnership.reactivate")


@transaction.atomic
def partnership_terminate(*, workspace: Workspace, partnership: Partnership, reason: str) -> Partnership:
    """Any status but terminated → terminated; final."""
    _staff(workspace, Perm.MANAGE_PARTNERS)
    text = _reason(reason)
    locked = _lock(workspace, partnership)
    if locked.status == Status.TERMINATED:
        raise TransitionError(_("This partnership is already terminated."))
    was_live = locked.status in Partnership.PORTAL_STATUSES
    _change(workspace, locked, Status.TERMINATED, text, "partnership.terminate")
    if was_live:
        _take_back(locked)
    return locked


def partnership_change_status(
    *, workspace: Workspace, partnership: Partnership, status: str, reason: str
) -> Partnership:
    """The status a client asks for, mapped to the transition that reaches it (``TransitionError`` if none)."""
    if status == Status.SUSPENDED:
        return partnership_suspend(workspace=workspace, partnership=partnership, reason=reason)
    if status == Status.TERMINATED:
        return partnership_terminate(workspace=workspace, partnership=partnership, reason=reason)
    if status in RESTORABLE and partnership.status == Status.SUSPENDED:
        return partnership_reactivate(workspace=workspace, partnership=partnership, reason=reason, to_status=status)
    if status == partnership.status:
        raise TransitionError(_("The partnership is already %(status)s.") % {"status": _label(status)})
    raise TransitionError(
        _("A partnership that is %(old)s cannot be set to %(new)s here.")
        % {"old": _label(partnership.status), "new": _label(status)}
    )


@transaction.atomic
def partnership_set_type(*, workspace: Workspace, partnership: Partnership, partner_type: str) -> Partnership:
    """Change the partner type to one of the program's designed types (design step 4)."""
    _staff(workspace, Perm.MANAGE_PARTNERS)
    locked = _lock(workspace, partnership)
    keys = set(design.partner_types(locked.program).values_list("key", flat=True))
    if partner_type not in keys:
        raise ValidationError(
            {
                "partner_type": _("Choose one of the program's partner types: %(keys)s.")
                % {"keys": ", ".join(sorted(keys)) or _("none designed yet")}
            }
        )
    changes = audit.diff(locked, {"partner_type": partner_type})
    if changes:
        locked.partner_type = partner_type
        locked.save(update_fields=["partner_type", "updated_at"])
        audit.record(workspace=workspace, action="partnership.update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def note_create(*, workspace: Workspace, partnership: Partnership, text: str) -> PartnerNote:
    """A private note of the vendor about a partnership."""
    _staff(workspace, Perm.MANAGE_PARTNERS)
    if partnership.vendor_id != workspace.vendor.pk:
        raise Http404
    note = PartnerNote(vendor=workspace.vendor, partnership=partnership, author=workspace.user, text=text.strip())
    note.full_clean()
    note.save()
    # Recorded against the partnership (so it appears in its timeline) without the note's text.
    audit.record(workspace=workspace, action="partnership.note", obj=partnership)
    return note


# --- What a partner publishes ---------------------------------------------------------


def _keys(values: Iterable[str], allowed: list[str], field: str) -> list[str]:
    keys = list(dict.fromkeys(str(v) for v in values))
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise ValidationError({field: _("Unknown choices: %(keys)s.") % {"keys": ", ".join(unknown)}})
    return keys


def _regions(values: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(str(v).strip().upper() for v in values if str(v).strip()))
    unknown = [c for c in codes if pycountry.subdivisions.get(code=c) is None]
    if unknown:
        raise ValidationError(
            {
                "regions": _("Not ISO 3166-2 region codes: %(codes)s (e.g. GR-I for Attica).")
                % {"codes": ", ".join(unknown)}
            }
        )
    return codes


@transaction.atomic
def directory_profile_update(
    *,
    workspace: Workspace,
    listed_in_ecosystem: bool,
    description: str = "",
    specializations: Iterable[str] = (),
    industries: Iterable[str] = (),
    regions: Iterable[str] = (),
    city: str = "",
    locator_partnership_ids: Iterable[int] = (),
) -> DirectoryProfile:
    """The partner's published profile, its ecosystem opt-in, and its locator opt-ins for this vendor's programs.

    The profile is the partner organization's own (shared by every listing);
    ``locator_partnership_ids`` lists which of its live partnerships with the
    workspace's vendor appear in their program's public locator; the others are
    taken out.
    """
    if not workspace.is_partner:
        raise PermissionDenied
    require(workspace, Perm.MANAGE_PARTNER_PROFILE)
    values: dict[str, Any] = {
        "listed_in_ecosystem": bool(listed_in_ecosystem),
        "description": description.strip(),
        "specializations": _keys(specializations, Specialization.values, "specializations"),
        "industries": _keys(industries, Industry.values, "industries"),
        "regions": _regions(regions),
        "city": city.strip(),
    }
    profile, _created = DirectoryProfile.objects.select_for_update().get_or_create(organization=workspace.organization)
    changes = audit.diff(profile, values)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if changes:
        audit.record(
            workspace=workspace, action="directory_profile.update", obj=workspace.organization, changes=changes
        )

    wanted = {int(pk) for pk in locator_partnership_ids}
    live = {p.pk: p for p in list_partnerships(workspace)}
    if wanted - set(live):
        raise Http404
    current = {
        row.partnership_id: row
        for row in LocatorListing.objects.for_vendor(workspace.vendor)
        .select_for_update()
        .filter(partnership_id__in=live)
    }
    for pk, partnership in live.items():
        listed = pk in wanted
        row = current.get(pk)
        if row is None and not listed:
            continue
        if row is None:
            row = LocatorListing(vendor=workspace.vendor, partnership=partnership)
        elif row.listed_in_locator == listed:
            continue
        row.listed_in_locator = listed
        row.save()
        audit.record(
            workspace=workspace,
            action="locator_listing.update",
            obj=partnership,
            changes={"listed_in_locator": [not listed, listed]},
        )
    return profile
