"""Demo data of the deals app: products, accounts, registrations and a pipeline with history.

For Nefeli Cloud's partner network and Voltera's reseller program: a product
catalogue; the vendor's known accounts (some "imported from Salesforce");
registrations approved (each opening a deal), rejected with a reason, waiting,
in conflict with another partner's claim or with a known customer, one with an
extension requested; deals in every stage of the sales process, lost with a
reason, and won over the last months so commission statements have data.

Everything goes through the services (conflict check, approval, stage moves,
wins with their hooks); only the dates are moved back afterwards. A program
whose sales process has no stages yet gets a five-stage one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlparse

from django.db import transaction
from django.utils import timezone
from stdnum.gr import vat as gr_vat

from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import PARTNER_ROLES, Role
from kanali.core.workspace import Workspace
from kanali.deals import services_pipeline, services_registrations
from kanali.deals.models import Account, Deal, DealRegistration, Product
from kanali.deals.selectors import program_stages
from kanali.designer.models import PipelineStage

STAGES = (
    ("Discovery", 10),
    ("Qualification", 25),
    ("Solution design", 40),
    ("Proposal", 60),
    ("Negotiation", 80),
)

PRODUCTS = {
    ("nefeli", "partners"): (
        ("cloud-backup", "Nefeli Backup"),
        ("cloud-vps", "Nefeli Cloud Servers"),
        ("managed-k8s", "Managed Kubernetes"),
        ("object-storage", "Object Storage"),
        ("legacy-mail", "Hosted Mail (retired)"),
    ),
    ("voltera", "resellers"): (
        ("sm-200", "Smart Meter SM-200"),
        ("edge-gw", "Edge Gateway"),
        ("scada-suite", "SCADA Suite"),
        ("field-service", "Field Service Contract"),
    ),
}


def _gr_vat(n: int) -> str:
    body = f"{90_000_000 + n * 7919:08d}"[-8:]
    return f"EL{body}{gr_vat.calc_check_digit(body)}"


@dataclass(frozen=True)
class Customer:
    name: str
    domain: str
    country: str
    greek_vat: int | None = None  # seed of a valid Greek VAT number


#: The vendors' known accounts (imported from their CRM).
ACCOUNTS = {
    "nefeli": (
        Customer("Θεσσαλικά Γαλακτοκομεία Α.Ε.", "thessgala.example", "GR", 1),
        Customer("Kritis Olive Oil S.A.", "kritisolive.example", "GR", 2),
        Customer("Αθηναϊκά Ξενοδοχεία Α.Ε.", "athhotels.example", "GR", 3),
        Customer("Aegean Shipping Ltd", "aegeanship.example", "CY"),
        Customer("Πατρινή Λογιστική Ι.Κ.Ε.", "patralog.example", "GR", 4),
        Customer("Macedonia Logistics S.A.", "macelog.example", "GR", 5),
        Customer("Ionian Resorts E.P.E.", "ionianresorts.example", "GR", 6),
        Customer("Σπάρτη Τρόφιμα Ο.Ε.", "spartafoods.example", "GR", 7),
    ),
    "voltera": (
        Customer("Stadtwerke Nordhafen GmbH", "sw-nordhafen.example", "DE"),
        Customer("Energie Alpina AG", "energie-alpina.example", "AT"),
        Customer("Rhein Wasser GmbH", "rheinwasser.example", "DE"),
        Customer("Regie Électrique de Lyon", "rel-lyon.example", "FR"),
        Customer("Acquedotto Pugliese Nord S.p.A.", "apn.example", "IT"),
        Customer("Δημοτική Επιχείρηση Ύδρευσης Κοζάνης", "deyakoz.example", "GR", 8),
    ),
}

#: Registrations: partner key, customer, products, value, months ago, what happens.
#: Outcomes: "won", "lost", "open" (open deals fill the stages from the last one back), "rejected",
#: "submitted", "extension".
Reg = tuple[str, Customer, tuple[str, ...], str, int, str]

REGISTRATIONS: dict[tuple[str, str], tuple[Reg, ...]] = {
    ("nefeli", "partners"): (
        (
            "ergotech",
            Customer("Ορεινή Φαρμακαποθήκη Α.Ε.", "oreinipharm.example", "GR", 11),
            ("cloud-backup",),
            "18400",
            6,
            "won",
        ),
        (
            "alfa",
            Customer("Volos Ceramics S.A.", "volosceramics.example", "GR", 12),
            ("cloud-vps", "cloud-backup"),
            "9600",
            5,
            "won",
        ),
        ("thermaikos", Customer("Thermi Marketing Lab", "thermilab.example", "GR"), ("cloud-vps",), "4200", 5, "won"),
        (
            "axios",
            Customer("Χαλκιδική Ξενοδοχειακή Α.Ε.", "chalkhotels.example", "GR", 13),
            ("managed-k8s",),
            "32000",
            4,
            "won",
        ),
        (
            "knossos",
            Customer("Heraklion Port Services", "herport.example", "GR"),
            ("object-storage",),
            "7200",
            3,
            "won",
        ),
        (
            "ergotech",
            Customer("Λάρισα Αγροτικά Εφόδια", "larisaagro.example", "GR", 14),
            ("cloud-backup",),
            "5600",
            2,
            "won",
        ),
        (
            "achaia",
            Customer("Patras Software House", "patrassw.example", "GR"),
            ("managed-k8s", "object-storage"),
            "21500",
            1,
            "won",
        ),
        ("epirus", Customer("Ioannina Dairy Co-op", "ioanninadairy.example", "GR"), ("cloud-vps",), "3900", 3, "lost"),
        (
            "alfa",
            Customer("Κέρκυρα Τουριστική Ε.Π.Ε.", "corfutour.example", "GR", 15),
            ("cloud-vps",),
            "6100",
            1,
            "open",
        ),
        ("pelion", Customer("Magnesia Wines", "magnesiawines.example", "GR"), ("cloud-backup",), "2800", 1, "open"),
        (
            "nestos",
            Customer("Kavala Tobacco Heritage", "kavalath.example", "GR"),
            ("object-storage",),
            "8700",
            1,
            "open",
        ),
        (
            "knossos",
            Customer("Χανιά Ναυτιλιακή Α.Ε.", "chaniamarine.example", "GR", 16),
            ("managed-k8s",),
            "41000",
            1,
            "open",
        ),
        (
            "ergotech",
            Customer("Thessaloniki Fintech Hub", "thessfintech.example", "GR"),
            ("managed-k8s", "cloud-backup"),
            "56000",
            0,
            "open",
        ),
        (
            "kifisia",
            Customer("Kifisia Private Clinic", "kifisiaclinic.example", "GR"),
            ("cloud-vps", "object-storage"),
            "13800",
            0,
            "open",
        ),
        ("axios", Customer("Rhodes Yachting", "rhodesyacht.example", "GR"), ("cloud-vps",), "5200", 0, "extension"),
        (
            "chaniaweb",
            Customer("Αγροτικός Συνεταιρισμός Κισσάμου", "kissamos.example", "GR"),
            ("cloud-vps",),
            "1500",
            1,
            "rejected",
        ),
        ("pelion", Customer("Volos Port Authority", "volosport.example", "GR"), ("cloud-vps",), "7400", 0, "open"),
        (
            "messinia",
            Customer("Kalamata Olive Traders", "kalamataolive.example", "GR"),
            ("cloud-backup",),
            "2300",
            0,
            "submitted",
        ),
        # Another partner claims a customer Ergotech registered and is protected for (a fuzzy name match).
        ("alfa", Customer("Thessaloniki FinTech Hub I.K.E.", "", "GR"), ("cloud-backup",), "15000", 0, "submitted"),
        # Ορεινή Φαρμακαποθήκη is a customer since Ergotech won it: a Greek name against a Latin one.
        ("epirus", Customer("Oreini Farmakapothiki SA", "", "GR"), ("cloud-backup",), "4000", 0, "submitted"),
        # A known customer of Nefeli's (an account), registered by a partner.
        (
            "thessalia",
            Customer("Thessalika Galaktokomeia AE", "thessgala.example", "GR"),
            ("object-storage",),
            "6400",
            0,
            "submitted",
        ),
    ),
    ("voltera", "resellers"): (
        (
            "berliner",
            Customer("Stadtwerke Havelland GmbH", "sw-havelland.example", "DE"),
            ("sm-200", "edge-gw"),
            "84000",
            6,
            "won",
        ),
        ("isar", Customer("Isarwerke Freising GmbH", "isarwerke.example", "DE"), ("scada-suite",), "126000", 5, "won"),
        ("helladist", Customer("ΔΕΥΑ Λάρισας", "deyal.example", "GR", 17), ("sm-200",), "47500", 4, "won"),
        (
            "nordlicht",
            Customer("Hamburger Hafenenergie GmbH", "hh-energie.example", "DE"),
            ("edge-gw",),
            "23800",
            3,
            "won",
        ),
        (
            "iberica",
            Customer("Aguas de Castilla S.A.", "aguascastilla.example", "ES"),
            ("sm-200", "field-service"),
            "61000",
            2,
            "won",
        ),
        (
            "maasindustrial",
            Customer("Rotterdam Warmte B.V.", "rdam-warmte.example", "NL"),
            ("scada-suite",),
            "98000",
            1,
            "won",
        ),
        ("provence", Customer("Eaux de Provence SAS", "eaux-provence.example", "FR"), ("sm-200",), "33000", 2, "lost"),
        (
            "kozani",
            Customer("Κοζάνη Θερμική Ενέργεια", "kozanitherm.example", "GR", 18),
            ("edge-gw",),
            "12500",
            1,
            "open",
        ),
        ("alpenland", Customer("Grazer Netze GmbH", "grazernetze.example", "AT"), ("sm-200",), "52000", 1, "open"),
        (
            "dunarea",
            Customer("Apa Nova Dunărea SRL", "apanova-d.example", "RO"),
            ("field-service",),
            "18000",
            0,
            "open",
        ),
        (
            "milanocloud",
            Customer("Milano Smart Grid S.r.l.", "mi-smartgrid.example", "IT"),
            ("scada-suite", "edge-gw"),
            "74000",
            0,
            "open",
        ),
        (
            "ruhrdata",
            Customer("Dortmunder Fernwärme GmbH", "do-fernwaerme.example", "DE"),
            ("sm-200",),
            "44000",
            1,
            "open",
        ),
        ("atelier", Customer("Lyon Métropole Chaleur", "lyon-chaleur.example", "FR"), ("edge-gw",), "16500", 0, "open"),
        ("grachten", Customer("Amsterdam Stadswarmte", "ams-warmte.example", "NL"), ("sm-200",), "27000", 0, "open"),
        ("wisla", Customer("Wodociągi Krakowskie", "wodkrak.example", "PL"), ("sm-200",), "29000", 0, "rejected"),
        (
            "ergotech",
            Customer("Thessaloniki Water Works", "thesswater.example", "GR"),
            ("sm-200",),
            "39000",
            0,
            "submitted",
        ),
        # Alpenland's protected customer registered again by Nordlicht (same website).
        (
            "nordlicht",
            Customer("Grazer Netze G.m.b.H.", "www.grazernetze.example", "AT"),
            ("edge-gw",),
            "20000",
            0,
            "submitted",
        ),
    ),
}

LOST_REASON = "The customer chose a competitor on price."
REJECT_REASON = "This customer is served directly by our key-account team."


def _vendor_workspace(vendor: Organization) -> Workspace:
    owner = Membership.objects.select_related("user", "organization").filter(organization=vendor, role=Role.OWNER)
    m = owner.earliest("pk")
    return Workspace(user=m.user, membership=m, vendor=vendor, kind="vendor")


def _partner_workspace(vendor: Organization, partnership: Partnership) -> Workspace | None:
    m = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=partnership.partner, role__in=[Role.PARTNER_SALES, Role.PARTNER_ADMIN])
        .order_by("-role", "pk")
        .first()
    )
    if m is None or m.role not in PARTNER_ROLES:
        return None
    return Workspace(user=m.user, membership=m, vendor=vendor, kind="partner")


def _ensure_stages(program: Program) -> None:
    if PipelineStage.objects.for_vendor(program.vendor_id).filter(program=program).exists():
        return
    PipelineStage.objects.bulk_create(
        PipelineStage(vendor_id=program.vendor_id, program=program, position=n, name=name, win_probability=p)
        for n, (name, p) in enumerate(STAGES, start=1)
    )


def _backdate(reg: DealRegistration, when: datetime) -> None:
    DealRegistration.objects.for_vendor(reg.vendor_id).filter(pk=reg.pk).update(created_at=when)


def load() -> None:
    """Build the deals demo (idempotent: a program with registrations is left alone)."""
    for (vendor_slug, program_slug), regs in REGISTRATIONS.items():
        vendor = Organization.objects.filter(slug=vendor_slug, is_vendor=True).first()
        if vendor is None:
            continue
        program = Program.objects.for_vendor(vendor).filter(slug=program_slug).first()
        if program is None or DealRegistration.objects.for_vendor(vendor).filter(program=program).exists():
            continue
        with transaction.atomic():
            _load_program(vendor, program, regs)


def _load_program(vendor: Organization, program: Program, regs: tuple[Reg, ...]) -> None:
    now = timezone.now()
    staff = _vendor_workspace(vendor)
    _ensure_stages(program)
    Product.objects.bulk_create(
        Product(vendor=vendor, program=program, code=code, name=name, active=not code.startswith("legacy"))
        for code, name in PRODUCTS.get((vendor.slug, program.slug), ())
    )
    Account.objects.bulk_create(
        Account(
            vendor=vendor,
            name=c.name,
            domain=c.domain,
            country=c.country,
            vat_number=_gr_vat(c.greek_vat) if c.greek_vat else "",
            external_id=f"001DEMO{vendor.pk:03d}{n:04d}",
            source=Account.Source.IMPORT,
        )
        for n, c in enumerate(ACCOUNTS.get(vendor.slug, ()), start=1)
    )
    # Demo partners' websites are https://<key>.example (kanali.demo.management.commands.demo).
    partnerships = {
        (urlparse(p.partner.website).hostname or "").split(".")[0]: p
        for p in Partnership.objects.for_vendor(vendor)
        .filter(program=program, status__in=Partnership.PORTAL_STATUSES)
        .select_related("partner")
    }
    stages = program_stages(program)
    opened = 0
    for n, (key, customer, products, value, months_ago, outcome) in enumerate(regs):
        partnership = partnerships.get(key)
        ws = _partner_workspace(vendor, partnership) if partnership is not None else None
        if partnership is None or ws is None:
            continue
        submitted = now - timedelta(days=months_ago * 30 + 12 + n % 5)
        data = {
            "company": customer.name,
            "domain": customer.domain,
            "vat_number": _gr_vat(customer.greek_vat) if customer.greek_vat else "",
            "country": customer.country,
            "contact_name": "Demo Contact",
            "contact_email": f"buyer@{customer.domain}" if customer.domain else "",
            "products": list(products),
            "estimated_value": value,
            "currency": "EUR",
            "expected_close": (now + timedelta(days=30 + n * 3)).date().isoformat(),
            "notes": "",
        }
        reg = services_registrations.registration_submit(workspace=ws, partnership=partnership, data=data)
        _backdate(reg, submitted)
        reg.created_at = submitted
        if outcome == "submitted":
            continue
        if outcome == "rejected":
            services_registrations.registration_reject(workspace=staff, registration=reg, reason=REJECT_REASON)
            continue
        reg = services_registrations.registration_approve(workspace=staff, registration=reg, override=True)
        deal = Deal.objects.for_vendor(vendor).get(registration=reg)
        if outcome == "extension":
            services_registrations.extension_request(
                workspace=ws, registration=reg, reason="The customer's board meets next quarter."
            )
        elif outcome == "open":
            target = len(stages) - opened % len(stages)  # the last stage first (it gets two deals)
            opened += 1
            for stage in stages[1:target]:
                deal = services_pipeline.deal_move(workspace=ws, deal=deal, stage_position=stage.position)
        elif outcome in ("won", "lost"):
            for stage in stages[1:]:
                deal = services_pipeline.deal_move(workspace=ws, deal=deal, stage_position=stage.position)
            if outcome == "won":
                closed = min(now, submitted + timedelta(days=20 + n % 9))
                amount = (Decimal(value) * Decimal("1.05")).quantize(Decimal("1"))
                services_pipeline.deal_won(workspace=staff, deal=deal, amount=amount, at=closed)
            else:
                services_pipeline.deal_lost(workspace=ws, deal=deal, reason=LOST_REASON)
        decided = submitted + timedelta(days=2)
        protection = DealRegistration.objects.for_vendor(vendor).filter(pk=reg.pk)
        if reg.protected_until is not None:
            today = timezone.localdate(now)
            until = reg.protected_until - (today - timezone.localdate(decided))
            # Protection that ended before today has been expired by the daily sweep.
            status = DealRegistration.Status.EXPIRED if until < today else reg.status
            protection.update(decided_at=decided, protected_until=until, status=status)
        Deal.objects.for_vendor(vendor).filter(pk=deal.pk).update(created_at=decided)
