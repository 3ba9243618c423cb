"""The API's shape: bearer tokens, paginated scoped lists, JSON errors only."""

from __future__ import annotations

import pytest
from django.test import Client

from kanali.core.models import Partnership
from tests.conftest import World, api_key, queries_for
from tests.factories import PartnershipFactory


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
def test_me_lists_every_workspace(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    PartnershipFactory(program=world.b.program, partner=partner.org)
    body = client.get("/api/v1/me", headers=auth(api_key(partner.admin, world.a.vendor, "partner"))).json()
    assert body["user"]["email"] == partner.admin.email
    assert body["workspace"]["kind"] == "partner" and body["workspace"]["vendor"] == "acme"
    assert {(w["kind"], w["vendor"]) for w in body["workspaces"]} == {("partner", "acme"), ("partner", "globex")}


@pytest.mark.django_db
def test_partnerships_are_paginated_and_scoped(world: World, client: Client) -> None:
    key = api_key(world.a.owner, world.a.vendor)
    for _ in range(3):
        PartnershipFactory(program=world.a.program)
    body = client.get("/api/v1/partnerships?limit=2&offset=1", headers=auth(key)).json()
    assert body["count"] == 5 and len(body["items"]) == 2
    assert all(item["program"]["id"] == world.a.program.pk for item in body["items"])
    assert set(body["items"][0]) >= {"id", "status", "partner", "program", "partner_type", "tier"}


@pytest.mark.django_db
def test_partnerships_filter_by_status(world: World, client: Client) -> None:
    key = api_key(world.a.owner, world.a.vendor)
    Partnership.objects.for_vendor(world.a.vendor).filter(pk=world.a.partners[0].partnership.pk).update(
        status="onboarding"
    )
    body = client.get("/api/v1/partnerships?status=onboarding", headers=auth(key)).json()
    assert [item["id"] for item in body["items"]] == [world.a.partners[0].partnership.pk]


@pytest.mark.django_db
def test_partner_sees_only_its_own_partnership(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    body = client.get("/api/v1/partnerships", headers=auth(api_key(partner.admin, world.a.vendor, "partner"))).json()
    assert body["count"] == 1 and body["items"][0]["id"] == partner.partnership.pk


@pytest.mark.django_db
def test_partnership_list_does_not_query_per_row(world: World, client: Client) -> None:
    headers = auth(api_key(world.a.owner, world.a.vendor))
    client.get("/api/v1/me", headers=headers)  # first use stamps last_used_at
    # token lookup, partnership count, one page of partnerships joined to partner and program
    small = queries_for(lambda: client.get("/api/v1/partnerships", headers=headers))
    for _ in range(15):
        PartnershipFactory(program=world.a.program)
    assert small == 3
    assert queries_for(lambda: client.get("/api/v1/partnerships", headers=headers)) == small


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/partnerships?status=bogus", 422),
        ("/api/v1/partnerships?limit=abc", 422),
        ("/api/v1/partnerships/not-a-number", 422),
        ("/api/v1/partnerships/999999", 404),
        ("/api/v1/no-such-thing", 404),
    ],
)
def test_errors_are_json_with_detail(world: World, client: Client, path: str, status: int) -> None:
    response = client.get(path, headers=auth(api_key(world.a.owner, world.a.vendor)))
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.django_db
def test_missing_or_malformed_token_is_401_json(client: Client) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic Zm9vOmJhcg=="}):
        response = client.get("/api/v1/partnerships", headers=headers)
        assert response.status_code == 401 and response.json()["detail"]


@pytest.mark.django_db
def test_wrong_method_is_json(world: World, client: Client) -> None:
    response = client.delete("/api/v1/me", headers=auth(api_key(world.a.owner, world.a.vendor)))
    assert response.status_code == 405 and "detail" in response.json()


def test_openapi_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/partnerships" in schema["paths"] and "/api/v1/me" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
def test_repeated_bad_tokens_are_throttled(client: Client) -> None:
    codes = [client.get("/api/v1/me", headers=auth(f"kn_bad_{n}")).status_code for n in range(32)]
    assert codes[0] == 401 and codes[-1] == 429
    assert client.get("/api/v1/me", headers=auth("kn_bad")).json()["detail"].startswith("Too many requests")
