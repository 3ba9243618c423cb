"""From the database to the engine: partner records, their history, tier weights, hooks, and the pool cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kanali.core.models import Partnership
from kanali.leads import pool, services
from kanali.leads.models import Offer
from kanali.leads.routing import CandidatePool
from kanali.partners.models_management import DirectoryProfile
from kanali.partners.models_tiers import TierAssignment
from tests.conftest import World, queries_for, workspace_for
from tests.factories import LeadFactory, PartnerOrgFactory, PartnershipFactory, RoutingProfileFactory
from tests.partners.routes_tiers import saved_registry, tier, tiered_program

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registry() -> Iterator[None]:
    yield from saved_registry()


def records(world: World) -> dict[int, pool.PartnerFeatures]:
    return {r.partnership_id: r for r in pool.partner_records(world.a.program)}


def test_records_from_profiles_and_defaults(world: World) -> None:
    a = world.a
    p1, p2 = a.partners
    RoutingProfileFactory(
        partnership=p1.partnership, languages=["EL"], capacity=3, industries=["retail"], specializations=["erp"]
    )
    DirectoryProfile.objects.create(organization=p2.org, city="Patras", regions=["GR-G"], industries=["health"])
    found = records(world)
    one, two = found[p1.partnership.pk], found[p2.partnership.pk]
    assert one.countries == frozenset({"GR"}) and one.languages == frozenset({"el"}) and one.capacity == 3
    assert one.locations == ((37.9838, 23.7275),) and one.industries == frozenset({"retail"})
    assert one.tier_weight == 1.0 and one.partner_type == "var" and one.active
    # No profile yet: the organization's country, the directory's regions, industries and city.
    assert two.countries == frozenset({"GR"}) and two.regions == frozenset({"GR-G"})
    assert two.industries == frozenset({"health"}) and round(two.locations[0][0]) == 38
    assert two.capacity is None


def test_history_counts_open_recent_and_response_time(world: World) -> None:
    a = world.a
    p1 = a.partners[0].partnership
    RoutingProfileFactory(partnership=p1)
    ws = workspace_for(a.owner, a.vendor)
    partner = workspace_for(a.partners[0].admin, a.vendor, "partner")
    leads = [LeadFactory(program=a.program) for _ in range(3)]
    services.route_leads(workspace=ws, leads=leads)
    services.offer_accept(workspace=partner, lead=leads[0], now=timezone.now() + timedelta(hours=2))
    services.offer_decline(workspace=partner, lead=leads[1], reason="not_a_fit")
    rec = records(world)[p1.pk]
    assert rec.leads_accepted == 1 and rec.leads_offered == 2  # answered: accepted + declined
    assert rec.open_leads == 2  # one accepted, one still offered
    assert rec.recent_leads == 3
    assert rec.median_hours_to_accept == pytest.approx(2, abs=0.01)
    assert rec.last_offered_at is not None
    # Offers outside the fairness window are not recent.
    Offer.objects.for_vendor(a.vendor).update(offered_at=timezone.now() - timedelta(days=40))
    assert records(world)[p1.pk].recent_leads == 0


def test_tier_weight_comes_from_the_assigned_tier(world: World) -> None:
    a = world.a
    tiered_program(a, metric="certified_people")
    gold = tier(a.program, "Gold")
    gold.lead_priority_weight = Decimal("2.50")
    gold.save()
    TierAssignment.objects.create(vendor=a.vendor, partnership=a.partners[0].partnership, tier=gold)
    found = records(world)
    assert found[a.partners[0].partnership.pk].tier_weight == 2.5
    assert found[a.partners[1].partnership.pk].tier_weight == 1.0


def test_registries_add_performance_and_certifications(world: World) -> None:
    a = world.a
    pid = a.partners[0].partnership.pk
    perf = lambda program, ids: {pid: pool.Performance(4, 10, {"small": (3, 5)})}  # noqa: E731
    certs = lambda program, ids: {pid: ["erp-cert"]}  # noqa: E731
    pool.PERFORMANCE_SOURCES.append(perf)
    pool.CERTIFICATION_SOURCES.append(certs)
    try:
        rec = records(world)[pid]
    finally:
        pool.PERFORMANCE_SOURCES.remove(perf)
        pool.CERTIFICATION_SOURCES.remove(certs)
    assert (rec.deals_won, rec.deals_closed, rec.deal_sizes["small"]) == (4, 10, (3, 5))
    assert rec.certifications == frozenset({"erp-cert"})


def test_records_take_a_fixed_number_of_queries(world: World) -> None:
    a = world.a
    tiered_program(a, metric="certified_people")
    count = queries_for(lambda: pool.partner_records(a.program))
    for n in range(6):
        org = PartnerOrgFactory()
        partnership = PartnershipFactory(program=a.program, partner=org)
        if n % 2:
            RoutingProfileFactory(partnership=partnership)
        else:
            DirectoryProfile.objects.create(organization=org, city="Larissa")
        TierAssignment.objects.create(vendor=a.vendor, partnership=partnership, tier=tier(a.program, "Silver"))
    assert queries_for(lambda: pool.partner_records(a.program)) == count


def test_pool_is_cached_until_the_candidates_change(world: World) -> None:
    a = world.a
    first = pool.get_pool(a.program)
    assert isinstance(first, CandidatePool) and len(first) == 2
    assert pool.get_pool(a.program) is first
    # A changed routing profile (any process) shows in the stamp.
    services.routing_profile_update(
        workspace=workspace_for(a.owner, a.vendor), partnership=a.partners[0].partnership, data={"capacity": 2}
    )
    second = pool.get_pool(a.program)
    assert second is not first and second.get(a.partners[0].partnership.pk).capacity == 2
    # So does a partnership that joins or changes status.
    Partnership.objects.for_vendor(a.vendor).filter(pk=a.partners[1].partnership.pk).update(
        status=Partnership.Status.SUSPENDED, updated_at=timezone.now()
    )
    third = pool.get_pool(a.program)
    assert third is not second and not third.get(a.partners[1].partnership.pk).active
    pool.invalidate(a.program.pk)
    assert pool.get_pool(a.program) is not third


def test_cached_pool_refreshes_the_partner_after_each_offer(world: World) -> None:
    a = world.a
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    cached = pool.get_pool(a.program)
    services.route_lead(workspace=workspace_for(a.owner, a.vendor), lead=LeadFactory(program=a.program))
    assert pool.get_pool(a.program) is cached
    rec = cached.get(a.partners[0].partnership.pk)
    assert rec.open_leads == 1 and rec.recent_leads == 1 and rec.last_offered_at is not None


def test_stamp_reads_two_aggregates(world: World) -> None:
    assert queries_for(lambda: pool.stamp(world.a.program)) == 2


def test_city_coordinates() -> None:
    athens = pool.city_coordinates("athens", "gr")
    assert athens is not None and round(athens[0]) == 38
    assert pool.city_coordinates("Αθήνα", "GR") is not None
    assert pool.city_coordinates("Atlantis", "GR") is None
    assert pool.city_coordinates("", "GR") is None
