"""Partner portal: my commission lines, my statements with their PDF, and the bank details payouts go to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kanali.core.access import partner_view
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.incentives import selectors, services
from kanali.incentives.forms import PayoutAccountForm, StatementFilterForm
from kanali.incentives.views.console import PAGE_SIZE, _filters, pdf_response


@partner_view(Perm.VIEW_STATEMENTS)
@require_safe
def portal_commissions(request: HttpRequest, ws: Workspace) -> HttpResponse:
    lines = selectors.list_lines(ws)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incentives/portal_commissions.html", {"ws": ws, "page": page, "query": ""})


@partner_view(Perm.VIEW_STATEMENTS)
@require_safe
def portal_statements(request: HttpRequest, ws: Workspace) -> HttpResponse:
    form = StatementFilterForm(request.GET or None)
    statements = selectors.list_statements(ws, _filters(form))
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incentives/portal_statements.html",
        {
            "ws": ws,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "totals": selectors.statement_totals(statements),
        },
    )


@partner_view(Perm.VIEW_STATEMENTS)
@require_safe
def portal_statement_detail(request: HttpRequest, ws: Workspace, statement_id: int) -> HttpResponse:
    statement = selectors.get_statement(ws, statement_id)
    return render(
        request,
        "incentives/portal_statement_detail.html",
        {
            "ws": ws,
            "statement": statement,
            "lines": list(selectors.statement_lines(statement)),
            "account": selectors.payout_account(ws, statement.partnership),
        },
    )


@partner_view(Perm.VIEW_STATEMENTS)
@require_safe
def portal_statement_pdf(request: HttpRequest, ws: Workspace, statement_id: int) -> HttpResponse:
    statement = selectors.get_statement(ws, statement_id)
    return pdf_response(statement, selectors.payout_account(ws, statement.partnership))


@partner_view(Perm.MANAGE_PARTNER_PROFILE)
def portal_bank_details(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """One form per partnership with this vendor (a partner in two programs may be paid into two accounts)."""
    partnerships = selectors.partner_partnerships(ws)
    accounts = selectors.payout_accounts(ws, [p.pk for p in partnerships])
    posted = None
    if request.method == "POST":
        raw = request.POST.get("partnership", "")
        posted = next((p for p in partnerships if str(p.pk) == raw), None)
        if posted is None:
            raise Http404
    forms = []
    for p in partnerships:
        account = accounts.get(p.pk)
        if account is not None:
            initial = {"account_holder": account.account_holder, "iban": account.iban, "bic": account.bic}
        else:
            initial = {"account_holder": p.partner.name}
        data = request.POST if posted is not None and posted.pk == p.pk else None
        form = PayoutAccountForm(data, initial=initial, prefix=f"p{p.pk}")
        if data is not None and form.is_valid():
            try:
                services.payout_account_save(workspace=ws, partnership=p, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your bank details are saved."))
                return redirect("incentives:portal_bank_details", vendor_slug=ws.vendor.slug)
        forms.append((p, account, form))
    return render(request, "incentives/portal_bank_details.html", {"ws": ws, "forms": forms})
