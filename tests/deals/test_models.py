"""The deals tables: tenancy guard, constraints that include the vendor, the hooks registry."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from kanali.core.models import AuditLog
from kanali.core.tenancy import UnscopedQueryError
from kanali.deals import hooks
from kanali.deals.models import Account, Deal, DealRegistration, DealSettings, Product
from kanali.deals.services import deal_settings, deal_settings_update
from tests.conftest import World, workspace_for
from tests.factories import AccountFactory, DealFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Product, Account, DealRegistration, Deal, DealSettings])
def test_reading_without_a_vendor_is_refused(world: World, model: type) -> None:
    with pytest.raises(UnscopedQueryError):
        list(model.objects.all())  # type: ignore[attr-defined]
    assert list(model.objects.for_vendor(world.a.vendor)) == []  # type: ignore[attr-defined]


def test_product_codes_are_unique_per_program(world: World) -> None:
    ProductFactory(program=world.a.program, code="crm")
    ProductFactory(program=world.b.program, code="crm")  # another vendor: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(program=world.a.program, code="crm")


def test_account_external_ids_are_unique_per_vendor_when_set(world: World) -> None:
    AccountFactory(vendor=world.a.vendor, external_id="")
    AccountFactory(vendor=world.a.vendor, external_id="")
    AccountFactory(vendor=world.a.vendor, external_id="SF-1")
    AccountFactory(vendor=world.b.vendor, external_id="SF-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountFactory(vendor=world.a.vendor, external_id="SF-1")


def test_one_settings_row_per_program(world: World) -> None:
    DealSettings.objects.create(vendor=world.a.vendor, program=world.a.program)
    with pytest.raises(IntegrityError), transaction.atomic():
        DealSettings.objects.create(vendor=world.a.vendor, program=world.a.program)


def test_hooks_register_once_and_run_in_order(world: World) -> None:
    seen: list[str] = []

    def first(deal: Deal) -> None:
        seen.append(f"first {deal.pk}")

    def second(deal: Deal) -> None:
        seen.append(f"second {deal.pk}")

    try:
        hooks.on_deal_won(first)
        hooks.on_deal_won(first)
        hooks.on_deal_won(second)
        deal = DealFactory(partnership=world.a.partners[0].partnership)
        hooks.deal_won(deal)
    finally:
        hooks.DEAL_WON.remove(first)
        hooks.DEAL_WON.remove(second)
    assert seen == [f"first {deal.pk}", f"second {deal.pk}"]
    assert str(deal) == deal.name and deal.is_open


def test_settings_update_checks_ranges_and_audits(world: World) -> None:
    a = world.a
    assert deal_settings(a.program).protection_days == 90 and deal_settings(a.program).pk is None
    ws = workspace_for(a.owner, a.vendor)
    with pytest.raises(ValidationError) as exc:
        deal_settings_update(workspace=ws, program=a.program, protection_days=0, name_threshold=101)
    assert set(exc.value.message_dict) == {"protection_days", "name_threshold"}
    row = deal_settings_update(workspace=ws, program=a.program, protection_days=60, reminder_days=10)
    assert (row.protection_days, row.reminder_days) == (60, 10) and deal_settings(a.program).pk == row.pk
    assert AuditLog.objects.get(action="deal_settings.update").changes["protection_days"] == [90, 60]
    with pytest.raises(PermissionDenied):
        deal_settings_update(
            workspace=workspace_for(world.b.owner, world.b.vendor), program=a.program, protection_days=5
        )
    with pytest.raises(PermissionDenied):
        deal_settings_update(workspace=workspace_for(a.finance, a.vendor), program=a.program, protection_days=5)
