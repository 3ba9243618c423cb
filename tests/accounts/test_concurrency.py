"""Two people racing on one invitation: exactly one acceptance wins (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from kanali.accounts.models import Invitation
from kanali.accounts.services import InvitationError, invitation_accept, invite_member
from kanali.core.models import Membership
from kanali.core.roles import Role
from tests.conftest import World, workspace_for
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres_only


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_of_one_invitation_have_one_winner(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are proven on PostgreSQL (CI runs the suite there too)")
    invitation = invite_member(
        workspace=workspace_for(world.a.owner, world.a.vendor), email="race@example.com", role=Role.TRAINER
    )
    user = UserFactory(email="race@example.com")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept() -> None:
        try:
            barrier.wait()
            invitation_accept(invitation=Invitation.objects.get(pk=invitation.pk), user=user)
            result = "accepted"
        except InvitationError as exc:
            result = exc.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "used", "used", "used"]
    assert Membership.objects.filter(user=user, organization=world.a.vendor).count() == 1
