"""The isolation matrix: every URL and API route that takes an object, walked as every actor.

A route that takes an object but is missing from ``PAGE_ROUTES`` / ``API_ROUTES``
fails ``test_every_object_route_is_in_the_matrix``: new routes join the matrix
in the same change or the suite goes red.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kanali.accounts.models import Invitation
from kanali.api.api import api
from tests import isolation
from tests.conftest import World, api_key
from tests.isolation import Route

# URL parameters that choose a workspace or carry a signed secret, not an object id.
NON_OBJECT_PARAMS = {"vendor_slug", "token"}


def _collect(name: str) -> dict[str, Route]:
    """Merge ``name`` from tests/isolation.py and every tests/<app>/routes*.py module."""
    merged: dict[str, Route] = dict(getattr(isolation, name, {}))
    for path in sorted(Path(__file__).parent.glob("*/routes*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        for key, route in getattr(module, name, {}).items():
            assert key not in merged, f"{key} is in the matrix twice"
            merged[key] = route
    return merged


PAGE_ROUTES = _collect("PAGE_ROUTES")
API_ROUTES = _collect("API_ROUTES")


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
    # Our routes are namespaced; allauth's own (un-namespaced) pages take keys and ids
    # of the signed-in user's own rows.
    ours = {name for name in object_page_routes() if ":" in name}
    assert ours == set(PAGE_ROUTES)
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

    if route.side == "public":
        # Published to everyone, but only under its own vendor.
        assert _request(client, route, own_url) == 200
        other = own_url.replace(f"/{a.vendor.slug}/", f"/{b.vendor.slug}/", 1)
        assert _request(client, route, other) == 404
        return

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
        if route.body is not None:
            return getattr(client, route.method)(
                url, route.body, content_type="application/json", headers=headers
            ).status_code
        return getattr(client, route.method)(url, headers=headers).status_code

    assert call(None) == 401
    assert call("kn_nope_nope") == 401
    assert call(api_key(b.owner, b.vendor)) == 404
    assert call(api_key(a.partners[1].admin, a.vendor, "partner")) == 404
    assert call(api_key(b.partners[0].admin, b.vendor, "partner")) == 404
    if route.side == "partner":
        # A partner's own action (accepting an agreement): the vendor's staff may not take it.
        assert call(api_key(a.owner, a.vendor)) in {403, 404}
        assert call(api_key(a.partners[0].admin, a.vendor, "partner")) in {200, 201, 204}
        return
    assert call(api_key(a.owner, a.vendor)) in {200, 201, 204}
    # The owning partner sees objects published to it, and nothing of the vendor's console.
    expected = {200, 201, 204} if route.partner_visible else {404}
    assert call(api_key(a.partners[0].admin, a.vendor, "partner")) in expected


@pytest.mark.django_db
def test_invitation_link_is_not_an_object_id(world: World, client: Client) -> None:
    """The accept route takes a signed token; a guessed one is refused, never a 500."""
    assert Invitation.objects.count() == 0
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": "1:forged"}))
    assert response.status_code == 410
