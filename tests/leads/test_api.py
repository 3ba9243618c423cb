"""The leads API: idempotent create, import, list and read (explanations by side), actions and their conflicts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kanali.leads import selectors, services
from kanali.leads.models import Lead, Offer
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory
from tests.leads.routes_api import offered_lead

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


class Api:
    def __init__(self, client: Client, key: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers={**self.headers, **(headers or {})}
        )

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)


@pytest.fixture
def apis(world: World, client: Client) -> dict[str, Api]:
    a = world.a
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    RoutingProfileFactory(partnership=a.partners[1].partnership, offices=[THESSALONIKI])
    return {
        "vendor": Api(client, api_key(a.channel_manager, a.vendor)),
        "p1": Api(client, api_key(a.partners[0].admin, a.vendor, "partner")),
        "p2": Api(client, api_key(a.partners[1].sales, a.vendor, "partner")),
        "other": Api(client, api_key(world.b.owner, world.b.vendor)),
    }


BODY = {
    "company": "Olympus Logistics",
    "contact_name": "Eleni K.",
    "email": "eleni@olympus-logistics.gr",
    "country": "GR",
    "region": "GR-I",
    "city": "Athens",
    "estimated_value": "12000",
    "currency": "EUR",
}


def test_create_routes_and_is_idempotent(world: World, apis: dict[str, Api]) -> None:
    body = {**BODY, "program_id": world.a.program.pk}
    first = apis["vendor"].post("/leads", body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == "offered" and data["partnership_id"] == world.a.partners[0].partnership.pk
    assert data["explanation"]["eligible"] == 2 and len(data["explanation"]["top"]) == 2
    again = apis["vendor"].post("/leads", body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    other = apis["vendor"].post("/leads", {**body, "company": "Other"}, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 409 and other.json()["detail"]
    assert Lead.objects.for_vendor(world.a.vendor).count() == 1


def test_create_rejects_bad_fields_and_foreign_programs(world: World, apis: dict[str, Api]) -> None:
    bad = apis["vendor"].post("/leads", {**BODY, "program_id": world.a.program.pk, "country": "XX", "currency": "ZZZ"})
    assert bad.status_code == 422
    assert {"country", "currency"} <= set(bad.json()["detail"])
    assert apis["vendor"].post("/leads", {**BODY, "program_id": world.b.program.pk}).status_code == 404
    assert apis["p1"].post("/leads", {**BODY, "program_id": world.a.program.pk}).status_code == 404


def test_vendor_detail_has_the_full_explanation_and_partner_only_its_reasons(
    world: World, apis: dict[str, Api]
) -> None:
    lead = offered_lead_ready(world)
    vendor = apis["vendor"].get(f"/leads/{lead.pk}").json()
    assert vendor["explanation"]["top"][0]["partnership_id"] == world.a.partners[0].partnership.pk
    assert [e["action"] for e in vendor["history"]] == ["offered"]
    assert vendor["offers"][0]["status"] == "pending" and vendor["email"]

    partner = apis["p1"].get(f"/leads/{lead.pk}").json()
    assert partner["explanation"]["offered"] is True
    assert "top" not in partner["explanation"] and "excluded" not in partner["explanation"]
    assert {r["feature"] for r in partner["explanation"]["reasons"]} >= {"distance"}
    assert partner["email"] == "" and partner["contact_name"] == ""  # contact details after accepting
    assert apis["p2"].get(f"/leads/{lead.pk}").status_code == 404
    assert apis["other"].get(f"/leads/{lead.pk}").status_code == 404


def offered_lead_ready(world: World) -> Lead:
    lead = LeadFactory(program=world.a.program)
    services.route_lead(workspace=workspace_for(world.a.owner, world.a.vendor), lead=lead)
    lead.refresh_from_db()
    return lead


def test_accept_shows_contact_details_then_status_flow(world: World, apis: dict[str, Api]) -> None:
    lead = offered_lead_ready(world)
    accepted = apis["p1"].post(f"/leads/{lead.pk}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted" and accepted.json()["email"] == lead.email
    again = apis["p1"].post(f"/leads/{lead.pk}/accept")
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]
    bad = apis["p1"].post(f"/leads/{lead.pk}/status", {"status": "disqualified"})
    assert bad.status_code == 422 and "reason" in bad.json()["detail"]
    done = apis["p1"].post(f"/leads/{lead.pk}/status", {"status": "converted"})
    assert done.status_code == 200 and done.json()["status"] == "converted"
    assert apis["p1"].post(f"/leads/{lead.pk}/status", {"status": "contacted"}).status_code == 409


def test_accept_after_the_deadline_is_409_and_routes_onwards(world: World, apis: dict[str, Api]) -> None:
    lead = offered_lead_ready(world)
    Offer.objects.for_vendor(world.a.vendor).filter(lead=lead).update(deadline=timezone.now() - timedelta(minutes=1))
    response = apis["p1"].post(f"/leads/{lead.pk}/accept")
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]
    lead.refresh_from_db()
    assert lead.partnership_id == world.a.partners[1].partnership.pk and lead.status == Lead.Status.OFFERED


def test_decline_and_reassign(world: World, apis: dict[str, Api]) -> None:
    lead = offered_lead_ready(world)
    assert apis["p1"].post(f"/leads/{lead.pk}/decline", {"reason": "maybe"}).status_code == 422
    declined = apis["p1"].post(f"/leads/{lead.pk}/decline", {"reason": "no_capacity", "note": "full"})
    assert declined.status_code == 200
    # It went to partner 2; partner 1 still sees its own past offer, not who got it.
    body = declined.json()
    assert body["partnership_id"] is None and body["partner"] == "" and body["status"] == "declined"
    assert [o["status"] for o in body["offers"]] == ["declined"]
    p2 = world.a.partners[1].partnership.pk
    assert apis["p2"].get(f"/leads/{lead.pk}").json()["partnership_id"] == p2
    assert apis["p1"].post(f"/leads/{lead.pk}/reassign", {"partnership_id": None}).status_code == 404
    moved = apis["vendor"].post(f"/leads/{lead.pk}/reassign", {"partnership_id": world.a.partners[0].partnership.pk})
    assert moved.status_code == 200 and moved.json()["kind"] == "manual"
    foreign = apis["vendor"].post(f"/leads/{lead.pk}/reassign", {"partnership_id": world.b.partners[0].partnership.pk})
    assert foreign.status_code == 422
    decisions = apis["vendor"].get(f"/leads/{lead.pk}/decisions").json()
    assert [d["kind"] for d in decisions] == ["manual", "next", "automatic"]
    log = apis["vendor"].get("/routing-decisions", program=world.a.program.pk).json()
    assert log["count"] == 3


def test_list_filters_and_sides(world: World, apis: dict[str, Api]) -> None:
    lead = offered_lead_ready(world)
    LeadFactory(program=world.a.program)  # new, not routed
    LeadFactory(program=world.b.program)
    vendor = apis["vendor"].get("/leads").json()
    assert vendor["count"] == 2
    assert apis["vendor"].get("/leads", status="offered").json()["count"] == 1
    assert apis["vendor"].get("/leads", q="nothing-like-this").json()["count"] == 0
    mine = apis["p1"].get("/leads").json()
    assert [row["id"] for row in mine["items"]] == [lead.pk]
    assert apis["p2"].get("/leads").json()["count"] == 0
    assert apis["vendor"].get("/leads", status="bogus").status_code == 422


def test_list_does_not_query_per_row(world: World, apis: dict[str, Api]) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    services.route_leads(workspace=ws, leads=[LeadFactory(program=world.a.program) for _ in range(2)])
    apis["vendor"].get("/leads"), apis["p1"].get("/leads")  # the tokens' "last used" is written once
    few_vendor = queries_for(lambda: apis["vendor"].get("/leads"))
    few_partner = queries_for(lambda: apis["p1"].get("/leads"))
    services.route_leads(workspace=ws, leads=[LeadFactory(program=world.a.program) for _ in range(8)])
    assert queries_for(lambda: apis["vendor"].get("/leads")) == few_vendor
    assert queries_for(lambda: apis["p1"].get("/leads")) == few_partner


def test_settings_get_and_put(world: World, apis: dict[str, Api]) -> None:
    path = f"/lead-settings/{world.a.program.pk}"
    got = apis["vendor"].get(path).json()
    assert got["acceptance_hours"] == 48 and got["weights"]["distance"] == pytest.approx(0.25)
    bad = apis["vendor"].put(path, {"acceptance_hours": 0, "weights": {"distance": -1}})
    assert bad.status_code == 422 and {"acceptance_hours", "weights"} <= set(bad.json()["detail"])
    ok = apis["vendor"].put(path, {"acceptance_hours": 12, "mode": "suggest"})
    assert ok.status_code == 200 and ok.json()["mode"] == "suggest"
    assert selectors.get_lead_settings(world.a.program).acceptance_hours == 12
    assert apis["p1"].get(path).status_code == 404


def test_routing_profile_api(world: World, apis: dict[str, Api]) -> None:
    pid = world.a.partners[0].partnership.pk
    path = f"/partnerships/{pid}/routing-profile"
    assert apis["p1"].get(path).json()["countries"] == ["GR"]
    ok = apis["p1"].put(path, {"capacity": 5, "offices": [{"city": "Patras", "country": "GR"}]})
    assert ok.status_code == 200 and ok.json()["capacity"] == 5
    assert apis["p1"].put(path, {"countries": ["DE"]}).status_code == 422
    assert apis["p2"].get(path).status_code == 404
    assert apis["vendor"].put(path, {"countries": ["GR", "CY"]}).json()["countries"] == ["GR", "CY"]


CSV = (
    "Company,Country,City,Email,Estimated value,Currency\n"
    "Acropolis Foods,GR,Athens,info@acropolis-foods.gr,5000,EUR\n"
    "Macedonia Tech,GR,Thessaloniki,hello@mac-tech.gr,80000,EUR\n"
)


def _upload(api: Api, program_id: int, content: str, *, dry_run: bool) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post(
        "/api/v1/leads/import",
        {
            "file": SimpleUploadedFile("leads.csv", content.encode(), content_type="text/csv"),
            "program_id": program_id,
            "dry_run": "true" if dry_run else "false",
        },
        headers=api.headers,
    )


def test_import_dry_run_then_commit_routes(world: World, apis: dict[str, Api]) -> None:
    checked = _upload(apis["vendor"], world.a.program.pk, CSV, dry_run=True)
    assert checked.status_code == 200, checked.content
    assert checked.json()["row_count"] == 2 and checked.json()["error_count"] == 0
    assert Lead.objects.for_vendor(world.a.vendor).count() == 0
    done = _upload(apis["vendor"], world.a.program.pk, CSV, dry_run=False)
    assert done.status_code == 200 and done.json()["created"] == 2
    leads = {lead.company: lead for lead in Lead.objects.for_vendor(world.a.vendor)}
    assert leads["Macedonia Tech"].partnership_id == world.a.partners[1].partnership.pk
    assert leads["Acropolis Foods"].partnership_id == world.a.partners[0].partnership.pk


def test_import_with_a_bad_row_creates_nothing(world: World, apis: dict[str, Api]) -> None:
    bad = CSV + "Nowhere Ltd,XX,,,abc,EUR\n"
    response = _upload(apis["vendor"], world.a.program.pk, bad, dry_run=False)
    assert response.status_code == 422
    errors = response.json()["detail"]["errors"]
    assert errors and errors[0]["row"] == 4
    assert Lead.objects.for_vendor(world.a.vendor).count() == 0
    assert _upload(apis["p1"], world.a.program.pk, CSV, dry_run=True).status_code == 404


def test_isolation_builder_offers_to_partner_one(world: World) -> None:
    lead = offered_lead(world.a)
    assert lead.status == Lead.Status.OFFERED
