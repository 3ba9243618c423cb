"""Creating one lead: validation and normalisation, duplicates, idempotency keys, permissions, routing hand-off."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from kanali.core.models import AuditLog
from kanali.leads import services_intake as intake
from kanali.leads.models import Lead, LeadEvent
from kanali.leads.services_intake import IdempotencyConflict, clean_lead, find_duplicate, lead_create
from tests.conftest import World, workspace_for


def lead_data(**overrides: Any) -> dict[str, Any]:
    return {
        "company": "Acropolis Bakeries",
        "contact_name": "Eleni Papadaki",
        "email": "eleni@acropolis-bakeries.gr",
        "phone": "210 123 4567",
        "country": "Ελλάδα",
        "region": "Αττική",
        "city": "Αθήνα",
        "estimated_value": "12.500,50",
        "currency": "eur",
        "language": "Greek",
        **overrides,
    }


@pytest.fixture
def no_routing(monkeypatch: pytest.MonkeyPatch) -> list[list[Lead]]:
    """Record what intake hands to routing instead of routing it (the routing service has its own tests)."""
    calls: list[list[Lead]] = []
    monkeypatch.setattr(intake, "_route", lambda workspace, leads, actor: calls.append(list(leads)))
    return calls


# --- clean_lead ---------------------------------------------------------------------------------


def test_clean_normalises_every_field(world: World) -> None:
    cleaned, errors = clean_lead(lead_data(first_name="x"), program=world.a.program)
    assert errors == {}
    assert cleaned["country"] == "GR"
    assert cleaned["region"] == "GR-I"
    assert cleaned["phone"] == "+302101234567"
    assert cleaned["estimated_value"] == Decimal("12500.50")
    assert cleaned["currency"] == "EUR"
    assert cleaned["language"] == "el"
    assert cleaned["email_domain"] == "acropolis-bakeries.gr"
    assert abs(cleaned["latitude"] - 37.98) < 0.05 and abs(cleaned["longitude"] - 23.73) < 0.05


def test_clean_joins_first_and_last_name_and_uses_mobile(world: World) -> None:
    cleaned, errors = clean_lead(
        lead_data(contact_name="", first_name="Eleni", last_name="Papadaki", phone="", mobile="6912345678"),
        program=world.a.program,
    )
    assert errors == {}
    assert cleaned["contact_name"] == "Eleni Papadaki"
    assert cleaned["phone"] == "+306912345678"


def test_given_coordinates_win_over_the_city(world: World) -> None:
    cleaned, errors = clean_lead(lead_data(latitude="40,5", longitude="22.9"), program=world.a.program)
    assert errors == {}
    assert (cleaned["latitude"], cleaned["longitude"]) == (40.5, 22.9)


def test_a_place_that_cannot_be_found_is_no_error(world: World) -> None:
    cleaned, errors = clean_lead(lead_data(city="Μικρό Χωριό Πουθενά"), program=world.a.program)
    assert errors == {}
    assert cleaned["latitude"] is None and cleaned["longitude"] is None
    assert cleaned["region"] == "GR-I"  # still routes on country and region


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"company": "  "}, "company"),
        ({"country": ""}, "country"),
        ({"country": "Atlantis"}, "country"),
        ({"region": "Bavaria"}, "region"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"estimated_value": "a lot"}, "estimated_value"),
        ({"estimated_value": "-5"}, "estimated_value"),
        ({"email": "eleni@"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"language": "Elvish"}, "language"),
        ({"latitude": "37.9"}, "latitude"),
        ({"latitude": "95", "longitude": "20"}, "latitude"),
        ({"company": "x" * 201}, "company"),
    ],
)
def test_bad_values_are_field_errors(world: World, overrides: dict[str, Any], field: str) -> None:
    cleaned, errors = clean_lead(lead_data(**overrides), program=world.a.program)
    assert cleaned == {}
    assert list(errors) == [field]
    assert all(isinstance(m, str) and m for m in errors[field])


def test_unknown_country_message_names_the_value(world: World) -> None:
    _, errors = clean_lead(lead_data(country="Atlantis"), program=world.a.program)
    assert "Atlantis" in errors["country"][0]


def test_currency_defaults_to_the_site_default(world: World) -> None:
    cleaned, _ = clean_lead(lead_data(currency="", estimated_value="100"), program=world.a.program)
    assert cleaned["currency"] == "EUR"


# --- lead_create --------------------------------------------------------------------------------


def test_create_stores_lead_history_and_audit_then_routes(world: World, no_routing: list[list[Lead]]) -> None:
    a = world.a
    ws = workspace_for(a.channel_manager, a.vendor)
    result = lead_create(workspace=ws, program=a.program, data=lead_data(), source=Lead.Source.FORM)
    lead = result.lead
    assert result.created
    assert (lead.vendor_id, lead.program_id, lead.source, lead.status) == (a.vendor.pk, a.program.pk, "form", "new")
    assert lead.created_by == a.channel_manager
    assert LeadEvent.objects.for_vendor(a.vendor).filter(lead=lead, action="created").count() == 1
    assert AuditLog.objects.filter(vendor=a.vendor, action="lead.create", object_id=str(lead.pk)).exists()
    assert no_routing == [[lead]]


def test_create_without_routing(world: World, no_routing: list[list[Lead]]) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    lead_create(workspace=ws, program=world.a.program, data=lead_data(), source=Lead.Source.FORM, route=False)
    assert no_routing == []


def test_bad_data_raises_field_errors_and_writes_nothing(world: World, no_routing: list[list[Lead]]) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    with pytest.raises(ValidationError) as caught:
        lead_create(workspace=ws, program=world.a.program, data=lead_data(country="Narnia"), source="api")
    assert set(caught.value.message_dict) == {"country"}
    assert not Lead.objects.for_vendor(world.a.vendor).exists()


@pytest.mark.parametrize("who", ["finance", "partner", "other_vendor"])
def test_who_may_not_create(world: World, who: str, no_routing: list[list[Lead]]) -> None:
    a = world.a
    ws = {
        "finance": lambda: workspace_for(a.finance, a.vendor),
        "partner": lambda: workspace_for(a.partners[0].admin, a.vendor, "partner"),
        "other_vendor": lambda: workspace_for(world.b.owner, world.b.vendor),
    }[who]()
    with pytest.raises(PermissionDenied):
        lead_create(workspace=ws, program=a.program, data=lead_data(), source=Lead.Source.FORM)
    assert not Lead.unscoped.exists()


# --- duplicates ---------------------------------------------------------------------------------


def test_same_email_or_company_domain_is_a_flagged_duplicate_left_unrouted(
    world: World, no_routing: list[list[Lead]]
) -> None:
    a = world.a
    ws = workspace_for(a.owner, a.vendor)
    first = lead_create(workspace=ws, program=a.program, data=lead_data(), source="form").lead
    same_email = lead_create(workspace=ws, program=a.program, data=lead_data(company="Other"), source="api").lead
    same_domain = lead_create(
        workspace=ws, program=a.program, data=lead_data(email="nikos@ACROPOLIS-bakeries.gr"), source="api"
    ).lead
    assert same_email.duplicate_of == first
    assert same_domain.duplicate_of == first
    assert [[lead.pk for lead in call] for call in no_routing] == [[first.pk]]
    assert same_email.status == Lead.Status.NEW
    event = LeadEvent.objects.for_vendor(a.vendor).get(lead=same_email, action="created")
    assert str(first.pk) in event.note


def test_confirmed_duplicate_is_routed(world: World, no_routing: list[list[Lead]]) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    lead_create(workspace=ws, program=world.a.program, data=lead_data(), source="form")
    again = lead_create(workspace=ws, program=world.a.program, data=lead_data(), source="form", confirm_duplicate=True)
    assert again.lead.duplicate_of is not None
    assert len(no_routing) == 2


def test_mailbox_providers_closed_leads_other_programs_are_not_duplicates(
    world: World, no_routing: list[list[Lead]]
) -> None:
    from tests.factories import ProgramFactory

    a = world.a
    ws = workspace_for(a.owner, a.vendor)
    gmail = lead_data(email="eleni@gmail.com")
    lead_create(workspace=ws, program=a.program, data=gmail, source="form")
    other = lead_create(workspace=ws, program=a.program, data=lead_data(email="nikos@gmail.com"), source="form").lead
    assert other.duplicate_of is None  # gmail.com says nothing about the company

    closed = lead_create(workspace=ws, program=a.program, data=lead_data(email="a@closed.gr"), source="form").lead
    Lead.objects.for_vendor(a.vendor).filter(pk=closed.pk).update(status=Lead.Status.DISQUALIFIED)
    assert find_duplicate(a.program, {"email": "a@closed.gr", "email_domain": "closed.gr"}) is None

    second_program = ProgramFactory(vendor=a.vendor, slug="resellers")
    elsewhere = lead_create(workspace=ws, program=second_program, data=gmail, source="form").lead
    assert elsewhere.duplicate_of is None
    # Another vendor's leads are never looked at.
    assert find_duplicate(world.b.program, {"email": "eleni@gmail.com", "email_domain": ""}) is None


# --- idempotency --------------------------------------------------------------------------------


def test_same_key_same_body_returns_the_same_lead(world: World, no_routing: list[list[Lead]]) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    first = lead_create(workspace=ws, program=world.a.program, data=lead_data(), source="api", idempotency_key="k-1")
    again = lead_create(workspace=ws, program=world.a.program, data=lead_data(), source="api", idempotency_key="k-1")
    assert first.created and not again.created
    assert again.lead.pk == first.lead.pk
    assert Lead.objects.for_vendor(world.a.vendor).count() == 1
    assert len(no_routing) == 1


def test_same_key_different_body_is_a_conflict(world: World, no_routing: list[list[Lead]]) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    lead_create(workspace=ws, program=world.a.program, data=lead_data(), source="api", idempotency_key="k-1")
    with pytest.raises(IdempotencyConflict):
        lead_create(
            workspace=ws, program=world.a.program, data=lead_data(company="Else"), source="api", idempotency_key="k-1"
        )
    assert Lead.objects.for_vendor(world.a.vendor).count() == 1


def test_keys_are_per_vendor(world: World, no_routing: list[list[Lead]]) -> None:
    lead_create(
        workspace=workspace_for(world.a.owner, world.a.vendor),
        program=world.a.program,
        data=lead_data(),
        source="api",
        idempotency_key="shared",
    )
    other = lead_create(
        workspace=workspace_for(world.b.owner, world.b.vendor),
        program=world.b.program,
        data=lead_data(),
        source="api",
        idempotency_key="shared",
    )
    assert other.created and other.lead.vendor_id == world.b.vendor.pk


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_requests_with_one_key_create_one_lead(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the unique-constraint race is proven on PostgreSQL")
    ws = workspace_for(world.a.owner, world.a.vendor)
    barrier = threading.Barrier(4)
    results: list[tuple[bool, int]] = []
    lock = threading.Lock()

    def create() -> None:
        try:
            barrier.wait()
            result = lead_create(
                workspace=ws,
                program=world.a.program,
                data=lead_data(),
                source="api",
                idempotency_key="race",
                route=False,
            )
            with lock:
                results.append((result.created, result.lead.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(created for created, _ in results) == [False, False, False, True]
    assert len({pk for _, pk in results}) == 1
    assert Lead.objects.for_vendor(world.a.vendor).count() == 1


# --- The "New lead" page ------------------------------------------------------------------------


def _form(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "program": world.a.program.pk,
        "company": "Acropolis Bakeries",
        "contact_name": "Eleni Papadaki",
        "email": "eleni@acropolis-bakeries.gr",
        "phone": "210 123 4567",
        "country": "GR",
        "region": "Attica",
        "city": "Athens",
        "estimated_value": "12000",
        "currency": "EUR",
        "language": "el",
        **overrides,
    }


def test_new_lead_page_creates_and_routes(world: World, client: Any, no_routing: list[list[Lead]]) -> None:
    from django.urls import reverse

    client.force_login(world.a.channel_manager)
    url = reverse("leads:intake_new", kwargs={"vendor_slug": world.a.vendor.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, _form(world))
    assert response.status_code == 302
    lead = Lead.objects.for_vendor(world.a.vendor).get()
    assert (lead.region, lead.source, lead.created_by) == ("GR-I", "form", world.a.channel_manager)
    assert len(no_routing) == 1


def test_new_lead_page_shows_field_errors(world: World, client: Any, no_routing: list[list[Lead]]) -> None:
    from django.urls import reverse

    client.force_login(world.a.owner)
    url = reverse("leads:intake_new", kwargs={"vendor_slug": world.a.vendor.slug})
    response = client.post(url, _form(world, region="Bavaria", currency="EUR", phone="12"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "region-errors" in page and "phone-errors" in page
    assert not Lead.objects.for_vendor(world.a.vendor).exists()


def test_new_lead_page_warns_about_a_duplicate_and_creates_it_on_confirmation(
    world: World, client: Any, no_routing: list[list[Lead]]
) -> None:
    from django.urls import reverse

    client.force_login(world.a.owner)
    url = reverse("leads:intake_new", kwargs={"vendor_slug": world.a.vendor.slug})
    client.post(url, _form(world))
    first = Lead.objects.for_vendor(world.a.vendor).get()
    response = client.post(url, _form(world, email="nikos@acropolis-bakeries.gr", contact_name="Nikos"))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="duplicate-warning"' in page
    assert response.context["form"]["confirm_duplicate"].value() == "on"
    assert Lead.objects.for_vendor(world.a.vendor).count() == 1
    response = client.post(url, _form(world, email="nikos@acropolis-bakeries.gr", confirm_duplicate="on"))
    assert response.status_code == 302
    second = Lead.objects.for_vendor(world.a.vendor).exclude(pk=first.pk).get()
    assert second.duplicate_of == first
    assert len(no_routing) == 2  # confirmed by a person: routed like any other


def test_new_lead_page_offers_only_own_programs(world: World, client: Any, no_routing: list[list[Lead]]) -> None:
    from django.urls import reverse

    client.force_login(world.a.owner)
    url = reverse("leads:intake_new", kwargs={"vendor_slug": world.a.vendor.slug})
    response = client.post(url, _form(world, program=world.b.program.pk))
    assert response.status_code == 200 and "program-errors" in response.content.decode()
    assert not Lead.unscoped.exists()
