"""API tokens: shown once, stored hashed, revocable, one workspace only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kanali.accounts.models import ApiToken
from tests.conftest import World


@pytest.mark.django_db
def test_token_is_shown_once_and_stored_hashed(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.post("/v/acme/tokens/", {"name": "CRM sync"})
    token = ApiToken.objects.for_vendor(world.a.vendor).get()
    key = response.context["issued"].key
    assert key.startswith(f"kn_{token.prefix}_") and key.encode() in response.content
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert key.encode() not in client.get("/v/acme/tokens/").content
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["workspace"]["vendor"] == "acme"


@pytest.mark.django_db
def test_revoked_token_no_longer_works(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    key = client.post("/v/acme/tokens/", {"name": "t"}).context["issued"].key
    token = ApiToken.objects.for_vendor(world.a.vendor).get()
    assert client.post(f"/v/acme/tokens/{token.pk}/revoke/").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


@pytest.mark.django_db
def test_token_of_a_removed_member_stops_working(world: World, client: Client) -> None:
    from kanali.core.models import Membership
    from tests.conftest import api_key

    key = api_key(world.a.finance, world.a.vendor)
    Membership.objects.filter(user=world.a.finance).delete()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


@pytest.mark.django_db
def test_partner_token_stops_when_partnership_is_suspended(world: World, client: Client) -> None:
    from kanali.core.models import Partnership
    from tests.conftest import api_key

    partner = world.a.partners[0]
    key = api_key(partner.admin, world.a.vendor, "partner")
    assert client.get("/api/v1/partnerships", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    Partnership.objects.for_vendor(world.a.vendor).filter(pk=partner.partnership.pk).update(status="suspended")
    assert client.get("/api/v1/partnerships", headers={"Authorization": f"Bearer {key}"}).status_code == 401


@pytest.mark.django_db
def test_issue_token_prints_the_token_alone(world: World, client: Client) -> None:
    out = StringIO()
    call_command("issue_token", world.a.owner.email, stdout=out)
    key = out.getvalue().strip()
    assert "\n" not in key and key.startswith("kn_")
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert body["workspace"] == {
        "kind": "vendor",
        "vendor": "acme",
        "vendor_name": "Acme",
        "organization": "acme",
        "organization_name": "Acme",
        "role": "owner",
    }


@pytest.mark.django_db
def test_issue_token_needs_a_workspace_when_there_are_several(world: World) -> None:
    from tests.factories import PartnershipFactory

    partner = world.a.partners[0]
    PartnershipFactory(program=world.b.program, partner=partner.org)
    with pytest.raises(CommandError, match="several workspaces"):
        call_command("issue_token", partner.admin.email)
    out = StringIO()
    call_command("issue_token", partner.admin.email, "--workspace", "globex", stdout=out)
    assert ApiToken.objects.for_vendor(world.b.vendor).filter(user=partner.admin).exists()


@pytest.mark.django_db
def test_issue_token_refuses_unknown_people_and_workspaces(world: World) -> None:
    with pytest.raises(CommandError, match="No active user"):
        call_command("issue_token", "nobody@example.com")
    with pytest.raises(CommandError, match="no workspace"):
        call_command("issue_token", world.a.owner.email, "--workspace", "globex")


@pytest.mark.django_db
def test_token_creation_is_rate_limited(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    codes = [client.post("/v/acme/tokens/", {"name": f"t{n}"}).status_code for n in range(22)]
    assert codes[0] == 200 and codes[-1] == 429
    assert ApiToken.objects.for_vendor(world.a.vendor).count() == 20
