"""From the database to the routing engine: each program's candidates as one cached :class:`CandidatePool`.

:func:`partner_records` turns every partnership of a program into a
:class:`PartnerFeatures` in a fixed number of queries, whatever the number of
partners: partnerships with their routing profiles, the profile defaults of
partners that have none yet (application, directory profile), tier weights,
offer history, open leads, and whatever the registries below add (deals won
and closed, certifications).

Caching and staleness
---------------------
One pool per program lives in process memory (:func:`get_pool`), keyed by
program id and a *stamp*: the number of partnerships of the program and the
latest change time of those partnerships, their routing profiles and their
tier assignments (two small aggregate queries per routing run). Any change to
who may receive leads, where they work or which tier they hold is therefore
seen by the next routing run in every process.

Lead history (open leads, recent leads, acceptance counts) changes with every
offer. The services of this process apply their own changes at once with
:func:`note_offered` / :func:`note_answered` (``pool.refresh`` of that one
partner), so capacity and fairness hold inside a bulk import. Changes made by
*another* process (a worker expiring offers) are picked up when the pool is
older than :data:`POOL_TTL_SECONDS`, or at once after :func:`invalidate`.
Capacity is a routing preference, not a lock: in the worst case a partner
gets one lead above its capacity during that window.

Registries (filled by higher apps, like the designer's metric registry):

* :data:`PERFORMANCE_SOURCES` — ``fn(program, partnership_ids) -> {id: Performance}``
  with deals won/closed overall and per size band (the deals app).
* :data:`CERTIFICATION_SOURCES` — ``fn(program, partnership_ids) -> {id: {codes}}``,
  the certifications each partner holds (the training module).
* :data:`REQUIRED_CERTIFICATION_SOURCES` — ``fn(program) -> {product: code}``,
  the certification a partner needs to take a lead for a product. Empty by
  default: no certification is required until the training module says so.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from kanali.core.models import Partnership, Program
from kanali.leads import lookups
from kanali.leads.models import Lead, LeadSettings, Offer, RoutingProfile
from kanali.leads.routing import CandidatePool, LeadToRoute, PartnerFeatures

#: A pool older than this is rebuilt, to pick up lead history written by other processes.
POOL_TTL_SECONDS = 300
#: Offers answered in this many days feed the median time to accept.
RESPONSE_WINDOW_DAYS = 365


@dataclass(frozen=True)
class Performance:
    """Deals a partner won and closed (won + lost), overall and per size band name."""

    deals_won: int = 0
    deals_closed: int = 0
    deal_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)


PerformanceSource = Callable[[Program, list[int]], Mapping[int, Performance]]
CertificationSource = Callable[[Program, list[int]], Mapping[int, Iterable[str]]]
RequiredCertificationSource = Callable[[Program], Mapping[str, str]]

PERFORMANCE_SOURCES: list[PerformanceSource] = []
CERTIFICATION_SOURCES: list[CertificationSource] = []
REQUIRED_CERTIFICATION_SOURCES: list[RequiredCertificationSource] = []

#: Partnership statuses that may receive leads.
ROUTABLE_STATUSES = (Partnership.Status.ACTIVE,)


# --- Places --------------------------------------------------------------------------------


def city_coordinates(city: str, country: str) -> tuple[float, float] | None:
    """Coordinates of an office's city: the same offline look-up intake uses for leads (Greek names included)."""
    return lookups.city_coordinates(city.strip(), country.strip().upper()) if city and country else None


# --- Profiles ------------------------------------------------------------------------------


def default_profile_values(partnership: Partnership, sources: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A new routing profile's values, from what the partner already told us.

    ``sources`` may hold the partner's ``application`` and ``directory``
    profile (already fetched); the organization's country is the territory.
    """
    sources = sources or {}
    application = sources.get("application")
    directory = sources.get("directory")
    country = str(partnership.partner.country or "")
    regions: list[str] = []
    industries: list[str] = []
    specializations: list[str] = []
    for origin in (application, directory):
        if origin is None:
            continue
        regions = regions or list(origin.regions or [])
        industries = industries or list(origin.industries or [])
        specializations = specializations or list(origin.specializations or [])
    offices: list[dict[str, Any]] = []
    city = getattr(directory, "city", "") or ""
    coordinates = city_coordinates(city, country)
    if coordinates is not None:
        offices.append({"city": city, "country": country, "lat": coordinates[0], "lon": coordinates[1]})
    return {
        "countries": [country] if country else [],
        "regions": regions,
        "industries": industries,
        "specializations": specializations,
        "offices": offices,
    }


def profile_sources(partnerships: list[Partnership]) -> dict[int, dict[str, Any]]:
    """Each partnership's latest application and its organization's directory profile: two queries."""
    from kanali.partners.models_applications import Application
    from kanali.partners.models_management import DirectoryProfile

    if not partnerships:
        return {}
    vendor_id = partnerships[0].vendor_id
    found: dict[int, dict[str, Any]] = {p.pk: {} for p in partnerships}
    applications = (
        Application.objects.for_vendor(vendor_id)
        .filter(partnership__in=[p.pk for p in partnerships])
        .order_by("partnership_id", "-created_at", "-pk")
    )
    for application in applications:
        found[application.partnership_id].setdefault("application", application)  # type: ignore[index]
    by_org = {p.partner_id: p.pk for p in partnerships}
    for directory in DirectoryProfile.objects.filter(organization__in=list(by_org)):
        found[by_org[directory.organization_id]]["directory"] = directory
    return found


# --- Features ------------------------------------------------------------------------------


def _tier_weights(program: Program, ids: list[int]) -> dict[int, float]:
    """Each partnership's tier ``lead_priority_weight``; everyone 1 in a program without tiers."""
    from kanali.partners.engine import uses_tiers
    from kanali.partners.models_tiers import TierAssignment

    if not ids or not uses_tiers(program):
        return {}
    rows = (
        TierAssignment.objects.for_vendor(program.vendor_id)
        .filter(partnership__in=ids, tier__isnull=False)
        .values_list("partnership_id", "tier__lead_priority_weight")
    )
    return {pid: float(weight) for pid, weight in rows if weight is not None}


def partner_records(program: Program, *, now: datetime | None = None) -> list[PartnerFeatures]:
    """Every partnership of ``program`` as the engine sees it, in a fixed number of queries."""
    now = now or timezone.now()
    vendor_id = program.vendor_id
    settings = LeadSettings.objects.for_vendor(vendor_id).filter(program=program).first()
    window_days = (
        settings.fairness_window_days if settings else LeadSettings._meta.get_field("fairness_window_days").default
    )
    partnerships = list(
        Partnership.objects.for_vendor(vendor_id)
        .filter(program=program)
        .select_related("partner", "routing_profile")
        .order_by("pk")
    )
    ids = [p.pk for p in partnerships]
    missing = [p for p in partnerships if _profile(p) is None]
    sources = profile_sources(missing) if missing else {}
    tiers = _tier_weights(program, ids)

    offers = Offer.objects.for_vendor(vendor_id).filter(lead__program=program)
    since = now - timedelta(days=window_days)
    history = {
        row["partnership_id"]: row
        for row in offers.values("partnership_id").annotate(
            accepted=Count("pk", filter=Q(status=Offer.Status.ACCEPTED)),
            answered=Count(
                "pk",
                filter=Q(status__in=(Offer.Status.ACCEPTED, Offer.Status.DECLINED, Offer.Status.EXPIRED)),
            ),
            recent=Count("pk", filter=Q(offered_at__gte=since)),
            last=Max("offered_at"),
        )
    }
    hours: dict[int, list[float]] = defaultdict(list)
    accepted = offers.filter(
        status=Offer.Status.ACCEPTED,
        responded_at__isnull=False,
        responded_at__gte=now - timedelta(days=RESPONSE_WINDOW_DAYS),
    ).values_list("partnership_id", "offered_at", "responded_at")
    for pid, offered_at, responded_at in accepted:
        hours[pid].append(max(0.0, (responded_at - offered_at).total_seconds() / 3600))
    open_counts = dict(
        Lead.objects.for_vendor(vendor_id)
        .filter(program=program, partnership__isnull=False, status__in=(Lead.Status.OFFERED, *Lead.WORKING_STATUSES))
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values_list("partnership_id", "n")
    )
    performance: dict[int, Performance] = {}
    for perf_source in PERFORMANCE_SOURCES:
        performance.update(perf_source(program, ids))
    certifications: dict[int, set[str]] = defaultdict(set)
    for cert_source in CERTIFICATION_SOURCES:
        for pid, codes in cert_source(program, ids).items():
            certifications[pid].update(codes)

    today = timezone.localdate(now)
    records = []
    for p in partnerships:
        profile = _profile(p)
        values = (
            _profile_values(profile)
            if profile is not None
            else {**default_profile_values(p, sources.get(p.pk)), "languages": [], "capacity": None}
        )
        paused_until = profile.paused_until if profile is not None else None
        h = history.get(p.pk, {})
        perf = performance.get(p.pk, Performance())
        records.append(
            PartnerFeatures(
                partnership_id=p.pk,
                name=p.partner.name,
                active=p.status in ROUTABLE_STATUSES,
                countries=frozenset(c.upper() for c in values["countries"]),
                regions=frozenset(r.upper() for r in values["regions"]),
                partner_type=p.partner_type,
                certifications=frozenset(certifications.get(p.pk, ())),
                languages=frozenset(lang.lower() for lang in values["languages"]),
                capacity=values["capacity"],
                open_leads=open_counts.get(p.pk, 0),
                paused=paused_until is not None and paused_until >= today,
                locations=_locations(values["offices"]),
                tier_weight=tiers.get(p.pk, 1.0),
                industries=frozenset(values["industries"]),
                specializations=frozenset(values["specializations"]),
                deals_won=perf.deals_won,
                deals_closed=perf.deals_closed,
                leads_accepted=h.get("accepted", 0),
                leads_offered=h.get("answered", 0),
                median_hours_to_accept=statistics.median(hours[p.pk]) if hours.get(p.pk) else None,
                deal_sizes=dict(perf.deal_sizes),
                recent_leads=h.get("recent", 0),
                last_offered_at=h.get("last"),
            )
        )
    return records


def _profile(partnership: Partnership) -> RoutingProfile | None:
    try:
        return partnership.routing_profile
    except RoutingProfile.DoesNotExist:
        return None


def _profile_values(profile: RoutingProfile) -> dict[str, Any]:
    return {
        "countries": list(profile.countries or []),
        "regions": list(profile.regions or []),
        "languages": list(profile.languages or []),
        "industries": list(profile.industries or []),
        "specializations": list(profile.specializations or []),
        "offices": list(profile.offices or []),
        "capacity": profile.capacity,
    }


def _locations(offices: Iterable[Mapping[str, Any]]) -> tuple[tuple[float, float], ...]:
    found = []
    for office in offices:
        lat, lon = office.get("lat"), office.get("lon")
        if lat is None or lon is None:
            continue
        try:
            found.append((float(lat), float(lon)))
        except (TypeError, ValueError):
            continue
    return tuple(found)


# --- Leads -------------------------------------------------------------------------------


def lead_to_route(
    lead: Lead,
    *,
    excluded: Iterable[int] = (),
    partner_types: Iterable[str] | None = None,
    required_certifications: Mapping[str, str] | None = None,
) -> LeadToRoute:
    """The facts of ``lead`` that routing reads.

    The estimated value is used as it is, in the lead's currency: size bands
    assume the program's usual currency (EUR for most programs); a program
    that takes leads in several currencies sees bands shifted by the rate.
    """
    types = frozenset(partner_types) if partner_types else None
    required = (required_certifications or {}).get(lead.product) if lead.product else None
    return LeadToRoute(
        country=str(lead.country or ""),
        region=lead.region or "",
        lat=lead.latitude,
        lon=lead.longitude,
        industry=lead.industry or "",
        product=lead.product or "",
        value=Decimal(lead.estimated_value) if lead.estimated_value is not None else None,
        language=lead.language or "",
        partner_types=types,
        required_certification=required,
        excluded=frozenset(excluded),
    )


def required_certifications(program: Program) -> dict[str, str]:
    """Product → certification code a partner must hold, from the registered sources."""
    found: dict[str, str] = {}
    for source in REQUIRED_CERTIFICATION_SOURCES:
        found.update(source(program))
    return found


# --- The cache -----------------------------------------------------------------------------


@dataclass
class _Cached:
    stamp: tuple[Any, ...]
    pool: CandidatePool
    built: float


_POOLS: dict[int, _Cached] = {}
#: One lock per program: a pool is built, read and refreshed by one thread at a time.
_LOCKS: dict[int, threading.RLock] = defaultdict(threading.RLock)
_LOCKS_GUARD = threading.Lock()


def lock_for(program_id: int) -> threading.RLock:
    with _LOCKS_GUARD:
        return _LOCKS[program_id]


def stamp(program: Program) -> tuple[Any, ...]:
    """What changes when the program's candidates change: two aggregate queries."""
    from kanali.partners.models_tiers import TierAssignment

    partnerships = Partnership.objects.for_vendor(program.vendor_id).filter(program=program)
    row = partnerships.aggregate(n=Count("pk"), changed=Max("updated_at"), profiles=Max("routing_profile__updated_at"))
    tiers = TierAssignment.objects.for_vendor(program.vendor_id).filter(partnership__program=program)
    tier_row = tiers.aggregate(n=Count("pk"), since=Max("since"), tier=Max("tier_id"))
    return (program.pk, row["n"], row["changed"], row["profiles"], tier_row["n"], tier_row["since"], tier_row["tier"])


def get_pool(program: Program, *, now: datetime | None = None) -> CandidatePool:
    """The program's cached pool, rebuilt when its stamp changed or it is older than the TTL.

    Call it holding :func:`lock_for` when you go on to refresh records.
    """
    current = stamp(program)
    with lock_for(program.pk):
        cached = _POOLS.get(program.pk)
        fresh = cached is not None and time.monotonic() - cached.built < POOL_TTL_SECONDS
        if cached is not None and fresh and cached.stamp == current:
            return cached.pool
        pool = CandidatePool(partner_records(program, now=now))
        _POOLS[program.pk] = _Cached(current, pool, time.monotonic())
        return pool


def invalidate(program_id: int | None = None) -> None:
    """Forget one program's pool (or every pool); the next routing run rebuilds it."""
    with _LOCKS_GUARD:
        if program_id is None:
            _POOLS.clear()
        else:
            _POOLS.pop(program_id, None)


def _cached_pool(program_id: int) -> CandidatePool | None:
    cached = _POOLS.get(program_id)
    return cached.pool if cached is not None else None


def note_offered(program_id: int, partnership_id: int, at: datetime, *, count: int = 1) -> None:
    """This process offered ``count`` leads to a partner: more open and recent leads, latest offer now."""
    pool = _cached_pool(program_id)
    if pool is None or partnership_id not in pool:
        return
    with lock_for(program_id):
        rec = pool.get(partnership_id)
        pool.refresh(
            replace(
                rec,
                open_leads=rec.open_leads + count,
                recent_leads=rec.recent_leads + count,
                last_offered_at=max(at, rec.last_offered_at) if rec.last_offered_at else at,
            )
        )


def note_answered(program_id: int, partnership_id: int, *, accepted: bool, hours: float | None = None) -> None:
    """A partner answered an offer (or let it expire): acceptance counts, and a freed slot unless accepted."""
    pool = _cached_pool(program_id)
    if pool is None or partnership_id not in pool:
        return
    with lock_for(program_id):
        rec = pool.get(partnership_id)
        median = rec.median_hours_to_accept
        if accepted and hours is not None:
            median = hours if median is None else (median * 3 + hours) / 4  # cheap drift until the next rebuild
        pool.refresh(
            replace(
                rec,
                leads_offered=rec.leads_offered + 1,
                leads_accepted=rec.leads_accepted + (1 if accepted else 0),
                open_leads=rec.open_leads if accepted else max(0, rec.open_leads - 1),
                median_hours_to_accept=median,
            )
        )


def note_released(program_id: int, partnership_id: int) -> None:
    """A lead left a partner's hands (withdrawn, returned, closed): one slot free."""
    pool = _cached_pool(program_id)
    if pool is None or partnership_id not in pool:
        return
    with lock_for(program_id):
        rec = pool.get(partnership_id)
        pool.refresh(replace(rec, open_leads=max(0, rec.open_leads - 1)))
