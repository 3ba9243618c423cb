"""Lead import benchmark: a 10,000-row CSV checked, imported and routed, against row-by-row creation.

Run from the repository root: ``.venv/bin/python bench/lead_import.py``
(``N_LEADS=2000`` in the environment for a quick run). It builds its own
SQLite database in a temporary folder (migrated from scratch, deleted at the
end), so it never touches ``var/``.

* Data: one vendor and program with 240 active partnerships in 24 Greek and
  EU cities (offices with coordinates, served countries and regions,
  industries, languages, capacities); a CSV in the Kanali template with
  10,000 seeded synthetic leads around the same cities, written with Greek
  and English names, national phone numbers and a few duplicates.
* Settings: the embedded profile (SQLite in WAL mode, tasks queued in the
  database), DEBUG off.
* Measured: ``import_check`` (read, clean every row with the offline look-ups,
  count duplicates, store the dry run) and ``import_commit`` (bulk create
  and one ``route_leads`` call for every lead), split into creation and
  routing. Target: check + commit of 10,000 leads in 30 s or less.
* Baseline: what a form or API loop does one lead at a time, through the
  same services: ``lead_create`` per row (clean, duplicate check, insert,
  history, audit) with ``route_leads`` for that one lead. Timed on a sample
  and scaled to the file's size.
"""

from __future__ import annotations

import csv
import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 20_251_126
N_LEADS = int(os.environ.get("N_LEADS", 10_000))
N_PARTNERS = 240
BASELINE_SAMPLE = int(os.environ.get("BASELINE_SAMPLE", 100))
TARGET_SECONDS = 30.0

# City (English, Greek or local spelling as a lead would write it), country, ISO 3166-2 region, lat, lon, language.
CITIES: tuple[tuple[str, str, str, str, float, float, str], ...] = (
    ("Athens", "Αθήνα", "GR", "GR-I", 37.9838, 23.7275, "el"),
    ("Piraeus", "Πειραιάς", "GR", "GR-I", 37.9420, 23.6465, "el"),
    ("Thessaloniki", "Θεσσαλονίκη", "GR", "GR-B", 40.6401, 22.9444, "el"),
    ("Patras", "Πάτρα", "GR", "GR-G", 38.2466, 21.7346, "el"),
    ("Heraklion", "Ηράκλειο", "GR", "GR-M", 35.3387, 25.1442, "el"),
    ("Larissa", "Λάρισα", "GR", "GR-E", 39.6390, 22.4191, "el"),
    ("Volos", "Βόλος", "GR", "GR-E", 39.3622, 22.9420, "el"),
    ("Ioannina", "Ιωάννινα", "GR", "GR-D", 39.6650, 20.8537, "el"),
    ("Kavala", "Καβάλα", "GR", "GR-A", 40.9396, 24.4069, "el"),
    ("Chania", "Χανιά", "GR", "GR-M", 35.5138, 24.0180, "el"),
    ("Rhodes", "Ρόδος", "GR", "GR-L", 36.4341, 28.2176, "el"),
    ("Kalamata", "Καλαμάτα", "GR", "GR-J", 37.0389, 22.1142, "el"),
    ("Nicosia", "Λευκωσία", "CY", "CY-01", 35.1856, 33.3823, "el"),
    ("Limassol", "Λεμεσός", "CY", "CY-02", 34.7071, 33.0226, "el"),
    ("Sofia", "Sofia", "BG", "BG-22", 42.6977, 23.3219, "bg"),
    ("Bucharest", "București", "RO", "RO-B", 44.4268, 26.1025, "ro"),
    ("Munich", "München", "DE", "DE-BY", 48.1351, 11.5820, "de"),
    ("Berlin", "Berlin", "DE", "DE-BE", 52.5200, 13.4050, "de"),
    ("Milan", "Milano", "IT", "IT-25", 45.4642, 9.1900, "it"),
    ("Rome", "Roma", "IT", "IT-62", 41.9028, 12.4964, "it"),
    ("Vienna", "Wien", "AT", "AT-9", 48.2082, 16.3738, "de"),
    ("Lyon", "Lyon", "FR", "FR-ARA", 45.7640, 4.8357, "fr"),
    ("Madrid", "Madrid", "ES", "ES-MD", 40.4168, -3.7038, "es"),
    ("Lisbon", "Lisboa", "PT", "PT-11", 38.7223, -9.1393, "pt"),
)
COUNTRY_NAMES = {"GR": ("Greece", "Ελλάδα", "GR"), "CY": ("Cyprus", "Κύπρος", "CY")}
PHONES = {
    "GR": "210 {a:03d} {b:04d}",
    "CY": "22 {a:03d} {b:03d}",
    "BG": "+359 2 {a:03d} {b:04d}",
    "RO": "+40 21 {a:03d} {b:04d}",
    "DE": "+49 89 {a:03d} {b:04d}",
    "IT": "+39 02 {a:04d} {b:04d}",
    "AT": "+43 1 5{b:02d} {a:04d}",
    "FR": "+33 4 72 {b:02d} 67 34",
    "ES": "+34 91 {a:03d} {b:04d}",
    "PT": "+351 21 {a:03d} {b:04d}",
}
INDUSTRIES = ("Retail", "Hospitality", "Manufacturing", "Accounting", "Healthcare", "Logistics", "Education")
PRODUCTS = ("Cloud ledger", "Payroll", "Point of sale", "Inventory")
WORDS = ("Olympus", "Aegean", "Delta", "Helios", "Ionian", "Nova", "Atlas", "Orion", "Kriti", "Vertex", "Alpha")


def setup_django(folder: Path) -> None:
    """A fresh SQLite file with the current schema (created from the models, as the test runner does).

    The embedded profile as ``make run`` has it, minus DEBUG: tasks (offer
    e-mails, reminders, expiries) are queued in the database for the worker,
    so their cost here is the enqueueing a real import pays.
    """
    os.environ["KANALI_ENV"] = "development"
    os.environ["DEBUG"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'unused.sqlite3'}"
    os.environ["TEST_DATABASE_NAME"] = str(folder / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanali.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # Replaying every migration on SQLite takes half a minute; the tables are the same.
    settings.DATABASES["default"]["TEST"]["MIGRATE"] = False
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def build_world(rng: random.Random) -> tuple[object, object]:
    """One vendor, its owner's workspace and program, and N_PARTNERS active partnerships with routing profiles."""
    from kanali.accounts.models import User
    from kanali.core.models import Membership, Organization, Partnership, Program
    from kanali.core.roles import Role
    from kanali.core.workspace import resolve_vendor_workspace
    from kanali.leads.models import LeadSettings, RoutingProfile

    user = User.objects.create_user(email="owner@bench.example.com", password="x" * 20)
    vendor = Organization.objects.create(name="Bench Vendor", slug="bench", country="GR", is_vendor=True)
    Membership.objects.create(user=user, organization=vendor, role=Role.OWNER)
    program = Program.objects.create(vendor=vendor, name="Resellers", slug="resellers", status="published")
    LeadSettings.objects.create(vendor=vendor, program=program)
    partners = Organization.objects.bulk_create(
        [
            Organization(name=f"Partner {n}", slug=f"partner-{n}", country=CITIES[n % len(CITIES)][2], is_partner=True)
            for n in range(N_PARTNERS)
        ]
    )
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(vendor=vendor, program=program, partner=org, status="active", partner_type="var")
            for org in partners
        ]
    )
    profiles = []
    for n, partnership in enumerate(partnerships):
        _, _, country, region, lat, lon, language = CITIES[n % len(CITIES)]
        scope = rng.random()
        profiles.append(
            RoutingProfile(
                vendor=vendor,
                partnership=partnership,
                countries=["*"] if scope < 0.05 else [country],
                regions=[region] if scope > 0.7 else [],
                languages=[language, "en"],
                industries=rng.sample(INDUSTRIES, 2),
                specializations=[],
                offices=[{"city": "", "country": country, "lat": lat, "lon": lon}],
                capacity=rng.choice((None, 200, 500, 2000)),
            )
        )
    RoutingProfile.objects.bulk_create(profiles)
    workspace = resolve_vendor_workspace(user, vendor.slug)
    if workspace is None:
        raise RuntimeError("the owner has no workspace")
    return workspace, program


def lead_rows(rng: random.Random, n: int, start: int = 0) -> list[dict[str, str]]:
    rows = []
    for i in range(start, start + n):
        english, local, country, region, _lat, _lon, language = CITIES[rng.randrange(len(CITIES))]
        company = f"{rng.choice(WORDS)} {rng.choice(INDUSTRIES)} {i}"
        domain = f"lead{i}.example.com" if rng.random() > 0.02 else f"lead{max(start, i - 1)}.example.com"
        names = COUNTRY_NAMES.get(country, (country,))
        rows.append(
            {
                "company": company,
                "contact_name": f"Contact {i}",
                "email": f"contact{i}@{domain}",
                "phone": PHONES[country].format(a=rng.randrange(100, 999), b=rng.randrange(10, 99)),
                "country": rng.choice(names),
                "region": region if rng.random() < 0.5 else "",
                "city": local if rng.random() < 0.5 else english,
                "industry": rng.choice(INDUSTRIES),
                "product": rng.choice(PRODUCTS),
                "estimated_value": str(rng.choice((800, 2500, 6000, 15000, 40000, 120000))),
                "currency": "EUR",
                "language": language,
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="kanali-bench-"))
    try:
        started = time.perf_counter()
        setup_django(folder)
        migrate_s = time.perf_counter() - started

        from django.db import connection, transaction
        from django_tasks_db.models import DBTaskResult

        from kanali.leads import lookups, services
        from kanali.leads.models import Lead, Offer, RoutingDecision
        from kanali.leads.services_intake import import_check, import_commit, lead_create

        rng = random.Random(SEED)
        workspace, program = build_world(rng)
        content = to_csv(lead_rows(rng, N_LEADS))
        # The offline look-up data (GeoNames towns, country names) is read once per process; a running
        # server has it already, so it is loaded (and timed) apart from the import.
        t0 = time.perf_counter()
        lookups.city_coordinates("Athens", "GR")
        lookups.country_code("Greece")
        warm_s = time.perf_counter() - t0

        routing_time = [0.0]
        real_route = services.route_leads

        def timed_route(**kwargs: object) -> object:
            t = time.perf_counter()
            try:
                return real_route(**kwargs)  # type: ignore[arg-type]
            finally:
                routing_time[0] += time.perf_counter() - t

        services.route_leads = timed_route  # type: ignore[assignment]

        t0 = time.perf_counter()
        lead_import = import_check(workspace=workspace, program=program, content=content, filename="leads.csv")
        check_s = time.perf_counter() - t0
        if lead_import.error_count:
            print("rows with errors:", lead_import.errors[:5])
            return 1
        queued_before = DBTaskResult.objects.count()
        t0 = time.perf_counter()
        # The same single transaction import_commit opens, held here to time the after-commit work apart
        # (offer e-mails, reminders and expiries queued for the worker).
        with transaction.atomic():
            leads = import_commit(workspace=workspace, lead_import=lead_import)
            t_commit = time.perf_counter()
        commit_s = time.perf_counter() - t0
        on_commit_s = time.perf_counter() - t_commit
        route_s = routing_time[0]
        queued = DBTaskResult.objects.count() - queued_before
        total_s = check_s + commit_s

        vendor = program.vendor  # type: ignore[attr-defined]
        offered = Offer.objects.for_vendor(vendor).filter(lead__in=[lead.pk for lead in leads[:1]]).count()
        decisions = RoutingDecision.objects.for_vendor(vendor).count()
        statuses: dict[str, int] = {}
        for status in Lead.objects.for_vendor(vendor).values_list("status", flat=True):
            statuses[status] = statuses.get(status, 0) + 1
        located = Lead.objects.for_vendor(vendor).filter(latitude__isnull=False).count()

        # Baseline: one lead at a time through lead_create (which routes it on its own).
        sample = lead_rows(random.Random(SEED + 1), BASELINE_SAMPLE, start=N_LEADS * 10)
        routing_time[0] = 0.0
        t0 = time.perf_counter()
        for row in sample:
            lead_create(workspace=workspace, program=program, data=row, source=Lead.Source.FORM)
        baseline_s = time.perf_counter() - t0
        baseline_route_s = routing_time[0]
        services.route_leads = real_route  # type: ignore[assignment]
        per_lead_ms = baseline_s / BASELINE_SAMPLE * 1000
        baseline_total = per_lead_ms * N_LEADS / 1000

        sqlite = connection.Database.sqlite_version
        print(f"Lead import benchmark — Python {platform.python_version()}, SQLite {sqlite}")
        print(f"  setup: schema {migrate_s:.1f} s; {N_PARTNERS} active partnerships; CSV {len(content) / 1e6:.1f} MB")
        print(f"  look-up data loaded once per process: {warm_s:.1f} s (not in the import's time)")
        print(f"  rows: {lead_import.row_count:,}; possible duplicates: {lead_import.duplicate_count:,}")
        print(f"  coordinates found from the city: {located:,} of {len(leads):,}")
        print(f"  decisions stored: {decisions:,}; statuses: {statuses}")
        print(f"  first lead has {offered} offer(s)")
        print("Import (dry run + commit, one route_leads call):")
        print(f"  check : {check_s:6.2f} s  ({lead_import.row_count / check_s:,.0f} rows/s)")
        create_s = commit_s - route_s - on_commit_s
        print(
            f"  commit: {commit_s:6.2f} s  (create {create_s:.2f} s + route {route_s:.2f} s"
            f" + after commit {on_commit_s:.2f} s; {queued:,} tasks queued)"
        )
        print(f"  total : {total_s:6.2f} s  ({len(leads) / total_s:,.0f} leads/s)   target ≤ {TARGET_SECONDS:.0f} s")
        print(f"Baseline (lead_create + route_leads one lead at a time, {BASELINE_SAMPLE} leads):")
        print(f"  {per_lead_ms:.1f} ms per lead (routing {baseline_route_s / BASELINE_SAMPLE * 1000:.1f} ms)")
        speedup = baseline_total / total_s
        print(f"  → {baseline_total:,.1f} s for {N_LEADS:,} leads; the import is {speedup:.1f}× faster")
        met = total_s <= TARGET_SECONDS * N_LEADS / 10_000
        print(f"Target {'met' if met else 'MISSED'}: {total_s:.1f} s for {N_LEADS:,} leads")
        return 0 if met else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
