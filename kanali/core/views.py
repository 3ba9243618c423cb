"""Thin views of the tenancy screens: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kanali.core import selectors, services
from kanali.core.access import partner_view, vendor_view
from kanali.core.forms import OrganizationForm, PartnershipFilterForm, VendorCreateForm
from kanali.core.portal import widgets_for
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace, list_workspaces

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; the workspace chooser for signed-in users."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    links = list_workspaces(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "core/choose_workspace.html",
        {
            "vendor_links": [link for link in links if link.kind == "vendor"],
            "partner_links": [link for link in links if link.kind == "partner"],
        },
    )


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    form = VendorCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.vendor_create(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is ready. Start by designing your partner program.") % {"name": org})
            return redirect("core:vendor_home", vendor_slug=org.slug)
    return render(request, "core/organization_create.html", {"form": form})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# --- Vendor console ---------------------------------------------------------


@vendor_view()
def vendor_home(request: HttpRequest, ws: Workspace) -> HttpResponse:
    counts = selectors.partnership_status_counts(ws)
    return render(
        request,
        "core/vendor_home.html",
        {
            "ws": ws,
            "programs": selectors.list_programs(ws),
            "status_counts": counts,
            "partner_total": sum(counts.values()),
            "recent": selectors.list_audit_entries(ws)[:8] if ws.can(Perm.VIEW_AUDIT_LOG) else [],
        },
    )


@vendor_view(Perm.VIEW_PARTNERS)
def partner_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = PartnershipFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    partnerships = selectors.list_partnerships(ws, status=filters.get("status", ""), search=filters.get("search", ""))
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/partner_list.html", {"ws": ws, "form": form, "page": page})


@vendor_view(Perm.VIEW_PARTNERS)
def partner_detail(request: HttpRequest, ws: Workspace, partnership_id: int) -> HttpResponse:
    partnership = selectors.get_partnership(ws, partnership_id)
    return render(
        request,
        "core/partner_detail.html",
        {"ws": ws, "partnership": partnership, "people": selectors.list_partner_people(ws, partnership)},
    )


@vendor_view(Perm.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest, ws: Workspace) -> HttpResponse:
    page = Paginator(selectors.list_audit_entries(ws), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"ws": ws, "page": page})


def _organization_settings(request: HttpRequest, ws: Workspace, template: str) -> HttpResponse:
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=ws.organization, vendor=ws.is_vendor)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(workspace=ws, organization=ws.organization, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Company profile saved."))
            return redirect(request.path)
    return render(request, template, {"ws": ws, "form": form})


@vendor_view(Perm.MANAGE_ORGANIZATION)
def vendor_settings(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return _organization_settings(request, ws, "core/vendor_settings.html")


# --- Partner portal ---------------------------------------------------------


@partner_view()
def portal_home(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return render(
        request,
        "core/portal_home.html",
        {
            "ws": ws,
            "partnerships": selectors.list_partnerships(ws),
            "colleagues": selectors.list_colleagues(ws),
            "widgets": widgets_for(ws),
        },
    )


@partner_view(Perm.MANAGE_PARTNER_PROFILE)
def portal_profile(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return _organization_settings(request, ws, "core/portal_profile.html")


# --- Errors -----------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Not found"}, status=404)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return render(request, "500.html", status=500)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "400.html", status=400)


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Too many requests; try again later."}, status=429)
    return render(request, "429.html", status=429)
