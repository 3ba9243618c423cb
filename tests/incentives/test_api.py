"""The commissions API: lines, plans, statements (approve, pay) as staff and partners; errors and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kanali.designer.models import Tier
from tests.conftest import World, api_key, queries_for
from tests.incentives.routes import open_deal, plan, product, statement, win

pytestmark = pytest.mark.django_db


def get(client: Client, key: str, url: str) -> Any:
    return client.get(url, headers={"Authorization": f"Bearer {key}"})


def post(client: Client, key: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json", headers={"Authorization": f"Bearer {key}"})


def test_commissions_list_staff_see_all_partners_see_their_own(world: World, client: Client) -> None:
    a = world.a
    plan(a)
    win(a, open_deal(a, partner=0, name="Mine"))
    win(a, open_deal(a, partner=1, name="Theirs"))
    staff = get(client, api_key(a.owner, a.vendor), "/api/v1/commissions").json()
    assert staff["count"] == 2
    mine = get(client, api_key(a.partners[0].admin, a.vendor, "partner"), "/api/v1/commissions").json()
    assert [row["deal_name"] for row in mine["items"]] == ["Mine"]
    row = mine["items"][0]
    assert row["kind"] == "commission" and row["amount"] == "100.00" and row["currency"] == "EUR"
    assert row["partner"] == a.partners[0].org.name and row["statement_number"]
    # Sales reps do not see money; the other vendor sees nothing of A.
    sales = get(client, api_key(a.partners[0].sales, a.vendor, "partner"), "/api/v1/commissions")
    assert sales.status_code == 403 and "detail" in sales.json()
    assert get(client, api_key(world.b.owner, world.b.vendor), "/api/v1/commissions").json()["count"] == 0
    # One line in detail: the owner reads it, the other partner of the same vendor does not.
    detail = get(client, api_key(a.partners[0].admin, a.vendor, "partner"), f"/api/v1/commissions/{row['id']}")
    assert detail.status_code == 200 and detail.json()["deal_name"] == "Mine"
    other = get(client, api_key(a.partners[1].admin, a.vendor, "partner"), f"/api/v1/commissions/{row['id']}")
    assert other.status_code == 404


def test_commission_and_statement_lists_do_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    plan(a)
    key = api_key(a.owner, a.vendor)
    win(a, open_deal(a))
    get(client, key, "/api/v1/commissions")  # the token's first use writes its last-used time
    few = {
        url: queries_for(lambda url=url: get(client, key, url))
        for url in ("/api/v1/commissions", "/api/v1/statements", "/api/v1/commission-plans")
    }
    for n in range(4):
        win(a, open_deal(a, partner=n % 2))
    plan(a, name="Second")
    for url, count in few.items():
        assert queries_for(lambda url=url: get(client, key, url)) == count, url


def test_create_plan_and_read_it_back(world: World, client: Client) -> None:
    a = world.a
    product(a, "cloud")
    gold = Tier.objects.create(vendor=a.vendor, program=a.program, rank=3, name="Gold")
    key = api_key(a.finance, a.vendor)
    body = {
        "program_id": a.program.pk,
        "name": "2027",
        "period": "quarter",
        "rules": [
            {"rate_pct": "10"},
            {"tier_id": gold.pk, "rate_pct": "12", "accelerator_threshold": "50000", "accelerator_rate_pct": "15"},
            {"product": "cloud", "kind": "flat", "flat_amount": "500", "currency": "EUR"},
        ],
    }
    response = post(client, key, "/api/v1/commission-plans", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["period"] == "quarter" and created["active"] is True
    assert [r["tier"] for r in created["rules"]] == [None, "Gold", None]
    again = get(client, key, f"/api/v1/commission-plans/{created['id']}").json()
    assert again == created
    listed = get(client, key, "/api/v1/commission-plans").json()
    assert listed["count"] == 1 and listed["items"][0]["rules"][2]["product"] == "cloud"


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        ({"rate_pct": "10", "product": "ghost"}, "rules[0].product"),
        ({"rate_pct": "10", "tier_id": 999999}, "rules[0].tier_id"),
        ({"kind": "flat", "flat_amount": "0"}, "rules[0].flat_amount"),
        ({"rate_pct": "10", "currency": "EURO"}, "rules[0].currency"),
    ],
)
def test_create_plan_refuses_bad_rules_with_422(world: World, client: Client, rule: dict[str, Any], key: str) -> None:
    a = world.a
    body = {"program_id": a.program.pk, "name": "Bad", "rules": [rule]}
    response = post(client, api_key(a.owner, a.vendor), "/api/v1/commission-plans", body)
    assert response.status_code == 422
    assert key in response.json()["detail"]


def test_create_plan_other_vendor_program_and_partner_are_404(world: World, client: Client) -> None:
    a, b = world.a, world.b
    body = {"program_id": b.program.pk, "name": "X", "rules": []}
    assert post(client, api_key(a.owner, a.vendor), "/api/v1/commission-plans", body).status_code == 404
    body["program_id"] = a.program.pk
    partner = api_key(a.partners[0].admin, a.vendor, "partner")
    assert post(client, partner, "/api/v1/commission-plans", body).status_code == 404
    assert get(client, partner, "/api/v1/commission-plans").status_code == 404
    assert post(client, api_key(a.owner, a.vendor), "/api/v1/commission-plans", {"name": "x"}).status_code == 422


def test_statement_flow_approve_409_pay_409(world: World, client: Client) -> None:
    a = world.a
    s = statement(a, amount="2000")
    finance = api_key(a.finance, a.vendor)
    url = f"/api/v1/statements/{s.pk}"
    detail = get(client, finance, url).json()
    assert detail["status"] == "draft" and detail["total"] == "200.00"
    assert len(detail["lines"]) == 1 and detail["lines"][0]["deal_id"]
    today = timezone.localdate().isoformat()
    early = post(client, finance, f"{url}/pay", {"reference": "TRF", "paid_on": today})
    assert early.status_code == 409 and early.json()["detail"]
    cm = api_key(a.channel_manager, a.vendor)
    assert post(client, cm, f"{url}/approve").status_code == 403
    ok = post(client, finance, f"{url}/approve")
    assert ok.status_code == 200 and ok.json()["status"] == "approved" and ok.json()["approved_at"]
    twice = post(client, finance, f"{url}/approve")
    assert twice.status_code == 409 and "already approved" in twice.json()["detail"]
    assert post(client, finance, f"{url}/pay", {"reference": "", "paid_on": today}).status_code == 422
    assert post(client, finance, f"{url}/pay", {"reference": "TRF", "paid_on": "2999-01-01"}).status_code == 422
    assert post(client, finance, f"{url}/pay", {"reference": "TRF"}).status_code == 422
    paid = post(client, finance, f"{url}/pay", {"reference": "TRF-77", "paid_on": today})
    assert paid.status_code == 200 and paid.json()["status"] == "paid" and paid.json()["payment_reference"] == "TRF-77"
    assert post(client, finance, f"{url}/pay", {"reference": "TRF-78", "paid_on": today}).status_code == 409
    # The partner admin sees it paid; filters work.
    partner = api_key(a.partners[0].admin, a.vendor, "partner")
    listed = get(client, partner, "/api/v1/statements?status=paid").json()
    assert [row["number"] for row in listed["items"]] == [s.number]
    assert get(client, partner, "/api/v1/statements?status=draft").json()["count"] == 0
    assert get(client, partner, "/api/v1/statements?currency=usd").json()["count"] == 0


def test_partner_cannot_approve_its_own_statement(world: World, client: Client) -> None:
    a = world.a
    s = statement(a)
    partner = api_key(a.partners[0].admin, a.vendor, "partner")
    assert post(client, partner, f"/api/v1/statements/{s.pk}/approve").status_code == 404
    assert get(client, partner, f"/api/v1/statements/{s.pk}").status_code == 200
    other = api_key(a.partners[1].admin, a.vendor, "partner")
    assert get(client, other, "/api/v1/statements").json()["count"] == 0
