"""Each eligibility rule, end to end from the database: the partner is left out and the filter counts it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kanali.core.models import Partnership
from kanali.leads import pool, selectors, services
from kanali.leads.models import Lead
from tests.conftest import VendorActors, World, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory

pytestmark = pytest.mark.django_db


def route(a: VendorActors, **lead: Any) -> tuple[Lead, dict[str, Any]]:
    obj = LeadFactory(program=a.program, **lead)
    decision = services.route_lead(workspace=workspace_for(a.owner, a.vendor), lead=obj)
    obj.refresh_from_db()
    return obj, decision.explanation


def excluded(explanation: dict[str, Any], name: str) -> int:
    return next(f["excluded"] for f in explanation["excluded"] if f["filter"] == name)


def _inactive(a: VendorActors) -> dict[str, Any]:
    Partnership.objects.for_vendor(a.vendor).filter(pk=a.partners[0].partnership.pk).update(
        status=Partnership.Status.SUSPENDED, updated_at=timezone.now()
    )
    return {}


def _territory(a: VendorActors) -> dict[str, Any]:
    selectors.get_routing_profile(a.partners[0].partnership)
    services.routing_profile_update(
        workspace=workspace_for(a.owner, a.vendor), partnership=a.partners[0].partnership, data={"countries": ["CY"]}
    )
    return {}


def _partner_type(a: VendorActors) -> dict[str, Any]:
    Partnership.objects.for_vendor(a.vendor).filter(pk=a.partners[0].partnership.pk).update(
        partner_type="msp", updated_at=timezone.now()
    )
    services.lead_settings_update(
        workspace=workspace_for(a.owner, a.vendor), program=a.program, data={"partner_types": ["var", "si"]}
    )
    return {}


def _certification(a: VendorActors) -> dict[str, Any]:
    holder = a.partners[1].partnership.pk
    pool.REQUIRED_CERTIFICATION_SOURCES.append(lambda program: {"erp": "erp-cert"})
    pool.CERTIFICATION_SOURCES.append(lambda program, ids: {holder: ["erp-cert"]})
    return {"product": "erp"}


def _language(a: VendorActors) -> dict[str, Any]:
    services.routing_profile_update(
        workspace=workspace_for(a.owner, a.vendor), partnership=a.partners[0].partnership, data={"languages": ["de"]}
    )
    services.routing_profile_update(
        workspace=workspace_for(a.owner, a.vendor), partnership=a.partners[1].partnership, data={"languages": ["el"]}
    )
    return {"language": "el"}


def _capacity(a: VendorActors) -> dict[str, Any]:
    services.routing_profile_update(
        workspace=workspace_for(a.owner, a.vendor), partnership=a.partners[0].partnership, data={"capacity": 1}
    )
    route(a)  # partner 1 takes this one and is full
    return {}


def _paused(a: VendorActors) -> dict[str, Any]:
    until = (timezone.localdate() + timedelta(days=7)).isoformat()
    services.routing_profile_update(
        workspace=workspace_for(a.partners[0].admin, a.vendor, "partner"),
        partnership=a.partners[0].partnership,
        data={"paused_until": until},
    )
    return {}


RULES: dict[str, Callable[[VendorActors], dict[str, Any]]] = {
    "active": _inactive,
    "territory": _territory,
    "partner_type": _partner_type,
    "certification": _certification,
    "language": _language,
    "capacity": _capacity,
    "paused": _paused,
}


@pytest.fixture
def ready(world: World) -> VendorActors:
    """Both of A's partners serve Greece; partner 1 from Athens (the nearer), partner 2 from Thessaloniki."""
    a = world.a
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    RoutingProfileFactory(
        partnership=a.partners[1].partnership,
        offices=[{"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}],
    )
    return a


@pytest.fixture(autouse=True)
def _clean_sources() -> Any:
    before = (list(pool.CERTIFICATION_SOURCES), list(pool.REQUIRED_CERTIFICATION_SOURCES))
    yield
    pool.CERTIFICATION_SOURCES[:] = before[0]
    pool.REQUIRED_CERTIFICATION_SOURCES[:] = before[1]


def test_without_rules_the_nearest_wins(ready: VendorActors) -> None:
    lead, explanation = route(ready)
    assert lead.partnership_id == ready.partners[0].partnership.pk
    assert explanation["eligible"] == 2 and all(f["excluded"] == 0 for f in explanation["excluded"])


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_leaves_the_partner_out(rule: str, ready: VendorActors) -> None:
    extra = RULES[rule](ready)
    lead, explanation = route(ready, **extra)
    assert lead.partnership_id == ready.partners[1].partnership.pk, explanation["excluded"]
    assert excluded(explanation, rule) == 1
    assert explanation["eligible"] == 1


def test_declined_or_expired_partners_are_never_offered_again(ready: VendorActors) -> None:
    lead, _explanation = route(ready)
    p1 = workspace_for(ready.partners[0].admin, ready.vendor, "partner")
    services.offer_decline(workspace=p1, lead=lead, reason="not_a_fit")
    # The vendor takes it back and routes it again: partner 1 stays out.
    services.lead_return(workspace=workspace_for(ready.owner, ready.vendor), lead=lead)
    decision = services.route_lead(workspace=workspace_for(ready.owner, ready.vendor), lead=lead)
    assert decision.winner_id == ready.partners[1].partnership.pk
    assert excluded(decision.explanation, "declined_or_expired") == 1


def test_a_lead_whose_place_is_unknown_still_routes_on_country(ready: VendorActors) -> None:
    lead, explanation = route(ready, city="", latitude=None, longitude=None)
    assert lead.status == Lead.Status.OFFERED
    assert explanation["lead"]["has_coordinates"] is False
    assert explanation["eligible"] == 2


def test_region_served_counts_as_territory(ready: VendorActors) -> None:
    ws = workspace_for(ready.owner, ready.vendor)
    services.routing_profile_update(
        workspace=ws, partnership=ready.partners[0].partnership, data={"countries": [], "regions": ["GR-I"]}
    )
    services.routing_profile_update(
        workspace=ws, partnership=ready.partners[1].partnership, data={"countries": [], "regions": ["GR-B"]}
    )
    lead, explanation = route(ready, region="GR-I")
    assert lead.partnership_id == ready.partners[0].partnership.pk
    assert excluded(explanation, "territory") == 1
