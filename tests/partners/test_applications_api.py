"""``/api/v1/applications``: public submission, scoped lists, decisions and their errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kanali.core.models import Partnership, Program
from kanali.designer.models import SelectionCriterion
from kanali.partners.models_applications import Application
from kanali.partners.services_applications import application_score, application_submit
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.designer.routes_publishing import published_program
from tests.partners.routes_applications import partner_application, values, with_partner_type

pytestmark = pytest.mark.django_db


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def post(client: Client, url: str, body: dict[str, Any] | None = None, key: str | None = None) -> Any:
    headers = auth(key) if key else {}
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)


@pytest.fixture
def program(world: World) -> Program:
    program = with_partner_type(published_program(world.a))
    SelectionCriterion.objects.create(
        vendor=world.a.vendor, program=program, name="Certified people", weight=1, data_source="certified_people"
    )
    return program


def body(program: Program, **overrides: Any) -> dict[str, Any]:
    return {"vendor": program.vendor.slug, "program": program.slug, **values(**overrides)}


def test_anyone_can_apply_without_a_token(world: World, program: Program, client: Client) -> None:
    response = post(client, "/api/v1/applications", body(program, vat_number="094014201"))
    assert response.status_code == 201, response.content
    data = response.json()
    app = Application.objects.for_vendor(world.a.vendor).get(pk=data["id"])
    assert data["status"] == "submitted" and data["status_url"].endswith(
        f"/applications/{data['status_url'].split('/')[-2]}/"
    )
    assert app.vat_number == "EL094014201" and app.pre_score is not None
    assert client.get(data["status_url"]).status_code == 200


def test_bad_input_is_422_and_duplicates_are_409(world: World, program: Program, client: Client) -> None:
    bad = post(client, "/api/v1/applications", body(program, vat_number="EL123456789", regions=["XX-1"]))
    assert bad.status_code == 422 and set(bad.json()["detail"]) == {"vat_number", "regions"}
    assert post(client, "/api/v1/applications", body(program, revenue_band="lots")).status_code == 422
    assert post(client, "/api/v1/applications", body(program, vat_number="EL094014201")).status_code == 201
    duplicate = post(client, "/api/v1/applications", body(program, vat_number="EL094014201"))
    assert duplicate.status_code == 409 and "already has an application" in duplicate.json()["detail"]
    assert Application.objects.for_vendor(world.a.vendor).count() == 1


def test_only_published_programs_of_that_vendor(world: World, program: Program, client: Client) -> None:
    assert post(client, "/api/v1/applications", {**body(program), "vendor": "globex"}).status_code in {404, 422}
    assert post(client, "/api/v1/applications", {**body(program), "program": "nope"}).status_code == 404
    Program.objects.for_vendor(world.a.vendor).filter(pk=program.pk).update(status=Program.Status.DRAFT)
    assert post(client, "/api/v1/applications", body(program)).status_code == 404


def test_public_submissions_are_rate_limited(program: Program, client: Client) -> None:
    for n in range(5):
        post(client, "/api/v1/applications", body(program, contact_email=f"{n}@example.com"))
    response = post(client, "/api/v1/applications", body(program, contact_email="6@example.com"))
    assert response.status_code == 429 and "detail" in response.json()


def test_staff_list_is_paginated_filtered_and_scored(world: World, program: Program, client: Client) -> None:
    for n in range(3):
        application_submit(program=program, values=values(contact_email=f"{n}@example.com"))
    mine = partner_application(world.a)
    key = api_key(world.a.owner, world.a.vendor)
    data = client.get("/api/v1/applications?limit=2&offset=0", headers=auth(key)).json()
    assert data["count"] == 4 and len(data["items"]) == 2 and data["items"][0]["total_score"] is not None
    filtered = client.get(f"/api/v1/applications?program={mine.program_id}", headers=auth(key)).json()
    assert [item["id"] for item in filtered["items"]] == [mine.pk]
    assert client.get("/api/v1/applications?status=approved", headers=auth(key)).json()["count"] == 0
    # Another vendor sees none of them.
    assert client.get("/api/v1/applications", headers=auth(api_key(world.b.owner, world.b.vendor))).json()["count"] == 0


def test_a_partner_sees_its_own_applications_without_scores(world: World, program: Program, client: Client) -> None:
    application_submit(program=program, values=values())
    mine = partner_application(world.a)
    key = api_key(world.a.partners[0].admin, world.a.vendor, "partner")
    data = client.get("/api/v1/applications", headers=auth(key)).json()
    assert [item["id"] for item in data["items"]] == [mine.pk]
    assert data["items"][0]["total_score"] is None and data["items"][0]["pre_score"] is None
    detail = client.get(f"/api/v1/applications/{mine.pk}", headers=auth(key)).json()
    assert detail["criteria"] == [] and detail["total_score"] is None
    other = api_key(world.a.partners[1].admin, world.a.vendor, "partner")
    assert client.get("/api/v1/applications", headers=auth(other)).json()["count"] == 0


def test_staff_detail_has_the_selection_matrix(world: World, program: Program, client: Client) -> None:
    app = application_submit(program=program, values=values())
    data = client.get(f"/api/v1/applications/{app.pk}", headers=auth(api_key(world.a.owner, world.a.vendor))).json()
    assert [(c["name"], c["pre_score"]) for c in data["criteria"]] == [
        ("Accounting customers", None),
        ("Certified people", 3),
    ]
    assert float(data["criteria"][0]["weight"]) == 0.75 and data["total_score"] == "3.00"


def test_the_list_does_not_query_per_row(world: World, program: Program, client: Client) -> None:
    headers = auth(api_key(world.a.owner, world.a.vendor))
    application_submit(program=program, values=values(contact_email="first@example.com"))
    client.get("/api/v1/applications", headers=headers)
    small = queries_for(lambda: client.get("/api/v1/applications", headers=headers))
    ws = workspace_for(world.a.owner, world.a.vendor)
    for n in range(5):
        app = application_submit(program=program, values=values(contact_email=f"{n}@example.com"))
        application_score(workspace=ws, application=app, scores={})
    partner_application(world.a)
    assert queries_for(lambda: client.get("/api/v1/applications", headers=headers)) == small


def test_approve_then_approve_again_is_409(world: World, program: Program, client: Client) -> None:
    app = application_submit(program=program, values=values())
    key = api_key(world.a.channel_manager, world.a.vendor)
    first = post(client, f"/api/v1/applications/{app.pk}/approve", key=key)
    assert first.status_code == 200 and first.json()["status"] == "approved" and first.json()["partnership_id"]
    second = post(client, f"/api/v1/applications/{app.pk}/approve", key=key)
    assert second.status_code == 409 and "already approved" in second.json()["detail"]
    rejected = post(client, f"/api/v1/applications/{app.pk}/reject", {"reason": "x"}, key=key)
    assert rejected.status_code == 409
    assert (
        Partnership.objects.for_vendor(world.a.vendor).filter(program=program, partner__name="Olympus IT").count() == 1
    )


def test_reject_needs_a_reason_and_the_right_role(world: World, program: Program, client: Client) -> None:
    app = application_submit(program=program, values=values())
    url = f"/api/v1/applications/{app.pk}/reject"
    assert post(client, url, {"reason": " "}, key=api_key(world.a.owner, world.a.vendor)).status_code == 422
    assert post(client, url, {"reason": "No"}, key=api_key(world.a.finance, world.a.vendor)).status_code == 403
    assert (
        post(client, f"/api/v1/applications/{app.pk}/approve", key=api_key(world.a.finance, world.a.vendor)).status_code
        == 403
    )
    done = post(client, url, {"reason": "Outside our regions"}, key=api_key(world.a.owner, world.a.vendor))
    assert done.status_code == 200 and done.json()["rejection_reason"] == "Outside our regions"
