"""The tiers engine: promotion at once, demotion after the grace period, recovery, unknown metrics,
the daily run, the metrics event, and batch evaluation without per-partnership queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kanali.core.models import AuditLog, Partnership
from kanali.designer import metrics
from kanali.partners import engine, services_tiers, tasks
from kanali.partners.models_tiers import TierAssignment, TierChange, TierRun
from tests.conftest import World, queries_for, workspace_for
from tests.factories import PartnerOrgFactory, PartnershipFactory, ProgramFactory
from tests.partners.routes_tiers import SCORE, FakeMetric, saved_registry, tier, tiered_program

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(0))
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _registry() -> Iterator[None]:
    yield from saved_registry()


@pytest.fixture
def score(world: World) -> FakeMetric:
    metric = FakeMetric()
    tiered_program(world.a)
    return metric


def evaluate(world: World, now: datetime = T0) -> services_tiers.EvaluationSummary:
    return services_tiers.evaluate_program(workspace=None, program=world.a.program, now=now)


def assignment(p: Partnership) -> TierAssignment:
    return TierAssignment.objects.for_vendor(p.vendor_id).select_related("tier", "pending_tier").get(partnership=p)


def history(p: Partnership) -> list[str]:
    rows = TierChange.objects.for_vendor(p.vendor_id).filter(partnership=p).order_by("created_at", "pk")
    return [c.kind for c in rows]


def test_first_evaluation_places_every_partner(world: World, score: FakeMetric) -> None:
    p1, p2 = (x.partnership for x in world.a.partners)
    score.set(p1, 12)
    summary = evaluate(world)
    assert summary.evaluated == 2
    assert assignment(p1).tier.name == "Silver" and assignment(p2).tier.name == "Bronze"
    assert history(p1) == ["initial"]
    p1.refresh_from_db()
    assert p1.tier == "Silver"  # the legacy display text follows
    assert assignment(p1).metrics == {SCORE: "12"}


def test_promotion_takes_effect_at_once_and_tells_the_partner(
    world: World, score: FakeMetric, django_capture_on_commit_callbacks
) -> None:
    p1 = world.a.partners[0].partnership
    evaluate(world)
    score.set(p1, 25)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary = evaluate(world, T0 + timedelta(days=1))
    a = assignment(p1)
    assert a.tier.name == "Gold" and a.since == T0 + timedelta(days=1) and a.demotion_due_at is None
    assert summary.counts == {"promotion": 1}
    assert history(p1) == ["initial", "promotion"]
    assert [m.to for m in mail.outbox] == [[world.a.partners[0].admin.email]]
    assert "Gold" in mail.outbox[0].subject
    assert AuditLog.objects.filter(vendor=world.a.vendor, action="tier.promotion").count() == 1


def test_demotion_waits_for_the_grace_period_then_the_daily_run_applies_it(
    world: World, score: FakeMetric, django_capture_on_commit_callbacks
) -> None:
    p1 = world.a.partners[0].partnership
    score.set(p1, 25)
    evaluate(world)
    score.set(p1, 12)  # now only meets Silver
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(world, T0 + timedelta(days=1))
    a = assignment(p1)
    assert a.tier.name == "Gold", "demotion is not immediate"
    assert a.pending_tier.name == "Silver"
    assert a.demotion_due_at == T0 + timedelta(days=91)
    assert history(p1) == ["initial", "demotion_scheduled"]
    assert len(mail.outbox) == 1 and "Silver" in mail.outbox[0].body

    # Within the grace period nothing moves, however often it runs.
    tasks.run_day(now=T0 + timedelta(days=60))
    assert assignment(p1).tier.name == "Gold"
    assert history(p1) == ["initial", "demotion_scheduled"]

    # The daily run after the due date applies it.
    result = tasks.run_day(now=T0 + timedelta(days=92))
    assert result["programs"] == 1 and result["changes"] == 1
    a = assignment(p1)
    assert a.tier.name == "Silver" and a.pending_tier is None and a.demotion_due_at is None
    assert history(p1) == ["initial", "demotion_scheduled", "demotion"]
    p1.refresh_from_db()
    assert p1.tier == "Silver"


def test_recovery_cancels_a_scheduled_demotion(world: World, score: FakeMetric) -> None:
    p1 = world.a.partners[0].partnership
    score.set(p1, 25)
    evaluate(world)
    score.set(p1, 0)
    evaluate(world, T0 + timedelta(days=1))
    assert assignment(p1).pending_tier.name == "Bronze"
    score.set(p1, 21)
    evaluate(world, T0 + timedelta(days=10))
    a = assignment(p1)
    assert a.tier.name == "Gold" and a.pending_tier is None and a.demotion_due_at is None
    assert history(p1) == ["initial", "demotion_scheduled", "demotion_cancelled"]
    evaluate(world, T0 + timedelta(days=200))
    assert assignment(p1).tier.name == "Gold"


def test_grace_period_is_a_program_setting(world: World, score: FakeMetric) -> None:
    p1 = world.a.partners[0].partnership
    ws = workspace_for(world.a.owner, world.a.vendor)
    services_tiers.tier_settings_update(workspace=ws, program=world.a.program, grace_days=0)
    score.set(p1, 25)
    evaluate(world)
    score.set(p1, 12)
    evaluate(world, T0 + timedelta(days=1))
    assert assignment(p1).tier.name == "Silver"
    assert history(p1) == ["initial", "demotion"]


def test_an_unknown_metric_never_promotes(world: World, score: FakeMetric) -> None:
    """Silver also needs certified people, which nothing measures yet: a high score is not enough."""
    program = world.a.program
    tiered_program(
        world.a,
        requirements=[
            {"tier": "Silver", "metric": SCORE, "threshold": "10"},
            {"tier": "Silver", "metric": "certified_people", "threshold": "1"},
            {"tier": "Gold", "metric": SCORE, "threshold": "20"},
            {"tier": "Gold", "metric": "certified_people", "threshold": "3"},
        ],
    )
    p1 = world.a.partners[0].partnership
    score.set(p1, 99)
    evaluate(world)
    a = assignment(p1)
    assert a.tier.name == "Bronze"
    assert a.metrics == {SCORE: "99", "certified_people": None}
    status = engine.progress(engine.ladder(program), {SCORE: Decimal(99), "certified_people": None}, a.tier_id)
    unknown = [c for c in status.next.checks if not c.known]
    assert [c.metric for c in unknown] == ["certified_people"] and not unknown[0].met


def test_no_demotion_on_unmeasured_data_alone(world: World, score: FakeMetric) -> None:
    """A partner imported at Gold keeps it while Gold's only requirement is a metric nobody measures yet."""
    tiered_program(world.a, requirements=[{"tier": "Gold", "metric": "certified_people", "threshold": "3"}])
    p1 = world.a.partners[0].partnership
    ws = workspace_for(world.a.owner, world.a.vendor)
    services_tiers.tier_assign(workspace=ws, partnership=p1, tier=tier(world.a.program, "Gold"), reason="imported")
    evaluate(world)
    evaluate(world, T0 + timedelta(days=400))
    assert assignment(p1).tier.name == "Gold" and assignment(p1).demotion_due_at is None


def test_daily_run_is_idempotent(world: World, score: FakeMetric) -> None:
    p1 = world.a.partners[0].partnership
    score.set(p1, 12)
    first = tasks.run_day(now=T0)
    assert first == {"programs": 1, "skipped": 0, "changes": 2}
    score.set(p1, 25)
    again = tasks.run_day(now=T0 + timedelta(hours=5))  # same day
    assert again == {"programs": 0, "skipped": 1, "changes": 0}
    assert assignment(p1).tier.name == "Silver"
    assert TierRun.objects.for_vendor(world.a.vendor).count() == 1
    tasks.run_day(now=T0 + timedelta(days=1))
    assert assignment(p1).tier.name == "Gold"
    run = TierRun.objects.for_vendor(world.a.vendor).order_by("-day").first()
    assert run is not None and run.evaluated == 2 and run.changes == 1


def test_daily_run_skips_programs_without_tiers(world: World) -> None:
    assert tasks.run_day(now=T0) == {"programs": 0, "skipped": 0, "changes": 0}
    assert not TierAssignment.objects.for_vendor(world.a.vendor).exists()


def test_daily_task_runs_with_the_immediate_backend(world: World, score: FakeMetric) -> None:
    result = tasks.daily_tier_run.enqueue()
    assert result.return_value["programs"] == 1
    assert result.return_value["scheduled"] == 0  # the immediate backend cannot defer


@override_settings(TASKS=DUMMY_TASKS)
def test_daily_run_queues_tomorrow_once() -> None:
    now = datetime(2026, 3, 2, 14, 30, tzinfo=timezone.get_current_timezone())
    assert tasks.schedule_next(now) is True
    assert tasks.schedule_next(now) is False  # one chain, never two
    backend = tasks.daily_tier_run.get_backend()
    (queued,) = backend.results  # type: ignore[attr-defined]
    assert queued.task.run_after == datetime(2026, 3, 3, 3, 0, tzinfo=timezone.get_current_timezone())
    call_command("schedule_tier_runs", stdout=StringIO())
    assert len(backend.results) == 1  # type: ignore[attr-defined]


@override_settings(TASKS=DUMMY_TASKS)
def test_schedule_command_queues_the_first_run() -> None:
    call_command("schedule_tier_runs", stdout=StringIO())
    backend = tasks.daily_tier_run.get_backend()
    assert [r.task.module_path for r in backend.results] == [tasks.daily_tier_run.module_path]  # type: ignore[attr-defined]


def test_metrics_event_evaluates_one_partnership_on_commit(
    world: World, score: FakeMetric, django_capture_on_commit_callbacks
) -> None:
    p1, p2 = (x.partnership for x in world.a.partners)
    score.set(p1, 30)
    with django_capture_on_commit_callbacks(execute=True):
        services_tiers.on_partnership_metrics_changed(p1)
    assert assignment(p1).tier.name == "Gold"
    assert not TierAssignment.objects.for_vendor(world.a.vendor).filter(partnership=p2).exists()


def test_batch_evaluation_does_not_query_per_partnership(world: World, score: FakeMetric) -> None:
    """Tiers and requirements are read once; writes are bulk: 2 partners cost what 12 cost."""
    other = ProgramFactory(vendor=world.a.vendor, slug="big")
    tiered_program(world.a, program=other)
    few = queries_for(lambda: services_tiers.evaluate_program(workspace=None, program=world.a.program, now=T0))
    for n in range(12):
        p = PartnershipFactory(program=other, partner=PartnerOrgFactory(slug=f"many-{n}"))
        score.set(p, n * 2)
    many = queries_for(lambda: services_tiers.evaluate_program(workspace=None, program=other, now=T0))
    assert TierAssignment.objects.for_vendor(world.a.vendor).filter(partnership__program=other).count() == 12
    assert few == many
    again_few = queries_for(lambda: evaluate(world, T0 + timedelta(days=1)))
    again_many = queries_for(
        lambda: services_tiers.evaluate_program(workspace=None, program=other, now=T0 + timedelta(days=1))
    )
    assert again_few == again_many


def test_only_live_partnerships_are_evaluated(world: World, score: FakeMetric) -> None:
    p2 = world.a.partners[1].partnership
    Partnership.objects.for_vendor(world.a.vendor).filter(pk=p2.pk).update(status=Partnership.Status.SUSPENDED)
    assert evaluate(world).evaluated == 1


def test_evaluation_needs_manage_partners_in_the_programs_vendor(world: World, score: FakeMetric) -> None:
    finance = workspace_for(world.a.finance, world.a.vendor)
    with pytest.raises(PermissionDenied):
        services_tiers.evaluate_program(workspace=finance, program=world.a.program)
    other_owner = workspace_for(world.b.owner, world.b.vendor)
    with pytest.raises(PermissionDenied):
        services_tiers.evaluate_program(workspace=other_owner, program=world.a.program)
    assert not TierAssignment.objects.for_vendor(world.a.vendor).exists()


def test_programs_without_tiers_are_left_alone(world: World) -> None:
    FakeMetric()
    assert evaluate(world).evaluated == 0
    assert not TierChange.objects.for_vendor(world.a.vendor).exists()


def test_a_failing_metric_counts_as_not_measured(world: World, score: FakeMetric) -> None:
    def broken(partnership: Partnership, start: object, end: object) -> Decimal:
        raise RuntimeError("boom")

    metrics.register(SCORE, broken)
    evaluate(world)
    assert assignment(world.a.partners[0].partnership).metrics == {SCORE: None}


def test_simulate_is_pure(world: World, score: FakeMetric) -> None:
    program = world.a.program
    p1, p2 = (x.partnership for x in world.a.partners)
    score.set(p1, 12)
    score.set(p2, 25)
    evaluate(world)
    rungs = engine.ladder(program)
    silver, gold = tier(program, "Silver"), tier(program, "Gold")
    draft = engine.draft_ladder(rungs, [(silver.pk, SCORE, Decimal(5)), (gold.pk, SCORE, Decimal(30))])
    assigned = {a.partnership_id: a.tier_id for a in TierAssignment.objects.for_vendor(world.a.vendor)}
    moves = {m.partnership.pk: m for m in engine.simulate([p1, p2], assigned, draft, now=T0)}
    assert (moves[p1.pk].direction, moves[p1.pk].simulated) == ("same", silver)
    assert (moves[p2.pk].direction, moves[p2.pk].simulated) == ("down", silver)
    assert "Test score: 25 of 30" in moves[p2.pk].reason
