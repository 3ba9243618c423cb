"""The step pages: structured data, autosaved, validated, driving what other apps read."""

from __future__ import annotations

import pytest
from django.test import Client

from kanali.core.models import Program
from kanali.designer import selectors
from kanali.designer.models import PipelineStage, Tier
from kanali.designer.services import items_replace
from kanali.designer.steps import COLLECTIONS, STEPS
from tests.conftest import World, queries_for, workspace_for
from tests.designer.forms_helper import form_data


def url(program: Program, step: str) -> str:
    return f"/v/{program.vendor.slug}/programs/{program.pk}/design/{step}/"


def current(client: Client, program: Program, step: str) -> dict:
    response = client.get(url(program, step))
    assert response.status_code == 200
    return form_data(response.content.decode())


@pytest.fixture
def owner(world: World, client: Client) -> Client:
    client.force_login(world.a.owner)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("step", [s.key for s in STEPS])
def test_every_step_page_opens(world: World, owner: Client, step: str) -> None:
    response = owner.get(url(world.a.program, step))
    assert response.status_code == 200
    assert b'id="step-form"' in response.content


@pytest.mark.django_db
def test_overview_lists_fourteen_steps_with_progress(world: World, owner: Client) -> None:
    response = owner.get(f"/v/acme/programs/{world.a.program.pk}/design/")
    assert response.status_code == 200
    assert len(response.context["statuses"]) == 14 and response.context["percent"] == 0


@pytest.mark.django_db
def test_unknown_step_is_404(world: World, owner: Client) -> None:
    assert owner.get(url(world.a.program, "nope")).status_code == 404


@pytest.mark.django_db
def test_sales_process_stages_become_the_pipeline(world: World, owner: Client) -> None:
    program = world.a.program
    data = current(owner, program, "sales_process")
    data.update({"stages-0-position": "1", "stages-0-name": "Discover", "stages-0-win_probability": "10"})
    response = owner.post(url(program, "sales_process"), data)
    assert response.status_code == 302
    assert [s.name for s in selectors.pipeline_stages(program)] == ["Discover"]

    # Add a second stage, then rename the first: its id survives (deals point at it).
    first = PipelineStage.objects.for_vendor(world.a.vendor).get()
    data = current(owner, program, "sales_process")
    data.update({"stages-1-position": "2", "stages-1-name": "Evaluate", "stages-1-win_probability": "40"})
    owner.post(url(program, "sales_process"), data)
    data = current(owner, program, "sales_process")
    data["stages-0-name"] = "Discover needs"
    owner.post(url(program, "sales_process"), data)
    stages = list(selectors.pipeline_stages(program))
    assert (stages[0].pk, stages[0].name) == (first.pk, "Discover needs")
    assert [s.win_probability for s in stages] == [10, 40]


@pytest.mark.django_db
def test_htmx_autosave_returns_the_form_with_a_saved_mark(world: World, owner: Client) -> None:
    program = world.a.program
    data = current(owner, program, "program_elements")
    data["design-training_enabled"] = "on"
    response = owner.post(url(program, "program_elements"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Saved at" in body
    assert selectors.enabled_elements(program) == {"training"}


@pytest.mark.django_db
def test_bad_row_shows_errors_and_saves_nothing(world: World, owner: Client) -> None:
    program = world.a.program
    data = current(owner, program, "framework")
    data.update(
        {
            "design-framework": "tiers",
            "tiers-0-rank": "1",
            "tiers-0-name": "Gold",
            "tiers-0-commission_bonus_pct": "250",  # more than 100%
            "tiers-0-fund_accrual_pct": "0",
            "tiers-0-lead_priority_weight": "1",
            "tiers-0-discount_pct": "0",
        }
    )
    response = owner.post(url(program, "framework"), data, headers={"HX-Request": "true"})
    assert "Not saved" in response.content.decode()
    assert not Tier.objects.for_vendor(world.a.vendor).exists()
    assert selectors.get_design(program).framework == "no_tiers"  # the valid part was not saved either


@pytest.mark.django_db
def test_two_tiers_with_one_name_are_refused(world: World, owner: Client) -> None:
    program = world.a.program
    ws = workspace_for(world.a.owner, world.a.vendor)
    items_replace(workspace=ws, program=program, collection=COLLECTIONS["tiers"], rows=[{"name": "Gold", "rank": 2}])
    data = current(owner, program, "framework")
    data.update(
        {
            "tiers-1-rank": "3",
            "tiers-1-name": "Gold",
            "tiers-1-commission_bonus_pct": "0",
            "tiers-1-fund_accrual_pct": "0",
            "tiers-1-lead_priority_weight": "1",
            "tiers-1-discount_pct": "0",
        }
    )
    response = owner.post(url(program, "framework"), data)
    assert "listed twice" in response.content.decode()
    assert Tier.objects.for_vendor(world.a.vendor).count() == 1


@pytest.mark.django_db
def test_tier_requirement_metric_comes_from_the_registry(world: World, owner: Client) -> None:
    program = world.a.program
    ws = workspace_for(world.a.owner, world.a.vendor)
    items_replace(workspace=ws, program=program, collection=COLLECTIONS["tiers"], rows=[{"name": "Gold", "rank": 1}])
    tier = Tier.objects.for_vendor(world.a.vendor).get()
    data = current(owner, program, "framework")
    data.update({"tier_requirements-0-tier": str(tier.pk), "tier_requirements-0-metric": "vibes"})
    data["tier_requirements-0-threshold"] = "10"
    response = owner.post(url(program, "framework"), data)
    assert "Select a valid choice" in response.content.decode()
    data["tier_requirements-0-metric"] = "deals_won_12m"
    assert owner.post(url(program, "framework"), data).status_code == 302
    assert [(r.metric, r.threshold) for r in selectors.tiers(program)[0].requirements.all()] == [("deals_won_12m", 10)]


@pytest.mark.django_db
def test_partner_types_from_the_catalogue_or_custom(world: World, owner: Client) -> None:
    program = world.a.program
    data = current(owner, program, "partner_types")
    data.update({"partner_types-0-key": "msp", "partner_types-0-reason": "They run IT for our customers"})
    owner.post(url(program, "partner_types"), data)
    data = current(owner, program, "partner_types")
    data.update({"partner_types-1-key": "custom", "partner_types-1-name": "Accountants"})
    owner.post(url(program, "partner_types"), data)
    types = {t.key: t.name for t in selectors.partner_types(program)}
    assert types == {"msp": "Managed service provider", "accountants": "Accountants"}


@pytest.mark.django_db
def test_target_regions_are_checked_iso_codes(world: World, owner: Client) -> None:
    program = world.a.program
    data = current(owner, program, "selection")
    data["design-target_regions"] = "GR-I, gr-b, XX-99"
    response = owner.post(url(program, "selection"), data)
    assert "XX-99" in response.content.decode() and "ISO 3166-2" in response.content.decode()
    data["design-target_regions"] = "GR-I, gr-b"
    assert owner.post(url(program, "selection"), data).status_code == 302
    assert selectors.get_design(program).target_regions == ["GR-I", "GR-B"]


@pytest.mark.django_db
def test_selection_weights_are_normalised_and_shown(world: World, owner: Client) -> None:
    program = world.a.program
    ws = workspace_for(world.a.owner, world.a.vendor)
    items_replace(
        workspace=ws,
        program=program,
        collection=COLLECTIONS["criteria"],
        rows=[{"name": "Territory", "weight": 3}, {"name": "Skills", "weight": 1}],
    )
    body = owner.get(url(program, "selection")).content.decode()
    assert "add up to 4" in body and "75.0%" in body and "25.0%" in body


@pytest.mark.django_db
def test_fit_view_shows_unaddressed_pains(world: World, owner: Client) -> None:
    program = world.a.program
    ws = workspace_for(world.a.owner, world.a.vendor)
    items_replace(
        workspace=ws,
        program=program,
        collection=COLLECTIONS["canvas_pain"],
        rows=[{"text": "Manual invoicing"}, {"text": "Late payments"}],
    )
    items_replace(
        workspace=ws,
        program=program,
        collection=COLLECTIONS["canvas_pain_reliever"],
        rows=[{"text": "Automatic invoices", "addresses": ["Manual invoicing"]}],
    )
    fit = dict(owner.get(url(program, "value_proposition")).context["fit"])
    assert [(item.text, ok) for item, ok in fit["Pain"]] == [("Late payments", False), ("Manual invoicing", True)] or [
        (item.text, ok) for item, ok in fit["Pain"]
    ] == [("Manual invoicing", True), ("Late payments", False)]


@pytest.mark.django_db
def test_finance_reads_but_cannot_change_the_design(world: World, client: Client) -> None:
    client.force_login(world.a.finance)
    program = world.a.program
    response = client.get(url(program, "sales_process"))
    assert response.status_code == 200 and b"<fieldset disabled>" in response.content
    data = form_data(response.content.decode())
    data.update({"stages-0-name": "X", "stages-0-position": "1", "stages-0-win_probability": "5"})
    assert client.post(url(program, "sales_process"), data).status_code == 403
    assert not PipelineStage.objects.for_vendor(world.a.vendor).exists()


def _grow(program: Program, step: str, copies: int = 3) -> None:
    """Copy every row of the step's lists (renamed), so each list holds more rows."""
    from kanali.designer.steps import STEPS_BY_KEY

    for collection in STEPS_BY_KEY[step].collections:
        if any(name in ("tier", "member") for name in collection.natural_key):
            continue  # rows keyed by another row; they stay as the example made them
        for obj in list(collection.queryset(program)):
            for n in range(copies):
                obj.pk = None
                obj._state.adding = True
                for name in collection.natural_key:
                    setattr(obj, name, f"{getattr(obj, name)} {n}"[:60])
                obj.save()


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["value_proposition", "framework", "selection", "competitors", "capabilities"])
def test_step_pages_do_not_query_per_row(world: World, owner: Client, step: str) -> None:
    """A full example, then three times the rows in every list: the same number of queries."""
    from kanali.designer.examples import load_example

    program = world.a.program
    load_example(workspace=workspace_for(world.a.owner, world.a.vendor), program=program, example="hardware")
    few = queries_for(lambda: owner.get(url(program, step)))
    _grow(program, step)
    many = queries_for(lambda: owner.get(url(program, step)))
    assert many == few, f"{step}: {few} queries, then {many} with more rows"
