"""Demo data of the partner lifecycle: management.

Vendor notes on several partnerships, the reasons of the demo suspensions and
terminations, directory profiles of partners that opted in to the program
locators and the ecosystem directory, and one partner that has gone quiet
(flagged inactive). Written through the services where a user acts, so the
partner pages' timelines have something to show. Running it again changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kanali.core import audit
from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.demo import data
from kanali.partners import services_management as services
from kanali.partners.models_management import PartnerNote, PartnershipStatusChange

#: (vendor, program, partner key) → notes, oldest first, each with how many days ago it was written.
NOTES: dict[tuple[str, str, str], tuple[tuple[int, str], ...]] = {
    ("nefeli", "partners", "ergotech"): (
        (
            120,
            "Quarterly review: strongest MSP in Attica, 14 accounting firms on Nefeli. Wants co-selling on two "
            "public-sector bids.",
        ),
        (35, "Asked for a second certified technician slot in the spring training; agreed."),
    ),
    ("nefeli", "partners", "alfa"): (
        (60, "Good at closing small accounting offices; weak on onboarding. Offered a joint onboarding webinar."),
    ),
    ("nefeli", "partners", "pireas"): (
        (95, "Two quarters of invoices unpaid; finance sent the final reminder."),
        (40, "Suspended until the account is settled. Their three open customers moved to ErgoTech for support."),
    ),
    ("nefeli", "partners", "messinia"): (
        (150, "Referral partner in Kalamata; sent two good leads last year, nothing since."),
    ),
    ("nefeli", "partners", "dodeca"): ((10, "Onboarding: agreement signed, waiting for the first training module."),),
    ("voltera", "resellers", "berliner"): (
        (200, "Gold reseller since launch; biggest share of smart-meter rollouts in Berlin and Brandenburg."),
        (25, "Discussed a joint booth at E-world; they cover half of the cost from their co-op fund."),
    ),
    ("voltera", "resellers", "carpati"): (
        (50, "Sold below the agreed minimum price in a public tender in Cluj; second time this year."),
    ),
    ("voltera", "resellers", "helladist"): (
        (80, "Distributor for Greece and Cyprus; wants exclusivity for the Cyclades islands project. Declined."),
    ),
    ("voltera", "resellers", "adriatica"): (
        (12, "Onboarding slowly: nobody has opened the portal since the invitation. Call their admin."),
    ),
}

#: Why the demo's suspended and terminated partnerships are so: (vendor, program, partner) → (from, reason, days ago).
STATUS_REASONS: dict[tuple[str, str, str], tuple[str, str, int]] = {
    ("nefeli", "partners", "pireas"): (
        "active",
        "Invoices unpaid for two quarters; suspended until the account is settled.",
        40,
    ),
    ("nefeli", "partners", "plovdiv"): ("active", "Stopped selling Nefeli and moved to a competitor.", 90),
    ("voltera", "resellers", "carpati"): (
        "active",
        "Sold below the agreed minimum price in a public tender, against the partner agreement.",
        45,
    ),
    ("voltera", "resellers", "donau"): ("active", "Company acquired; partnership ended by mutual agreement.", 300),
}

#: Partner key → what it publishes, whether it is in the ecosystem directory, and the locators it joins.
PROFILES: dict[str, dict[str, Any]] = {
    "ergotech": {
        "description": "Managed IT for accounting and legal offices across Attica and Central Macedonia: cloud "
        "ledgers, backups, security and a help desk that answers in Greek and English.",
        "regions": ["GR-I", "GR-B"],
        "specializations": ["cloud", "managed_services", "security"],
        "industries": ["accounting", "legal"],
        "ecosystem": True,
        "locators": [("nefeli", "partners"), ("voltera", "resellers")],
    },
    "alfa": {
        "description": "Λογισμικό και υπηρεσίες για λογιστικά γραφεία στην Αττική από το 1998.",
        "regions": ["GR-I"],
        "specializations": ["erp", "cloud"],
        "industries": ["accounting"],
        "ecosystem": False,
        "locators": [("nefeli", "partners")],
    },
    "thermaikos": {
        "description": "Digital agency in Thessaloniki: websites, e-shops and campaigns for small businesses.",
        "regions": ["GR-B", "GR-A"],
        "specializations": ["marketing", "ecommerce"],
        "industries": ["retail", "hospitality"],
        "ecosystem": True,
        "locators": [("nefeli", "partners")],
    },
    "knossos": {
        "description": "Managed services for hotels and accountants in Crete.",
        "regions": ["GR-M"],
        "specializations": ["managed_services", "networking"],
        "industries": ["hospitality", "accounting"],
        "ecosystem": False,
        "locators": [("nefeli", "partners")],
    },
    "limassoltech": {
        "description": "Cloud accounting roll-outs and support for Cypriot firms and shipping companies.",
        "regions": ["CY-02", "CY-01", "CY-03"],
        "specializations": ["cloud", "erp"],
        "industries": ["accounting", "logistics"],
        "ecosystem": True,
        "locators": [("nefeli", "partners")],
    },
    "berliner": {
        "description": "System house for utilities and municipalities in Berlin and Brandenburg: metering, "
        "networks and the software that reads them.",
        "regions": ["DE-BE", "DE-BB"],
        "specializations": ["energy", "iot", "networking"],
        "industries": ["energy", "public_sector"],
        "ecosystem": True,
        "locators": [("voltera", "resellers"), ("nefeli", "partners")],
    },
    "isar": {
        "description": "Industrial automation for Bavarian manufacturers, from PLCs to dashboards.",
        "regions": ["DE-BY", "DE-BW"],
        "specializations": ["automation", "iot"],
        "industries": ["manufacturing"],
        "ecosystem": False,
        "locators": [("voltera", "resellers")],
    },
    "helladist": {
        "description": "Ηλεκτρονικά και συστήματα μέτρησης: διανομή σε Ελλάδα και Κύπρο.",
        "regions": ["GR-I", "GR-B", "CY-01"],
        "specializations": ["energy", "iot"],
        "industries": ["energy", "construction"],
        "ecosystem": True,
        "locators": [("voltera", "resellers")],
    },
    "maasindustrial": {
        "description": "Port and logistics automation around Rotterdam.",
        "regions": ["NL-ZH", "NL-NH"],
        "specializations": ["automation", "data"],
        "industries": ["logistics", "manufacturing"],
        "ecosystem": True,
        "locators": [("voltera", "resellers")],
    },
    "nordlicht": {
        "description": "IT services for the Hamburg harbour and its suppliers.",
        "regions": ["DE-HH"],
        "specializations": ["networking", "managed_services"],
        "industries": ["logistics"],
        "ecosystem": True,
        "locators": [],
    },
    "wisla": {
        "description": "Automation and metering for factories in Małopolska.",
        "regions": ["PL-12"],
        "specializations": ["automation", "energy"],
        "industries": ["manufacturing", "energy"],
        "ecosystem": True,
        "locators": [("voltera", "resellers")],
    },
}

#: A partner that has gone quiet: no sign-in and no change for longer than the inactivity window.
INACTIVE: tuple[str, str, str] = ("nefeli", "partners", "messinia")
INACTIVE_FOR_DAYS = 130


def load() -> None:
    """Add this area's demo rows to the demo vendors (idempotent)."""
    now = timezone.now()
    vendors = {o.slug: o for o in Organization.objects.filter(slug__in=data.VENDOR_SLUGS, is_vendor=True)}
    if not vendors:
        return
    for (vendor_slug, program_slug, key), notes in NOTES.items():
        partnership = _partnership(vendors, vendor_slug, program_slug, key)
        if partnership is None:
            continue
        ws = _staff_workspace(vendors[vendor_slug], Role.PARTNER_ACCOUNT_MANAGER)
        for days, text in notes:
            if PartnerNote.objects.for_vendor(ws.vendor).filter(partnership=partnership, text=text).exists():
                continue
            note = services.note_create(workspace=ws, partnership=partnership, text=text)
            PartnerNote.objects.for_vendor(ws.vendor).filter(pk=note.pk).update(created_at=now - timedelta(days=days))

    for (vendor_slug, program_slug, key), (from_status, reason, days) in STATUS_REASONS.items():
        partnership = _partnership(vendors, vendor_slug, program_slug, key)
        if partnership is None:
            continue
        vendor = vendors[vendor_slug]
        if PartnershipStatusChange.objects.for_vendor(vendor).filter(partnership=partnership).exists():
            continue
        # The demo starts these partnerships already suspended or terminated; record why, as it happened.
        ws = _staff_workspace(vendor, Role.CHANNEL_MANAGER)
        change = PartnershipStatusChange.objects.create(
            vendor=vendor,
            partnership=partnership,
            from_status=from_status,
            to_status=partnership.status,
            reason=reason,
            actor=ws.user,
        )
        PartnershipStatusChange.objects.for_vendor(vendor).filter(pk=change.pk).update(
            created_at=now - timedelta(days=days)
        )
        action = (
            "partnership.suspend" if partnership.status == Partnership.Status.SUSPENDED else "partnership.terminate"
        )
        audit.record(
            workspace=ws,
            action=action,
            obj=partnership,
            changes={"status": [from_status, partnership.status], "reason": [None, reason]},
        )

    for key, spec in PROFILES.items():
        _publish_profile(vendors, key, spec)

    vendor_slug, program_slug, key = INACTIVE
    partnership = _partnership(vendors, vendor_slug, program_slug, key)
    if partnership is not None:
        # ``update`` leaves auto_now alone, so the partnership looks untouched for months.
        Partnership.objects.for_vendor(partnership.vendor_id).filter(pk=partnership.pk).update(
            updated_at=now - timedelta(days=INACTIVE_FOR_DAYS)
        )


def _partner_admin(key: str) -> Membership | None:
    return (
        Membership.objects.select_related("organization", "user")
        .filter(user__email=f"admin@{key}{data.DEMO_EMAIL_SUFFIX}", role=Role.PARTNER_ADMIN)
        .first()
    )


def _partnership(vendors: dict[str, Organization], vendor_slug: str, program_slug: str, key: str) -> Partnership | None:
    admin = _partner_admin(key)
    vendor = vendors.get(vendor_slug)
    if admin is None or vendor is None:
        return None
    program = Program.objects.for_vendor(vendor).filter(slug=program_slug).first()
    return (
        Partnership.objects.for_vendor(vendor)
        .select_related("partner", "program")
        .filter(program=program, partner=admin.organization)
        .first()
    )


def _staff_workspace(vendor: Organization, role: Role) -> Workspace:
    member = (
        Membership.objects.select_related("user", "organization").filter(organization=vendor, role=role).earliest("pk")
    )
    return Workspace(user=member.user, membership=member, vendor=vendor, kind="vendor")


def _publish_profile(vendors: dict[str, Organization], key: str, spec: dict[str, Any]) -> None:
    """Save the partner's profile from each vendor's portal it can open, opting in to that vendor's locators."""
    admin = _partner_admin(key)
    if admin is None:
        return
    city = next((p.city for p in data.PARTNERS if p.key == key), "")
    live = (
        Partnership.unscoped.filter(
            partner=admin.organization, vendor__in=vendors.values(), status__in=Partnership.PORTAL_STATUSES
        )
        .select_related("vendor", "program")
        .order_by("vendor__slug", "program__slug")
    )
    by_vendor: dict[str, list[Partnership]] = {}
    for p in live:  # deliberately across the demo vendors: one partner organization's own partnerships
        by_vendor.setdefault(p.vendor.slug, []).append(p)
    for vendor_slug, partnerships in by_vendor.items():
        ws = Workspace(user=admin.user, membership=admin, vendor=vendors[vendor_slug], kind="partner")
        wanted = {(vendor_slug, p.program.slug) for p in partnerships} & set(spec["locators"])
        services.directory_profile_update(
            workspace=ws,
            listed_in_ecosystem=spec["ecosystem"],
            description=spec["description"],
            city=city,
            regions=spec["regions"],
            specializations=spec["specializations"],
            industries=spec["industries"],
            locator_partnership_ids=[p.pk for p in partnerships if (vendor_slug, p.program.slug) in wanted],
        )
