"""Publishing: refuse incomplete designs, number versions, warn within 90 days, freeze a readable snapshot."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kanali.core.models import AuditLog, Program
from kanali.core.workspace import Workspace
from kanali.designer.models import DesignVersion
from kanali.designer.publishing import FrequentChangeWarning, has_unpublished_changes, publish
from kanali.designer.services import design_update
from kanali.designer.snapshot import build_snapshot
from tests.conftest import World, queries_for, workspace_for
from tests.designer.routes_publishing import complete_design, replace


@pytest.fixture
def ws(world: World) -> Workspace:
    return workspace_for(world.a.owner, world.a.vendor)


def versions_of(program: Program) -> list[DesignVersion]:
    return list(DesignVersion.objects.for_vendor(program.vendor_id).filter(program=program).order_by("number"))


def make_draft(program: Program) -> None:
    Program.objects.for_vendor(program.vendor_id).filter(pk=program.pk).update(status=Program.Status.DRAFT)
    program.refresh_from_db()


@pytest.mark.django_db
def test_publishing_an_incomplete_design_lists_every_missing_step_and_writes_nothing(
    world: World, ws: Workspace
) -> None:
    program = world.a.program
    make_draft(program)
    replace(ws, program, "stages", [{"position": 1, "name": "A"}, {"position": 2, "name": "B"}])
    with pytest.raises(ValidationError) as exc:
        publish(workspace=ws, program=program, change_note="Too early")
    messages = exc.value.messages
    assert len(messages) == 5  # steps 1, 4, 8, 9, 13; step 2 is complete
    assert [m.split(",")[0] for m in messages] == ["Step 1", "Step 4", "Step 8", "Step 9", "Step 13"]
    assert "Add at least one customer job." in messages[0]
    assert versions_of(program) == []
    program.refresh_from_db()
    assert program.status == Program.Status.DRAFT
    assert not AuditLog.objects.filter(vendor=world.a.vendor, action="design.publish").exists()


@pytest.mark.django_db
def test_publishing_numbers_versions_stores_notes_and_audits(world: World, ws: Workspace) -> None:
    program = world.a.program
    make_draft(program)
    complete_design(ws, program)
    first = publish(workspace=ws, program=program, change_note="  First version  ")
    program.refresh_from_db()
    assert program.status == Program.Status.PUBLISHED
    second = publish(workspace=ws, program=program, change_note="Second", confirm_frequent=True)
    third = publish(workspace=ws, program=program, change_note="Third", confirm_frequent=True)
    assert [v.number for v in versions_of(program)] == [1, 2, 3]
    assert (first.change_note, second.change_note, third.change_note) == ("First version", "Second", "Third")
    assert third.published_by == world.a.owner
    entries = AuditLog.objects.filter(vendor=world.a.vendor, action="design.publish").order_by("id")
    assert [e.changes["version"] for e in entries] == [[None, 1], [1, 2], [2, 3]]
    assert entries[0].changes["status"] == ["draft", "published"]


@pytest.mark.django_db
def test_publishing_again_within_90_days_needs_confirmation(world: World, ws: Workspace) -> None:
    program = world.a.program
    complete_design(ws, program)
    publish(workspace=ws, program=program, change_note="v1")
    with pytest.raises(FrequentChangeWarning) as exc:
        publish(workspace=ws, program=program, change_note="v2")
    assert "90" in str(exc.value) and exc.value.previous.number == 1
    assert len(versions_of(program)) == 1
    assert publish(workspace=ws, program=program, change_note="v2", confirm_frequent=True).number == 2
    # A version older than 90 days: no warning.
    DesignVersion.objects.for_vendor(program.vendor_id).filter(program=program).update(
        published_at=timezone.now() - timedelta(days=91)
    )
    assert publish(workspace=ws, program=program, change_note="v3").number == 3


@pytest.mark.django_db
def test_only_program_managers_of_that_vendor_publish(world: World, ws: Workspace) -> None:
    complete_design(ws, world.a.program)
    with pytest.raises(PermissionDenied):
        publish(workspace=workspace_for(world.a.finance, world.a.vendor), program=world.a.program, change_note="x")
    with pytest.raises(PermissionDenied):
        publish(workspace=workspace_for(world.b.owner, world.b.vendor), program=world.a.program, change_note="x")
    cm = workspace_for(world.a.channel_manager, world.a.vendor)
    assert publish(workspace=cm, program=world.a.program, change_note="x").number == 1


@pytest.mark.django_db
def test_unpublished_changes_follow_the_draft(world: World, ws: Workspace) -> None:
    program = world.a.program
    complete_design(ws, program)
    assert has_unpublished_changes(program)
    publish(workspace=ws, program=program, change_note="v1")
    assert not has_unpublished_changes(program)
    replace(ws, program, "competitors", [{"name": "Rival"}])
    assert has_unpublished_changes(program)


@pytest.mark.django_db
def test_snapshot_is_json_with_readable_references(world: World, ws: Workspace) -> None:
    program = world.a.program
    complete_design(ws, program)
    design_update(
        workspace=ws, program=program, values={"framework": "tiers", "recruitment_deadline": date(2027, 6, 30)}
    )
    replace(ws, program, "tiers", [{"rank": 1, "name": "Gold", "commission_bonus_pct": "7.5"}])
    replace(ws, program, "tier_requirements", [{"tier": "Gold", "metric": "revenue_won_12m", "threshold": "50000"}])
    replace(ws, program, "success_factors", [{"name": "Support", "plan": "Hotline"}])
    replace(ws, program, "kpis", [{"key": "win_rate", "success_factor": "Support", "target": "30"}])
    replace(
        ws,
        program,
        "capabilities",
        [{"title": "Agreement", "owner": world.a.finance.email, "due_date": date(2027, 1, 2)}],
    )
    replace(ws, program, "channel_team", [{"role": "channel_chief", "member": world.a.owner.email}])

    snapshot = build_snapshot(program)
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["program"] == {"name": "Acme Partners", "slug": "partners"}
    assert snapshot["design"]["recruitment_deadline"] == "2027-06-30"
    cols = snapshot["collections"]
    assert cols["tiers"][0]["commission_bonus_pct"] == "7.50"
    assert cols["tier_requirements"] == [{"tier": "Gold", "metric": "revenue_won_12m", "threshold": "50000.00"}]
    assert cols["kpis"][0]["success_factor"] == "Support"
    assert cols["capabilities"][0]["owner"] == world.a.finance.email
    assert cols["capabilities"][0]["due_date"] == "2027-01-02"
    assert cols["canvas_pain_reliever"][0]["addresses"] == ["Manual data entry"]
    assert [s["name"] for s in cols["stages"]] == ["Discovery", "Proposal", "Decision"]
    assert snapshot["people"][world.a.owner.email] == world.a.owner.display_name

    version = publish(workspace=ws, program=program, change_note="v1")
    version.refresh_from_db()
    assert version.snapshot == snapshot


# --- Pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_finance_cannot_open_or_post_the_publish_page(world: World, client: Client) -> None:
    client.force_login(world.a.finance)
    url = reverse("designer:publish", args=["acme", world.a.program.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"change_note": "x"}).status_code == 403
    assert versions_of(world.a.program) == []


@pytest.mark.django_db
def test_publish_page_shows_missing_steps_and_errors_beside_the_form(world: World, client: Client) -> None:
    client.force_login(world.a.channel_manager)
    url = reverse("designer:publish", args=["acme", world.a.program.pk])
    page = client.get(url).content.decode()
    assert "Complete these steps before publishing" in page
    assert reverse("designer:step", args=["acme", world.a.program.pk, "selection"]) in page
    response = client.post(url, {"change_note": "Go"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="publish-errors"' in html and "Nothing was published." in html and "Step 13" in html
    assert versions_of(world.a.program) == []


@pytest.mark.django_db
def test_publish_page_asks_to_confirm_a_frequent_change(world: World, ws: Workspace, client: Client) -> None:
    program = world.a.program
    complete_design(ws, program)
    client.force_login(world.a.owner)
    url = reverse("designer:publish", args=["acme", program.pk])
    response = client.post(url, {"change_note": "First"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "designer:versions", args=["acme", program.pk]
    )
    response = client.post(url, {"change_note": "Tweak"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="frequent-warning"' in html and 'name="confirm_frequent"' in html
    assert len(versions_of(program)) == 1
    response = client.post(url, {"change_note": "Tweak", "confirm_frequent": "on"})
    assert response.status_code == 302
    assert [v.change_note for v in versions_of(program)] == ["First", "Tweak"]


@pytest.mark.django_db
def test_versions_page_shows_the_change_log_without_a_query_per_version(
    world: World, ws: Workspace, client: Client
) -> None:
    program = world.a.program
    complete_design(ws, program)
    publish(workspace=ws, program=program, change_note="Launch")
    client.force_login(world.a.finance)
    url = reverse("designer:versions", args=["acme", program.pk])
    small = queries_for(lambda: client.get(url))
    for n in range(5):
        publish(workspace=ws, program=program, change_note=f"Change {n}", confirm_frequent=True)
    html = client.get(url).content.decode()
    assert "Launch" in html and "Change 4" in html
    assert queries_for(lambda: client.get(url)) == small
