"""``GET /api/v1/partners``, ``PATCH /api/v1/partnerships/{id}`` and the notes API: vendor staff only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kanali.core.models import Partnership
from kanali.designer.models import ProgramPartnerType
from kanali.partners import services_management as services
from kanali.partners.models_management import DirectoryProfile, PartnerNote
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.factories import MembershipFactory, PartnerOrgFactory, PartnershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def patch(client: Client, partnership: Partnership, body: dict[str, Any], key: str) -> Any:
    return client.patch(
        f"/api/v1/partnerships/{partnership.pk}", json.dumps(body), content_type="application/json", headers=auth(key)
    )


@pytest.fixture
def owner_key(world: World) -> str:
    return api_key(world.a.owner, world.a.vendor)


# --- GET /partners ---------------------------------------------------------------------


def test_partners_lists_organizations_with_their_partnerships_here(
    world: World, client: Client, owner_key: str
) -> None:
    a = world.a
    first = a.partners[0]
    referral = ProgramFactory(vendor=a.vendor, slug="referral", name="Referral")
    PartnershipFactory(program=referral, partner=first.org, status=Status.ONBOARDING, tier="silver")
    PartnershipFactory(program=world.b.program, partner=first.org)  # another vendor's: never shown
    DirectoryProfile.objects.create(organization=first.org, city="Patras", regions=["GR-G"])
    body = client.get("/api/v1/partners", headers=auth(owner_key)).json()
    assert body["count"] == 2
    item = body["items"][0]
    assert item["name"] == first.org.name and item["city"] == "Patras" and item["regions"] == ["GR-G"]
    assert {p["program"]["slug"] for p in item["partnerships"]} == {"partners", "referral"}
    assert set(item["partnerships"][0]) == {
        "id",
        "program",
        "status",
        "partner_type",
        "tier",
        "inactive",
        "created_at",
        "updated_at",
    }
    assert body["items"][1]["city"] == "" and body["items"][1]["regions"] == []
    page = client.get("/api/v1/partners?limit=1&offset=1", headers=auth(owner_key)).json()
    assert page["count"] == 2 and [i["name"] for i in page["items"]] == [a.partners[1].org.name]


def test_partners_filters(world: World, client: Client, owner_key: str) -> None:
    a = world.a
    first, second = a.partners
    referral = ProgramFactory(vendor=a.vendor, slug="referral")
    PartnershipFactory(program=referral, partner=second.org, partner_type="msp", tier="gold", status=Status.ONBOARDING)
    DirectoryProfile.objects.create(organization=second.org, regions=["DE-BE"])
    Partnership.objects.for_vendor(a.vendor).filter(pk=first.partnership.pk).update(
        updated_at=timezone.now() - timedelta(days=100)
    )

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/partners?{query}", headers=auth(owner_key))
        assert response.status_code == 200, response.content
        return [i["name"] for i in response.json()["items"]]

    assert names("status=onboarding") == [second.org.name]
    assert names("partner_type=msp") == [second.org.name]
    assert names("tier=GOLD") == [second.org.name]
    assert names("region=de-be") == [second.org.name]
    assert names(f"program={referral.pk}") == [second.org.name]
    assert names("inactive=true") == [first.org.name]
    assert names("inactive=false") == [second.org.name]
    assert names("search=partner 1") == [first.org.name]
    assert names("country=gr") == [first.org.name, second.org.name]
    # status and program apply to the same partnership: no match when they are in different ones.
    assert names(f"status=active&program={referral.pk}") == []
    assert client.get("/api/v1/partners?status=bogus", headers=auth(owner_key)).status_code == 422


def test_partners_is_for_vendor_staff_only(world: World, client: Client) -> None:
    key = api_key(world.a.partners[0].admin, world.a.vendor, "partner")
    assert client.get("/api/v1/partners", headers=auth(key)).status_code == 404
    body = client.get("/api/v1/partners", headers=auth(api_key(world.b.owner, world.b.vendor))).json()
    assert {i["name"] for i in body["items"]} == {p.org.name for p in world.b.partners}


def test_partners_does_not_query_per_row(world: World, client: Client, owner_key: str) -> None:
    headers = auth(owner_key)
    client.get("/api/v1/me", headers=headers)  # first use stamps last_used_at
    small = queries_for(lambda: client.get("/api/v1/partners", headers=headers))
    other = ProgramFactory(vendor=world.a.vendor, slug="other")
    for _ in range(8):
        org = PartnerOrgFactory()
        PartnershipFactory(program=world.a.program, partner=org)
        PartnershipFactory(program=other, partner=org)
        MembershipFactory(organization=org, role="partner_admin", user=UserFactory(last_login=timezone.now()))
        DirectoryProfile.objects.create(organization=org, regions=["GR-I"])
    assert queries_for(lambda: client.get("/api/v1/partners", headers=headers)) == small


# --- PATCH /partnerships/{id} ------------------------------------------------------------------


def test_patch_suspends_and_reactivates(world: World, client: Client, owner_key: str) -> None:
    p = world.a.partners[0].partnership
    response = patch(client, p, {"status": "suspended", "reason": "Unpaid"}, owner_key)
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    # An invalid transition is a conflict, not a validation error.
    response = patch(client, p, {"status": "suspended", "reason": "again"}, owner_key)
    assert response.status_code == 409 and "cannot be suspended" in response.json()["detail"]
    response = patch(client, p, {"status": "onboarding", "reason": "back"}, owner_key)
    assert response.status_code == 409 and "active" in response.json()["detail"]
    response = patch(client, p, {"status": "active", "reason": "Paid"}, owner_key)
    assert response.status_code == 200 and response.json()["status"] == "active"
    response = patch(client, p, {"status": "terminated", "reason": "Moved on"}, owner_key)
    assert response.status_code == 200 and response.json()["status"] == "terminated"
    assert patch(client, p, {"status": "active", "reason": "x"}, owner_key).status_code == 409
    assert patch(client, p, {"status": "applied", "reason": "x"}, owner_key).status_code == 409


def test_patch_refuses_bad_input_with_4xx(world: World, client: Client, owner_key: str) -> None:
    p = world.a.partners[0].partnership
    response = patch(client, p, {"status": "suspended"}, owner_key)
    assert response.status_code == 422 and "reason" in response.json()["detail"]
    assert patch(client, p, {"status": "sleeping", "reason": "x"}, owner_key).status_code == 422
    assert patch(client, p, {}, owner_key).status_code == 422
    p.refresh_from_db()
    assert p.status == Status.ACTIVE


def test_patch_partner_type_must_be_designed(world: World, client: Client, owner_key: str) -> None:
    a = world.a
    p = a.partners[0].partnership
    ProgramPartnerType.objects.create(vendor=a.vendor, program=a.program, key="msp", name="MSP")
    response = patch(client, p, {"partner_type": "oem"}, owner_key)
    assert response.status_code == 422 and "partner_type" in response.json()["detail"]
    response = patch(client, p, {"partner_type": "msp"}, owner_key)
    assert response.status_code == 200 and response.json()["partner_type"] == "msp"
    # Both changes or neither: a refused transition keeps the old type.
    ProgramPartnerType.objects.create(vendor=a.vendor, program=a.program, key="var", name="VAR")
    response = patch(client, p, {"partner_type": "var", "status": "active", "reason": "x"}, owner_key)
    assert response.status_code == 409
    p.refresh_from_db()
    assert p.partner_type == "msp"


def test_patch_who_may(world: World, client: Client) -> None:
    a = world.a
    p = a.partners[0].partnership
    body = {"status": "suspended", "reason": "x"}
    assert patch(client, p, body, api_key(a.finance, a.vendor)).status_code == 403
    assert patch(client, p, body, api_key(a.partners[0].admin, a.vendor, "partner")).status_code == 404
    assert patch(client, p, body, api_key(a.partners[1].admin, a.vendor, "partner")).status_code == 404
    assert patch(client, p, body, api_key(world.b.owner, world.b.vendor)).status_code == 404
    assert client.patch(f"/api/v1/partnerships/{p.pk}", body, content_type="application/json").status_code == 401
    p.refresh_from_db()
    assert p.status == Status.ACTIVE
    assert patch(client, p, body, api_key(a.channel_manager, a.vendor)).status_code == 200


# --- Notes ------------------------------------------------------------------------------------------


def test_notes_api(world: World, client: Client, owner_key: str) -> None:
    p = world.a.partners[0].partnership
    url = f"/api/v1/partnerships/{p.pk}/notes"
    response = client.post(
        url, {"text": "Renewal call went well"}, content_type="application/json", headers=auth(owner_key)
    )
    assert response.status_code == 201
    assert response.json()["text"] == "Renewal call went well" and response.json()["author"] == world.a.owner.email
    assert client.post(url, {"text": "  "}, content_type="application/json", headers=auth(owner_key)).status_code == 422
    assert client.post(url, {}, content_type="application/json", headers=auth(owner_key)).status_code == 422
    body = client.get(url, headers=auth(owner_key)).json()
    assert body["count"] == 1 and body["items"][0]["text"] == "Renewal call went well"
    finance = api_key(world.a.finance, world.a.vendor)
    assert client.get(url, headers=auth(finance)).status_code == 200
    assert client.post(url, {"text": "x"}, content_type="application/json", headers=auth(finance)).status_code == 403


def test_notes_are_invisible_to_partners_through_the_api(world: World, client: Client) -> None:
    p = world.a.partners[0]
    services.note_create(workspace=workspace_for(world.a.owner, world.a.vendor), partnership=p.partnership, text="x")
    key = api_key(p.admin, world.a.vendor, "partner")
    url = f"/api/v1/partnerships/{p.partnership.pk}/notes"
    assert client.get(url, headers=auth(key)).status_code == 404
    assert client.post(url, {"text": "y"}, content_type="application/json", headers=auth(key)).status_code == 404
    # The partnership itself stays readable to its partner, without notes in it.
    own = client.get(f"/api/v1/partnerships/{p.partnership.pk}", headers=auth(key))
    assert own.status_code == 200 and "note" not in own.content.decode()
    assert PartnerNote.objects.for_vendor(world.a.vendor).count() == 1


def test_notes_list_does_not_query_per_row(world: World, client: Client, owner_key: str) -> None:
    p = world.a.partners[0].partnership
    url = f"/api/v1/partnerships/{p.pk}/notes"
    headers = auth(owner_key)
    ws = workspace_for(world.a.owner, world.a.vendor)
    services.note_create(workspace=ws, partnership=p, text="first")
    client.get("/api/v1/me", headers=headers)
    small = queries_for(lambda: client.get(url, headers=headers))
    for n in range(8):
        services.note_create(
            workspace=workspace_for(world.a.channel_manager, world.a.vendor), partnership=p, text=f"{n}"
        )
    assert queries_for(lambda: client.get(url, headers=headers)) == small
