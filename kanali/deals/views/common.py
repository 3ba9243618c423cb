"""What the console and portal deals pages share: the board, the deal page and its actions, labels.

A deal is moved, won, lost (and, in the console, reopened) the same way on
both sides; the functions here take the side's URL names so each module
only wraps them in its own access decorator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kanali.core.models import Program
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.deals import selectors
from kanali.deals import services_pipeline as pipeline
from kanali.deals.forms import DealEditForm, LostForm, PipelineFilterForm, StageForm, WonForm
from kanali.deals.models import Deal, DealRegistration, Product
from kanali.deals.services import DealStateError

PAGE_SIZE = 25


@dataclass(frozen=True)
class Side:
    """URL names and template of one side (console or portal)."""

    kind: str  # "vendor" | "partner"
    base: str
    board: str
    deal_list: str
    deal: str
    stage: str
    won: str
    lost: str
    edit: str
    reopen: str = ""


CONSOLE = Side(
    "vendor",
    "console_base.html",
    "deals:pipeline",
    "deals:deal_list",
    "deals:vendor_deal_detail",
    "deals:deal_stage",
    "deals:deal_won",
    "deals:deal_lost",
    "deals:deal_edit",
    "deals:deal_reopen",
)
PORTAL = Side(
    "partner",
    "portal_base.html",
    "deals:portal_pipeline",
    "deals:portal_deal_list",
    "deals:portal_deal_detail",
    "deals:portal_deal_stage",
    "deals:portal_deal_won",
    "deals:portal_deal_lost",
    "deals:portal_deal_edit",
)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """``next`` from the form when it points back into this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def product_labels(ws: Workspace) -> dict[tuple[int, str], str]:
    """(program id, code) → product name for every product the workspace may see, in one query."""
    rows = Product.objects.for_vendor(ws.vendor).values_list("program_id", "code", "name")
    return {(program_id, code): name for program_id, code, name in rows}


def products_of(obj: Deal | DealRegistration, labels: dict[tuple[int, str], str]) -> list[str]:
    return [labels.get((obj.program_id, code), code) for code in obj.products or []]


def days_left(registration: DealRegistration, today: date | None = None) -> int | None:
    """Days of protection left (0 on the last day), or ``None`` when it is not protected."""
    if registration.status != DealRegistration.Status.APPROVED or registration.protected_until is None:
        return None
    return (registration.protected_until - (today or timezone.localdate())).days


def choose_program(programs: list[Program], program_id: int | None) -> Program | None:
    if not programs:
        return None
    return next((p for p in programs if p.pk == program_id), programs[0])


def _filter_values(form: PipelineFilterForm) -> dict[str, Any]:
    if form.is_valid():
        return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return {}


def board_page(
    request: HttpRequest,
    ws: Workspace,
    side: Side,
    *,
    programs: list[Program],
    partnerships: list[Any] | None,
) -> HttpResponse:
    """Columns per stage of the chosen program's pipeline, weighted totals per currency, a move form per card."""
    form = PipelineFilterForm(request.GET or None, programs=programs, partnerships=partnerships)
    values = _filter_values(form)
    program = choose_program(programs, values.get("program"))
    columns: list[selectors.BoardColumn] = []
    totals: list[selectors.PipelineTotal] = []
    stages: list[selectors.Stage] = []
    if program is not None:
        deals = selectors.list_deals(ws, program_id=program.pk, partnership_id=values.get("partnership"))
        columns = selectors.board(ws, program, deals)
        totals = selectors.weighted_pipeline(deals)
        stages = selectors.program_stages(program)
    return render(
        request,
        "deals/pipeline_board.html",
        {
            "ws": ws,
            "side": side,
            "form": form,
            "program": program,
            "columns": columns,
            "totals": totals,
            "stages": stages,
            "show_partner": side.kind == "vendor",
            "query": request.GET.urlencode(),
        },
    )


def list_page(
    request: HttpRequest,
    ws: Workspace,
    side: Side,
    *,
    programs: list[Program],
    partnerships: list[Any] | None,
) -> HttpResponse:
    form = PipelineFilterForm(request.GET or None, programs=programs, partnerships=partnerships, any_program=True)
    values = _filter_values(form)
    deals = selectors.list_deals(
        ws,
        status=values.get("status", ""),
        program_id=values.get("program"),
        partnership_id=values.get("partnership"),
    )
    totals = selectors.weighted_pipeline(deals)
    page = Paginator(deals.order_by("expected_close", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    labels = product_labels(ws)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deals/pipeline_list.html",
        {
            "ws": ws,
            "side": side,
            "form": form,
            "page": page,
            "rows": [(d, products_of(d, labels)) for d in page.object_list],
            "totals": totals,
            "show_partner": side.kind == "vendor",
            "query": query.urlencode(),
        },
    )


def deal_page(request: HttpRequest, ws: Workspace, side: Side, deal: Deal, **forms: Any) -> HttpResponse:
    stages = selectors.program_stages(deal.program)
    return render(
        request,
        "deals/deal_detail.html",
        {
            "ws": ws,
            "side": side,
            "deal": deal,
            "products": products_of(deal, product_labels(ws)),
            "history": list(selectors.stage_history(deal)),
            "stages": stages,
            "stage_form": forms.get("stage_form") or StageForm(stages=stages, initial={"stage": deal.stage_position}),
            "won_form": forms.get("won_form") or WonForm(initial={"amount": deal.amount}),
            "lost_form": forms.get("lost_form") or LostForm(),
            "edit_form": forms.get("edit_form") or _edit_form(deal),
            "can_act": ws.can(Perm.REGISTER_DEALS if side.kind == "partner" else Perm.MANAGE_DEALS),
            "registration": deal.registration,
            "status_labels": dict(Deal.Status.choices),
        },
    )


def _deal_products(deal: Deal) -> list[Product]:
    """The program's active products, plus any inactive one the deal already carries."""
    rows = Product.objects.for_vendor(deal.vendor_id).filter(program_id=deal.program_id).order_by("name", "pk")
    return [p for p in rows if p.active or p.code in (deal.products or [])]


def _edit_form(deal: Deal, data: Any = None) -> DealEditForm:
    initial = {
        "name": deal.name,
        "amount": deal.amount,
        "expected_close": deal.expected_close,
        "products": deal.products,
    }
    return DealEditForm(data, products=_deal_products(deal), initial=initial)


def deal_edit(request: HttpRequest, ws: Workspace, side: Side, deal: Deal) -> HttpResponse:
    form = _edit_form(deal, request.POST)
    if form.is_valid():
        try:
            deal = pipeline.deal_update(
                workspace=ws,
                deal=deal,
                name=form.cleaned_data["name"],
                amount=form.cleaned_data["amount"],
                expected_close=form.cleaned_data["expected_close"],
                products=form.cleaned_data.get("products") if "products" in form.fields else None,
            )
        except DealStateError as exc:
            _state_error(request, exc)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return deal_page(request, ws, side, deal, edit_form=form)
        else:
            messages.success(request, _("“%(deal)s” is saved.") % {"deal": deal.name})
        return redirect(_deal_url(side, ws, deal))
    return deal_page(request, ws, side, deal, edit_form=form)


def _state_error(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


def deal_stage(request: HttpRequest, ws: Workspace, side: Side, deal: Deal) -> HttpResponse:
    stages = selectors.program_stages(deal.program)
    form = StageForm(request.POST, stages=stages)
    back = safe_next(request, _deal_url(side, ws, deal))
    if not form.is_valid():
        messages.error(request, _("Choose one of the pipeline's stages."))
        return redirect(back)
    try:
        deal = pipeline.deal_move(
            workspace=ws, deal=deal, stage_position=form.cleaned_data["stage"], note=form.cleaned_data["note"]
        )
    except DealStateError as exc:
        _state_error(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(deal)s” is now at %(stage)s.") % {"deal": deal.name, "stage": deal.stage})
    return redirect(back)


def deal_won(request: HttpRequest, ws: Workspace, side: Side, deal: Deal) -> HttpResponse:
    form = WonForm(request.POST)
    if form.is_valid():
        try:
            deal = pipeline.deal_won(
                workspace=ws, deal=deal, amount=form.cleaned_data["amount"], note=form.cleaned_data["note"]
            )
        except DealStateError as exc:
            _state_error(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
            return deal_page(request, ws, side, deal, won_form=form)
        else:
            messages.success(request, _("Congratulations: “%(deal)s” is won.") % {"deal": deal.name})
        return redirect(_deal_url(side, ws, deal))
    return deal_page(request, ws, side, deal, won_form=form)


def deal_lost(request: HttpRequest, ws: Workspace, side: Side, deal: Deal) -> HttpResponse:
    form = LostForm(request.POST)
    if form.is_valid():
        try:
            deal = pipeline.deal_lost(workspace=ws, deal=deal, reason=form.cleaned_data["reason"])
        except DealStateError as exc:
            _state_error(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
            return deal_page(request, ws, side, deal, lost_form=form)
        else:
            messages.success(request, _("“%(deal)s” is marked lost.") % {"deal": deal.name})
        return redirect(_deal_url(side, ws, deal))
    return deal_page(request, ws, side, deal, lost_form=form)


def deal_reopen(request: HttpRequest, ws: Workspace, side: Side, deal: Deal) -> HttpResponse:
    try:
        deal = pipeline.deal_reopen(workspace=ws, deal=deal, note=request.POST.get("note", "")[:300])
    except DealStateError as exc:
        _state_error(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(deal)s” is open again.") % {"deal": deal.name})
    return redirect(_deal_url(side, ws, deal))


def reverse_page(name: str, ws: Workspace, pk: int) -> str:
    return reverse(name, kwargs={"vendor_slug": ws.vendor.slug, "pk": pk})


def _deal_url(side: Side, ws: Workspace, deal: Deal) -> str:
    return reverse_page(side.deal, ws, deal.pk)
