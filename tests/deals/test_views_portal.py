"""Partner portal deals pages: registering (field errors, conflicts told without details), the registrations list,
extensions, the pipeline board and list, and the deal page's moves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kanali.core.roles import Role
from kanali.deals.models import Deal, DealRegistration, DealStageChange
from kanali.designer.models import PipelineStage
from tests.conftest import World, queries_for
from tests.deals.routes_pages import approved, deal, product, submitted
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/p/acme/deals/register/"


def form_data(**over: Any) -> dict[str, Any]:
    data = {
        "company": "Beta Logistics Ltd",
        "domain": "https://www.beta-logistics.example.com/about",
        "vat_number": "",
        "country": "GR",
        "contact_name": "Nikos",
        "contact_email": "nikos@beta-logistics.example.com",
        "estimated_value": "8.400,50",
        "currency": "EUR",
        "expected_close": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "notes": "Replacing their legacy ERP.",
    }
    data.update(over)
    return data


def stages(world: World, *names_probs: tuple[str, int]) -> None:
    a = world.a
    for n, (name, probability) in enumerate(names_probs, start=1):
        PipelineStage.objects.create(
            vendor=a.vendor, program=a.program, position=n, name=name, win_probability=probability
        )


def test_register_form_lists_active_products_and_creates_the_registration(world: World, client: Client) -> None:
    a = world.a
    product(a, "cloud-erp", "Cloud ERP")
    inactive = product(a, "old-crm", "Old CRM")
    inactive.active = False
    inactive.save()
    client.force_login(a.partners[0].sales)
    page = client.get(REGISTER).content.decode()
    assert "Cloud ERP" in page and "Old CRM" not in page
    assert '<option value="EUR" selected>' in page

    response = client.post(REGISTER, form_data(products=["cloud-erp"]))
    reg = DealRegistration.objects.for_vendor(a.vendor).get()
    assert response.status_code == 302
    assert response["Location"] == f"/p/acme/deals/registrations/{reg.pk}/"
    assert reg.partnership == a.partners[0].partnership
    assert reg.products == ["cloud-erp"]
    assert str(reg.estimated_value) == "8400.500"
    assert reg.domain == "beta-logistics.example.com"
    assert not reg.in_conflict
    detail = client.get(response["Location"]).content.decode()
    assert "Beta Logistics Ltd" in detail and "Cloud ERP" in detail
    assert "is in; the vendor will review it" in detail


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"company": ""}, "company", "This field is required."),
        ({"currency": "XYZ"}, "currency", "Select a valid choice"),
        ({"estimated_value": "a lot"}, "estimated_value", "Enter an amount such as 1250.00."),
        ({"expected_close": "2020-01-01"}, "expected_close", "cannot be in the past"),
        ({"vat_number": "EL123"}, "vat_number", "is not a valid EU VAT number"),
        ({"products": ["nope"]}, "products", "Select a valid choice"),
        ({"domain": "not a domain"}, "domain", "is not a website address"),
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(
    world: World, client: Client, over: dict[str, Any], field: str, message: str
) -> None:
    product(world.a)
    client.force_login(world.a.partners[0].admin)
    response = client.post(REGISTER, form_data(**over))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="{field}-errors"' in page
    assert message in page
    assert not DealRegistration.objects.for_vendor(world.a.vendor).exists()


def test_a_conflict_is_told_without_the_other_partners_data(world: World, client: Client) -> None:
    a = world.a
    submitted(a, 1, company="Gamma Foods SA", domain="gammafoods.gr")
    client.force_login(a.partners[0].admin)
    response = client.post(REGISTER, form_data(company="GAMMA FOODS S.A.", domain="www.gammafoods.gr"), follow=True)
    page = response.content.decode()
    mine = DealRegistration.objects.for_vendor(a.vendor).get(partnership=a.partners[0].partnership)
    assert mine.in_conflict and mine.conflicts
    assert "conflicts with an existing registration" in page
    assert 'id="conflict-notice"' in page
    other = a.partners[1].org.name
    assert other not in page
    assert "Gamma Foods SA" not in page  # the other registration's own spelling
    assert 'id="conflicts"' not in page  # the vendor's side-by-side table
    listing = client.get("/p/acme/deals/registrations/").content.decode()
    assert "Conflicts with an existing registration" in listing
    assert other not in listing


def test_technical_partner_users_cannot_register(world: World, client: Client) -> None:
    user = UserFactory()
    MembershipFactory(organization=world.a.partners[0].org, role=Role.PARTNER_TECHNICAL, user=user)
    client.force_login(user)
    assert client.get(REGISTER).status_code == 403
    assert client.post(REGISTER, form_data()).status_code == 403
    # They follow the pipeline read-only.
    d = deal(world.a)
    page = client.get(f"/p/acme/deals/{d.pk}/").content.decode()
    assert d.name in page and 'id="won-form"' not in page and 'id="stage-form"' not in page
    assert 'class="d-flex gap-1 mt-2 move-form"' not in client.get("/p/acme/deals/").content.decode()
    assert client.post(f"/p/acme/deals/{d.pk}/won/", {"amount": "1"}).status_code == 403


def test_registrations_list_shows_status_and_protection_countdown_without_per_row_queries(
    world: World, client: Client
) -> None:
    a = world.a
    approved(a, company="Delta Hotels", domain="delta-hotels.gr")
    client.force_login(a.partners[0].admin)
    url = "/p/acme/deals/registrations/"
    page = client.get(url).content.decode()
    assert "Delta Hotels" in page
    assert "days of protection left" in page
    assert "#extension-form" in page  # the link to ask for more time
    small = queries_for(lambda: client.get(url))
    for n in range(5):
        submitted(a, company=f"Company {n} Holdings", domain=f"c{n}.example.com")
    approved(a, company="Epsilon Retail", domain="epsilon.example.com")
    assert queries_for(lambda: client.get(url)) == small
    assert "Epsilon Retail" in client.get(url).content.decode()
    # Another partner of the vendor sees none of it.
    client.force_login(a.partners[1].admin)
    assert "Delta Hotels" not in client.get(url).content.decode()


def test_partner_requests_one_extension(world: World, client: Client) -> None:
    a = world.a
    reg = approved(a)
    client.force_login(a.partners[0].sales)
    url = f"/p/acme/deals/registrations/{reg.pk}/"
    assert 'id="extension-form"' in client.get(url).content.decode()
    response = client.post(f"{url}extend/", {"reason": "The board meets in March"}, follow=True)
    assert "Your extension request is sent to the vendor." in response.content.decode()
    reg.refresh_from_db()
    assert reg.extension_requested_at is not None and reg.extension_reason == "The board meets in March"
    again = client.post(f"{url}extend/", {"reason": "again"}, follow=True).content.decode()
    assert "already requested" in again
    assert 'id="extension-form"' not in again


def test_board_has_a_column_per_designer_stage_and_moves_deals(world: World, client: Client) -> None:
    a = world.a
    stages(world, ("Discover", 10), ("Prove", 40), ("Commit", 80))
    d = deal(a)
    client.force_login(a.partners[0].sales)
    page = client.get("/p/acme/deals/").content.decode()
    for name in ("Discover", "Prove", "Commit"):
        assert name in page
    assert f'id="deal-{d.pk}"' in page
    assert "12,500.00 EUR" in page
    response = client.post(f"/p/acme/deals/{d.pk}/stage/", {"stage": "3", "next": "/p/acme/deals/"})
    assert response.status_code == 302 and response["Location"] == "/p/acme/deals/"
    d.refresh_from_db()
    assert (d.stage, d.stage_position, d.probability) == ("Commit", 3, 80)
    # Weighted pipeline: 12,500 × 80%.
    assert "10,000.00 EUR" in client.get("/p/acme/deals/").content.decode()
    # An unsafe "next" is ignored.
    response = client.post(f"/p/acme/deals/{d.pk}/stage/", {"stage": "2", "next": "https://evil.example.com/"})
    assert response["Location"] == f"/p/acme/deals/{d.pk}/"
    # A stage the pipeline does not have.
    client.post(f"/p/acme/deals/{d.pk}/stage/", {"stage": "9"})
    d.refresh_from_db()
    assert d.stage_position == 2


def test_htmx_move_returns_the_board(world: World, client: Client) -> None:
    a = world.a
    stages(world, ("Discover", 10), ("Prove", 40))
    d = deal(a)
    client.force_login(a.partners[0].admin)
    response = client.post(
        f"/p/acme/deals/{d.pk}/stage/",
        {"stage": "2", "next": "/p/acme/deals/"},
        headers={"HX-Request": "true"},
        follow=True,
    )
    page = response.content.decode()
    assert 'id="board"' in page
    assert "is now at Prove" in page


def test_deal_page_won_and_lost_with_history(world: World, client: Client) -> None:
    a = world.a
    d = deal(a)
    client.force_login(a.partners[0].admin)
    url = f"/p/acme/deals/{d.pk}/"
    page = client.get(url).content.decode()
    assert 'id="won-form"' in page and 'id="lost-form"' in page
    assert 'id="reopen-form"' not in page  # reopening is the vendor's call
    # Lost needs a reason.
    response = client.post(f"{url}lost/", {"reason": ""})
    assert response.status_code == 200 and 'id="reason-errors"' in response.content.decode()
    response = client.post(f"{url}won/", {"amount": "13.000,00", "note": "Signed"}, follow=True)
    page = response.content.decode()
    assert "is won" in page and 'id="deal-outcome"' in page
    d.refresh_from_db()
    assert d.status == Deal.Status.WON and str(d.amount) == "13000.000"
    history = list(DealStageChange.objects.for_vendor(a.vendor).filter(deal=d).values_list("to_status", flat=True))
    assert history[-1] == "won"
    assert "Signed" in page
    # A partner cannot reverse a win.
    assert client.post(f"{url}lost/", {"reason": "changed mind"}).status_code == 403


def test_pipeline_pages_do_not_query_per_row(world: World, client: Client) -> None:
    a = world.a
    stages(world, ("Discover", 10), ("Prove", 40))
    product(a)
    deal(a, products=["cloud-erp"])
    client.force_login(a.partners[0].admin)
    board, listing = "/p/acme/deals/", "/p/acme/deals/list/"
    small_board = queries_for(lambda: client.get(board))
    small_list = queries_for(lambda: client.get(listing))
    for n in range(6):
        deal(a, company=f"Omega {n} Shipping", domain=f"omega{n}.example.com", currency="USD" if n % 2 else "EUR")
    assert queries_for(lambda: client.get(board)) == small_board
    assert queries_for(lambda: client.get(listing)) == small_list
    page = client.get(listing).content.decode()
    assert "Omega 5 Shipping" in page and "Cloud ERP" in page


def test_partner_sees_only_its_own_deals(world: World, client: Client) -> None:
    a = world.a
    mine = deal(a, 0, company="Mine Corp", domain="mine.example.com")
    theirs = deal(a, 1, company="Theirs Corp", domain="theirs.example.com")
    client.force_login(a.partners[0].admin)
    page = client.get("/p/acme/deals/list/").content.decode()
    assert "Mine Corp" in page and "Theirs Corp" not in page
    assert client.get(f"/p/acme/deals/{theirs.pk}/").status_code == 404
    assert client.post(f"/p/acme/deals/{theirs.pk}/won/", {"amount": "1"}).status_code == 404
    assert client.get(f"/p/acme/deals/{mine.pk}/").status_code == 200


def test_deal_details_are_edited_with_field_errors(world: World, client: Client) -> None:
    a = world.a
    product(a, "cloud-erp", "Cloud ERP")
    d = deal(a)
    client.force_login(a.partners[0].sales)
    url = f"/p/acme/deals/{d.pk}/edit/"
    close = (timezone.localdate() + timedelta(days=60)).isoformat()
    bad = client.post(url, {"name": "Alfa ERP", "amount": "lots", "expected_close": close})
    assert bad.status_code == 200 and 'id="amount-errors"' in bad.content.decode()
    response = client.post(
        url, {"name": "Alfa ERP rollout", "amount": "14.250,00", "expected_close": close, "products": ["cloud-erp"]}
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.name, str(d.amount), d.expected_close.isoformat(), d.products) == (
        "Alfa ERP rollout",
        "14250.000",
        close,
        ["cloud-erp"],
    )


def test_partner_withdraws_a_waiting_registration(world: World, client: Client) -> None:
    a = world.a
    reg = submitted(a)
    client.force_login(a.partners[0].admin)
    url = f"/p/acme/deals/registrations/{reg.pk}/"
    assert 'id="withdraw-form"' in client.get(url).content.decode()
    page = client.post(f"{url}withdraw/", follow=True).content.decode()
    assert "The registration is withdrawn." in page and 'id="withdraw-form"' not in page
    reg.refresh_from_db()
    assert reg.status == DealRegistration.Status.WITHDRAWN
    again = client.post(f"{url}withdraw/", follow=True).content.decode()
    assert "already decided" in again
