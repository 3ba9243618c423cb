"""``/api/v1/agreements`` and ``/partnerships/{id}/agreement-status``: what each side sees, who may accept."""

from __future__ import annotations

import pytest
from django.test import Client

from kanali.core.models import Partnership
from kanali.partners.models_agreements import AgreementAcceptance, AgreementTemplate
from tests.conftest import World, api_key, queries_for
from tests.factories import PartnershipFactory
from tests.partners.routes_agreements import partner_program, published_template
from tests.partners.test_agreements import accept, publish

pytestmark = pytest.mark.django_db


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_vendor_lists_every_version_partner_only_its_own(world: World, client: Client) -> None:
    v1 = publish(world)
    accept(world, v1, 1)
    v2 = publish(world, body="Second {{ partner_name }}")
    other = published_template(world.a, partner_program(world.a))  # only partner 1 is in that program
    owner = client.get("/api/v1/agreements", headers=auth(api_key(world.a.owner, world.a.vendor))).json()
    assert owner["count"] == 3 and {i["id"] for i in owner["items"]} == {v1.pk, v2.pk, other.pk}

    p2 = client.get("/api/v1/agreements", headers=auth(api_key(world.a.partners[1].admin, world.a.vendor, "partner")))
    items = {i["id"]: i for i in p2.json()["items"]}
    # The current version to accept, and the old one it accepted; never the program it is not in.
    assert set(items) == {v1.pk, v2.pk}
    assert items[v2.pk]["must_accept"] and items[v2.pk]["due_at"]
    assert not items[v1.pk]["must_accept"] and items[v1.pk]["accepted_at"]


def test_partner_reads_its_text_and_accepts_with_the_hash(world: World, client: Client) -> None:
    template = publish(world)
    key = api_key(world.a.partners[0].admin, world.a.vendor, "partner")
    detail = client.get(f"/api/v1/agreements/{template.pk}", headers=auth(key)).json()
    assert "Acme Partner 1" in detail["body"] and "{{" not in detail["body"] and detail["must_accept"]
    wrong = client.post(
        f"/api/v1/agreements/{template.pk}/accept",
        {"sha256": "f" * 64},
        content_type="application/json",
        headers=auth(key),
    )
    assert wrong.status_code == 409 and "changed" in wrong.json()["detail"]
    response = client.post(
        f"/api/v1/agreements/{template.pk}/accept",
        {"sha256": detail["sha256"]},
        content_type="application/json",
        headers={**auth(key), "User-Agent": "kanali-cli/1.0"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["sha256"] == detail["sha256"] and body["user_agent"] == "kanali-cli/1.0" and body["version"] == 1
    again = client.post(
        f"/api/v1/agreements/{template.pk}/accept", {}, content_type="application/json", headers=auth(key)
    )
    assert again.status_code == 409
    # The vendor sees the template text, with its variables.
    owner = client.get(f"/api/v1/agreements/{template.pk}", headers=auth(api_key(world.a.owner, world.a.vendor)))
    assert "{{ partner_name }}" in owner.json()["body"]


def test_accept_route_matrix(world: World, client: Client) -> None:
    """The partner-side expectations of ``POST /agreements/{id}/accept`` for every actor."""
    a, b = world.a, world.b
    template = published_template(a, partner_program(a))
    url = f"/api/v1/agreements/{template.pk}/accept"

    def call(key: str | None) -> int:
        headers = auth(key) if key else {}
        return client.post(url, {}, content_type="application/json", headers=headers).status_code

    assert call(None) == 401
    assert call(api_key(b.owner, b.vendor)) == 404
    assert call(api_key(a.partners[1].admin, a.vendor, "partner")) == 404
    assert call(api_key(b.partners[0].admin, b.vendor, "partner")) == 404
    assert call(api_key(a.owner, a.vendor)) == 403  # staff cannot accept for a partner
    assert call(api_key(a.partners[0].sales, a.vendor, "partner")) == 403  # nor a non-admin
    assert not AgreementAcceptance.objects.for_vendor(a.vendor).exists()
    assert call(api_key(a.partners[0].admin, a.vendor, "partner")) == 201


def test_agreement_status_per_partnership(world: World, client: Client) -> None:
    v1 = publish(world)
    accept(world, v1, 0)
    publish(world, body="Second {{ partner_name }}")
    pk = world.a.partners[0].partnership.pk
    body = client.get(
        f"/api/v1/partnerships/{pk}/agreement-status", headers=auth(api_key(world.a.owner, world.a.vendor))
    ).json()
    assert body["status"] == "pending" and body["current_version"] == 2
    assert [(v["version"], v["status"]) for v in body["versions"]] == [(2, "pending"), (1, "accepted")]
    assert body["versions"][1]["acceptance"]["accepted_by_email"] == world.a.partners[0].admin.email
    # The other partner's status is not the first partner's to read.
    other = world.a.partners[1].partnership.pk
    key = api_key(world.a.partners[0].admin, world.a.vendor, "partner")
    assert client.get(f"/api/v1/partnerships/{other}/agreement-status", headers=auth(key)).status_code == 404


def test_agreement_list_does_not_query_per_row(world: World, client: Client) -> None:
    publish(world)
    keys = [api_key(world.a.owner, world.a.vendor), api_key(world.a.partners[0].admin, world.a.vendor, "partner")]
    for k in keys:  # the first use of a token stamps last_used_at
        client.get("/api/v1/agreements", headers=auth(k))
    small = [queries_for(lambda k=k: client.get("/api/v1/agreements", headers=auth(k))) for k in keys]
    for n in range(4):
        accept(world, publish(world, body=f"v{n} {{{{ partner_name }}}}"))
    PartnershipFactory(program=world.a.program, status=Partnership.Status.ONBOARDING)
    large = [queries_for(lambda k=k: client.get("/api/v1/agreements", headers=auth(k))) for k in keys]
    assert large == small
    assert AgreementTemplate.objects.for_vendor(world.a.vendor).count() == 5
