"""Demo data of the leads app: routing profiles, settings, and a few hundred leads in every state.

Voltera's reseller program (hardware, with tiers) and Nefeli's partner
network each get routing profiles for their partnerships (territory from the
partner's country, offices from its city, languages, capacity, industries and
specialisations; one partner is on holiday), and about 160 leads over the last
four months. Every lead goes through the real services, in date order, with
the clock set to its day: routed with a stored explanation, then accepted,
declined (and offered to the next), left to expire, worked to conversion or
disqualified, or returned to the vendor. Notices are switched off
(``services.quietly``), so nobody's inbox fills up. Running it again changes
nothing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.demo import data
from kanali.leads import pool, selectors, services
from kanali.leads.errors import LeadStateError
from kanali.leads.models import Lead, LeadEvent, LeadSettings, RoutingDecision, RoutingProfile

SEED = 5

LANGUAGES = {
    "GR": ["el", "en"],
    "CY": ["el", "en"],
    "DE": ["de", "en"],
    "AT": ["de", "en"],
    "FR": ["fr", "en"],
    "IT": ["it", "en"],
    "ES": ["es", "en"],
    "PT": ["pt", "en"],
    "NL": ["nl", "en"],
    "BE": ["fr", "nl", "en"],
    "BG": ["bg", "en"],
    "RO": ["ro", "en"],
    "PL": ["pl", "en"],
    "CZ": ["cs", "en"],
    "IE": ["en"],
}

#: Partners that serve more than their own country.
EXTRA_COUNTRIES = {
    "helladist": ["CY"],
    "limassoltech": ["GR"],
    "iberica": ["PT"],
    "dunarea": ["BG"],
    "berliner": ["AT"],
    "balkansoft": ["RO", "GR"],
    "grachten": ["BE"],
}


@dataclass(frozen=True)
class ProgramPlan:
    vendor: str
    program: str
    leads: int
    specializations: tuple[str, ...]
    industries: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]
    products: tuple[str, ...]
    #: A partner on holiday (paused for the coming days).
    paused: str
    tiers: bool = False


PLANS = (
    ProgramPlan(
        vendor="nefeli",
        program="partners",
        leads=130,
        specializations=("cloud", "erp", "crm", "security", "ecommerce", "data"),
        industries=("accounting", "retail", "hospitality", "healthcare", "legal", "logistics", "education"),
        cities=(
            ("Athens", "GR"),
            ("Athens", "GR"),
            ("Athens", "GR"),
            ("Thessaloniki", "GR"),
            ("Thessaloniki", "GR"),
            ("Patras", "GR"),
            ("Heraklion", "GR"),
            ("Larissa", "GR"),
            ("Volos", "GR"),
            ("Ioannina", "GR"),
            ("Chania", "GR"),
            ("Kalamata", "GR"),
            ("Kavala", "GR"),
            ("Rhodes", "GR"),
            ("Nicosia", "CY"),
            ("Limassol", "CY"),
            ("Sofia", "BG"),
            ("Milan", "IT"),
            ("Amsterdam", "NL"),
            ("Berlin", "DE"),
        ),
        products=("erp", "cloud", "crm", "security", "ecommerce"),
        paused="pelion",
    ),
    ProgramPlan(
        vendor="voltera",
        program="resellers",
        leads=130,
        specializations=("iot", "energy", "automation", "networking", "data"),
        industries=("energy", "manufacturing", "public_sector", "logistics", "retail"),
        cities=(
            ("Berlin", "DE"),
            ("Hamburg", "DE"),
            ("Munich", "DE"),
            ("Leipzig", "DE"),
            ("Cologne", "DE"),
            ("Stuttgart", "DE"),
            ("Lyon", "FR"),
            ("Toulouse", "FR"),
            ("Milan", "IT"),
            ("Turin", "IT"),
            ("Madrid", "ES"),
            ("Seville", "ES"),
            ("Utrecht", "NL"),
            ("Rotterdam", "NL"),
            ("Linz", "AT"),
            ("Vienna", "AT"),
            ("Bucharest", "RO"),
            ("Iasi", "RO"),
            ("Varna", "BG"),
            ("Athens", "GR"),
            ("Thessaloniki", "GR"),
            ("Gdansk", "PL"),
            ("Antwerp", "BE"),
            ("Braga", "PT"),
        ),
        products=("iot", "energy", "automation"),
        paused="alpenland",
        tiers=True,
    ),
)

COMPANY_WORDS = {
    "GR": (("Aegean", "Olympus", "Delta", "Pella", "Argo", "Kronos", "Ermis", "Ilios"), ("Α.Ε.", "Ι.Κ.Ε.", "Ο.Ε.")),
    "CY": (("Troodos", "Kourion", "Akamas", "Salamis"), ("Ltd",)),
    "DE": (("Nord", "Rhein", "Elbe", "Spree", "Alpen", "Main"), ("GmbH", "AG")),
    "AT": (("Donau", "Tirol", "Steier"), ("GmbH",)),
    "FR": (("Rhône", "Garonne", "Loire", "Azur"), ("SAS", "SARL")),
    "IT": (("Po", "Lago", "Dolomiti", "Ticino"), ("S.p.A.", "S.r.l.")),
    "ES": (("Guadalquivir", "Meseta", "Sierra", "Ebro"), ("S.A.", "S.L.")),
    "PT": (("Minho", "Douro", "Tejo"), ("Lda",)),
    "NL": (("Polder", "Delta", "Zuid", "Eem"), ("B.V.",)),
    "BE": (("Schelde", "Ardennen", "Brabant"), ("NV", "SRL")),
    "BG": (("Rila", "Pirin", "Balkan"), ("EOOD", "AD")),
    "RO": (("Carpați", "Moldova", "Dacia"), ("SRL", "SA")),
    "PL": (("Wisła", "Tatry", "Bałtyk"), ("Sp. z o.o.",)),
    "CZ": (("Vltava", "Morava", "Krkonoše"), ("s.r.o.",)),
}
TRADES = ("Logistics", "Foods", "Energy", "Clinics", "Hotels", "Metals", "Retail", "Systems", "Water", "Textiles")


def _workspace(vendor: Organization) -> Workspace:
    owner = Membership.objects.select_related("user").filter(organization=vendor, role=Role.OWNER).earliest("pk")
    return Workspace(user=owner.user, membership=owner, vendor=vendor, kind="vendor")


def _partner_workspaces(vendor: Organization, program: Program) -> dict[int, Workspace]:
    """One acting partner person (the admin) per partnership of the program."""
    partnerships = Partnership.objects.for_vendor(vendor).filter(program=program)
    by_org = {p.partner_id: p.pk for p in partnerships}
    found: dict[int, Workspace] = {}
    memberships = Membership.objects.filter(organization__in=list(by_org), role=Role.PARTNER_ADMIN).select_related(
        "user", "organization"
    )
    for m in memberships.order_by("pk"):
        pid = by_org[m.organization_id]
        found.setdefault(pid, Workspace(user=m.user, membership=m, vendor=vendor, kind="partner"))
    return found


def _profiles(vendor: Organization, program: Program, plan: ProgramPlan, rnd: random.Random) -> None:
    specs = {p.key: p for p in data.PARTNERS}
    keys = {p.name: p.key for p in data.PARTNERS}
    today = timezone.localdate()
    rows = []
    partnerships = Partnership.objects.for_vendor(vendor).filter(program=program).select_related("partner")
    for partnership in partnerships.order_by("pk"):
        key = keys.get(partnership.partner.name, "")
        spec = specs.get(key)
        country = str(partnership.partner.country or (spec.country if spec else "GR"))
        offices = []
        city = spec.city if spec else ""
        where = pool.city_coordinates(city, country)
        if where is not None:
            offices.append({"city": city, "country": country, "lat": where[0], "lon": where[1]})
        distributor = partnership.partner_type == "distributor"
        rows.append(
            RoutingProfile(
                vendor=vendor,
                partnership=partnership,
                countries=[country, *EXTRA_COUNTRIES.get(key, [])],
                languages=LANGUAGES.get(country, ["en"]),
                industries=rnd.sample(plan.industries, k=rnd.randint(1, 3)),
                specializations=rnd.sample(plan.specializations, k=rnd.randint(1, 3)),
                offices=offices,
                capacity=None if distributor else rnd.choice((10, 15, 20, 25, 40)),
                paused_until=today + timedelta(days=6) if key == plan.paused else None,
            )
        )
    RoutingProfile.objects.bulk_create(rows)


def _company(country: str, rnd: random.Random, n: int) -> str:
    first, suffixes = COMPANY_WORDS.get(country, COMPANY_WORDS["DE"])
    return f"{rnd.choice(first)} {rnd.choice(TRADES)} {rnd.choice(suffixes)}".replace("  ", " ") + (
        "" if n % 7 else f" {n}"
    )


def _new_lead(vendor: Organization, program: Program, plan: ProgramPlan, rnd: random.Random, n: int) -> Lead:
    city, country = rnd.choice(plan.cities)
    where = pool.city_coordinates(city, country)
    first, last = data.person(country if data.name_pool(country) in data.FIRST_NAMES else "GR", n)
    company = _company(country, rnd, n)
    domain = "".join(ch for ch in company.lower().split()[0] if ch.isascii() and ch.isalnum()) or "company"
    domain = f"{domain}{n}.example"
    value = Decimal(round(math.exp(rnd.uniform(math.log(2000), math.log(400000))), -2))
    return Lead(
        vendor=vendor,
        program=program,
        company=company,
        contact_name=f"{first} {last}",
        email=f"{first.lower()[:1]}.{n}@{domain}",
        email_domain=domain,
        country=country,
        city=city,
        latitude=where[0] if where else None,
        longitude=where[1] if where else None,
        industry=rnd.choice(plan.industries),
        product=rnd.choice(plan.products),
        estimated_value=value,
        currency="EUR",
        language=LANGUAGES.get(country, ["en"])[0],
        source=rnd.choice((Lead.Source.FORM, Lead.Source.IMPORT, Lead.Source.IMPORT, Lead.Source.WEB, Lead.Source.API)),
        campaign=rnd.choice(("", "", "SPRING-WEBINAR", "EXPO-2026", "NEWSLETTER")),
    )


class _Clock:
    (
        """Backdates what a step wrote: events and decisions created after the last mark get the step's time.

    (Audit rows keep the time the demo was loaded: the audit log tells when rows were written.)
    """
        ""
    )

    def __init__(self, vendor: Organization) -> None:
        self.vendor = vendor
        self.events = self._max(LeadEvent)
        self.decisions = self._max(RoutingDecision)

    def _max(self, model: Any) -> int:
        return model.objects.for_vendor(self.vendor).order_by("-pk").values_list("pk", flat=True).first() or 0

    def stamp(self, when: datetime) -> None:
        LeadEvent.objects.for_vendor(self.vendor).filter(pk__gt=self.events).update(created_at=when)
        RoutingDecision.objects.for_vendor(self.vendor).filter(pk__gt=self.decisions).update(created_at=when)
        self.events, self.decisions = self._max(LeadEvent), self._max(RoutingDecision)


def _play(
    lead: Lead,
    *,
    start: datetime,
    now: datetime,
    vendor_ws: Workspace,
    partners: dict[int, Workspace],
    clock: _Clock,
    rnd: random.Random,
) -> None:
    """One lead's life from ``start`` until today, through the services."""
    services.route_leads(workspace=vendor_ws, leads=[lead], now=start)
    clock.stamp(start)
    t = start
    while True:
        lead.refresh_from_db()
        if lead.status != Lead.Status.OFFERED or lead.partnership_id is None:
            return
        ws = partners.get(lead.partnership_id)
        offer = selectors.pending_offer(lead)
        if ws is None or offer is None:
            return
        if offer.deadline > now and rnd.random() < 0.75:
            return  # still waiting for the partner's answer
        roll = rnd.random()
        try:
            if roll < 0.65 and offer.deadline > t + timedelta(hours=2):
                t = min(offer.deadline - timedelta(hours=1), t + timedelta(hours=rnd.uniform(1, 30)))
                services.offer_accept(workspace=ws, lead=lead, actor=ws.user, now=t)
                clock.stamp(t)
                _work(lead, ws=ws, t=t, now=now, clock=clock, rnd=rnd)
                return
            if roll < 0.87 and offer.deadline > t + timedelta(hours=1):
                t = min(offer.deadline - timedelta(minutes=30), t + timedelta(hours=rnd.uniform(0.5, 20)))
                reason = rnd.choice(("not_a_fit", "no_capacity", "not_a_fit", "duplicate", "other"))
                services.offer_decline(
                    workspace=ws,
                    lead=lead,
                    reason=reason,
                    note="Outside our focus" if reason == "other" else "",
                    actor=ws.user,
                    now=t,
                )
            else:
                if offer.deadline > now:
                    return
                t = offer.deadline
                services.offer_expire(offer_id=offer.pk, now=t)
            clock.stamp(t)
        except LeadStateError:
            return


def _work(lead: Lead, *, ws: Workspace, t: datetime, now: datetime, clock: _Clock, rnd: random.Random) -> None:
    """After accepting: contacted, then qualified, then converted or disqualified, as far as time allows."""
    steps = [Lead.Status.CONTACTED, Lead.Status.QUALIFIED, Lead.Status.CONVERTED]
    for status in steps:
        t += timedelta(days=rnd.uniform(2, 12))
        if t > now or rnd.random() < 0.2:
            return
        final = status
        reason = ""
        if status == Lead.Status.CONVERTED and rnd.random() < 0.35:
            final, reason = Lead.Status.DISQUALIFIED, rnd.choice(("No budget this year", "Chose a competitor"))
        services.lead_status_update(workspace=ws, lead=lead, status=final, reason=reason, actor=ws.user)
        clock.stamp(t)
        if final == Lead.Status.DISQUALIFIED:
            return


def load_program(plan: ProgramPlan) -> int:
    vendor = Organization.objects.filter(slug=plan.vendor, is_vendor=True).first()
    if vendor is None:
        return 0
    program = Program.objects.for_vendor(vendor).filter(slug=plan.program).first()
    if program is None or Lead.objects.for_vendor(vendor).filter(program=program).exists():
        return 0
    rnd = random.Random(f"{SEED}-{plan.vendor}")  # noqa: S311 - reproducible demo data, not secrets
    vendor_ws = _workspace(vendor)
    now = timezone.now()
    LeadSettings.objects.get_or_create(
        vendor=vendor,
        program=program,
        defaults={
            "web_form_enabled": True,
            "weights": {"distance": 0.3, "tier": 0.2 if plan.vendor == "voltera" else 0.1},
        },
    )
    _profiles(vendor, program, plan, rnd)
    partners = _partner_workspaces(vendor, program)
    pool.invalidate(program.pk)
    # Most leads over four months (more of them recent), a few in the last two days with offers still open.
    fresh = plan.leads // 12
    starts = sorted(
        [now - timedelta(days=rnd.uniform(0.1, 1.8)) for _ in range(fresh)]
        + [now - timedelta(days=rnd.uniform(2, 120) ** 1.2 / 120**0.2 + 2) for _ in range(plan.leads - fresh)]
    )
    leads = Lead.objects.bulk_create([_new_lead(vendor, program, plan, rnd, n) for n in range(plan.leads)])
    clock = _Clock(vendor)
    # The last few stay new in the queue: they came in this morning and nobody routed them yet.
    waiting = max(4, plan.leads // 25)
    for lead, start in zip(leads[:-waiting], starts[:-waiting], strict=True):
        Lead.objects.for_vendor(vendor).filter(pk=lead.pk).update(created_at=start)
        _play(lead, start=start, now=now, vendor_ws=vendor_ws, partners=partners, clock=clock, rnd=rnd)
    for lead in leads[-waiting:]:
        Lead.objects.for_vendor(vendor).filter(pk=lead.pk).update(created_at=now - timedelta(hours=rnd.uniform(1, 6)))
    pool.invalidate(program.pk)
    return len(leads)


def load() -> None:
    """Routing profiles and leads for the demo programs (idempotent: a program with leads is left alone)."""
    with transaction.atomic(), services.quietly():
        for plan in PLANS:
            load_program(plan)
