"""The actors of every test: two vendors, each with an owner, a channel manager,
a finance user, and two partners with an admin and a sales rep (STYLE.md §4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kanali.accounts.models import User
from kanali.accounts.services import token_create
from kanali.core.models import Organization, Partnership, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace, resolve_workspace
from tests.factories import (
    MembershipFactory,
    PartnerOrgFactory,
    PartnershipFactory,
    ProgramFactory,
    UserFactory,
    VendorFactory,
)


@dataclass
class PartnerActors:
    org: Organization
    partnership: Partnership
    admin: User
    sales: User


@dataclass
class VendorActors:
    vendor: Organization
    program: Program
    owner: User
    channel_manager: User
    finance: User
    partners: list[PartnerActors]


@dataclass
class World:
    a: VendorActors
    b: VendorActors


def make_vendor(slug: str) -> VendorActors:
    vendor = VendorFactory(name=slug.title(), slug=slug)
    program = ProgramFactory(vendor=vendor, name=f"{slug.title()} Partners", slug="partners")
    people = {
        role: MembershipFactory(
            organization=vendor, role=role, user=UserFactory(email=f"{role}@{slug}.example.com")
        ).user
        for role in (Role.OWNER, Role.CHANNEL_MANAGER, Role.FINANCE)
    }
    partners = []
    for n in (1, 2):
        org = PartnerOrgFactory(name=f"{slug.title()} Partner {n}", slug=f"{slug}-partner-{n}")
        partnership = PartnershipFactory(program=program, partner=org)
        admin = MembershipFactory(
            organization=org, role=Role.PARTNER_ADMIN, user=UserFactory(email=f"admin@{org.slug}.example.com")
        ).user
        sales = MembershipFactory(
            organization=org, role=Role.PARTNER_SALES, user=UserFactory(email=f"sales@{org.slug}.example.com")
        ).user
        partners.append(PartnerActors(org, partnership, admin, sales))
    return VendorActors(
        vendor=vendor,
        program=program,
        owner=people[Role.OWNER],
        channel_manager=people[Role.CHANNEL_MANAGER],
        finance=people[Role.FINANCE],
        partners=partners,
    )


@pytest.fixture
def world(db: None) -> World:
    return World(a=make_vendor("acme"), b=make_vendor("globex"))


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; each test starts fresh."""
    cache.clear()
    yield
    cache.clear()


def workspace_for(user: User, vendor: Organization, kind: str = "vendor") -> Workspace:
    ws = resolve_workspace(user, kind, vendor.slug)  # type: ignore[arg-type]
    assert ws is not None, f"{user} has no {kind} workspace in {vendor.slug}"
    return ws


def api_key(user: User, vendor: Organization, kind: str = "vendor") -> str:
    return token_create(workspace=workspace_for(user, vendor, kind), name="test").key


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


def queries_for(fn: Callable[[], object]) -> int:
    """How many queries ``fn`` issues; compare two sizes of data to catch per-row queries."""
    with count_queries() as ctx:
        fn()
    return len(ctx.captured_queries)
