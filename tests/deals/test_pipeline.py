"""The pipeline: stage moves with history, won / lost / reopen with their hooks, weighted totals, the lead hook."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kanali.deals import hooks
from kanali.deals import services_pipeline as svc
from kanali.deals.models import Deal, DealStageChange
from kanali.deals.selectors import DEFAULT_STAGES, board, list_deals, program_stages, weighted_pipeline
from kanali.deals.services import DealStateError
from kanali.designer.models import PipelineStage
from kanali.leads import hooks as lead_hooks
from kanali.leads.models import Lead
from kanali.partners.models_agreements import PartnershipMilestones
from tests.conftest import World, workspace_for
from tests.deals.routes_api import fresh_index, open_deal  # noqa: F401
from tests.factories import DealFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


@pytest.fixture
def calls() -> Iterator[list[tuple[str, int, str]]]:
    """Record the deal hooks' calls (and the deal's status at that moment)."""
    seen: list[tuple[str, int, str]] = []

    def won(deal: Deal) -> None:
        seen.append(("won", deal.pk, deal.status))

    def reversed_(deal: Deal) -> None:
        seen.append(("reversed", deal.pk, deal.status))

    hooks.on_deal_won(won)
    hooks.on_deal_win_reversed(reversed_)
    yield seen
    hooks.DEAL_WON.remove(won)
    hooks.DEAL_WIN_REVERSED.remove(reversed_)


@pytest.fixture
def stages(world: World) -> None:
    for position, name, p in ((1, "Discover", 10), (2, "Trial", 40), (3, "Negotiate", 80)):
        PipelineStage.objects.create(
            vendor=world.a.vendor, program=world.a.program, position=position, name=name, win_probability=p
        )


def test_default_stages_stand_in_until_the_sales_process_is_designed(world: World) -> None:
    assert [s.name for s in program_stages(world.a.program)] == [s.name for s in DEFAULT_STAGES]


@pytest.mark.usefixtures("stages")
def test_moving_a_deal_records_its_history_and_probability(world: World) -> None:
    a = world.a
    deal = open_deal(a)
    partner = workspace_for(a.partners[0].sales, a.vendor, "partner")
    deal = svc.deal_move(workspace=partner, deal=deal, stage_position=3, note="Pricing sent")
    assert (deal.stage, deal.stage_position, deal.probability) == ("Negotiate", 3, 80)
    same = svc.deal_move(workspace=partner, deal=deal, stage_position=3)
    assert same.stage == "Negotiate"
    history = list(DealStageChange.objects.for_vendor(a.vendor).filter(deal=deal).order_by("pk"))
    assert [(h.from_stage, h.to_stage) for h in history] == [("", "Discover"), ("Discover", "Negotiate")]
    assert history[1].actor == a.partners[0].sales and history[1].note == "Pricing sent"
    with pytest.raises(ValidationError):
        svc.deal_move(workspace=partner, deal=deal, stage_position=9)


def test_a_partner_moves_only_its_own_deals(world: World) -> None:
    a = world.a
    deal = open_deal(a, 0)
    with pytest.raises(PermissionDenied):
        svc.deal_move(workspace=workspace_for(a.partners[1].admin, a.vendor, "partner"), deal=deal, stage_position=2)
    with pytest.raises(PermissionDenied):
        svc.deal_move(workspace=workspace_for(a.finance, a.vendor), deal=deal, stage_position=2)


def test_winning_runs_the_hook_once_and_records_the_first_deal(world: World, calls: list) -> None:
    a = world.a
    deal = open_deal(a)
    partner = workspace_for(a.partners[0].admin, a.vendor, "partner")
    with pytest.raises(ValidationError):
        svc.deal_won(workspace=partner, deal=deal, amount="lots")
    deal = svc.deal_won(workspace=partner, deal=deal, amount="15.000,50")
    assert deal.status == Deal.Status.WON and deal.amount == Decimal("15000.50") and deal.probability == 100
    assert deal.won_at is not None and deal.closed_at == deal.won_at
    assert calls == [("won", deal.pk, "won")]
    svc.deal_won(workspace=partner, deal=deal)  # a retry changes nothing
    svc.deal_won(workspace=partner, deal=deal, amount="15000.50")
    assert len(calls) == 1
    with pytest.raises(DealStateError):
        svc.deal_won(workspace=partner, deal=deal, amount="99")
    milestones = PartnershipMilestones.objects.for_vendor(a.vendor).get(partnership=a.partners[0].partnership)
    assert milestones.first_deal_at is not None


def test_losing_needs_a_reason_and_a_lost_deal_must_be_reopened_to_win(world: World, calls: list) -> None:
    a = world.a
    deal = open_deal(a)
    partner = workspace_for(a.partners[0].admin, a.vendor, "partner")
    with pytest.raises(ValidationError):
        svc.deal_lost(workspace=partner, deal=deal, reason="")
    deal = svc.deal_lost(workspace=partner, deal=deal, reason="Went with a competitor")
    assert (deal.status, deal.lost_reason, deal.probability) == ("lost", "Went with a competitor", 0)
    with pytest.raises(DealStateError):
        svc.deal_won(workspace=partner, deal=deal)
    with pytest.raises(DealStateError):
        svc.deal_move(workspace=partner, deal=deal, stage_position=2)
    assert calls == []


@pytest.mark.usefixtures("stages")
def test_reversing_a_win_runs_the_reversal_hook(world: World, calls: list) -> None:
    a = world.a
    staff = workspace_for(a.owner, a.vendor)
    partner = workspace_for(a.partners[0].admin, a.vendor, "partner")
    deal = svc.deal_won(workspace=staff, deal=open_deal(a))
    with pytest.raises(PermissionDenied):
        svc.deal_lost(workspace=partner, deal=deal, reason="Customer cancelled")
    with pytest.raises(PermissionDenied):
        svc.deal_reopen(workspace=partner, deal=deal)
    deal = svc.deal_reopen(workspace=staff, deal=deal, note="Contract not signed")
    assert (deal.status, deal.won_at, deal.probability) == ("open", None, 10)
    deal = svc.deal_won(workspace=staff, deal=deal)
    deal = svc.deal_lost(workspace=staff, deal=deal, reason="Customer cancelled")
    assert [c[0] for c in calls] == ["won", "reversed", "won", "reversed"]
    assert calls[1][2] == "open" and calls[3][2] == "lost"
    svc.deal_reopen(workspace=staff, deal=deal)
    assert len(calls) == 4  # reopening a lost deal reverses nothing


def test_a_failing_hook_rolls_the_win_back(world: World) -> None:
    a = world.a
    deal = open_deal(a)

    def broken(deal: Deal) -> None:
        raise RuntimeError("commission plan missing")

    hooks.on_deal_won(broken)
    try:
        with pytest.raises(RuntimeError):
            svc.deal_won(workspace=workspace_for(a.owner, a.vendor), deal=deal)
    finally:
        hooks.DEAL_WON.remove(broken)
    deal.refresh_from_db()
    assert deal.status == Deal.Status.OPEN and deal.won_at is None


def test_weighted_pipeline_per_currency(world: World) -> None:
    a = world.a
    p = a.partners[0].partnership
    DealFactory(partnership=p, amount=Decimal("1000"), probability=10)
    DealFactory(partnership=p, amount=Decimal("3000.55"), probability=50)
    DealFactory(partnership=p, amount=Decimal("500"), probability=40, currency="USD")
    DealFactory(partnership=p, amount=Decimal("9999"), probability=50, status=Deal.Status.WON)
    DealFactory(partnership=world.b.partners[0].partnership, amount=Decimal("7777"))
    totals = weighted_pipeline(list_deals(workspace_for(a.owner, a.vendor)))
    assert [(t.currency, t.count, t.amount, t.weighted) for t in totals] == [
        ("EUR", 2, Decimal("4000.55"), Decimal("1600.28")),
        ("USD", 1, Decimal("500.00"), Decimal("200.00")),
    ]
    partner_totals = weighted_pipeline(list_deals(workspace_for(a.partners[1].admin, a.vendor, "partner")))
    assert partner_totals == []


@pytest.mark.usefixtures("stages")
def test_board_has_a_column_per_stage(world: World) -> None:
    a = world.a
    p = a.partners[0].partnership
    DealFactory(partnership=p, stage="Trial", stage_position=2)
    DealFactory(partnership=p, stage="Gone", stage_position=7)
    columns = board(workspace_for(a.owner, a.vendor), a.program)
    assert [c.stage.name for c in columns] == ["Discover", "Trial", "Negotiate"]
    assert [len(c.deals) for c in columns] == [0, 1, 1]


def test_a_converted_lead_becomes_a_deal_once(world: World) -> None:
    a = world.a
    lead = LeadFactory(
        program=a.program,
        partnership=a.partners[0].partnership,
        status=Lead.Status.CONVERTED,
        company="Eta Shipping",
        email_domain="eta.example",
        estimated_value=Decimal("4200"),
    )
    lead_hooks.lead_converted(lead)
    lead_hooks.lead_converted(lead)
    deal = Deal.objects.for_vendor(a.vendor).get(lead=lead)
    assert (deal.name, deal.amount, deal.partnership, deal.stage_position) == (
        "Eta Shipping",
        Decimal("4200.00"),
        a.partners[0].partnership,
        1,
    )
    assert deal.account is not None and deal.account.domain == "eta.example"
