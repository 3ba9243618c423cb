"""The metrics deals register for tier requirements, and the partners app being told when they change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kanali.deals import services_pipeline
from kanali.deals.models import DealRegistration
from kanali.designer import metrics
from tests.conftest import World, workspace_for
from tests.deals.routes_api import approve, fresh_index, open_deal, submit  # noqa: F401
from tests.factories import DealFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def measure(key: str, partnership: object) -> Decimal:
    metric = metrics.get(key)
    assert metric is not None and metric.compute is not None
    end = timezone.localdate()
    return metric.compute(partnership, end - timedelta(days=365), end)


def test_revenue_and_deals_won_in_the_window_in_the_default_currency(world: World, settings: object) -> None:
    p = world.a.partners[0].partnership
    now = timezone.now()
    DealFactory(partnership=p, amount=Decimal("1000.50"), status="won", won_at=now - timedelta(days=3))
    DealFactory(partnership=p, amount=Decimal("2000"), status="won", won_at=now - timedelta(days=300))
    DealFactory(partnership=p, amount=Decimal("5000"), status="won", won_at=now - timedelta(days=400))  # too old
    DealFactory(partnership=p, amount=Decimal("700"), status="won", won_at=now, currency="USD")  # not counted
    DealFactory(partnership=p, amount=Decimal("9000"), status="open")
    DealFactory(partnership=world.a.partners[1].partnership, amount=Decimal("800"), status="won", won_at=now)
    assert measure("revenue_won_12m", p) == Decimal("3000.50")
    assert measure("deals_won_12m", p) == 3
    assert metrics.get("revenue_won_12m").unit == "money"  # type: ignore[union-attr]


def test_registered_deals_count_approved_and_expired_registrations(world: World) -> None:
    a = world.a
    p = a.partners[0].partnership
    approve(a, submit(a, company="One Ltd", domain=""))
    expired = approve(a, submit(a, company="Two Ltd", domain=""))
    DealRegistration.objects.for_vendor(a.vendor).filter(pk=expired.pk).update(status="expired")
    submit(a, company="Three Ltd", domain="")  # waiting
    assert measure("registered_deals_12m", p) == 2


def test_winning_and_approving_tell_the_tier_engine(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[int] = []
    monkeypatch.setattr(
        "kanali.partners.services_tiers.on_partnership_metrics_changed", lambda partnership: told.append(partnership.pk)
    )
    a = world.a
    deal = open_deal(a)
    assert told == [a.partners[0].partnership.pk]
    services_pipeline.deal_won(workspace=workspace_for(a.owner, a.vendor), deal=deal)
    services_pipeline.deal_reopen(workspace=workspace_for(a.owner, a.vendor), deal=deal)
    assert len(told) == 3
