"""Demo data of the partner lifecycle: applications in every state, scored on the selection matrix.

The demo's "applied" partnerships (Thraki Net and Liffey with Nefeli, Brno and
Meuse with Voltera) get the application behind them, linked to their company;
a few approved partners get the application that brought them in; and new
companies that are not on Kanali yet wait for review or were turned down.
Rows are written as history (no e-mails go out); reviewers' scores go
through the scoring service so the totals and the audit log are real.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, NamedTuple

from django.utils import timezone

from kanali.accounts.models import User
from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.designer.selectors import selection_criteria
from kanali.partners.models_applications import Application
from kanali.partners.selectors_applications import score_sheet
from kanali.partners.services_applications import application_score

S = Application.Status


class AppSpec(NamedTuple):
    company: str
    partner_key: str  # demo partner's e-mail domain (linked to its organization) or "" for a new company
    partner_type: str
    country: str
    regions: tuple[str, ...]
    team_size: int
    certified: int
    revenue: str
    references: tuple[str, ...]
    status: str
    days_ago: int
    quality: int = 3  # how reviewers judge what the data cannot tell (1–5)
    industries: tuple[str, ...] = ()
    specializations: tuple[str, ...] = ()
    reason: str = ""


NEFELI_APPS = (
    AppSpec(
        "Thraki Net",
        "evros",
        "var",
        "GR",
        ("GR-A", "GR-B"),
        8,
        1,
        "500k_2m",
        ("Xanthi Tobacco Co-op: invoicing roll-out", "Komotini Dental Group: cloud backup"),
        S.UNDER_REVIEW,
        9,
        4,
        ("Retail", "Agriculture"),
        ("Invoicing", "Networks"),
    ),
    AppSpec(
        "Liffey Partners Ltd",
        "liffey",
        "referral",
        "IE",
        ("IE-D",),
        4,
        0,
        "under_500k",
        (),
        S.SUBMITTED,
        2,
        2,
        ("Professional services",),
        ("Advisory",),
    ),
    AppSpec(
        "Dodeca Systems",
        "dodeca",
        "msp",
        "GR",
        ("GR-L",),
        14,
        3,
        "2m_10m",
        ("Rhodes Hoteliers' Association: managed desktops", "Kos Marina: back-office cloud", "Lindos Villas"),
        S.APPROVED,
        70,
        4,
        ("Hospitality",),
        ("Managed IT", "Cloud migration"),
    ),
    AppSpec(
        "Lusitânia Tecnologia Lda",
        "lusitania",
        "consultant",
        "PT",
        ("PT-11",),
        6,
        2,
        "500k_2m",
        ("Lisbon Bakery Chain: ERP selection",),
        S.APPROVED,
        40,
        3,
        ("Food and beverage",),
        ("ERP consulting",),
    ),
    AppSpec(
        "Patras Cloud Works",
        "",
        "msp",
        "GR",
        ("GR-G", "GR-I"),
        11,
        2,
        "500k_2m",
        ("Achaia Logistics: hosted ERP", "Patras Port Authority: helpdesk"),
        S.UNDER_REVIEW,
        6,
        4,
        ("Logistics",),
        ("Managed IT",),
    ),
    AppSpec(
        "Chalkida Accounting Partners",
        "",
        "consultant",
        "GR",
        ("GR-H",),
        12,
        2,
        "500k_2m",
        ("Evia Olive Oil Co-op: monthly bookkeeping",),
        S.SUBMITTED,
        1,
        3,
        ("Accounting",),
        ("Payroll", "VAT"),
    ),
    AppSpec(
        "Zakynthos Print House",
        "",
        "referral",
        "GR",
        ("GR-F",),
        3,
        0,
        "under_500k",
        (),
        S.REJECTED,
        25,
        1,
        ("Printing",),
        (),
        "We only work with partners who sell or implement software; a print shop's referrals are not a fit "
        "for the program today. You are welcome to apply again when you offer IT services.",
    ),
)

VOLTERA_APPS = (
    AppSpec(
        "Brno Smart Metering s.r.o.",
        "brno",
        "si",
        "CZ",
        ("CZ-64", "AT-3"),
        22,
        4,
        "2m_10m",
        ("Brno Waterworks: pump vibration monitoring", "Znojmo Winery: cold-chain sensors", "Mikulov Foundry"),
        S.UNDER_REVIEW,
        12,
        4,
        ("Utilities", "Manufacturing"),
        ("Condition monitoring", "SCADA"),
    ),
    AppSpec(
        "Meuse Automation SRL",
        "meuse",
        "var",
        "BE",
        ("BE-WLG", "NL-LI"),
        9,
        1,
        "500k_2m",
        ("Liège Steel Services: drive retrofits",),
        S.SUBMITTED,
        3,
        3,
        ("Steel",),
        ("Drives",),
    ),
    AppSpec(
        "Valencia Digital S.L.",
        "valenciadigital",
        "var",
        "ES",
        ("ES-V",),
        7,
        1,
        "500k_2m",
        ("Port of Valencia cranes: sensor pilot",),
        S.APPROVED,
        45,
        3,
        ("Ports",),
        ("IoT",),
    ),
    AppSpec(
        "Porto Sistemas Lda",
        "portosistemas",
        "var",
        "PT",
        ("PT-13",),
        10,
        2,
        "2m_10m",
        ("Porto Textile Mill: motor monitoring", "Douro Bottling: line sensors"),
        S.APPROVED,
        75,
        4,
        ("Textiles", "Beverages"),
        ("Automation",),
    ),
    AppSpec(
        "Linz Antriebstechnik GmbH",
        "",
        "si",
        "AT",
        ("AT-4", "DE-BY"),
        48,
        9,
        "10m_50m",
        (
            "voestalpine supplier: predictive maintenance on 40 pumps",
            "Passau Paper Mill",
            "Wels Plastics",
            "Steyr Gearworks: maintenance as a service",
        ),
        S.UNDER_REVIEW,
        5,
        5,
        ("Manufacturing", "Paper"),
        ("Predictive maintenance", "PLC"),
    ),
    AppSpec(
        "Rotterdam Sensor Systems B.V.",
        "",
        "si",
        "NL",
        ("NL-ZH",),
        16,
        3,
        "2m_10m",
        ("Europoort tank terminal: leak sensors", "Delft Campus HVAC"),
        S.SUBMITTED,
        1,
        4,
        ("Energy", "Chemicals"),
        ("Sensors", "OT security"),
    ),
    AppSpec(
        "Sofia Home Electronics EOOD",
        "",
        "var",
        "BG",
        ("BG-22",),
        5,
        0,
        "under_500k",
        (),
        S.REJECTED,
        30,
        1,
        ("Consumer electronics",),
        (),
        "Our devices are sold to industrial maintenance teams; a consumer electronics retailer without field "
        "technicians cannot install or support them.",
    ),
)

DEMO_APPLICATIONS: tuple[tuple[str, str, tuple[AppSpec, ...]], ...] = (
    ("nefeli", "partners", NEFELI_APPS),
    ("voltera", "resellers", VOLTERA_APPS),
)

#: Contacts of the companies not on Kanali yet, by country.
CONTACTS = {
    "GR": "Vasilis Andreou",
    "AT": "Katharina Leitner",
    "NL": "Joost van Dijk",
    "BG": "Petar Kolev",
}

NOTES = {
    5: "Strong fit; references checked by phone.",
    4: "Good fit, a few gaps to close during onboarding.",
    3: "Average; would need enablement.",
    2: "Weak on this point.",
    1: "Does not meet this criterion.",
}


def _staff_workspace(vendor: Organization, role: Role) -> Workspace:
    m = Membership.objects.select_related("user").filter(organization=vendor, role=role).earliest("pk")
    return Workspace(user=m.user, membership=m, vendor=vendor, kind="vendor")


def _score(workspace: Workspace, application: Application, spec: AppSpec, offset: int) -> None:
    """A reviewer's scores: the data's pre-score where there is one, their judgement elsewhere, nudged a little."""
    sheet = score_sheet(application)
    scores: dict[int, tuple[int | None, str]] = {}
    for n, row in enumerate(sheet.rows):
        base = row.pre_score if row.pre_score is not None else spec.quality
        value = max(1, min(5, base + (offset if n % 2 else 0)))
        scores[row.criterion.pk] = (value, NOTES[value] if n == 0 else "")
    application_score(workspace=workspace, application=application, scores=scores)


def _create(vendor: Organization, program: Program, spec: AppSpec, reviewers: list[Workspace], now: Any) -> None:
    org = None
    submitted_by = None
    if spec.partner_key:
        admin = User.objects.filter(email=f"admin@{spec.partner_key}.example").first()
        membership = (
            Membership.objects.select_related("organization").filter(user=admin, role=Role.PARTNER_ADMIN).first()
        )
        if membership is not None:
            org, submitted_by = membership.organization, admin
    contact = submitted_by.get_full_name() if submitted_by else CONTACTS.get(spec.country, "Alex Morgan")
    domain = spec.partner_key or spec.company.split()[0].lower()
    app = Application.objects.create(
        vendor=vendor,
        program=program,
        organization=org,
        submitted_by=submitted_by,
        company_name=org.name if org else spec.company,
        vat_number=org.vat_number if org else "",
        website=org.website if org else f"https://{domain}.example",
        country=spec.country,
        regions=list(spec.regions),
        partner_type=spec.partner_type,
        industries=list(spec.industries),
        specializations=list(spec.specializations),
        team_size=spec.team_size,
        certified_people=spec.certified,
        revenue_band=spec.revenue,
        references="\n".join(spec.references),
        motivation=f"We want to grow with {vendor.name} in our region and already serve the customers it targets.",
        contact_name=contact,
        contact_email=submitted_by.email if submitted_by else f"info@{domain}.example",
        nonce=secrets.token_hex(16),
    )
    if spec.status != S.SUBMITTED:
        for offset, ws in zip((0, -1), reviewers if spec.status != S.REJECTED else reviewers[:1], strict=False):
            _score(ws, app, spec, offset)
        app.refresh_from_db()
    sheet = score_sheet(app)
    app.pre_score, app.total_score = sheet.pre_score, sheet.total
    app.status = spec.status
    if spec.status in (S.APPROVED, S.REJECTED):
        app.decided_by = reviewers[0].user
        app.decided_at = now - timedelta(days=max(spec.days_ago - 5, 0))
        app.rejection_reason = spec.reason
        if spec.status == S.APPROVED and org is not None:
            app.partnership = Partnership.objects.for_vendor(vendor).filter(program=program, partner=org).first()
    app.save()
    Application.objects.for_vendor(vendor).filter(pk=app.pk).update(created_at=now - timedelta(days=spec.days_ago))


def load() -> None:
    """Add the demo applications once; running again changes nothing."""
    now = timezone.now()
    for vendor_slug, program_slug, specs in DEMO_APPLICATIONS:
        vendor = Organization.objects.filter(slug=vendor_slug, is_vendor=True).first()
        if vendor is None:
            continue
        program = Program.objects.for_vendor(vendor).filter(slug=program_slug).first()
        if program is None or Application.objects.for_vendor(vendor).filter(program=program).exists():
            continue
        if not selection_criteria(program).exists():
            continue
        reviewers = [
            _staff_workspace(vendor, Role.CHANNEL_MANAGER),
            _staff_workspace(vendor, Role.PARTNER_ACCOUNT_MANAGER),
        ]
        for spec in specs:
            _create(vendor, program, spec, reviewers, now)
