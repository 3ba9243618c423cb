"""Console and portal pages: plans, statements (filter, totals, approve, pay), commissions, bank details."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kanali.incentives.models import CommissionPlan, CommissionRule, PayoutAccount, Statement
from kanali.incentives.services import RuleInput
from tests.conftest import World, queries_for
from tests.incentives.routes import IBAN, open_deal, plan, product, statement, win

pytestmark = pytest.mark.django_db


def rule_rows(*rows: dict[str, Any], extra: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rules-TOTAL_FORMS": str(len(rows) + extra),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "100",
    }
    for n, row in enumerate(rows):
        for key, value in {"kind": "percent", "currency": "EUR", **row}.items():
            data[f"rules-{n}-{key}"] = value
    for n in range(len(rows), len(rows) + extra):
        data[f"rules-{n}-kind"] = "percent"
        data[f"rules-{n}-currency"] = "EUR"
    return data


def test_plan_pages_create_and_edit(world: World, client: Client) -> None:
    a = world.a
    product(a, "cloud")
    client.force_login(a.channel_manager)
    slug = a.vendor.slug
    page = client.get(reverse("incentives:plan_list", args=[slug]))
    assert page.status_code == 200 and "No commission plan yet" in page.content.decode()
    new = reverse("incentives:plan_create", args=[slug]) + f"?program={a.program.pk}"
    assert client.get(new).status_code == 200
    data = {"name": "Standard", "period": "month", "active": "on"}
    data.update(rule_rows({"rate_pct": "10"}, {"product": "cloud", "kind": "flat", "flat_amount": "250"}, extra=2))
    response = client.post(new, data)
    saved = CommissionPlan.objects.for_vendor(a.vendor).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/plans/{saved.pk}/")
    assert saved.program == a.program and saved.active
    assert [(r.kind, r.product) for r in CommissionRule.objects.for_vendor(a.vendor)] == [
        ("percent", ""),
        ("flat", "cloud"),
    ]
    edit = reverse("incentives:plan_edit", args=[slug, saved.pk])
    body = client.get(edit).content.decode()
    assert 'value="250.000"' in body or 'value="250"' in body or "250" in body


def test_plan_form_shows_errors_next_to_the_row(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.owner)
    new = reverse("incentives:plan_create", args=[a.vendor.slug])
    data = {"name": "Bad", "period": "month", "active": "on"}
    response = client.post(new, {**data, **rule_rows({"rate_pct": "150"})})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100" in response.content.decode()
    # Errors the service finds land on the row too (the second row here).
    response = client.post(new, {**data, **rule_rows({"rate_pct": "10"}, {"kind": "flat", "flat_amount": "0"})})
    body = response.content.decode()
    assert "Enter the amount paid per deal." in body
    assert body.index("Enter the amount paid per deal.") > body.index('name="rules-1-flat_amount"')
    assert CommissionPlan.objects.for_vendor(a.vendor).count() == 0


def test_partner_and_other_vendor_cannot_open_plans(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.partners[0].admin)
    assert client.get(reverse("incentives:plan_list", args=[a.vendor.slug])).status_code == 404
    client.force_login(world.b.owner)
    assert client.get(reverse("incentives:plan_list", args=[a.vendor.slug])).status_code == 404


def test_statement_list_filters_totals_and_constant_queries(world: World, client: Client) -> None:
    a = world.a
    plan(a)
    win(a, open_deal(a, partner=0, amount="1000"))
    win(a, open_deal(a, partner=1, amount="3000", currency="USD"))
    client.force_login(a.finance)
    url = reverse("incentives:statement_list", args=[a.vendor.slug])
    body = client.get(url).content.decode()
    assert "100.00 EUR" in body and "300.00 USD" in body
    only_usd = client.get(url, {"currency": "usd"}).content.decode()
    assert "300.00 USD" in only_usd and "100.00 EUR" not in only_usd
    partner1 = a.partners[1].partnership.pk
    assert "100.00 EUR" not in client.get(url, {"partnership": partner1}).content.decode()
    assert "No statements match" in client.get(url, {"status": "paid"}).content.decode()
    assert client.get(url, {"period_from": "not-a-date"}).status_code == 200
    few = queries_for(lambda: client.get(url))
    for n in range(5):
        win(a, open_deal(a, partner=n % 2, currency=["EUR", "USD", "GBP"][n % 3]))
    assert queries_for(lambda: client.get(url)) == few


def test_statement_detail_approve_and_pay(world: World, client: Client) -> None:
    a = world.a
    s = statement(a)
    slug = a.vendor.slug
    detail = reverse("incentives:statement_detail", args=[slug, s.pk])
    client.force_login(a.channel_manager)
    page = client.get(detail).content.decode()
    assert s.number in page and "Approve statement" not in page  # no approve_payments
    assert client.post(reverse("incentives:statement_approve", args=[slug, s.pk])).status_code == 403
    client.force_login(a.finance)
    assert "Approve statement" in client.get(detail).content.decode()
    response = client.post(reverse("incentives:statement_approve", args=[slug, s.pk]), follow=True)
    assert "is approved" in response.content.decode()
    again = client.post(reverse("incentives:statement_approve", args=[slug, s.pk]), follow=True)
    assert "already approved" in again.content.decode()
    pay = reverse("incentives:statement_pay", args=[slug, s.pk])
    bad = client.post(pay, {"reference": "", "paid_on": "2999-01-01"})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    future = client.post(pay, {"reference": "TRF", "paid_on": "2999-01-01"})
    assert "cannot be in the future" in future.content.decode()
    ok = client.post(pay, {"reference": "TRF-1", "paid_on": timezone.localdate().isoformat()}, follow=True)
    assert "marked paid" in ok.content.decode()
    assert Statement.objects.for_vendor(a.vendor).get(pk=s.pk).status == "paid"
    pdf = client.get(reverse("incentives:statement_pdf", args=[slug, s.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_portal_commissions_and_statements(world: World, client: Client) -> None:
    a = world.a
    plan(a)
    win(a, open_deal(a, partner=0, name="Our deal"))
    win(a, open_deal(a, partner=1, name="Their deal"))
    mine = Statement.objects.for_vendor(a.vendor).get(partnership=a.partners[0].partnership)
    client.force_login(a.partners[0].admin)
    slug = a.vendor.slug
    home = client.get(reverse("core:portal_home", args=[slug])).content.decode()
    assert reverse("incentives:portal_commissions", args=[slug]) in home  # nav link
    lines = client.get(reverse("incentives:portal_commissions", args=[slug])).content.decode()
    assert "Our deal" in lines and "Their deal" not in lines
    listing = client.get(reverse("incentives:portal_statements", args=[slug])).content.decode()
    assert mine.number in listing
    detail = client.get(reverse("incentives:portal_statement_detail", args=[slug, mine.pk]))
    assert detail.status_code == 200 and "Our deal" in detail.content.decode()
    assert "No bank details yet" in detail.content.decode()
    few = queries_for(lambda: client.get(reverse("incentives:portal_commissions", args=[slug])))
    for _ in range(4):
        win(a, open_deal(a, partner=0))
    assert queries_for(lambda: client.get(reverse("incentives:portal_commissions", args=[slug]))) == few
    client.force_login(a.partners[0].sales)
    assert client.get(reverse("incentives:portal_commissions", args=[slug])).status_code == 403
    assert (
        reverse("incentives:portal_commissions", args=[slug])
        not in client.get(reverse("core:portal_home", args=[slug])).content.decode()
    )


def test_portal_bank_details_form(world: World, client: Client) -> None:
    a = world.a
    p = a.partners[0]
    client.force_login(p.admin)
    url = reverse("incentives:portal_bank_details", args=[a.vendor.slug])
    assert client.get(url).status_code == 200
    prefix = f"p{p.partnership.pk}"
    bad = client.post(
        url, {"partnership": p.partnership.pk, f"{prefix}-account_holder": "Alpha", f"{prefix}-iban": "GR00"}
    )
    assert bad.status_code == 200 and "Enter a valid IBAN." in bad.content.decode()
    assert not PayoutAccount.objects.for_vendor(a.vendor).exists()
    ok = client.post(
        url,
        {
            "partnership": p.partnership.pk,
            f"{prefix}-account_holder": "Alpha",
            f"{prefix}-iban": IBAN,
            f"{prefix}-bic": "",
        },
    )
    assert ok.status_code == 302
    assert PayoutAccount.objects.for_vendor(a.vendor).get().iban == IBAN
    # Another partner's partnership id in the form is not found.
    other = a.partners[1].partnership.pk
    assert client.post(url, {"partnership": other}).status_code == 404
    client.force_login(p.sales)
    assert client.get(url).status_code == 403


def test_console_nav_shows_commissions_to_commission_managers(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.finance)
    body = client.get(reverse("core:vendor_home", args=[a.vendor.slug])).content.decode()
    assert reverse("incentives:statement_list", args=[a.vendor.slug]) in body


def test_portal_home_panel_shows_unpaid_commissions(world: World, client: Client) -> None:
    a = world.a
    statement(a, amount="5000")
    home = reverse("core:portal_home", args=[a.vendor.slug])
    client.force_login(a.partners[0].admin)
    assert "500.00 EUR" in client.get(home).content.decode()
    client.force_login(a.partners[1].admin)  # nothing earned: no panel
    assert "Earned this period" not in client.get(home).content.decode()
    client.force_login(a.partners[0].sales)  # no view_statements: no panel
    assert "Earned this period" not in client.get(home).content.decode()


def test_plan_list_and_portal_statements_do_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    plan(a)
    statement(a)
    client.force_login(a.owner)
    plans = reverse("incentives:plan_list", args=[a.vendor.slug])
    few = queries_for(lambda: client.get(plans))
    for n in range(3):
        plan(a, name=f"Old {n}")
    assert queries_for(lambda: client.get(plans)) == few
    client.force_login(a.partners[0].admin)
    mine = reverse("incentives:portal_statements", args=[a.vendor.slug])
    few = queries_for(lambda: client.get(mine))
    for currency in ("USD", "GBP", "CHF"):
        win(a, open_deal(a, currency=currency))
    assert queries_for(lambda: client.get(mine)) == few
    assert "CHF" in client.get(mine).content.decode()


def test_plan_edit_keeps_unchanged_rules_and_removes_ticked_ones(world: World, client: Client) -> None:
    a = world.a
    saved = plan(a, [RuleInput(rate_pct=Decimal("10")), RuleInput(rate_pct=Decimal("12"), partner_type="msp")])
    client.force_login(a.owner)
    edit = reverse("incentives:plan_edit", args=[a.vendor.slug, saved.pk])
    data = {"name": "Standard", "period": "quarter", "active": "on"}
    data.update(rule_rows({"rate_pct": "10.00"}, {"rate_pct": "12.00", "partner_type": "msp", "DELETE": "on"}))
    data["rules-INITIAL_FORMS"] = "2"
    assert client.post(edit, data).status_code == 302
    saved.refresh_from_db()
    assert saved.period == "quarter"
    assert [(r.rate_pct, r.partner_type) for r in CommissionRule.objects.for_vendor(a.vendor)] == [(Decimal("10"), "")]
