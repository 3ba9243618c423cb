"""The routing simulator: Gini of known distributions, capacity filling, unassigned share, distance and win
rate, draft vs current side by side — and that replaying writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kanali.leads import services
from kanali.leads import simulator as sim
from kanali.leads.models import Lead, LeadEvent, LeadSettings, Offer, RoutingDecision
from kanali.leads.routing import LeadToRoute, Mode, PartnerFeatures, RoutingSettings, Weights
from tests.conftest import World, queries_for, workspace_for
from tests.factories import LeadFactory, PartnershipFactory, RoutingProfileFactory

ATHENS = (37.9838, 23.7275)
THESSALONIKI = (40.6401, 22.9444)
DISTANCE_ONLY = Weights(distance=1, tier=0, specialization=0, performance=0, responsiveness=0, deal_size=0, fairness=0)
FAIRNESS_ONLY = Weights(distance=0, tier=0, specialization=0, performance=0, responsiveness=0, deal_size=0, fairness=1)


def partner(pid: int, **kwargs: Any) -> PartnerFeatures:
    fields: dict[str, Any] = {
        "partnership_id": pid,
        "name": f"P{pid}",
        "countries": frozenset({"GR"}),
        "locations": (ATHENS,),
    }
    fields.update(kwargs)
    return PartnerFeatures(**fields)


def athens_leads(n: int) -> list[LeadToRoute]:
    return [LeadToRoute(country="GR", lat=ATHENS[0], lon=ATHENS[1]) for _ in range(n)]


# --- Gini ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0.0),
        ([0, 0, 0], 0.0),
        ([5], 0.0),
        ([3, 3, 3, 3], 0.0),
        ([0, 0, 0, 1], 0.75),  # one of four gets everything: (n - 1) / n
        ([0, 1], 0.5),
        ([1, 2, 3], 2 / 9),  # Σ|xi - xj| / (2 n² mean) = 8 / (2 · 9 · 2)
        ([1, 3], 0.25),
    ],
)
def test_gini_of_known_distributions(values: list[float], expected: float) -> None:
    assert sim.gini(values) == pytest.approx(expected)


def test_gini_refuses_negative_values() -> None:
    with pytest.raises(ValueError):
        sim.gini([1, -1, 2])


# --- Simulation on the engine's own types -------------------------------------------------------------


def test_capacity_fills_and_the_rest_is_unassigned() -> None:
    records = [partner(1, capacity=2), partner(2, capacity=1, open_leads=0)]
    result = sim.simulate(records, athens_leads(5), RoutingSettings())
    assert result.assigned == 3 and result.unassigned == 2
    assert result.unassigned_share == 0.4
    assert result.count_for(1) == 2 and result.count_for(2) == 1
    assert result.winners[3:] == (None, None)


def test_even_split_has_gini_zero_and_one_winner_has_high_gini() -> None:
    near, far = partner(1), partner(2, locations=(THESSALONIKI,))
    leads = athens_leads(6)
    fair = sim.simulate([near, far], leads, RoutingSettings(weights=FAIRNESS_ONLY))
    assert (fair.count_for(1), fair.count_for(2)) == (3, 3)
    assert fair.gini == 0.0
    greedy = sim.simulate([near, far], leads, RoutingSettings(weights=DISTANCE_ONLY))
    assert (greedy.count_for(1), greedy.count_for(2)) == (6, 0)
    assert greedy.gini == 0.5
    assert greedy.average_distance_km == 0.0
    assert fair.average_distance_km == pytest.approx(302.9 / 2, abs=1)


def test_expected_win_rate_is_the_mean_of_winners_smoothed_rates() -> None:
    # Smoothed with the default prior (2, 6): (6 + 2) / (10 + 8) = 0.4444 and (0 + 2) / (0 + 8) = 0.25.
    strong = partner(1, deals_won=6, deals_closed=10)
    new = partner(2, locations=(THESSALONIKI,))
    only_strong = sim.simulate([strong, new], athens_leads(2), RoutingSettings(weights=DISTANCE_ONLY))
    assert only_strong.expected_win_rate == pytest.approx(0.4444, abs=1e-4)
    split = sim.simulate([strong, new], athens_leads(2), RoutingSettings(weights=FAIRNESS_ONLY))
    assert split.expected_win_rate == pytest.approx((0.4444 + 0.25) / 2, abs=1e-4)


def test_suggest_mode_is_replayed_as_picking_the_top() -> None:
    result = sim.simulate([partner(1)], athens_leads(2), RoutingSettings(mode=Mode.SUGGEST))
    assert result.assigned == 2


def test_compare_puts_both_runs_side_by_side_and_counts_changes() -> None:
    records = [partner(1), partner(2, locations=(THESSALONIKI,))]
    comparison = sim.compare(
        records, athens_leads(4), RoutingSettings(weights=DISTANCE_ONLY), RoutingSettings(weights=FAIRNESS_ONLY)
    )
    rows = {r.partnership_id: r for r in comparison.rows}
    assert (rows[1].current, rows[1].draft, rows[1].change) == (4, 2, -2)
    assert (rows[2].current, rows[2].draft, rows[2].change) == (0, 2, 2)
    assert comparison.changed == 2
    # The caller's records are not touched by the runs.
    assert records[0].open_leads == 0 and records[0].recent_leads == 0


def test_no_eligible_partner_means_all_unassigned() -> None:
    result = sim.simulate([partner(1, countries=frozenset({"CY"}))], athens_leads(3), RoutingSettings())
    assert result.unassigned_share == 1.0 and result.expected_win_rate is None
    assert result.average_distance_km is None and result.gini == 0.0


# --- From the database: reads only ------------------------------------------------------------------------


@pytest.fixture
def program_with_history(world: World) -> Any:
    a = world.a
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    RoutingProfileFactory(
        partnership=a.partners[1].partnership,
        offices=[{"city": "Thessaloniki", "country": "GR", "lat": THESSALONIKI[0], "lon": THESSALONIKI[1]}],
    )
    ws = workspace_for(a.owner, a.vendor)
    for _ in range(6):
        services.route_lead(workspace=ws, lead=LeadFactory(program=a.program))
    return a


ROWS = (Lead, LeadEvent, Offer, RoutingDecision, LeadSettings)


def counts(vendor: Any) -> dict[str, int]:
    return {model.__name__: model.objects.for_vendor(vendor).count() for model in ROWS}


def test_replay_writes_nothing_and_queries_do_not_grow_with_leads(program_with_history: Any) -> None:
    a = program_with_history
    before = counts(a.vendor)
    draft = LeadSettings(
        vendor=a.vendor,
        program=a.program,
        weights=dict(
            zip(
                ("distance", "tier", "specialization", "performance", "responsiveness", "deal_size", "fairness"),
                (0, 0, 0, 0, 0, 0, 1),
                strict=True,
            )
        ),
    )
    replay = sim.replay_program(a.program, draft, last_n=6)
    assert counts(a.vendor) == before  # not even the settings row
    c = replay.comparison
    assert c.current.leads == c.draft.leads == 6
    p1, p2 = (p.partnership.pk for p in a.partners)
    assert c.current.count_for(p1) == 6  # distance wins today
    assert c.draft.count_for(p1) == 3 and c.draft.count_for(p2) == 3  # fairness only: an even split
    assert c.draft.gini < c.current.gini
    few = queries_for(lambda: sim.replay_program(a.program, draft, last_n=2))
    many = queries_for(lambda: sim.replay_program(a.program, draft, last_n=6))
    assert few == many


def test_replay_of_an_uploaded_file(program_with_history: Any) -> None:
    a = program_with_history
    content = (
        b"company,country,city,estimated_value\nAlpha,GR,Athens,5000\nBeta,GR,Thessaloniki,20000\nBroken,Narnia,,\n"
    )
    rows, skipped = sim.file_leads(a.program, content, "leads.csv")
    assert len(rows) == 2 and [n for n, _msg in skipped] == [4]
    before = counts(a.vendor)
    replay = sim.replay_program(a.program, sim.stored_settings(a.program), rows=rows, skipped=skipped)
    assert counts(a.vendor) == before
    assert replay.source == "file" and replay.comparison.current.leads == 2


def test_simulator_page_runs_and_applies_the_draft(program_with_history: Any, client: Client) -> None:
    a = program_with_history
    url = reverse("leads:simulator", args=[a.vendor.slug, a.program.pk])
    client.force_login(a.owner)
    page = client.get(url)
    assert page.status_code == 200 and "Run the simulation" in page.content.decode()
    data = {
        "mode": "auto",
        "max_distance_km": 300,
        "acceptance_hours": 48,
        "max_attempts": 3,
        "fairness_window_days": 30,
        "last_n": 6,
        "weight_distance": 0,
        "weight_tier": 0,
        "weight_specialization": 0,
        "weight_performance": 0,
        "weight_responsiveness": 0,
        "weight_deal_size": 0,
        "weight_fairness": 1,
        "run": "1",
    }
    before = counts(a.vendor)
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200 and "simulation-results" in body and "Apply the draft" in body
    assert counts(a.vendor) == before
    bad = client.post(url, {**data, "weight_fairness": 0})
    assert bad.status_code == 400
    upload = client.post(url, {**data, "file": _file(b"not,a\nreal,file\n")})
    assert upload.status_code == 400 and 'id="file-errors"' in upload.content.decode()
    # Finance may run it but not apply it.
    client.force_login(a.finance)
    assert client.post(url, data).status_code == 200
    assert client.post(url, {**data, "apply": "1"}).status_code == 403
    client.force_login(a.owner)
    applied = client.post(url, {**data, "apply": "1"})
    assert applied.status_code == 302
    ls = LeadSettings.objects.for_vendor(a.vendor).get(program=a.program)
    assert ls.weights["fairness"] == 1 and ls.weights["distance"] == 0


def _file(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("leads.csv", content, content_type="text/csv")


def test_simulator_counts_partners_of_the_program_only(world: World) -> None:
    PartnershipFactory(program=world.b.program)
    replay = sim.replay_program(world.a.program, sim.stored_settings(world.a.program), last_n=5)
    ids = {r.partnership_id for r in replay.comparison.rows}
    assert ids <= {p.partnership.pk for p in world.a.partners}
