"""The public web-to-lead form: open only when switched on, honeypot, rate limit, created and routed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from kanali.core.models import AuditLog, Program
from kanali.leads import services_intake as intake
from kanali.leads.models import Lead, LeadSettings, RoutingDecision
from kanali.leads.services_intake import web_lead_submit
from tests.conftest import World
from tests.leads.routes_intake import enable_web_form


def url(world: World, vendor_slug: str | None = None) -> str:
    return reverse(
        "leads:intake_web",
        kwargs={"vendor_slug": vendor_slug or world.a.vendor.slug, "program_slug": world.a.program.slug},
    )


def post_data(**overrides: Any) -> dict[str, Any]:
    return {
        "company": "Plaka Hotels",
        "contact_name": "Giorgos Nikolaou",
        "email": "giorgos@plaka-hotels.gr",
        "phone": "210 555 0100",
        "country": "GR",
        "city": "Αθήνα",
        "product": "Cloud ledger",
        "notes": "Three hotels, 40 staff.",
        **overrides,
    }


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[list[Lead]]:
    calls: list[list[Lead]] = []
    monkeypatch.setattr(intake, "_route", lambda workspace, leads, actor: calls.append(list(leads)))
    return calls


def test_closed_until_switched_on(world: World, client: Client) -> None:
    assert client.get(url(world)).status_code == 404
    enable_web_form(world.a)
    assert client.get(url(world)).status_code == 200
    # Only under its own vendor, and only while the program is published.
    assert client.get(url(world, world.b.vendor.slug)).status_code == 404
    Program.objects.for_vendor(world.a.vendor).filter(pk=world.a.program.pk).update(status=Program.Status.DRAFT)
    assert client.get(url(world)).status_code == 404


def test_submit_creates_a_web_lead_and_routes_it(world: World, client: Client, routed: list[list[Lead]]) -> None:
    enable_web_form(world.a)
    response = client.post(url(world), post_data(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert 'id="web-lead-thanks"' in response.content.decode()
    lead = Lead.objects.for_vendor(world.a.vendor).get()
    assert (lead.source, lead.company, lead.phone, lead.program_id) == (
        Lead.Source.WEB,
        "Plaka Hotels",
        "+302105550100",
        world.a.program.pk,
    )
    assert lead.latitude is not None and lead.created_by is None
    assert lead.language == "en"
    assert [[x.pk for x in call] for call in routed] == [[lead.pk]]
    log = AuditLog.objects.get(vendor=world.a.vendor, action="lead.create")
    assert log.ip_address == "203.0.113.9" and log.actor is None


def test_bad_input_shows_errors_and_keeps_nothing(world: World, client: Client, routed: list[list[Lead]]) -> None:
    enable_web_form(world.a)
    response = client.post(url(world), post_data(email="not-an-email", phone="12"))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="web-lead-form"' in page
    assert "email-errors" in page
    response = client.post(url(world), post_data(phone="12"))
    assert "phone-errors" in response.content.decode()
    assert not Lead.objects.for_vendor(world.a.vendor).exists()


def test_honeypot_looks_like_success_but_keeps_nothing(world: World, client: Client) -> None:
    enable_web_form(world.a)
    response = client.post(url(world), post_data(company_homepage="http://spam.example.com"))
    assert response.status_code == 200 and 'id="web-lead-thanks"' in response.content.decode()
    assert not Lead.objects.for_vendor(world.a.vendor).exists()


def test_rate_limited_per_address(world: World, client: Client, routed: list[list[Lead]]) -> None:
    enable_web_form(world.a)
    for n in range(10):
        response = client.post(url(world), post_data(email=f"p{n}@example{n}.gr"), REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 200
    assert client.post(url(world), post_data(), REMOTE_ADDR="198.51.100.7").status_code == 429
    assert client.post(url(world), post_data(), REMOTE_ADDR="198.51.100.8").status_code == 200
    assert Lead.objects.for_vendor(world.a.vendor).count() == 11


def test_service_refuses_a_closed_form_and_requires_an_email(world: World) -> None:
    with pytest.raises(PermissionDenied):
        web_lead_submit(program=world.a.program, data=post_data())
    enable_web_form(world.a)
    with pytest.raises(Exception) as caught:
        web_lead_submit(program=world.a.program, data=post_data(email=""))
    assert "email" in caught.value.message_dict  # type: ignore[attr-defined]


def test_web_lead_is_really_routed(world: World, client: Client) -> None:
    """Through the routing service itself: a decision with its explanation is stored for the new lead."""
    enable_web_form(world.a)
    client.post(url(world), post_data())
    lead = Lead.objects.for_vendor(world.a.vendor).get()
    decision = RoutingDecision.objects.for_vendor(world.a.vendor).get(lead=lead)
    assert decision.explanation
    assert LeadSettings.objects.for_vendor(world.a.vendor).get(program=world.a.program).web_form_enabled
