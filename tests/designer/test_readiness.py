"""Readiness: each step's completeness rule, the success-factor / failure-point checklist, the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kanali.core.models import Program
from kanali.core.workspace import Workspace
from kanali.designer.models import Design, DesignVersion
from kanali.designer.publishing import publish
from kanali.designer.readiness import CheckStatus, checklist, step_status
from kanali.designer.services import design_update
from kanali.designer.steps import STEPS
from tests.conftest import World, queries_for, workspace_for
from tests.designer.routes_publishing import complete_design, replace


@pytest.fixture
def ws(world: World) -> Workspace:
    return workspace_for(world.a.owner, world.a.vendor)


def status_of(program: Program, key: str) -> tuple[bool, str]:
    status = next(s for s in step_status(program) if s.key == key)
    return status.complete, status.reason


def check_of(program: Program, key: str) -> tuple[CheckStatus, str, str]:
    check = next(c for c in checklist(program) if c.key == key)
    return check.status, check.explanation, check.step_key


def _canvas(ws: Workspace, p: Program, world: World) -> None:
    replace(ws, p, "canvas_job", [{"text": "Close the books"}])
    replace(ws, p, "canvas_pain", [{"text": "Typing"}])
    replace(ws, p, "canvas_gain", [{"text": "Calm"}])
    replace(ws, p, "canvas_product", [{"text": "Ledger"}])
    replace(ws, p, "canvas_gain_creator", [{"text": "Dashboards", "addresses": ["Calm"]}])


def _design(**values: object) -> Callable[[Workspace, Program, World], None]:
    def apply(ws: Workspace, p: Program, world: World) -> None:
        design_update(workspace=ws, program=p, values=values)

    return apply


def _rows(key: str, rows: list[dict[str, object]]) -> Callable[[Workspace, Program, World], None]:
    def apply(ws: Workspace, p: Program, world: World) -> None:
        replace(ws, p, key, rows)

    return apply


def _capabilities(ws: Workspace, p: Program, world: World) -> None:
    replace(ws, p, "capabilities", [{"title": "Agreement", "owner": world.a.owner.email, "due_date": date(2030, 1, 1)}])


def _selection(ws: Workspace, p: Program, world: World) -> None:
    replace(ws, p, "criteria", [{"name": "Reach", "weight": 2}])
    design_update(workspace=ws, program=p, values={"recruitment_target": 8})


def _organization(ws: Workspace, p: Program, world: World) -> None:
    replace(ws, p, "channel_team", [{"role": "channel_chief", "member": world.a.owner.email}])


#: The least data that completes each step, from a blank design.
COMPLETE: dict[str, Callable[[Workspace, Program, World], None]] = {
    "value_proposition": _canvas,
    "sales_process": _rows("stages", [{"position": 1, "name": "A"}, {"position": 2, "name": "B"}]),
    "competitors": _rows("competitors", [{"name": "Rival"}]),
    "partner_types": _rows("partner_types", [{"key": "msp", "name": "MSP", "reason": "Run IT"}]),
    "success_factors": _rows("success_factors", [{"name": "Support", "plan": "Hotline"}]),
    "motivators": _rows("motivators", [{"kind": "money"}]),
    "program_elements": _design(leads_enabled=True),
    "responsibilities": _rows(
        "responsibilities", [{"position": 1, "activity": "Demos", "assignee": "both", "lead": "partner"}]
    ),
    "framework": _design(ideal_partner="Local IT firms", performance_measures="Deals won"),
    "capabilities": _capabilities,
    "kpis": _rows("kpis", [{"key": "win_rate", "target": "30"}]),
    "marketing": _design(target_audience="Resellers", sostac_situation="S", sostac_objectives="O", sostac_strategy="S"),
    "selection": _selection,
    "organization": _organization,
}


def test_every_step_has_a_rule() -> None:
    assert set(COMPLETE) == {s.key for s in STEPS}


@pytest.mark.django_db
def test_a_blank_design_has_every_step_incomplete_with_a_reason(world: World) -> None:
    statuses = step_status(world.a.program)
    assert [s.step.number for s in statuses] == list(range(1, 15))
    for status in statuses:
        assert not status.complete and status.reason, status.key


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(COMPLETE))
def test_the_least_data_completes_exactly_that_step(world: World, ws: Workspace, key: str) -> None:
    program = world.a.program
    COMPLETE[key](ws, program, world)
    complete = {s.key for s in step_status(program) if s.complete}
    assert complete == {key}


@pytest.mark.django_db
def test_value_proposition_needs_a_reliever_or_creator(world: World, ws: Workspace) -> None:
    program = world.a.program
    _canvas(ws, program, world)
    replace(ws, program, "canvas_gain_creator", [])
    complete, reason = status_of(program, "value_proposition")
    assert not complete and "pain reliever or gain creator" in reason
    replace(ws, program, "canvas_pain_reliever", [{"text": "Bank feeds", "addresses": ["Typing"]}])
    assert status_of(program, "value_proposition")[0]


@pytest.mark.django_db
def test_sales_process_needs_two_stages(world: World, ws: Workspace) -> None:
    replace(ws, world.a.program, "stages", [{"position": 1, "name": "Only"}])
    assert status_of(world.a.program, "sales_process") == (
        False,
        "Define at least two stages of the customer's buying journey.",
    )


@pytest.mark.django_db
def test_partner_types_need_a_reason_and_factors_a_plan(world: World, ws: Workspace) -> None:
    program = world.a.program
    replace(ws, program, "partner_types", [{"key": "var", "name": "VAR"}])
    replace(ws, program, "success_factors", [{"name": "Support"}])
    assert "why" in status_of(program, "partner_types")[1]
    assert "plan" in status_of(program, "success_factors")[1]


@pytest.mark.django_db
def test_responsibilities_need_both_sides_and_a_lead_for_shared_ones(world: World, ws: Workspace) -> None:
    program = world.a.program
    replace(ws, program, "responsibilities", [{"position": 1, "activity": "Leads", "assignee": "vendor"}])
    complete, reason = status_of(program, "responsibilities")
    assert not complete and "partner" in reason
    replace(
        ws,
        program,
        "responsibilities",
        [
            {"position": 1, "activity": "Leads", "assignee": "vendor"},
            {"position": 2, "activity": "Demos", "assignee": "both"},
        ],
    )
    complete, reason = status_of(program, "responsibilities")
    assert not complete and "“Demos”" in reason


@pytest.mark.django_db
def test_tiers_framework_needs_a_requirement_on_every_tier(world: World, ws: Workspace) -> None:
    program = world.a.program
    design_update(workspace=ws, program=program, values={"framework": Design.Framework.TIERS})
    assert status_of(program, "framework") == (False, "Add at least one tier.")
    replace(ws, program, "tiers", [{"rank": 1, "name": "Silver"}, {"rank": 2, "name": "Gold"}])
    replace(ws, program, "tier_requirements", [{"tier": "Silver", "metric": "deals_won_12m", "threshold": "3"}])
    complete, reason = status_of(program, "framework")
    assert not complete and "“Gold”" in reason and "Silver" not in reason
    replace(
        ws,
        program,
        "tier_requirements",
        [
            {"tier": "Silver", "metric": "deals_won_12m", "threshold": "3"},
            {"tier": "Gold", "metric": "certified_people", "threshold": "2"},
        ],
    )
    assert status_of(program, "framework") == (True, "")


@pytest.mark.django_db
def test_capabilities_need_an_owner_and_a_due_date_on_every_item(world: World, ws: Workspace) -> None:
    program = world.a.program
    replace(
        ws,
        program,
        "capabilities",
        [
            {"title": "Agreement", "owner": world.a.owner.email, "due_date": date(2030, 1, 1)},
            {"title": "Brochure", "owner": world.a.owner.email},
        ],
    )
    complete, reason = status_of(program, "capabilities")
    assert not complete and "“Brochure”" in reason and "Agreement" not in reason


@pytest.mark.django_db
def test_kpis_need_a_target_and_marketing_the_sostac_basics(world: World, ws: Workspace) -> None:
    program = world.a.program
    replace(ws, program, "kpis", [{"key": "win_rate"}])
    assert status_of(program, "kpis") == (False, "Set a target for at least one KPI.")
    design_update(workspace=ws, program=program, values={"target_audience": "Resellers", "sostac_situation": "S"})
    complete, reason = status_of(program, "marketing")
    assert not complete and "objectives" in reason and "strategy" in reason and "audience" not in reason


@pytest.mark.django_db
def test_organization_needs_a_channel_chief_not_just_any_role(world: World, ws: Workspace) -> None:
    program = world.a.program
    replace(ws, program, "channel_team", [{"role": "support", "member": world.a.owner.email}])
    assert status_of(program, "organization") == (False, "Assign a channel chief.")


# --- Checklist ------------------------------------------------------------------


@pytest.mark.django_db
def test_checklist_has_the_nine_success_factors_and_six_failure_points(world: World) -> None:
    checks = checklist(world.a.program)
    assert [c.kind for c in checks].count("success_factor") == 9
    assert [c.kind for c in checks].count("failure_point") == 6
    assert all(c.title and c.explanation for c in checks)
    step_keys = {s.key for s in STEPS} | {""}
    assert all(c.step_key in step_keys for c in checks)


@pytest.mark.django_db
def test_wrong_partners_geography_measurement_competitors_council(world: World, ws: Workspace) -> None:
    program = world.a.program
    for key in ("wrong_partners", "geography", "measurement", "competitor_watch", "partner_council"):
        assert check_of(program, key)[0] == CheckStatus.WARNING, key
    assert check_of(program, "wrong_partners")[2] == "selection"
    replace(ws, program, "criteria", [{"name": "Reach", "weight": 1}])
    replace(ws, program, "kpis", [{"key": "win_rate", "target": "25"}])
    replace(ws, program, "competitors", [{"name": "Rival"}])
    design_update(workspace=ws, program=program, values={"target_regions": ["GR"], "partner_council": True})
    for key in ("wrong_partners", "geography", "measurement", "competitor_watch", "partner_council"):
        assert check_of(program, key)[0] == CheckStatus.OK, key


@pytest.mark.django_db
def test_lack_of_clarity_when_a_shared_activity_has_no_lead(world: World, ws: Workspace) -> None:
    program = world.a.program
    replace(ws, program, "responsibilities", [{"position": 1, "activity": "Demos", "assignee": "both"}])
    status, explanation, step = check_of(program, "lack_of_clarity")
    assert status == CheckStatus.WARNING and "Demos" in explanation and step == "responsibilities"
    replace(
        ws, program, "responsibilities", [{"position": 1, "activity": "Demos", "assignee": "both", "lead": "vendor"}]
    )
    assert check_of(program, "lack_of_clarity")[0] == CheckStatus.OK


@pytest.mark.django_db
def test_under_investment_when_a_capability_is_overdue(world: World, ws: Workspace) -> None:
    program = world.a.program
    yesterday = timezone.localdate() - timedelta(days=1)
    replace(ws, program, "capabilities", [{"title": "Brochure", "owner": world.a.owner.email, "due_date": yesterday}])
    status, explanation, step = check_of(program, "under_investment")
    assert status == CheckStatus.WARNING and "Brochure" in explanation and step == "capabilities"
    replace(
        ws,
        program,
        "capabilities",
        [
            {"title": "Brochure", "owner": world.a.owner.email, "due_date": yesterday, "status": "done"},
        ],
    )
    assert check_of(program, "under_investment")[0] == CheckStatus.OK


def _age(program: Program, number: int, days: int) -> None:
    DesignVersion.objects.for_vendor(program.vendor_id).filter(program=program, number=number).update(
        published_at=timezone.now() - timedelta(days=days)
    )


@pytest.mark.django_db
def test_resisting_frequent_change_compares_the_last_two_versions(world: World, ws: Workspace) -> None:
    program = world.a.program
    assert check_of(program, "resisting_frequent_change")[0] == CheckStatus.UNKNOWN
    complete_design(ws, program)
    publish(workspace=ws, program=program, change_note="v1")
    assert check_of(program, "resisting_frequent_change")[0] == CheckStatus.OK
    publish(workspace=ws, program=program, change_note="v2", confirm_frequent=True)
    status, explanation, _step = check_of(program, "resisting_frequent_change")
    assert status == CheckStatus.WARNING and "90" in explanation
    _age(program, 1, 120)
    assert check_of(program, "resisting_frequent_change")[0] == CheckStatus.OK


@pytest.mark.django_db
def test_stopping_improvement_when_an_old_version_was_never_followed_by_a_change(world: World, ws: Workspace) -> None:
    program = world.a.program
    complete_design(ws, program)
    publish(workspace=ws, program=program, change_note="v1")
    assert check_of(program, "stopping_improvement")[0] == CheckStatus.OK
    _age(program, 1, 200)
    Design.objects.for_vendor(program.vendor_id).filter(program=program).update(
        updated_at=timezone.now() - timedelta(days=201)
    )
    assert check_of(program, "stopping_improvement")[0] == CheckStatus.WARNING
    replace(ws, program, "competitors", [{"name": "New rival"}])  # the draft moves on
    assert check_of(program, "stopping_improvement")[0] == CheckStatus.OK


@pytest.mark.django_db
def test_frequent_communication_is_unknown_once_someone_is_named(world: World, ws: Workspace) -> None:
    program = world.a.program
    assert check_of(program, "frequent_communication")[0] == CheckStatus.WARNING
    replace(ws, program, "channel_team", [{"role": "partner_account_manager", "member": world.a.owner.email}])
    assert check_of(program, "frequent_communication")[0] == CheckStatus.UNKNOWN


# --- Page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_readiness_page_lists_steps_checks_and_fix_links(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    client.force_login(world.a.finance)  # viewing needs only the console
    response = client.get(reverse("designer:readiness", args=["acme", program.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Add at least one customer job." in html
    assert reverse("designer:step", args=["acme", program.pk, "value_proposition"]) in html
    assert "Wrong partners" in html and "Partner council" in html
    assert html.count('id="check-') == 15


@pytest.mark.django_db
def test_readiness_page_queries_do_not_grow_with_items(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    client.force_login(world.a.owner)
    url = reverse("designer:readiness", args=["acme", program.pk])
    complete_design(ws, program)
    small = queries_for(lambda: client.get(url))
    replace(ws, program, "stages", [{"position": n, "name": f"Stage {n}"} for n in range(12)])
    replace(ws, program, "canvas_pain", [{"text": f"Pain {n}"} for n in range(10)])
    replace(ws, program, "canvas_pain_reliever", [{"text": f"Fix {n}", "addresses": [f"Pain {n}"]} for n in range(10)])
    replace(
        ws,
        program,
        "responsibilities",
        [{"position": n, "activity": f"Act {n}", "assignee": "both", "lead": "vendor"} for n in range(15)],
    )
    replace(ws, program, "capabilities", [{"title": f"Item {n}", "owner": world.a.owner.email} for n in range(10)])
    replace(
        ws,
        program,
        "channel_team",
        [
            {"role": "channel_chief", "member": world.a.owner.email},
            {"role": "support", "member": world.a.channel_manager.email},
        ],
    )
    large = queries_for(lambda: client.get(url))
    assert large == small, f"{small} queries with few rows, {large} with many"
