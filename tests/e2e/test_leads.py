"""Lead distribution in a real browser (issue 5, "Done when"): a lead comes in → it is offered to the best
partner, and the vendor sees why on the lead's page → partner 1 declines in the portal → the lead goes to
partner 2 → partner 2 accepts → and converts it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.urls import reverse

from kanali.leads import pool, services
from kanali.leads.models import Lead, Offer
from tests.conftest import World, workspace_for
from tests.factories import PASSWORD, LeadFactory, RoutingProfileFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}
COMPANY = "Acropolis Bakeries SA"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form:has(input[name="login"]) button[type="submit"]').click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_lead_is_offered_declined_reoffered_accepted_and_converted(
    transactional_db: None, live_server: LiveServer, world: World, page: Page
) -> None:
    from playwright.sync_api import expect

    acme = world.a
    p1, p2 = acme.partners
    base = live_server.url
    pool.invalidate()
    # Partner 1 works from Athens, partner 2 from Thessaloniki; the lead is in Athens.
    RoutingProfileFactory(partnership=p1.partnership)
    RoutingProfileFactory(partnership=p2.partnership, offices=[THESSALONIKI])
    lead = LeadFactory(program=acme.program, company=COMPANY, contact_name="Eleni Papadaki", product="Ledger")
    services.route_lead(workspace=workspace_for(acme.owner, acme.vendor), lead=lead)

    # 1. The vendor: the queue → the lead → the explanation names partner 1 as offered, partner 2 ranked next.
    sign_in(page, base, acme.owner.email)
    page.goto(f"{base}{reverse('leads:vendor_leads', args=[acme.vendor.slug])}")
    page.locator("#leads").get_by_role("link", name=COMPANY).click()
    page.wait_for_url(re.compile(rf"/leads/{lead.pk}/$"))
    decision = page.locator("#decisions .decision").first
    expect(decision.locator(".winner")).to_have_text(p1.org.name)
    expect(decision).to_contain_text("2 of 2 partners were eligible.")
    table = decision.locator(".explanation-table")
    expect(table.locator("tr.table-success .candidate")).to_contain_text(p1.org.name)
    expect(table).to_contain_text(p2.org.name)
    expect(table).to_contain_text("Distance")
    expect(page.locator("#current-partner")).to_contain_text(p1.org.name)

    # 2. Partner 1 declines from My leads (reason + note), without opening the lead.
    partner1 = new_page(page.context.browser)  # type: ignore[arg-type]
    sign_in(partner1, base, p1.admin.email)
    partner1.goto(f"{base}{reverse('leads:portal_leads', args=[acme.vendor.slug])}")
    row = partner1.locator("#my-leads tbody tr", has_text=COMPANY)
    expect(row.locator("time[data-deadline]")).to_contain_text("left")
    row.locator("summary", has_text="Decline").click()
    row.get_by_label("Reason").select_option("no_capacity")
    row.get_by_label("Note").fill("Fully booked this month")
    row.get_by_role("button", name="Decline", exact=True).click()
    expect(partner1.locator(".alert-success")).to_contain_text("You declined")
    expect(partner1.locator("#my-leads")).not_to_contain_text(COMPANY)

    # 3. Partner 2 now holds the offer: it accepts on the lead's page and sees why the lead fits it.
    partner2 = new_page(page.context.browser)  # type: ignore[arg-type]
    sign_in(partner2, base, p2.sales.email)
    partner2.goto(f"{base}{reverse('leads:portal_leads', args=[acme.vendor.slug])}")
    partner2.locator("#my-leads").get_by_role("link", name=COMPANY).click()
    expect(partner2.locator("#why-it-fits")).to_be_visible()
    expect(partner2.locator("main")).not_to_contain_text(p1.org.name)
    partner2.locator("#offer-box").get_by_role("button", name="Accept").click()
    expect(partner2.locator(".alert-success")).to_contain_text("You accepted")
    expect(partner2.locator(".lead-fields")).to_contain_text("Eleni Papadaki")

    # 4. …and converts it.
    progress = partner2.locator("#progress")
    progress.get_by_label("New status").select_option("converted")
    progress.get_by_role("button", name="Update").click()
    expect(partner2.locator(".alert-success")).to_contain_text("Converted")

    # 5. The vendor's page tells the whole story.
    page.reload()
    expect(page.locator("h1 [data-status]")).to_have_text("Converted")
    offers = page.locator("#offers")
    expect(offers.locator("tr", has_text=p1.org.name)).to_contain_text("Declined")
    expect(offers.locator("tr", has_text=p2.org.name)).to_contain_text("Accepted")
    expect(page.locator("#decisions .decision")).to_have_count(2)

    partner1.context.close()
    partner2.context.close()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED and lead.partnership_id == p2.partnership.pk
    statuses = dict(Offer.objects.for_vendor(acme.vendor).filter(lead=lead).values_list("partnership_id", "status"))
    assert statuses == {p1.partnership.pk: Offer.Status.DECLINED, p2.partnership.pk: Offer.Status.ACCEPTED}
