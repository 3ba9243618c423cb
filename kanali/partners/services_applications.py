"""Writes of applications: submit (public), score, approve, reject; and the applicant's e-mails.

Approval is one transaction on a locked application row: the partner
organization (an existing one keeps its login), the partnership and the
admin's invitation are all created, or nothing is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pycountry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries
from django_tasks import task

from kanali.accounts.models import Invitation
from kanali.accounts.services import invite_partner_admin
from kanali.core import audit
from kanali.core.models import AuditLog, Membership, Organization, Partnership, Program
from kanali.core.roles import PARTNER_ROLES, Perm, Role
from kanali.core.services import require, unique_slug
from kanali.core.validators import normalize_vat
from kanali.core.workspace import Workspace
from kanali.designer.models import SelectionCriterion
from kanali.partners.models_applications import Application, ApplicationScore
from kanali.partners.selectors_applications import program_partner_types, score_sheet, status_token
from kanali.partners.services_agreements import record_approval

if TYPE_CHECKING:
    from kanali.accounts.models import User

#: The applicant's details a submission carries (the API body and the form's fields).
APPLICATION_FIELDS = (
    "company_name",
    "vat_number",
    "website",
    "country",
    "regions",
    "partner_type",
    "industries",
    "specializations",
    "team_size",
    "certified_people",
    "revenue_band",
    "references",
    "motivation",
    "contact_name",
    "contact_email",
)
MAX_TAGS = 20
#: Partnership statuses from which an approved application (re)starts the partnership.
RESTARTABLE = (Partnership.Status.APPLIED, Partnership.Status.TERMINATED)


class ApplicationDecidedError(Exception):
    """The application was already approved or rejected (by someone else, perhaps a moment ago)."""

    def __init__(self, application: Application) -> None:
        self.application = application
        super().__init__(
            _("This application was already %(status)s; it cannot be decided again.")
            % {"status": application.get_status_display().lower()}
        )


class DuplicateApplicationError(ValidationError):
    """The company already has an open application to this program."""


# --- E-mail to the applicant ------------------------------------------------------------


@task()
def send_application_email(
    vendor_id: int, application_id: int, kind: str, status_url: str, language: str = "en"
) -> None:
    """``kind`` is ``received``, ``approved`` or ``rejected``."""
    application = (
        Application.objects.for_vendor(vendor_id).select_related("program", "vendor").filter(pk=application_id).first()
    )
    if application is None:
        return
    with translation.override(language):
        context = {"application": application, "kind": kind, "status_url": status_url}
        subject = render_to_string("partners/applications_email_subject.txt", context).strip()
        body = render_to_string("partners/applications_email_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [application.contact_email])


def status_url(application: Application, base_url: str = "") -> str:
    path = reverse("partners:application_status", kwargs={"token": status_token(application)})
    return base_url.rstrip("/") + path


def _email_on_commit(application: Application, kind: str, base_url: str) -> None:
    url = status_url(application, base_url)
    language = translation.get_language() or "en"
    vendor_id, pk = application.vendor_id, application.pk
    transaction.on_commit(lambda: send_application_email.enqueue(vendor_id, pk, kind, url, language))


# --- Validation shared by the form and the API --------------------------------------------


def _tags(value: Any) -> list[str]:
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(str(item).strip()[:60] for item in items if str(item).strip()))


def clean_application(program: Program, values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalize a submission; ``ValidationError`` names every bad field."""
    unknown = set(values) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown application fields: {sorted(unknown)}")
    data: dict[str, Any] = {name: values.get(name) for name in APPLICATION_FIELDS}
    errors: dict[str, list[str]] = {}
    required = _("This field is required.")

    for name in ("company_name", "contact_name", "references", "motivation", "website", "vat_number"):
        data[name] = str(data[name] or "").strip()
    for name in ("company_name", "contact_name"):
        if not data[name]:
            errors[name] = [required]
    data["country"] = str(data["country"] or "").strip().upper()
    if data["country"] not in dict(countries):
        errors["country"] = [_("Choose a country.")]
    if data["vat_number"]:
        try:
            data["vat_number"] = normalize_vat(data["vat_number"], data["country"])
        except ValidationError as exc:
            errors["vat_number"] = exc.messages
    if data["website"]:
        if "://" not in data["website"]:
            data["website"] = f"https://{data['website']}"
        try:
            URLValidator(schemes=["http", "https"])(data["website"])
        except ValidationError:
            errors["website"] = [_("Enter a valid web address.")]
    email = str(data["contact_email"] or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["contact_email"] = [_("Enter a valid e-mail address.")]
    data["contact_email"] = email

    regions = _tags(data["regions"])
    regions = [code.upper() for code in regions]
    unknown_regions = [code for code in regions if pycountry.subdivisions.get(code=code) is None]
    if unknown_regions:
        errors["regions"] = [
            _("Not ISO 3166-2 region codes: %(codes)s (e.g. GR-I for Attica).") % {"codes": ", ".join(unknown_regions)}
        ]
    elif not regions:
        errors["regions"] = [_("Name at least one region you serve (e.g. GR-I for Attica).")]
    data["regions"] = list(dict.fromkeys(regions))

    if data["partner_type"] not in dict(program_partner_types(program)):
        errors["partner_type"] = [_("Choose one of the partner types this program seeks.")]
    for name in ("industries", "specializations"):
        data[name] = _tags(data[name])
        if len(data[name]) > MAX_TAGS:
            errors[name] = [_("List at most %(n)d.") % {"n": MAX_TAGS}]

    for name, minimum in (("team_size", 1), ("certified_people", 0)):
        try:
            data[name] = int(data[name] if data[name] not in (None, "") or minimum else 0)
        except (TypeError, ValueError):
            errors[name] = [_("Enter a whole number.")]
            continue
        if data[name] < minimum or data[name] > 1_000_000:
            errors[name] = [_("Enter a number from %(min)d upwards.") % {"min": minimum}]
    if "team_size" not in errors and "certified_people" not in errors and data["certified_people"] > data["team_size"]:
        errors["certified_people"] = [_("Cannot be more than the team size.")]
    if data["revenue_band"] not in Application.RevenueBand.values:
        errors["revenue_band"] = [_("Choose a revenue band.")]
    if errors:
        raise ValidationError(errors)
    return data


def _check_not_duplicate(program: Program, *, vat_number: str, organization: Organization | None) -> None:
    open_apps = Application.objects.for_vendor(program.vendor_id).filter(
        program=program, status__in=Application.OPEN_STATUSES
    )
    if vat_number and open_apps.filter(vat_number=vat_number).exists():
        raise DuplicateApplicationError(
            {
                "vat_number": _(
                    "A company with this VAT number already has an application to %(program)s waiting for a "
                    "decision. You will hear from us by e-mail."
                )
                % {"program": program.name}
            }
        )
    if organization is not None and open_apps.filter(organization=organization).exists():
        raise DuplicateApplicationError(
            _("%(org)s already has an application to %(program)s waiting for a decision.")
            % {"org": organization.name, "program": program.name}
        )
    if (
        organization is not None
        and Partnership.objects.for_vendor(program.vendor_id)
        .filter(program=program, partner=organization)
        .exclude(status__in=RESTARTABLE)
        .exists()
    ):
        raise DuplicateApplicationError(
            _("%(org)s is already a partner in %(program)s.") % {"org": organization.name, "program": program.name}
        )


def _record_public(
    application: Application, *, user: User | None, organization: Organization | None, ip: str | None
) -> None:
    """The audit entry of a submission, which has no workspace: the applicant may be anonymous."""
    AuditLog.objects.create(
        vendor_id=application.vendor_id,
        organization=organization,
        actor=user,
        role="",
        action="application.submit",
        object_type=application._meta.label_lower,
        object_id=str(application.pk),
        object_repr=str(application)[:200],
        changes={"status": [None, application.status]},
        ip_address=ip,
    )


# --- Submit ----------------------------------------------------------------------------------


def application_submit(
    *,
    program: Program,
    values: dict[str, Any],
    user: User | None = None,
    organization: Organization | None = None,
    base_url: str = "",
    ip: str | None = None,
) -> Application:
    """A company applies to a published program; the applicant gets a confirmation with its status link.

    ``organization`` links the application to the signed-in user's partner
    company (its profile filled the form). A second open application of the
    same company (same VAT number or organization) raises
    :class:`DuplicateApplicationError` and writes nothing.
    """
    if program.status != Program.Status.PUBLISHED:
        raise PermissionDenied
    if organization is not None and (
        user is None
        or not Membership.objects.filter(user=user, organization=organization, role__in=PARTNER_ROLES).exists()
    ):
        raise PermissionDenied
    data = clean_application(program, values)
    try:
        with transaction.atomic():
            _check_not_duplicate(program, vat_number=data["vat_number"], organization=organization)
            application = Application(
                vendor_id=program.vendor_id,
                program=program,
                organization=organization,
                submitted_by=user if user is not None and user.is_authenticated else None,
                nonce=secrets.token_hex(16),
                **data,
            )
            application.full_clean(validate_constraints=False)
            application.save()
            _refresh_scores(application)
            application.save(update_fields=["pre_score", "total_score"])
            _record_public(application, user=application.submitted_by, organization=organization, ip=ip)
            _email_on_commit(application, "received", base_url)
    except IntegrityError as exc:
        # Two submissions of the same company raced past the check: the constraint decided.
        raise DuplicateApplicationError(
            _("This company already has an application to %(program)s waiting for a decision.")
            % {"program": program.name}
        ) from exc
    return application


# --- Score ---------------------------------------------------------------------------------


def _refresh_scores(application: Application) -> None:
    sheet = score_sheet(application)
    application.pre_score = sheet.pre_score
    application.total_score = sheet.total


def _lock(workspace: Workspace, application: Application) -> Application:
    if not workspace.is_vendor:
        raise PermissionDenied
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    return Application.objects.for_vendor(workspace.vendor).select_for_update().get(pk=application.pk)


@transaction.atomic
def application_score(
    *, workspace: Workspace, application: Application, scores: dict[int, tuple[int | None, str]]
) -> Application:
    """Set the acting reviewer's 1–5 scores and notes, ``{criterion_id: (score or None, note)}``.

    ``None`` withdraws the reviewer's score on that criterion. The first score
    puts a submitted application under review; the totals are recomputed.
    """
    require(workspace, Perm.MANAGE_PARTNERS)
    app = _lock(workspace, application)
    if app.is_decided:
        raise ApplicationDecidedError(app)
    criteria = {
        c.pk: c for c in SelectionCriterion.objects.for_vendor(workspace.vendor).filter(program_id=app.program_id)
    }
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError(_("Unknown selection criteria: %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))})
    mine = {
        s.criterion_id: s
        for s in ApplicationScore.objects.for_vendor(workspace.vendor).filter(application=app, reviewer=workspace.user)
    }
    changes: dict[str, list[Any]] = {}
    errors: dict[str, list[str]] = {}
    for criterion_id, (score, note) in scores.items():
        existing = mine.get(criterion_id)
        name = criteria[criterion_id].name
        note = (note or "").strip()
        if score is None:
            if existing is not None:
                changes[name] = [existing.score, None]
                existing.delete()
            continue
        if not 1 <= int(score) <= 5:
            errors[f"score_{criterion_id}"] = [_("Score from 1 to 5.")]
            continue
        row = existing or ApplicationScore(
            vendor=workspace.vendor, application=app, criterion=criteria[criterion_id], reviewer=workspace.user
        )
        if existing is None or existing.score != int(score) or existing.note != note:
            changes[name] = [existing.score if existing else None, int(score)]
            row.score, row.note = int(score), note
            row.full_clean(validate_constraints=False)
            row.save()
    if errors:
        raise ValidationError(errors)
    if app.status == Application.Status.SUBMITTED:
        app.status = Application.Status.UNDER_REVIEW
        changes["status"] = [Application.Status.SUBMITTED.value, app.status.value]
    _refresh_scores(app)
    app.save(update_fields=["status", "pre_score", "total_score", "updated_at"])
    if changes:
        audit.record(workspace=workspace, action="application.score", obj=app, changes=changes)
    return app


@transaction.atomic
def application_start_review(*, workspace: Workspace, application: Application) -> Application:
    """Mark a submitted application as under review (scoring does it too)."""
    require(workspace, Perm.MANAGE_PARTNERS)
    app = _lock(workspace, application)
    if app.status == Application.Status.SUBMITTED:
        app.status = Application.Status.UNDER_REVIEW
        app.save(update_fields=["status", "updated_at"])
        audit.record(
            workspace=workspace, action="application.review", obj=app, changes={"status": ["submitted", "under_review"]}
        )
    elif app.is_decided:
        raise ApplicationDecidedError(app)
    return app


# --- Decide ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    application: Application
    partnership: Partnership
    organization_created: bool
    invitation: Invitation | None


def _partner_organization(app: Application) -> tuple[Organization, bool]:
    """The company already on Kanali (linked, or administered by the contact), or a new partner organization."""
    if app.organization_id is not None:
        return Organization.objects.get(pk=app.organization_id), False
    existing = (
        Membership.objects.select_related("organization")
        .filter(user__email__iexact=app.contact_email, role=Role.PARTNER_ADMIN, organization__is_partner=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing.organization, False
    organization = Organization.objects.create(
        name=app.company_name,
        slug=unique_slug(app.company_name, taken=Organization.objects.all(), fallback="partner"),
        country=app.country,
        vat_number=app.vat_number,
        website=app.website,
        is_partner=True,
    )
    return organization, True


@transaction.atomic
def application_approve(*, workspace: Workspace, application: Application, base_url: str = "") -> Approval:
    """Approve: the partnership starts onboarding and the partner's admin is invited, in one transaction.

    The application row is locked first, so of two reviewers approving at
    once one wins and the other gets :class:`ApplicationDecidedError`.
    """
    require(workspace, Perm.MANAGE_PARTNERS)
    app = _lock(workspace, application)
    if app.is_decided:
        raise ApplicationDecidedError(app)
    previous = app.status
    program = Program.objects.for_vendor(workspace.vendor).get(pk=app.program_id)
    organization, created = _partner_organization(app)
    if created:
        audit.record(workspace=workspace, action="organization.create", obj=organization)
    elif not organization.is_partner:
        organization.is_partner = True
        organization.save(update_fields=["is_partner"])

    partnership = (
        Partnership.objects.for_vendor(workspace.vendor)
        .select_for_update()
        .filter(program=program, partner=organization)
        .first()
    )
    if partnership is None:
        partnership = Partnership.objects.create(
            vendor=workspace.vendor,
            program=program,
            partner=organization,
            status=Partnership.Status.ONBOARDING,
            partner_type=app.partner_type,
        )
        audit.record(
            workspace=workspace,
            action="partnership.create",
            obj=partnership,
            changes={"status": [None, partnership.status], "application": [None, app.pk]},
        )
    elif partnership.status in RESTARTABLE:
        changes = audit.diff(
            partnership, {"status": Partnership.Status.ONBOARDING.value, "partner_type": app.partner_type}
        )
        partnership.status = Partnership.Status.ONBOARDING
        partnership.partner_type = app.partner_type
        partnership.save(update_fields=["status", "partner_type", "updated_at"])
        audit.record(workspace=workspace, action="partnership.update", obj=partnership, changes=changes)
    else:
        raise ValidationError(
            _("%(org)s is already a partner in %(program)s.") % {"org": organization.name, "program": program.name}
        )

    # Someone who already belongs to the company keeps their login and simply finds the new program;
    # anyone else is invited as the partner's admin.
    invitation = None
    if not Membership.objects.filter(organization=organization, user__email__iexact=app.contact_email).exists():
        invitation = invite_partner_admin(
            workspace=workspace, organization=organization, program=program, email=app.contact_email, base_url=base_url
        )

    # Time to activation is measured from here (agreements and onboarding own the milestones).
    record_approval(partnership=partnership, when=timezone.now())

    app.status = Application.Status.APPROVED
    app.organization = organization
    app.partnership = partnership
    app.decided_by = workspace.user
    app.decided_at = timezone.now()
    _refresh_scores(app)
    app.save()
    audit.record(
        workspace=workspace,
        action="application.approve",
        obj=app,
        changes={"status": [previous, app.status.value], "partnership": [None, partnership.pk]},
    )
    _email_on_commit(app, "approved", base_url)
    return Approval(application=app, partnership=partnership, organization_created=created, invitation=invitation)


@transaction.atomic
def application_reject(
    *, workspace: Workspace, application: Application, reason: str, base_url: str = ""
) -> Application:
    """Reject with a reason the applicant reads in the e-mail and on its status page."""
    require(workspace, Perm.MANAGE_PARTNERS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the applicant why.")})
    app = _lock(workspace, application)
    if app.is_decided:
        raise ApplicationDecidedError(app)
    previous = app.status
    app.status = Application.Status.REJECTED
    app.rejection_reason = reason
    app.decided_by = workspace.user
    app.decided_at = timezone.now()
    app.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    audit.record(
        workspace=workspace, action="application.reject", obj=app, changes={"status": [previous, app.status.value]}
    )
    _email_on_commit(app, "rejected", base_url)
    return app
