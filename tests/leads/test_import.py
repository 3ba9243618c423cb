"""Importing lead files: Salesforce and HubSpot presets, the dry run, all-or-nothing commit, duplicates, the pages."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from kanali.core.models import AuditLog
from kanali.leads import importing
from kanali.leads import services_intake as intake
from kanali.leads.errors import LeadStateError
from kanali.leads.models import Lead, LeadImport
from kanali.leads.services_intake import import_check, import_commit, lead_create
from tests.conftest import World, queries_for, workspace_for

SALESFORCE_HEADINGS = [
    "Lead ID",
    "Salutation",
    "First Name",
    "Last Name",
    "Title",
    "Company / Account",
    "Email",
    "Phone",
    "Mobile",
    "Street",
    "City",
    "State/Province",
    "Zip/Postal Code",
    "Country",
    "Industry",
    "Lead Source",
    "Annual Revenue",
    "Lead Status",
    "Description",
    "Website",
]
SALESFORCE_ROWS = [
    ["00Q5g00000AbCdE", "Ms.", "Eleni", "Papadaki", "CFO", "Acropolis Bakeries", "eleni@acropolis-bakeries.gr",
     "210 123 4567", "", "Ermou 12", "Athens", "Attica", "10563", "Greece", "Retail", "Trade Show", "2500000",
     "Open - Not Contacted", "Met at Detrop", "www.acropolis-bakeries.gr"],
    ["00Q5g00000AbCdF", "Mr.", "Nikos", "Georgiou", "Owner", "Θεσσαλική Λογιστική", "nikos@gmail.com",
     "", "6912345678", "", "Λάρισα", "Θεσσαλία", "41222", "Ελλάδα", "Accounting", "Web", "",
     "Working - Contacted", "", "thessaliki-logistiki.gr"],
    ["00Q5g00000AbCdG", "Dr.", "Anna", "Schmidt", "CTO", "Bergmann GmbH", "a.schmidt@bergmann.de",
     "+49 89 1234567", "", "", "München", "Bayern", "80331", "Germany", "Manufacturing", "Partner Referral", "",
     "Open - Not Contacted", "", ""],
]  # fmt: skip
HUBSPOT_HEADINGS = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Mobile Phone Number",
    "Company Name",
    "Website URL",
    "Country/Region",
    "State/Region",
    "City",
    "Postal Code",
    "Industry",
    "Lifecycle Stage",
    "Lead Status",
    "Original Source",
    "Create Date",
]
HUBSPOT_ROWS = [
    [51234, "Maria", "Ioannou", "maria@cretan-olive.gr", "+30 2810 123456", None, "Cretan Olive Co", "cretan-olive.gr",
     "Greece", "Crete", "Heraklion", 71202, "Food & Beverage", "lead", "NEW", "Organic Search", "2025-03-02 10:00"],
    [51235, "Kostas", "Pappas", "kostas@ionian-hotels.gr", None, 306944000111, "Ionian Hotels", "", "GR", "GR-F",
     "Κέρκυρα", None, "Hospitality", "lead", "OPEN", "Paid Social", "2025-03-03 11:30"],
]  # fmt: skip


def csv_bytes(headings: list[str], rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(headings: list[str], rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def kanali_csv(rows: list[dict[str, str]]) -> bytes:
    headings = ["company", "contact_name", "email", "phone", "country", "region", "city", "estimated_value", "currency"]
    return csv_bytes(headings, [[r.get(h, "") for h in headings] for r in rows])


def good_row(n: int, **overrides: str) -> dict[str, str]:
    return {
        "company": f"Company {n}",
        "contact_name": f"Person {n}",
        "email": f"person{n}@company{n}.gr",
        "phone": "2101234567",
        "country": "GR",
        "region": "GR-I",
        "city": "Athens",
        "estimated_value": "1000",
        "currency": "EUR",
        **overrides,
    }


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[list[Lead]]:
    calls: list[list[Lead]] = []
    monkeypatch.setattr(intake, "_route", lambda workspace, leads, actor: calls.append(list(leads)))
    return calls


def check(world: World, content: bytes, filename: str = "leads.csv", **kwargs: Any) -> LeadImport:
    ws = workspace_for(world.a.channel_manager, world.a.vendor)
    return import_check(workspace=ws, program=world.a.program, content=content, filename=filename, **kwargs)


# --- Presets --------------------------------------------------------------------------------------


def test_salesforce_report_export_maps_itself(world: World, routed: list[list[Lead]]) -> None:
    lead_import = check(world, csv_bytes(SALESFORCE_HEADINGS, SALESFORCE_ROWS), "report1700000000000.csv")
    assert lead_import.preset == "salesforce"
    assert lead_import.errors == []
    assert lead_import.mapping["company"] == "Company / Account"
    assert lead_import.mapping["region"] == "State/Province"
    leads = import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    by_company = {lead.company: lead for lead in leads}
    bakery = by_company["Acropolis Bakeries"]
    assert (bakery.contact_name, bakery.phone, bakery.region, bakery.external_id) == (
        "Eleni Papadaki",
        "+302101234567",
        "GR-I",
        "00Q5g00000AbCdE",
    )
    assert (bakery.campaign, bakery.notes, bakery.postal_code) == ("Trade Show", "Met at Detrop", "10563")
    assert bakery.latitude is not None
    greek = by_company["Θεσσαλική Λογιστική"]
    assert (greek.country, greek.region, greek.phone) == ("GR", "GR-E", "+306912345678")
    assert greek.email_domain == "thessaliki-logistiki.gr"  # gmail.com: the website names the company
    assert greek.latitude is not None and abs(greek.latitude - 39.64) < 0.1
    german = by_company["Bergmann GmbH"]
    assert (german.country, german.region, german.phone) == ("DE", "DE-BY", "+49891234567")
    assert all(lead.source == Lead.Source.IMPORT for lead in leads)


def test_hubspot_xlsx_export_maps_itself(world: World, routed: list[list[Lead]]) -> None:
    lead_import = check(world, xlsx_bytes(HUBSPOT_HEADINGS, HUBSPOT_ROWS), "hubspot-crm-exports-all-contacts.xlsx")
    assert lead_import.preset == "hubspot"
    assert lead_import.errors == []
    assert lead_import.row_count == 2
    leads = import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    olive, hotels = sorted(leads, key=lambda lead: lead.company)
    assert (olive.company, olive.region, olive.postal_code, olive.external_id) == (
        "Cretan Olive Co",
        "GR-M",
        "71202",
        "51234",
    )
    assert olive.latitude is not None and abs(olive.latitude - 35.33) < 0.1
    # Numbers typed into Excel cells come back as digits, not "306944000111.0".
    assert hotels.phone == "+306944000111"
    assert hotels.region == "GR-F"
    assert hotels.latitude is not None and abs(hotels.latitude - 39.62) < 0.1  # Κέρκυρα = Corfu


def test_explicit_preset_and_kanali_template_round_trip(world: World) -> None:
    lead_import = check(world, importing.template_csv().encode(), "template.csv", preset="kanali")
    assert (lead_import.preset, lead_import.error_count, lead_import.row_count) == ("kanali", 0, 1)


def test_custom_mapping(world: World) -> None:
    content = csv_bytes(["Firma", "Land", "Mail"], [["Bergmann GmbH", "Deutschland", "info@bergmann.de"]])
    with pytest.raises(ValidationError):  # nothing recognisable: company and country are missing
        check(world, content)
    lead_import = check(world, content, mapping={"company": "Firma", "country": "Land", "email": "Mail"})
    assert lead_import.preset == "custom"
    assert lead_import.rows[0]["country"] == "DE"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [({"company": "Firma", "country": "Nope"}, "Nope"), ({"company": "Firma", "colour": "Land"}, "colour")],
)
def test_bad_custom_mapping(world: World, mapping: dict[str, str], message: str) -> None:
    content = csv_bytes(["Firma", "Land"], [["Bergmann GmbH", "DE"]])
    with pytest.raises(ValidationError) as caught:
        check(world, content, mapping=mapping)
    assert message in str(caught.value)


# --- Reading files ------------------------------------------------------------------------------


def test_semicolon_csv_in_windows_greek(world: World) -> None:
    content = csv_bytes(
        ["company", "country", "region", "city"],
        [["Ηπειρωτική Τυροκομική", "Ελλάδα", "Ήπειρος", "Ιωάννινα"]],
        delimiter=";",
        encoding="cp1253",
    )
    lead_import = check(world, content)
    assert lead_import.error_count == 0
    row = lead_import.rows[0]
    assert (row["company"], row["country"], row["region"]) == ("Ηπειρωτική Τυροκομική", "GR", "GR-D")
    assert row["latitude"] is not None


def test_utf8_bom_and_western_encodings() -> None:
    headings, rows = importing.read_table("\ufeffcompany,country\nBäckerei Müller,DE\n".encode(), "x.csv")
    assert headings == ["company", "country"] and rows == [["Bäckerei Müller", "DE"]]
    headings, rows = importing.read_table("company;country\nCafé Español;ES\n".encode("cp1252"), "x.csv")
    assert rows == [["Café Español", "ES"]]


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"%PDF-1.4", "leads.pdf", "file_type"),
        (b"\xd0\xcf\x11\xe0", "leads.xls", "file_type"),
        (b"", "leads.csv", "empty"),
        (b"company,country\n", "leads.csv", "empty"),
        (b"not a zip", "leads.xlsx", "bad_xlsx"),
    ],
)
def test_unusable_files_are_refused(content: bytes, filename: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        importing.read_table(content, filename)
    assert caught.value.code == code


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    with pytest.raises(ValidationError) as caught:
        importing.read_table(kanali_csv([good_row(n) for n in range(4)]), "x.csv")
    assert caught.value.code == "too_many_rows"


# --- Dry run and commit -------------------------------------------------------------------------


def test_dry_run_stores_only_the_import(world: World) -> None:
    lead_import = check(world, kanali_csv([good_row(1), good_row(2)]))
    assert (lead_import.row_count, lead_import.error_count, lead_import.status) == (2, 0, "checked")
    assert len(lead_import.rows) == 2
    assert not Lead.objects.for_vendor(world.a.vendor).exists()
    assert AuditLog.objects.filter(vendor=world.a.vendor, action="lead_import.check").count() == 1


def test_one_bad_row_imports_nothing(world: World, routed: list[list[Lead]]) -> None:
    rows = [good_row(1), good_row(2, country="Atlantis"), good_row(3, currency="ZZZ"), good_row(4)]
    lead_import = check(world, kanali_csv(rows))
    assert lead_import.error_count == 2
    assert lead_import.rows == []
    # Spreadsheet row numbers: the headings are row 1.
    assert [e["row"] for e in lead_import.errors] == [3, 4]
    assert list(lead_import.errors[0]["errors"]) == ["country"]
    assert list(lead_import.errors[1]["errors"]) == ["currency"]
    with pytest.raises(LeadStateError):
        import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    assert not Lead.objects.for_vendor(world.a.vendor).exists()
    assert routed == []


def test_blank_rows_are_skipped_but_keep_the_numbering(world: World) -> None:
    content = b"company,country\nA,GR\n,\nB,Nowhere\n"
    lead_import = check(world, content)
    assert lead_import.row_count == 2
    assert [e["row"] for e in lead_import.errors] == [4]


def test_commit_creates_all_and_routes_them_in_one_call(world: World, routed: list[list[Lead]]) -> None:
    lead_import = check(world, kanali_csv([good_row(n) for n in range(5)]))
    leads = import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    assert len(leads) == 5 and all(lead.pk for lead in leads)
    assert Lead.objects.for_vendor(world.a.vendor).count() == 5
    assert [len(call) for call in routed] == [5]
    lead_import.refresh_from_db()
    assert lead_import.status == LeadImport.Status.IMPORTED and lead_import.imported_at is not None
    with pytest.raises(LeadStateError):
        import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    assert Lead.objects.for_vendor(world.a.vendor).count() == 5


def test_commit_without_routing(world: World, routed: list[list[Lead]]) -> None:
    lead_import = check(world, kanali_csv([good_row(1)]), route=False)
    import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    assert routed == []


def test_duplicates_in_the_file_and_against_open_leads_are_flagged_not_routed(
    world: World, routed: list[list[Lead]]
) -> None:
    a = world.a
    existing = lead_create(
        workspace=workspace_for(a.owner, a.vendor),
        program=a.program,
        data=good_row(0, email="boss@olympus.gr", company="Olympus"),
        source="form",
        route=False,
    ).lead
    rows = [
        good_row(1, email="sales@olympus.gr"),  # same company domain as the open lead
        good_row(2),
        good_row(3, email="PERSON2@company2.gr"),  # repeats row 2 (e-mails compare without case)
        good_row(4, email="me@gmail.com"),
        good_row(5, email="you@gmail.com"),  # a mailbox provider is no company
    ]
    lead_import = check(world, kanali_csv(rows))
    assert lead_import.duplicate_count == 2
    leads = import_commit(workspace=workspace_for(a.owner, a.vendor), lead_import=lead_import)
    flags = {lead.company: lead.duplicate_of_id for lead in leads}
    second = next(lead for lead in leads if lead.company == "Company 2")
    assert flags == {
        "Company 1": existing.pk,
        "Company 2": None,
        "Company 3": second.pk,
        "Company 4": None,
        "Company 5": None,
    }
    assert sorted(lead.company for lead in routed[0]) == ["Company 2", "Company 4", "Company 5"]


def test_other_people_may_not_import(world: World) -> None:
    a = world.a
    for ws in (workspace_for(a.finance, a.vendor), workspace_for(a.partners[0].admin, a.vendor, "partner")):
        with pytest.raises(PermissionDenied):
            import_check(workspace=ws, program=a.program, content=kanali_csv([good_row(1)]), filename="x.csv")
    with pytest.raises(PermissionDenied):
        import_check(
            workspace=workspace_for(world.b.owner, world.b.vendor),
            program=a.program,
            content=kanali_csv([good_row(1)]),
            filename="x.csv",
        )
    lead_import = check(world, kanali_csv([good_row(1)]))
    with pytest.raises(LeadImport.DoesNotExist):
        import_commit(workspace=workspace_for(world.b.owner, world.b.vendor), lead_import=lead_import)


# --- Pages --------------------------------------------------------------------------------------


def _url(world: World, name: str, **kwargs: Any) -> str:
    return reverse(f"leads:{name}", kwargs={"vendor_slug": world.a.vendor.slug, **kwargs})


def test_upload_preview_commit_pages(world: World, client: Client, routed: list[list[Lead]]) -> None:
    client.force_login(world.a.channel_manager)
    assert client.get(_url(world, "intake_import")).status_code == 200
    content = csv_bytes(SALESFORCE_HEADINGS, SALESFORCE_ROWS)
    response = client.post(
        _url(world, "intake_import"),
        {"program": world.a.program.pk, "file": SimpleUploadedFile("sf.csv", content), "preset": "", "route": "on"},
    )
    lead_import = LeadImport.objects.for_vendor(world.a.vendor).get()
    assert response.status_code == 302
    assert response["Location"] == _url(world, "intake_import_preview", import_id=lead_import.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Import 3 leads" in page and "Acropolis Bakeries" in page
    response = client.post(_url(world, "intake_import_commit", import_id=lead_import.pk))
    assert response.status_code == 302
    assert Lead.objects.for_vendor(world.a.vendor).count() == 3
    assert [len(call) for call in routed] == [3]
    # A second click changes nothing.
    client.post(_url(world, "intake_import_commit", import_id=lead_import.pk))
    assert Lead.objects.for_vendor(world.a.vendor).count() == 3


def test_preview_lists_row_errors_and_offers_no_import(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    content = kanali_csv([good_row(1), good_row(2, country="Atlantis")])
    client.post(
        _url(world, "intake_import"), {"program": world.a.program.pk, "file": SimpleUploadedFile("x.csv", content)}
    )
    lead_import = LeadImport.objects.for_vendor(world.a.vendor).get()
    page = client.get(_url(world, "intake_import_preview", import_id=lead_import.pk)).content.decode()
    assert 'data-row="3"' in page and "Atlantis" in page
    assert 'id="commit-form"' not in page


def test_choosing_columns_when_they_are_not_recognised(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    content = csv_bytes(["company", "Land", "Mail"], [["Bergmann GmbH", "Deutschland", "info@bergmann.de"]])
    response = client.post(
        _url(world, "intake_import"), {"program": world.a.program.pk, "file": SimpleUploadedFile("x.csv", content)}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="mapping-form"' in page and "Choose the column for" in page
    assert not LeadImport.objects.for_vendor(world.a.vendor).exists()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        _url(world, "intake_import"), {"token": token, "company": "company", "country": "Land", "email": "Mail"}
    )
    lead_import = LeadImport.objects.for_vendor(world.a.vendor).get()
    assert response["Location"] == _url(world, "intake_import_preview", import_id=lead_import.pk)
    assert lead_import.preset == "custom" and lead_import.rows[0]["country"] == "DE"
    # A forged or expired token asks for the file again.
    response = client.post(_url(world, "intake_import"), {"token": "0" * 32, "company": "company"})
    assert response["Location"] == _url(world, "intake_import")


def test_remapping_checks_the_kept_file_again(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    content = csv_bytes(["company", "country", "Land"], [["Bergmann GmbH", "", "Deutschland"]])
    client.post(
        _url(world, "intake_import"), {"program": world.a.program.pk, "file": SimpleUploadedFile("y.csv", content)}
    )
    first = LeadImport.objects.for_vendor(world.a.vendor).get()
    assert first.error_count == 1  # the "country" column is empty
    response = client.post(
        _url(world, "intake_import_preview", import_id=first.pk), {"company": "company", "country": "Land"}
    )
    second = LeadImport.objects.for_vendor(world.a.vendor).exclude(pk=first.pk).get()
    assert response["Location"] == _url(world, "intake_import_preview", import_id=second.pk)
    assert second.mapping == {"company": "company", "country": "Land"}
    assert second.error_count == 0 and second.rows[0]["country"] == "DE"
    first.refresh_from_db()
    assert first.status == LeadImport.Status.DISCARDED
    # Once the kept file is gone, the page asks for a new upload.
    cache.clear()
    response = client.post(_url(world, "intake_import_preview", import_id=second.pk), {"company": "company"})
    assert response["Location"] == _url(world, "intake_import")


def test_file_type_error_beside_the_field(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.post(
        _url(world, "intake_import"), {"program": world.a.program.pk, "file": SimpleUploadedFile("x.pdf", b"%PDF")}
    )
    assert response.status_code == 200
    assert "Upload a CSV or an Excel" in response.content.decode()
    assert not LeadImport.objects.for_vendor(world.a.vendor).exists()


def test_template_download(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.get(_url(world, "intake_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("company,contact_name,email")


def test_upload_page_queries_do_not_grow_with_imports(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    url = _url(world, "intake_import")
    check(world, kanali_csv([good_row(1)]))
    few = queries_for(lambda: client.get(url))
    for n in range(6):
        check(world, kanali_csv([good_row(n)]))
    assert queries_for(lambda: client.get(url)) == few


def test_finance_cannot_open_intake_pages(world: World, client: Client) -> None:
    client.force_login(world.a.finance)
    assert client.get(_url(world, "intake_import")).status_code == 403
    assert client.get(_url(world, "intake_new")).status_code == 403


def test_commit_routes_through_the_routing_service_in_one_call(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from kanali.leads import services
    from kanali.leads.models import RoutingDecision

    real = services.route_leads
    calls: list[int] = []

    def spy(**kwargs: Any) -> Any:
        calls.append(len(kwargs["leads"]))
        return real(**kwargs)

    monkeypatch.setattr(services, "route_leads", spy)
    lead_import = check(world, kanali_csv([good_row(n) for n in range(4)]))
    leads = import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    assert calls == [4]
    assert RoutingDecision.objects.for_vendor(world.a.vendor).filter(lead__in=leads).count() == 4


def test_imported_rows_read_back_exactly(world: World, routed: list[list[Lead]]) -> None:
    """The fast multi-row insert stores what the ORM would: money, country, place, time, links."""
    from decimal import Decimal

    rows = [good_row(1, estimated_value="1.234,56", currency="usd", city="Θεσσαλονίκη", region="")]
    lead_import = check(world, kanali_csv(rows))
    (made,) = import_commit(workspace=workspace_for(world.a.owner, world.a.vendor), lead_import=lead_import)
    lead = Lead.objects.for_vendor(world.a.vendor).select_related("program", "created_by").get(pk=made.pk)
    assert (lead.estimated_value, lead.currency) == (Decimal("1234.56"), "USD")
    assert lead.country.code == "GR" and lead.region == ""
    assert lead.latitude is not None and abs(lead.latitude - 40.64) < 0.1
    assert lead.created_at is not None and lead.created_at == made.created_at
    assert (lead.program, lead.created_by, lead.status, lead.duplicate_of_id) == (
        world.a.program,
        world.a.owner,
        Lead.Status.NEW,
        None,
    )
    event = lead.events.get()
    assert (event.action, event.to_status, event.actor) == ("created", "new", world.a.owner)


def test_kanali_preset_takes_labels_too(world: World) -> None:
    content = csv_bytes(
        ["Company", "Contact name", "E-mail", "Country", "Postal code"], [["Olympus", "Eleni", "e@o.gr", "GR", "10558"]]
    )
    lead_import = check(world, content)
    assert lead_import.preset == "kanali"
    assert lead_import.mapping == {
        "company": "Company",
        "contact_name": "Contact name",
        "email": "E-mail",
        "country": "Country",
        "postal_code": "Postal code",
    }
