"""Lead intake: validate and normalise a lead, flag duplicates, create it once, import files, take web leads.

Every way in (the console's form, a CSV/XLSX import, the public web form,
``POST /api/v1/leads``) goes through :func:`clean_lead`, so a lead is held to
the same rules wherever it comes from, and through routing
(:func:`kanali.leads.services.route_leads`) in the same transaction.

Duplicates. A lead is a *possible duplicate* when an open lead of the same
program has the same e-mail, or the same company domain (from the e-mail, or
the website when the e-mail is a mailbox provider's). It is never silently
created twice, and never silently dropped either:

* the console's form shows a warning and creates it only when the person
  confirms; a confirmed lead is routed like any other;
* the API, the web form and imports create it with ``duplicate_of`` set and
  do not route it: it waits in the vendor's queue, flagged, for a person to
  route or disqualify (the import preview counts them before anything is
  written; the API returns the lead with ``duplicate_of``).

Idempotency. An API call with an ``Idempotency-Key`` stores the key and a
digest of the request body on the lead. The same key with the same body
returns that lead (``created=False``); with another body it raises
:class:`IdempotencyConflict`. The unique constraint
``lead_unique_idempotency_key`` settles two racing requests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import AuditLog, Program
from kanali.core.money import clean_currency, default_currency, parse_amount, quantize
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.leads import lookups
from kanali.leads.errors import LeadStateError
from kanali.leads.importing import (
    MAX_BYTES,
    MAX_ROWS,
    PRESETS,
    column_positions,
    read_table,
    resolve_mapping,
    values_at,
)
from kanali.leads.models import Lead, LeadEvent, LeadImport, LeadSettings

if TYPE_CHECKING:
    from kanali.accounts.models import User

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "PRESETS",
    "IdempotencyConflict",
    "LeadCreateResult",
    "clean_lead",
    "find_duplicate",
    "import_check",
    "import_commit",
    "import_discard",
    "lead_create",
    "read_table",
    "web_lead_submit",
]

#: Model fields a cleaned lead fills (besides ``email_domain``).
LEAD_FIELDS = (
    "company",
    "contact_name",
    "email",
    "phone",
    "country",
    "region",
    "city",
    "postal_code",
    "latitude",
    "longitude",
    "industry",
    "product",
    "estimated_value",
    "currency",
    "language",
    "campaign",
    "notes",
    "external_id",
)
_TEXT_FIELDS = ("company", "contact_name", "city", "postal_code", "industry", "product", "campaign", "external_id")
_MAX_LENGTHS = {name: int(getattr(Lead._meta.get_field(name), "max_length", 0) or 0) for name in _TEXT_FIELDS}
#: How many rows of an import one query checks against open leads.
_CHUNK = 500


class IdempotencyConflict(Exception):
    """The ``Idempotency-Key`` was used before with a different request body."""

    def __init__(self, lead: Lead) -> None:
        self.lead = lead
        super().__init__(_("This Idempotency-Key was already used for a different lead."))


@dataclass(frozen=True)
class LeadCreateResult:
    lead: Lead
    created: bool


# --- Inserting many rows ------------------------------------------------------------------------

_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.FloatField,
    models.BooleanField,
    models.PositiveSmallIntegerField,
    models.PositiveIntegerField,
    models.IntegerField,
    models.BigIntegerField,
)


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """How one column's Python value becomes a query parameter, without the whole per-value conversion chain."""
    ops = connection.ops
    if type(field) in _PLAIN_FIELDS or isinstance(field, models.ForeignKey):
        return lambda value: value
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def insert_many(objs: Sequence[models.Model]) -> None:
    """``bulk_create`` for thousands of rows of one model, setting each primary key.

    Django's ``bulk_create`` runs every value through its field's full
    conversion chain, which takes longer than the database does to store
    10,000 leads. This builds one multi-row ``INSERT … RETURNING`` per batch
    from the same ``pre_save`` values (so ``auto_now_add`` works) with a
    cheap adapter per column. Without ``RETURNING`` it is ``bulk_create``.
    """
    if not objs:
        return
    model = type(objs[0])
    if not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs, batch_size=1000)  # type: ignore[attr-defined]
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    adapters = [_adapter(f) for f in fields]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(1000, 30_000 // len(fields)))  # well under SQLite's 32,766 parameters
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = [
                adapt(field.pre_save(obj, True)) for obj in chunk for field, adapt in zip(fields, adapters, strict=True)
            ]
            cursor.execute(f"{head}{', '.join([row] * len(chunk))} RETURNING {quote(meta.pk.column)}", params)
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


# --- Validation ---------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str) -> str:
    """The value as text with runs of white space collapsed (notes keep their line breaks)."""
    value = data.get(name)
    if value is None:
        return ""
    return str(value).strip() if name == "notes" else " ".join(str(value).split())


def _coordinate(value: Any, limit: float) -> float | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if -limit <= number <= limit else None


def clean_lead(data: Mapping[str, Any], *, program: Program) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``(cleaned, errors)`` for one lead's raw values: the model's fields, normalised, or messages per field.

    Accepts the model's field names plus ``first_name``/``last_name`` (joined
    into the contact's name), ``mobile`` (used when there is no phone) and
    ``website`` (its domain is the duplicate key when the e-mail is a mailbox
    provider's). Countries, regions and languages are read from codes or
    names in English or Greek; the phone becomes E.164 with the lead's
    country as the default prefix; coordinates come from the city when not
    given. A city that cannot be found is no error: the lead still routes on
    its country and region.
    """
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name, limit in _MAX_LENGTHS.items():
        out[name] = _text(data, name)
        if len(out[name]) > limit:
            error(name, _("Use at most %(n)d characters.") % {"n": limit})
    out["notes"] = _text(data, "notes")
    if not out["contact_name"]:
        out["contact_name"] = " ".join(p for p in (_text(data, "first_name"), _text(data, "last_name")) if p)[:150]
    if not out["company"]:
        error("company", _("Enter the company."))

    country_raw = _text(data, "country")
    country = lookups.country_code(country_raw) if country_raw else None
    if not country_raw:
        error("country", _("Enter the country."))
    elif country is None:
        error("country", _("“%(value)s” is not a country we know.") % {"value": country_raw})
    out["country"] = country or ""

    region_raw = _text(data, "region")
    out["region"] = ""
    if region_raw and country:
        region = lookups.region_code(region_raw, country)
        if region is None:
            error(
                "region",
                _("“%(value)s” is not a region of %(country)s.")
                % {"value": region_raw, "country": lookups.country_name(country)},
            )
        out["region"] = region or ""

    email = _text(data, "email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", _("Enter a valid e-mail address."))
    out["email"] = email

    phone_raw = _text(data, "phone") or _text(data, "mobile")
    out["phone"] = ""
    if phone_raw:
        phone = lookups.phone_e164(phone_raw, country or "")
        # A national number needs the country; when that is wrong, its own error says so.
        if phone is None and (country or phone_raw.startswith(("+", "00"))):
            error("phone", _("“%(value)s” is not a valid phone number.") % {"value": phone_raw})
        out["phone"] = phone or ""

    currency_raw = _text(data, "currency")
    try:
        out["currency"] = clean_currency(currency_raw) if currency_raw else default_currency()
    except ValidationError as exc:
        error("currency", " ".join(exc.messages))
        out["currency"] = ""
    value_raw = data.get("estimated_value")
    out["estimated_value"] = None
    if value_raw not in (None, ""):
        try:
            amount = parse_amount(value_raw)
            out["estimated_value"] = quantize(amount, out["currency"] or default_currency())
        except ValidationError as exc:
            error("estimated_value", " ".join(exc.messages))

    language_raw = _text(data, "language")
    out["language"] = ""
    if language_raw:
        language = lookups.language_code(language_raw)
        if language is None:
            error("language", _("“%(value)s” is not a language we know.") % {"value": language_raw})
        out["language"] = language or ""

    lat_raw, lon_raw = data.get("latitude"), data.get("longitude")
    out["latitude"] = out["longitude"] = None
    if lat_raw not in (None, "") or lon_raw not in (None, ""):
        lat, lon = _coordinate(lat_raw, 90), _coordinate(lon_raw, 180)
        if lat is None or lon is None:
            error("latitude", _("Enter both coordinates in degrees, or neither."))
        out["latitude"], out["longitude"] = lat, lon
    if out["latitude"] is None and out["city"] and country:
        found = lookups.city_coordinates(out["city"], country)
        if found is not None:
            out["latitude"], out["longitude"] = found

    out["email_domain"] = lookups.company_domain(email, _text(data, "website"))
    if errors:
        return {}, errors
    return out, {}


# --- Duplicates -------------------------------------------------------------------------------


def _open_leads(program: Program) -> Any:
    return Lead.objects.for_vendor(program.vendor_id).filter(program=program, status__in=Lead.OPEN_STATUSES)


def find_duplicate(program: Program, cleaned: Mapping[str, Any]) -> Lead | None:
    """The oldest open lead of the program with the same e-mail or the same company domain."""
    match = Q()
    if cleaned.get("email"):
        match |= Q(email=cleaned["email"])
    if cleaned.get("email_domain"):
        match |= Q(email_domain=cleaned["email_domain"])
    if not match:
        return None
    return _open_leads(program).filter(match).order_by("created_at", "pk").first()


def _duplicates_among_open(program: Program, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """``{"e:<email>" | "d:<domain>": lead id}`` of open leads matching any of ``rows``, a query per 500 keys."""
    emails = sorted({r["email"] for r in rows if r.get("email")})
    domains = sorted({r["email_domain"] for r in rows if r.get("email_domain")})
    found: dict[str, int] = {}
    for prefix, column, values in (("e:", "email", emails), ("d:", "email_domain", domains)):
        for start in range(0, len(values), _CHUNK):
            chunk = values[start : start + _CHUNK]
            pairs = _open_leads(program).filter(**{f"{column}__in": chunk}).order_by("-created_at", "-pk")
            for pk, key in pairs.values_list("pk", column):
                found[prefix + key] = pk  # ordered newest first, so the oldest wins
    return found


def _keys(row: Mapping[str, Any]) -> list[str]:
    return [k for k in (f"e:{row.get('email') or ''}", f"d:{row.get('email_domain') or ''}") if len(k) > 2]


# --- Creating one lead --------------------------------------------------------------------------


def body_digest(program: Program, data: Mapping[str, Any]) -> str:
    """SHA-256 of the program and the request body, independent of key order."""
    body = json.dumps({"program": program.pk, "data": dict(data)}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(existing: Lead, digest: str) -> LeadCreateResult:
    if existing.idempotency_digest != digest:
        raise IdempotencyConflict(existing)
    return LeadCreateResult(existing, created=False)


def _record_created(
    leads: Sequence[Lead],
    *,
    workspace: Workspace | None,
    actor: User | None,
    source: str,
    ip: str | None = None,
) -> None:
    """History rows for new leads, and one audit entry (the public web form has no workspace)."""
    insert_many(
        [
            LeadEvent(
                vendor_id=lead.vendor_id,
                lead=lead,
                action="created",
                to_status=lead.status,
                actor=actor,
                note=_("Possible duplicate of lead %(id)d.") % {"id": lead.duplicate_of_id}
                if lead.duplicate_of_id
                else "",
            )
            for lead in leads
        ]
    )
    if len(leads) != 1:
        return
    lead = leads[0]
    changes = {
        "source": [None, source],
        **({"duplicate_of": [None, lead.duplicate_of_id]} if lead.duplicate_of_id else {}),
    }
    if workspace is not None:
        audit.record(workspace=workspace, action="lead.create", obj=lead, changes=changes)
    else:
        AuditLog.objects.create(
            vendor_id=lead.vendor_id,
            actor=actor,
            action="lead.create",
            object_type=lead._meta.label_lower,
            object_id=str(lead.pk),
            object_repr=str(lead)[:200],
            changes=changes,
            ip_address=ip,
        )


def _route(workspace: Workspace | None, leads: Sequence[Lead], actor: User | None) -> None:
    if not leads:
        return
    from kanali.leads.services import route_leads  # the routing service sits above intake

    route_leads(workspace=workspace, leads=list(leads), actor=actor)


def _check_vendor_program(workspace: Workspace, program: Program) -> None:
    require(workspace, Perm.MANAGE_LEADS)
    if not workspace.is_vendor or program.vendor_id != workspace.vendor.pk:
        raise PermissionDenied


@transaction.atomic
def lead_create(
    *,
    workspace: Workspace | None,
    program: Program,
    data: Mapping[str, Any],
    source: str,
    idempotency_key: str = "",
    actor: User | None = None,
    route: bool = True,
    confirm_duplicate: bool = False,
    ip: str | None = None,
) -> LeadCreateResult:
    """Create one lead and route it; or, for a repeated ``idempotency_key``, return the lead it created.

    ``workspace`` is the vendor's (``MANAGE_LEADS``), or ``None`` for the
    public web form. Raises ``ValidationError({field: [messages]})`` for bad
    values and :class:`IdempotencyConflict` for a reused key with another
    body. A possible duplicate is created with ``duplicate_of`` set and left
    unrouted, unless ``confirm_duplicate`` (a person saw the warning).
    """
    if workspace is not None:
        _check_vendor_program(workspace, program)
        actor = actor or workspace.user
    key = (idempotency_key or "").strip()
    if len(key) > 200:
        raise ValidationError({"idempotency_key": [_("Use an Idempotency-Key of at most 200 characters.")]})
    digest = body_digest(program, data) if key else ""
    if key:
        existing = Lead.objects.for_vendor(program.vendor_id).filter(idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, digest)
    cleaned, errors = clean_lead(data, program=program)
    if errors:
        raise ValidationError(errors)
    duplicate = find_duplicate(program, cleaned)
    lead = Lead(
        vendor_id=program.vendor_id,
        program=program,
        source=source,
        duplicate_of=duplicate,
        idempotency_key=key,
        idempotency_digest=digest,
        created_by=actor,
        **cleaned,
    )
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        if not key:
            raise
        # A request with the same key committed between our look-up and our insert.
        return _replay(Lead.objects.for_vendor(program.vendor_id).get(idempotency_key=key), digest)
    _record_created([lead], workspace=workspace, actor=actor, source=source, ip=ip)
    if route and (duplicate is None or confirm_duplicate):
        _route(workspace, [lead], actor)
        lead.refresh_from_db()
    return LeadCreateResult(lead, created=True)


# --- The public web-to-lead form ----------------------------------------------------------------


def web_form_open(program: Program) -> bool:
    """Whether the program takes leads from its public form: published, and switched on in its lead settings."""
    if program.status != Program.Status.PUBLISHED:
        return False
    return LeadSettings.objects.for_vendor(program.vendor_id).filter(program=program, web_form_enabled=True).exists()


def web_lead_submit(*, program: Program, data: Mapping[str, Any], ip: str | None = None) -> Lead:
    """A visitor's lead from the program's public form: e-mail required, created and routed like any lead."""
    if not web_form_open(program):
        raise PermissionDenied
    if not str(data.get("email") or "").strip():
        raise ValidationError({"email": [_("Enter your e-mail address so a partner can reach you.")]})
    return lead_create(workspace=None, program=program, data=data, source=Lead.Source.WEB, ip=ip).lead


# --- Importing files ----------------------------------------------------------------------------


def _jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in row.items()}


def _from_json(row: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: row.get(name) for name in (*LEAD_FIELDS, "email_domain")}
    if values["estimated_value"] is not None:
        values["estimated_value"] = Decimal(values["estimated_value"])
    return {
        k: ("" if v is None and k not in {"latitude", "longitude", "estimated_value"} else v) for k, v in values.items()
    }


@transaction.atomic
def import_check(
    *,
    workspace: Workspace,
    program: Program,
    content: bytes,
    filename: str,
    preset: str = "",
    mapping: Mapping[str, str] | None = None,
    route: bool = True,
) -> LeadImport:
    """A dry run: read the file, clean every row, count duplicates; store only the :class:`LeadImport`.

    Raises ``ValidationError`` when the file itself cannot be used (type,
    size, no headings, unknown columns, no company or country column). Rows
    with errors are listed as ``{"row": n, "errors": {field: [messages]}}``
    with ``n`` the row number a spreadsheet shows (the headings are row 1).
    """
    _check_vendor_program(workspace, program)
    headings, table = read_table(content, filename)
    preset, chosen = resolve_mapping(headings, preset=preset, mapping=mapping)
    positions = column_positions(headings, chosen)
    cleaned_rows: list[dict[str, Any]] = []
    row_errors: list[dict[str, Any]] = []
    for index, raw in enumerate(table):
        if not any(raw):
            continue
        cleaned, errors = clean_lead(values_at(raw, positions), program=program)
        if errors:
            row_errors.append({"row": index + 2, "errors": errors})
        else:
            cleaned_rows.append({"row": index + 2, **_jsonable(cleaned)})
    duplicates = _count_duplicates(program, cleaned_rows)
    lead_import = LeadImport(
        vendor=workspace.vendor,
        program=program,
        filename=(filename or "")[-200:],
        preset=preset,
        mapping=chosen,
        rows=[] if row_errors else cleaned_rows,
        errors=row_errors,
        row_count=len(cleaned_rows) + len(row_errors),
        error_count=len(row_errors),
        duplicate_count=duplicates,
        route=route,
        created_by=workspace.user,
    )
    lead_import.full_clean(exclude=["rows", "errors"])
    lead_import.save()
    audit.record(
        workspace=workspace,
        action="lead_import.check",
        obj=lead_import,
        changes={"rows": [None, lead_import.row_count], "errors": [None, lead_import.error_count]},
    )
    return lead_import


def _count_duplicates(program: Program, rows: Sequence[Mapping[str, Any]]) -> int:
    """Rows matching an open lead of the program, or an earlier row of the same file."""
    known = set(_duplicates_among_open(program, rows))
    count = 0
    for row in rows:
        keys = _keys(row)
        if any(k in known for k in keys):
            count += 1
        known.update(keys)
    return count


def _lock_import(workspace: Workspace, lead_import: LeadImport) -> LeadImport:
    return LeadImport.objects.for_vendor(workspace.vendor).select_for_update().get(pk=lead_import.pk)


@transaction.atomic
def import_commit(*, workspace: Workspace, lead_import: LeadImport, actor: User | None = None) -> list[Lead]:
    """Create every lead of a checked file, or none; then route them in one go.

    Refuses (:class:`LeadStateError`) a file with errors, or one already
    imported or discarded. Possible duplicates (of open leads, or of an
    earlier row of the same file) are created flagged and not routed.
    """
    require(workspace, Perm.MANAGE_LEADS)
    if not workspace.is_vendor:
        raise PermissionDenied
    actor = actor or workspace.user
    row = _lock_import(workspace, lead_import)
    if row.status == LeadImport.Status.IMPORTED:
        raise LeadStateError(_("This file was already imported."))
    if row.status != LeadImport.Status.CHECKED:
        raise LeadStateError(_("This import was discarded; upload the file again."))
    if row.error_count:
        raise LeadStateError(_("Fix the rows with errors and upload the file again; nothing was imported."))
    program = Program.objects.for_vendor(workspace.vendor).get(pk=row.program_id)
    values = [_from_json(r) for r in row.rows]
    open_matches = _duplicates_among_open(program, values)
    leads = [
        Lead(vendor_id=program.vendor_id, program=program, source=Lead.Source.IMPORT, created_by=actor, **v)
        for v in values
    ]
    for lead, v in zip(leads, values, strict=True):
        lead.duplicate_of_id = next((open_matches[k] for k in _keys(v) if k in open_matches), None)
    insert_many(leads)
    created = leads
    # Rows repeating an earlier row of the same file point at the lead that row became.
    first: dict[str, Lead] = {}
    repeated: list[Lead] = []
    for lead, v in zip(created, values, strict=True):
        keys = _keys(v)
        if lead.duplicate_of_id is None:
            earlier = next((first[k] for k in keys if k in first), None)
            if earlier is not None:
                lead.duplicate_of_id = earlier.pk
                repeated.append(lead)
        for k in keys:
            first.setdefault(k, lead)
    if repeated:
        Lead.objects.for_vendor(workspace.vendor).bulk_update(repeated, ["duplicate_of"], batch_size=1000)
    _record_created(created, workspace=workspace, actor=actor, source=Lead.Source.IMPORT)
    row.status = LeadImport.Status.IMPORTED
    row.imported_at = timezone.now()
    row.save(update_fields=["status", "imported_at"])
    audit.record(workspace=workspace, action="lead_import.commit", obj=row, changes={"leads": [None, len(created)]})
    if row.route:
        _route(workspace, [lead for lead in created if lead.duplicate_of_id is None], actor)
    return created


@transaction.atomic
def import_discard(*, workspace: Workspace, lead_import: LeadImport) -> LeadImport:
    """Set a checked file aside (the person re-checks it with another mapping, or gives up)."""
    require(workspace, Perm.MANAGE_LEADS)
    row = _lock_import(workspace, lead_import)
    if row.status != LeadImport.Status.CHECKED:
        raise LeadStateError(_("This file was already imported."))
    row.status = LeadImport.Status.DISCARDED
    row.rows = []
    row.save(update_fields=["status", "rows"])
    audit.record(workspace=workspace, action="lead_import.discard", obj=row)
    return row


def import_sample(lead_import: LeadImport, n: int = 20) -> Iterable[dict[str, Any]]:
    """The first cleaned rows, for the preview."""
    return lead_import.rows[:n]
