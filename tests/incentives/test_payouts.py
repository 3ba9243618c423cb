"""Bank details (IBAN/BIC checked with python-stdnum) and the payout CSV of approved statements."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kanali.core.models import AuditLog
from kanali.incentives import payouts, services
from kanali.incentives.models import PayoutAccount, Statement
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.incentives.routes import IBAN, approved, lose, open_deal, plan, statement, win

pytestmark = pytest.mark.django_db


def save_account(world: World, partner: int = 0, iban: str = IBAN, bic: str = "") -> PayoutAccount:
    a = world.a
    p = a.partners[partner]
    return services.payout_account_save(
        workspace=workspace_for(p.admin, a.vendor, "partner"),
        partnership=p.partnership,
        account_holder=p.org.name,
        iban=iban,
        bic=bic,
    )


def test_iban_and_bic_are_validated_and_compacted(world: World) -> None:
    account = save_account(world, iban="gr16 0110 1250 0000 0001 2300 695", bic="ethngraa")
    assert account.iban == IBAN and account.bic == "ETHNGRAA"
    with pytest.raises(ValidationError) as exc:
        save_account(world, iban="GR16 0110 1250 0000 0001 2300 696", bic="NOPE")
    assert set(exc.value.message_dict) == {"iban", "bic"}
    updated = save_account(world, iban="DE89 3704 0044 0532 0130 00")
    assert updated.pk == account.pk and updated.iban == "DE89370400440532013000" and updated.bic == ""
    entry = AuditLog.objects.filter(action="payout_account.update").get()
    assert IBAN not in str(entry.changes) and "DE89370400440532013000" not in str(entry.changes)


def test_only_the_partner_admin_enters_bank_details(world: World) -> None:
    a = world.a
    p = a.partners[0]
    with pytest.raises(PermissionDenied):
        services.payout_account_save(
            workspace=workspace_for(p.sales, a.vendor, "partner"),
            partnership=p.partnership,
            account_holder="x",
            iban=IBAN,
        )
    with pytest.raises(PermissionDenied):
        services.payout_account_save(
            workspace=workspace_for(a.finance, a.vendor), partnership=p.partnership, account_holder="x", iban=IBAN
        )


def test_payout_lists_payable_rows_and_names_every_problem(world: World) -> None:
    a = world.a
    fin = workspace_for(a.finance, a.vendor)
    ready = approved(a)
    account = save_account(world)
    missing = services.statement_approve(workspace=fin, statement=statement(a, partner=1))
    draft = statement(a)  # the first partner's next period: a draft, never exported
    result = payouts.build(fin)
    assert [r.statement.pk for r in result.rows] == [ready.pk]
    assert [(e.statement.pk, e.reason) for e in result.errors] == [
        (missing.pk, "The partner has not entered bank details.")
    ]
    assert draft.pk not in {r.statement.pk for r in result.rows} | {e.statement.pk for e in result.errors}
    assert result.totals() == {"EUR": Decimal("100.00")}
    # An IBAN that went bad after it was saved (edited in the admin) is caught when the file is built.
    PayoutAccount.objects.for_vendor(a.vendor).filter(pk=account.pk).update(iban="GR0000000000000000000000000")
    result = payouts.build(fin)
    assert result.rows == []
    assert {e.statement.pk: e.reason for e in result.errors}[ready.pk] == "The partner's IBAN is not valid."


def test_payout_csv_for_finance(world: World, client: Client) -> None:
    a = world.a
    s = approved(a)
    save_account(world, bic="ETHNGRAA")
    client.force_login(a.finance)
    response = client.get(reverse("incentives:payouts_csv", args=[a.vendor.slug]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == payouts.HEADER
    assert rows[1] == [
        s.number,
        a.partners[0].org.name,
        a.partners[0].org.name,
        IBAN,
        "ETHNGRAA",
        "100.00",
        "EUR",
        s.number,
        s.period_label,
    ]
    assert response["X-Payout-Errors"] == "0"
    # The same file over the API; the channel manager (no approve_payments) gets 403, a partner 404.
    key = api_key(a.finance, a.vendor)
    api = client.get("/api/v1/payouts.csv", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200 and api.content == response.content
    cm = api_key(a.channel_manager, a.vendor)
    assert client.get("/api/v1/payouts.csv", headers={"Authorization": f"Bearer {cm}"}).status_code == 403
    partner = api_key(a.partners[0].admin, a.vendor, "partner")
    assert client.get("/api/v1/payouts.csv", headers={"Authorization": f"Bearer {partner}"}).status_code == 404


def test_invalid_iban_is_reported_not_exported(world: World, client: Client) -> None:
    a = world.a
    s = approved(a)
    account = save_account(world)
    PayoutAccount.objects.for_vendor(a.vendor).filter(pk=account.pk).update(iban="GR1601101250000000012300696")
    client.force_login(a.finance)
    response = client.get(reverse("incentives:payouts_csv", args=[a.vendor.slug]))
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 1  # the header only
    assert response["X-Payout-Skipped"] == s.number
    page = client.get(reverse("incentives:payouts", args=[a.vendor.slug]))
    assert page.status_code == 200 and s.number in page.content.decode()
    assert "IBAN is not valid" in page.content.decode()


def test_formula_like_names_are_neutralised(world: World) -> None:
    a = world.a
    approved(a)
    p = a.partners[0]
    services.payout_account_save(
        workspace=workspace_for(p.admin, a.vendor, "partner"),
        partnership=p.partnership,
        account_holder='=HYPERLINK("x")',
        iban=IBAN,
    )
    text = payouts.to_csv(payouts.build(workspace_for(a.finance, a.vendor)))
    assert "'=HYPERLINK" in text


def test_payout_page_queries_do_not_grow_with_statements(world: World, client: Client) -> None:
    a = world.a
    approved(a)
    save_account(world)
    client.force_login(a.finance)
    url = reverse("incentives:payouts", args=[a.vendor.slug])
    few = queries_for(lambda: client.get(url))
    for _ in range(3):
        approved(a)
    services.payout_account_save(
        workspace=workspace_for(a.partners[1].admin, a.vendor, "partner"),
        partnership=a.partners[1].partnership,
        account_holder="P2",
        iban=IBAN,
    )
    services.statement_approve(workspace=workspace_for(a.finance, a.vendor), statement=statement(a, partner=1))
    assert queries_for(lambda: client.get(url)) == few
    assert Decimal(0) < sum(payouts.build(workspace_for(a.finance, a.vendor)).totals().values())


def test_a_statement_with_nothing_to_pay_is_an_error(world: World) -> None:
    a = world.a
    plan(a)
    lose(a, win(a, open_deal(a, partner=1)))
    s = Statement.objects.for_vendor(a.vendor).get()
    assert s.total == 0
    fin = workspace_for(a.finance, a.vendor)
    services.statement_approve(workspace=fin, statement=s)
    save_account(world, partner=1)
    result = payouts.build(fin)
    assert result.rows == [] and [e.reason for e in result.errors] == ["Nothing to pay: the total is not above zero."]
