"""Vendor console pages of leads: the queue, a lead with its routing decisions, the routing log,
routing settings per program and partners' routing profiles.

Thin views: selectors read, services write; a ``LeadStateError`` becomes an
error message (or a 409 fragment for htmx) and a ``ValidationError`` sits
next to its field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kanali.core import selectors as core
from kanali.core.access import vendor_view
from kanali.core.models import Partnership, Program
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.leads import selectors, services
from kanali.leads.errors import LeadStateError
from kanali.leads.forms import DecisionFilterForm, LeadFilterForm, ReassignForm, RoutingProfileForm, RoutingSettingsForm
from kanali.leads.models import Lead, Offer, RoutingDecision, RoutingProfile
from kanali.leads.views.explain import labelled_history, vendor_explanation

PAGE_SIZE = 25
#: Statuses the queue calls "needs attention": nobody holds the lead.
ATTENTION = (Lead.Status.NEW, Lead.Status.RETURNED)


def state_error(request: HttpRequest, exc: LeadStateError, url: str) -> HttpResponse:
    """The action is no longer possible: a 409 fragment for htmx, else a message and back to the page."""
    if request.headers.get("HX-Request"):
        return render(request, "leads/state_error.html", {"reason": exc.reason}, status=409)
    messages.error(request, exc.reason)
    return redirect(url)


def _lead_url(ws: Workspace, lead: Lead) -> str:
    return reverse("leads:vendor_lead", kwargs={"vendor_slug": ws.vendor.slug, "lead_id": lead.pk})


def _program(ws: Workspace, program_id: int) -> Program:
    return get_object_or_404(selectors.lead_programs(ws), pk=program_id)


# --- The queue -------------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_CONSOLE)
@require_safe
def lead_queue(request: HttpRequest, ws: Workspace) -> HttpResponse:
    programs = list(selectors.lead_programs(ws))
    partnerships = list(core.list_partnerships(ws))
    form = LeadFilterForm(request.GET or None, programs=programs, partnerships=partnerships)
    filters = form.filters()
    status = filters.get("status", "")
    base = selectors.list_leads(
        ws, program=filters.get("program"), partnership=filters.get("partnership"), q=filters.get("q", "")
    )
    if filters.get("source"):
        base = base.filter(source=filters["source"])
    counts = dict(base.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    leads = base
    if status == "attention":
        leads = leads.filter(status__in=ATTENTION)
    elif status:
        leads = leads.filter(status=status)
    pending = Offer.objects.for_vendor(ws.vendor).filter(status=Offer.Status.PENDING)
    leads = leads.prefetch_related(Prefetch("offers", queryset=pending, to_attr="pending_offers"))
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    others = query.copy()
    others.pop("status", None)
    status_counts = [(value, label, counts.get(value, 0)) for value, label in Lead.Status.choices]
    return render(
        request,
        "leads/console_queue.html",
        {
            "ws": ws,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "status_query": others.urlencode(),
            "status_counts": status_counts,
            "attention": sum(counts.get(s, 0) for s in ATTENTION),
            "total": sum(counts.values()),
            "status": status,
            "can_manage": ws.can(Perm.MANAGE_LEADS),
        },
    )


# --- One lead ----------------------------------------------------------------------------------------


def _reassign_choices(ws: Workspace, lead: Lead, decisions: list[RoutingDecision]) -> list[tuple[Any, Any]]:
    """The latest ranking first (best first), then every other active partnership of the program."""
    top = (decisions[0].explanation or {}).get("top", []) if decisions else []
    ranked = [(int(c["partnership_id"]), f"{c.get('rank')}. {c.get('name', '')}") for c in top]
    seen = {pid for pid, _label in ranked}
    others = [
        (p.pk, p.partner.name)
        for p in core.list_partnerships(ws, program_id=lead.program_id, status=Partnership.Status.ACTIVE)
        if p.pk not in seen
    ]
    choices: list[tuple[Any, Any]] = []
    if ranked:
        choices.append((_("Ranked by the routing engine"), ranked))
    if others:
        choices.append((_("Other active partners"), others))
    return choices


def _lead_page(
    request: HttpRequest, ws: Workspace, lead: Lead, *, reassign_form: ReassignForm | None = None, status: int = 200
) -> HttpResponse:
    decisions = list(selectors.list_decisions(ws, lead=lead))
    explained = [(d, vendor_explanation(selectors.explanation_for(ws, d))) for d in decisions]
    pending = selectors.pending_offer(lead)
    can_manage = ws.can(Perm.MANAGE_LEADS)
    form = reassign_form or ReassignForm(partnerships=_reassign_choices(ws, lead, decisions))
    if reassign_form is not None:
        form.fields["partnership"].choices = [  # type: ignore[attr-defined]
            ("", _("The best partner by the routing engine")),
            *_reassign_choices(ws, lead, decisions),
        ]
    return render(
        request,
        "leads/console_lead.html",
        {
            "ws": ws,
            "lead": lead,
            "history": labelled_history(selectors.lead_history(ws, lead)),
            "offers": selectors.lead_offers(ws, lead),
            "pending": pending,
            "decisions": explained,
            "reassign_form": form,
            "can_manage": can_manage,
            "can_reassign": can_manage and lead.status in (*ATTENTION, Lead.Status.OFFERED),
            "can_return": can_manage and lead.status in (Lead.Status.NEW, Lead.Status.OFFERED, *Lead.WORKING_STATUSES),
        },
        status=status,
    )


@vendor_view(Perm.VIEW_CONSOLE)
@require_safe
def lead_detail(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    return _lead_page(request, ws, selectors.get_lead(ws, lead_id))


@vendor_view(Perm.MANAGE_LEADS)
@require_POST
def lead_reassign(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    lead = selectors.get_lead(ws, lead_id)
    decisions = list(selectors.list_decisions(ws, lead=lead))
    form = ReassignForm(request.POST, partnerships=_reassign_choices(ws, lead, decisions))
    if not form.is_valid():
        return _lead_page(request, ws, lead, reassign_form=form, status=400)
    partnership = None
    if form.cleaned_data["partnership"] is not None:
        partnership = core.get_partnership(ws, form.cleaned_data["partnership"])
    try:
        decision = services.lead_reassign(workspace=ws, lead=lead, partnership=partnership, actor=ws.user)
    except LeadStateError as exc:
        return state_error(request, exc, _lead_url(ws, lead))
    except ValidationError as exc:
        add_errors(form, exc)
        return _lead_page(request, ws, lead, reassign_form=form, status=400)
    if decision.winner_id:
        name = decision.winner.partner.name if decision.winner else ""
        messages.success(request, _("The lead is offered to %(partner)s.") % {"partner": name})
    elif (decision.explanation or {}).get("eligible"):
        messages.info(request, _("The ranked suggestions are ready: pick a partner to offer the lead to."))
    else:
        messages.warning(request, _("No partner can take this lead; it stays in your queue."))
    return redirect(_lead_url(ws, lead))


@vendor_view(Perm.MANAGE_LEADS)
@require_POST
def lead_return(request: HttpRequest, ws: Workspace, lead_id: int) -> HttpResponse:
    lead = selectors.get_lead(ws, lead_id)
    try:
        services.lead_return(workspace=ws, lead=lead, actor=ws.user)
    except LeadStateError as exc:
        return state_error(request, exc, _lead_url(ws, lead))
    messages.success(request, _("The lead is back in your queue."))
    return redirect(_lead_url(ws, lead))


# --- The routing log ------------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_CONSOLE)
@require_safe
def routing_log(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = DecisionFilterForm(request.GET or None, programs=selectors.lead_programs(ws))
    filters = form.filters()
    decisions = selectors.list_decisions(ws, program=filters.get("program"))
    if filters.get("kind"):
        decisions = decisions.filter(kind=filters["kind"])
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The stored explanations are formatted in memory: no query per row.
    rows = [(d, vendor_explanation(d.explanation)) for d in page]
    return render(
        request,
        "leads/console_log.html",
        {"ws": ws, "form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


# --- Routing settings ----------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_CONSOLE)
@require_safe
def settings_index(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Routing settings live per program: one program goes straight there, several are listed."""
    programs = list(selectors.lead_programs(ws))
    if len(programs) == 1:
        return redirect("leads:routing_settings", vendor_slug=ws.vendor.slug, program_id=programs[0].pk)
    return render(request, "leads/console_settings_index.html", {"ws": ws, "programs": programs})


def web_form_url(request: HttpRequest, ws: Workspace, program: Program) -> str:
    """The public web-to-lead form's address (empty until the intake pages are installed)."""
    try:
        path = reverse("leads:intake_web", kwargs={"vendor_slug": ws.vendor.slug, "program_slug": program.slug})
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri(path)


@vendor_view(Perm.VIEW_CONSOLE)
def routing_settings(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = _program(ws, program_id)
    ls = selectors.get_lead_settings(program)
    can_manage = ws.can(Perm.MANAGE_LEADS)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = RoutingSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.lead_settings_update(workspace=ws, program=program, data=form.settings_data())
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Routing settings saved; the next lead is routed with them."))
                return redirect(request.path)
    else:
        form = RoutingSettingsForm(initial=RoutingSettingsForm.initial_from(ls))
    return render(
        request,
        "leads/console_settings.html",
        {
            "ws": ws,
            "program": program,
            "form": form,
            "lead_settings": ls,
            "web_form_url": web_form_url(request, ws, program),
            "can_manage": can_manage,
            "programs": selectors.lead_programs(ws),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def add_errors(form: Any, exc: ValidationError) -> None:
    """A service's errors next to the form's fields (``weights`` spreads over the weight fields' form error)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        field = name if name in form.fields else f"weight_{name}" if f"weight_{name}" in form.fields else None
        form.add_error(field, errors)


# --- Routing profiles -----------------------------------------------------------------------------------


@vendor_view(Perm.VIEW_CONSOLE)
@require_safe
def profile_list(request: HttpRequest, ws: Workspace, program_id: int) -> HttpResponse:
    program = _program(ws, program_id)
    partnerships = list(core.list_partnerships(ws, program_id=program.pk))
    profiles = {
        p.partnership_id: p for p in RoutingProfile.objects.for_vendor(ws.vendor).filter(partnership__program=program)
    }
    open_counts = dict(
        selectors.list_leads(ws, program=program)
        .filter(status__in=(Lead.Status.OFFERED, *Lead.WORKING_STATUSES), partnership__isnull=False)
        .order_by()
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values_list("partnership_id", "n")
    )
    rows = [(p, profiles.get(p.pk), open_counts.get(p.pk, 0)) for p in partnerships]
    return render(
        request,
        "leads/console_profiles.html",
        {"ws": ws, "program": program, "rows": rows, "programs": selectors.lead_programs(ws)},
    )


@vendor_view(Perm.VIEW_CONSOLE)
def profile_edit(request: HttpRequest, ws: Workspace, partnership_id: int) -> HttpResponse:
    partnership = core.get_partnership(ws, partnership_id)
    can_manage = ws.can(Perm.MANAGE_LEADS)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = RoutingProfileForm(request.POST)
        if form.is_valid():
            try:
                services.routing_profile_update(workspace=ws, partnership=partnership, data=form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, _("%(partner)s's routing profile is saved.") % {"partner": partnership.partner.name}
                )
                return redirect("leads:profile_list", vendor_slug=ws.vendor.slug, program_id=partnership.program_id)
    else:
        profile = selectors.get_routing_profile(partnership)
        form = RoutingProfileForm(initial=RoutingProfileForm.initial_from(profile))
    return render(
        request,
        "leads/console_profile_edit.html",
        {"ws": ws, "partnership": partnership, "form": form, "can_manage": can_manage},
        status=400 if form.is_bound and form.errors else 200,
    )
