"""The "what good looks like" examples: complete, valid, loadable step by step, idempotent."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from kanali.core.models import AuditLog, Membership, PartnerType, Program
from kanali.core.roles import Role
from kanali.designer import metrics, selectors
from kanali.designer.catalogues import (
    CAPABILITY_CATALOGUE,
    RESPONSIBILITY_CATALOGUE,
    KpiKey,
    SuccessFactorKey,
)
from kanali.designer.examples import EXAMPLES, InDays, load_example
from kanali.designer.models import Design
from kanali.designer.steps import COLLECTIONS, STEPS
from tests.conftest import World, workspace_for
from tests.factories import MembershipFactory, ProgramFactory, UserFactory, VendorFactory

REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
NO_TIERS_LISTS = {"tiers", "tier_requirements"}


def ids(program: Program) -> dict[str, list[int]]:
    return {key: sorted(c.queryset(program).values_list("pk", flat=True)) for key, c in COLLECTIONS.items()}


def expected_empty(example: str) -> set[str]:
    """Lists an example leaves empty on purpose (a program without tiers has none)."""
    return NO_TIERS_LISTS if EXAMPLES[example]["framework"]["design"]["framework"] == "no_tiers" else set()


# --- The data itself ------------------------------------------------------------


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_answers_every_field_of_every_step(example: str) -> None:
    content = EXAMPLES[example]
    assert list(content) == [step.key for step in STEPS]
    for step in STEPS:
        data = content[step.key]
        assert set(data["design"]) == set(step.design_fields), step.key
        assert set(data["collections"]) == {c.key for c in step.collections}, step.key
        for collection in step.collections:
            for row in data["collections"][collection.key]:
                assert set(row) == set(collection.fields), (step.key, collection.key, row)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_uses_the_catalogues(example: str) -> None:
    lists = {key: rows for step in EXAMPLES[example].values() for key, rows in step["collections"].items()}
    design = {name: value for step in EXAMPLES[example].values() for name, value in step["design"].items()}
    with override("en"):
        activities = {str(label) for _key, label, _side in RESPONSIBILITY_CATALOGUE}
        capabilities = {str(label) for _key, label, _area in CAPABILITY_CATALOGUE}
    assert len({r["activity"] for r in lists["responsibilities"]} & activities) >= 6
    assert any(r["activity"] not in activities for r in lists["responsibilities"])  # custom ones too
    assert len({r["title"] for r in lists["capabilities"]} & capabilities) >= 8
    assert {r["key"] for r in lists["partner_types"]} <= set(PartnerType.values)
    assert {r["key"] for r in lists["success_factors"]} <= set(SuccessFactorKey.values)
    assert {r["key"] for r in lists["kpis"]} <= set(KpiKey.values)
    assert {r["success_factor"] for r in lists["kpis"]} <= {r["name"] for r in lists["success_factors"]}
    assert all(metrics.get(r["metric"]) for r in lists["tier_requirements"])
    stages = lists["stages"]
    assert len(stages) >= 4
    assert [s["position"] for s in stages] == list(range(1, len(stages) + 1))
    probabilities = [s["win_probability"] for s in stages]
    assert probabilities == sorted(probabilities) and len(set(probabilities)) == len(probabilities)
    assert all(s["customer_goal"] and s["exit_criteria"] for s in stages)
    assert all(all(c[d] for d in c) for c in lists["competitors"])  # every dimension answered
    assert sum(c["weight"] for c in lists["criteria"]) == 100
    assert all(c["guide"].count("\n") == 4 for c in lists["criteria"])  # a line per score, 1 to 5
    assert design["target_regions"] and all(REGION.match(code) for code in design["target_regions"])
    assert isinstance(design["recruitment_deadline"], InDays) and design["recruitment_target"] > 0
    assert {r["role"] for r in lists["channel_team"]} >= {"channel_chief", "partner_account_manager"}


def test_one_example_has_tiers_and_the_other_none() -> None:
    assert EXAMPLES["hardware"]["framework"]["design"]["framework"] == "tiers"
    tiers = EXAMPLES["hardware"]["framework"]["collections"]["tiers"]
    assert [t["name"] for t in tiers] == ["Bronze", "Silver", "Gold"]
    assert EXAMPLES["saas"]["framework"]["design"]["framework"] == "no_tiers"
    assert EXAMPLES["saas"]["framework"]["design"]["ideal_partner"]
    assert EXAMPLES["saas"]["framework"]["design"]["performance_measures"]


# --- Loading ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_loads_fully_into_an_empty_program(world: World, example: str) -> None:
    a = world.a
    program = a.program
    load_example(workspace=workspace_for(a.owner, a.vendor), program=program, example=example)

    empty = expected_empty(example)
    for key, collection in COLLECTIONS.items():
        count = collection.queryset(program).count()
        assert (count == 0) if key in empty else (count > 0), key
    design = selectors.get_design(program)
    for step in STEPS:
        for name in step.design_fields:
            if name not in {"five_s_notes"}:
                assert getattr(design, name) not in ("", None, []), name
    # Staff placeholders became this vendor's people; dates are relative to today.
    today = timezone.localdate()
    capabilities = list(selectors.capabilities(program))
    assert all(c.owner is None or c.owner.organization_id == a.vendor.pk for c in capabilities)
    assert {c.owner.user for c in capabilities if c.owner} >= {a.owner, a.channel_manager}
    dues = [c.due_date for c in capabilities if c.due_date]
    assert min(dues) < today < max(dues)
    assert not [c for c in capabilities if c.status != "done" and c.due_date and c.due_date < today]  # none overdue
    assert design.recruitment_deadline is not None and design.recruitment_deadline > today + timedelta(days=300)
    chiefs = selectors.channel_team(program).filter(role="channel_chief")
    assert a.channel_manager in {r.member.user for r in chiefs}
    # Relievers point at pains; KPIs at success factors.
    relievers = [i for i in selectors.canvas_items(program) if i.kind == "pain_reliever"]
    assert all(r.addresses.all() for r in relievers)
    assert all(k.success_factor_id for k in selectors.kpis(program))


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_keeps_ids(world: World) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    program = world.a.program
    load_example(workspace=ws, program=program, example="hardware")
    before = ids(program)
    design_before = Design.objects.for_vendor(world.a.vendor).get(program=program).pk
    load_example(workspace=ws, program=program, example="hardware")
    assert ids(program) == before
    assert Design.objects.for_vendor(world.a.vendor).get(program=program).pk == design_before


@pytest.mark.django_db
def test_loading_one_step_touches_only_that_step(world: World) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    program = world.a.program
    load_example(workspace=ws, program=program, example="saas", step="sales_process")
    counts = {key: c.queryset(program).count() for key, c in COLLECTIONS.items()}
    assert counts.pop("stages") == 6
    assert set(counts.values()) == {0}
    assert not Design.objects.for_vendor(world.a.vendor).filter(program=program).exists()

    load_example(workspace=ws, program=program, example="hardware")
    before = ids(program)
    load_example(workspace=ws, program=program, example="saas", step="competitors")
    after = ids(program)
    assert after.pop("competitors") != before.pop("competitors")
    assert after == before
    assert selectors.get_design(program).framework == "tiers"  # the framework step was not touched


@pytest.mark.django_db
def test_kpis_alone_leave_unknown_success_factors_unlinked(world: World) -> None:
    program = world.a.program
    load_example(workspace=workspace_for(world.a.owner, world.a.vendor), program=program, example="saas", step="kpis")
    kpis = list(selectors.kpis(program))
    assert kpis and all(k.success_factor_id is None for k in kpis)


@pytest.mark.django_db
def test_roles_nobody_holds_stay_empty() -> None:
    vendor = VendorFactory(slug="solo")
    owner = MembershipFactory(organization=vendor, role=Role.OWNER, user=UserFactory(email="me@solo.example.com")).user
    program = ProgramFactory(vendor=vendor)
    load_example(workspace=workspace_for(owner, vendor), program=program, example="saas")
    team = {(r.role, r.member.user) for r in selectors.channel_team(program)}
    # "@channel" falls back to the owner; partner account manager, enablement and support have nobody.
    assert team == {("channel_chief", owner), ("partner_marketing", owner)}
    owners = {c.title: c.owner for c in selectors.capabilities(program)}
    assert owners["Legal partner agreement"].user == owner  # type: ignore[union-attr]
    assert owners["How leads are handled and what partners must do"] is None


@pytest.mark.django_db
def test_load_is_audited_and_refused_without_permission(world: World) -> None:
    a = world.a
    load_example(workspace=workspace_for(a.owner, a.vendor), program=a.program, example="saas", step="marketing")
    entry = AuditLog.objects.filter(vendor=a.vendor, action="design.example_load").get()
    assert entry.changes == {"example": [None, "saas"], "step": [None, "marketing"]}
    with pytest.raises(PermissionDenied):
        load_example(workspace=workspace_for(a.finance, a.vendor), program=a.program, example="saas")
    with pytest.raises(ValidationError):
        load_example(workspace=workspace_for(a.owner, a.vendor), program=a.program, example="nope")
    with pytest.raises(ValidationError):
        load_example(workspace=workspace_for(a.owner, a.vendor), program=a.program, example="saas", step="nope")


# --- The buttons -------------------------------------------------------------------


def example_url(program: Program, step: str | None = None) -> str:
    return f"/v/{program.vendor.slug}/programs/{program.pk}/design/" + (f"{step}/" if step else "") + "example/"


def flashed(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_button_loads_the_step_and_returns_to_it(world: World, client: Client) -> None:
    program = world.a.program
    client.force_login(world.a.channel_manager)
    response = client.post(example_url(program, "framework"), {"example": "hardware"})
    assert response.status_code == 302
    assert response["Location"] == f"/v/acme/programs/{program.pk}/design/framework/"
    assert [t.name for t in selectors.tiers(program)] == ["Bronze", "Silver", "Gold"]
    assert not selectors.pipeline_stages(program).exists()
    assert any("Loaded the example" in m for m in flashed(response))


@pytest.mark.django_db
def test_button_loads_every_step(world: World, client: Client) -> None:
    program = world.a.program
    client.force_login(world.a.owner)
    response = client.post(example_url(program), {"example": "saas"})
    assert response.status_code == 302
    assert response["Location"] == f"/v/acme/programs/{program.pk}/design/"
    assert selectors.pipeline_stages(program).count() == 6
    assert selectors.selection_criteria(program).count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "nope", "../saas"])
def test_unknown_example_is_a_message_not_an_error(world: World, client: Client, value: str) -> None:
    program = world.a.program
    client.force_login(world.a.owner)
    response = client.post(example_url(program, "sales_process"), {"example": value})
    assert response.status_code == 302
    assert response["Location"].endswith("/design/sales_process/")
    assert flashed(response) and not selectors.pipeline_stages(program).exists()


@pytest.mark.django_db
def test_button_checks_role_step_method_and_vendor(world: World, client: Client) -> None:
    a, b = world.a, world.b
    client.force_login(a.finance)
    assert client.post(example_url(a.program, "sales_process"), {"example": "saas"}).status_code == 403
    assert client.post(example_url(a.program), {"example": "saas"}).status_code == 403
    client.force_login(a.owner)
    assert client.post(example_url(a.program, "nope"), {"example": "saas"}).status_code == 404
    assert client.get(example_url(a.program, "sales_process")).status_code == 405
    client.force_login(b.owner)
    assert client.post(example_url(a.program, "sales_process"), {"example": "saas"}).status_code == 404
    other = example_url(a.program, "sales_process").replace("/v/acme/", "/v/globex/")
    assert client.post(other, {"example": "saas"}).status_code == 404
    assert not selectors.pipeline_stages(a.program).exists()


@pytest.mark.django_db
def test_htmx_button_redirects_the_page(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.post(
        example_url(world.a.program, "motivators"), {"example": "saas"}, headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Redirect"].endswith("/design/motivators/")


@pytest.mark.django_db
def test_placeholder_people_come_from_this_vendor_only(world: World) -> None:
    """A staff member of another vendor never ends up in this vendor's channel team."""
    program = world.a.program
    load_example(workspace=workspace_for(world.a.owner, world.a.vendor), program=program, example="hardware")
    people = {r.member_id for r in selectors.channel_team(program)}
    staff = set(Membership.objects.filter(organization=world.a.vendor).values_list("pk", flat=True))
    assert people and people <= staff
