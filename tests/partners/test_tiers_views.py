"""Tier pages, the portal widget and the tier API: what each side sees, the simulator writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kanali.core.models import AuditLog, Partnership
from kanali.partners import services_tiers
from kanali.partners.models_tiers import TierAssignment, TierChange, TierSettings
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.factories import PartnerOrgFactory, PartnershipFactory
from tests.partners.routes_tiers import SCORE, FakeMetric, saved_registry, tier, tiered_program

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registry() -> Iterator[None]:
    yield from saved_registry()


@pytest.fixture
def score(world: World) -> FakeMetric:
    metric = FakeMetric()
    tiered_program(world.a)
    return metric


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def program_url(world: World, name: str = "partners:tiers_program") -> str:
    return reverse(name, args=[world.a.vendor.slug, world.a.program.pk])


def rows_snapshot(world: World) -> tuple[Any, ...]:
    v = world.a.vendor
    return (
        TierAssignment.objects.for_vendor(v).count(),
        TierChange.objects.for_vendor(v).count(),
        AuditLog.objects.filter(vendor=v).count(),
        sorted(Partnership.objects.for_vendor(v).values_list("tier", flat=True)),
    )


def simulator_post(rows: list[tuple[str, str, str]], extra: int = 0) -> dict[str, str]:
    data = {"req-TOTAL_FORMS": str(len(rows) + extra), "req-INITIAL_FORMS": "0"}
    for n, (tier_name, metric, threshold) in enumerate(rows):
        data.update({f"req-{n}-tier": tier_name, f"req-{n}-metric": metric, f"req-{n}-threshold": threshold})
    return data


# --- Vendor pages ---------------------------------------------------------------------


def test_tiers_page_lists_partners_with_their_tier(world: World, client: Client, score: FakeMetric) -> None:
    score.set(world.a.partners[0].partnership, 12)
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    client.force_login(world.a.channel_manager)
    response = client.get(program_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Partner 1" in body and "Silver" in body and "Run evaluation now" in body
    assert "Tier simulator" in body


def test_tiers_page_does_not_query_per_partner(world: World, client: Client, score: FakeMetric) -> None:
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    client.force_login(world.a.owner)
    url = program_url(world)
    client.get(url)
    few = queries_for(lambda: client.get(url))
    for n in range(8):
        PartnershipFactory(program=world.a.program, partner=PartnerOrgFactory(slug=f"extra-{n}"))
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    assert queries_for(lambda: client.get(url)) == few


def test_program_without_tiers_says_so(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.get(program_url(world))
    assert response.status_code == 200
    assert "runs without tiers" in response.content.decode()


def test_simulator_shows_moves_and_writes_nothing(world: World, client: Client, score: FakeMetric) -> None:
    p1, p2 = (x.partnership for x in world.a.partners)
    score.set(p1, 12)
    score.set(p2, 25)
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    before = rows_snapshot(world)
    client.force_login(world.a.owner)
    draft = simulator_post([("Silver", SCORE, "15"), ("Gold", SCORE, "24")], extra=1)
    response = client.post(program_url(world), draft)
    assert response.status_code == 200
    moves = {m.partnership.pk: m for m in response.context["moves"]}
    assert moves[p1.pk].direction == "down" and moves[p1.pk].simulated.name == "Bronze"
    assert moves[p2.pk].direction == "same"
    assert response.context["moves_down"] == 1 and response.context["moves_up"] == 0
    assert "1 partner would move down" in response.content.decode()
    assert rows_snapshot(world) == before


def test_simulator_row_errors_are_shown_beside_the_field(world: World, client: Client, score: FakeMetric) -> None:
    client.force_login(world.a.owner)
    data = simulator_post([("Silver", "", "15"), ("Gold", SCORE, "-3")])
    response = client.post(program_url(world), data)
    assert response.status_code == 200
    assert response.context["moves"] is None
    body = response.content.decode()
    assert 'id="req-0-metric-errors"' in body and 'id="req-1-threshold-errors"' in body


def test_run_evaluation_now(world: World, client: Client, score: FakeMetric) -> None:
    client.force_login(world.a.owner)
    response = client.post(program_url(world, "partners:tiers_evaluate"))
    assert response.status_code == 302
    assert TierAssignment.objects.for_vendor(world.a.vendor).count() == 2
    client.force_login(world.a.finance)
    assert client.post(program_url(world, "partners:tiers_evaluate")).status_code == 403


def test_grace_period_form(world: World, client: Client, score: FakeMetric) -> None:
    client.force_login(world.a.owner)
    bad = client.post(program_url(world, "partners:tiers_settings"), {"grace_days": "-1"})
    assert bad.status_code == 200 and 'id="grace_days-errors"' in bad.content.decode()
    assert not TierSettings.objects.for_vendor(world.a.vendor).exists()
    ok = client.post(program_url(world, "partners:tiers_settings"), {"grace_days": "30"})
    assert ok.status_code == 302
    assert TierSettings.objects.for_vendor(world.a.vendor).get().grace_days == 30
    client.force_login(world.a.finance)
    assert client.post(program_url(world, "partners:tiers_settings"), {"grace_days": "10"}).status_code == 403


def test_partner_tier_history_page(world: World, client: Client, score: FakeMetric) -> None:
    p1 = world.a.partners[0].partnership
    score.set(p1, 25)
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    client.force_login(world.a.owner)
    response = client.get(reverse("partners:tiers_history", args=[world.a.vendor.slug, p1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gold" in body and "Initial tier" in body


# --- Partner side ---------------------------------------------------------------------


def test_portal_widget_shows_tier_benefits_progress_and_notice(world: World, client: Client, score: FakeMetric) -> None:
    p1 = world.a.partners[0].partnership
    score.set(p1, 12)
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    ws = workspace_for(world.a.owner, world.a.vendor)
    services_tiers.tier_demotion_schedule(
        workspace=ws,
        partnership=p1,
        to_tier=tier(world.a.program, "Bronze"),
        due_at=timezone.now() + timedelta(days=30),
        reason="test",
    )
    client.force_login(world.a.partners[0].sales)
    body = client.get(reverse("core:portal_home", args=[world.a.vendor.slug])).content.decode()
    assert "Your tier in Acme Partners" in body
    assert "Silver perks" in body  # benefits
    assert "Progress toward Gold" in body and "12 of 20" in body
    assert 'aria-valuenow="60"' in body
    assert "moves down to Bronze" in body


def test_portal_widget_says_not_measured_yet(world: World, client: Client) -> None:
    tiered_program(world.a, metric="certified_people")
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    client.force_login(world.a.partners[0].admin)
    body = client.get(reverse("core:portal_home", args=[world.a.vendor.slug])).content.decode()
    assert "Progress toward Silver" in body and "not measured yet" in body


def test_no_tier_widget_for_programs_without_tiers(world: World, client: Client) -> None:
    client.force_login(world.a.partners[0].admin)
    body = client.get(reverse("core:portal_home", args=[world.a.vendor.slug])).content.decode()
    assert "Your tier in" not in body
    page = client.get(reverse("partners:portal_tiers", args=[world.a.vendor.slug]))
    assert page.status_code == 200 and "run without tiers" in page.content.decode()


def test_portal_tiers_page_shows_history(world: World, client: Client, score: FakeMetric) -> None:
    score.set(world.a.partners[0].partnership, 25)
    score.set(world.a.partners[1].partnership, 12)
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    client.force_login(world.a.partners[0].admin)
    response = client.get(reverse("partners:portal_tiers", args=[world.a.vendor.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gold" in body and "Initial tier" in body and "highest tier" in body
    # Only its own partnership.
    assert [s.partnership.pk for s, _changes in response.context["statuses"]] == [world.a.partners[0].partnership.pk]


# --- API ------------------------------------------------------------------------------


def test_api_tier_for_vendor_and_owning_partner(world: World, client: Client, score: FakeMetric) -> None:
    p1 = world.a.partners[0].partnership
    score.set(p1, 12)
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    url = f"/api/v1/partnerships/{p1.pk}/tier"
    for key in (api_key(world.a.owner, world.a.vendor), api_key(world.a.partners[0].sales, world.a.vendor, "partner")):
        body = client.get(url, headers=auth(key)).json()
        assert body["uses_tiers"] is True
        assert body["tier"]["name"] == "Silver" and body["next_tier"]["name"] == "Gold"
        assert body["benefits"]["discount_pct"] == "20.00"
        assert body["progress"] == [
            {
                "metric": SCORE,
                "label": "Test score",
                "unit": "count",
                "threshold": "20.00",
                "value": "12",
                "measured": True,
                "met": False,
                "percent": 60,
            }
        ]


def test_api_tier_of_a_program_without_tiers(world: World, client: Client) -> None:
    p1 = world.a.partners[0].partnership
    body = client.get(f"/api/v1/partnerships/{p1.pk}/tier", headers=auth(api_key(world.a.owner, world.a.vendor))).json()
    assert body == {
        "partnership_id": p1.pk,
        "program_id": world.a.program.pk,
        "uses_tiers": False,
        "tier": None,
        "since": None,
        "benefits": None,
        "pending_tier": None,
        "demotion_due_at": None,
        "evaluated_at": None,
        "next_tier": None,
        "progress": [],
    }


def test_api_tier_history_is_paginated_without_per_row_queries(world: World, client: Client, score: FakeMetric) -> None:
    p1 = world.a.partners[0].partnership
    headers = auth(api_key(world.a.owner, world.a.vendor))
    url = f"/api/v1/partnerships/{p1.pk}/tier-history"
    client.get("/api/v1/me", headers=headers)
    ws = workspace_for(world.a.owner, world.a.vendor)
    services_tiers.tier_assign(workspace=ws, partnership=p1, tier=tier(world.a.program, "Bronze"), reason="imported")
    few = queries_for(lambda: client.get(url, headers=headers))
    for name in ("Silver", "Gold", "Silver", "Gold", "Bronze"):
        services_tiers.tier_assign(
            workspace=ws, partnership=p1, tier=tier(world.a.program, name), reason="manual", kind="promotion"
        )
    assert queries_for(lambda: client.get(url, headers=headers)) == few
    body = client.get(url + "?limit=2", headers=headers).json()
    assert body["count"] == 6 and len(body["items"]) == 2
    assert set(body["items"][0]) == {"id", "kind", "from_tier", "to_tier", "reason", "effective_at", "created_at"}


def test_api_simulate(world: World, client: Client, score: FakeMetric) -> None:
    p1, p2 = (x.partnership for x in world.a.partners)
    score.set(p2, 25)
    services_tiers.evaluate_program(workspace=None, program=world.a.program)
    score.set(p1, 8)
    headers = auth(api_key(world.a.owner, world.a.vendor))
    before = rows_snapshot(world)
    url = f"/api/v1/programs/{world.a.program.pk}/tiers/simulate"
    draft = {
        "requirements": [
            {"tier": "Silver", "metric": SCORE, "threshold": "5"},
            {"tier": "Gold", "metric": SCORE, "threshold": "30"},
        ]
    }
    response = client.post(url, json.dumps(draft), content_type="application/json", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["up"] == 1 and body["down"] == 1  # p1 Bronze → Silver; p2 Gold → Silver
    moves = {m["partnership_id"]: m for m in body["moves"]}
    assert moves[p1.pk]["simulated_tier"] == "Silver" and moves[p1.pk]["metrics"] == {SCORE: "8"}
    assert rows_snapshot(world) == before


def test_api_simulate_refuses_bad_drafts(world: World, client: Client, score: FakeMetric) -> None:
    url = f"/api/v1/programs/{world.a.program.pk}/tiers/simulate"
    headers = auth(api_key(world.a.owner, world.a.vendor))

    def post(rows: list[dict[str, Any]]) -> Any:
        return client.post(url, json.dumps({"requirements": rows}), content_type="application/json", headers=headers)

    bad = post([{"tier": "Platinum", "metric": "nope", "threshold": "1"}])
    assert bad.status_code == 422
    assert set(bad.json()["detail"]) == {"requirements[0].tier", "requirements[0].metric"}
    assert post([{"tier": "Gold", "metric": SCORE, "threshold": "-1"}]).status_code == 422
    dup = [{"tier": "Gold", "metric": SCORE, "threshold": "1"}] * 2
    assert post(dup).status_code == 422


def test_api_simulate_and_evaluate_on_a_program_without_tiers_conflict(world: World, client: Client) -> None:
    headers = auth(api_key(world.a.owner, world.a.vendor))
    base = f"/api/v1/programs/{world.a.program.pk}/tiers"
    sim = client.post(f"{base}/simulate", '{"requirements": []}', content_type="application/json", headers=headers)
    assert sim.status_code == 409 and "without tiers" in sim.json()["detail"]
    assert client.post(f"{base}/evaluate", headers=headers).status_code == 409


def test_api_evaluate(world: World, client: Client, score: FakeMetric) -> None:
    score.set(world.a.partners[0].partnership, 30)
    url = f"/api/v1/programs/{world.a.program.pk}/tiers/evaluate"
    assert client.post(url, headers=auth(api_key(world.a.finance, world.a.vendor))).status_code == 403
    body = client.post(url, headers=auth(api_key(world.a.channel_manager, world.a.vendor))).json()
    assert body == {
        "evaluated": 2,
        "initial": 2,
        "promotion": 0,
        "demotion": 0,
        "demotion_scheduled": 0,
        "demotion_cancelled": 0,
    }
