"""Intake pages: a lead by hand, importing a file (upload → preview → import), the public web-to-lead form."""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from kanali.core.access import vendor_view
from kanali.core.http import client_ip
from kanali.core.roles import Perm
from kanali.core.selectors import get_program, list_programs
from kanali.core.workspace import Workspace
from kanali.leads import selectors_intake as selectors
from kanali.leads import services_intake as services
from kanali.leads.errors import LeadStateError
from kanali.leads.forms_intake import ImportForm, LeadForm, MappingForm, WebLeadForm
from kanali.leads.importing import IMPORT_FIELDS, detect_preset, preset_mapping, read_table, template_csv
from kanali.leads.models import Lead, LeadImport
from kanali.leads.selectors_intake import public_web_form_program

#: The honeypot: a field people never see; anything in it marks the post as a bot's.
HONEYPOT = "company_homepage"


class KeptUpload(NamedTuple):
    """An uploaded file held in the cache between the upload and the import."""

    filename: str
    content: bytes
    headings: list[str]
    program_id: int
    route: bool


#: How long an uploaded file stays at hand to re-check it with another column mapping.
UPLOAD_TTL = 60 * 60
ERRORS_SHOWN = 200
SAMPLE_ROWS = 20
RECENT_IMPORTS = 10


def add_errors(form: Any, exc: ValidationError) -> None:
    """A service's ``{field: [messages]}`` beside the form's fields; other fields' messages on top, labelled."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
            attrs = form.fields[field].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        else:
            label = IMPORT_FIELDS.get(field, field)
            form.add_error(None, [f"{label}: {message}" for message in errors])


def _lead_url(ws: Workspace, lead: Lead) -> str:
    try:
        return reverse("leads:vendor_lead", kwargs={"vendor_slug": ws.vendor.slug, "lead_id": lead.pk})
    except NoReverseMatch:  # the console's lead pages are not installed
        return reverse("leads:intake_new", kwargs={"vendor_slug": ws.vendor.slug})


def _queue_url(ws: Workspace) -> str:
    try:
        return reverse("leads:vendor_leads", kwargs={"vendor_slug": ws.vendor.slug})
    except NoReverseMatch:
        return reverse("leads:intake_import", kwargs={"vendor_slug": ws.vendor.slug})


# --- A lead by hand ---------------------------------------------------------------------------


@vendor_view(Perm.MANAGE_LEADS)
def lead_new(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Enter a lead; a possible duplicate is shown first and created only when the person confirms."""
    programs = list(list_programs(ws))
    form = LeadForm(request.POST or None, programs=programs)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        program = form.cleaned_data["program"]
        confirmed = form.cleaned_data["confirm_duplicate"]
        cleaned, errors = services.clean_lead(form.values(), program=program)
        if errors:
            add_errors(form, ValidationError(errors))
        else:
            duplicate = None if confirmed else services.find_duplicate(program, cleaned)
            if duplicate is None:
                try:
                    result = services.lead_create(
                        workspace=ws,
                        program=program,
                        data=form.values(),
                        source=Lead.Source.FORM,
                        confirm_duplicate=confirmed,
                    )
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, _("Lead %(company)s saved.") % {"company": result.lead.company})
                    return redirect(_lead_url(ws, result.lead))
            else:
                data = request.POST.copy()
                data["confirm_duplicate"] = "on"
                form = LeadForm(data, programs=programs)
                form.is_valid()
    return render(request, "leads/intake/new.html", {"ws": ws, "form": form, "duplicate": duplicate})


# --- Importing a file -------------------------------------------------------------------------


def _upload_key(ws: Workspace, ref: LeadImport | str) -> str:
    """Cache key of an uploaded file: by its checked import, or by a one-off token while its columns are chosen."""
    if isinstance(ref, LeadImport):
        return f"leads:import:{ws.vendor.pk}:{ref.pk}"
    return f"leads:upload:{ws.vendor.pk}:{ref}"


def _keep_upload(ws: Workspace, ref: LeadImport | str, upload: KeptUpload) -> None:
    """Keep the file for an hour so its columns can be chosen or changed without uploading it again."""
    cache.set(_upload_key(ws, ref), upload, UPLOAD_TTL)


def _check(ws: Workspace, upload: KeptUpload, mapping: dict[str, str] | None = None, preset: str = "") -> LeadImport:
    program = get_program(ws, upload.program_id)
    lead_import = services.import_check(
        workspace=ws,
        program=program,
        content=upload.content,
        filename=upload.filename,
        preset=preset,
        mapping=mapping,
        route=upload.route,
    )
    _keep_upload(ws, lead_import, upload)
    return lead_import


def _is_mapping_error(exc: ValidationError) -> bool:
    return getattr(exc, "code", None) == "mapping"


@vendor_view(Perm.MANAGE_LEADS)
def import_upload(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Upload and check a file; when its company or country column is not recognised, choose the columns first."""
    programs = list(list_programs(ws))
    choosing = request.method == "POST" and "token" in request.POST
    form = ImportForm(None if choosing else request.POST or None, request.FILES or None, programs=programs)
    mapping_form, token = None, ""
    if choosing:
        token = request.POST["token"]
        upload = cache.get(_upload_key(ws, token)) if token.isalnum() else None
        if upload is None:
            messages.error(request, _("Upload the file again to choose its columns."))
            return redirect("leads:intake_import", vendor_slug=ws.vendor.slug)
        mapping_form = MappingForm(request.POST, headings=upload.headings, mapping={})
        if mapping_form.is_valid():
            try:
                lead_import = _check(ws, upload, mapping=mapping_form.mapping())
            except ValidationError as exc:
                mapping_form.add_error(None, exc)
            else:
                cache.delete(_upload_key(ws, token))
                return redirect("leads:intake_import_preview", vendor_slug=ws.vendor.slug, import_id=lead_import.pk)
    elif request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = KeptUpload(file.name, file.read(), [], form.cleaned_data["program"].pk, form.cleaned_data["route"])
        try:
            headings, _rows = read_table(upload.content, upload.filename)
            upload = upload._replace(headings=headings)
            lead_import = _check(ws, upload, preset=form.cleaned_data["preset"])
        except ValidationError as exc:
            if _is_mapping_error(exc) and upload.headings:
                token = secrets.token_hex(16)
                _keep_upload(ws, token, upload)
                guess = preset_mapping(upload.headings, detect_preset(upload.headings))
                mapping_form = MappingForm(guess, headings=upload.headings, mapping=guess)
                mapping_form.is_valid()
                mapping_form.add_error(None, exc)
            else:
                form.add_error("file", exc)
        else:
            return redirect("leads:intake_import_preview", vendor_slug=ws.vendor.slug, import_id=lead_import.pk)
    return render(
        request,
        "leads/intake/import.html",
        {
            "ws": ws,
            "form": form,
            "mapping_form": mapping_form,
            "token": token,
            "recent": list(selectors.list_imports(ws)[:RECENT_IMPORTS]),
        },
    )


@vendor_view(Perm.MANAGE_LEADS)
@require_safe
def import_template(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The Kanali CSV template: our field names as headings and an example row (UTF-8 with BOM for Excel)."""
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kanali-leads-template.csv"'
    return response


@vendor_view(Perm.MANAGE_LEADS)
def import_preview(request: HttpRequest, ws: Workspace, import_id: int) -> HttpResponse:
    """The dry run's result: counts, the column mapping (change it and check again), each bad row's errors."""
    lead_import = selectors.get_import(ws, import_id)
    upload = cache.get(_upload_key(ws, lead_import))
    mapping_form = None
    if upload is not None and lead_import.status == LeadImport.Status.CHECKED:
        mapping_form = MappingForm(request.POST or None, headings=upload.headings, mapping=lead_import.mapping)
        if request.method == "POST" and mapping_form.is_valid():
            try:
                checked = _check(ws, upload, mapping=mapping_form.mapping())
            except ValidationError as exc:
                mapping_form.add_error(None, exc)
            else:
                services.import_discard(workspace=ws, lead_import=lead_import)
                return redirect("leads:intake_import_preview", vendor_slug=ws.vendor.slug, import_id=checked.pk)
    elif request.method == "POST":
        messages.error(request, _("Upload the file again to change its columns."))
        return redirect("leads:intake_import", vendor_slug=ws.vendor.slug)
    return render(
        request,
        "leads/intake/preview.html",
        {
            "ws": ws,
            "lead_import": lead_import,
            "mapping": [(IMPORT_FIELDS[f], h) for f, h in lead_import.mapping.items() if f in IMPORT_FIELDS],
            "mapping_form": mapping_form,
            "errors": lead_import.errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(lead_import.errors) - ERRORS_SHOWN),
            "sample": lead_import.rows[:SAMPLE_ROWS],
            "labels": IMPORT_FIELDS,
        },
    )


@vendor_view(Perm.MANAGE_LEADS)
@require_POST
def import_commit(request: HttpRequest, ws: Workspace, import_id: int) -> HttpResponse:
    lead_import = selectors.get_import(ws, import_id)
    try:
        leads = services.import_commit(workspace=ws, lead_import=lead_import)
    except LeadStateError as exc:
        messages.error(request, exc.reason)
        return redirect("leads:intake_import_preview", vendor_slug=ws.vendor.slug, import_id=lead_import.pk)
    cache.delete(_upload_key(ws, lead_import))
    flagged = sum(1 for lead in leads if lead.duplicate_of_id)
    message = ngettext("%(n)d lead imported.", "%(n)d leads imported.", len(leads)) % {"n": len(leads)}
    if flagged and lead_import.route:
        message += " " + ngettext(
            "%(n)d possible duplicate waits in the queue, not routed.",
            "%(n)d possible duplicates wait in the queue, not routed.",
            flagged,
        ) % {"n": flagged}
    messages.success(request, message)
    return redirect(_queue_url(ws))


# --- The public web-to-lead form --------------------------------------------------------------


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def web_lead(request: HttpRequest, vendor_slug: str, program_slug: str) -> HttpResponse:
    """A program's public "contact us" form: the lead is routed to a partner at once."""
    program = public_web_form_program(vendor_slug, program_slug)
    context: dict[str, Any] = {"program": program, "vendor": program.vendor, "honeypot": HONEYPOT}
    form = WebLeadForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            # Look exactly like success to the bot; keep nothing.
            return render(request, "leads/intake/web_thanks.html", context)
        if form.is_valid():
            try:
                services.web_lead_submit(program=program, data=form.values(get_language() or ""), ip=client_ip(request))
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return render(request, "leads/intake/web_thanks.html", context)
    return render(request, "leads/intake/web_form.html", {**context, "form": form})
