"""Vendor console: commission plans, statements (filter, approve, pay, PDF) and the payout export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kanali.core import selectors as core_selectors
from kanali.core.access import vendor_view
from kanali.core.models import Program
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.deals.models import Product
from kanali.incentives import payouts, pdf, selectors, services
from kanali.incentives.forms import PayForm, PlanForm, RuleFormSet, StatementFilterForm, rule_initial
from kanali.incentives.models import CommissionPlan, Statement

PAGE_SIZE = 50


# --- Plans ----------------------------------------------------------------------------------


@vendor_view(Perm.MANAGE_COMMISSIONS)
@require_safe
def plan_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return render(
        request,
        "incentives/plan_list.html",
        {"ws": ws, "plans": list(selectors.list_plans(ws)), "programs": list(core_selectors.list_programs(ws))},
    )


def _products(ws: Workspace, program: Program) -> list[tuple[str, str]]:
    rows = Product.objects.for_vendor(ws.vendor).filter(program=program).order_by("name", "pk")
    return [(p.code, f"{p.name} ({p.code})") for p in rows]


@vendor_view(Perm.MANAGE_COMMISSIONS)
def plan_create(request: HttpRequest, ws: Workspace) -> HttpResponse:
    programs = core_selectors.list_programs(ws)
    raw = request.GET.get("program", "")
    program = programs.filter(pk=int(raw)).first() if raw.isdigit() else programs.order_by("name", "pk").first()
    if program is None:
        raise Http404
    return _plan_form(request, ws, program, None)


@vendor_view(Perm.MANAGE_COMMISSIONS)
def plan_edit(request: HttpRequest, ws: Workspace, plan_id: int) -> HttpResponse:
    plan = selectors.get_plan(ws, plan_id)
    return _plan_form(request, ws, plan.program, plan)


def _plan_form(request: HttpRequest, ws: Workspace, program: Program, plan: CommissionPlan | None) -> HttpResponse:
    programs = core_selectors.list_programs(ws)
    tiers = selectors.program_tiers(ws, program.pk)
    products = _products(ws, program)
    if plan is not None:
        initial = {"program": program.pk, "name": plan.name, "period": plan.period, "active": plan.active}
        rules_initial = [rule_initial(r) for r in selectors.list_rules(plan)]
    else:
        initial = {"program": program.pk, "name": _("%(program)s commissions") % {"program": program.name}}
        initial.update({"period": "month", "active": True})
        rules_initial = []
    data = request.POST if request.method == "POST" else None
    # The program is chosen before the form (its tiers and products fill the rule choices).
    form = PlanForm(data, initial=initial, programs=programs, fixed_program=True)
    formset = RuleFormSet(
        data, initial=rules_initial, prefix="rules", form_kwargs={"tiers": tiers, "products": products}
    )
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = services.plan_save(
                workspace=ws,
                program=program,
                plan=plan,
                name=form.cleaned_data["name"],
                period=form.cleaned_data["period"],
                active=form.cleaned_data["active"],
                rules=formset.rules(),  # type: ignore[attr-defined]
            )
        except ValidationError as exc:
            _attach_errors(form, formset.row_forms(), exc)  # type: ignore[attr-defined]
        else:
            messages.success(request, _("The commission plan “%(name)s” is saved.") % {"name": saved.name})
            return redirect("incentives:plan_edit", vendor_slug=ws.vendor.slug, plan_id=saved.pk)
    return render(
        request,
        "incentives/plan_edit.html",
        {
            "ws": ws,
            "plan": plan,
            "program": program,
            "programs": list(programs),
            "form": form,
            "formset": formset,
            "has_tiers": tiers.exists(),
        },
    )


def _attach_errors(form: Any, rows: list[Any], exc: ValidationError) -> None:
    """Put the service's ``rules[n].field`` errors on the row's field, the rest on the plan form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        if key.startswith("rules["):
            index, _sep, field = key[len("rules[") :].partition("].")
            row = rows[int(index)] if index.isdigit() and int(index) < len(rows) else None
            if row is not None and field in row.fields:
                for message in errors:
                    row.add_error(field, message)
                continue
            form.add_error(None, errors)
        elif key in form.fields:
            for message in errors:
                form.add_error(key, message)
        else:
            form.add_error(None, errors)


# --- Statements -------------------------------------------------------------------------------


def _filters(form: StatementFilterForm) -> selectors.StatementFilter:
    if not form.is_valid():
        return selectors.StatementFilter()
    d = form.cleaned_data
    return selectors.StatementFilter(
        status=d.get("status") or "",
        partnership_id=d.get("partnership"),
        currency=d.get("currency") or "",
        period_from=d.get("period_from"),
        period_until=d.get("period_until"),
    )


@vendor_view(Perm.MANAGE_COMMISSIONS)
@require_safe
def statement_list(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = StatementFilterForm(request.GET or None, partnerships=list(core_selectors.list_partnerships(ws)))
    statements = selectors.list_statements(ws, _filters(form))
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incentives/statement_list.html",
        {
            "ws": ws,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "totals": selectors.statement_totals(statements),
        },
    )


@vendor_view(Perm.MANAGE_COMMISSIONS)
@require_safe
def statement_detail(request: HttpRequest, ws: Workspace, statement_id: int) -> HttpResponse:
    statement = selectors.get_statement(ws, statement_id)
    return _detail(request, ws, statement, PayForm())


def _detail(request: HttpRequest, ws: Workspace, statement: Statement, pay_form: PayForm) -> HttpResponse:
    return render(
        request,
        "incentives/statement_detail.html",
        {
            "ws": ws,
            "statement": statement,
            "lines": list(selectors.statement_lines(statement)),
            "account": selectors.payout_account(ws, statement.partnership),
            "pay_form": pay_form,
            "period_open": statement.period_end > timezone.localdate(),
        },
    )


@require_POST
@vendor_view(Perm.APPROVE_PAYMENTS)
def statement_approve(request: HttpRequest, ws: Workspace, statement_id: int) -> HttpResponse:
    statement = selectors.get_statement(ws, statement_id)
    try:
        services.statement_approve(workspace=ws, statement=statement)
    except services.StatementStateError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Statement %(number)s is approved.") % {"number": statement.number})
    return redirect("incentives:statement_detail", vendor_slug=ws.vendor.slug, statement_id=statement.pk)


@require_POST
@vendor_view(Perm.APPROVE_PAYMENTS)
def statement_pay(request: HttpRequest, ws: Workspace, statement_id: int) -> HttpResponse:
    statement = selectors.get_statement(ws, statement_id)
    form = PayForm(request.POST)
    if form.is_valid():
        try:
            services.statement_pay(
                workspace=ws,
                statement=statement,
                reference=form.cleaned_data["reference"],
                paid_on=form.cleaned_data["paid_on"],
            )
        except services.StatementStateError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Statement %(number)s is marked paid.") % {"number": statement.number})
            return redirect("incentives:statement_detail", vendor_slug=ws.vendor.slug, statement_id=statement.pk)
        if form.errors:
            return _detail(request, ws, statement, form)
        return redirect("incentives:statement_detail", vendor_slug=ws.vendor.slug, statement_id=statement.pk)
    return _detail(request, ws, statement, form)


@vendor_view(Perm.MANAGE_COMMISSIONS)
@require_safe
def statement_pdf(request: HttpRequest, ws: Workspace, statement_id: int) -> HttpResponse:
    statement = selectors.get_statement(ws, statement_id)
    return pdf_response(statement, selectors.payout_account(ws, statement.partnership))


def pdf_response(statement: Statement, account: Any) -> HttpResponse:
    response = HttpResponse(pdf.statement_pdf(statement, account=account), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(statement)}"'
    return response


# --- Payouts ----------------------------------------------------------------------------------


def _program_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("program", "")
    return int(raw) if raw.isdigit() else None


@vendor_view(Perm.APPROVE_PAYMENTS)
@require_safe
def payout_export(request: HttpRequest, ws: Workspace) -> HttpResponse:
    program_id = _program_id(request)
    payout = payouts.build(ws, program_id)
    return render(
        request,
        "incentives/payouts.html",
        {
            "ws": ws,
            "payout": payout,
            "totals": payout.totals(),
            "programs": list(core_selectors.list_programs(ws)),
            "program_id": program_id,
        },
    )


@vendor_view(Perm.APPROVE_PAYMENTS)
@require_safe
def payout_csv(request: HttpRequest, ws: Workspace) -> HttpResponse:
    return payouts.csv_response(payouts.build(ws, _program_id(request)))
