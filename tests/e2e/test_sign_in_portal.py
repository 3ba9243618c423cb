"""The foundation flow in a real browser: sign in, switch to Greek, see the partner portal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import translation

from tests.conftest import World
from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer


def greek(message: str) -> str:
    """``message`` as the Greek catalogue has it now (English while the catalogue lacks it)."""
    with translation.override("el"):
        return translation.gettext(message)


def test_partner_signs_in_switches_to_greek_and_sees_portal(
    transactional_db: None, live_server: LiveServer, world: World, page: Page, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    acme = world.a
    admin = acme.partners[0].admin
    portal = reverse("core:portal_home", args=[acme.vendor.slug])

    # Sign in through allauth; the workspace chooser lists the program the partner sells for.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', admin.email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form:has(input[name="login"]) button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Programs you sell for")).to_be_visible()
    expect(page.locator('a[href="/p/globex/"]')).to_have_count(0)

    # Into the Acme partner portal.
    page.locator(f'main a[href="{portal}"]').click()
    expect(page).to_have_url(f"{live_server.url}{portal}")
    expect(page.locator("main h1")).to_contain_text(acme.vendor.name)
    expect(page.get_by_text(acme.program.name, exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Switch to Greek with the navbar's language form; set_language brings us back to the same page.
    page.locator('#language-form button[value="el"]').click()
    expect(page).to_have_url(f"{live_server.url}{portal}")
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(page.locator('#language-form button[value="en"]')).to_be_visible()
    colleagues = page.locator(f'#topnav a[href="{reverse("accounts:portal_team", args=[acme.vendor.slug])}"]')
    expect(colleagues).to_have_text(greek("Colleagues"))
    if greek("Colleagues") != "Colleagues":  # the Greek catalogue is compiled: no English left in the nav
        expect(page.locator("#topnav")).not_to_contain_text("Colleagues")
    heading = greek("%(vendor)s partner portal") % {"vendor": acme.vendor.name}
    expect(page.locator("main h1")).to_have_text(heading)
    expect(page.get_by_text(acme.program.name, exact=True)).to_be_visible()

    # A partner has no vendor console: it does not exist for them.
    response = page.goto(f"{live_server.url}/v/{acme.vendor.slug}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text(greek("Page not found"))

    # The language sticks; the screenshot is for a human eye (kept under tmp_path, not committed).
    page.goto(f"{live_server.url}{portal}")
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(page.locator("main h1")).to_have_text(heading)
    page.screenshot(path=tmp_path / "portal-el.png", full_page=True)
