"""Partner portal pages of leads: "My leads" with deadlines, a lead's page, accept / decline / progress.

A partner sees only leads offered to or worked by its own partnerships
(the selectors' rule): another partner's lead is 404. Contact details show
once the partner has accepted the lead.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kanali.core.access import partner_view
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.leads import selectors, services
from kanali.leads.errors import LeadStateError
from kanali.leads.forms import DeclineForm, PartnerAvailabilityForm, StatusForm
from kanali.leads.models import Lead, Offer
from kanali.leads.views.console import add_errors, state_error
from kanali.leads.views.explain import labelled_history, partner_reasons

PAGE_SIZE = 25


def _lead_url(ws: Workspace, lead: Lead) -> str:
    return reverse("leads:portal_lead", kwargs={"vendor_slug": ws.vendor.slug, "lead_id": lead.pk})


def _back(request: HttpRequest, ws: Workspace, lead: Lead) -> str:
    """Back to the list when the action came from it, else to the lead's page."""
    if request.POST.get("next") == "list":
        return reverse("leads:portal_leads", kwargs={"vendor_slug": ws.vendor.slug})
    return _lead_url(ws, lead)


@partner_view(Perm.WORK_LEADS)
@require_safe
def portal_leads(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Waiting offers first (with their deadlines), then the leads the partner works; ``?all=1`` for every one."""
    show_all = request.GET.get("all") == "1"
    leads = selectors.list_leads(ws) if show_all else selectors.partner_open_leads(ws)
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    held = set(selectors.own_partnership_ids(ws))
    return render(
        request,
        "leads/portal_leads.html",
        {
            "ws": ws,
            "page": page,
            "show_all": show_all,
            "query": "all=1" if show_all else "",
            "held": held,
            "decline_form": DeclineForm(auto_id="decline_%s"),
            "status_form": StatusForm(auto_id="status_%s"),
        },
    )


def _lead_page(
    request: HttpRequest,
    ws: Workspace,
    lead: Lead,
    *,
    decline_form: DeclineForm | None = None,
    status_form: StatusForm | None = None,
) -> HttpResponse:
    """The lead's page; a form that came back with errors is shown with them, next to its fields."""
    offers = selectors.lead_offers(ws, lead)
    pending = next((o for o in offers if o.status == Offer.Status.PENDING), None)
    holds = selectors.partner_holds(ws, lead)
    working = holds and lead.status in Lead.WORKING_STATUSES
    reasons = []
    latest = pending or next((o for o in offers if o.status == Offer.Status.ACCEPTED), None)
    if latest is not None:
        reasons = partner_reasons(selectors.offer_decision(ws, latest))
    return render(
        request,
        "leads/portal_lead.html",
        {
            "ws": ws,
            "lead": lead,
            "pending": pending,
            "offers": offers,
            "history": labelled_history(selectors.lead_history(ws, lead)),
            "reasons": reasons,
            "holds": holds,
            "working": working,
            "show_contact": holds and lead.status != Lead.Status.OFFERED,
            "decline_form": decline_form or DeclineForm(),
            "status_form": status_form or StatusForm(),
        },
    )


@partner_view(Perm.WORK_LEADS)
@require_safe
def portal_lead(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    return _lead_page(request, ws, selectors.get_lead(ws, lead_id))


@partner_view(Perm.WORK_LEADS)
@require_POST
def portal_accept(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    lead = selectors.get_lead(ws, lead_id)
    try:
        services.offer_accept(workspace=ws, lead=lead, actor=ws.user)
    except LeadStateError as exc:
        return state_error(request, exc, _back(request, ws, lead))
    messages.success(request, _("You accepted %(company)s. Its contact details are below.") % {"company": lead.company})
    return redirect(_lead_url(ws, lead))


@partner_view(Perm.WORK_LEADS)
@require_POST
def portal_decline(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    lead = selectors.get_lead(ws, lead_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _lead_page(request, ws, lead, decline_form=form)
    try:
        services.offer_decline(
            workspace=ws, lead=lead, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"], actor=ws.user
        )
    except LeadStateError as exc:
        return state_error(request, exc, _back(request, ws, lead))
    except ValidationError as exc:
        add_errors(form, exc)
        return _lead_page(request, ws, lead, decline_form=form)
    messages.success(request, _("You declined %(company)s; it goes to another partner.") % {"company": lead.company})
    return redirect("leads:portal_leads", vendor_slug=ws.vendor.slug)


@partner_view(Perm.WORK_LEADS)
@require_POST
def portal_status(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    lead = selectors.get_lead(ws, lead_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _lead_page(request, ws, lead, status_form=form)
    try:
        services.lead_status_update(
            workspace=ws,
            lead=lead,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            actor=ws.user,
        )
    except LeadStateError as exc:
        return state_error(request, exc, _back(request, ws, lead))
    except ValidationError as exc:
        add_errors(form, exc)
        return _lead_page(request, ws, lead, status_form=form)
    messages.success(
        request,
        _("%(company)s is now %(status)s.") % {"company": lead.company, "status": lead.get_status_display()},
    )
    return redirect(_back(request, ws, lead))


@partner_view(Perm.WORK_LEADS)
def portal_availability(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The partner's own routing profile per program: languages, offices, capacity, a pause.

    Everyone who works leads sees it; the partner's admin (MANAGE_PARTNER_PROFILE) changes it.
    """
    partnerships = list(selectors.own_partnerships(ws).select_related("program").order_by("program__name"))
    can_edit = ws.can(Perm.MANAGE_PARTNER_PROFILE)
    bound: tuple[int, PartnerAvailabilityForm] | None = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        raw = request.POST.get("partnership", "")
        chosen = next((p for p in partnerships if str(p.pk) == raw), None)
        if chosen is None:
            raise Http404
        form = PartnerAvailabilityForm(request.POST, prefix=f"p{chosen.pk}")
        if form.is_valid():
            try:
                services.routing_profile_update(workspace=ws, partnership=chosen, data=form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved: new leads follow your availability."))
                return redirect("leads:portal_availability", vendor_slug=ws.vendor.slug)
        bound = (chosen.pk, form)
    rows = []
    for p in partnerships:
        if bound is not None and bound[0] == p.pk:
            rows.append((p, bound[1]))
            continue
        profile = selectors.get_routing_profile(p)
        rows.append(
            (p, PartnerAvailabilityForm(initial=PartnerAvailabilityForm.initial_from(profile), prefix=f"p{p.pk}"))
        )
    return render(
        request,
        "leads/portal_availability.html",
        {"ws": ws, "rows": rows, "can_edit": can_edit},
        status=400 if bound is not None else 200,
    )
