"""Two people publishing one program at the same moment get two distinct versions (PostgreSQL row lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from kanali.designer.models import DesignVersion
from kanali.designer.publishing import FrequentChangeWarning, publish
from tests.conftest import World, workspace_for
from tests.designer.routes_publishing import complete_design

pytestmark = pytest.mark.postgres_only


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("confirm", [True, False])
def test_simultaneous_publishes_never_share_a_number(world: World, confirm: bool) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    program = world.a.program
    complete_design(workspace_for(world.a.owner, world.a.vendor), program)
    people = [world.a.owner, world.a.channel_manager]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user: object) -> None:
        try:
            ws = workspace_for(user, world.a.vendor)  # type: ignore[arg-type]
            barrier.wait()
            version = publish(workspace=ws, program=program, change_note="race", confirm_frequent=confirm)
            result = f"v{version.number}"
        except FrequentChangeWarning:
            result = "asked to confirm"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(user,)) for user in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    numbers = sorted(DesignVersion.objects.for_vendor(world.a.vendor).values_list("number", flat=True))
    if confirm:
        assert sorted(outcomes) == ["v1", "v2"] and numbers == [1, 2]
    else:
        # The second publisher sees the first one's fresh version and is asked to confirm.
        assert sorted(outcomes) == ["asked to confirm", "v1"] and numbers == [1]
