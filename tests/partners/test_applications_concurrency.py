"""Two reviewers approving one application at once: one partnership, one winner (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from kanali.core.models import Partnership
from kanali.partners.models_applications import Application
from kanali.partners.services_applications import ApplicationDecidedError, application_approve, application_submit
from tests.conftest import World, workspace_for
from tests.partners.routes_applications import second_program, values

pytestmark = pytest.mark.postgres_only


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_create_one_partnership(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    program = second_program(world.a)
    app = application_submit(program=program, values=values())
    reviewers = [world.a.owner, world.a.channel_manager]
    barrier = threading.Barrier(len(reviewers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(user: object) -> None:
        try:
            workspace = workspace_for(user, world.a.vendor)  # type: ignore[arg-type]
            application = Application.objects.for_vendor(world.a.vendor).get(pk=app.pk)
            barrier.wait()
            application_approve(workspace=workspace, application=application)
            result = "approved"
        except ApplicationDecidedError:
            result = "already decided"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(user,)) for user in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["already decided", "approved"]
    assert Partnership.objects.for_vendor(world.a.vendor).filter(program=program).count() == 1
    assert Application.objects.for_vendor(world.a.vendor).get(pk=app.pk).status == Application.Status.APPROVED
