"""``/api/v1/programs`` and the design API: read, round-trip, all-or-nothing writes, who may do what."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from kanali.core.models import Program
from kanali.designer import selectors
from kanali.designer.examples import load_example
from kanali.designer.models import Design, PipelineStage, Tier, TierRequirement
from kanali.designer.services import items_replace
from kanali.designer.steps import COLLECTIONS, STEPS
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.factories import PartnershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def design_url(program: Program, step: str | None = None) -> str:
    return f"/api/v1/programs/{program.pk}/design" + (f"/{step}" if step else "")


def put(client: Client, url: str, body: dict[str, Any], key: str) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json", headers=auth(key))


@pytest.fixture
def owner_key(world: World) -> str:
    return api_key(world.a.owner, world.a.vendor)


@pytest.fixture
def designed(world: World) -> Program:
    load_example(workspace=workspace_for(world.a.owner, world.a.vendor), program=world.a.program, example="hardware")
    return world.a.program


# --- Programs ------------------------------------------------------------------


def test_programs_are_paginated_and_scoped(world: World, client: Client, owner_key: str) -> None:
    for slug in ("b", "c", "d"):
        ProgramFactory(vendor=world.a.vendor, slug=slug)
    body = client.get("/api/v1/programs?limit=2&offset=1", headers=auth(owner_key)).json()
    assert body["count"] == 4 and len(body["items"]) == 2
    assert set(body["items"][0]) == {"id", "name", "slug", "status", "created_at"}
    every = client.get("/api/v1/programs", headers=auth(owner_key)).json()["items"]
    assert world.b.program.pk not in {p["id"] for p in every}


def test_partner_lists_only_its_programs(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    other = ProgramFactory(vendor=world.a.vendor, slug="referral")
    PartnershipFactory(program=other, partner=world.a.partners[1].org)
    body = client.get("/api/v1/programs", headers=auth(api_key(partner.admin, world.a.vendor, "partner"))).json()
    assert [p["id"] for p in body["items"]] == [world.a.program.pk]


def test_program_detail(world: World, client: Client, owner_key: str) -> None:
    body = client.get(f"/api/v1/programs/{world.a.program.pk}", headers=auth(owner_key)).json()
    assert body["id"] == world.a.program.pk and body["slug"] == "partners"
    assert body["published_version"] is None


def test_program_list_does_not_query_per_row(world: World, client: Client, owner_key: str) -> None:
    headers = auth(owner_key)
    client.get("/api/v1/me", headers=headers)  # first use stamps last_used_at
    small = queries_for(lambda: client.get("/api/v1/programs", headers=headers))
    for n in range(10):
        ProgramFactory(vendor=world.a.vendor, slug=f"p{n}")
    assert queries_for(lambda: client.get("/api/v1/programs", headers=headers)) == small


# --- Reading the design ------------------------------------------------------------


def test_whole_design_has_every_step_with_readable_references(
    client: Client, designed: Program, owner_key: str
) -> None:
    body = client.get(design_url(designed), headers=auth(owner_key)).json()
    assert body["program"]["id"] == designed.pk and body["updated_at"]
    steps = {s["key"]: s for s in body["steps"]}
    assert [s["key"] for s in body["steps"]] == [s.key for s in STEPS]
    assert [s["number"] for s in body["steps"]] == list(range(1, 15))
    framework = steps["framework"]
    assert framework["design"]["framework"] == "tiers"
    gold = next(t for t in framework["collections"]["tiers"] if t["name"] == "Gold")
    assert gold["discount_pct"] == "35.00" and gold["lead_priority_weight"] == "2.50"
    assert {"tier": "Gold", "metric": "revenue_won_12m", "threshold": "250000.00"} in framework["collections"][
        "tier_requirements"
    ]
    capability = steps["capabilities"]["collections"]["capabilities"][0]
    assert capability["owner"].endswith("@acme.example.com")
    assert len(capability["due_date"]) == 10 and capability["due_date"][4] == "-"  # ISO date
    relievers = steps["value_proposition"]["collections"]["canvas_pain_reliever"]
    pains = {p["text"] for p in steps["value_proposition"]["collections"]["canvas_pain"]}
    assert relievers and all(set(r["addresses"]) <= pains and r["addresses"] for r in relievers)
    kpi = steps["kpis"]["collections"]["kpis"][0]
    assert kpi["success_factor"] and isinstance(kpi["target"], str)
    team = steps["organization"]["collections"]["channel_team"]
    assert {"role": "channel_chief", "member": "channel_manager@acme.example.com"} in team
    assert steps["selection"]["design"]["target_regions"][0] == "DE-BY"
    assert len(steps["selection"]["design"]["recruitment_deadline"]) == 10


def test_one_step(client: Client, designed: Program, owner_key: str) -> None:
    body = client.get(design_url(designed, "sales_process"), headers=auth(owner_key)).json()
    assert body["key"] == "sales_process" and body["number"] == 2 and body["design"] == {}
    stages = body["collections"]["stages"]
    assert [s["position"] for s in stages] == [1, 2, 3, 4, 5, 6]
    assert set(stages[0]) == set(COLLECTIONS["stages"].fields)


def test_blank_program_reads_as_empty_design(world: World, client: Client, owner_key: str) -> None:
    body = client.get(design_url(world.a.program), headers=auth(owner_key)).json()
    assert body["updated_at"] is None
    selection = next(s for s in body["steps"] if s["key"] == "selection")
    assert selection["design"] == {
        "ideal_partner_profile": "",
        "target_regions": [],
        "recruitment_target": None,
        "recruitment_deadline": None,
    }
    assert selection["collections"] == {"criteria": []}


def test_design_read_does_not_query_per_row(world: World, client: Client, owner_key: str) -> None:
    headers = auth(owner_key)
    program = world.a.program
    ws = workspace_for(world.a.owner, world.a.vendor)
    load_example(workspace=ws, program=program, example="saas")
    client.get("/api/v1/me", headers=headers)  # first use stamps last_used_at
    small = queries_for(lambda: client.get(design_url(program), headers=headers))
    load_example(workspace=ws, program=program, example="hardware")
    more = [
        {"area": "program", "title": f"Item {n}", "owner": world.a.finance.email, "due_date": None, "status": "todo"}
        for n in range(15)
    ]
    items_replace(workspace=ws, program=program, collection=COLLECTIONS["capabilities"], rows=more)
    assert queries_for(lambda: client.get(design_url(program), headers=headers)) == small


# --- Writing a step ------------------------------------------------------------------


def test_put_round_trip_keeps_ids(client: Client, designed: Program, owner_key: str) -> None:
    before = client.get(design_url(designed, "framework"), headers=auth(owner_key)).json()
    tier_ids = set(selectors.tiers(designed).values_list("pk", flat=True))
    body = {"design": before["design"], "collections": before["collections"]}
    response = put(client, design_url(designed, "framework"), body, owner_key)
    assert response.status_code == 200
    assert response.json() == before
    assert set(selectors.tiers(designed).values_list("pk", flat=True)) == tier_ids

    body["collections"]["tier_requirements"][0]["threshold"] = "2"
    body["design"] = {"ideal_partner": "Integrators with field technicians."}
    after = put(client, design_url(designed, "framework"), body, owner_key).json()
    assert after["collections"]["tier_requirements"][0]["threshold"] == "2.00"
    assert after["design"]["ideal_partner"] == "Integrators with field technicians."
    assert after["design"]["framework"] == "tiers"  # fields left out stay as they are


def test_put_creates_pipeline_stages(world: World, client: Client, owner_key: str) -> None:
    program = world.a.program
    stages = [
        {"position": 1, "name": "Discover", "win_probability": 10},
        {"position": 2, "name": "Trial", "customer_goal": "See it work", "led_by": "both", "win_probability": 40},
    ]
    response = put(client, design_url(program, "sales_process"), {"collections": {"stages": stages}}, owner_key)
    assert response.status_code == 200
    assert [s.name for s in selectors.pipeline_stages(program)] == ["Discover", "Trial"]
    assert response.json()["collections"]["stages"][1]["led_by"] == "both"


def test_bad_row_writes_nothing(world: World, client: Client, designed: Program, owner_key: str) -> None:
    def counts() -> tuple[int, int, str]:
        return (
            Tier.objects.for_vendor(world.a.vendor).count(),
            TierRequirement.objects.for_vendor(world.a.vendor).count(),
            selectors.get_design(designed).ideal_partner,
        )

    before = counts()
    body = {
        "design": {"ideal_partner": "Changed"},
        "collections": {
            "tiers": [{"rank": 1, "name": "Only"}, {"rank": 2, "name": "Broken", "discount_pct": "150"}],
            "tier_requirements": [],
        },
    }
    response = put(client, design_url(designed, "framework"), body, owner_key)
    assert response.status_code == 422
    assert "tiers" in response.json()["detail"]["collections"]
    assert "discount" in json.dumps(response.json()["detail"]) or "100" in json.dumps(response.json()["detail"])
    assert counts() == before


def test_unknown_metric_is_refused_with_its_name(world: World, client: Client, owner_key: str) -> None:
    program = world.a.program
    body = {
        "design": {"framework": "tiers"},
        "collections": {
            "tiers": [{"rank": 1, "name": "Gold"}],
            "tier_requirements": [{"tier": "Gold", "metric": "vibes_per_hour", "threshold": "3"}],
        },
    }
    response = put(client, design_url(program, "framework"), body, owner_key)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "Unknown metric “vibes_per_hour”" in json.dumps(detail, ensure_ascii=False)
    assert "tier_requirements" in detail["collections"]
    assert not Tier.objects.for_vendor(world.a.vendor).exists()
    assert not Design.objects.for_vendor(world.a.vendor).filter(framework="tiers").exists()


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"design": {"customer_segment": "x"}}, "design"),  # a field of another step
        ({"design": {"no_such_field": 1}}, "design"),
        ({"collections": {"competitors": []}}, "collections"),  # a list of another step
        ({"collections": {"stages": [{"name": "A", "colour": "red"}]}}, "collections"),
    ],
)
def test_unknown_fields_and_lists_are_422(
    world: World, client: Client, owner_key: str, body: dict[str, Any], where: str
) -> None:
    response = put(client, design_url(world.a.program, "sales_process"), body, owner_key)
    assert response.status_code == 422
    assert where in response.json()["detail"]
    assert not PipelineStage.objects.for_vendor(world.a.vendor).exists()


def test_malformed_body_is_422(world: World, client: Client, owner_key: str) -> None:
    url = design_url(world.a.program, "sales_process")
    assert put(client, url, {"collection": {}}, owner_key).status_code == 422
    assert put(client, url, {"collections": {"stages": "all"}}, owner_key).status_code == 422


def test_unknown_step_is_404(world: World, client: Client, owner_key: str) -> None:
    url = design_url(world.a.program, "nope")
    assert client.get(url, headers=auth(owner_key)).status_code == 404
    assert put(client, url, {"design": {}}, owner_key).status_code == 404


# --- Who may read and write ------------------------------------------------------------


def test_finance_reads_but_cannot_write(world: World, client: Client) -> None:
    key = api_key(world.a.finance, world.a.vendor)
    url = design_url(world.a.program, "sales_process")
    assert client.get(url, headers=auth(key)).status_code == 200
    response = put(client, url, {"collections": {"stages": [{"name": "Discover"}]}}, key)
    assert response.status_code == 403
    assert not PipelineStage.objects.for_vendor(world.a.vendor).exists()


def test_partner_never_sees_the_design(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    key = api_key(partner.admin, world.a.vendor, "partner")
    program = world.a.program
    assert client.get(f"/api/v1/programs/{program.pk}", headers=auth(key)).status_code == 200
    assert client.get(design_url(program), headers=auth(key)).status_code == 404
    assert client.get(design_url(program, "sales_process"), headers=auth(key)).status_code == 404
    response = put(client, design_url(program, "sales_process"), {"collections": {"stages": []}}, key)
    assert response.status_code == 404


def test_other_vendors_program_is_404(world: World, client: Client) -> None:
    key = api_key(world.b.owner, world.b.vendor)
    program = world.a.program
    assert client.get(f"/api/v1/programs/{program.pk}", headers=auth(key)).status_code == 404
    assert client.get(design_url(program), headers=auth(key)).status_code == 404
    response = put(client, design_url(program, "sales_process"), {"collections": {"stages": []}}, key)
    assert response.status_code == 404


# --- What is valid ------------------------------------------------------------------------


def test_metrics_and_steps_are_listed(client: Client, owner_key: str) -> None:
    body = client.get("/api/v1/metrics", headers=auth(owner_key)).json()
    revenue = next(m for m in body["items"] if m["key"] == "revenue_won_12m")
    assert revenue["unit"] == "money" and revenue["label"]
    steps = client.get("/api/v1/design-steps", headers=auth(owner_key)).json()
    assert steps["count"] == 14
    framework = next(s for s in steps["items"] if s["key"] == "framework")
    requirements = next(c for c in framework["collections"] if c["key"] == "tier_requirements")
    assert requirements["natural_key"] == ["tier", "metric"]


# --- Readiness, publishing, the handbook ------------------------------------------------


def test_readiness_of_a_blank_and_a_designed_program(world: World, client: Client, owner_key: str) -> None:
    url = f"/api/v1/programs/{world.a.program.pk}/readiness"
    blank = client.get(url, headers=auth(owner_key)).json()
    assert blank["total_steps"] == 14 and blank["complete_steps"] < 14 and not blank["publishable"]
    sales = next(s for s in blank["steps"] if s["key"] == "sales_process")
    assert sales["required"] and not sales["complete"] and sales["reason"]
    load_example(workspace=workspace_for(world.a.owner, world.a.vendor), program=world.a.program, example="saas")
    body = client.get(url, headers=auth(owner_key)).json()
    assert body["complete_steps"] == 14 and body["publishable"]
    assert {c["kind"] for c in body["checks"]} == {"success_factor", "failure_point"}
    assert all(c["status"] in {"ok", "unknown"} for c in body["checks"])


def test_publish_freezes_a_version(world: World, client: Client, owner_key: str) -> None:
    program = world.a.program
    url = f"/api/v1/programs/{program.pk}/publish"
    incomplete = client.post(
        url, {"change_note": "Too early"}, content_type="application/json", headers=auth(owner_key)
    )
    assert incomplete.status_code == 422 and "Step 2" in json.dumps(incomplete.json()["detail"])
    assert selectors.published_version(program) is None

    load_example(workspace=workspace_for(world.a.owner, world.a.vendor), program=program, example="saas")
    response = client.post(
        url, {"change_note": "First version"}, content_type="application/json", headers=auth(owner_key)
    )
    assert response.status_code == 201
    assert response.json()["number"] == 1 and response.json()["published_by"] == world.a.owner.email
    detail = client.get(f"/api/v1/programs/{program.pk}", headers=auth(owner_key)).json()
    assert detail["published_version"] == 1

    again = client.post(url, {"change_note": "Tweak"}, content_type="application/json", headers=auth(owner_key))
    assert again.status_code == 409 and "90" in again.json()["detail"]
    confirmed = client.post(
        url,
        {"change_note": "Tweak", "confirm_frequent": True},
        content_type="application/json",
        headers=auth(owner_key),
    )
    assert confirmed.status_code == 201 and confirmed.json()["number"] == 2


def test_publish_needs_the_role_and_a_note(world: World, client: Client) -> None:
    url = f"/api/v1/programs/{world.a.program.pk}/publish"
    finance = auth(api_key(world.a.finance, world.a.vendor))
    assert client.post(url, {"change_note": "x"}, content_type="application/json", headers=finance).status_code == 403
    owner = auth(api_key(world.a.owner, world.a.vendor))
    assert client.post(url, {"change_note": ""}, content_type="application/json", headers=owner).status_code == 422


def test_handbook_pdf(client: Client, designed: Program, owner_key: str) -> None:
    url = f"/api/v1/programs/{designed.pk}/handbook.pdf"
    response = client.get(f"{url}?lang=en", headers=auth(owner_key))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(response.content)).pages)
    assert "Pilot results reviewed" in text and "Vibration-analysis know-how at the partner" in text
    assert client.get(f"{url}?lang=xx", headers=auth(owner_key)).status_code == 422
    assert client.get(f"{url}?version=published", headers=auth(owner_key)).status_code == 404  # nothing published
