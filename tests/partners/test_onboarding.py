"""Onboarding: default checklist, live completion, activation with its time recorded, custom steps, the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kanali.core.models import AuditLog, Partnership
from kanali.partners import selectors_agreements as sel
from kanali.partners import services_agreements as services
from kanali.partners.models_agreements import OnboardingStep, PartnershipMilestones
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.factories import MembershipFactory, PartnerOrgFactory, PartnershipFactory
from tests.partners.test_agreements import accept, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarding(world: World) -> Partnership:
    """A's partner 1, still onboarding, with an incomplete profile (no website, no VAT)."""
    partnership = world.a.partners[0].partnership
    partnership.status = Partnership.Status.ONBOARDING
    partnership.save()
    return partnership


def complete_profile(world: World) -> None:
    org = world.a.partners[0].org
    org.website = "https://p1.example.com"
    org.vat_number = "EL094014201"
    org.save()


def test_default_steps_are_created_once(world: World) -> None:
    steps = sel.onboarding_steps(world.a.program)
    assert [(s.kind, s.required) for s in steps] == [
        ("agreement", True),
        ("profile", True),
        ("colleague", True),
        ("training", False),
        ("first_deal_or_lead", False),
    ]
    assert [s.pk for s in sel.onboarding_steps(world.a.program)] == [s.pk for s in steps]
    assert services.ensure_default_steps(world.a.program) == steps
    assert OnboardingStep.objects.for_vendor(world.b.vendor).count() == 0


def test_completion_comes_from_live_data(world: World, onboarding: Partnership) -> None:
    check = sel.checklist(onboarding)
    done = {s.step.kind: s.done for s in check.steps}
    # Admin and sales are two members already; no agreement, no website or VAT yet.
    assert done == {
        "agreement": False,
        "profile": False,
        "colleague": True,
        "training": False,
        "first_deal_or_lead": False,
    }
    assert not check.complete and check.required_done == 1

    lonely = PartnershipFactory(program=world.a.program, partner=PartnerOrgFactory(), status="onboarding")
    MembershipFactory(organization=lonely.partner, role="partner_admin")
    assert not sel.checklist(lonely).state(sel.onboarding_steps(world.a.program)[2]).done  # type: ignore[union-attr]


def test_all_required_steps_activate_the_partnership(world: World, onboarding: Partnership) -> None:
    complete_profile(world)
    template = publish(world)
    assert Partnership.objects.for_vendor(world.a.vendor).get(pk=onboarding.pk).status == "onboarding"
    accept(world, template)  # the last required step: acceptance refreshes onboarding
    onboarding.refresh_from_db()
    assert onboarding.status == Partnership.Status.ACTIVE
    milestones = PartnershipMilestones.objects.for_vendor(world.a.vendor).get(partnership=onboarding)
    assert milestones.activated_at is not None and milestones.approved_at == onboarding.created_at
    assert milestones.days_to_activation == 0
    assert AuditLog.objects.filter(action="partnership.activate", object_id=str(onboarding.pk)).exists()
    # Rule-based steps got their done time recorded.
    check = sel.checklist(onboarding)
    assert all(s.done_at for s in check.steps if s.step.required)

    # A new version does not take activation back; it is an open item instead.
    publish(world, body="v2 {{ partner_name }}")
    services.onboarding_refresh(partnership=onboarding)
    onboarding.refresh_from_db()
    assert onboarding.status == Partnership.Status.ACTIVE
    assert milestones.activated_at == PartnershipMilestones.objects.for_vendor(world.a.vendor).get().activated_at


def test_approved_moves_to_onboarding_then_active(world: World) -> None:
    partnership = world.a.partners[0].partnership
    partnership.status = Partnership.Status.APPROVED
    partnership.save()
    services.onboarding_refresh(partnership=partnership)  # colleague step done: onboarding has begun
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.ONBOARDING
    assert AuditLog.objects.filter(action="partnership.onboard", actor__isnull=True).count() == 1


def test_a_required_custom_step_is_ticked_by_the_admin_or_the_vendor(world: World, onboarding: Partnership) -> None:
    complete_profile(world)
    owner = workspace_for(world.a.owner, world.a.vendor)
    step = services.onboarding_step_create(workspace=owner, program=world.a.program, title="Kick-off call")
    accept(world, publish(world))
    onboarding.refresh_from_db()
    assert onboarding.status == "onboarding"  # the custom step is still open

    sales = workspace_for(world.a.partners[0].sales, world.a.vendor, "partner")
    with pytest.raises(PermissionDenied):
        services.onboarding_tick(workspace=sales, partnership=onboarding, step=step)
    other_admin = workspace_for(world.a.partners[1].admin, world.a.vendor, "partner")
    with pytest.raises(PermissionDenied):
        services.onboarding_tick(workspace=other_admin, partnership=onboarding, step=step)
    agreement_step = sel.onboarding_steps(world.a.program)[0]
    with pytest.raises(ValidationError):
        services.onboarding_tick(workspace=owner, partnership=onboarding, step=agreement_step)

    admin = workspace_for(world.a.partners[0].admin, world.a.vendor, "partner")
    result = services.onboarding_tick(workspace=admin, partnership=onboarding, step=step)
    assert result.complete and result.partnership.status == "active"
    # The vendor can take a tick back; activation stays.
    result = services.onboarding_tick(workspace=owner, partnership=onboarding, step=step, done=False)
    assert not result.complete and result.partnership.status == "active"


def test_steps_editor_rules(world: World) -> None:
    owner = workspace_for(world.a.owner, world.a.vendor)
    steps = sel.onboarding_steps(world.a.program)
    colleague = steps[2]
    services.onboarding_step_update(workspace=owner, step=colleague, required=False, title="Add a second person")
    colleague.refresh_from_db()
    assert not colleague.required and colleague.display_title == "Add a second person"
    with pytest.raises(ValidationError):
        services.onboarding_step_delete(workspace=owner, step=colleague)
    with pytest.raises(ValidationError):
        services.onboarding_step_create(workspace=owner, program=world.a.program, title="  ")
    custom = services.onboarding_step_create(workspace=owner, program=world.a.program, title="Send a logo")
    assert custom.position == 6
    services.onboarding_step_delete(workspace=owner, step=custom)
    with pytest.raises(PermissionDenied):
        services.onboarding_step_create(
            workspace=workspace_for(world.a.finance, world.a.vendor), program=world.a.program, title="x"
        )


def test_first_deal_hook_and_rules_of_other_apps(world: World, onboarding: Partnership) -> None:
    services.record_first_deal(partnership=onboarding)
    milestones = PartnershipMilestones.objects.for_vendor(world.a.vendor).get(partnership=onboarding)
    first = milestones.first_deal_at
    assert first is not None
    services.record_first_deal(partnership=onboarding)  # kept once
    assert PartnershipMilestones.objects.for_vendor(world.a.vendor).get().first_deal_at == first
    states = {s.step.kind: s for s in sel.checklist(onboarding).steps}
    assert states["first_deal_or_lead"].done and not states["first_deal_or_lead"].manual
    # Training has no rule until the enablement app registers one: ticked by hand meanwhile.
    assert states["training"].manual


@pytest.fixture
def training_rule() -> Iterator[None]:
    def everyone(program: object, partnerships: list[Partnership]) -> set[int]:
        return {p.pk for p in partnerships}

    sel.register_onboarding_rule("training", everyone)
    yield
    sel._RULES["training"].remove(everyone)


def test_a_registered_rule_completes_its_step(world: World, onboarding: Partnership, training_rule: None) -> None:
    states = {s.step.kind: s for s in sel.checklist(onboarding).steps}
    assert states["training"].done and not states["training"].manual


# --- Pages and API --------------------------------------------------------------------------------


def test_vendor_progress_table_does_not_query_per_row(world: World, client: Client) -> None:
    owner = workspace_for(world.a.owner, world.a.vendor)
    services.onboarding_step_create(workspace=owner, program=world.a.program, title="Kick-off call")
    accept(world, publish(world))
    client.force_login(world.a.owner)
    url = f"/v/acme/programs/{world.a.program.pk}/onboarding/"
    assert client.get(url).status_code == 200
    small = queries_for(lambda: client.get(url))
    for n in range(8):
        p = PartnershipFactory(program=world.a.program, status="onboarding" if n % 2 else "approved")
        MembershipFactory(organization=p.partner, role="partner_admin")
        services.record_first_deal(partnership=p)
    large = queries_for(lambda: client.get(url))
    assert large == small, f"{small} queries with few rows, {large} with more"
    page = client.get(url).content.decode()
    assert "Kick-off call" in page and "onboarding-table" in page


def test_vendor_adds_edits_and_ticks_steps(world: World, client: Client, onboarding: Partnership) -> None:
    client.force_login(world.a.channel_manager)
    url = f"/v/acme/programs/{world.a.program.pk}/onboarding/"
    assert b"title-errors" in client.post(url, {"title": "", "required": "on"}).content
    assert client.post(url, {"title": "Kick-off call", "required": "on"}).status_code == 302
    step = OnboardingStep.objects.for_vendor(world.a.vendor).get(kind="custom")
    response = client.post(f"/v/acme/onboarding/steps/{step.pk}/partnerships/{onboarding.pk}/tick/", {"done": "1"})
    assert response.status_code == 302
    assert sel.checklist(onboarding).state(step).done  # type: ignore[union-attr]
    edit = f"/v/acme/onboarding/steps/{step.pk}/"
    assert client.get(edit).status_code == 200
    client.post(edit, {"title": "Kick-off", "description": "", "position": 9})
    step.refresh_from_db()
    assert (step.title, step.required, step.position) == ("Kick-off", False, 9)
    client.force_login(world.a.finance)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "x"}).status_code == 403


def test_partner_sees_and_completes_its_checklist(world: World, client: Client, onboarding: Partnership) -> None:
    accept(world, publish(world))
    client.force_login(world.a.partners[0].sales)
    home = client.get("/p/acme/").content.decode()
    assert "onboarding-checklist" in home and "Complete the company profile" in home
    # The admin completes the profile on its own page; the onboarding hook activates the partnership there.
    admin = Client()
    admin.force_login(world.a.partners[0].admin)
    profile = {"name": "Acme Partner 1", "country": "GR", "vat_number": "EL094014201", "website": "p1.example.com"}
    assert admin.post("/p/acme/profile/", profile).status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.status == "active"
    assert client.get("/p/acme/onboarding/").status_code == 200
    assert "onboarding-checklist" not in client.get("/p/acme/").content.decode()


def test_portal_home_widgets_do_not_query_per_row(world: World, client: Client, onboarding: Partnership) -> None:
    publish(world)
    partner = world.a.partners[0]
    client.force_login(partner.admin)
    client.get("/p/acme/")  # the first visit creates the program's default steps
    small = queries_for(lambda: client.get("/p/acme/"))
    for _ in range(4):
        MembershipFactory(organization=partner.org, role="partner_sales")
    assert queries_for(lambda: client.get("/p/acme/")) == small


def test_partner_ticks_a_custom_step_only_as_admin(world: World, client: Client, onboarding: Partnership) -> None:
    owner = workspace_for(world.a.owner, world.a.vendor)
    step = services.onboarding_step_create(workspace=owner, program=world.a.program, title="Kick-off call")
    client.force_login(world.a.partners[0].sales)
    assert client.post(f"/p/acme/onboarding/steps/{step.pk}/tick/").status_code == 403
    client.force_login(world.a.partners[0].admin)
    assert client.post(f"/p/acme/onboarding/steps/{step.pk}/tick/").status_code == 302
    assert sel.checklist(onboarding).state(step).done  # type: ignore[union-attr]


def test_onboarding_api(world: World, client: Client, onboarding: Partnership) -> None:
    complete_profile(world)
    accept(world, publish(world))
    url = f"/api/v1/partnerships/{onboarding.pk}/onboarding"
    body = client.get(url, headers={"Authorization": f"Bearer {api_key(world.a.owner, world.a.vendor)}"}).json()
    assert body["complete"] and body["partnership_status"] == "active" and body["activated_at"]
    assert [s["kind"] for s in body["steps"]][:3] == ["agreement", "profile", "colleague"]
    assert body["required_done"] == body["required_total"] == 3
    other = world.a.partners[1].partnership.pk
    key = api_key(world.a.partners[0].admin, world.a.vendor, "partner")
    response = client.get(f"/api/v1/partnerships/{other}/onboarding", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404
