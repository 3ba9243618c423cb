"""Partner management: status transitions, portal loss on suspension, notes, the management list and page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from kanali.core.models import AuditLog, Partnership
from kanali.partners import selectors_management as selectors
from kanali.partners import services_management as services
from kanali.partners.models_management import DirectoryProfile, PartnerNote, PartnershipStatusChange
from tests.conftest import World, api_key, queries_for, workspace_for
from tests.factories import MembershipFactory, PartnerOrgFactory, PartnershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def staff(world: World):  # type: ignore[no-untyped-def]
    return workspace_for(world.a.owner, world.a.vendor)


def set_status(partnership: Partnership, status: str) -> Partnership:
    Partnership.objects.for_vendor(partnership.vendor_id).filter(pk=partnership.pk).update(status=status)
    partnership.refresh_from_db()
    return partnership


# --- Transitions -----------------------------------------------------------------


@pytest.mark.parametrize("start", [Status.ACTIVE, Status.ONBOARDING, Status.APPROVED])
def test_suspend_from_live_statuses_records_reason_and_audit(world: World, start: str) -> None:
    p = set_status(world.a.partners[0].partnership, start)
    services.partnership_suspend(workspace=staff(world), partnership=p, reason="  Unpaid invoices ")
    p.refresh_from_db()
    assert p.status == Status.SUSPENDED
    change = PartnershipStatusChange.objects.for_vendor(world.a.vendor).get(partnership=p)
    assert (change.from_status, change.to_status, change.reason) == (start, Status.SUSPENDED, "Unpaid invoices")
    entry = AuditLog.objects.filter(vendor=world.a.vendor, action="partnership.suspend").get()
    assert entry.changes == {"status": [start, "suspended"], "reason": [None, "Unpaid invoices"]}
    assert entry.object_id == str(p.pk)


@pytest.mark.parametrize("start", [Status.APPLIED, Status.SUSPENDED, Status.TERMINATED])
def test_suspend_refuses_other_statuses(world: World, start: str) -> None:
    p = set_status(world.a.partners[0].partnership, start)
    with pytest.raises(services.TransitionError):
        services.partnership_suspend(workspace=staff(world), partnership=p, reason="x")
    p.refresh_from_db()
    assert p.status == start
    assert not PartnershipStatusChange.objects.for_vendor(world.a.vendor).exists()


@pytest.mark.parametrize("before", [Status.ACTIVE, Status.ONBOARDING])
def test_reactivate_restores_the_status_before_suspension(world: World, before: str) -> None:
    ws = staff(world)
    p = set_status(world.a.partners[0].partnership, before)
    services.partnership_suspend(workspace=ws, partnership=p, reason="Audit")
    services.partnership_reactivate(workspace=ws, partnership=p, reason="Settled")
    p.refresh_from_db()
    assert p.status == before
    assert AuditLog.objects.filter(vendor=world.a.vendor, action="partnership.reactivate").count() == 1


def test_reactivate_never_skips_onboarding(world: World) -> None:
    ws = staff(world)
    p = set_status(world.a.partners[0].partnership, Status.ONBOARDING)
    services.partnership_suspend(workspace=ws, partnership=p, reason="Audit")
    with pytest.raises(services.TransitionError, match="onboarding"):
        services.partnership_reactivate(workspace=ws, partnership=p, reason="x", to_status=Status.ACTIVE)
    p.refresh_from_db()
    assert p.status == Status.SUSPENDED


def test_reactivate_without_history_returns_to_active(world: World) -> None:
    p = set_status(world.a.partners[0].partnership, Status.SUSPENDED)
    services.partnership_reactivate(workspace=staff(world), partnership=p, reason="Back")
    p.refresh_from_db()
    assert p.status == Status.ACTIVE


@pytest.mark.parametrize("start", [Status.ACTIVE, Status.APPLIED, Status.TERMINATED])
def test_reactivate_only_from_suspended(world: World, start: str) -> None:
    p = set_status(world.a.partners[0].partnership, start)
    with pytest.raises(services.TransitionError):
        services.partnership_reactivate(workspace=staff(world), partnership=p, reason="x")


@pytest.mark.parametrize("start", [Status.APPLIED, Status.APPROVED, Status.ONBOARDING, Status.ACTIVE, Status.SUSPENDED])
def test_terminate_from_any_status_but_terminated(world: World, start: str) -> None:
    ws = staff(world)
    p = set_status(world.a.partners[0].partnership, start)
    services.partnership_terminate(workspace=ws, partnership=p, reason="Moved to a competitor")
    p.refresh_from_db()
    assert p.status == Status.TERMINATED
    with pytest.raises(services.TransitionError, match="already terminated"):
        services.partnership_terminate(workspace=ws, partnership=p, reason="again")


def test_on_suspend_hooks_take_items_back(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[tuple[int, str]] = []
    monkeypatch.setattr(services, "ON_SUSPEND", [lambda p: called.append((p.pk, p.status))])
    ws = staff(world)
    first, second = world.a.partners[0].partnership, world.a.partners[1].partnership
    services.partnership_suspend(workspace=ws, partnership=first, reason="x")
    assert called == [(first.pk, Status.SUSPENDED)]
    # Terminating a live partnership takes items back too; a suspended one already gave them back.
    services.partnership_terminate(workspace=ws, partnership=second, reason="x")
    services.partnership_terminate(workspace=ws, partnership=first, reason="x")
    assert called == [(first.pk, Status.SUSPENDED), (second.pk, Status.TERMINATED)]


def test_a_failing_hook_undoes_the_suspension(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(p: Partnership) -> None:
        raise RuntimeError("leads app down")

    monkeypatch.setattr(services, "ON_SUSPEND", [boom])
    p = world.a.partners[0].partnership
    with pytest.raises(RuntimeError):
        services.partnership_suspend(workspace=staff(world), partnership=p, reason="x")
    p.refresh_from_db()
    assert p.status == Status.ACTIVE
    assert not PartnershipStatusChange.objects.for_vendor(world.a.vendor).exists()


def test_status_changes_need_a_reason_the_permission_and_the_vendor(world: World) -> None:
    p = world.a.partners[0].partnership
    with pytest.raises(ValidationError) as exc:
        services.partnership_suspend(workspace=staff(world), partnership=p, reason="   ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.partnership_suspend(
            workspace=workspace_for(world.a.finance, world.a.vendor), partnership=p, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.partnership_suspend(
            workspace=workspace_for(world.a.partners[0].admin, world.a.vendor, "partner"), partnership=p, reason="x"
        )
    with pytest.raises(Http404):
        services.partnership_suspend(workspace=workspace_for(world.b.owner, world.b.vendor), partnership=p, reason="x")
    p.refresh_from_db()
    assert p.status == Status.ACTIVE


# --- Suspension ends the portal -----------------------------------------------------------


def test_suspension_ends_portal_and_api_access_at_once(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    key = api_key(partner.sales, world.a.vendor, "partner")
    client.force_login(partner.admin)
    assert client.get("/p/acme/").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200

    services.partnership_suspend(workspace=staff(world), partnership=partner.partnership, reason="Unpaid")
    # Same session, next request: the portal of that program is gone, and so is the API token.
    assert client.get("/p/acme/").status_code == 404
    assert client.get("/p/acme/directory/").status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    # The other partner of the program is untouched.
    client.force_login(world.a.partners[1].admin)
    assert client.get("/p/acme/").status_code == 200

    services.partnership_reactivate(workspace=staff(world), partnership=partner.partnership, reason="Paid")
    client.force_login(partner.admin)
    assert client.get("/p/acme/").status_code == 200


def test_suspension_in_one_program_keeps_the_other_vendors_portal(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    PartnershipFactory(program=world.b.program, partner=partner.org)
    services.partnership_suspend(workspace=staff(world), partnership=partner.partnership, reason="x")
    client.force_login(partner.admin)
    assert client.get("/p/acme/").status_code == 404
    assert client.get("/p/globex/").status_code == 200


# --- Notes ---------------------------------------------------------------------------------


def test_notes_are_the_vendors_only(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    services.note_create(
        workspace=staff(world), partnership=partner.partnership, text="Secret: thinking of ending this"
    )
    with pytest.raises(PermissionDenied):
        services.note_create(
            workspace=workspace_for(world.a.finance, world.a.vendor), partnership=partner.partnership, text="x"
        )
    with pytest.raises(Http404):
        selectors.list_notes(workspace_for(partner.admin, world.a.vendor, "partner"), partner.partnership)

    client.force_login(world.a.finance)  # every staff member reads notes
    assert "Secret: thinking" in client.get(f"/v/acme/partners/{partner.partnership.pk}/manage/").content.decode()
    client.force_login(partner.admin)
    for url in ("/p/acme/", "/p/acme/profile/", "/p/acme/directory/", f"/p/acme/programs/{world.a.program.pk}/"):
        response = client.get(url)
        assert response.status_code == 200 and b"Secret: thinking" not in response.content
    assert client.get(f"/v/acme/partners/{partner.partnership.pk}/manage/").status_code == 404


def test_note_form_posts_and_refuses_empty_text(world: World, client: Client) -> None:
    p = world.a.partners[0].partnership
    client.force_login(world.a.channel_manager)
    url = f"/v/acme/partners/{p.pk}/manage/notes/"
    response = client.post(url, {"text": ""})
    assert response.status_code == 200 and 'id="text-errors"' in response.content.decode()
    response = client.post(url, {"text": "Called them about the renewal"})
    assert response.status_code == 302
    note = PartnerNote.objects.for_vendor(world.a.vendor).get(partnership=p)
    assert note.author == world.a.channel_manager and note.text == "Called them about the renewal"
    # The timeline says a note was added, without its text.
    entry = AuditLog.objects.filter(vendor=world.a.vendor, action="partnership.note").get()
    assert entry.object_id == str(p.pk) and "renewal" not in str(entry.changes)
    client.force_login(world.a.finance)
    assert client.post(url, {"text": "x"}).status_code == 403


# --- The partner page's status forms ----------------------------------------------------------


def test_status_form_suspends_with_reason_and_shows_errors(world: World, client: Client) -> None:
    p = world.a.partners[0].partnership
    client.force_login(world.a.owner)
    url = f"/v/acme/partners/{p.pk}/manage/status/"
    response = client.post(url, {"action": "suspend", "suspend-reason": ""})
    assert response.status_code == 200 and 'id="suspend-reason-errors"' in response.content.decode()
    response = client.post(url, {"action": "suspend", "suspend-reason": "Unpaid invoices"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == Status.SUSPENDED
    # An action the status does not allow is refused with a message, nothing changes.
    response = client.post(url, {"action": "suspend", "suspend-reason": "again"})
    assert response.status_code == 200 and "cannot be suspended" in response.content.decode()
    page = client.get(f"/v/acme/partners/{p.pk}/manage/").content.decode()
    assert "Unpaid invoices" in page and 'value="reactivate"' in page and 'value="suspend"' not in page


def test_finance_sees_the_page_without_forms(world: World, client: Client) -> None:
    p = world.a.partners[0].partnership
    client.force_login(world.a.finance)
    page = client.get(f"/v/acme/partners/{p.pk}/manage/").content.decode()
    assert 'value="suspend"' not in page and "Add note" not in page
    assert client.post(f"/v/acme/partners/{p.pk}/manage/status/", {"action": "suspend"}).status_code == 403


def test_partner_page_shows_profile_people_and_timeline(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    DirectoryProfile.objects.create(organization=partner.org, city="Patras", regions=["GR-G"])
    services.partnership_suspend(workspace=staff(world), partnership=partner.partnership, reason="Late reports")
    # Something about the partner recorded by another vendor stays out of this vendor's timeline.
    PartnershipFactory(program=world.b.program, partner=partner.org)
    services.note_create(
        workspace=workspace_for(world.b.owner, world.b.vendor),
        partnership=Partnership.objects.for_vendor(world.b.vendor).get(partner=partner.org),
        text="globex only",
    )
    client.force_login(world.a.owner)
    page = client.get(f"/v/acme/partners/{partner.partnership.pk}/manage/").content.decode()
    assert partner.admin.email in page and partner.sales.email in page
    assert "Patras" in page and "GR-G" in page
    assert "Suspended" in page and "Late reports" in page
    assert "globex only" not in page and "Note added" not in page


# --- The management list ----------------------------------------------------------------------


def test_list_filters(world: World, client: Client) -> None:
    a = world.a
    other_program = ProgramFactory(vendor=a.vendor, slug="referral", name="Referral")
    de = PartnerOrgFactory(name="Berlin Partner", country="DE")
    PartnershipFactory(program=other_program, partner=de, partner_type="msp", tier="gold", status=Status.ONBOARDING)
    DirectoryProfile.objects.create(organization=de, regions=["DE-BE"])
    client.force_login(a.owner)

    def names(query: str) -> set[str]:
        response = client.get(f"/v/acme/partners/manage/?{query}")
        assert response.status_code == 200
        return {p.partner.name for p in response.context["page"]}

    everyone = {"Acme Partner 1", "Acme Partner 2", "Berlin Partner"}
    assert names("") == everyone
    assert names("status=onboarding") == {"Berlin Partner"}
    assert names("partner_type=msp") == {"Berlin Partner"}
    assert names("tier=Gold") == {"Berlin Partner"}
    assert names("country=DE") == {"Berlin Partner"}
    assert names("region=de-be") == {"Berlin Partner"}
    assert names("region=GR-I") == set()
    assert names(f"program={other_program.pk}") == {"Berlin Partner"}
    assert names("search=acme") == {"Acme Partner 1", "Acme Partner 2"}
    # A bad filter value filters nothing and says so beside the field.
    response = client.get("/v/acme/partners/manage/?region=XX-99")
    assert 'id="region-errors"' in response.content.decode()
    assert world.b.partners[0].org.name not in response.content.decode()


def test_inactive_partners_are_flagged(world: World, client: Client) -> None:
    a = world.a
    quiet, busy = a.partners[0], a.partners[1]
    long_ago = timezone.now() - timedelta(days=120)
    Partnership.objects.for_vendor(a.vendor).update(updated_at=long_ago)
    type(busy.sales).objects.filter(pk=busy.sales.pk).update(last_login=timezone.now() - timedelta(days=3))
    type(quiet.admin).objects.filter(pk=quiet.admin.pk).update(last_login=long_ago)
    client.force_login(a.owner)
    response = client.get("/v/acme/partners/manage/?activity=inactive")
    assert [p.partner.name for p in response.context["page"]] == [quiet.org.name]
    assert "Inactive" in response.content.decode()
    response = client.get("/v/acme/partners/manage/?activity=active")
    assert [p.partner.name for p in response.context["page"]] == [busy.org.name]
    # A change to the partnership counts as activity.
    services.note_create(workspace=staff(world), partnership=quiet.partnership, text="notes are not activity")
    assert selectors.get_managed_partnership(staff(world), quiet.partnership.pk).is_inactive
    services.partnership_suspend(workspace=staff(world), partnership=quiet.partnership, reason="quiet")
    assert not selectors.get_managed_partnership(staff(world), quiet.partnership.pk).is_inactive


def test_list_does_not_query_per_row(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    url = "/v/acme/partners/manage/"
    filtered = url + "?activity=active&region=GR-I"

    def add(n: int) -> None:
        for i in range(n):
            org = PartnerOrgFactory()
            PartnershipFactory(program=world.a.program, partner=org, tier=f"tier {i % 3}")
            MembershipFactory(organization=org, role="partner_admin", user=UserFactory(last_login=timezone.now()))
            DirectoryProfile.objects.create(organization=org, regions=["GR-I"])

    small = queries_for(lambda: client.get(url))
    add(2)
    small_filtered = queries_for(lambda: client.get(filtered))
    add(12)
    assert queries_for(lambda: client.get(url)) == small
    assert queries_for(lambda: client.get(filtered)) == small_filtered


def test_partner_page_does_not_query_per_row(world: World, client: Client) -> None:
    p = world.a.partners[0]
    client.force_login(world.a.owner)
    url = f"/v/acme/partners/{p.partnership.pk}/manage/"
    small = queries_for(lambda: client.get(url))
    ws = staff(world)
    for n in range(6):
        services.note_create(workspace=ws, partnership=p.partnership, text=f"note {n}")
        MembershipFactory(organization=p.org, role="partner_sales")
    services.partnership_suspend(workspace=ws, partnership=p.partnership, reason="x")
    services.partnership_reactivate(workspace=ws, partnership=p.partnership, reason="y")
    assert queries_for(lambda: client.get(url)) == small


def test_pages_other_vendors_and_partners_cannot_open(world: World, client: Client) -> None:
    client.force_login(world.b.owner)
    assert client.get("/v/acme/partners/manage/").status_code == 404
    client.force_login(world.a.partners[0].admin)
    assert client.get("/v/acme/partners/manage/").status_code == 404
    assert client.get("/v/acme/ecosystem/").status_code == 404
