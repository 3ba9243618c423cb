"""The routing engine on its own: eligibility, scoring, ranking, explanation. No database."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from kanali.leads.routing import (
    FEATURES,
    FILTERS,
    CandidatePool,
    LeadToRoute,
    Mode,
    PartnerFeatures,
    RoutingSettings,
    Weights,
    haversine_km,
    haversine_km_many,
    partner_view,
    size_band,
    smoothed_rate,
)
from kanali.leads.routing.geo import unit_vectors

ATHENS = (37.9838, 23.7275)
PIRAEUS = (37.9420, 23.6465)
THESSALONIKI = (40.6401, 22.9444)
PATRAS = (38.2466, 21.7346)
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def partner(pid: int, **kwargs: object) -> PartnerFeatures:
    """A Greek VAR in Athens that passes every filter unless told otherwise."""
    fields: dict[str, object] = {
        "partnership_id": pid,
        "name": f"Partner {pid}",
        "countries": frozenset({"GR"}),
        "partner_type": "var",
        "certifications": frozenset({"cert-erp"}),
        "languages": frozenset({"el", "en"}),
        "capacity": 10,
        "open_leads": 0,
        "locations": (ATHENS,),
    }
    fields.update(kwargs)
    return PartnerFeatures(**fields)  # type: ignore[arg-type]


def lead(**kwargs: object) -> LeadToRoute:
    fields: dict[str, object] = {"country": "GR", "region": "GR-I", "lat": ATHENS[0], "lon": ATHENS[1]}
    fields.update(kwargs)
    return LeadToRoute(**fields)  # type: ignore[arg-type]


def excluded(decision_explanation: dict, name: str) -> int:
    return next(f["excluded"] for f in decision_explanation["excluded"] if f["filter"] == name)


def features_of(explanation: dict, pid: int) -> dict[str, dict]:
    candidate = next(c for c in explanation["top"] if c["partnership_id"] == pid)
    return {f["feature"]: f for f in candidate["features"]}


# -- eligibility -------------------------------------------------------------------------------------

RULES = [
    ("active", {"active": False}, {}),
    ("territory", {"countries": frozenset({"CY"})}, {}),
    ("partner_type", {"partner_type": "msp"}, {"partner_types": frozenset({"var", "si"})}),
    ("certification", {"certifications": frozenset()}, {"required_certification": "cert-erp"}),
    ("language", {"languages": frozenset({"de"})}, {"language": "el"}),
    ("capacity", {"capacity": 3, "open_leads": 3}, {}),
    ("paused", {"paused": True}, {}),
    ("declined_or_expired", {}, {"excluded": frozenset({2})}),
]


@pytest.mark.parametrize(("rule", "breaks", "lead_kwargs"), RULES, ids=[r[0] for r in RULES])
def test_each_eligibility_rule_excludes_and_is_counted(rule, breaks, lead_kwargs):
    # Partner 2 is the better candidate (nearer, higher tier) but breaks exactly one rule.
    pool = CandidatePool(
        [
            partner(1, locations=(PATRAS,)),
            partner(2, tier_weight=2.5, **breaks),
        ]
    )
    decision = pool.decide(lead(**lead_kwargs))
    assert decision.winner == 1
    assert decision.ranked == (1,)
    ex = decision.explanation
    assert ex["considered"] == 2
    assert ex["eligible"] == 1
    assert [f["filter"] for f in ex["excluded"]] == list(FILTERS)
    assert {f["filter"]: f["excluded"] for f in ex["excluded"]} == {name: int(name == rule) for name in FILTERS}


def test_a_partner_failing_several_rules_is_counted_once_under_the_first():
    pool = CandidatePool([partner(1), partner(2, active=False, countries=frozenset({"CY"}), paused=True)])
    ex = pool.decide(lead()).explanation
    assert excluded(ex, "active") == 1
    assert excluded(ex, "territory") == 0
    assert excluded(ex, "paused") == 0
    assert ex["considered"] == sum(f["excluded"] for f in ex["excluded"]) + ex["eligible"]


def test_territory_matches_country_or_region_or_everywhere():
    pool = CandidatePool(
        [
            partner(1, countries=frozenset({"gr"})),  # codes are compared upper-case
            partner(2, countries=frozenset(), regions=frozenset({"GR-I"})),
            partner(3, countries=frozenset(), regions=frozenset({"GR-B"})),
            partner(4, countries=frozenset({"*"})),
            partner(5, countries=frozenset(), regions=frozenset()),
        ]
    )
    assert set(pool.decide(lead()).ranked) == {1, 2, 4}
    # A lead without a region reaches country-wide partners only.
    assert set(pool.decide(lead(region="")).ranked) == {1, 4}
    assert set(pool.decide(lead(country="DE", region="DE-BE")).ranked) == {4}


def test_a_partner_without_declared_languages_is_not_excluded_by_language():
    pool = CandidatePool([partner(1, languages=frozenset()), partner(2, languages=frozenset({"EN"}))])
    assert pool.decide(lead(language="el")).ranked == (1,)
    assert set(pool.decide(lead(language="en")).ranked) == {1, 2}


def test_capacity_full_is_excluded_and_no_capacity_means_no_limit():
    pool = CandidatePool(
        [
            partner(1, capacity=5, open_leads=5),
            partner(2, capacity=5, open_leads=4),
            partner(3, capacity=None, open_leads=500),
            partner(4, capacity=0),
        ]
    )
    decision = pool.decide(lead())
    assert set(decision.ranked) == {2, 3}
    assert excluded(decision.explanation, "capacity") == 2


def test_declined_or_expired_partners_are_never_chosen():
    best = partner(1, tier_weight=3.0, deals_won=50, deals_closed=60)
    pool = CandidatePool([best, partner(2, locations=(THESSALONIKI,)), partner(3, locations=(PATRAS,))])
    assert pool.decide(lead()).winner == 1
    seen: set[int] = set()
    for _ in range(3):
        decision = pool.decide(lead(excluded=frozenset(seen)))
        assert not seen & set(decision.ranked)
        if decision.winner is None:
            break
        seen.add(decision.winner)
    assert seen == {1, 2, 3}
    assert pool.decide(lead(excluded=frozenset(seen))).winner is None


def test_nobody_eligible_gives_no_winner_and_an_empty_top():
    pool = CandidatePool([partner(1, countries=frozenset({"CY"}))])
    decision = pool.decide(lead())
    assert decision.winner is None
    assert decision.ranked == ()
    assert decision.explanation["eligible"] == 0
    assert decision.explanation["top"] == []
    json.dumps(decision.explanation, allow_nan=False)


# -- distance ------------------------------------------------------------------------------------------


def test_haversine_athens_thessaloniki_is_about_300_km():
    km = haversine_km(*ATHENS, *THESSALONIKI)
    assert 290 <= km <= 310
    x, y, z = unit_vectors(np.array([THESSALONIKI[0], ATHENS[0]]), np.array([THESSALONIKI[1], ATHENS[1]]))
    many = haversine_km_many(ATHENS[0], ATHENS[1], x, y, z)
    assert many[0] == pytest.approx(km, abs=1e-6)
    assert many[1] == pytest.approx(0.0, abs=1e-6)


def test_distance_is_from_the_nearest_location_and_explained_in_km():
    pool = CandidatePool(
        [
            partner(1, locations=(THESSALONIKI,)),
            partner(2, locations=(THESSALONIKI, PATRAS, PIRAEUS)),
            partner(3, locations=()),
        ]
    )
    decision = pool.decide(lead())
    assert decision.winner == 2
    ex = decision.explanation
    assert 290 <= features_of(ex, 1)["distance"]["raw"] <= 310
    assert features_of(ex, 2)["distance"]["raw"] == pytest.approx(haversine_km(*ATHENS, *PIRAEUS), abs=1e-3)
    # No location: distance unknown, scores nothing on distance.
    assert features_of(ex, 3)["distance"]["raw"] is None
    assert features_of(ex, 3)["distance"]["normalised"] == 0


def test_a_lead_without_coordinates_routes_on_country_and_region():
    pool = CandidatePool(
        [
            partner(1, countries=frozenset(), regions=frozenset({"GR-I"})),
            partner(2, countries=frozenset({"CY"})),
        ]
    )
    decision = pool.decide(lead(lat=None, lon=None))
    assert decision.winner == 1
    ex = decision.explanation
    assert ex["lead"]["has_coordinates"] is False
    assert features_of(ex, 1)["distance"] == {
        "feature": "distance",
        "raw": None,
        "normalised": 0.0,
        "contribution": 0.0,
    }


# -- scoring ------------------------------------------------------------------------------------------


def test_smoothing_gives_a_new_partner_a_non_zero_performance():
    settings = RoutingSettings()
    assert smoothed_rate(0, 0, settings.win_prior) == pytest.approx(0.25)
    assert smoothed_rate(0, 0, settings.acceptance_prior) == pytest.approx(0.75)
    pool = CandidatePool([partner(1)])
    perf = features_of(pool.decide(lead()).explanation, 1)["performance"]
    assert perf["raw"] == pytest.approx(0.5)
    assert perf["normalised"] > 0
    assert perf["detail"]["win_rate"] == pytest.approx(0.25)
    # Evidence moves it: one win in one deal is not a 100 % win rate.
    assert 0.25 < smoothed_rate(1, 1, settings.win_prior) < 0.5


def test_tier_weight_raises_a_partner_rank():
    pool = CandidatePool([partner(1), partner(2, tier_weight=2.5)])
    decision = pool.decide(lead())
    assert decision.ranked == (2, 1)
    assert features_of(decision.explanation, 2)["tier"]["normalised"] == 1.0
    assert features_of(decision.explanation, 1)["tier"]["normalised"] == pytest.approx(0.4)


def test_fairness_lowers_a_partner_that_received_many_recent_leads():
    pool = CandidatePool([partner(1, recent_leads=30), partner(2, recent_leads=2)])
    decision = pool.decide(lead())
    assert decision.ranked == (2, 1)
    ex = decision.explanation
    assert ex["fair_share"] == 16
    assert features_of(ex, 2)["fairness"]["normalised"] > 0.5 > features_of(ex, 1)["fairness"]["normalised"]


def test_specialization_and_deal_size_fit():
    small_deals = {"small": (30, 40), "large": (0, 10)}
    large_deals = {"small": (2, 40), "large": (8, 10)}
    pool = CandidatePool(
        [
            partner(1, deal_sizes=small_deals, industries=frozenset({"retail"})),
            partner(2, deal_sizes=large_deals, specializations=frozenset({"erp"})),
        ]
    )
    only_size = RoutingSettings(weights=Weights(0, 0, 0, 0, 0, 1, 0))
    assert pool.decide(lead(value=Decimal("4000")), only_size).winner == 1
    assert pool.decide(lead(value=Decimal("120000")), only_size).winner == 2
    assert size_band(None) is None and size_band(0) is None and size_band(10_000) == 1

    only_fit = RoutingSettings(weights=Weights(0, 0, 1, 0, 0, 0, 0))
    ex = pool.decide(lead(industry="retail", product="crm"), only_fit).explanation
    assert ex["winner"] == 1
    assert features_of(ex, 1)["specialization"]["raw"] == 0.5
    assert features_of(ex, 1)["specialization"]["detail"] == {"industry": True, "product": False}
    assert pool.decide(lead(industry="shipping", product="erp"), only_fit).winner == 2


def test_contributions_sum_to_the_score():
    rng = random.Random(3)
    pool = CandidatePool(
        [
            partner(
                i,
                locations=(rng.choice((ATHENS, PATRAS, THESSALONIKI)),),
                tier_weight=rng.choice((1.0, 1.5, 2.5)),
                deals_won=rng.randint(0, 5),
                deals_closed=rng.randint(5, 10),
                median_hours_to_accept=rng.choice((None, 3.0, 30.0)),
                recent_leads=rng.randint(0, 9),
            )
            for i in range(1, 20)
        ]
    )
    decision = pool.decide(lead(value=25_000, industry="retail"))
    for candidate in decision.explanation["top"]:
        total = sum(f["contribution"] for f in candidate["features"])
        assert total == pytest.approx(candidate["score"], abs=1e-3)
        assert [f["feature"] for f in candidate["features"]] == list(FEATURES)
    assert list(decision.scores) == sorted(decision.scores, reverse=True)
    assert [c["partnership_id"] for c in decision.explanation["top"]] == list(decision.ranked[:5])


def test_a_tie_goes_to_the_least_recently_offered_partner():
    pool = CandidatePool(
        [
            partner(1, last_offered_at=NOW - timedelta(hours=1)),
            partner(2, last_offered_at=NOW - timedelta(days=3)),
            partner(3, last_offered_at=NOW - timedelta(days=1)),
        ]
    )
    decision = pool.decide(lead())
    assert len(set(decision.scores)) == 1
    assert decision.ranked == (2, 3, 1)
    # Never offered beats any date; then the lowest id.
    pool.refresh(partner(3, last_offered_at=None))
    pool.refresh(partner(4, last_offered_at=None))
    assert pool.decide(lead()).ranked == (3, 4, 2, 1)


# -- modes, settings, refresh -----------------------------------------------------------------------------


def test_suggest_mode_ranks_but_picks_nobody():
    pool = CandidatePool([partner(1), partner(2, tier_weight=2)])
    decision = pool.decide(lead(), RoutingSettings(mode=Mode.SUGGEST, top_n=1))
    assert decision.winner is None
    assert decision.ranked == (2, 1)
    assert len(decision.explanation["top"]) == 1
    assert decision.explanation["mode"] == "suggest"


def test_settings_round_trip_and_validation():
    settings = RoutingSettings(weights=Weights(distance=2, fairness=0), mode="sequential", top_n=3)  # type: ignore[arg-type]
    assert settings.mode is Mode.SEQUENTIAL
    assert RoutingSettings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings
    with pytest.raises(ValueError, match="weight"):
        Weights(0, 0, 0, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="max_distance_km"):
        RoutingSettings(max_distance_km=0)
    with pytest.raises(ValueError, match="timezone"):
        partner(1, last_offered_at=datetime(2025, 1, 1))  # noqa: DTZ001


def test_refresh_replaces_one_partner_row():
    pool = CandidatePool([partner(1, tier_weight=2), partner(2), partner(3, countries=frozenset({"CY"}))])
    assert pool.decide(lead()).winner == 1

    pool.refresh(replace(pool.get(1), paused=True))
    decision = pool.decide(lead())
    assert decision.ranked == (2,)
    assert excluded(decision.explanation, "paused") == 1

    # Moving a partner's territory clears its old bits and sets the new ones.
    pool.refresh(replace(pool.get(2), countries=frozenset({"CY"})))
    pool.refresh(replace(pool.get(3), countries=frozenset({"GR"}), locations=(THESSALONIKI,)))
    assert pool.decide(lead()).ranked == (3,)
    assert pool.decide(lead(country="CY", region="")).ranked == (2,)
    assert 290 <= features_of(pool.decide(lead()).explanation, 3)["distance"]["raw"] <= 310

    # A new partnership is added.
    pool.refresh(partner(9, tier_weight=5))
    assert len(pool) == 4 and 9 in pool
    assert pool.decide(lead()).winner == 9


def test_duplicate_partnerships_are_refused():
    with pytest.raises(ValueError, match="twice"):
        CandidatePool([partner(1), partner(1)])


# -- explanation ------------------------------------------------------------------------------------------


def test_explanation_is_json_serialisable():
    pool = CandidatePool(
        [
            partner(1, last_offered_at=NOW, median_hours_to_accept=5.5, deal_sizes={"medium": (3, 5)}),
            partner(2, locations=()),
        ]
    )
    for lead_ in (lead(value=Decimal("20000.00"), industry="retail", product="erp"), lead(lat=None, lon=None)):
        ex = pool.decide(lead_).explanation
        text = json.dumps(ex, allow_nan=False)
        assert json.loads(text) == ex
    assert ex["top"][0]["last_offered_at"] == NOW.isoformat()
    assert set(ex["units"]) == set(FEATURES)


def test_partner_view_shows_only_the_partner_itself():
    pool = CandidatePool(
        [
            partner(101, name="Alpha Systems", tier_weight=2),
            partner(202, name="Beta Networks"),
            partner(303, name="Gamma IT", locations=(PATRAS,)),
        ]
    )
    ex = pool.decide(lead(industry="retail")).explanation
    assert ex["winner"] == 101

    view = partner_view(ex, 101)
    assert view["offered"] is True
    assert view["partnership_id"] == 101
    assert {r["feature"] for r in view["reasons"]} == set(FEATURES)
    assert view["reasons"][0]["unit"]
    text = json.dumps(view)
    for other in ("202", "303", "Beta", "Gamma", "Alpha"):
        assert other not in text
    assert set(view) == {"partnership_id", "offered", "reasons"}
    for reason in view["reasons"]:
        assert set(reason) <= {"feature", "raw", "unit", "normalised", "detail"}
    for leaked in ("eligible", "considered", "fair_share", "rank", "score", "contribution"):
        assert leaked not in text

    # A partner that was not offered the lead sees nothing of the decision.
    assert partner_view(ex, 202) == {"partnership_id": 202, "offered": False, "reasons": []}
    # One the vendor picked from suggestions sees its own reasons.
    assert partner_view(ex, 303, offered=True)["reasons"]
    assert "Alpha" not in json.dumps(partner_view(ex, 303, offered=True))


def test_decisions_are_deterministic():
    rng = random.Random(11)
    cities = (ATHENS, PIRAEUS, PATRAS, THESSALONIKI)
    records = [
        partner(
            i,
            locations=(rng.choice(cities),),
            tier_weight=rng.choice((1.0, 2.0)),
            recent_leads=rng.randint(0, 3),
            last_offered_at=rng.choice((None, NOW, NOW - timedelta(days=1))),
        )
        for i in range(1, 60)
    ]
    leads = [lead(lat=c[0], lon=c[1], value=rng.choice((None, 5_000, 80_000))) for c in cities]
    first = CandidatePool(records)
    second = CandidatePool(list(reversed(records)))  # record order does not matter either
    for lead_ in leads:
        a, b, c = first.decide(lead_), first.decide(lead_), second.decide(lead_)
        assert a.ranked == b.ranked == c.ranked
        assert a.scores == b.scores == c.scores
        assert a.explanation == b.explanation == c.explanation


def test_a_large_pool_ranks_everyone_in_order():
    # Above a few hundred eligible partners the top is found by partial sort and the rest sorted on demand.
    rng = random.Random(5)
    records = [
        partner(
            i,
            locations=((ATHENS[0] + rng.uniform(-2, 2), ATHENS[1] + rng.uniform(-2, 2)),),
            tier_weight=rng.choice((1.0, 1.5, 2.5)),
            recent_leads=rng.randint(0, 9),
            last_offered_at=rng.choice((None, NOW)),
        )
        for i in range(1, 1001)
    ]
    decision = CandidatePool(records).decide(lead(value=30_000))
    assert len(decision.ranked) == 1000
    assert decision.winner == decision.ranked[0]
    assert [c["partnership_id"] for c in decision.explanation["top"]] == list(decision.ranked[:5])
    assert list(decision.scores) == sorted(decision.scores, reverse=True)
    assert [c["score"] for c in decision.explanation["top"]] == [round(x, 6) for x in decision.scores[:5]]


# -- cached groups and a brute-force cross-check -------------------------------------------------------


def _random_pool(rng: random.Random, n: int) -> list[PartnerFeatures]:
    places = (
        ("GR", "GR-I", ATHENS),
        ("GR", "GR-B", THESSALONIKI),
        ("GR", "GR-G", PATRAS),
        ("CY", "CY-01", (35.2, 33.4)),
    )
    records = []
    for pid in range(1, n + 1):
        country, region, (lat, lon) = rng.choice(places)
        locations = tuple(
            (lat + rng.uniform(-0.5, 0.5), lon + rng.uniform(-0.5, 0.5)) for _ in range(rng.choice((0, 1, 1, 1, 2, 3)))
        )
        capacity = rng.choice((None, 3, 10))
        records.append(
            partner(
                pid,
                active=rng.random() < 0.9,
                countries=frozenset({country})
                if rng.random() < 0.6
                else frozenset({"*"} if rng.random() < 0.1 else ()),
                regions=frozenset({region}) if rng.random() < 0.5 else frozenset(),
                partner_type=rng.choice(("var", "msp", "si")),
                certifications=frozenset(c for c in ("cert-erp", "cert-crm") if rng.random() < 0.5),
                languages=frozenset(lang for lang in ("el", "en") if rng.random() < 0.6),
                capacity=capacity,
                open_leads=rng.randint(0, 12) if capacity is None else rng.randint(0, capacity),
                paused=rng.random() < 0.05,
                locations=locations,
                tier_weight=rng.choice((1.0, 1.5, 2.5)),
                industries=frozenset(rng.sample(("retail", "finance", "energy"), k=rng.randint(0, 2))),
                specializations=frozenset(rng.sample(("erp", "crm"), k=rng.randint(0, 1))),
                deals_won=(won := rng.randint(0, 10)),
                deals_closed=won + rng.randint(0, 10),
                leads_accepted=(accepted := rng.randint(0, 10)),
                leads_offered=accepted + rng.randint(0, 5),
                median_hours_to_accept=rng.choice((None, 2.0, 30.0, 70.0)),
                deal_sizes={"small": (1, 3)} if rng.random() < 0.5 else {},
                recent_leads=rng.randint(0, 6),
                last_offered_at=rng.choice((None, NOW, NOW - timedelta(days=rng.randint(1, 9)))),
            )
        )
    return records


def _random_lead(rng: random.Random, ids: list[int]) -> LeadToRoute:
    country, region, (lat, lon) = rng.choice(
        (("GR", "GR-I", ATHENS), ("GR", "GR-B", THESSALONIKI), ("GR", "", PATRAS), ("CY", "CY-01", (35.2, 33.4)))
    )
    return lead(
        country=country,
        region=region,
        lat=None if rng.random() < 0.1 else lat + rng.uniform(-0.3, 0.3),
        lon=lon + rng.uniform(-0.3, 0.3),
        industry=rng.choice(("", "retail", "finance")),
        product=rng.choice(("", "erp", "crm")),
        value=rng.choice((None, 5_000, 80_000)),
        language=rng.choice(("", "el", "en", "EL")),
        partner_types=rng.choice((None, None, frozenset({"var"}), frozenset({"var", "msp", "si"}))),
        required_certification=rng.choice((None, None, "cert-erp")),
        excluded=frozenset(rng.sample(ids, k=rng.randint(0, 4))),
    )


def _brute_force(records: list[PartnerFeatures], lead_: LeadToRoute, settings: RoutingSettings):
    """Eligibility and ranking one partner at a time, in plain Python, from the documented rules."""
    top_tier = max(r.tier_weight for r in records)
    counts = dict.fromkeys(FILTERS, 0)
    eligible = []
    for r in records:
        checks = (
            ("active", r.active),
            (
                "territory",
                lead_.country.upper() in {c.upper() for c in r.countries}
                or (bool(lead_.region) and lead_.region.upper() in {x.upper() for x in r.regions})
                or "*" in r.countries,
            ),
            ("partner_type", lead_.partner_types is None or r.partner_type in lead_.partner_types),
            ("certification", lead_.required_certification in (None, *r.certifications)),
            ("language", not lead_.language or not r.languages or lead_.language.lower() in r.languages),
            ("capacity", r.capacity is None or r.open_leads < r.capacity),
            ("paused", not r.paused),
            ("declined_or_expired", r.partnership_id not in lead_.excluded),
        )
        failed = next((name for name, ok in checks if not ok), None)
        if failed:
            counts[failed] += 1
        else:
            eligible.append(r)
    if not eligible:
        return counts, []
    w = settings.weights.normalised()
    band = size_band(lead_.value)
    fair = sum(r.recent_leads for r in eligible) / len(eligible)
    parts = [v for v in (lead_.industry, lead_.product) if v]
    scored = []
    for r in eligible:
        km = (
            min(haversine_km(lead_.lat, lead_.lon, la, lo) for la, lo in r.locations)
            if r.locations and lead_.has_coordinates
            else None
        )
        hours = settings.unknown_response_hours if r.median_hours_to_accept is None else r.median_hours_to_accept
        features = (
            0.0 if km is None else max(0.0, 1 - km / settings.max_distance_km),
            r.tier_weight / top_tier,
            sum((lead_.industry in r.industries) if p == lead_.industry else (p in r.specializations) for p in parts)
            / len(parts)
            if parts
            else 0.0,
            (
                smoothed_rate(r.deals_won, r.deals_closed, settings.win_prior)
                + smoothed_rate(r.leads_accepted, r.leads_offered, settings.acceptance_prior)
            )
            / 2,
            1 - min(max(hours, 0.0), settings.response_horizon_hours) / settings.response_horizon_hours,
            smoothed_rate(
                *r.deal_sizes.get(("small", "medium", "large", "enterprise")[band], (0, 0)), settings.win_prior
            )
            if band is not None
            else 0.0,
            fair / (fair + r.recent_leads) if fair else 1.0,
        )
        score = sum(wi * fi for wi, fi in zip(w, features, strict=True))
        last = r.last_offered_at.timestamp() if r.last_offered_at else float("-inf")
        scored.append((-round(score, 7), last, r.partnership_id, score))
    scored.sort()
    return counts, scored


def test_the_engine_agrees_with_a_brute_force_ranking_on_random_pools():
    rng = random.Random(11)
    records = _random_pool(rng, 300)
    pool = CandidatePool(records)
    settings = RoutingSettings(top_n=7)
    ids = [r.partnership_id for r in records]
    for _ in range(300):
        lead_ = _random_lead(rng, ids)
        decision = pool.decide(lead_, settings)
        counts, scored = _brute_force(records, lead_, settings)
        assert {f["filter"]: f["excluded"] for f in decision.explanation["excluded"]} == counts
        assert decision.explanation["eligible"] == len(scored)
        assert sorted(decision.ranked) == sorted(s[2] for s in scored)
        # The same scores, best first (ties within float noise may order either way, so compare the scores).
        assert decision.scores == pytest.approx(sorted((s[3] for s in scored), reverse=True), abs=1e-9)
        if scored:
            assert decision.winner is not None
            best = next(s for s in scored if s[2] == decision.winner)
            assert best[3] == pytest.approx(scored[0][3], abs=1e-9)
        else:
            assert decision.winner is None


def test_cached_groups_follow_refreshes():
    rng = random.Random(3)
    records = _random_pool(rng, 120)
    pool = CandidatePool(records)
    ids = [r.partnership_id for r in records]
    leads = [_random_lead(rng, ids) for _ in range(40)]
    for step in range(30):
        record = records[(step * 7) % len(records)]
        changed = replace(
            record,
            paused=not record.paused,
            languages=frozenset({"en"}) if step % 2 else frozenset(),
            locations=record.locations[:1] if step % 3 else ((ATHENS[0] + step / 100, ATHENS[1]),),
            recent_leads=record.recent_leads + step,
            last_offered_at=NOW + timedelta(minutes=step),
            active=record.active if step % 5 else not record.active,
            countries=record.countries if step % 4 else frozenset({"CY"}),
            tier_weight=record.tier_weight if step % 6 else 4.0,
        )
        records[(step * 7) % len(records)] = changed
        pool.refresh(changed)
        fresh = CandidatePool(records)  # built from scratch: no cache
        for lead_ in leads[step % 4 :: 4]:
            assert pool.decide(lead_).explanation == fresh.decide(lead_).explanation


def test_a_lead_open_to_every_type_and_one_listing_every_type_are_decided_alike():
    # The first is decided on the pre-filtered group of its territory, the second on the territory itself.
    rng = random.Random(8)
    records = _random_pool(rng, 200)
    pool = CandidatePool(records)
    ids = [r.partnership_id for r in records]
    for _ in range(60):
        open_lead = replace(_random_lead(rng, ids), partner_types=None)
        listing = replace(open_lead, partner_types=frozenset({"var", "msp", "si"}))
        a, b = pool.decide(open_lead), pool.decide(listing)
        assert a.explanation == b.explanation
        assert a.ranked == b.ranked
