"""Partner portal pages of leads: My leads with deadlines, accept / decline / progress from the list and the
lead page, "why it fits" without other partners' data, another partner's lead is 404, the home panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kanali.leads import hooks, services
from kanali.leads.models import Lead, Offer
from tests.conftest import World, queries_for, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    a = world.a
    p1, p2 = a.partners
    RoutingProfileFactory(partnership=p1.partnership)
    RoutingProfileFactory(partnership=p2.partnership, offices=[THESSALONIKI])
    return {"a": a, "ws": workspace_for(a.channel_manager, a.vendor), "p1": p1, "p2": p2}


def offered(setup: dict[str, Any], **kwargs: Any) -> Lead:
    lead = LeadFactory(program=setup["a"].program, **kwargs)
    services.route_lead(workspace=setup["ws"], lead=lead)
    lead.refresh_from_db()
    return lead


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"leads:{name}", kwargs={"vendor_slug": "acme", **kwargs})


def test_my_leads_lists_pending_offers_with_a_deadline_readable_without_js(
    setup: dict[str, Any], client: Client
) -> None:
    lead = offered(setup, company="Olive Press SA", contact_name="Secret Person")
    offer = Offer.objects.for_vendor(lead.vendor).get(lead=lead)
    client.force_login(setup["p1"].sales)
    body = client.get(url("portal_leads")).content.decode()
    assert "Olive Press SA" in body
    assert f'data-deadline="{timezone.localtime(offer.deadline).isoformat()}"' in body
    assert "hours left</span>)" in body  # the server-rendered "(1 day, 23 hours left)"
    assert url("portal_accept", lead_id=lead.pk) in body and url("portal_decline", lead_id=lead.pk) in body
    assert "Secret Person" not in body
    # The other partner sees nothing of it.
    client.force_login(setup["p2"].admin)
    assert "Olive Press SA" not in client.get(url("portal_leads")).content.decode()
    assert client.get(url("portal_lead", lead_id=lead.pk)).status_code == 404
    assert client.post(url("portal_accept", lead_id=lead.pk)).status_code == 404


def test_lead_page_shows_why_it_fits_but_no_other_partner(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    client.force_login(setup["p1"].admin)
    body = client.get(url("portal_lead", lead_id=lead.pk)).content.decode()
    assert "Why it fits you" in body and "Distance" in body
    assert setup["p2"].org.name not in body
    assert "Contact details show once you accept." in body
    assert lead.contact_name not in body


def test_accept_from_the_list_then_convert(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    converted: list[int] = []
    hooks.LEAD_CONVERTED.append(lambda lead: converted.append(lead.pk))
    try:
        client.force_login(setup["p1"].sales)
        response = client.post(url("portal_accept", lead_id=lead.pk), {"next": "list"})
        assert response.status_code == 302 and response["Location"] == url("portal_lead", lead_id=lead.pk)
        lead.refresh_from_db()
        assert lead.status == Lead.Status.ACCEPTED
        body = client.get(url("portal_lead", lead_id=lead.pk)).content.decode()
        assert lead.email in body and 'id="progress"' in body
        # Disqualify needs a reason: the error sits by the field.
        response = client.post(url("portal_status", lead_id=lead.pk), {"status": "disqualified", "reason": ""})
        assert "Say why the lead is disqualified." in response.content.decode()
        assert client.post(url("portal_status", lead_id=lead.pk), {"status": "contacted"}).status_code == 302
        assert client.post(url("portal_status", lead_id=lead.pk), {"status": "converted"}).status_code == 302
        lead.refresh_from_db()
        assert lead.status == Lead.Status.CONVERTED and converted == [lead.pk]
        # Accepting again is a state error, shown as a message.
        response = client.post(url("portal_accept", lead_id=lead.pk), follow=True)
        assert "alert-danger" in response.content.decode()
    finally:
        hooks.LEAD_CONVERTED.pop()


def test_decline_with_reason_goes_to_the_next_partner(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    client.force_login(setup["p1"].admin)
    response = client.post(url("portal_decline", lead_id=lead.pk), {"reason": "bogus"})
    assert "Select a valid choice" in response.content.decode()
    lead.refresh_from_db()
    assert lead.partnership_id == setup["p1"].partnership.pk
    response = client.post(url("portal_decline", lead_id=lead.pk), {"reason": "no_capacity", "note": "Busy"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.partnership_id == setup["p2"].partnership.pk and lead.status == Lead.Status.OFFERED
    mine = Offer.objects.for_vendor(lead.vendor).get(lead=lead, partnership=setup["p1"].partnership)
    assert mine.status == Offer.Status.DECLINED and mine.decline_note == "Busy"
    # The decliner still sees its own past offer, not the new holder.
    body = client.get(url("portal_lead", lead_id=lead.pk)).content.decode()
    assert "This lead is no longer with you." in body and setup["p2"].org.name not in body
    # Acting again: a message (htmx: 409), never a 500.
    response = client.post(url("portal_accept", lead_id=lead.pk), headers={"HX-Request": "true"})
    assert response.status_code == 409


def test_my_leads_query_count_is_constant(setup: dict[str, Any], client: Client) -> None:
    client.force_login(setup["p1"].admin)
    offered(setup)
    client.get(url("portal_leads"))
    few = queries_for(lambda: client.get(url("portal_leads")))
    for _ in range(5):
        offered(setup)
    accepted = offered(setup)
    services.offer_accept(workspace=workspace_for(setup["p1"].admin, setup["a"].vendor, "partner"), lead=accepted)
    many = queries_for(lambda: client.get(url("portal_leads")))
    assert few == many
    assert queries_for(lambda: client.get(url("portal_leads") + "?all=1")) <= many + 1


def test_home_panel_lists_leads_waiting(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup, company="Waiting Co")
    client.force_login(setup["p1"].admin)
    body = client.get(reverse("core:portal_home", args=["acme"])).content.decode()
    assert "Leads waiting for you" in body and "Waiting Co" in body
    assert url("portal_lead", lead_id=lead.pk) in body
    client.force_login(setup["p2"].admin)
    assert "Waiting Co" not in client.get(reverse("core:portal_home", args=["acme"])).content.decode()


def test_technical_role_cannot_work_leads(setup: dict[str, Any], client: Client) -> None:
    from kanali.core.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    tech = MembershipFactory(organization=setup["p1"].org, role=Role.PARTNER_TECHNICAL, user=UserFactory()).user
    client.force_login(tech)
    assert client.get(url("portal_leads")).status_code == 403


def test_partner_admin_sets_capacity_and_pause_but_not_territory(setup: dict[str, Any], client: Client) -> None:
    from kanali.leads.models import RoutingProfile

    p1 = setup["p1"].partnership
    page = url("portal_availability")
    client.force_login(setup["p1"].admin)
    body = client.get(page).content.decode()
    assert setup["a"].program.name in body and "countries" not in body
    prefix = f"p{p1.pk}"
    data = {
        "partnership": p1.pk,
        f"{prefix}-languages": "el, en",
        f"{prefix}-offices": "Athens, GR",
        f"{prefix}-capacity": "2",
        f"{prefix}-paused_until": "2031-08-31",
        f"{prefix}-countries": "*",  # not a field of this form: ignored, never saved
    }
    assert client.post(page, data).status_code == 302
    profile = RoutingProfile.objects.for_vendor(p1.vendor).get(partnership=p1)
    assert profile.capacity == 2 and str(profile.paused_until) == "2031-08-31" and profile.countries == ["GR"]
    assert client.post(page, {**data, f"{prefix}-capacity": "-1"}).status_code == 400
    # Another partner's partnership is 404; a sales rep may look but not change.
    assert client.post(page, {**data, "partnership": setup["p2"].partnership.pk}).status_code == 404
    client.force_login(setup["p1"].sales)
    assert client.get(page).status_code == 200
    assert client.post(page, data).status_code == 403
