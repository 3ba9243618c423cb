"""The partner lifecycle in a real browser (issue 4, "Done when"): a new company applies on the public program
page → the vendor scores and approves it → the invitation is accepted → the agreement is accepted →
onboarding progresses until the partnership is active → the tiers engine runs and the partner sees its tier."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.core import mail
from django.urls import reverse

from kanali.core.models import Partnership
from kanali.designer import metrics
from kanali.designer.publishing import publish
from kanali.designer.services import design_update
from kanali.partners import services_agreements
from kanali.partners.models_applications import Application
from tests.conftest import World, workspace_for
from tests.designer.routes_publishing import complete_design, replace
from tests.factories import PASSWORD
from tests.partners.routes_tiers import saved_registry

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

METRIC = "e2e_metric"
COMPANY = "Nea Systems"
APPLICANT = "newpartner@example.com"
COLLEAGUE = "colleague@example.com"
NEW_PASSWORD = "Kanali-e2e-Orchid-4821"
#: Criterion name → (weight, the reviewer's score): the weighted total is (4×3 + 5×1) / 4 = 4.25.
CRITERIA = {"Accounting customers": (3, 4), "Cloud skills": (1, 5)}
URL_RE = re.compile(r"https?://\S+/invitations/\S+/")


def invitation_link(to: str) -> str:
    """The accept link of the last invitation e-mailed to ``to`` (the live server shares the locmem outbox)."""
    for message in reversed(mail.outbox):
        if to in message.to and (match := URL_RE.search(str(message.body))):
            return match.group(0)
    raise AssertionError(f"no invitation to {to} in {[(m.to, m.subject) for m in mail.outbox]}")


def test_applicant_becomes_an_active_partner_with_a_tier(
    transactional_db: None, live_server: LiveServer, world: World, page: Page, tmp_path: Path
) -> None:
    registry = saved_registry()
    next(registry)
    try:
        run(live_server, world, page, tmp_path)
    finally:
        next(registry, None)


def arrange(world: World) -> None:
    """A published, tiered program with weighted criteria and a published agreement v1 (services, no browser)."""
    acme = world.a
    ws = workspace_for(acme.owner, acme.vendor)
    program = acme.program
    metrics.register(METRIC, lambda p, start, end: Decimal(5), label="E2E points", unit="count")
    complete_design(ws, program)
    design_update(workspace=ws, program=program, values={"framework": "tiers"})
    replace(
        ws,
        program,
        "tiers",
        [
            {"rank": 1, "name": "Registered", "discount_pct": "5", "other_benefits": "Portal access"},
            {"rank": 2, "name": "Silver", "discount_pct": "15", "other_benefits": "Silver perks: demo licences"},
            {"rank": 3, "name": "Gold", "discount_pct": "25", "other_benefits": "Gold perks"},
        ],
    )
    replace(
        ws,
        program,
        "tier_requirements",
        [
            # Publishing wants a requirement on every tier, the entry tier too: one every partner meets.
            {"tier": "Registered", "metric": METRIC, "threshold": "0"},
            {"tier": "Silver", "metric": METRIC, "threshold": "1"},
            {"tier": "Gold", "metric": METRIC, "threshold": "10"},
        ],
    )
    replace(ws, program, "criteria", [{"name": name, "weight": w} for name, (w, _score) in CRITERIA.items()])
    publish(workspace=ws, program=program, change_note="Tiers and criteria")
    template = services_agreements.agreement_template_create(workspace=ws, program=program)
    services_agreements.agreement_template_publish(workspace=ws, template=template)


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', password)
    page.locator('form:has(input[name="login"]) button[type="submit"]').click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def run(live_server: LiveServer, world: World, page: Page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    acme = world.a
    vendor, program = acme.vendor, acme.program
    base = live_server.url
    main = page.locator("main")
    arrange(world)
    mail.outbox.clear()

    # 1. Anonymous: the public program page → "Apply online" → the form; the honeypot stays empty.
    page.goto(f"{base}{reverse('designer:public_program', args=[vendor.slug, program.slug])}")
    page.locator("#apply-form").click()
    page.wait_for_url(f"{base}{reverse('partners:application_apply', args=[vendor.slug, program.slug])}")
    form = page.locator("#application-form")
    form.locator("#id_company_name").fill(COMPANY)
    form.locator("#id_country").select_option("GR")
    form.locator("#id_website").fill("https://nea-systems.example.com")
    form.locator("#id_regions").fill("GR-I, GR-B")
    form.locator("#id_partner_type").select_option("var")
    form.locator("#id_team_size").fill("12")
    form.locator("#id_certified_people").fill("3")
    form.locator("#id_contact_name").fill("Eleni Papadopoulou")
    form.locator("#id_contact_email").fill(APPLICANT)
    form.locator("#id_motivation").fill("Our accounting customers ask for a cloud ledger.")
    expect(page.locator("#id_company_homepage")).to_have_value("")
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/applications/[^/]+/$"))
    expect(main.locator(".alert-success, .alert-info").first).to_contain_text("Thank you")
    expect(main.locator("h1")).to_contain_text(program.name)
    expect(main).to_contain_text("We will e-mail you when there is a decision")
    application = Application.objects.for_vendor(vendor).get(contact_email=APPLICANT)
    assert application.company_name == COMPANY and application.regions == ["GR-I", "GR-B"]
    assert any(APPLICANT in m.to for m in mail.outbox), "the applicant gets a confirmation e-mail"

    # 2. The vendor's owner: the applications list → the application → scores → weighted total → approve.
    sign_in(page, base, acme.owner.email, PASSWORD)
    page.goto(f"{base}{reverse('partners:application_list', args=[vendor.slug])}")
    row = page.locator("#applications tbody tr", has_text=COMPANY)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=COMPANY).click()
    detail = f"{base}{reverse('partners:application_detail', args=[vendor.slug, application.pk])}"
    page.wait_for_url(detail)
    expect(main.locator("h1")).to_have_text(COMPANY)
    score_form = page.locator("#score-form")
    for name, (_weight, score) in CRITERIA.items():
        score_form.get_by_label(name, exact=True).select_option(str(score))
    score_form.get_by_role("button", name="Save my scores").click()
    page.wait_for_url(detail)
    expect(main.locator(".alert-success")).to_contain_text("Your scores are saved.")
    expect(page.locator("#total-score")).to_have_text("4.25")
    expect(page.locator("#score-sheet tfoot")).to_contain_text("4.25")
    page.locator("#approve-form").get_by_role("button", name="Approve").click()
    page.wait_for_url(detail)
    expect(main.locator(".alert-success").first).to_contain_text(f"{APPLICANT} is invited as its admin")
    expect(main.locator(".alert-success", has_text="Approved by")).to_be_visible()
    partnership = Partnership.objects.for_vendor(vendor).get(program=program, partner__name=COMPANY)
    assert partnership.status == Partnership.Status.ONBOARDING

    # 3. The invitation e-mail; sign out; open its link and create the account → the Acme partner portal.
    link = invitation_link(APPLICANT)
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    if "/accounts/logout/" in page.url:  # allauth's confirmation page
        main.locator('form[action*="logout"] button[type="submit"]').click()
    expect(page.locator("#user-menu")).to_have_count(0)
    page.goto(link)
    expect(main.locator("h1")).to_have_text(f"Join {COMPANY}")
    page.fill("#id_first_name", "Eleni")
    page.fill("#id_last_name", "Papadopoulou")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    portal = f"{base}{reverse('core:portal_home', args=[vendor.slug])}"
    page.wait_for_url(portal)
    expect(main.locator("h1")).to_contain_text(vendor.name)
    expect(main.locator(".alert-success").first).to_contain_text(f"Welcome to {COMPANY}")

    # 4. The portal home: an agreement to accept, the onboarding checklist at 0 of 3, no tier yet.
    checklist = main.locator("#onboarding-checklist")
    expect(checklist).to_contain_text("0 of 3 required steps")
    expect(main.locator(f"#tier-widget-{partnership.pk}")).to_be_visible()
    expect(main).to_contain_text("No tier yet")
    widget = main.locator("#agreements-to-accept")
    expect(widget).to_contain_text("1 agreement to accept")
    widget.locator("a.alert-link").click()
    page.wait_for_url(re.compile(r"/p/acme/agreements/\d+/$"))
    expect(page.locator("#agreement-text")).to_contain_text(COMPANY)  # {{ partner_name }} filled in
    page.get_by_label(re.compile("I have read this agreement")).check()
    page.locator("#accept-agreement").click()
    page.wait_for_url(re.compile(r"/p/acme/agreements/\d+/$"))
    expect(main.locator(".alert-success").first).to_contain_text("the agreement is accepted")
    expect(main.get_by_role("heading", name="Accepted")).to_be_visible()

    # The agreement step is ticked: 1 of 3 on the home page, and on the onboarding page.
    page.goto(portal)
    expect(checklist).to_contain_text("1 of 3 required steps")
    expect(main.locator("#agreements-to-accept")).to_have_count(0)
    onboarding = f"{base}{reverse('partners:portal_onboarding', args=[vendor.slug])}"
    page.goto(onboarding)
    agreement_step = main.locator("li.list-group-item", has_text="agreement").first
    expect(agreement_step.locator(".bi-check-circle-fill")).to_have_count(1)
    expect(main).to_contain_text("1 of 3 required steps done")
    expect(main.locator(".card-header .badge")).to_have_text("Onboarding")

    # Complete the company profile (the VAT number was left out of the application).
    main.get_by_role("link", name="Complete the profile").click()
    page.wait_for_url(f"{base}{reverse('core:portal_profile', args=[vendor.slug])}")
    expect(page.locator("#id_website")).to_have_value("https://nea-systems.example.com")
    page.fill("#id_vat_number", "EL094014201")
    main.get_by_role("button", name="Save").click()
    expect(main.locator(".alert-success").first).to_contain_text("Company profile saved.")
    page.goto(onboarding)
    expect(main).to_contain_text("2 of 3 required steps done")

    # Invite a colleague; the step is done when the colleague has joined (a second person in the company).
    main.get_by_role("link", name="Invite a colleague").click()
    page.wait_for_url(f"{base}{reverse('accounts:portal_team', args=[vendor.slug])}")
    page.fill("#id_email", COLLEAGUE)
    main.get_by_role("button", name="Send invitation").click()
    expect(main.locator(".alert-success").first).to_contain_text(f"Invitation sent to {COLLEAGUE}")
    expect(main.locator("li.list-group-item", has_text=COLLEAGUE)).to_be_visible()  # a pending invitation
    page.goto(onboarding)
    expect(main).to_contain_text("2 of 3 required steps done")  # not yet: the colleague has to join
    browser = page.context.browser
    assert browser is not None
    colleague = browser.new_context(locale="en-US")
    try:
        other = colleague.new_page()
        other.goto(invitation_link(COLLEAGUE))
        other.fill("#id_first_name", "Nikos")
        other.fill("#id_last_name", "Georgiou")
        other.fill("#id_password1", NEW_PASSWORD)
        other.fill("#id_password2", NEW_PASSWORD)
        other.get_by_role("button", name="Create account and join").click()
        other.wait_for_url(portal)
    finally:
        colleague.close()

    # Every required step is done: the partnership is active.
    page.goto(onboarding)
    expect(main).to_contain_text("Every required step is done.")
    expect(main.locator(".card-header .badge")).to_have_text("Active")
    # The bar counts the optional steps too (training, first deal), so it is not full; it turns green.
    expect(main.locator('.progress[aria-label="Onboarding progress"] .progress-bar.bg-success')).to_have_count(1)
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.ACTIVE

    # 5. The vendor runs the tier evaluation from the console (in its own browser context).
    vendor_context = browser.new_context(locale="en-US")
    try:
        console = vendor_context.new_page()
        sign_in(console, base, acme.owner.email, PASSWORD)
        tiers = f"{base}{reverse('partners:tiers_program', args=[vendor.slug, program.pk])}"
        console.goto(tiers)
        console.get_by_role("button", name="Run evaluation now").click()
        console.wait_for_url(tiers)
        expect(console.locator("main .alert-success").first).to_contain_text("Evaluated")
        expect(console.locator("main tr", has_text=COMPANY).locator(".badge.text-bg-primary")).to_have_text("Silver")
    finally:
        vendor_context.close()

    # The partner sees Silver, its benefits, and a progress bar toward Gold.
    page.goto(f"{base}{reverse('partners:portal_tiers', args=[vendor.slug])}")
    expect(main.locator("h1")).to_have_text("Your tier")
    expect(main.locator(".badge.text-bg-primary")).to_contain_text("Silver")
    expect(main).to_contain_text("Silver perks: demo licences")
    expect(main.locator('[aria-current="true"]')).to_contain_text("Silver")
    expect(main).to_contain_text("Progress toward Gold")
    bar = main.locator('.progress[aria-label="E2E points"]')
    expect(bar).to_have_attribute("aria-valuenow", "50")
    expect(main).to_contain_text("5 of 10")

    page.goto(portal)
    expect(main.locator(f"#tier-widget-{partnership.pk}")).to_contain_text("Your tier in")
    expect(main.locator(".badge.text-bg-primary").first).to_contain_text("Silver")
    expect(main.locator("#onboarding-checklist")).to_have_count(0)  # onboarding is over
    shot = tmp_path / "portal-home-tier.png"
    page.screenshot(path=shot, full_page=True)
    print(f"screenshot: {shot}")
