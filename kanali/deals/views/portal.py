"""Partner portal deals pages: register a deal, follow its registrations, work its pipeline.

A partner sees only its own registrations and deals (the selectors scope by
its partnerships; anything else is a 404) and, of a conflict, only that there
is one: never the other record, its owner, reason or score.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kanali.core.access import partner_view
from kanali.core.models import Program
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.deals import selectors
from kanali.deals import services_registrations as registrations
from kanali.deals.forms import ExtensionRequestForm, RegistrationForm
from kanali.deals.models import DealRegistration
from kanali.deals.services import DealStateError
from kanali.deals.views import common
from kanali.deals.views.common import PORTAL

SIDE = PORTAL


def _programs(ws: Workspace) -> list[Program]:
    return [p.program for p in selectors.partner_partnerships(ws)]


# --- registrations ------------------------------------------------------------------------------


@partner_view(Perm.REGISTER_DEALS)
def register(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The registration form; a conflict is saved too (the vendor decides), the partner is only told there is one."""
    partnerships = list(selectors.partner_partnerships(ws))
    products = selectors.list_products(ws, active=True)
    form = RegistrationForm(request.POST or None, partnerships=partnerships, products=products)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "partnership"}
        try:
            registration = registrations.registration_submit(
                workspace=ws, partnership=form.cleaned_data["partnership"], data=data
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            if registration.in_conflict:
                messages.warning(
                    request,
                    _(
                        "Your registration of %(company)s is in. It conflicts with an existing registration or "
                        "customer record, so the vendor will review it before deciding."
                    )
                    % {"company": registration.company},
                )
            else:
                messages.success(
                    request,
                    _("Your registration of %(company)s is in; the vendor will review it.")
                    % {"company": registration.company},
                )
            return redirect("deals:portal_registration_detail", vendor_slug=ws.vendor.slug, pk=registration.pk)
    return render(
        request,
        "deals/portal_register.html",
        {"ws": ws, "side": SIDE, "form": form, "has_partnerships": bool(partnerships)},
    )


@partner_view()
@require_safe
def registrations_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in dict(DealRegistration.Status.choices):
        status = ""
    page = Paginator(selectors.list_registrations(ws, status=status), common.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    labels = common.product_labels(ws)
    rows = [(r, common.days_left(r, today), common.products_of(r, labels)) for r in page.object_list]
    return render(
        request,
        "deals/portal_registrations.html",
        {
            "ws": ws,
            "side": SIDE,
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": DealRegistration.Status.choices,
            "query": f"status={status}" if status else "",
            "can_register": ws.can(Perm.REGISTER_DEALS),
        },
    )


@partner_view()
@require_safe
def registration_detail(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return _registration_page(request, ws, selectors.get_registration(ws, pk))


def _registration_page(
    request: HttpRequest, ws: Workspace, registration: DealRegistration, form: ExtensionRequestForm | None = None
) -> HttpResponse:
    deal = getattr(registration, "deal", None) if registration.status == registration.Status.APPROVED else None
    return render(
        request,
        "deals/portal_registration.html",
        {
            "ws": ws,
            "registration": registration,
            "days_left": common.days_left(registration),
            "products": common.products_of(registration, common.product_labels(ws)),
            "extension_form": form or ExtensionRequestForm(),
            "can_extend": ws.can(Perm.REGISTER_DEALS) and registration.can_request_extension,
            "can_withdraw": ws.can(Perm.REGISTER_DEALS) and registration.status == DealRegistration.Status.SUBMITTED,
            "deal": deal,
        },
    )


@require_POST
@partner_view(Perm.REGISTER_DEALS)
def registration_extend(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    registration = selectors.get_registration(ws, pk)
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            registrations.extension_request(workspace=ws, registration=registration, reason=form.cleaned_data["reason"])
        except DealStateError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
            return _registration_page(request, ws, registration, form)
        else:
            messages.success(request, _("Your extension request is sent to the vendor."))
    return redirect("deals:portal_registration_detail", vendor_slug=ws.vendor.slug, pk=pk)


@require_POST
@partner_view(Perm.REGISTER_DEALS)
def registration_withdraw(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    """Take back a registration the vendor has not decided yet."""
    registration = selectors.get_registration(ws, pk)
    try:
        registrations.registration_withdraw(workspace=ws, registration=registration)
    except DealStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The registration is withdrawn."))
    return redirect("deals:portal_registration_detail", vendor_slug=ws.vendor.slug, pk=pk)


# --- pipeline -----------------------------------------------------------------------------------


@partner_view()
@require_safe
def pipeline(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return common.board_page(request, ws, SIDE, programs=_programs(ws), partnerships=None)


@partner_view()
@require_safe
def deal_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return common.list_page(request, ws, SIDE, programs=_programs(ws), partnerships=None)


@partner_view()
@require_safe
def deal_detail(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_page(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@partner_view(Perm.REGISTER_DEALS)
def deal_stage(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_stage(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@partner_view(Perm.REGISTER_DEALS)
def deal_won(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_won(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@partner_view(Perm.REGISTER_DEALS)
def deal_edit(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_edit(request, ws, SIDE, selectors.get_deal(ws, pk))


@require_POST
@partner_view(Perm.REGISTER_DEALS)
def deal_lost(request: HttpRequest, ws: Workspace, pk: int) -> HttpResponse:
    return common.deal_lost(request, ws, SIDE, selectors.get_deal(ws, pk))
