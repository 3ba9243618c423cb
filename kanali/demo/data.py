"""Data tables for ``manage.py demo``: two vendors, their staff, partners and sign-ins.

Kept apart from the command so the README, the Makefile and tests can read the
same names (``DEMO_LOGINS``) without running anything. Every address uses the
reserved ``.example`` TLD, which is also how ``demo --reset`` recognizes demo users.
"""

from __future__ import annotations

from typing import NamedTuple

from kanali.core.roles import Role

DEMO_PASSWORD = "kanali-demo-2026"
DEMO_EMAIL_SUFFIX = ".example"
SUPERUSER = ("admin@kanali.example", "Kanali", "Admin")


class Staff(NamedTuple):
    role: Role
    local: str  # e-mail local part: <local>@<vendor slug>.example
    first_name: str
    last_name: str


class ProgramSpec(NamedTuple):
    slug: str
    name: str
    status: str


class Enrolment(NamedTuple):
    """One partnership: which partner joins which program, as what, and how long ago."""

    partner: str  # PartnerSpec.key
    program: str  # ProgramSpec.slug
    partner_type: str  # catalogue key from design step 4
    status: str
    tier: str = ""
    months_ago: int = 6


class VendorSpec(NamedTuple):
    slug: str
    name: str
    country: str
    vat_number: str
    website: str
    staff: tuple[Staff, ...]
    programs: tuple[ProgramSpec, ...]
    enrolments: tuple[Enrolment, ...]


class PartnerSpec(NamedTuple):
    key: str  # e-mail domain <key>.example; the slug itself comes from unique_slug(name)
    name: str
    country: str
    city: str  # no address fields on Organization yet; kept for the directory and future seeding
    vat_number: str = ""
    technical: bool = False  # also has a partner_technical user


STAFF_ROLES: tuple[tuple[Role, str], ...] = (
    (Role.OWNER, "owner"),
    (Role.CHANNEL_MANAGER, "channel"),
    (Role.PARTNER_ACCOUNT_MANAGER, "pam"),
    (Role.FINANCE, "finance"),
    (Role.SUPPORT_AGENT, "support"),
    (Role.TRAINER, "trainer"),
)


def _staff(*names: tuple[str, str]) -> tuple[Staff, ...]:
    """One person per vendor role, in STAFF_ROLES order, so no vendor misses a role."""
    return tuple(
        Staff(role, local, first, last) for (role, local), (first, last) in zip(STAFF_ROLES, names, strict=True)
    )


PARTNERS: tuple[PartnerSpec, ...] = (
    # Greece
    PartnerSpec("ergotech", "ErgoTech Solutions", "GR", "Athens", "EL801412307", technical=True),
    PartnerSpec("alfa", "Άλφα Πληροφορική Α.Ε.", "GR", "Athens", "EL998123451", technical=True),
    PartnerSpec("thermaikos", "Thermaikos Digital", "GR", "Thessaloniki", "EL800256714"),
    PartnerSpec("axios", "Axios Integrators", "GR", "Thessaloniki", technical=True),
    PartnerSpec("achaia", "Αχαΐα Συστήματα Ε.Π.Ε.", "GR", "Patras", "EL800975432"),
    PartnerSpec("knossos", "Knossos IT Services", "GR", "Heraklion", technical=True),
    PartnerSpec("thessalia", "Θεσσαλία Λογιστικές Λύσεις Ι.Κ.Ε.", "GR", "Larissa"),
    PartnerSpec("epirus", "Epirus Cloud Partners", "GR", "Ioannina", "EL801667899"),
    PartnerSpec("pelion", "Pelion Networks", "GR", "Volos", technical=True),
    PartnerSpec("nestos", "Νέστος Τεχνολογίες Ο.Ε.", "GR", "Kavala"),
    PartnerSpec("chaniaweb", "Chania Web Studio", "GR", "Chania"),
    PartnerSpec("dodeca", "Dodeca Systems", "GR", "Rhodes"),
    PartnerSpec("acropolis", "Acropolis Consulting Group", "GR", "Athens", "EL999543210"),
    PartnerSpec("kifisia", "Kifisia Data Labs", "GR", "Athens", technical=True),
    PartnerSpec("pireas", "Piraeus Marine IT", "GR", "Piraeus"),
    PartnerSpec("messinia", "Μεσσηνία Ψηφιακή Ι.Κ.Ε.", "GR", "Kalamata"),
    PartnerSpec("ionianbytes", "Ionian Bytes", "GR", "Corfu"),
    PartnerSpec("evros", "Thraki Net", "GR", "Alexandroupoli"),
    PartnerSpec("helladist", "Ελληνική Διανομή Ηλεκτρονικών Α.Ε.", "GR", "Athens", "EL801901127"),
    PartnerSpec("kozani", "Kozani Energy Systems", "GR", "Kozani", "EL800773453", technical=True),
    # Cyprus
    PartnerSpec("limassoltech", "Limassol Tech Partners Ltd", "CY", "Limassol"),
    PartnerSpec("lefkosia", "Λευκωσία Software Ltd", "CY", "Nicosia"),
    # Rest of the EU
    PartnerSpec("berliner", "Berliner Systemhaus GmbH", "DE", "Berlin", technical=True),
    PartnerSpec("nordlicht", "Nordlicht IT GmbH", "DE", "Hamburg"),
    PartnerSpec("isar", "Isar Automation GmbH", "DE", "Munich", technical=True),
    PartnerSpec("ruhrdata", "Ruhr Datentechnik GmbH", "DE", "Dortmund"),
    PartnerSpec("atelier", "Atelier Numérique SARL", "FR", "Lyon"),
    PartnerSpec("provence", "Provence Réseaux SAS", "FR", "Marseille", technical=True),
    PartnerSpec("adriatica", "Soluzioni Adriatiche S.r.l.", "IT", "Bari"),
    PartnerSpec("milanocloud", "Milano Cloud Lab S.r.l.", "IT", "Milan", technical=True),
    PartnerSpec("iberica", "Sistemas Ibéricos S.L.", "ES", "Madrid"),
    PartnerSpec("valenciadigital", "Valencia Digital S.L.", "ES", "Valencia"),
    PartnerSpec("grachten", "Grachten IT B.V.", "NL", "Amsterdam"),
    PartnerSpec("maasindustrial", "Maas Industrial Solutions B.V.", "NL", "Rotterdam", technical=True),
    PartnerSpec("balkansoft", "Balkan Soft EOOD", "BG", "Sofia", technical=True),
    PartnerSpec("plovdiv", "Plovdiv Systems OOD", "BG", "Plovdiv"),
    PartnerSpec("carpati", "Carpați Tech SRL", "RO", "Cluj-Napoca"),
    PartnerSpec("dunarea", "Dunărea Distribution SRL", "RO", "Bucharest"),
    PartnerSpec("alpenland", "Alpenland Elektronik GmbH", "AT", "Graz", technical=True),
    PartnerSpec("donau", "Donau Industrietechnik GmbH", "AT", "Vienna"),
    PartnerSpec("lusitania", "Lusitânia Tecnologia Lda", "PT", "Lisbon"),
    PartnerSpec("portosistemas", "Porto Sistemas Lda", "PT", "Porto"),
    PartnerSpec("wisla", "Wisła Automatyka Sp. z o.o.", "PL", "Kraków"),
    PartnerSpec("brno", "Brno Smart Metering s.r.o.", "CZ", "Brno"),
    PartnerSpec("meuse", "Meuse Automation SRL", "BE", "Liège"),
    PartnerSpec("liffey", "Liffey Partners Ltd", "IE", "Dublin"),
)

E = Enrolment

NEFELI = VendorSpec(
    slug="nefeli",
    name="Nefeli Cloud",
    country="GR",
    vat_number="EL094014201",
    website="https://nefeli.example",
    staff=_staff(
        ("Maria", "Papadaki"),  # owner
        ("Nikos", "Georgiou"),  # channel manager
        ("Eleni", "Konstantinou"),  # partner account manager
        ("Giorgos", "Alexiou"),  # finance
        ("Katerina", "Dimitriou"),  # support agent
        ("Dimitris", "Vlachos"),  # trainer
    ),
    programs=(ProgramSpec("partners", "Nefeli Partner Network", "published"),),
    enrolments=(
        E("ergotech", "partners", "msp", "active", "", 26),
        E("alfa", "partners", "var", "active", "", 24),
        E("thermaikos", "partners", "agency", "active", "", 20),
        E("axios", "partners", "si", "active", "", 18),
        E("achaia", "partners", "var", "active", "", 15),
        E("knossos", "partners", "msp", "active", "", 14),
        E("thessalia", "partners", "referral", "active", "", 13),
        E("epirus", "partners", "msp", "active", "", 12),
        E("pelion", "partners", "consultant", "active", "", 11),
        E("nestos", "partners", "var", "active", "", 10),
        E("chaniaweb", "partners", "agency", "active", "", 9),
        E("dodeca", "partners", "msp", "onboarding", "", 2),
        E("acropolis", "partners", "consultant", "active", "", 22),
        E("kifisia", "partners", "isv", "active", "", 16),
        E("pireas", "partners", "si", "suspended", "", 17),
        E("messinia", "partners", "referral", "active", "", 8),
        E("ionianbytes", "partners", "agency", "approved", "", 1),
        E("evros", "partners", "var", "applied", "", 0),
        E("limassoltech", "partners", "msp", "active", "", 12),
        E("lefkosia", "partners", "isv", "onboarding", "", 3),
        E("balkansoft", "partners", "si", "active", "", 7),
        E("plovdiv", "partners", "var", "terminated", "", 19),
        E("carpati", "partners", "msp", "onboarding", "", 2),
        E("milanocloud", "partners", "isv", "active", "", 6),
        E("lusitania", "partners", "consultant", "approved", "", 1),
        E("liffey", "partners", "referral", "applied", "", 0),
        E("grachten", "partners", "consultant", "active", "", 5),
        E("berliner", "partners", "si", "active", "", 4),
    ),
)

VOLTERA = VendorSpec(
    slug="voltera",
    name="Voltera Devices GmbH",
    country="DE",
    vat_number="DE812345673",
    website="https://voltera.example",
    staff=_staff(
        ("Anna", "Becker"),  # owner
        ("Jonas", "Weber"),  # channel manager
        ("Sofia", "Rossi"),  # partner account manager
        ("Lukas", "Fischer"),  # finance
        ("Marta", "Nowak"),  # support agent
        ("Pieter", "de Vries"),  # trainer
    ),
    programs=(
        ProgramSpec("resellers", "Voltera Reseller Program", "published"),
        ProgramSpec("referral", "Voltera Referral Program", "draft"),
    ),
    enrolments=(
        E("ergotech", "resellers", "si", "active", "silver", 14),
        E("axios", "resellers", "si", "onboarding", "", 2),
        E("balkansoft", "resellers", "var", "active", "bronze", 9),
        E("helladist", "resellers", "distributor", "active", "gold", 30),
        E("kozani", "resellers", "oem", "active", "silver", 18),
        E("berliner", "resellers", "var", "active", "gold", 34),
        E("nordlicht", "resellers", "var", "active", "silver", 28),
        E("isar", "resellers", "oem", "active", "gold", 31),
        E("ruhrdata", "resellers", "si", "active", "bronze", 20),
        E("atelier", "resellers", "var", "active", "bronze", 16),
        E("provence", "resellers", "si", "active", "silver", 22),
        E("adriatica", "resellers", "var", "onboarding", "", 3),
        E("milanocloud", "resellers", "isv", "active", "silver", 12),
        E("iberica", "resellers", "distributor", "active", "gold", 25),
        E("valenciadigital", "resellers", "var", "approved", "", 1),
        E("maasindustrial", "resellers", "si", "active", "gold", 27),
        E("grachten", "resellers", "msp", "active", "bronze", 11),
        E("dunarea", "resellers", "distributor", "active", "silver", 19),
        E("carpati", "resellers", "var", "suspended", "bronze", 15),
        E("alpenland", "resellers", "oem", "active", "silver", 21),
        E("donau", "resellers", "si", "terminated", "", 29),
        E("portosistemas", "resellers", "var", "onboarding", "", 2),
        E("wisla", "resellers", "si", "active", "bronze", 10),
        E("brno", "resellers", "isv", "applied", "", 0),
        E("meuse", "resellers", "var", "applied", "", 0),
        E("pelion", "resellers", "msp", "active", "", 8),
        E("thermaikos", "referral", "agency", "active", "", 6),
        E("acropolis", "referral", "referral", "active", "", 7),
        E("liffey", "referral", "referral", "active", "", 5),
        E("lusitania", "referral", "consultant", "approved", "", 1),
    ),
)

VENDORS: tuple[VendorSpec, ...] = (NEFELI, VOLTERA)
VENDOR_SLUGS: tuple[str, ...] = tuple(v.slug for v in VENDORS)

# Partner people are drawn from per-country pools in a fixed order, so every
# run produces the same names. First names are (men, women); a surname written
# "masc/fem" has a feminine form (Greek, Bulgarian, Polish, Czech).
FIRST_NAMES: dict[str, tuple[str, str]] = {
    "GR": (
        "Giorgos Kostas Yannis Panagiotis Christos Stavros Thanos Michalis Alexandros Manolis",
        "Eleni Sofia Despina Ioanna Vasiliki Angeliki Georgia Fotini Chrysa Katerina",
    ),
    "DE": ("Tobias Matthias Florian Stefan Jan", "Julia Katrin Lena Sabine Nina"),
    "AT": ("Florian Markus Lukas", "Elisabeth Theresa Johanna"),
    "FR": ("Julien Antoine Mathieu", "Camille Claire Élodie"),
    "IT": ("Marco Luca Alessandro", "Giulia Chiara Francesca"),
    "ES": ("Javier Pablo Sergio", "Lucía Carmen Marta"),
    "PT": ("João Tiago Miguel", "Inês Beatriz Rita"),
    "NL": ("Daan Bram Ruben", "Sanne Femke Lotte"),
    "BG": ("Ivan Stoyan Nikolay", "Desislava Maria Elitsa"),
    "RO": ("Mihai Radu Andrei", "Andreea Ioana Elena"),
    "PL": ("Piotr Tomasz", "Agnieszka Katarzyna"),
    "CZ": ("Jakub Petr", "Tereza Lucie"),
    "BE": ("Thomas Wouter", "Louise Emma"),
    "IE": ("Conor Cian", "Aoife Siobhán"),
}
SURNAMES: dict[str, str] = {
    "GR": "Papadopoulos/Papadopoulou Nikolaidis/Nikolaidou Karagiannis/Karagianni Oikonomou Makris/Makri Antoniou "
    "Christodoulou Ioannidis/Ioannidou Pappas/Pappa Stavrou Mavridis/Mavridou Theodorou Zervas/Zerva Kyriakou "
    "Samaras/Samara Lambrou Apostolidis/Apostolidou",
    "DE": "Schmidt Hoffmann Wagner Koch Richter Klein Wolf",
    "AT": "Gruber Huber Bauer Pichler",
    "FR": "Martin Bernard Dubois Moreau",
    "IT": "Bianchi Romano Colombo Ricci",
    "ES": "García Fernández López Martínez",
    "PT": "Silva Santos Ferreira Costa",
    "NL": "Jansen Bakker Visser Smit",
    "BG": "Ivanov/Ivanova Georgiev/Georgieva Dimitrov/Dimitrova Petrov/Petrova",
    "RO": "Popescu Ionescu Dumitru Stan",
    "PL": "Kowalski/Kowalska Wiśniewski/Wiśniewska Lewandowski/Lewandowska",
    "CZ": "Novák/Nováková Dvořák/Dvořáková Svoboda/Svobodová",
    "BE": "Peeters Dupont Lambert",
    "IE": "Murphy O'Brien Byrne",
}
NAME_POOL_ALIASES = {"CY": "GR"}

#: Partner users get these e-mail local parts: <local>@<partner key>.example.
PARTNER_USER_ROLES: tuple[tuple[str, Role], ...] = (
    ("admin", Role.PARTNER_ADMIN),
    ("sales", Role.PARTNER_SALES),
    ("tech", Role.PARTNER_TECHNICAL),
)


def name_pool(country: str) -> str:
    """The name pool a country draws from (Cypriot partners get Greek names)."""
    return NAME_POOL_ALIASES.get(country, country)


def person(country: str, n: int) -> tuple[str, str]:
    """The ``n``-th person of a name pool: alternately a man and a woman, surname in the matching form."""
    pool = name_pool(country)
    is_woman = n % 2 == 1
    firsts = FIRST_NAMES[pool][is_woman].split()
    surnames = SURNAMES[pool].split()
    first = firsts[(n // 2) % len(firsts)]
    masc, _, fem = surnames[(n * 3 + n // len(surnames)) % len(surnames)].partition("/")
    return first, (fem or masc) if is_woman else masc


#: The sign-ins worth trying first; every demo user shares DEMO_PASSWORD.
DEMO_LOGINS: list[tuple[str, str]] = [
    (SUPERUSER[0], "Django superuser: /admin, no workspace of its own"),
    ("owner@nefeli.example", "Nefeli Cloud owner (Greek SaaS): full vendor console"),
    ("channel@nefeli.example", "Nefeli channel manager: programs and partners, no staff management"),
    ("pam@nefeli.example", "Nefeli partner account manager: manages and invites partners"),
    ("finance@nefeli.example", "Nefeli finance: read-only console plus audit log"),
    ("owner@voltera.example", "Voltera Devices owner (German hardware SME): reseller + referral programs"),
    ("admin@ergotech.example", "ErgoTech Solutions partner admin: partner of BOTH vendors (workspace switcher)"),
    ("sales@alfa.example", "Άλφα Πληροφορική sales rep: Nefeli partner portal (a program without tiers)"),
    ("admin@berliner.example", "Berliner Systemhaus admin: Voltera gold reseller, Nefeli SI partner"),
    ("admin@evros.example", "Thraki Net admin: application still pending (no portal yet)"),
    ("admin@pireas.example", "Piraeus Marine IT admin: suspended partnership"),
]
DEMO_LOGINS_NOTE = (
    "Every vendor role exists for both vendors: owner, channel, pam, finance, support, trainer @nefeli.example / "
    "@voltera.example; every partner has admin@ and sales@<partner>.example (some also tech@)."
)
