"""The signed one-click links of the offer e-mail: GET shows, POST acts, used / expired / forged links read
clearly (410), and a token cannot be turned into the other action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from kanali.leads import services
from kanali.leads.models import Lead, Offer
from kanali.leads.tokens import offer_link_token
from tests.conftest import World, workspace_for
from tests.factories import LeadFactory, RoutingProfileFactory

THESSALONIKI = {"city": "Thessaloniki", "country": "GR", "lat": 40.6401, "lon": 22.9444}


@pytest.fixture
def offer(world: World) -> Offer:
    a = world.a
    RoutingProfileFactory(partnership=a.partners[0].partnership)
    RoutingProfileFactory(partnership=a.partners[1].partnership, offices=[THESSALONIKI])
    lead = LeadFactory(program=a.program, company="Linked Co", contact_name="Hidden Contact")
    services.route_lead(workspace=workspace_for(a.owner, a.vendor), lead=lead)
    return Offer.objects.for_vendor(a.vendor).get(lead=lead, status=Offer.Status.PENDING)


def link(offer: Offer, action: str) -> str:
    return reverse("leads:offer_link", kwargs={"action": action, "token": offer_link_token(offer, action)})


def test_get_shows_the_lead_and_changes_nothing(offer: Offer, client: Client) -> None:
    response = client.get(link(offer, "accept"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Linked Co" in body and "Accept this lead" in body
    assert "Hidden Contact" not in body
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_post_accepts_without_signing_in(offer: Offer, client: Client) -> None:
    url = link(offer, "accept")
    response = client.post(url)
    assert response.status_code == 200 and b"You accepted the lead" in response.content
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert Lead.objects.for_vendor(offer.vendor_id).get(pk=offer.lead_id).status == Lead.Status.ACCEPTED
    # Used: a clear page, no 500, no second effect.
    again = client.get(url)
    assert again.status_code == 410 and b"already accepted" in again.content
    assert client.post(url).status_code == 410


def test_decline_needs_a_reason_and_routes_on(offer: Offer, world: World, client: Client) -> None:
    url = link(offer, "decline")
    assert b'name="reason"' in client.get(url).content
    assert client.post(url, {"reason": "nonsense"}).status_code == 400
    response = client.post(url, {"reason": "not_a_fit", "note": "Wrong region"})
    assert response.status_code == 200 and b"You declined the lead" in response.content
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DECLINED and offer.decline_reason == "not_a_fit"
    lead = Lead.objects.for_vendor(offer.vendor_id).get(pk=offer.lead_id)
    assert lead.partnership_id == world.a.partners[1].partnership.pk


def test_expired_forged_and_swapped_tokens(offer: Offer, client: Client) -> None:
    accept = offer_link_token(offer, "accept")
    # A token for one action does not work as the other.
    swapped = reverse("leads:offer_link", kwargs={"action": "decline", "token": accept})
    assert client.get(swapped).status_code == 410
    forged = reverse("leads:offer_link", kwargs={"action": "accept", "token": "1:nope:forged"})
    response = client.get(forged)
    assert response.status_code == 410 and b"This link is not valid." in response.content
    assert client.post(forged).status_code == 410
    # Past the deadline.
    Offer.objects.for_vendor(offer.vendor_id).filter(pk=offer.pk).update(deadline=offer.offered_at - timedelta(1))
    response = client.post(reverse("leads:offer_link", kwargs={"action": "accept", "token": accept}))
    assert response.status_code == 410 and b"expired" in response.content
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_withdrawn_offer_link_explains(offer: Offer, world: World, client: Client) -> None:
    url = link(offer, "accept")
    lead = Lead.objects.for_vendor(offer.vendor_id).get(pk=offer.lead_id)
    services.lead_return(workspace=workspace_for(world.a.owner, world.a.vendor), lead=lead)
    response = client.get(url)
    assert response.status_code == 410 and b"withdrew" in response.content


def test_offer_email_links_open_this_page(offer: Offer) -> None:
    assert services.offer_link_url(offer, "accept").startswith("/leads/offer/accept/")
    assert services.offer_link_url(offer, "decline").startswith("/leads/offer/decline/")
