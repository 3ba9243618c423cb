"""Partner management (vendor console), the partner's directory page (portal), and the two directories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kanali.core import selectors as core
from kanali.core.access import partner_view, vendor_view
from kanali.core.models import Partnership
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.designer import selectors as design
from kanali.partners import selectors_management as selectors
from kanali.partners import services_management as services
from kanali.partners.forms_management import (
    DirectoryProfileForm,
    EcosystemFilterForm,
    LocatorFilterForm,
    ManagementFilterForm,
    NoteForm,
    ReasonForm,
)

PAGE_SIZE = 25

#: Labels of the audit actions a partner's timeline shows; others show their code.
TIMELINE_LABELS = {
    "partnership.create": gettext_lazy("Joined the program"),
    "partnership.update": gettext_lazy("Partnership changed"),
    "partnership.suspend": gettext_lazy("Suspended"),
    "partnership.reactivate": gettext_lazy("Reactivated"),
    "partnership.terminate": gettext_lazy("Terminated"),
    "partnership.note": gettext_lazy("Note added"),
    "locator_listing.update": gettext_lazy("Partner locator listing changed"),
    "directory_profile.update": gettext_lazy("Directory profile changed"),
    "organization.update": gettext_lazy("Company profile changed"),
    "invitation.create": gettext_lazy("Invitation sent"),
    "membership.change_role": gettext_lazy("Colleague's role changed"),
    "membership.remove": gettext_lazy("Colleague removed"),
}


# --- Vendor console --------------------------------------------------------------


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def management_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = ManagementFilterForm(
        request.GET or None, programs=list(core.list_programs(ws)), tiers=selectors.tier_choices(ws)
    )
    partnerships = selectors.list_managed_partnerships(ws, **form.filters())
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/management_list.html",
        {
            "ws": ws,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "inactive_days": selectors.INACTIVE_DAYS,
        },
    )


def _action_forms(data: Any = None, action: str = "") -> dict[str, ReasonForm]:
    return {name: ReasonForm(data if name == action else None, prefix=name) for name in ReasonForm.ACTIONS}


def _detail(
    request: HttpRequest,
    ws: Workspace,
    partnership: Partnership,
    *,
    note_form: NoteForm | None = None,
    action_forms: dict[str, ReasonForm] | None = None,
) -> HttpResponse:
    profile = selectors.get_directory_profile(partnership.partner)
    listed = bool(selectors.locator_listed_ids(ws, [partnership.pk]))
    timeline = [
        (entry, TIMELINE_LABELS.get(entry.action, entry.action))
        for entry in selectors.partnership_timeline(ws, partnership)
    ]
    forms = action_forms or _action_forms()
    allowed = {
        "suspend": partnership.status in services.SUSPENDABLE,
        "reactivate": partnership.status == Partnership.Status.SUSPENDED,
        "terminate": partnership.status != Partnership.Status.TERMINATED,
    }
    return render(
        request,
        "partners/management_detail.html",
        {
            "ws": ws,
            "partnership": partnership,
            "profile": profile if profile.pk else None,
            "listed_in_locator": listed,
            "people": core.list_partner_people(ws, partnership),
            "notes": selectors.list_notes(ws, partnership),
            "history": selectors.status_history(ws, partnership),
            "timeline": timeline,
            "note_form": note_form or NoteForm(),
            "action_forms": [
                (name, forms[name]) for name in ReasonForm.ACTIONS if allowed[name] or forms[name].is_bound
            ],
            "can_manage": ws.can(Perm.MANAGE_PARTNERS),
            "inactive_days": selectors.INACTIVE_DAYS,
        },
    )


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def management_detail(request: HttpRequest, ws: Workspace, partnership_id: int) -> HttpResponse:
    return _detail(request, ws, selectors.get_managed_partnership(ws, partnership_id))


@vendor_view(Perm.MANAGE_PARTNERS)
@require_POST
def management_note_add(request: HttpRequest, ws: Workspace, partnership_id: int) -> HttpResponse:
    partnership = selectors.get_managed_partnership(ws, partnership_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_create(workspace=ws, partnership=partnership, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Note saved."))
            return redirect("partners:management_detail", vendor_slug=ws.vendor.slug, partnership_id=partnership.pk)
    return _detail(request, ws, partnership, note_form=form)


ACTIONS: dict[str, tuple[Callable[..., Partnership], Any]] = {
    "suspend": (
        services.partnership_suspend,
        gettext_lazy("%(partner)s is suspended; its people no longer reach the portal."),
    ),
    "reactivate": (services.partnership_reactivate, gettext_lazy("%(partner)s is reactivated.")),
    "terminate": (services.partnership_terminate, gettext_lazy("%(partner)s's partnership is terminated.")),
}


@vendor_view(Perm.MANAGE_PARTNERS)
@require_POST
def management_status(request: HttpRequest, ws: Workspace, partnership_id: int) -> HttpResponse:
    partnership = selectors.get_managed_partnership(ws, partnership_id)
    action = request.POST.get("action", "")
    forms = _action_forms(request.POST, action)
    if action not in ACTIONS:
        messages.error(request, _("Choose suspend, reactivate or terminate."))
        return redirect("partners:management_detail", vendor_slug=ws.vendor.slug, partnership_id=partnership.pk)
    form = forms[action]
    if form.is_valid():
        service, done = ACTIONS[action]
        try:
            service(workspace=ws, partnership=partnership, reason=form.cleaned_data["reason"])
        except services.TransitionError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error("reason" if hasattr(exc, "error_dict") and "reason" in exc.error_dict else None, exc)
        else:
            messages.success(request, done % {"partner": partnership.partner.name})
            return redirect("partners:management_detail", vendor_slug=ws.vendor.slug, partnership_id=partnership.pk)
    return _detail(request, ws, partnership, action_forms=forms)


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def ecosystem(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = EcosystemFilterForm(request.GET or None)
    profiles = selectors.list_ecosystem(ws, **form.filters())
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/management_ecosystem.html",
        {"ws": ws, "form": form, "page": page, "query": query.urlencode()},
    )


# --- Partner portal -------------------------------------------------------------------


@partner_view(Perm.MANAGE_PARTNER_PROFILE)
def portal_directory(request: HttpRequest, ws: Workspace) -> HttpResponse:
    partnerships = selectors.portal_partnerships(ws)
    profile = selectors.get_directory_profile(ws.organization)
    listed = selectors.locator_listed_ids(ws, [p.pk for p in partnerships])
    initial = {
        "listed_in_ecosystem": profile.listed_in_ecosystem,
        "description": profile.description,
        "city": profile.city,
        "regions": profile.regions,
        "specializations": profile.specializations,
        "industries": profile.industries,
        **{f"locator_{p.pk}": p.pk in listed for p in partnerships},
    }
    form = DirectoryProfileForm(request.POST or None, initial=initial, partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        try:
            services.directory_profile_update(workspace=ws, **form.service_values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your directory listing is saved."))
            return redirect("partners:portal_directory", vendor_slug=ws.vendor.slug)
    return render(
        request,
        "partners/management_portal_directory.html",
        {"ws": ws, "form": form, "organization": ws.organization},
    )


# --- Public ------------------------------------------------------------------------------


@require_safe
def locator(request: HttpRequest, vendor_slug: str, program_slug: str) -> HttpResponse:
    """A published program's partner locator: active partners that opted in, and only what they published."""
    found = selectors.get_locator_program(vendor_slug, program_slug)
    program = found.program
    partner_types = [(t.key, t.name) for t in design.partner_types(program)]
    tiers = [t.name for t in design.tiers(program)]
    form = LocatorFilterForm(request.GET or None, partner_types=partner_types, tiers=tiers)
    partners = selectors.list_locator_partners(program, **form.filters())
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(partner_types)
    page.object_list = list(page.object_list)
    for p in page.object_list:
        p.type_name = names.get(p.partner_type) or p.get_partner_type_display()  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/management_locator.html",
        {
            "program": program,
            "vendor": program.vendor,
            "version": found.version,
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )
