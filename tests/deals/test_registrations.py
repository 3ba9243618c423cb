"""Registering a deal: field checks, approval (first valid registration wins), rejection, one extension."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kanali.core.models import AuditLog, Notification
from kanali.deals import services_registrations as svc
from kanali.deals.models import Account, Deal, DealRegistration, DealSettings, DealStageChange
from kanali.deals.services import DealStateError
from kanali.designer.models import PipelineStage
from tests.conftest import World, workspace_for
from tests.deals.routes_api import approve, fresh_index, reg_data, submit  # noqa: F401
from tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def errors_of(world: World, **over: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        submit(world.a, **over)
    return exc.value.message_dict


def test_missing_required_fields_are_field_errors(world: World) -> None:
    errors = errors_of(world, company="", country="", estimated_value="", currency="", expected_close="")
    assert set(errors) >= {"company", "country", "estimated_value", "currency", "expected_close"}
    assert not DealRegistration.objects.for_vendor(world.a.vendor).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("currency", "XXY"),
        ("estimated_value", "a lot"),
        ("estimated_value", "-5"),
        ("expected_close", "2020-01-01"),
        ("expected_close", "next week"),
        ("vat_number", "EL123456789"),
        ("domain", "not a domain"),
        ("contact_email", "maria@"),
        ("country", "Atlantis"),
    ],
)
def test_bad_values_are_refused_with_a_message_on_their_field(world: World, field: str, value: str) -> None:
    assert field in errors_of(world, **{field: value})


def test_products_must_be_active_products_of_the_program(world: World) -> None:
    a = world.a
    ProductFactory(program=a.program, code="crm")
    ProductFactory(program=a.program, code="old", active=False)
    ProductFactory(program=world.b.program, code="theirs")
    errors = errors_of(world, products=["crm", "old", "theirs", "nope"])
    assert "old" in errors["products"][0] and "theirs" in errors["products"][0] and "nope" in errors["products"][0]
    assert "crm," not in errors["products"][0]
    reg = submit(a, products=["crm", "crm"])
    assert reg.products == ["crm"]


def test_a_clean_registration_is_stored_normalised_and_the_vendor_is_told(world: World) -> None:
    reg = submit(
        world.a,
        domain="https://WWW.Alfa-Pliroforiki.gr/contact",
        vat_number="094014201",
        currency="eur",
        estimated_value="1.234,565",
    )
    assert reg.status == DealRegistration.Status.SUBMITTED
    assert reg.domain == "alfa-pliroforiki.gr"
    assert reg.vat_number == "EL094014201"
    assert reg.currency == "EUR"
    assert reg.estimated_value == Decimal("1234.57")
    assert not reg.in_conflict and reg.conflicts == []
    assert AuditLog.objects.filter(action="deal_registration.submit", object_id=str(reg.pk)).exists()
    told = set(
        Notification.objects.filter(kind="deals.registration_submitted").values_list("recipient__email", flat=True)
    )
    assert told == {"owner@acme.example.com", "channel_manager@acme.example.com"}


def test_only_the_partner_registers(world: World) -> None:
    a = world.a
    with pytest.raises(PermissionDenied):
        svc.registration_submit(
            workspace=workspace_for(a.owner, a.vendor), partnership=a.partners[0].partnership, data=reg_data()
        )
    with pytest.raises(PermissionDenied):  # partner 2 for partner 1's partnership
        svc.registration_submit(
            workspace=workspace_for(a.partners[1].admin, a.vendor, "partner"),
            partnership=a.partners[0].partnership,
            data=reg_data(),
        )


def test_approval_protects_and_opens_a_deal_at_the_first_designed_stage(world: World) -> None:
    a = world.a
    PipelineStage.objects.create(vendor=a.vendor, program=a.program, position=5, name="Proposal", win_probability=50)
    PipelineStage.objects.create(vendor=a.vendor, program=a.program, position=2, name="Discovery", win_probability=15)
    DealSettings.objects.create(vendor=a.vendor, program=a.program, protection_days=60)
    reg = approve(a, submit(a, products=[]))
    assert reg.status == DealRegistration.Status.APPROVED
    assert reg.protected_until == timezone.localdate() + timedelta(days=60)
    assert reg.decided_by == a.owner
    deal = Deal.objects.for_vendor(a.vendor).get(registration=reg)
    assert (deal.stage, deal.stage_position, deal.probability) == ("Discovery", 1, 15)
    assert (deal.amount, deal.currency, deal.partnership) == (reg.estimated_value, "EUR", a.partners[0].partnership)
    account = Account.objects.for_vendor(a.vendor).get()
    assert reg.account == deal.account == account and account.source == Account.Source.DEAL
    assert DealStageChange.objects.for_vendor(a.vendor).get(deal=deal).to_stage == "Discovery"
    assert Notification.objects.filter(kind="deals.registration_approved", recipient=a.partners[0].admin).exists()
    assert AuditLog.objects.filter(action="deal_registration.approve", object_id=str(reg.pk)).exists()


def test_approval_links_the_known_account_instead_of_creating_one(world: World) -> None:
    a = world.a
    known = Account.objects.create(vendor=a.vendor, name="Alfa Pliroforiki A.E.", domain="alfa-pliroforiki.gr")
    reg = submit(a)
    assert reg.in_conflict
    reg = approve(a, reg)
    assert reg.account == known
    assert Account.objects.for_vendor(a.vendor).count() == 1


def test_approving_or_rejecting_a_decided_registration_is_a_state_error(world: World) -> None:
    a = world.a
    reg = approve(a, submit(a))
    with pytest.raises(DealStateError):
        approve(a, reg)
    with pytest.raises(DealStateError):
        svc.registration_reject(workspace=workspace_for(a.owner, a.vendor), registration=reg, reason="No")
    assert Deal.objects.for_vendor(a.vendor).count() == 1


def test_rejection_needs_a_reason_and_tells_the_partner(world: World) -> None:
    a = world.a
    reg = submit(a)
    staff = workspace_for(a.channel_manager, a.vendor)
    with pytest.raises(ValidationError) as exc:
        svc.registration_reject(workspace=staff, registration=reg, reason="  ")
    assert "reason" in exc.value.message_dict
    reg = svc.registration_reject(workspace=staff, registration=reg, reason="Direct key account")
    assert reg.status == DealRegistration.Status.REJECTED and reg.rejection_reason == "Direct key account"
    note = Notification.objects.get(kind="deals.registration_rejected", recipient=a.partners[0].admin)
    assert note.body == "Direct key account"
    assert not Deal.objects.for_vendor(a.vendor).exists()


def test_partners_and_finance_cannot_decide(world: World) -> None:
    a = world.a
    reg = submit(a)
    for ws in (workspace_for(a.partners[0].admin, a.vendor, "partner"), workspace_for(a.finance, a.vendor)):
        with pytest.raises(PermissionDenied):
            svc.registration_approve(workspace=ws, registration=reg)


def test_first_valid_registration_wins_unless_overridden(world: World) -> None:
    a = world.a
    first = submit(a, 0)
    second = submit(a, 1, company="ALFA ΠΛΗΡΟΦΟΡΙΚΗ Α.Ε.", domain="")
    assert not first.in_conflict and second.in_conflict
    with pytest.raises(DealStateError, match=f"#{first.pk}"):
        approve(a, second)  # the first one waits for a decision
    approve(a, first)
    with pytest.raises(DealStateError, match="protected until"):
        approve(a, second)  # the first one is now protected
    second.refresh_from_db()
    assert second.status == DealRegistration.Status.SUBMITTED
    approve(a, second, override=True)
    entry = AuditLog.objects.get(action="deal_registration.approve", object_id=str(second.pk))
    assert entry.changes["override"] is True and entry.changes["overridden"] == [first.pk]


def test_a_rejected_earlier_registration_no_longer_blocks(world: World) -> None:
    a = world.a
    first = submit(a, 0)
    second = submit(a, 1)
    svc.registration_reject(workspace=workspace_for(a.owner, a.vendor), registration=first, reason="Duplicate")
    assert approve(a, second).status == DealRegistration.Status.APPROVED


def test_one_extension_request_then_the_vendor_decides(world: World) -> None:
    a = world.a
    DealSettings.objects.create(vendor=a.vendor, program=a.program, protection_days=90, extension_days=30)
    reg = approve(a, submit(a))
    partner = workspace_for(a.partners[0].sales, a.vendor, "partner")
    with pytest.raises(DealStateError):
        svc.extension_decide(workspace=workspace_for(a.owner, a.vendor), registration=reg, grant=True)
    reg = svc.extension_request(workspace=partner, registration=reg, reason="Budget in Q2")
    assert reg.extension_requested_at is not None
    assert Notification.objects.filter(kind="deals.extension_requested", recipient=a.owner).exists()
    with pytest.raises(DealStateError):
        svc.extension_request(workspace=partner, registration=reg, reason="again")
    before = reg.protected_until
    reg = svc.extension_decide(workspace=workspace_for(a.owner, a.vendor), registration=reg, grant=True)
    assert reg.extension_granted and reg.protected_until == before + timedelta(days=30)
    with pytest.raises(DealStateError):
        svc.extension_decide(workspace=workspace_for(a.owner, a.vendor), registration=reg, grant=False)


def test_a_denied_extension_keeps_the_date(world: World) -> None:
    a = world.a
    reg = approve(a, submit(a))
    before = reg.protected_until
    reg = svc.extension_request(workspace=workspace_for(a.partners[0].admin, a.vendor, "partner"), registration=reg)
    reg = svc.extension_decide(workspace=workspace_for(a.owner, a.vendor), registration=reg, grant=False)
    assert not reg.extension_granted and reg.protected_until == before and reg.extension_decided_at is not None
    assert AuditLog.objects.filter(action="deal_registration.extension_deny").exists()


def test_only_an_approved_registration_can_be_extended(world: World) -> None:
    a = world.a
    with pytest.raises(DealStateError):
        svc.extension_request(workspace=workspace_for(a.partners[0].admin, a.vendor, "partner"), registration=submit(a))


def test_withdraw_before_a_decision(world: World) -> None:
    a = world.a
    reg = submit(a)
    ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    assert svc.registration_withdraw(workspace=ws, registration=reg).status == DealRegistration.Status.WITHDRAWN
    with pytest.raises(DealStateError):
        svc.registration_withdraw(workspace=ws, registration=reg)
