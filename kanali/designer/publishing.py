"""Publishing: freeze a numbered version of the design that partners and the public see.

Editing never changes what partners see; only :func:`publish` does, and it
refuses an incomplete design and asks before a change lands within 90 days of
the last one (frequent changes hurt a channel program: sales take about that
long to appear).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanali.core import audit
from kanali.core.models import Organization, Program
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.designer import selectors
from kanali.designer.models import DesignVersion
from kanali.designer.readiness import MIN_DAYS_BETWEEN_VERSIONS, missing_required, step_status
from kanali.designer.services import ensure_design
from kanali.designer.snapshot import build_snapshot, load_design


class FrequentChangeWarning(Exception):
    """The previous version is less than 90 days old; publish again only when the vendor confirms."""

    def __init__(self, previous: DesignVersion, days: int) -> None:
        self.previous = previous
        self.days = days
        when = _("today") if days == 0 else ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}
        super().__init__(
            _(
                "Version %(n)d was published %(when)s. Changing a channel program often confuses partners; "
                "leave at least %(min)d days before judging a change, since sales take about that long to appear."
            )
            % {"n": previous.number, "when": when, "min": MIN_DAYS_BETWEEN_VERSIONS}
        )


@transaction.atomic
def publish(
    *, workspace: Workspace, program: Program, change_note: str, confirm_frequent: bool = False
) -> DesignVersion:
    """Freeze the draft as the next numbered version, or publish nothing.

    Raises ``ValidationError`` listing every incomplete required step, and
    :class:`FrequentChangeWarning` when the last version is under 90 days old
    and ``confirm_frequent`` is not set.
    """
    require(workspace, Perm.MANAGE_PROGRAMS)
    if program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied
    # The program row is the lock that keeps two publishers from taking the same number.
    program = Program.objects.for_vendor(workspace.vendor).select_for_update().get(pk=program.pk)
    data = load_design(program)
    missing = missing_required(step_status(program, data=data))
    if missing:
        raise ValidationError(
            [
                ValidationError(
                    _("Step %(number)d, %(title)s: %(reason)s")
                    % {"number": s.step.number, "title": s.step.title, "reason": s.reason},
                    code="incomplete",
                )
                for s in missing
            ]
        )
    previous = selectors.published_version(program)
    if previous is not None and not confirm_frequent:
        age = timezone.now() - previous.published_at
        if age < timedelta(days=MIN_DAYS_BETWEEN_VERSIONS):
            raise FrequentChangeWarning(previous, age.days)
    # From now on edits touch the design row, so unpublished changes can be told apart.
    ensure_design(program)
    version = DesignVersion(
        vendor_id=program.vendor_id,
        program=program,
        number=(previous.number if previous else 0) + 1,
        snapshot=build_snapshot(program, data),
        change_note=change_note.strip(),
        published_by=workspace.user,
    )
    version.full_clean(exclude=["published_by"])
    version.save()
    changes: dict[str, Any] = {"version": [previous.number if previous else None, version.number]}
    if program.status != Program.Status.PUBLISHED:
        changes["status"] = [program.status, Program.Status.PUBLISHED.value]
        program.status = Program.Status.PUBLISHED
        program.save(update_fields=["status"])
    audit.record(workspace=workspace, action="design.publish", obj=program, changes=changes)
    return version


def has_unpublished_changes(program: Program) -> bool:
    """Whether the draft changed after the latest version was published (or nothing was ever published)."""
    version = selectors.published_version(program)
    if version is None:
        return True
    updated = selectors.get_design(program).updated_at
    return updated is not None and updated > version.published_at


def get_version(program: Program, which: str) -> DesignVersion | None:
    """``published`` (the latest), a version number, or ``None`` for the draft; ``Http404`` if there is none."""
    if which in ("", "draft"):
        return None
    if which == "published":
        version = selectors.published_version(program)
    elif which.isdigit():
        version = selectors.versions(program).filter(number=int(which)).first()
    else:
        raise Http404
    if version is None:
        raise Http404
    return version


def get_public_version(vendor_slug: str, program_slug: str) -> DesignVersion:
    """The latest published version of a vendor's program, for anonymous visitors; ``Http404`` if never published.

    The public page has no workspace, so the vendor comes from the URL and scopes every read.
    """
    vendor = Organization.objects.filter(slug=vendor_slug, is_vendor=True).first()
    if vendor is None:
        raise Http404
    program = Program.objects.for_vendor(vendor).filter(slug=program_slug).first()
    version = selectors.published_version(program) if program is not None else None
    if version is None:
        raise Http404
    return version
