"""Races on statements, proven with real row locks on PostgreSQL (skipped on SQLite).

* Two finance users approve one statement at the same moment: one wins, the other gets the 409 error.
* Two deals of one partner are won at the same moment in a period with no statement yet: both lines
  land on one statement whose total is their sum.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections

from kanali.incentives import services
from kanali.incentives.models import CommissionLine, Statement
from tests.conftest import World, workspace_for
from tests.incentives.routes import open_deal, plan, statement, win

pytestmark = pytest.mark.postgres_only


def race(n: int, fn: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = fn(i)
        except Exception as exc:  # the outcome is what the test compares
            result = type(exc).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_one_statement_have_one_winner(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    a = world.a
    s = statement(a)
    people = [a.finance, a.owner]

    def approve(i: int) -> str:
        try:
            services.statement_approve(workspace=workspace_for(people[i], a.vendor), statement=s)
        except services.StatementStateError:
            return "conflict"
        return "approved"

    assert race(2, approve) == ["approved", "conflict"]
    s.refresh_from_db()
    assert s.status == "approved"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_wins_share_one_new_statement(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    a = world.a
    plan(a)
    deals = [open_deal(a, amount=str(1000 * (i + 1)), name=f"Race {i}") for i in range(3)]

    def won(i: int) -> str:
        win(a, deals[i])
        return "won"

    assert race(3, won) == ["won", "won", "won"]
    statement_row = Statement.objects.for_vendor(a.vendor).get()
    assert statement_row.line_count == 3 and statement_row.total == Decimal("600.00")
    assert CommissionLine.objects.for_vendor(a.vendor).filter(statement=statement_row).count() == 3
