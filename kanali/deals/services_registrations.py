"""Deal registrations: submit (with the conflict check), approve or reject, extend the protection.

Submits and approvals of one vendor take the vendor's :class:`ConflictLock`
first (:func:`.services.lock_vendor`): the check and the save of one run
before the next starts, so of two partners registering the same customer at
the same moment one is first and clean, the other sees it and is flagged.

The stored ``conflicts`` name other partners' records; only vendor staff are
shown them (the API and pages use separate serialisers). A partner only
learns that its registration "conflicts with an existing record".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import Partnership
from kanali.core.money import clean_currency, parse_amount, quantize
from kanali.core.notifications import notify, organization_people
from kanali.core.roles import Perm, Role
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.deals import index
from kanali.deals.conflicts import Match, Query
from kanali.deals.models import Account, Deal, DealRegistration, DealStageChange, Product
from kanali.deals.selectors import program_stages
from kanali.deals.services import DealStateError, deal_settings, lock_vendor, page_url, require_vendor
from kanali.deals.services_accounts import account_from
from kanali.deals.validation import clean_country, clean_domain, clean_vat, collect
from kanali.leads.models import Lead

#: Vendor roles told about new registrations and extension requests.
DEAL_MANAGERS = (Role.OWNER, Role.CHANNEL_MANAGER, Role.PARTNER_ACCOUNT_MANAGER)
#: Partner roles told about decisions on their registrations.
DEAL_REGISTRARS = (Role.PARTNER_ADMIN, Role.PARTNER_SALES)

REGISTRATION_FIELDS = (
    "company",
    "domain",
    "vat_number",
    "country",
    "contact_name",
    "contact_email",
    "products",
    "estimated_value",
    "currency",
    "expected_close",
    "notes",
)


def clean_registration(partnership: Partnership, data: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """The registration's fields cleaned, or one ValidationError with a message per field."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    company = str(data.get("company") or "").strip()
    if not company:
        errors["company"] = [_("Enter the customer's company name.")]
    elif len(company) > 200:
        errors["company"] = [_("Use at most 200 characters.")]
    cleaned["company"] = company
    country = collect(errors, "country", clean_country, str(data.get("country") or "")) or ""
    cleaned["country"] = country
    cleaned["domain"] = collect(errors, "domain", clean_domain, str(data.get("domain") or "")) or ""
    if "country" not in errors:
        cleaned["vat_number"] = (
            collect(errors, "vat_number", clean_vat, str(data.get("vat_number") or ""), country) or ""
        )
    for key, limit in (("contact_name", 150), ("notes", 5000)):
        value = str(data.get(key) or "").strip()
        if len(value) > limit:
            errors[key] = [_("Use at most %(n)d characters.") % {"n": limit}]
        cleaned[key] = value
    email = str(data.get("contact_email") or "").strip()
    if email:
        collect(errors, "contact_email", validate_email, email)
    cleaned["contact_email"] = email.lower()

    currency = collect(errors, "currency", clean_currency, data.get("currency") or "")
    cleaned["currency"] = currency or ""
    raw_value = data.get("estimated_value")
    if raw_value in (None, ""):
        errors["estimated_value"] = [_("Enter the estimated value.")]
    else:
        amount = collect(errors, "estimated_value", parse_amount, raw_value)
        if amount is not None and currency:
            cleaned["estimated_value"] = quantize(amount, currency)

    expected = data.get("expected_close")
    if expected in (None, ""):
        errors["expected_close"] = [_("Enter the expected close date.")]
    else:
        if isinstance(expected, str):
            try:
                expected = date.fromisoformat(expected)
            except ValueError:
                errors["expected_close"] = [_("Enter a date such as 2026-12-31.")]
                expected = None
        if isinstance(expected, date):
            if expected < today:
                errors["expected_close"] = [_("The expected close date cannot be in the past.")]
            cleaned["expected_close"] = expected

    codes = data.get("products") or []
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    codes = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    if codes:
        known = set(
            Product.objects.for_vendor(partnership.vendor_id)
            .filter(program_id=partnership.program_id, active=True, code__in=codes)
            .values_list("code", flat=True)
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors["products"] = [
                _("Unknown or inactive product(s): %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
            ]
    cleaned["products"] = codes
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- the conflict check ------------------------------------------------------------


def _labels(vendor_id: int, matches: list[Match]) -> dict[tuple[str, Any], dict[str, Any]]:
    """Re-read the matched rows (four queries at most): label, owner and whether each still counts."""
    ids: dict[str, list[Any]] = {}
    for m in matches:
        ids.setdefault(m.kind, []).append(m.record_id)
    today = timezone.localdate()
    found: dict[tuple[str, Any], dict[str, Any]] = {}
    if ids.get("account"):
        for a in Account.objects.for_vendor(vendor_id).filter(pk__in=ids["account"]):
            found["account", a.pk] = {"label": a.name, "owner": None, "owner_name": "", "status": ""}
    if ids.get("deal"):
        deals = Deal.objects.for_vendor(vendor_id).filter(pk__in=ids["deal"], status=Deal.Status.OPEN)
        for d in deals.select_related("partnership__partner"):
            found["deal", d.pk] = {
                "label": d.name,
                "owner": d.partnership_id,
                "owner_name": d.partnership.partner.name,
                "status": d.status,
            }
    if ids.get("registration"):
        regs = DealRegistration.objects.for_vendor(vendor_id).filter(pk__in=ids["registration"])
        for r in regs.select_related("partnership__partner"):
            if index.registration_counts(r, today):
                found["registration", r.pk] = {
                    "label": r.company,
                    "owner": r.partnership_id,
                    "owner_name": r.partnership.partner.name,
                    "status": r.status,
                }
    if ids.get("lead"):
        leads = Lead.objects.for_vendor(vendor_id).filter(pk__in=ids["lead"], status__in=Lead.OPEN_STATUSES)
        for lead in leads.select_related("partnership__partner"):
            found["lead", lead.pk] = {
                "label": lead.company,
                "owner": lead.partnership_id,
                "owner_name": lead.partnership.partner.name if lead.partnership else "",
                "status": lead.status,
            }
    return found


def find_conflicts(
    *,
    vendor_id: int,
    generation: int,
    company: str,
    domain: str,
    vat_number: str,
    country: str,
    threshold: float | None = None,
    exclude: tuple[tuple[str, int], ...] = (),
) -> list[dict[str, Any]]:
    """The vendor's records this customer matches, as stored in ``DealRegistration.conflicts``."""
    matches = index.check(
        vendor_id=vendor_id,
        generation=generation,
        query=Query(name=company, domain=domain, vat=vat_number, country=country),
        threshold=threshold,
        exclude=exclude,
    )
    labels = _labels(vendor_id, matches)
    conflicts = []
    for m in matches:
        info = labels.get((m.kind, m.record_id))
        if info is None:  # gone or no longer open since the index last saw it
            continue
        conflicts.append(
            {"kind": m.kind, "id": m.record_id, "reason": m.reason, "reasons": list(m.reasons), "score": m.score} | info
        )
    return conflicts


def _counts_as_conflict(conflict: dict[str, Any], partnership: Partnership) -> bool:
    """A lead the partner itself works is the same opportunity, not a competing claim."""
    return not (conflict["kind"] == "lead" and conflict["owner"] == partnership.pk)


# --- submit -------------------------------------------------------------------------


@transaction.atomic
def registration_submit(
    *, workspace: Workspace, partnership: Partnership, data: dict[str, Any], lead: Lead | None = None
) -> DealRegistration:
    """A partner registers an opportunity; it is checked for conflicts before it is saved."""
    require(workspace, Perm.REGISTER_DEALS)
    if not workspace.is_partner or partnership.partner_id != workspace.organization.pk:
        raise PermissionDenied
    if partnership.vendor_id != workspace.vendor.pk or partnership.status not in Partnership.PORTAL_STATUSES:
        raise ValidationError(_("This partnership cannot register deals."))
    cleaned = clean_registration(partnership, data)
    lock = lock_vendor(partnership.vendor_id)
    settings = deal_settings(partnership.program)
    conflicts = find_conflicts(
        vendor_id=partnership.vendor_id,
        generation=lock.pk,
        company=cleaned["company"],
        domain=cleaned["domain"],
        vat_number=cleaned["vat_number"],
        country=cleaned["country"],
        threshold=float(settings.name_threshold),
        exclude=(("lead", lead.pk),) if lead is not None else (),
    )
    registration = DealRegistration(
        vendor_id=partnership.vendor_id,
        program_id=partnership.program_id,
        partnership=partnership,
        conflicts=conflicts,
        in_conflict=any(_counts_as_conflict(c, partnership) for c in conflicts),
        created_by=workspace.user,
        **cleaned,
    )
    registration.full_clean()
    registration.save()
    audit.record(
        workspace=workspace,
        action="deal_registration.submit",
        obj=registration,
        changes={"in_conflict": registration.in_conflict, "conflicts": len(conflicts)},
    )
    vendor = workspace.vendor
    notify(
        recipients=organization_people(vendor, DEAL_MANAGERS),
        vendor=vendor,
        kind="deals.registration_submitted",
        title=_("New deal registration: %(company)s") % {"company": registration.company},
        body=(
            _("%(partner)s registered %(company)s. It conflicts with existing records.")
            if registration.in_conflict
            else _("%(partner)s registered %(company)s.")
        )
        % {"partner": partnership.partner.name, "company": registration.company},
        url=page_url("deals:vendor_registration_detail", vendor, registration.pk),
    )
    return registration


@transaction.atomic
def registration_withdraw(*, workspace: Workspace, registration: DealRegistration) -> DealRegistration:
    """The partner takes back a registration not yet decided."""
    require(workspace, Perm.REGISTER_DEALS)
    reg = _locked(registration)
    if not workspace.is_partner or reg.partnership.partner_id != workspace.organization.pk:
        raise DealStateError(_("Only the partner that registered it can withdraw it."))
    if reg.status != DealRegistration.Status.SUBMITTED:
        raise DealStateError(_("This registration was already decided."))
    reg.status = DealRegistration.Status.WITHDRAWN
    reg.save(update_fields=["status", "updated_at"])
    audit.record(workspace=workspace, action="deal_registration.withdraw", obj=reg)
    return reg


# --- decide ---------------------------------------------------------------------------


def _locked(registration: DealRegistration) -> DealRegistration:
    return (
        DealRegistration.objects.for_vendor(registration.vendor_id)
        .select_for_update(of=("self",))
        .select_related("partnership__partner", "program")
        .get(pk=registration.pk)
    )


@dataclass(frozen=True)
class Blocker:
    """Another registration that claims the same customer first."""

    registration_id: int
    partner: str
    status: str
    protected_until: date | None


def earlier_claims(registration: DealRegistration, *, generation: int) -> list[Blocker]:
    """Registrations of other partners for the same customer that win over this one.

    An approved one still protected always does; one still waiting does when
    it was submitted first (first valid registration wins).
    """
    settings = deal_settings(registration.program)
    conflicts = find_conflicts(
        vendor_id=registration.vendor_id,
        generation=generation,
        company=registration.company,
        domain=registration.domain,
        vat_number=registration.vat_number,
        country=str(registration.country),
        threshold=float(settings.name_threshold),
        exclude=(("registration", registration.pk),),
    )
    ids = [c["id"] for c in conflicts if c["kind"] == "registration"]
    if not ids:
        return []
    blockers = []
    others = (
        DealRegistration.objects.for_vendor(registration.vendor_id)
        .filter(pk__in=ids)
        .exclude(partnership=registration.partnership)
        .select_related("partnership__partner")
        .order_by("created_at", "pk")
    )
    for other in others:
        approved = other.status == DealRegistration.Status.APPROVED
        first = other.status == DealRegistration.Status.SUBMITTED and (other.created_at, other.pk) < (
            registration.created_at,
            registration.pk,
        )
        if approved or first:
            blockers.append(Blocker(other.pk, other.partnership.partner.name, other.status, other.protected_until))
    return blockers


def _blocker_message(blockers: list[Blocker]) -> str:
    first = blockers[0]
    if first.status == DealRegistration.Status.APPROVED:
        return _(
            "Registration #%(id)s of %(partner)s for the same customer is approved and protected until %(date)s. "
            "Approve anyway with override."
        ) % {"id": first.registration_id, "partner": first.partner, "date": first.protected_until}
    return _(
        "Registration #%(id)s of %(partner)s for the same customer was submitted first and waits for a decision. "
        "Decide it first, or approve this one anyway with override."
    ) % {"id": first.registration_id, "partner": first.partner}


def _already_decided(reg: DealRegistration) -> str:
    return _("This registration was already decided (%(status)s).") % {"status": reg.get_status_display()}


def _notify_partner(reg: DealRegistration, *, kind: str, title: str, body: str) -> None:
    recipients = organization_people(reg.partnership.partner_id, DEAL_REGISTRARS)
    if reg.created_by is not None and reg.created_by.is_active and reg.created_by not in recipients:
        recipients.append(reg.created_by)
    notify(
        recipients=recipients,
        vendor=reg.vendor,
        kind=kind,
        title=title,
        body=body,
        url=page_url("deals:portal_registration_detail", reg.vendor, reg.pk),
    )


def _partnership_changed(partnership: Partnership) -> None:
    """Tell the partners app a metric it counts changed (the tier engine re-evaluates on commit)."""
    try:
        from kanali.partners.services_tiers import on_partnership_metrics_changed
    except ImportError:  # pragma: no cover - the partners app always ships it
        return
    on_partnership_metrics_changed(partnership)


def _first_deal(partnership: Partnership) -> None:
    try:
        from kanali.partners.services_agreements import record_first_deal
    except ImportError:  # pragma: no cover
        return
    record_first_deal(partnership=partnership)


def _account_for(reg: DealRegistration) -> Account:
    """The best-matching known account (exact before fuzzy), or a new one."""
    for conflict in reg.conflicts:
        if conflict.get("kind") == "account":
            found = Account.objects.for_vendor(reg.vendor_id).filter(pk=conflict["id"]).first()
            if found is not None:
                return found
    return account_from(
        vendor=reg.vendor_id,
        name=reg.company,
        domain=reg.domain,
        vat_number=reg.vat_number,
        country=str(reg.country),
        source=Account.Source.DEAL,
    )


@transaction.atomic
def registration_approve(
    *, workspace: Workspace, registration: DealRegistration, override: bool = False, note: str = ""
) -> DealRegistration:
    """Approve: protect the claim for the program's period and open its deal at the first stage."""
    require_vendor(workspace)
    lock = lock_vendor(registration.vendor_id)
    reg = _locked(registration)
    if reg.status != DealRegistration.Status.SUBMITTED:
        raise DealStateError(
            _("This registration was already decided (%(status)s).") % {"status": reg.get_status_display()}
        )
    blockers = earlier_claims(reg, generation=lock.pk)
    if blockers and not override:
        raise DealStateError(_blocker_message(blockers))
    settings = deal_settings(reg.program)
    now = timezone.now()
    reg.status = DealRegistration.Status.APPROVED
    reg.decided_by = workspace.user
    reg.decided_at = now
    reg.protected_until = timezone.localdate(now) + timedelta(days=settings.protection_days)
    reg.account = _account_for(reg)
    reg.save()
    first = program_stages(reg.program)[0]
    deal = Deal.objects.create(
        vendor_id=reg.vendor_id,
        program_id=reg.program_id,
        partnership=reg.partnership,
        registration=reg,
        account=reg.account,
        name=reg.company,
        amount=reg.estimated_value,
        currency=reg.currency,
        products=reg.products,
        stage=first.name,
        stage_position=first.position,
        probability=first.probability,
        expected_close=reg.expected_close,
        created_by=workspace.user,
    )
    DealStageChange.objects.create(
        vendor_id=reg.vendor_id,
        deal=deal,
        to_stage=first.name,
        to_status=Deal.Status.OPEN,
        actor=workspace.user,
        note=_("Opened from an approved registration."),
    )
    audit.record(
        workspace=workspace,
        action="deal_registration.approve",
        obj=reg,
        changes={
            "protected_until": str(reg.protected_until),
            "override": override,
            "overridden": [b.registration_id for b in blockers],
            "note": note[:300],
            "deal": deal.pk,
        },
    )
    _notify_partner(
        reg,
        kind="deals.registration_approved",
        title=_("Deal registration approved: %(company)s") % {"company": reg.company},
        body=_("It is protected until %(date)s and is now a deal in your pipeline.") % {"date": reg.protected_until},
    )
    _partnership_changed(reg.partnership)
    _first_deal(reg.partnership)
    return reg


@transaction.atomic
def registration_reject(*, workspace: Workspace, registration: DealRegistration, reason: str) -> DealRegistration:
    require_vendor(workspace)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the registration is rejected; the partner reads it.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("Use at most 300 characters.")]})
    reg = _locked(registration)
    if reg.status != DealRegistration.Status.SUBMITTED:
        raise DealStateError(
            _("This registration was already decided (%(status)s).") % {"status": reg.get_status_display()}
        )
    reg.status = DealRegistration.Status.REJECTED
    reg.decided_by = workspace.user
    reg.decided_at = timezone.now()
    reg.rejection_reason = reason
    reg.save()
    audit.record(workspace=workspace, action="deal_registration.reject", obj=reg, changes={"reason": reason})
    _notify_partner(
        reg,
        kind="deals.registration_rejected",
        title=_("Deal registration rejected: %(company)s") % {"company": reg.company},
        body=reason,
    )
    return reg


# --- protection extension ----------------------------------------------------------------


@transaction.atomic
def extension_request(*, workspace: Workspace, registration: DealRegistration, reason: str = "") -> DealRegistration:
    """The partner asks once for more protection time."""
    require(workspace, Perm.REGISTER_DEALS)
    reg = _locked(registration)
    if not workspace.is_partner or reg.partnership.partner_id != workspace.organization.pk:
        raise DealStateError(_("Only the partner that registered it can ask for an extension."))
    if reg.status != DealRegistration.Status.APPROVED:
        raise DealStateError(_("Only an approved, protected registration can be extended."))
    if reg.extension_requested_at is not None:
        raise DealStateError(_("An extension was already requested for this registration."))
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": [_("Use at most 300 characters.")]})
    reg.extension_requested_at = timezone.now()
    reg.extension_reason = reason
    reg.save(update_fields=["extension_requested_at", "extension_reason", "updated_at"])
    audit.record(workspace=workspace, action="deal_registration.extension_request", obj=reg, changes={"reason": reason})
    notify(
        recipients=organization_people(reg.vendor_id, DEAL_MANAGERS),
        vendor=reg.vendor,
        kind="deals.extension_requested",
        title=_("Extension requested: %(company)s") % {"company": reg.company},
        body=_("%(partner)s asks to extend the protection ending %(date)s. %(reason)s")
        % {"partner": reg.partnership.partner.name, "date": reg.protected_until, "reason": reason},
        url=page_url("deals:vendor_registration_detail", reg.vendor, reg.pk),
    )
    return reg


@transaction.atomic
def extension_decide(
    *, workspace: Workspace, registration: DealRegistration, grant: bool, note: str = ""
) -> DealRegistration:
    """Grant (protection + the program's extension days) or deny the partner's one request."""
    require_vendor(workspace)
    reg = _locked(registration)
    if reg.extension_requested_at is None:
        raise DealStateError(_("No extension was requested for this registration."))
    if reg.extension_decided_at is not None:
        raise DealStateError(_("The extension request was already decided."))
    if grant and reg.status != DealRegistration.Status.APPROVED:
        raise DealStateError(_("Only an approved, protected registration can be extended."))
    settings = deal_settings(reg.program)
    old = reg.protected_until
    reg.extension_decided_at = timezone.now()
    reg.extension_granted = grant
    if grant:
        base = max(reg.protected_until or timezone.localdate(), timezone.localdate())
        reg.protected_until = base + timedelta(days=settings.extension_days)
        reg.reminded_at = None
    reg.save()
    audit.record(
        workspace=workspace,
        action="deal_registration.extension_grant" if grant else "deal_registration.extension_deny",
        obj=reg,
        changes={"protected_until": [str(old), str(reg.protected_until)], "note": note[:300]},
    )
    _notify_partner(
        reg,
        kind="deals.extension_decided",
        title=(_("Extension granted: %(company)s") if grant else _("Extension declined: %(company)s"))
        % {"company": reg.company},
        body=(_("Protected until %(date)s.") % {"date": reg.protected_until}) + (f" {note}" if note else ""),
    )
    return reg
