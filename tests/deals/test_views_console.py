"""Vendor console deals pages: the registration queue and its filters, the side-by-side review, approve / reject /
override, extensions, the pipeline for all partners, accounts import, products and settings."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kanali.core.models import AuditLog
from kanali.deals.models import Account, Deal, DealRegistration, Product
from kanali.deals.views.console import IMPORT_SESSION_KEY
from kanali.designer.models import PipelineStage
from tests.conftest import World, queries_for, workspace_for
from tests.deals.routes_pages import approved, deal, extension_requested, product, submitted

pytestmark = pytest.mark.django_db

QUEUE = "/v/acme/deals/registrations/"


def review_url(reg: DealRegistration) -> str:
    return f"{QUEUE}{reg.pk}/"


def test_queue_shows_waiting_registrations_first_and_filters(world: World, client: Client) -> None:
    a = world.a
    first = submitted(a, 0, company="Gamma Foods SA", domain="gammafoods.gr")
    dup = submitted(a, 1, company="GAMMA FOODS S.A.", domain="www.gammafoods.gr")
    clean = submitted(a, 1, company="Zeta Marine", domain="zeta-marine.example.com")
    decided = approved(a, 0, company="Eta Textiles", domain="eta.example.com")
    assert dup.in_conflict and not first.in_conflict and not clean.in_conflict
    client.force_login(a.channel_manager)
    page = client.get(QUEUE).content.decode()
    assert "Gamma Foods SA" in page and "Zeta Marine" in page
    assert "Eta Textiles" not in page  # the default view is what waits for a decision
    conflicted = client.get(QUEUE, {"conflict": "yes"}).content.decode()
    assert "GAMMA FOODS S.A." in conflicted and "Zeta Marine" not in conflicted
    by_partner = client.get(QUEUE, {"partnership": a.partners[0].partnership.pk}).content.decode()
    assert "Gamma Foods SA" in by_partner and "Zeta Marine" not in by_partner
    everything = client.get(QUEUE, {"status": ""}).content.decode()
    assert decided.company in everything
    approved_only = client.get(QUEUE, {"status": "approved"}).content.decode()
    assert decided.company in approved_only and "Zeta Marine" not in approved_only
    other_program = client.get(QUEUE, {"program": "999999", "status": ""})  # not a program of ours
    assert other_program.status_code == 200
    assert "Zeta Marine" in other_program.content.decode()  # the bad filter is ignored (default view)


def test_queue_pages_keep_the_default_filter(world: World, client: Client) -> None:
    a = world.a
    approved(a, 0, company="Old Approved Co", domain="old-approved.example.com")
    for n in range(26):
        submitted(a, n % 2, company=f"Waiting {n:02d} Ltd", domain=f"waiting{n}.example.com")
    client.force_login(a.owner)
    second = client.get(QUEUE, {"page": "2"}).content.decode()
    assert "Waiting 00 Ltd" in second and "Old Approved Co" not in second


def test_queue_does_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    submitted(a, 0)
    submitted(a, 1)  # a conflict: every filtered view below has a row to show
    client.force_login(a.owner)
    small = queries_for(lambda: client.get(QUEUE))
    small_filtered = queries_for(lambda: client.get(QUEUE, {"conflict": "yes", "status": ""}))
    for n in range(6):
        submitted(a, n % 2, company=f"Theta {n} Energy", domain=f"theta{n}.example.com")
    submitted(a, 1)  # a conflict
    assert queries_for(lambda: client.get(QUEUE)) == small
    assert queries_for(lambda: client.get(QUEUE, {"conflict": "yes", "status": ""})) == small_filtered


def test_review_shows_conflicting_records_side_by_side_with_reason_and_score(world: World, client: Client) -> None:
    a = world.a
    first = submitted(a, 0, company="ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε.", domain="alfa.gr")
    dup = submitted(a, 1, company="Alfa Pliroforiki SA", domain="alfa.gr")
    assert dup.in_conflict
    client.force_login(a.owner)
    page = client.get(review_url(dup)).content.decode()
    assert 'id="conflicts"' in page
    assert "ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε." in page  # the other record
    assert a.partners[0].org.name in page  # who holds it
    match = next(c for c in dup.conflicts if c["kind"] == "registration" and c["id"] == first.pk)
    labels = {"vat": "same VAT number", "domain": "same website domain", "name": "similar company name"}
    assert labels[match["reason"]] in page
    assert f'<td class="conflict-score">{match["score"]}</td>' in page
    assert f'href="{review_url(first)}"' in page
    assert 'name="override"' in page


def test_approve_opens_the_deal_and_a_second_approval_is_refused(world: World, client: Client) -> None:
    a = world.a
    reg = submitted(a)
    client.force_login(a.channel_manager)
    response = client.post(f"{review_url(reg)}approve/", follow=True)
    page = response.content.decode()
    assert "is approved and protected until" in page
    reg.refresh_from_db()
    assert reg.status == DealRegistration.Status.APPROVED
    d = Deal.objects.for_vendor(a.vendor).get(registration=reg)
    assert f"/v/acme/deals/{d.pk}/" in page
    again = client.post(f"{review_url(reg)}approve/", follow=True)
    assert again.status_code == 200
    assert "already decided" in again.content.decode()
    assert Deal.objects.for_vendor(a.vendor).count() == 1


def test_first_registration_wins_unless_overridden(world: World, client: Client) -> None:
    a = world.a
    first = approved(a, 0, company="Iota Pharma", domain="iota-pharma.gr")
    second = submitted(a, 1, company="Iota Pharma S.A.", domain="iota-pharma.gr")
    client.force_login(a.owner)
    page = client.post(f"{review_url(second)}approve/", follow=True).content.decode()
    assert f"#{first.pk}" in page and "override" in page
    second.refresh_from_db()
    assert second.status == DealRegistration.Status.SUBMITTED
    client.post(f"{review_url(second)}approve/", {"override": "on"})
    second.refresh_from_db()
    assert second.status == DealRegistration.Status.APPROVED


def test_reject_needs_a_reason(world: World, client: Client) -> None:
    a = world.a
    reg = submitted(a)
    client.force_login(a.owner)
    response = client.post(f"{review_url(reg)}reject/", {"reason": ""})
    assert response.status_code == 200 and 'id="reason-errors"' in response.content.decode()
    client.post(f"{review_url(reg)}reject/", {"reason": "Direct account of ours"})
    reg.refresh_from_db()
    assert reg.status == DealRegistration.Status.REJECTED and reg.rejection_reason == "Direct account of ours"
    assert "Direct account of ours" in client.get(review_url(reg)).content.decode()


def test_finance_can_read_but_not_decide(world: World, client: Client) -> None:
    a = world.a
    reg = submitted(a)
    client.force_login(a.finance)
    page = client.get(review_url(reg)).content.decode()
    assert 'id="approve-form"' not in page
    assert client.post(f"{review_url(reg)}approve/").status_code == 403
    assert (
        client.post("/v/acme/deals/products/", {"name": "X", "code": "x", "program": a.program.pk}).status_code == 403
    )


def test_extension_requests_are_granted_or_denied(world: World, client: Client) -> None:
    a = world.a
    reg = extension_requested(a)
    before = reg.protected_until
    client.force_login(a.owner)
    page = client.get("/v/acme/deals/extensions/").content.decode()
    assert reg.company in page and "Board meeting moved" in page
    response = client.post(f"{review_url(reg)}extension/", {"grant": "1", "next": "/v/acme/deals/extensions/"})
    assert response["Location"] == "/v/acme/deals/extensions/"
    reg.refresh_from_db()
    assert reg.extension_granted and reg.protected_until is not None and before is not None
    assert (reg.protected_until - before).days == 30
    again = client.post(f"{review_url(reg)}extension/", {"grant": "0"}, follow=True).content.decode()
    assert "already decided" in again
    assert "No extension requests are waiting." in client.get("/v/acme/deals/extensions/").content.decode()


def test_console_pipeline_shows_every_partner_filters_and_totals(world: World, client: Client) -> None:
    a = world.a
    for n, (name, p) in enumerate((("Qualify", 20), ("Propose", 50)), start=1):
        PipelineStage.objects.create(vendor=a.vendor, program=a.program, position=n, name=name, win_probability=p)
    d1 = deal(a, 0, company="Kappa Bank", domain="kappa.example.com", estimated_value="1000")
    deal(a, 1, company="Lambda Air", domain="lambda.example.com", estimated_value="3000", currency="USD")
    client.force_login(a.owner)
    page = client.get("/v/acme/deals/").content.decode()
    assert "Kappa Bank" in page and "Lambda Air" in page
    assert a.partners[0].org.name in page
    assert "200.00 EUR" in page and "600.00 USD" in page  # weighted at 20%
    filtered = client.get("/v/acme/deals/", {"partnership": a.partners[0].partnership.pk}).content.decode()
    assert "Kappa Bank" in filtered and "Lambda Air" not in filtered
    client.post(f"/v/acme/deals/{d1.pk}/stage/", {"stage": "2"})
    d1.refresh_from_db()
    assert d1.stage == "Propose"
    # Win, then reverse it from the console.
    client.post(f"/v/acme/deals/{d1.pk}/won/", {"amount": "1000"})
    d1.refresh_from_db()
    assert d1.status == Deal.Status.WON
    assert 'id="reopen-form"' in client.get(f"/v/acme/deals/{d1.pk}/").content.decode()
    client.post(f"/v/acme/deals/{d1.pk}/reopen/")
    d1.refresh_from_db()
    assert d1.status == Deal.Status.OPEN


def test_console_pipeline_pages_do_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    deal(a, 0)
    deal(a, 1, company="Upsilon Water", domain="upsilon.example.com")
    client.force_login(a.owner)
    urls = ["/v/acme/deals/", "/v/acme/deals/list/", f"/v/acme/deals/list/?partnership={a.partners[1].partnership.pk}"]
    small = [queries_for(lambda u=u: client.get(u)) for u in urls]  # type: ignore[misc]
    for n in range(6):
        deal(a, n % 2, company=f"Mu {n} Mining", domain=f"mu{n}.example.com", currency="GBP" if n % 3 else "EUR")
    assert [queries_for(lambda u=u: client.get(u)) for u in urls] == small  # type: ignore[misc]


CSV = (
    "Account ID,Account Name,Website,Billing Country,VAT Number\n"
    "001A,Nu Software SA,https://nu-software.gr,Greece,\n"
    "001B,Xi Tours,xi-tours.example.com,GR,\n"
)


def test_accounts_import_preview_then_commit(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.owner)
    url = "/v/acme/deals/accounts/import/"
    upload = SimpleUploadedFile("accounts.csv", CSV.encode(), content_type="text/csv")
    page = client.post(url, {"file": upload, "preset": "salesforce"}).content.decode()
    assert 'id="import-preview"' in page and "Nu Software SA" in page
    assert "2 accounts will be created" in page
    assert not Account.objects.for_vendor(a.vendor).exists()  # a dry run writes nothing
    response = client.post(url, {"action": "commit"})
    assert response.status_code == 302 and response["Location"] == "/v/acme/deals/accounts/"
    assert set(Account.objects.for_vendor(a.vendor).values_list("external_id", flat=True)) == {"001A", "001B"}
    assert IMPORT_SESSION_KEY not in client.session
    assert AuditLog.objects.filter(vendor=a.vendor, action="account.import").exists()
    listing = client.get("/v/acme/deals/accounts/", {"q": "xi"}).content.decode()
    assert "Xi Tours" in listing and "Nu Software" not in listing
    # Committing again without a new preview is refused politely.
    again = client.post(url, {"action": "commit"}, follow=True).content.decode()
    assert "preview has expired" in again


def test_accounts_import_shows_row_errors_and_writes_nothing(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.owner)
    bad = CSV + "001C,,omicron.example.com,GR,\n001D,Pi Labs,not a site,GR,EL123\n"
    upload = SimpleUploadedFile("accounts.csv", bad.encode(), content_type="text/csv")
    page = client.post("/v/acme/deals/accounts/import/", {"file": upload, "preset": ""}).content.decode()
    assert 'id="import-errors"' in page
    assert "<td>4</td>" in page and "<td>5</td>" in page
    assert 'id="import-commit"' not in page
    assert client.post("/v/acme/deals/accounts/import/", {"action": "commit"}, follow=True).status_code == 200
    assert not Account.objects.for_vendor(a.vendor).exists()
    wrong = SimpleUploadedFile("accounts.pdf", b"%PDF", content_type="application/pdf")
    page = client.post("/v/acme/deals/accounts/import/", {"file": wrong, "preset": ""}).content.decode()
    assert "Upload a .csv or .xlsx file." in page


def test_accounts_list_does_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    ws = workspace_for(a.owner, a.vendor)
    from kanali.deals.services_accounts import account_create

    account_create(workspace=ws, name="Rho Steel", domain="rho.example.com", country="GR")
    client.force_login(a.owner)
    small = queries_for(lambda: client.get("/v/acme/deals/accounts/"))
    for n in range(8):
        account_create(workspace=ws, name=f"Sigma {n}", domain=f"sigma{n}.example.com", country="GR")
    assert queries_for(lambda: client.get("/v/acme/deals/accounts/")) == small
    # Partners never see the vendor's customer list.
    client.force_login(a.partners[0].admin)
    assert client.get("/v/acme/deals/accounts/").status_code == 404


def test_products_add_edit_deactivate(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.channel_manager)
    url = "/v/acme/deals/products/"
    response = client.post(url, {"program": a.program.pk, "code": "crm-pro", "name": "CRM Pro", "active": "on"})
    assert response.status_code == 302
    p = Product.objects.for_vendor(a.vendor).get(code="crm-pro")
    dup = client.post(url, {"program": a.program.pk, "code": "crm-pro", "name": "Again", "active": "on"})
    assert dup.status_code == 200 and 'id="code-errors"' in dup.content.decode()
    client.post(f"{url}{p.pk}/", {"name": "CRM Professional"})  # the active box unticked: deactivated
    p.refresh_from_db()
    assert p.name == "CRM Professional" and not p.active
    page = client.get(url).content.decode()
    assert "CRM Professional" in page and "Inactive" in page
    # Partners no longer see it on the registration form.
    client.force_login(a.partners[0].admin)
    assert "CRM Professional" not in client.get("/p/acme/deals/register/").content.decode()


def test_settings_page_lists_each_programs_rules(world: World, client: Client) -> None:
    product(world.a)
    client.force_login(world.a.finance)
    page = client.get("/v/acme/deals/settings/").content.decode()
    assert world.a.program.name in page and ">90<" in page
    assert client.post("/v/acme/deals/settings/", {"program": world.a.program.pk}).status_code == 403


def test_settings_are_changed_per_program_and_used_by_approvals(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.owner)
    url = "/v/acme/deals/settings/"
    values = {"program": a.program.pk, "protection_days": "0", "reminder_days": "7", "extension_days": "15"}
    bad = client.post(url, {**values, "name_threshold": "90"})
    assert bad.status_code == 200 and 'id="protection_days-errors"' in bad.content.decode()
    assert client.post(url, {**values, "protection_days": "60", "name_threshold": "90"}).status_code == 302
    assert client.post(url, {**values, "program": world.b.program.pk, "name_threshold": "90"}).status_code == 404
    reg = approved(a)
    assert reg.protected_until is not None and reg.decided_at is not None
    assert (reg.protected_until - timezone.localdate(reg.decided_at)).days == 60
    page = client.get(url).content.decode()
    assert 'value="60"' in page and 'value="15"' in page


def test_navigation_links_appear_in_console_and_portal(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    page = client.get("/v/acme/").content.decode()
    assert 'href="/v/acme/deals/registrations/"' in page and 'href="/v/acme/deals/"' in page
    client.force_login(world.a.partners[0].sales)
    assert 'href="/p/acme/deals/"' in client.get("/p/acme/").content.decode()


def test_extension_and_product_lists_do_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    extension_requested(a)
    product(a, "p-0", "Product 0")
    client.force_login(a.owner)
    urls = ["/v/acme/deals/extensions/", "/v/acme/deals/products/", "/v/acme/deals/settings/"]
    small = [queries_for(lambda u=u: client.get(u)) for u in urls]  # type: ignore[misc]
    for n in range(1, 5):
        product(a, f"p-{n}", f"Product {n}")
    from kanali.deals import services_registrations

    for n in range(4):
        reg = approved(a, n % 2, company=f"Phi {n} Telecom", domain=f"phi{n}.example.com")
        ws = workspace_for(a.partners[n % 2].admin, a.vendor, "partner")
        services_registrations.extension_request(workspace=ws, registration=reg, reason=f"reason {n}")
    assert [queries_for(lambda u=u: client.get(u)) for u in urls] == small  # type: ignore[misc]
    assert "Phi 3 Telecom" in client.get(urls[0]).content.decode()


def test_list_shows_every_program_and_the_board_one_at_a_time(world: World, client: Client) -> None:
    from kanali.core.models import Partnership
    from tests.factories import PartnershipFactory, ProgramFactory

    a = world.a
    deal(a, 0, company="Chi Analytics", domain="chi.example.com")
    referral = ProgramFactory(vendor=a.vendor, name="Zz Referral", slug="referral")
    partnership = PartnershipFactory(program=referral, partner=a.partners[0].org, status=Partnership.Status.ACTIVE)
    a.partners[0].partnership = partnership
    deal(a, 0, company="Psi Robotics", domain="psi.example.com")
    client.force_login(a.owner)
    listing = client.get("/v/acme/deals/list/").content.decode()
    assert "Chi Analytics" in listing and "Psi Robotics" in listing
    only = client.get("/v/acme/deals/list/", {"program": referral.pk}).content.decode()
    assert "Psi Robotics" in only and "Chi Analytics" not in only
    board = client.get("/v/acme/deals/").content.decode()
    assert "Chi Analytics" in board and "Psi Robotics" not in board
    assert "Psi Robotics" in client.get("/v/acme/deals/", {"program": referral.pk}).content.decode()


def test_accounts_are_added_by_hand_with_field_errors(world: World, client: Client) -> None:
    a = world.a
    client.force_login(a.owner)
    url = "/v/acme/deals/accounts/"
    bad = client.post(url, {"name": "Omega Cargo", "domain": "nope", "vat_number": "EL123", "country": "GR"})
    page = bad.content.decode()
    assert bad.status_code == 200 and 'id="domain-errors"' in page and 'id="vat_number-errors"' in page
    assert not Account.objects.for_vendor(a.vendor).exists()
    ok = client.post(url, {"name": "Omega Cargo", "domain": "https://omega-cargo.gr/", "country": "GR"})
    assert ok.status_code == 302
    account = Account.objects.for_vendor(a.vendor).get()
    assert (account.domain, account.source) == ("omega-cargo.gr", Account.Source.MANUAL)
    client.force_login(a.finance)
    assert client.post(url, {"name": "X"}).status_code == 403


def test_accounts_import_reads_a_hubspot_xlsx_export(world: World, client: Client) -> None:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Record ID", "Company name", "Company Domain Name", "Country/Region"])
    sheet.append(["9001", "Tau Logistics", "tau-logistics.example.com", "Greece"])
    sheet.append(["9002", "Ypsilon Foods", "ypsilon.example.com", "Cyprus"])
    buffer = BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile(
        "companies.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    client.force_login(world.a.owner)
    page = client.post("/v/acme/deals/accounts/import/", {"file": upload, "preset": ""}).content.decode()
    assert "(hubspot columns)" in page and "Ypsilon Foods" in page
    client.post("/v/acme/deals/accounts/import/", {"action": "commit"})
    rows = dict(Account.objects.for_vendor(world.a.vendor).values_list("external_id", "country"))
    assert rows == {"9001": "GR", "9002": "CY"}


def test_review_page_does_not_query_per_conflict(world: World, client: Client) -> None:
    a = world.a
    submitted(a, 0, company="Chi Shipping", domain="chi-shipping.gr")
    one = submitted(a, 1, company="Chi Shipping SA", domain="chi-shipping.gr")
    for n in range(3):
        submitted(a, n % 2, company=f"Chi Shipping {n}", domain="chi-shipping.gr")
    many = submitted(a, 1, company="CHI SHIPPING S.A.", domain="chi-shipping.gr")
    assert len(one.conflicts) == 1 and len(many.conflicts) >= 4
    client.force_login(a.owner)
    assert queries_for(lambda: client.get(review_url(many))) == queries_for(lambda: client.get(review_url(one)))
