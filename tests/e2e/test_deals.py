"""Deals to commissions in a real browser (issue 6, "Done when"): a partner registers a deal → another partner's
duplicate is flagged as a conflict → the vendor approves the first → it moves through the pipeline to won → a
commission line appears on the partner's statement → finance approves it and marks it paid → the partner downloads
the statement PDF, whose text is read back."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from kanali.deals.models import Deal, DealRegistration
from kanali.designer.models import PipelineStage
from kanali.incentives import services as incentives
from kanali.incentives.models import Statement
from tests.conftest import World, workspace_for
from tests.deals.routes_pages import product
from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

STAGES = (("Discover", 10), ("Prove value", 40), ("Commit", 80))
COMPANY = "Alfa Pliroforiki SA"
GREEK_DUPLICATE = "ΑΛΦΑ ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε."
DOMAIN = "alfa-pliroforiki.gr"
REFERENCE = "SEPA-2026-0042"


def arrange(world: World) -> None:
    """The designed pipeline, a product and a 10% commission plan (services, no browser)."""
    a = world.a
    for n, (name, probability) in enumerate(STAGES, start=1):
        PipelineStage.objects.create(
            vendor=a.vendor, program=a.program, position=n, name=name, win_probability=probability
        )
    product(a, "cloud-erp", "Cloud ERP")
    incentives.plan_save(
        workspace=workspace_for(a.owner, a.vendor),
        program=a.program,
        name="Standard",
        period="month",
        active=True,
        rules=[incentives.RuleInput(rate_pct=Decimal("10"))],
    )


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form:has(input[name="login"]) button[type="submit"]').click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def register(page: Page, base: str, *, company: str, value: str, close_in_days: int) -> None:
    """Open the registration form from the portal's navigation and submit it."""
    page.goto(f"{base}/p/acme/")
    page.locator("nav").get_by_role("link", name="Deals", exact=True).click()
    page.get_by_role("link", name="Register a deal").click()
    form = page.locator("#registration-form")
    form.locator("#id_company").fill(company)
    form.locator("#id_country").select_option("GR")
    form.locator("#id_domain").fill(f"https://www.{DOMAIN}/")
    form.locator("#id_vat_number").fill("094014201")
    form.locator("#id_contact_name").fill("Maria Kosta")
    form.locator("#id_contact_email").fill(f"maria@{DOMAIN}")
    form.get_by_label("Cloud ERP").check()
    form.locator("#id_estimated_value").fill(value)
    form.locator("#id_currency").select_option("EUR")
    form.locator("#id_expected_close").fill((timezone.localdate() + timedelta(days=close_in_days)).isoformat())
    form.get_by_role("button", name="Submit the registration").click()
    page.wait_for_url(re.compile(r"/p/acme/deals/registrations/\d+/$"))


def test_registered_deal_is_won_and_paid_as_commission(
    transactional_db: None, live_server: LiveServer, world: World, page: Page, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    a = world.a
    base = live_server.url
    main = page.locator("main")
    arrange(world)
    browser: Browser | None = page.context.browser
    assert browser is not None

    # 1. Partner 1 registers the customer: no conflict, waiting for the vendor.
    sign_in(page, base, a.partners[0].admin.email)
    register(page, base, company=COMPANY, value="25.000,00", close_in_days=40)
    expect(main.locator(".alert-success").first).to_contain_text(f"Your registration of {COMPANY} is in")
    expect(main.locator("#conflict-notice")).to_have_count(0)
    first = DealRegistration.objects.for_vendor(a.vendor).get(partnership=a.partners[0].partnership)
    assert first.vat_number == "EL094014201" and first.domain == DOMAIN and first.products == ["cloud-erp"]
    assert first.estimated_value == Decimal("25000") and not first.in_conflict

    # 2. Partner 2 registers the same customer under its Greek name: flagged, without partner 1's data.
    other = browser.new_context(locale="en-US")
    try:
        page2 = other.new_page()
        sign_in(page2, base, a.partners[1].sales.email)
        register(page2, base, company=GREEK_DUPLICATE, value="30000", close_in_days=20)
        notice = page2.locator("main #conflict-notice")
        expect(notice).to_contain_text("conflicts with an existing registration")
        expect(page2.locator("main")).not_to_contain_text(a.partners[0].org.name)
        expect(page2.locator("main")).not_to_contain_text(COMPANY)
        page2.goto(f"{base}{reverse('deals:portal_registrations', args=['acme'])}")
        expect(page2.locator("#registrations")).to_contain_text("Conflicts with an existing registration")
    finally:
        other.close()
    duplicate = DealRegistration.objects.for_vendor(a.vendor).get(partnership=a.partners[1].partnership)
    assert duplicate.in_conflict

    # 3. The vendor reviews the conflict side by side, then approves the first registration.
    vendor_context = browser.new_context(locale="en-US")
    try:
        console = vendor_context.new_page()
        sign_in(console, base, a.channel_manager.email)
        console.goto(f"{base}/v/acme/")
        console.locator(".sidebar").get_by_role("link", name="Deal registrations").click()
        queue = console.locator("#registrations")
        expect(queue).to_contain_text(COMPANY)
        console.locator("#id_conflict").select_option("yes")
        console.locator("#registration-filter").get_by_role("button", name="Filter").click()
        expect(queue.locator("tbody tr")).to_have_count(1)
        queue.get_by_role("link", name=GREEK_DUPLICATE).click()
        table = console.locator("#conflicts")
        expect(table).to_contain_text(COMPANY)
        expect(table).to_contain_text(a.partners[0].org.name)
        expect(table.locator(".conflict-score").first).not_to_be_empty()
        expect(console.locator("#approve-form")).to_contain_text("Approve despite the conflict")
        console.screenshot(path=tmp_path / "deals-review.png", full_page=True)
        table.locator(f'a[href$="/registrations/{first.pk}/"]').click()
        console.wait_for_url(re.compile(rf"/v/acme/deals/registrations/{first.pk}/$"))
        console.locator("#approve-form").get_by_role("button", name="Approve").click()
        expect(console.locator("main .alert-success").first).to_contain_text("is approved and protected until")
        expect(console.locator("#decision")).to_contain_text("Approved by")
        # The duplicate now loses to the protected registration unless the vendor overrides.
        console.goto(f"{base}{reverse('deals:vendor_registration_detail', args=['acme', duplicate.pk])}")
        console.locator("#approve-form").get_by_role("button", name="Approve").click()
        expect(console.locator("main .alert-danger").first).to_contain_text(f"#{first.pk}")
    finally:
        vendor_context.close()
    deal = Deal.objects.for_vendor(a.vendor).get(registration=first)
    assert deal.stage == "Discover" and deal.amount == Decimal("25000")

    # 4. Partner 1 moves the deal across the board (htmx) and marks it won.
    page.goto(f"{base}/p/acme/deals/registrations/{first.pk}/")
    expect(main).to_contain_text("days of protection left")
    page.goto(f"{base}{reverse('deals:portal_pipeline', args=['acme'])}")
    card = page.locator(f"#deal-{deal.pk}")
    expect(page.locator("#stage-1")).to_contain_text(COMPANY)
    expect(page.locator("#pipeline-totals")).to_contain_text("2,500.00 EUR")  # 25,000 × 10%
    for position, (name, _probability) in enumerate(STAGES[1:], start=2):
        card.locator("select").select_option(str(position))
        card.get_by_role("button", name="Move").click()
        expect(page.locator(f"#stage-{position}")).to_contain_text(COMPANY)
        expect(page.locator("#board")).to_contain_text(f"is now at {name}")
    expect(page.locator("#pipeline-totals")).to_contain_text("20,000.00 EUR")  # 25,000 × 80%
    page.screenshot(path=tmp_path / "deals-board.png", full_page=True)
    print(f"screenshots: {tmp_path}")
    card.get_by_role("link", name=COMPANY).click()
    page.wait_for_url(f"{base}/p/acme/deals/{deal.pk}/")
    history = page.locator("#stage-history")
    expect(history.locator("li")).to_have_count(3)
    expect(history).to_contain_text("Prove value → Commit")
    page.locator("#won-form #id_amount").fill("24.000,00")
    page.locator("#won-form").get_by_role("button", name="Mark won").click()
    expect(main.locator(".alert-success").first).to_contain_text("is won")
    expect(page.locator("#deal-amount")).to_have_text("24,000.00 EUR")
    expect(history).to_contain_text("Won")
    page.screenshot(path=tmp_path / "deals-deal.png", full_page=True)

    # 5. The commission line is on the partner's draft statement.
    page.locator("nav").get_by_role("link", name="Commissions").click()
    line = main.locator("tr", has_text=COMPANY)
    expect(line).to_contain_text("2,400.00 EUR")
    statement = Statement.objects.for_vendor(a.vendor).get(partnership=a.partners[0].partnership)
    assert statement.status == Statement.Status.DRAFT and statement.total == Decimal("2400")

    # 6. Finance approves the statement and marks it paid.
    finance_context = browser.new_context(locale="en-US")
    try:
        finance = finance_context.new_page()
        sign_in(finance, base, a.finance.email)
        finance.goto(f"{base}{reverse('incentives:statement_list', args=['acme'])}")
        finance.locator("main").get_by_role("link", name=statement.number).first.click()
        finance.get_by_role("button", name="Approve statement").click()
        expect(finance.get_by_role("button", name="Mark paid")).to_be_visible()
        finance.get_by_label("Payment reference").fill(REFERENCE)
        finance.get_by_role("button", name="Mark paid").click()
        expect(finance.locator("main")).to_contain_text(REFERENCE)
    finally:
        finance_context.close()
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PAID and statement.payment_reference == REFERENCE

    # 7. The partner downloads the statement PDF; its text names the partner, the deal, the amount and the payment.
    page.goto(f"{base}{reverse('incentives:portal_statement_detail', args=['acme', statement.pk])}")
    with page.expect_download() as download:
        main.get_by_role("link", name="Download PDF").click()
    target = tmp_path / "statement.pdf"
    download.value.save_as(target)
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(BytesIO(target.read_bytes())).pages)
    for expected in (a.partners[0].org.name, COMPANY, "2,400.00", REFERENCE):
        assert expected in text, f"{expected!r} not in the statement PDF:\n{text}"
