"""Vendor console pages of leads: the queue, a lead with its explanation, reassign / return, the routing log,
routing settings and partner routing profiles — who may see and do what, bad input, and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kanali.leads import selectors, services
from kanali.leads.models import Lead, LeadSettings, Offer, RoutingDecision, RoutingProfile
from tests.conftest import World, queries_for, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    """Acme's partner 1 works from Athens, partner 2 from Thessaloniki; both serve Greece."""
    a = world.a
    p1, p2 = a.partners
    RoutingProfileFactory(partnership=p1.partnership)
    RoutingProfileFactory(partnership=p2.partnership, offices=[THESSALONIKI])
    return {"a": a, "b": world.b, "ws": workspace_for(a.channel_manager, a.vendor)}


def offered(setup: dict[str, Any], **kwargs: Any) -> Lead:
    lead = LeadFactory(program=setup["a"].program, **kwargs)
    services.route_lead(workspace=setup["ws"], lead=lead)
    lead.refresh_from_db()
    return lead


def url(name: str, setup: dict[str, Any], **kwargs: Any) -> str:
    return reverse(f"leads:{name}", kwargs={"vendor_slug": setup["a"].vendor.slug, **kwargs})


def test_queue_lists_filters_and_counts(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup, company="Olive Press SA")
    LeadFactory(program=setup["a"].program, company="Fresh Lead Ltd")
    LeadFactory(program=setup["b"].program, company="Globex Customer")
    client.force_login(setup["a"].owner)
    body = client.get(url("vendor_leads", setup)).content.decode()
    assert "Olive Press SA" in body and "Fresh Lead Ltd" in body
    assert "Globex Customer" not in body
    assert 'data-status="offered"' in body
    attention = client.get(url("vendor_leads", setup) + "?status=attention").content.decode()
    assert "Fresh Lead Ltd" in attention and "Olive Press SA" not in attention
    by_partner = client.get(url("vendor_leads", setup) + f"?partnership={lead.partnership_id}").content.decode()
    assert "Olive Press SA" in by_partner and "Fresh Lead Ltd" not in by_partner
    search = client.get(url("vendor_leads", setup) + "?q=olive").content.decode()
    assert "Olive Press SA" in search and "Fresh Lead Ltd" not in search
    # A bad filter value filters nothing and is no error.
    assert client.get(url("vendor_leads", setup) + "?program=abc").status_code == 200


def test_queue_query_count_does_not_grow(setup: dict[str, Any], client: Client) -> None:
    client.force_login(setup["a"].owner)
    offered(setup)
    LeadFactory(program=setup["a"].program)
    client.get(url("vendor_leads", setup))  # warm caches (sessions, content types)
    few = queries_for(lambda: client.get(url("vendor_leads", setup)))
    for _ in range(6):
        offered(setup)
    for _ in range(6):
        LeadFactory(program=setup["a"].program, status=Lead.Status.RETURNED)
    many = queries_for(lambda: client.get(url("vendor_leads", setup)))
    assert few == many


def test_lead_page_shows_the_explanation_readably(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    client.force_login(setup["a"].channel_manager)
    body = client.get(url("vendor_lead", setup, lead_id=lead.pk)).content.decode()
    p1, p2 = (p.org.name for p in setup["a"].partners)
    assert "2 of 2 partners were eligible." in body
    assert p1 in body and p2 in body
    assert "explanation-table" in body and "km" in body
    assert "Distance" in body and "Fairness" in body
    assert 'class="progress-bar"' in body
    assert "Withdraw and reassign" in body


def test_reassign_to_a_picked_partner_and_back_to_the_engine(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    p1, p2 = (p.partnership for p in setup["a"].partners)
    assert lead.partnership_id == p1.pk
    client.force_login(setup["a"].owner)
    response = client.post(url("lead_reassign", setup, lead_id=lead.pk), {"partnership": p2.pk})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.partnership_id == p2.pk and lead.status == Lead.Status.OFFERED
    assert Offer.objects.for_vendor(lead.vendor).get(lead=lead, partnership=p1).status == Offer.Status.WITHDRAWN
    # Re-running the engine leaves out the partner that held it.
    client.post(url("lead_reassign", setup, lead_id=lead.pk), {"partnership": ""})
    lead.refresh_from_db()
    assert lead.partnership_id == p1.pk
    kinds = set(RoutingDecision.objects.for_vendor(lead.vendor).filter(lead=lead).values_list("kind", flat=True))
    assert RoutingDecision.Kind.MANUAL in kinds


def test_reassign_refuses_another_vendors_partner_and_garbage(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    foreign = setup["b"].partners[0].partnership
    client.force_login(setup["a"].owner)
    assert client.post(url("lead_reassign", setup, lead_id=lead.pk), {"partnership": foreign.pk}).status_code == 400
    assert client.post(url("lead_reassign", setup, lead_id=lead.pk), {"partnership": "x"}).status_code == 400
    lead.refresh_from_db()
    assert lead.partnership_id == setup["a"].partners[0].partnership.pk


def test_return_to_queue_and_closed_lead_message(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    client.force_login(setup["a"].owner)
    response = client.post(url("lead_return", setup, lead_id=lead.pk), follow=True)
    assert "The lead is back in your queue." in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.RETURNED and lead.partnership_id is None
    # Returning it again is a state error: a message, no 500; with htmx a 409 fragment.
    response = client.post(url("lead_return", setup, lead_id=lead.pk), follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    response = client.post(url("lead_return", setup, lead_id=lead.pk), headers={"HX-Request": "true"})
    assert response.status_code == 409 and b"lead-state-error" in response.content


def test_finance_reads_but_cannot_act(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup)
    client.force_login(setup["a"].finance)
    assert client.get(url("vendor_lead", setup, lead_id=lead.pk)).status_code == 200
    assert client.post(url("lead_return", setup, lead_id=lead.pk)).status_code == 403
    program = setup["a"].program
    assert client.post(url("routing_settings", setup, program_id=program.pk), {}).status_code == 403


def test_routing_log_lists_decisions_newest_first_with_constant_queries(setup: dict[str, Any], client: Client) -> None:
    first = offered(setup, company="First Co")
    client.force_login(setup["a"].owner)
    log = url("routing_log", setup)
    client.get(log)
    few = queries_for(lambda: client.get(log))
    last = offered(setup, company="Last Co")
    for _ in range(5):
        offered(setup)
    many = queries_for(lambda: client.get(log))
    assert few == many
    body = client.get(log + "?kind=automatic").content.decode()
    assert body.index(reverse("leads:vendor_lead", args=["acme", last.pk])) < body.index(
        reverse("leads:vendor_lead", args=["acme", first.pk])
    )
    assert "Last Co" not in client.get(log + "?kind=manual").content.decode()
    # Each row carries its explanation, formatted from the stored JSON.
    assert "2 of 2 partners were eligible." in body and "explanation-table" in body


def test_routing_settings_save_and_refuse_bad_input(setup: dict[str, Any], client: Client) -> None:
    program = setup["a"].program
    client.force_login(setup["a"].owner)
    page = url("routing_settings", setup, program_id=program.pk)
    body = client.get(page).content.decode()
    assert 'id="web-form-url"' in body and f"/w/acme/{program.slug}/lead/" in body
    data = {
        "mode": "sequential",
        "max_distance_km": 150,
        "acceptance_hours": 24,
        "max_attempts": 4,
        "fairness_window_days": 14,
        "web_form_enabled": "on",
        "partner_types": ["var"],
        "weight_distance": 1,
        "weight_tier": 0,
        "weight_specialization": 0.5,
        "weight_performance": 0.5,
        "weight_responsiveness": 0,
        "weight_deal_size": 0,
        "weight_fairness": 0.25,
    }
    assert client.post(page, data).status_code == 302
    ls = LeadSettings.objects.for_vendor(program.vendor).get(program=program)
    assert ls.mode == "sequential" and ls.acceptance_hours == 24 and ls.max_attempts == 4
    assert ls.weights["distance"] == 1 and ls.weights["fairness"] == 0.25 and ls.web_form_enabled
    assert ls.partner_types == ["var"]
    bad = {**data, "acceptance_hours": 0, "weight_tier": -1}
    response = client.post(page, bad)
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    zero = {**data, **{k: 0 for k in data if k.startswith("weight_")}}
    response = client.post(page, zero)
    assert response.status_code == 400 and "At least one weight must be above zero." in response.content.decode()
    ls.refresh_from_db()
    assert ls.acceptance_hours == 24
    # Another vendor's program is 404 through this console.
    other = url("routing_settings", setup, program_id=setup["b"].program.pk)
    assert client.get(other).status_code == 404


def test_profiles_list_and_edit(setup: dict[str, Any], client: Client) -> None:
    program = setup["a"].program
    p1 = setup["a"].partners[0].partnership
    client.force_login(setup["a"].owner)
    listing = client.get(url("profile_list", setup, program_id=program.pk)).content.decode()
    assert setup["a"].partners[0].org.name in listing
    page = url("profile_edit", setup, partnership_id=p1.pk)
    assert client.get(page).status_code == 200
    data = {
        "countries": "GR, CY",
        "regions": "GR-I",
        "languages": "el, en",
        "industries": "Retail",
        "specializations": "ERP",
        "offices": "Patras, GR",
        "capacity": "3",
        "paused_until": "",
    }
    assert client.post(page, data).status_code == 302
    profile = RoutingProfile.objects.for_vendor(p1.vendor).get(partnership=p1)
    assert profile.countries == ["GR", "CY"] and profile.capacity == 3 and profile.languages == ["el", "en"]
    assert profile.offices and profile.offices[0]["city"] == "Patras"
    response = client.post(page, {**data, "countries": "XX", "offices": "nowhere"})
    assert response.status_code == 400
    assert "Not ISO country codes" in response.content.decode()
    listing_queries = queries_for(lambda: client.get(url("profile_list", setup, program_id=program.pk)))
    from tests.factories import PartnershipFactory

    for _ in range(4):
        RoutingProfileFactory(partnership=PartnershipFactory(program=program))
    assert queries_for(lambda: client.get(url("profile_list", setup, program_id=program.pk))) == listing_queries


def test_settings_index_goes_to_the_only_program(setup: dict[str, Any], client: Client) -> None:
    client.force_login(setup["a"].owner)
    response = client.get(url("settings_index", setup))
    assert response.status_code == 302
    assert response["Location"] == url("routing_settings", setup, program_id=setup["a"].program.pk)


def test_suggest_mode_lets_a_person_pick_from_the_ranking(setup: dict[str, Any], client: Client) -> None:
    program = setup["a"].program
    services.lead_settings_update(workspace=setup["ws"], program=program, data={"mode": "suggest"})
    lead = offered(setup)
    assert lead.status == Lead.Status.NEW
    client.force_login(setup["a"].owner)
    body = client.get(url("vendor_lead", setup, lead_id=lead.pk)).content.decode()
    assert "Ranked by the routing engine" in body and "suggestions" in body
    p2 = setup["a"].partners[1].partnership
    client.post(url("lead_reassign", setup, lead_id=lead.pk), {"partnership": p2.pk})
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OFFERED and lead.partnership_id == p2.pk
    assert selectors.pending_offer(lead) is not None


def test_lead_nobody_can_take_shows_each_filters_exclusions(setup: dict[str, Any], client: Client) -> None:
    lead = offered(setup, country="CY", region="", city="Nicosia", latitude=35.1856, longitude=33.3823)
    assert lead.status == Lead.Status.RETURNED
    client.force_login(setup["a"].owner)
    body = client.get(url("vendor_lead", setup, lead_id=lead.pk)).content.decode()
    assert "0 of 2 partners were eligible." in body
    assert "Outside the territory: 2" in body and "No partner was eligible." in body
    assert "Offer the lead" in body  # back in the queue: the vendor may pick a partner by hand
    attention = client.get(url("vendor_leads", setup) + "?status=attention").content.decode()
    assert lead.company in attention
