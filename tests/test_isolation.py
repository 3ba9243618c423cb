"""The isolation matrix: every URL and API route that takes an object, walked as every actor.

A route that takes an object but is missing from ``PAGE_ROUTES`` / ``API_ROUTES``
fails ``test_every_object_route_is_in_the_matrix``: new routes join the matrix
in the same change or the suite goes red.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kanali.accounts.models import Invitation
from kanali.accounts.services import invite_member, token_create
from kanali.api.api import api
from kanali.core.models import Membership
from kanali.core.roles import Role
from tests.conftest import VendorActors, World, api_key, workspace_for

# URL parameters that choose a workspace or carry a signed secret, not an object id.
NON_OBJECT_PARAMS = {"vendor_slug", "token"}


@dataclass(frozen=True)
class Route:
    """How to build the object a route takes, inside vendor A, and who owns it."""

    side: str  # "vendor" (console, owned by A's staff) or "partner" (portal, owned by A's partner 1)
    build: Callable[[VendorActors], dict[str, Any]]
    method: str = "get"


def _partnership(a: VendorActors) -> dict[str, Any]:
    return {"partnership_id": a.partners[0].partnership.pk}


def _staff_membership(a: VendorActors) -> dict[str, Any]:
    return {"membership_id": Membership.objects.get(user=a.channel_manager, organization=a.vendor).pk}


def _partner_membership(a: VendorActors) -> dict[str, Any]:
    p = a.partners[0]
    return {"membership_id": Membership.objects.get(user=p.sales, organization=p.org).pk}


def _staff_invitation(a: VendorActors) -> dict[str, Any]:
    inv = invite_member(workspace=workspace_for(a.owner, a.vendor), email="new@acme.example.com", role=Role.TRAINER)
    return {"invitation_id": inv.pk}


def _partner_invitation(a: VendorActors) -> dict[str, Any]:
    p = a.partners[0]
    ws = workspace_for(p.admin, a.vendor, "partner")
    inv = invite_member(workspace=ws, email="colleague@p1.example.com", role=Role.PARTNER_TECHNICAL)
    return {"invitation_id": inv.pk}


def _staff_token(a: VendorActors) -> dict[str, Any]:
    return {"token_id": token_create(workspace=workspace_for(a.owner, a.vendor), name="t").token.pk}


def _partner_token(a: VendorActors) -> dict[str, Any]:
    ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    return {"token_id": token_create(workspace=ws, name="t").token.pk}


PAGE_ROUTES: dict[str, Route] = {
    "core:partner_detail": Route("vendor", _partnership),
    "accounts:vendor_member_edit": Route("vendor", _staff_membership),
    "accounts:vendor_invitation_revoke": Route("vendor", _staff_invitation, "post"),
    "accounts:vendor_token_revoke": Route("vendor", _staff_token, "post"),
    "accounts:portal_member_edit": Route("partner", _partner_membership),
    "accounts:portal_invitation_revoke": Route("partner", _partner_invitation, "post"),
    "accounts:portal_token_revoke": Route("partner", _partner_token, "post"),
}

API_ROUTES: dict[str, Route] = {
    "/api/v1/partnerships/{partnership_id}": Route("vendor", _partnership),
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            found.append((f"{namespace}{p.name}", prefix + str(p.pattern)))
    return found


def object_page_routes() -> set[str]:
    names = set()
    for name, route in _walk(get_resolver().url_patterns):
        if name.startswith(("admin:", "api:")):
            continue
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if params - NON_OBJECT_PARAMS:
            names.add(name)
    return names


def object_api_routes() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {path for path in paths if "{" in path}


def test_every_object_route_is_in_the_matrix() -> None:
    # allauth's own pages take keys and ids of the signed-in user's own rows.
    allauth_routes = {n for n in object_page_routes() if not n.startswith(("core:", "accounts:"))}
    assert object_page_routes() - allauth_routes == set(PAGE_ROUTES)
    assert object_api_routes() == set(API_ROUTES)


def _page_url(name: str, route: Route, world: World, vendor_slug: str) -> str:
    return reverse(name, kwargs={"vendor_slug": vendor_slug, **route.build(world.a)})


def _request(client: Client, route: Route, url: str) -> int:
    return getattr(client, route.method)(url).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGE_ROUTES))
def test_page_route_isolation(name: str, world: World, client: Client) -> None:
    route = PAGE_ROUTES[name]
    a, b = world.a, world.b
    owner = a.owner if route.side == "vendor" else a.partners[0].admin
    own_url = _page_url(name, route, world, a.vendor.slug)

    # Anonymous: sent to sign in.
    response = getattr(client, route.method)(own_url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    # Another vendor's staff: neither A's console nor A's object through B's console.
    client.force_login(b.owner)
    assert _request(client, route, own_url) == 404
    assert _request(client, route, own_url.replace(f"/{a.vendor.slug}/", f"/{b.vendor.slug}/", 1)) == 404

    # A partner of the same vendor that does not own the object.
    client.force_login(a.partners[1].admin)
    assert _request(client, route, own_url) == 404
    if route.side == "partner":
        # Partner of another vendor's program.
        client.force_login(b.partners[0].admin)
        assert _request(client, route, own_url) == 404
    else:
        # The owning partner itself cannot open the vendor console.
        client.force_login(a.partners[0].admin)
        assert _request(client, route, own_url) == 404

    # The owner reaches it.
    client.force_login(owner)
    assert _request(client, route, own_url) in {200, 302}


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(API_ROUTES))
def test_api_route_isolation(path: str, world: World, client: Client) -> None:
    route = API_ROUTES[path]
    a, b = world.a, world.b
    url = path.format(**route.build(a))

    def call(key: str | None) -> int:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return getattr(client, route.method)(url, headers=headers).status_code

    assert call(None) == 401
    assert call("kn_nope_nope") == 401
    assert call(api_key(b.owner, b.vendor)) == 404
    assert call(api_key(a.partners[1].admin, a.vendor, "partner")) == 404
    assert call(api_key(b.partners[0].admin, b.vendor, "partner")) == 404
    assert call(api_key(a.owner, a.vendor)) == 200
    # The owning partner sees its own partnership.
    assert call(api_key(a.partners[0].admin, a.vendor, "partner")) == 200


@pytest.mark.django_db
def test_invitation_link_is_not_an_object_id(world: World, client: Client) -> None:
    """The accept route takes a signed token; a guessed one is refused, never a 500."""
    assert Invitation.objects.count() == 0
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": "1:forged"}))
    assert response.status_code == 410
