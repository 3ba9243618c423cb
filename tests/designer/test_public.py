"""The public program page and the partner-portal program page show the published version only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kanali.core.workspace import Workspace
from kanali.designer.publishing import publish
from kanali.designer.services import design_update
from tests.conftest import World, queries_for, workspace_for
from tests.designer.routes_publishing import complete_design, replace
from tests.factories import PartnershipFactory, ProgramFactory


@pytest.fixture
def ws(world: World) -> Workspace:
    return workspace_for(world.a.owner, world.a.vendor)


def public_url(vendor: str = "acme", program: str = "partners") -> str:
    return reverse("designer:public_program", args=[vendor, program])


@pytest.mark.django_db
def test_a_program_never_published_has_no_public_page(world: World, ws: Workspace, client: Client) -> None:
    complete_design(ws, world.a.program)  # a complete draft is still a draft
    assert client.get(public_url()).status_code == 404
    assert client.get(public_url(program="nope")).status_code == 404


@pytest.mark.django_db
def test_public_page_shows_the_published_version_until_republished(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    complete_design(ws, program)
    replace(ws, program, "channel_team", [{"role": "channel_chief", "member": world.a.owner.email}])
    publish(workspace=ws, program=program, change_note="v1")

    html = client.get(public_url()).content.decode()  # anonymous
    assert "Acme Partners" in html and "Value-added reseller" in html
    assert "Deliver qualified leads" in html and "Manual data entry" in html
    assert 'id="apply"' in html and f"mailto:{world.a.owner.email}" in html
    assert "Channel chief" in html

    replace(
        ws,
        program,
        "partner_types",
        [
            {"key": "var", "name": "Value-added reseller", "reason": "They own IT"},
            {"key": "msp", "name": "Managed service provider", "reason": "Recurring revenue"},
        ],
    )
    assert "Managed service provider" not in client.get(public_url()).content.decode()

    publish(workspace=ws, program=program, change_note="v2", confirm_frequent=True)
    assert "Managed service provider" in client.get(public_url()).content.decode()


@pytest.mark.django_db
def test_public_page_is_only_under_its_own_vendor(world: World, ws: Workspace, client: Client) -> None:
    complete_design(ws, world.a.program)
    publish(workspace=ws, program=world.a.program, change_note="v1")
    assert client.get(public_url()).status_code == 200
    assert client.get(public_url(vendor="globex")).status_code == 404  # globex's "partners" is unpublished
    assert client.get(public_url(vendor="acme-partner-1")).status_code == 404  # not a vendor


@pytest.mark.django_db
def test_public_page_shows_tiers_and_benefits(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    complete_design(ws, program)
    design_update(workspace=ws, program=program, values={"framework": "tiers"})
    replace(ws, program, "tiers", [{"rank": 1, "name": "Gold", "discount_pct": "12"}])
    replace(ws, program, "tier_requirements", [{"tier": "Gold", "metric": "deals_won_12m", "threshold": "5"}])
    publish(workspace=ws, program=program, change_note="v1")
    html = client.get(public_url()).content.decode()
    assert "Gold" in html and "Deals won in the last 12 months ≥ 5" in html and "Discount: 12 %" in html


@pytest.mark.django_db
def test_public_page_in_greek(world: World, ws: Workspace, client: Client) -> None:
    complete_design(ws, world.a.program)
    publish(workspace=ws, program=world.a.program, change_note="v1")
    response = client.get(public_url(), headers={"accept-language": "el"})
    assert response.status_code == 200 and 'lang="el"' in response.content.decode()


@pytest.mark.django_db
def test_public_page_queries_do_not_grow_with_items(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    complete_design(ws, program)
    publish(workspace=ws, program=program, change_note="v1")
    small = queries_for(lambda: client.get(public_url()))
    replace(ws, program, "partner_types", [{"key": f"t{n}", "name": f"Type {n}", "reason": "r"} for n in range(20)])
    replace(
        ws,
        program,
        "responsibilities",
        [{"position": n, "activity": f"Activity {n}", "assignee": "both", "lead": "partner"} for n in range(20)],
    )
    publish(workspace=ws, program=program, change_note="v2", confirm_frequent=True)
    assert "Activity 19" in client.get(public_url()).content.decode()
    assert queries_for(lambda: client.get(public_url())) == small


# --- Partner portal -----------------------------------------------------------------------


def portal_url(program_id: int, vendor: str = "acme") -> str:
    return reverse("designer:portal_program", args=[vendor, program_id])


@pytest.mark.django_db
def test_portal_page_shows_the_published_matrix_tiers_and_modules(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    complete_design(ws, program)
    design_update(workspace=ws, program=program, values={"training_enabled": True})
    publish(workspace=ws, program=program, change_note="Welcome")
    design_update(workspace=ws, program=program, values={"forum_enabled": True})  # draft only

    client.force_login(world.a.partners[0].sales)
    response = client.get(portal_url(program.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deliver qualified leads" in html and "Welcome" in html
    modules = html[html.index('id="modules"') :]
    modules = modules[: modules.index("</ul>")]
    assert "Training platform" in modules and "text-bg-success" in modules
    assert modules.count("text-bg-success") == 1  # the forum switch is not published yet


@pytest.mark.django_db
def test_portal_page_before_publishing_says_so(world: World, client: Client) -> None:
    client.force_login(world.a.partners[0].admin)
    response = client.get(portal_url(world.a.program.pk))
    assert response.status_code == 200 and "has not been published yet" in response.content.decode()


@pytest.mark.django_db
def test_portal_page_is_404_outside_the_partners_programs(world: World, ws: Workspace, client: Client) -> None:
    complete_design(ws, world.a.program)
    publish(workspace=ws, program=world.a.program, change_note="v1")
    other = ProgramFactory(vendor=world.a.vendor, slug="referral")
    PartnershipFactory(program=other, partner=world.a.partners[1].org)
    client.force_login(world.a.partners[0].admin)
    assert client.get(portal_url(other.pk)).status_code == 404  # same vendor, not its program
    client.force_login(world.b.partners[0].admin)
    assert client.get(portal_url(world.a.program.pk)).status_code == 404  # another vendor's partner
    assert client.get(portal_url(world.a.program.pk, vendor="globex")).status_code == 404
