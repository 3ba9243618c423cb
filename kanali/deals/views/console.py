"""Vendor console deals pages: the registration queue and review, extensions, pipeline, accounts, products.

Staff with ``view_console`` read every page; deciding registrations, moving
deals and editing the catalogue, accounts and settings take ``manage_deals``.
The review page is where the conflicting records are shown, side by side,
with the engine's reason and score: vendor eyes only.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kanali.core.access import vendor_view
from kanali.core.models import Partnership, Program
from kanali.core.roles import Perm
from kanali.core.selectors import list_partnerships, list_programs
from kanali.core.workspace import Workspace
from kanali.deals import imports, selectors
from kanali.deals import services_accounts as accounts_services
from kanali.deals import services_products as products_services
from kanali.deals import services_registrations as registrations
from kanali.deals.forms import (
    AccountFilterForm,
    AccountForm,
    AccountImportForm,
    ApproveForm,
    DealSettingsForm,
    ExtensionDecisionForm,
    ProductForm,
    ReasonForm,
    RegistrationFilterForm,
)
from kanali.deals.models import Account, Deal, DealRegistration, Product
from kanali.deals.services import DealStateError, deal_settings_update
from kanali.deals.services import deal_settings as deal_settings_of
from kanali.deals.views import common
from kanali.deals.views.common import CONSOLE
from kanali.leads.importing import read_table
from kanali.leads.models import Lead

SIDE = CONSOLE


def _programs(ws: Workspace) -> list[Program]:
    return list(list_programs(ws).order_by("name", "pk"))


def _partnerships(ws: Workspace) -> list[Partnership]:
    return list(list_partnerships(ws))


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's per-field messages next to the form's fields (the rest on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- registrations ------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def registration_queue(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Registrations to decide (conflicts flagged), filtered by status, conflict, partner and program."""
    data = request.GET.copy()
    if "status" not in data:
        # What waits for a decision, until the user picks another status (or "any").
        data["status"] = DealRegistration.Status.SUBMITTED
    form = RegistrationFilterForm(data, partnerships=_partnerships(ws), programs=_programs(ws))
    filters: dict[str, Any] = {"status": DealRegistration.Status.SUBMITTED}
    if form.is_valid():
        cleaned = form.cleaned_data
        filters = {
            "status": cleaned["status"],
            "partnership_id": cleaned["partnership"],
            "program_id": cleaned["program"],
            "in_conflict": {"yes": True, "no": False}.get(cleaned["conflict"]),
        }
    page = Paginator(selectors.list_registrations(ws, **filters), common.PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deals/console_registrations.html",
        {
            "ws": ws,
            "form": form,
            "page": page,
            "rows": [(r, common.days_left(r, today)) for r in page.object_list],
            "counts": selectors.registration_status_counts(ws),
            "extensions": selectors.list_registrations(ws, status=DealRegistration.Status.APPROVED)
            .filter(extension_requested_at__isnull=False, extension_decided_at__isnull=True)
            .count(),
            "query": query.urlencode(),
        },
    )


def _conflict_records(ws: Workspace, conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stored conflict with the record it names, re-read now (one query per kind, four at most)."""
    ids: dict[str, list[int]] = {}
    for c in conflicts:
        ids.setdefault(str(c.get("kind")), []).append(c.get("id"))  # type: ignore[arg-type]
    found: dict[tuple[str, Any], Any] = {}
    vendor = ws.vendor
    if ids.get("account"):
        for a in Account.objects.for_vendor(vendor).filter(pk__in=ids["account"]):
            found["account", a.pk] = {
                "name": a.name,
                "domain": a.domain,
                "vat_number": a.vat_number,
                "country": a.country.name if a.country else "",
                "partner": "",
                "status": a.get_source_display(),
                "url": "",
            }
    if ids.get("deal"):
        for d in (
            Deal.objects.for_vendor(vendor)
            .filter(pk__in=ids["deal"])
            .select_related("partnership__partner", "account", "registration")
        ):
            found["deal", d.pk] = {
                "name": d.name,
                "domain": (d.account.domain if d.account else "") or (d.registration.domain if d.registration else ""),
                "vat_number": (d.account.vat_number if d.account else "")
                or (d.registration.vat_number if d.registration else ""),
                "country": d.account.country.name if d.account and d.account.country else "",
                "partner": d.partnership.partner.name,
                "status": f"{d.get_status_display()} · {d.stage}",
                "url": common.reverse_page("deals:vendor_deal_detail", ws, d.pk),
            }
    if ids.get("registration"):
        for r in (
            DealRegistration.objects.for_vendor(vendor)
            .filter(pk__in=ids["registration"])
            .select_related("partnership__partner")
        ):
            status = r.get_status_display()
            if r.protected_until and r.status == DealRegistration.Status.APPROVED:
                status = _("%(status)s, protected until %(date)s") % {"status": status, "date": r.protected_until}
            found["registration", r.pk] = {
                "name": r.company,
                "domain": r.domain,
                "vat_number": r.vat_number,
                "country": r.country.name if r.country else "",
                "partner": r.partnership.partner.name,
                "status": status,
                "submitted": r.created_at,
                "url": common.reverse_page("deals:vendor_registration_detail", ws, r.pk),
            }
    if ids.get("lead"):
        for lead in Lead.objects.for_vendor(vendor).filter(pk__in=ids["lead"]).select_related("partnership__partner"):
            found["lead", lead.pk] = {
                "name": lead.company,
                "domain": lead.email_domain,
                "vat_number": "",
                "country": lead.country.name if lead.country else "",
                "partner": lead.partnership.partner.name if lead.partnership else "",
                "status": lead.get_status_display(),
                "url": "",
            }
    kinds = {"account": _("Account"), "deal": _("Deal"), "registration": _("Registration"), "lead": _("Lead")}
    reasons = {"vat": _("same VAT number"), "domain": _("same website domain"), "name": _("similar company name")}
    rows = []
    for c in conflicts:
        record = found.get((str(c.get("kind")), c.get("id")))
        rows.append(
            {
                "kind": kinds.get(str(c.get("kind")), c.get("kind")),
                "id": c.get("id"),
                "reason": c.get("reason", ""),
                "reasons": [reasons.get(r, r) for r in c.get("reasons") or [c.get("reason", "")]],
                "score": c.get("score"),
                "label": c.get("label", ""),
                "owner_name": c.get("owner_name", ""),
                "record": record,
            }
        )
    return rows


def _review_page(
    request: HttpRequest,
    ws: Workspace,
    registration: DealRegistration,
    *,
    reject_form: ReasonForm | None = None,
) -> HttpResponse:
    deal = getattr(registration, "deal", None) if registration.status == DealRegistration.Status.APPROVED else None
    return render(
        request,
        "deals/console_registration.html",
        {
            "ws": ws,
            "registration": registration,
            "conflicts": _conflict_records(ws, registration.conflicts or []),
            "products": common.products_of(registration, common.product_labels(ws)),
            "days_left": common.days_left(registration),
            "approve_form": ApproveForm(),
            "reject_form": reject_form or ReasonForm(),
            "can_decide": ws.can(Perm.MANAGE_DEALS) and registration.status == DealRegistration.Status.SUBMITTED,
            "can_decide_extension": ws.can(Perm.MANAGE_DEALS)
            and registration.extension_requested_at is not None
            and registration.extension_decided_at is None,
            "deal": deal,
        },
    )


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def registration_review(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return _review_page(request, ws, selectors.get_registration(ws, pk))


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def registration_approve(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    registration = selectors.get_registration(ws, pk)
    form = ApproveForm(request.POST)
    override = form.is_valid() and form.cleaned_data["override"]
    try:
        registration = registrations.registration_approve(workspace=ws, registration=registration, override=override)
    except DealStateError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(company)s is approved and protected until %(date)s; the deal is in the pipeline.")
            % {"company": registration.company, "date": registration.protected_until},
        )
    return redirect("deals:vendor_registration_detail", vendor_slug=ws.vendor.slug, pk=pk)


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def registration_reject(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    registration = selectors.get_registration(ws, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            registrations.registration_reject(
                workspace=ws, registration=registration, reason=form.cleaned_data["reason"]
            )
        except DealStateError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
            return _review_page(request, ws, registration, reject_form=form)
        else:
            messages.success(request, _("The registration is rejected; the partner is told why."))
            return redirect("deals:vendor_registration_detail", vendor_slug=ws.vendor.slug, pk=pk)
        return redirect("deals:vendor_registration_detail", vendor_slug=ws.vendor.slug, pk=pk)
    return _review_page(request, ws, registration, reject_form=form)


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def registration_extension(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    registration = selectors.get_registration(ws, pk)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to grant or to deny the extension."))
    else:
        grant = form.cleaned_data["grant"]
        try:
            registration = registrations.extension_decide(
                workspace=ws, registration=registration, grant=grant, note=request.POST.get("note", "")[:300]
            )
        except DealStateError as exc:
            messages.error(request, str(exc))
        else:
            if grant:
                messages.success(
                    request,
                    _("Extension granted: protected until %(date)s.") % {"date": registration.protected_until},
                )
            else:
                messages.success(request, _("Extension denied; the partner is told."))
    return redirect(common.safe_next(request, common.reverse_page("deals:vendor_registration_detail", ws, pk)))


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def extension_requests(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Approved registrations whose partner asked for more protection time, oldest request first."""
    rows = list(
        selectors.list_registrations(ws)
        .filter(extension_requested_at__isnull=False, extension_decided_at__isnull=True)
        .order_by("extension_requested_at", "pk")[:200]
    )
    today = timezone.localdate()
    return render(
        request,
        "deals/console_extensions.html",
        {"ws": ws, "rows": [(r, common.days_left(r, today)) for r in rows], "can_decide": ws.can(Perm.MANAGE_DEALS)},
    )


# --- pipeline -----------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def pipeline(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return common.board_page(request, ws, SIDE, programs=_programs(ws), partnerships=_partnerships(ws))


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def deal_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return common.list_page(request, ws, SIDE, programs=_programs(ws), partnerships=_partnerships(ws))


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def deal_detail(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_page(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def deal_stage(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_stage(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def deal_won(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_won(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def deal_edit(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_edit(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def deal_lost(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_lost(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@vendor_view(Perm.MANAGE_DEALS)
def deal_reopen(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_reopen(request, ws, SIDE, selectors.get_deal(ws, pk))


# --- accounts -----------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_PARTNERS)
def account_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The vendor's accounts, searchable, and a form to add one by hand."""
    create_form = AccountForm(request.POST or None)
    if request.method == "POST":
        if not ws.can(Perm.MANAGE_DEALS):
            raise PermissionDenied
        if create_form.is_valid():
            try:
                account = accounts_services.account_create(workspace=ws, **create_form.cleaned_data)
            except ValidationError as exc:
                _form_errors(create_form, exc)
            else:
                messages.success(request, _("%(name)s is added to your accounts.") % {"name": account.name})
                return redirect("deals:account_list", vendor_slug=ws.vendor.slug)
    form = AccountFilterForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.list_accounts(ws, search=search), common.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deals/console_accounts.html",
        {
            "ws": ws,
            "form": form,
            "create_form": create_form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": ws.can(Perm.MANAGE_DEALS),
        },
    )


# --- products -----------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_PARTNERS)
def product_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The catalogue per program, and a form to add a product."""
    programs = _programs(ws)
    form = ProductForm(request.POST or None, programs=programs, initial={"active": True})
    if request.method == "POST":
        if not ws.can(Perm.MANAGE_DEALS):
            raise PermissionDenied
        if form.is_valid():
            program = next(p for p in programs if p.pk == form.cleaned_data["program"])
            try:
                product = products_services.product_create(
                    workspace=ws,
                    program=program,
                    name=form.cleaned_data["name"],
                    code=form.cleaned_data["code"],
                    active=form.cleaned_data["active"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is in the catalogue.") % {"name": product.name})
                return redirect("deals:product_list", vendor_slug=ws.vendor.slug)
    return render(
        request,
        "deals/console_products.html",
        {
            "ws": ws,
            "form": form,
            "products": list(selectors.list_products(ws)),
            "several_programs": len(programs) > 1,
            "can_manage": ws.can(Perm.MANAGE_DEALS),
        },
    )


@vendor_view(Perm.VIEW_PARTNERS)
def product_edit(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    product: Product = selectors.get_product(ws, pk)
    form = ProductForm(
        request.POST or None,
        programs=[product.program],
        editing=True,
        initial={"name": product.name, "active": product.active},
    )
    if request.method == "POST":
        if not ws.can(Perm.MANAGE_DEALS):
            raise PermissionDenied
        if form.is_valid():
            try:
                product = products_services.product_update(
                    workspace=ws, product=product, name=form.cleaned_data["name"], active=form.cleaned_data["active"]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": product.name})
                return redirect("deals:product_list", vendor_slug=ws.vendor.slug)
    return render(
        request,
        "deals/console_product_edit.html",
        {"ws": ws, "form": form, "product": product, "can_manage": ws.can(Perm.MANAGE_DEALS)},
    )


#: Session key of the file waiting between the dry-run preview and the commit.
IMPORT_SESSION_KEY = "deals_account_import"
PREVIEW_ROWS = 20


def _preview_rows(content: bytes, filename: str, preset: str) -> tuple[list[str], list[list[str]]]:
    """The first rows of the file as the import will read them (only the mapped columns), for the preview."""
    try:
        headings, rows = read_table(content, filename)
    except ValidationError:
        return [], []
    _used, columns = imports.mapping_for(headings, preset)
    fields = [f for f in imports.ACCOUNT_FIELDS if f in columns]
    return fields, [[row[columns[f]] for f in fields] for row in rows[:PREVIEW_ROWS]]


@vendor_view(Perm.VIEW_PARTNERS)
def account_import(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Upload → dry run (errors per row, nothing written) → commit the same file, all rows or none."""
    form = AccountImportForm(request.POST or None, request.FILES or None, presets=imports.PRESET_CHOICES)
    context: dict[str, Any] = {"ws": ws, "form": form}
    if request.method == "POST":
        if not ws.can(Perm.MANAGE_DEALS):
            raise PermissionDenied
        pending = request.session.get(IMPORT_SESSION_KEY)
        if request.POST.get("action") == "commit":
            if not pending:
                messages.error(request, _("Upload the file again: the preview has expired."))
                return redirect("deals:account_import", vendor_slug=ws.vendor.slug)
            content = base64.b64decode(pending["content"])
            result = imports.import_accounts(
                workspace=ws, content=content, filename=pending["filename"], preset=pending["preset"], dry_run=False
            )
            request.session.pop(IMPORT_SESSION_KEY, None)
            if result.errors:
                messages.error(request, _("Nothing was imported: the file has errors."))
                context.update(result=result, filename=pending["filename"])
                return render(request, "deals/console_account_import.html", context)
            messages.success(
                request,
                _("Imported %(file)s: %(created)d accounts created, %(updated)d updated.")
                % {"file": pending["filename"], "created": result.created, "updated": result.updated},
            )
            return redirect("deals:account_list", vendor_slug=ws.vendor.slug)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            preset = form.cleaned_data["preset"]
            result = imports.import_accounts(
                workspace=ws, content=content, filename=upload.name, preset=preset, dry_run=True
            )
            fields, preview = _preview_rows(content, upload.name, result.preset)
            if result.errors:
                request.session.pop(IMPORT_SESSION_KEY, None)
            else:
                request.session[IMPORT_SESSION_KEY] = {
                    "content": base64.b64encode(content).decode("ascii"),
                    "filename": upload.name,
                    "preset": result.preset,
                }
            context.update(result=result, filename=upload.name, fields=fields, preview=preview)
    return render(request, "deals/console_account_import.html", context)


# --- settings -----------------------------------------------------------------------------------


SETTINGS_FIELDS = ("protection_days", "reminder_days", "extension_days", "name_threshold")


@vendor_view(Perm.VIEW_PARTNERS)
def deal_settings(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Each program's protection period, reminder and extension days, and the name-match threshold."""
    programs = _programs(ws)
    posted: DealSettingsForm | None = None
    if request.method == "POST":
        if not ws.can(Perm.MANAGE_DEALS):
            raise PermissionDenied
        raw = request.POST.get("program", "")
        posted = DealSettingsForm(request.POST, auto_id=f"id_s{raw if raw.isdigit() else ''}_%s")
        if posted.is_valid():
            program = next((p for p in programs if p.pk == posted.cleaned_data["program"]), None)
            if program is None:
                raise Http404
            try:
                deal_settings_update(
                    workspace=ws, program=program, **{k: posted.cleaned_data[k] for k in SETTINGS_FIELDS}
                )
            except ValidationError as exc:
                _form_errors(posted, exc)
            else:
                messages.success(request, _("Deal settings of %(program)s are saved.") % {"program": program.name})
                return redirect("deals:settings", vendor_slug=ws.vendor.slug)
    rows = []
    for program in programs:
        current = deal_settings_of(program)
        if posted is not None and str(posted.data.get("program")) == str(program.pk):
            form = posted
        else:
            # One form per program on the page: ids carry the program so labels stay unique.
            form = DealSettingsForm(
                initial={"program": program.pk, **{k: getattr(current, k) for k in SETTINGS_FIELDS}},
                auto_id=f"id_s{program.pk}_%s",
            )
        rows.append((program, current, form))
    return render(
        request,
        "deals/console_settings.html",
        {"ws": ws, "rows": rows, "can_manage": ws.can(Perm.MANAGE_DEALS)},
    )
