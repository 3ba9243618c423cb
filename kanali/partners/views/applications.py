"""Application pages: public apply and status pages, the applicant's list, the console's selection matrix."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from kanali.core.access import vendor_view
from kanali.core.http import client_ip
from kanali.core.models import Organization
from kanali.core.roles import PARTNER_ROLES, Perm
from kanali.core.selectors import list_programs
from kanali.core.workspace import Workspace
from kanali.designer.publishing import get_public_version
from kanali.designer.selectors import selection_criteria
from kanali.partners import selectors_applications as selectors
from kanali.partners import services_applications as services
from kanali.partners.forms_applications import ApplicationFilterForm, ApplicationForm, RejectForm, ScoreForm

PAGE_SIZE = 25
MAX_COMPARED = 3
#: The honeypot: a field people never see; anything in it marks the post as a bot's.
HONEYPOT = "company_homepage"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Public: apply and follow the status --------------------------------------------------


def _applicant_organizations(request: HttpRequest) -> QuerySet[Organization]:
    """The partner companies the signed-in person belongs to (their profiles can fill the form)."""
    if not request.user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=request.user, memberships__role__in=PARTNER_ROLES, is_partner=True
    ).distinct()


#: What a company's previous application (to any program) carries over into a new one.
CARRIED_OVER = (
    "regions",
    "industries",
    "specializations",
    "team_size",
    "certified_people",
    "revenue_band",
    "references",
)


def _prefill(request: HttpRequest, organization: Organization) -> dict[str, Any]:
    """The company profile, plus what the company told on its latest application (its own data)."""
    user = request.user
    latest = selectors.list_own_applications(user).filter(organization=organization).first()  # type: ignore[arg-type]
    previous = {name: getattr(latest, name) for name in CARRIED_OVER} if latest is not None else {}
    return {
        **previous,
        "organization": organization.pk,
        "company_name": organization.name,
        "vat_number": organization.vat_number,
        "website": organization.website,
        "country": str(organization.country or "") or "GR",
        "contact_name": user.get_full_name(),  # type: ignore[union-attr]
        "contact_email": user.email,  # type: ignore[union-attr]
    }


@ratelimit(key="ip", rate="5/h", method="POST", block=True)
def apply(request: HttpRequest, vendor_slug: str, program_slug: str) -> HttpResponse:
    """Anyone may apply to a published program; a partner user can fill the form from its company in one click."""
    version = get_public_version(vendor_slug, program_slug)
    program = version.program
    organizations = _applicant_organizations(request)
    initial: dict[str, Any] = {}
    prefill_id = request.GET.get("prefill", "")
    if request.method == "GET" and prefill_id.isdigit():
        organization = organizations.filter(pk=int(prefill_id)).first()
        if organization is None:
            raise Http404
        initial = _prefill(request, organization)
    form = ApplicationForm(request.POST or None, program=program, organizations=organizations, initial=initial)
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            # Look exactly like success to the bot; keep nothing.
            return render(request, "partners/applications_thanks.html", {"program": program, "vendor": program.vendor})
        if form.is_valid():
            try:
                application = services.application_submit(
                    program=program,
                    values=form.values(),
                    user=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                    organization=form.cleaned_data["organization"],
                    base_url=_base_url(request),
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Thank you. Your application to %(program)s is in; we sent a confirmation to %(email)s.")
                    % {"program": program.name, "email": application.contact_email},
                )
                return redirect("partners:application_status", token=selectors.status_token(application))
    linked = form["organization"].value()
    return render(
        request,
        "partners/applications_apply.html",
        {
            "program": program,
            "vendor": program.vendor,
            "form": form,
            "organizations": list(organizations),
            "linked": next((o for o in organizations if str(o.pk) == str(linked or "")), None),
            "honeypot": HONEYPOT,
        },
    )


@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's status page, reached by the secret link of the confirmation e-mail."""
    application = selectors.get_application_by_token(token)
    return render(request, "partners/applications_status.html", {"application": application})


@login_required
@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.list_own_applications(request.user))  # type: ignore[arg-type]
    return render(
        request,
        "partners/applications_mine.html",
        {"rows": [(a, selectors.status_token(a)) for a in rows]},
    )


# --- Console: the selection matrix ---------------------------------------------------------


def _type_names(ws: Workspace, applications: list[Any]) -> dict[tuple[int, str], str]:
    return selectors.partner_type_names(ws.vendor.pk, {a.program_id for a in applications})


@vendor_view(Perm.VIEW_PARTNERS)
def application_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    programs = list(list_programs(ws))
    form = ApplicationFilterForm(request.GET or None, programs=programs)
    program_id, status_filter = None, ""
    if form.is_valid():
        program_id, status_filter = form.cleaned_data["program"], form.cleaned_data["status"]
    page = Paginator(selectors.staff_applications(ws, program_id=program_id, status=status_filter), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    names = _type_names(ws, rows)
    shown_programs = [p for p in programs if program_id in (None, p.pk)]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/applications_list.html",
        {
            "ws": ws,
            "form": form,
            "page": page,
            "rows": [(a, names.get((a.program_id, a.partner_type), a.partner_type)) for a in rows],
            "offset": page.start_index() - 1 if rows else 0,
            "recruitment": selectors.recruitment_progress(ws, shown_programs),
            "query": query.urlencode(),
            "max_compared": MAX_COMPARED,
        },
    )


def _detail_context(ws: Workspace, application: Any, **extra: Any) -> dict[str, Any]:
    sheet = selectors.score_sheet(application)
    names = _type_names(ws, [application])
    return {
        "ws": ws,
        "application": application,
        "sheet": sheet,
        "type_name": names.get((application.program_id, application.partner_type), application.partner_type),
        "can_decide": ws.can(Perm.MANAGE_PARTNERS),
        **extra,
    }


def _score_form(ws: Workspace, application: Any, data: Any = None) -> ScoreForm:
    criteria = list(selection_criteria(application.program).order_by("-weight", "pk"))
    sheet = selectors.score_sheet(application)
    mine = sheet.reviews_by(ws.user)
    initial = {}
    for c in criteria:
        if c.pk in mine:
            initial[f"score_{c.pk}"] = str(mine[c.pk].score)
            initial[f"note_{c.pk}"] = mine[c.pk].note
    return ScoreForm(data, criteria=criteria, initial=initial)


@vendor_view(Perm.VIEW_PARTNERS)
def application_detail(request: HttpRequest, ws: Workspace, application_id: int) -> HttpResponse:
    """The application, its score sheet, and (for those who decide) the scoring and decision forms."""
    application = selectors.get_staff_application(ws, application_id)
    score_form = _score_form(ws, application, request.POST or None)
    if request.method == "POST":
        if not ws.can(Perm.MANAGE_PARTNERS):
            raise PermissionDenied
        if score_form.is_valid():
            try:
                services.application_score(workspace=ws, application=application, scores=score_form.scores())
            except services.ApplicationDecidedError as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                score_form.add_error(None, exc)
            else:
                messages.success(request, _("Your scores are saved."))
                return redirect(
                    "partners:application_detail", vendor_slug=ws.vendor.slug, application_id=application.pk
                )
    return render(
        request,
        "partners/applications_detail.html",
        _detail_context(ws, application, score_form=score_form, reject_form=RejectForm()),
    )


@vendor_view(Perm.MANAGE_PARTNERS)
@require_POST
def application_approve(request: HttpRequest, ws: Workspace, application_id: int) -> HttpResponse:
    application = selectors.get_staff_application(ws, application_id)
    try:
        approval = services.application_approve(workspace=ws, application=application, base_url=_base_url(request))
    except services.ApplicationDecidedError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if approval.invitation is not None:
            note = _("%(company)s is approved; %(email)s is invited as its admin.") % {
                "company": approval.partnership.partner.name,
                "email": approval.invitation.email,
            }
        else:
            note = _("%(company)s is approved; the program is added to its existing Kanali sign-in.") % {
                "company": approval.partnership.partner.name
            }
        messages.success(request, note)
    return redirect("partners:application_detail", vendor_slug=ws.vendor.slug, application_id=application.pk)


@vendor_view(Perm.MANAGE_PARTNERS)
@require_POST
def application_reject(request: HttpRequest, ws: Workspace, application_id: int) -> HttpResponse:
    application = selectors.get_staff_application(ws, application_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.application_reject(
                workspace=ws, application=application, reason=form.cleaned_data["reason"], base_url=_base_url(request)
            )
        except services.ApplicationDecidedError as exc:
            messages.error(request, str(exc))
            return redirect("partners:application_detail", vendor_slug=ws.vendor.slug, application_id=application.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The application is rejected; the applicant is told why."))
            return redirect("partners:application_detail", vendor_slug=ws.vendor.slug, application_id=application.pk)
    return render(
        request,
        "partners/applications_detail.html",
        _detail_context(ws, application, score_form=_score_form(ws, application), reject_form=form),
    )


def _ids(request: HttpRequest) -> list[int]:
    raw = ",".join(request.GET.getlist("ids"))
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise Http404
    return list(dict.fromkeys(int(p) for p in parts))


@vendor_view(Perm.VIEW_PARTNERS)
@require_safe
def application_compare(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Two or three applicants side by side (``?ids=1,2,3``), criterion by criterion."""
    ids = _ids(request)
    if not 2 <= len(ids) <= MAX_COMPARED:
        messages.info(request, _("Tick two or three applications to compare them."))
        return redirect(reverse("partners:application_list", kwargs={"vendor_slug": ws.vendor.slug}))
    applications = selectors.get_applications_by_ids(ws, ids)
    sheets = selectors.score_sheets(applications)
    names = _type_names(ws, applications)
    # One row per criterion name across the programs compared (usually the same program).
    criteria: dict[str, list[Any]] = {}
    for a in applications:
        for row in sheets[a.pk].rows:
            criteria.setdefault(row.criterion.name, [None] * len(applications))
    for i, a in enumerate(applications):
        for row in sheets[a.pk].rows:
            criteria[row.criterion.name][i] = row
    return render(
        request,
        "partners/applications_compare.html",
        {
            "ws": ws,
            "columns": [
                (a, sheets[a.pk], names.get((a.program_id, a.partner_type), a.partner_type)) for a in applications
            ],
            "criteria": list(criteria.items()),
        },
    )
