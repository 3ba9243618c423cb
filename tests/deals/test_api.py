"""The deals API: status codes, JSON errors, each side's view, and list queries that do not grow with rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kanali.deals.models import Account, Deal, DealRegistration, Product
from tests.conftest import World, api_key, queries_for
from tests.deals.routes_api import fresh_index, open_deal, reg_data, submit  # noqa: F401
from tests.factories import AccountFactory, DealFactory, DealRegistrationFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


class Api:
    def __init__(self, client: Client, key: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json", headers=self.headers)


@pytest.fixture
def owner(world: World, client: Client) -> Api:
    return Api(client, api_key(world.a.owner, world.a.vendor))


@pytest.fixture
def sales(world: World, client: Client) -> Api:
    return Api(client, api_key(world.a.partners[0].sales, world.a.vendor, "partner"))


def test_a_partner_registers_and_the_vendor_approves(world: World, owner: Api, sales: Api) -> None:
    ProductFactory(program=world.a.program, code="crm")
    response = sales.post("/deal-registrations", reg_data(products=["crm"]))
    assert response.status_code == 201, response.content
    reg = response.json()
    assert reg["status"] == "submitted" and reg["products"] == ["crm"] and reg["deal_id"] is None
    response = owner.post(f"/deal-registrations/{reg['id']}/approve", {"note": "ok"})
    assert response.status_code == 200
    approved = response.json()
    assert approved["status"] == "approved" and approved["deal_id"] and approved["protected_until"]
    again = owner.post(f"/deal-registrations/{reg['id']}/approve")
    assert again.status_code == 409 and "already decided" in again.json()["detail"]
    deal = sales.get(f"/deals/{approved['deal_id']}").json()
    assert deal["stage_position"] == 1 and deal["history"][0]["to_status"] == "open"
    assert deal["partner_name"] == world.a.partners[0].org.name


def test_field_errors_are_422_with_each_field(sales: Api) -> None:
    response = sales.post("/deal-registrations", reg_data(company="", currency="ZZZ", products=["none"]))
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"company", "currency", "products"}
    response = sales.post("/deal-registrations", {"company": "X", "estimated_value": {"a": 1}})
    assert response.status_code == 422


def test_the_vendor_cannot_register_and_a_partner_cannot_approve(world: World, owner: Api, sales: Api) -> None:
    assert owner.post("/deal-registrations", reg_data()).status_code == 403
    reg = submit(world.a)
    assert sales.post(f"/deal-registrations/{reg.pk}/approve").status_code == 404
    assert sales.post(f"/deal-registrations/{reg.pk}/reject", {"reason": "x"}).status_code == 404


def test_withdraw(world: World, owner: Api, sales: Api) -> None:
    reg = submit(world.a)
    assert owner.post(f"/deal-registrations/{reg.pk}/withdraw").status_code == 403
    assert sales.post(f"/deal-registrations/{reg.pk}/withdraw").json()["status"] == "withdrawn"
    assert sales.post(f"/deal-registrations/{reg.pk}/withdraw").status_code == 409
    assert owner.post(f"/deal-registrations/{reg.pk}/approve").status_code == 409


def test_reject_needs_a_reason(world: World, owner: Api) -> None:
    reg = submit(world.a)
    response = owner.post(f"/deal-registrations/{reg.pk}/reject", {"reason": ""})
    assert response.status_code == 422 and "reason" in response.json()["detail"]
    assert owner.post(f"/deal-registrations/{reg.pk}/reject", {"reason": "Direct"}).json()["status"] == "rejected"


def test_first_wins_is_a_409_with_an_explanation_and_override_approves(world: World, owner: Api) -> None:
    a = world.a
    first = submit(a, 0)
    second = submit(a, 1)
    response = owner.post(f"/deal-registrations/{second.pk}/approve")
    assert response.status_code == 409 and f"#{first.pk}" in response.json()["detail"]
    assert owner.post(f"/deal-registrations/{second.pk}/approve", {"override": True}).status_code == 200


def test_extension_round_trip(world: World, owner: Api, sales: Api) -> None:
    reg = submit(world.a)
    assert sales.post(f"/deal-registrations/{reg.pk}/extend", {"reason": "Q2"}).status_code == 409
    owner.post(f"/deal-registrations/{reg.pk}/approve")
    assert owner.post(f"/deal-registrations/{reg.pk}/extend").status_code == 403
    assert sales.post(f"/deal-registrations/{reg.pk}/extend", {"reason": "Q2"}).status_code == 200
    assert sales.post(f"/deal-registrations/{reg.pk}/extend", {"reason": "Q3"}).status_code == 409
    granted = owner.post(f"/deal-registrations/{reg.pk}/extension", {"grant": True}).json()
    assert granted["extension_granted"] is True
    assert granted["protected_until"] == str(timezone.localdate() + timedelta(days=120))


def test_pipeline_actions(world: World, owner: Api, sales: Api) -> None:
    deal = open_deal(world.a)
    assert sales.post(f"/deals/{deal.pk}/stage", {"stage_position": 3}).json()["stage_position"] == 3
    assert sales.post(f"/deals/{deal.pk}/stage", {"stage_position": 99}).status_code == 422
    assert sales.post(f"/deals/{deal.pk}/lost", {}).status_code == 422
    won = sales.post(f"/deals/{deal.pk}/won", {"amount": "20000"}).json()
    assert won["status"] == "won" and Decimal(won["amount"]) == Decimal("20000")
    assert sales.post(f"/deals/{deal.pk}/won", {"amount": "1"}).status_code == 409
    assert sales.post(f"/deals/{deal.pk}/reopen").status_code == 404
    assert owner.post(f"/deals/{deal.pk}/reopen").json()["status"] == "open"
    assert [h["to_status"] for h in owner.get(f"/deals/{deal.pk}").json()["history"]] == [
        "open",
        "open",
        "won",
        "open",
    ]


def test_deal_pipeline_totals(world: World, owner: Api) -> None:
    DealFactory(partnership=world.a.partners[0].partnership, amount=1000, probability=25)
    assert owner.get("/deal-pipeline").json() == [
        {"currency": "EUR", "count": 1, "amount": "1000.00", "weighted": "250.00"}
    ]


def test_partners_see_only_their_own(world: World, client: Client, sales: Api) -> None:
    a = world.a
    mine = open_deal(a, 0, company="Mine Ltd", domain="")
    theirs = open_deal(a, 1, company="Theirs Ltd", domain="")
    assert [d["id"] for d in sales.get("/deals").json()["items"]] == [mine.pk]
    assert sales.get(f"/deals/{theirs.pk}").status_code == 404
    assert sales.post(f"/deals/{theirs.pk}/won").status_code == 404
    assert sales.get(f"/deal-registrations/{theirs.registration_id}").status_code == 404
    regs = sales.get("/deal-registrations").json()
    assert [r["id"] for r in regs["items"]] == [mine.registration_id] and regs["count"] == 1
    assert sales.get("/accounts").status_code == 403
    other_vendor = Api(client, api_key(world.b.owner, world.b.vendor))
    assert other_vendor.get(f"/deals/{mine.pk}").status_code == 404
    assert other_vendor.get("/deals").json()["count"] == 0


def test_products_and_accounts(world: World, owner: Api, sales: Api) -> None:
    a = world.a
    response = owner.post("/products", {"program_id": a.program.pk, "code": "Cloud ERP", "name": "Cloud ERP"})
    assert response.status_code == 201 and response.json()["code"] == "cloud-erp"
    dup = owner.post("/products", {"program_id": a.program.pk, "code": "cloud-erp", "name": "Again"})
    assert dup.status_code == 422 and "code" in dup.json()["detail"]
    assert owner.post("/products", {"program_id": world.b.program.pk, "code": "x", "name": "X"}).status_code == 404
    assert sales.post("/products", {"program_id": a.program.pk, "code": "y", "name": "Y"}).status_code == 403
    ProductFactory(program=a.program, code="old", active=False)
    assert [p["code"] for p in sales.get("/products").json()["items"]] == ["cloud-erp"]
    assert owner.get("/products").json()["count"] == 2

    created = owner.post("/accounts", {"name": "Theta S.A.", "domain": "https://theta.gr/", "country": "gr"})
    assert created.status_code == 201 and created.json()["domain"] == "theta.gr" and created.json()["country"] == "GR"
    bad = owner.post("/accounts", {"name": "", "vat_number": "EL1", "country": "GR"})
    assert bad.status_code == 422 and set(bad.json()["detail"]) == {"name", "vat_number"}
    assert [x["name"] for x in owner.get("/accounts", search="thet").json()["items"]] == ["Theta S.A."]
    assert Account.objects.for_vendor(a.vendor).count() == 1


def _grow(world: World, n: int) -> None:
    a = world.a
    for i in range(n):
        p = a.partners[i % 2].partnership
        reg = DealRegistrationFactory(partnership=p, in_conflict=True, conflicts=[])
        DealFactory(partnership=p, registration=reg, account=AccountFactory(vendor=a.vendor))
        ProductFactory(program=a.program)


@pytest.mark.parametrize("path", ["/deal-registrations", "/deals", "/accounts", "/products", "/deal-pipeline"])
def test_list_queries_do_not_grow_with_rows(world: World, owner: Api, sales: Api, path: str) -> None:
    _grow(world, 2)
    owner.get(path), sales.get(path)  # the first call of a token records its use
    few = queries_for(lambda: owner.get(path))
    few_partner = queries_for(lambda: sales.get(path))
    _grow(world, 12)
    assert queries_for(lambda: owner.get(path)) == few
    assert queries_for(lambda: sales.get(path)) == few_partner
    assert DealRegistration.objects.for_vendor(world.a.vendor).count() == 14
    assert Deal.objects.for_vendor(world.a.vendor).count() == 14
    assert Product.objects.for_vendor(world.a.vendor).count() == 14
